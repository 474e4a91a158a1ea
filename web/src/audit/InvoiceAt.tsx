/**
 * An invoice as it was: status, payer, the lines frozen at issue and its money then (paid,
 * refunded, the balance), every amount as the domain computed it; nothing is added up here.
 */
import { Link } from 'react-router';
import type { AuditInvoiceAtQuery } from '../api/generated/graphql/graphql.ts';
import { StatusBadge } from '../cashier/StatusBadge.tsx';
import { formatMoney } from '../format/money.ts';
import { LinesTable } from './LinesTable.tsx';
import { Loaded } from './Loaded.tsx';
import { useInvoiceAt } from './queries.ts';
import { text } from './text.ts';

type Invoice = NonNullable<AuditInvoiceAtQuery['invoiceAt']>;

export function InvoiceAt({ id, version }: { id: string; version: number }) {
  const at = useInvoiceAt(id, version);
  return (
    <Loaded query={at} pick={(data) => data.invoiceAt}>
      {(invoice, refreshing) => <InvoiceState invoice={invoice} refreshing={refreshing} />}
    </Loaded>
  );
}

function InvoiceState({ invoice, refreshing }: { invoice: Invoice; refreshing: boolean }) {
  const s = text.invoice;
  return (
    <section className="card stack" aria-labelledby="audit-state" aria-busy={refreshing}>
      <h2 id="audit-state">{s.title(invoice.number)}</h2>
      <dl className="audit-facts">
        <dt>{s.status}</dt>
        <dd data-testid="audit-invoice-status">
          <StatusBadge status={invoice.status} />
        </dd>
        <dt>{s.order}</dt>
        <dd>
          <Link to={`/audit/work_order/${invoice.workOrderId}`}>{s.orderLink(invoice.workOrderNumber)}</Link>
        </dd>
        <dt>{s.payer}</dt>
        <dd>{payer(invoice.payer)}</dd>
      </dl>
      <Lines invoice={invoice} />
      <h3 id="audit-money">{s.money}</h3>
      <dl className="audit-totals" aria-labelledby="audit-money">
        <div>
          <dt>{s.total}</dt>
          <dd>{formatMoney(invoice.total)}</dd>
          {invoice.total !== invoice.orderTotals.total && <small className="muted">{s.ofOrder(formatMoney(invoice.orderTotals.total))}</small>}
        </div>
        <div>
          <dt>{s.vat}</dt>
          <dd>{formatMoney(invoice.vat)}</dd>
        </div>
        <div>
          <dt>{s.paid}</dt>
          <dd data-testid="audit-paid">{formatMoney(invoice.paid)}</dd>
        </div>
        <div>
          <dt>{s.refunded}</dt>
          <dd>{formatMoney(invoice.refunded)}</dd>
        </div>
        <div>
          <dt>{s.netPaid}</dt>
          <dd>{formatMoney(invoice.netPaid)}</dd>
        </div>
        <div>
          <dt>{s.balance}</dt>
          <dd data-testid="audit-balance">{formatMoney(invoice.balance)}</dd>
        </div>
      </dl>
    </section>
  );
}

function payer(p: Invoice['payer']): string {
  const s = text.invoice;
  if (p.kind === 'client' || !p.legalName) return s.orderClient;
  const named = s.payerName(p.legalName, p.inn ?? null);
  return p.policyNumber ? `${named}, ${s.policy(p.policyNumber)}` : named;
}

function Lines({ invoice }: { invoice: Invoice }) {
  return (
    <LinesTable
      caption={text.invoice.linesCaption}
      lines={invoice.lines}
      what={(line) => line.description}
      discount={(line) => formatMoney(line.discount)}
    />
  );
}
