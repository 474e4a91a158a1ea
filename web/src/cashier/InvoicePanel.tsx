/**
 * One invoice at the cash desk: its lines as frozen at issue, the totals and the balance as the
 * server computed them (the balance stays in view while the panel scrolls), the payments journal,
 * and the commands the role holds: take a payment, refund, void. The domain decides every rule
 * (overpayment, refund above what was paid, void with money on it); its words are shown as they are.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Accepted } from '../api/commands.ts';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import type { CashierInvoiceQuery } from '../api/generated/graphql/graphql.ts';
import { can, type Me } from '../auth/me.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatMoney, isPositive } from '../format/money.ts';
import { LoadError } from '../app/LoadError.tsx';
import {
  activeMethods,
  fieldOfError,
  formatLineQuantity,
  ifMatchFor,
  methodName,
  moneyToInput,
  readAmount,
} from './logic.ts';
import { cashierKeys, useInvoice, usePaymentMethods } from './queries.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { text } from './text.ts';
import { documentPath } from '../documents/documents.ts';
import { PrintButton, PrintGroup, printText } from '../documents/PrintButton.tsx';

const t = text.cashier;

type Invoice = NonNullable<CashierInvoiceQuery['invoice']>;
type Method = { code: string; name: string };

interface Problem {
  message: string;
  field: string | null;
}

/** A refusal as the form shows it: someone else's change, or the server's own words. */
function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) {
    if (error.isConflict) return { message: t.conflict, field: null };
    return { message: error.messageRu, field: fieldOfError(error) };
  }
  return { message: String(error), field: null };
}

export function InvoicePanel({
  id,
  me,
  focusOnLoad,
  onClose,
}: {
  id: string;
  me: Me | undefined;
  focusOnLoad: boolean;
  onClose: () => void;
}) {
  const invoice = useInvoice(id);
  const methods = usePaymentMethods();
  const heading = useRef<HTMLHeadingElement>(null);
  // The version the last command answered with: the next command may follow it before the read
  // model shows that command.
  const [answered, setAnswered] = useState<number | null>(null);
  // What the last command did, shown under the balance (one message, not one per form).
  const [notice, setNotice] = useState<string | null>(null);
  const loaded = invoice.data?.invoice?.id;

  useEffect(() => {
    if (focusOnLoad && loaded) heading.current?.focus();
  }, [focusOnLoad, loaded]);

  if (invoice.isPending) {
    return (
      <p className="card muted" role="status">
        {t.loading}
      </p>
    );
  }
  if (invoice.isError) {
    return (
      <div className="card">
        <LoadError error={invoice.error} retry={() => void invoice.refetch()} />
      </div>
    );
  }
  const data = invoice.data.invoice;
  if (!data) {
    return (
      <p className="card error" role="alert">
        {t.panel.notFound}
      </p>
    );
  }

  const entries = methods.data?.directories.find((d) => d.code === 'payment_methods')?.entries ?? [];
  const offered = activeMethods(entries);
  const version = ifMatchFor(data.version, answered);
  const refreshing = invoice.isFetching;
  const context: CommandContext = {
    invoice: data,
    version,
    refreshing,
    onAccepted: (accepted) => setAnswered((v) => (v === null ? accepted.version : Math.max(v, accepted.version))),
    onNotice: setNotice,
  };
  const holdsMoney = !data.voided && (data.status === 'partially_paid' || data.status === 'paid');

  return (
    <section className="card stack cashier-invoice" aria-labelledby="cashier-invoice-title">
      <div className="cashier-invoice__head">
        <h2 id="cashier-invoice-title" ref={heading} tabIndex={-1}>
          {t.panel.title(data.number)} <StatusBadge status={data.status} />
        </h2>
        <button type="button" className="button button--ghost" onClick={onClose}>
          {t.panel.close}
        </button>
      </div>
      <dl className="cashier-facts">
        <div>
          <dt>{t.panel.order}</dt>
          <dd>
            <Link to={`/orders/${data.workOrderId}`}>{data.workOrderNumber}</Link>
          </dd>
        </div>
        <div>
          <dt>{t.panel.client}</dt>
          <dd>{data.client?.displayName ?? t.noClient}</dd>
        </div>
        {data.payerKind !== 'client' && (
          <div>
            <dt>{t.panel.payer}</dt>
            <dd>
              {data.payerName}
              {data.payerInn ? `, ИНН ${data.payerInn}` : ''}
            </dd>
          </div>
        )}
        <div>
          <dt>{t.panel.issuedAt}</dt>
          <dd>{formatDateTime(data.issuedAt)}</dd>
        </div>
      </dl>

      <PrintGroup>
        <PrintButton url={documentPath('invoice', data.id)} label={printText.invoice} />
      </PrintGroup>

      <Summary invoice={data} />
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}

      {data.voided && (
        <p className="notice" role="status">
          {t.panel.voided(data.voidReason)}
        </p>
      )}

      {!data.voided && can(me, 'invoice.record_payment') &&
        (isPositive(data.balanceDue) ? (
          <PaymentForm context={context} methods={offered} />
        ) : (
          <p className="success">{t.panel.paidInFull}</p>
        ))}

      <LinesTable invoice={data} />
      <Journal invoice={data} methods={entries} />

      {holdsMoney && can(me, 'invoice.record_refund') && <RefundForm context={context} methods={offered} />}
      {!data.voided && can(me, 'invoice.void') && <VoidForm context={context} />}
    </section>
  );
}

function Summary({ invoice }: { invoice: Invoice }) {
  return (
    <section className="cashier-summary" aria-label={t.panel.summary}>
      <dl className="cashier-summary__grid">
        <div>
          <dt>{t.panel.total}</dt>
          <dd>{formatMoney(invoice.total)}</dd>
        </div>
        <div>
          <dt>{t.panel.vat}</dt>
          <dd>{formatMoney(invoice.vat)}</dd>
        </div>
        <div>
          <dt>{t.panel.paid}</dt>
          <dd>{formatMoney(invoice.paid)}</dd>
        </div>
        <div>
          <dt>{t.panel.refunded}</dt>
          <dd>{formatMoney(invoice.refunded)}</dd>
        </div>
      </dl>
      <p className="cashier-balance" role="status">
        {t.panel.balance}: <strong>{formatMoney(invoice.balanceDue)}</strong>
      </p>
    </section>
  );
}

function LinesTable({ invoice }: { invoice: Invoice }) {
  if (invoice.lines.length === 0) return <p className="muted">{t.lines.empty}</p>;
  return (
    <div className="cashier-scroll" role="region" aria-label={t.lines.caption} tabIndex={0}>
      <table className="table">
        <caption className="cashier-caption">{t.lines.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.lines.description}</th>
            <th scope="col" className="num">
              {t.lines.quantity}
            </th>
            <th scope="col" className="num">
              {t.lines.price}
            </th>
            <th scope="col" className="num">
              {t.lines.discount}
            </th>
            <th scope="col" className="num">
              {t.lines.amount}
            </th>
          </tr>
        </thead>
        <tbody>
          {invoice.lines.map((line, index) => (
            <tr key={`${line.kind}-${index}`}>
              <td>
                {line.description}
                <div className="muted cashier-table__sub">{t.lines.kinds[line.kind] ?? line.kind}</div>
              </td>
              <td className="num">{formatLineQuantity(line.kind, line.quantity, t.lines.normHours)}</td>
              <td className="num">{formatMoney(line.unitPrice)}</td>
              <td className="num">{formatMoney(line.discount)}</td>
              <td className="num">{formatMoney(line.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Journal({ invoice, methods }: { invoice: Invoice; methods: Method[] }) {
  if (invoice.payments.length === 0) return <p className="muted">{t.journal.empty}</p>;
  return (
    <div className="cashier-scroll" role="region" aria-label={t.journal.caption} tabIndex={0}>
      <table className="table">
        <caption className="cashier-caption">{t.journal.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.journal.at}</th>
            <th scope="col">{t.journal.kind}</th>
            <th scope="col">{t.journal.method}</th>
            <th scope="col" className="num">
              {t.journal.amount}
            </th>
            <th scope="col">{t.journal.note}</th>
            <th scope="col">{printText.group}</th>
          </tr>
        </thead>
        <tbody>
          {invoice.payments.map((entry) => (
            <tr key={entry.id}>
              <td>{formatDateTime(entry.at)}</td>
              <td>{t.journal.kinds[entry.kind] ?? entry.kind}</td>
              <td>{methodName(entry.method, methods)}</td>
              <td className="num">
                {entry.kind === 'refund' ? '− ' : ''}
                {formatMoney(entry.amount)}
              </td>
              <td>{entry.reason ?? entry.reference ?? ''}</td>
              <td>
                {entry.kind === 'payment' && (
                  <PrintButton
                    url={documentPath('receipt', invoice.id, entry.id)}
                    label={printText.receipt}
                    hint={`${formatDateTime(entry.at)}, ${formatMoney(entry.amount)} ${printText.opensInNewTab}`}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface CommandContext {
  invoice: Invoice;
  version: number;
  refreshing: boolean;
  onAccepted: (accepted: Accepted) => void;
  /** A success to announce, or null to clear the last one. */
  onNotice: (message: string | null) => void;
}

/** Runs one invoice command: refreshes the cashier's reads after it, and on a conflict too. */
function useInvoiceCommand<V>(context: CommandContext, run: (variables: V, ifMatch: number) => Promise<Accepted>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => run(variables, context.version),
    onSuccess: (accepted) => {
      context.onAccepted(accepted);
      void client.invalidateQueries({ queryKey: cashierKeys.all });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.isConflict) void client.invalidateQueries({ queryKey: cashierKeys.all });
    },
  });
}

function PaymentForm({ context, methods }: { context: CommandContext; methods: Method[] }) {
  const { invoice } = context;
  const ids = useId();
  // null: the amount follows the balance due; a string: what the cashier typed.
  const [amount, setAmount] = useState<string | null>(null);
  const [method, setMethod] = useState('');
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const pay = useInvoiceCommand(
    context,
    (body: { amount_kopecks: number; method: string; reference: string | null }, ifMatch) =>
      send('invoice', invoice.id, 'record_payment', { payment_id: newId(), ...body }, { ifMatch }),
  );

  const shown = amount ?? moneyToInput(invoice.balanceDue);
  const chosen = methods.some((m) => m.code === method) ? method : (methods[0]?.code ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    context.onNotice(null);
    const read = readAmount(shown, { invalid: t.invalidAmount, zero: t.zeroAmount });
    if ('error' in read) return setProblem({ message: read.error, field: 'amount' });
    if (!chosen) return setProblem({ message: t.methodRequired, field: 'method' });
    setProblem(null);
    pay.mutate(
      { amount_kopecks: read.kopecks, method: chosen, reference: reference.trim() || null },
      {
        onSuccess: () => {
          setAmount(null);
          setReference('');
          context.onNotice(t.pay.done);
        },
        onError: (error) => setProblem(problemOf(error)),
      },
    );
  };

  return (
    <CommandForm
      title={t.pay.title}
      onSubmit={submit}
      problem={problem}
      fields={[
        <Field key="amount" id={`${ids}-amount`} label={t.pay.amount} hint={t.pay.amountHint} problem={problem} field="amount">
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              autoComplete="off"
              value={shown}
              onChange={(e) => setAmount(e.target.value)}
            />
          )}
        </Field>,
        <MethodField key="method" id={`${ids}-method`} label={t.pay.method} methods={methods} value={chosen} onChange={setMethod} problem={problem} />,
        <Field key="reference" id={`${ids}-reference`} label={t.pay.reference} problem={problem} field="reference">
          {(props) => (
            <input {...props} autoComplete="off" value={reference} onChange={(e) => setReference(e.target.value)} />
          )}
        </Field>,
      ]}
      submit={
        <button
          type="submit"
          className="button button--primary"
          disabled={pay.isPending || context.refreshing || methods.length === 0}
        >
          {pay.isPending ? t.pay.sending : t.pay.submit}
        </button>
      }
    />
  );
}

function RefundForm({ context, methods }: { context: CommandContext; methods: Method[] }) {
  const { invoice } = context;
  const ids = useId();
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const refund = useInvoiceCommand(
    context,
    (body: { amount_kopecks: number; method: string; reason: string }, ifMatch) =>
      send('invoice', invoice.id, 'record_refund', { refund_id: newId(), ...body }, { ifMatch }),
  );
  const chosen = methods.some((m) => m.code === method) ? method : (methods[0]?.code ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    context.onNotice(null);
    const read = readAmount(amount, { invalid: t.invalidAmount, zero: t.zeroAmount });
    if ('error' in read) return setProblem({ message: read.error, field: 'amount' });
    if (!chosen) return setProblem({ message: t.methodRequired, field: 'method' });
    if (!reason.trim()) return setProblem({ message: t.reasonRequired, field: 'reason' });
    setProblem(null);
    refund.mutate(
      { amount_kopecks: read.kopecks, method: chosen, reason: reason.trim() },
      {
        onSuccess: () => {
          setAmount('');
          setReason('');
          context.onNotice(t.refund.done);
        },
        onError: (error) => setProblem(problemOf(error)),
      },
    );
  };

  return (
    <CommandForm
      title={t.refund.title}
      onSubmit={submit}
      problem={problem}
      fields={[
        <Field key="amount" id={`${ids}-amount`} label={t.refund.amount} problem={problem} field="amount">
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          )}
        </Field>,
        <MethodField key="method" id={`${ids}-method`} label={t.refund.method} methods={methods} value={chosen} onChange={setMethod} problem={problem} />,
        <Field key="reason" id={`${ids}-reason`} label={t.refund.reason} problem={problem} field="reason" wide>
          {(props) => <input {...props} autoComplete="off" value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>,
      ]}
      submit={
        <button
          type="submit"
          className="button"
          disabled={refund.isPending || context.refreshing || methods.length === 0}
        >
          {refund.isPending ? t.refund.sending : t.refund.submit}
        </button>
      }
    />
  );
}

function VoidForm({ context }: { context: CommandContext }) {
  const { invoice } = context;
  const ids = useId();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const voiding = useInvoiceCommand(context, (body: { reason: string }, ifMatch) =>
    send('invoice', invoice.id, 'void', body, { ifMatch }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setProblem({ message: t.reasonRequired, field: 'reason' });
    setProblem(null);
    context.onNotice(null);
    voiding.mutate({ reason: reason.trim() }, { onError: (error) => setProblem(problemOf(error)) });
  };

  return (
    <CommandForm
      title={t.void.title}
      hint={t.void.hint}
      onSubmit={submit}
      problem={problem}
      fields={[
        <Field key="reason" id={`${ids}-reason`} label={t.void.reason} problem={problem} field="reason" wide>
          {(props) => <input {...props} autoComplete="off" value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>,
      ]}
      submit={
        <button type="submit" className="button button--danger" disabled={voiding.isPending || context.refreshing}>
          {voiding.isPending ? t.void.sending : t.void.submit}
        </button>
      }
    />
  );
}

function CommandForm({
  title,
  hint,
  onSubmit,
  problem,
  fields,
  submit,
}: {
  title: string;
  hint?: string;
  onSubmit: (event: FormEvent) => void;
  problem: Problem | null;
  fields: ReactNode[];
  submit: ReactNode;
}) {
  const titleId = useId();
  return (
    <form className="cashier-form" aria-labelledby={titleId} onSubmit={onSubmit} noValidate>
      <h3 id={titleId}>{title}</h3>
      {hint && <p className="muted cashier-form__hint">{hint}</p>}
      <div className="row">
        {fields}
        {submit}
      </div>
      {problem && problem.field === null && (
        <p className="error" role="alert">
          {problem.message}
        </p>
      )}
    </form>
  );
}

interface InputProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

function Field({
  id,
  label,
  hint,
  problem,
  field,
  wide,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  problem: Problem | null;
  field: string;
  wide?: boolean;
  children: (props: InputProps) => ReactNode;
}) {
  const invalid = problem?.field === field;
  const described = [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field${invalid ? ' field--invalid' : ''}${wide ? ' cashier-form__wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': invalid || undefined, 'aria-describedby': described || undefined })}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {invalid && (
        <span id={`${id}-error`} className="field__error" role="alert">
          {problem.message}
        </span>
      )}
    </div>
  );
}

function MethodField({
  id,
  label,
  methods,
  value,
  onChange,
  problem,
}: {
  id: string;
  label: string;
  methods: Method[];
  value: string;
  onChange: (code: string) => void;
  problem: Problem | null;
}) {
  return (
    <Field id={id} label={label} problem={problem} field="method" hint={methods.length === 0 ? t.noMethods : undefined}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)} disabled={methods.length === 0}>
          {methods.map((m) => (
            <option key={m.code} value={m.code}>
              {m.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
