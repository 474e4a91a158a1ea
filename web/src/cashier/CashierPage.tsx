/**
 * Касса: completed orders waiting for an invoice, the invoices with something due, and the chosen
 * invoice (`?invoice=<id>`) with its frozen lines, the server's totals and balance, its payments
 * journal and the cashier's commands. Actions the role does not hold are not shown.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { send, newId } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { can, useMe } from '../auth/me.ts';
import { formatDate, formatDateTime } from '../format/dates.ts';
import { formatMoney } from '../format/money.ts';
import { InvoicePanel } from './InvoicePanel.tsx';
import { LoadError } from '../app/LoadError.tsx';
import { needsInvoice } from './logic.ts';
import { cashierKeys, useDueInvoices, useOrdersToInvoice } from './queries.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { text } from './text.ts';

const t = text.cashier;
const DUE_PAGE = 100;

export function CashierPage() {
  const me = useMe().data?.me;
  const [params, setParams] = useSearchParams();
  const selected = params.get('invoice');
  const [focusPanel, setFocusPanel] = useState(false);

  const select = (id: string | null, focus: boolean) => {
    setFocusPanel(focus);
    setParams(id ? { invoice: id } : {});
  };

  return (
    <div className="cashier">
      <div className="cashier__lists stack">
        <div className="cashier__head">
          <h1>{t.title}</h1>
          <Link to="/cashier/debtors" className="button button--ghost cashier__debtors-link">
            {t.debtorsLink}
          </Link>
        </div>
        {can(me, 'invoice.issue') && <OrdersToInvoice onIssued={(id) => select(id, true)} />}
        <DueInvoices selected={selected} onSelect={(id) => setFocusPanel(Boolean(id))} />
      </div>
      <div className="cashier__panel">
        {selected ? (
          <InvoicePanel key={selected} id={selected} me={me} focusOnLoad={focusPanel} onClose={() => select(null, false)} />
        ) : (
          <p className="card muted">{t.panel.none}</p>
        )}
      </div>
    </div>
  );
}

function OrdersToInvoice({ onIssued }: { onIssued: (invoiceId: string) => void }) {
  const orders = useOrdersToInvoice(true);
  const client = useQueryClient();
  const [problem, setProblem] = useState<{ orderId: string; message: string } | null>(null);
  const [issued, setIssued] = useState<string | null>(null);
  const issue = useMutation({
    mutationFn: async ({ orderId }: { orderId: string; number: string }) => {
      const invoiceId = newId();
      await send('invoice', invoiceId, 'issue', { work_order_id: orderId });
      return invoiceId;
    },
    onMutate: () => {
      setProblem(null);
      setIssued(null);
    },
    onSuccess: (invoiceId, { number }) => {
      setIssued(t.toInvoice.issued(number));
      void client.invalidateQueries({ queryKey: cashierKeys.all });
      onIssued(invoiceId);
    },
    onError: (error, { orderId }) => {
      setProblem({ orderId, message: error instanceof ApiError ? error.messageRu : String(error) });
      void client.invalidateQueries({ queryKey: cashierKeys.orders });
    },
  });

  const waiting = (orders.data?.workOrders.nodes ?? []).filter(needsInvoice);
  return (
    <section className="card stack" aria-labelledby="cashier-to-invoice">
      <h2 id="cashier-to-invoice">{t.toInvoice.title}</h2>
      {issued && (
        <p className="success" role="status">
          {issued}
        </p>
      )}
      {orders.isPending ? (
        <p className="muted" role="status">
          {t.loading}
        </p>
      ) : orders.isError ? (
        <LoadError error={orders.error} retry={() => void orders.refetch()} />
      ) : waiting.length === 0 ? (
        <p className="muted">{t.toInvoice.empty}</p>
      ) : (
        <table className="table cashier-table">
          <caption className="visually-hidden">{t.toInvoice.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.toInvoice.order}</th>
              <th scope="col" className="num">
                {t.toInvoice.total}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t.toInvoice.action}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {waiting.map((order) => {
              const busy = issue.isPending && issue.variables?.orderId === order.id;
              return (
                <tr key={order.id}>
                  <td>
                    <Link to={`/orders/${order.id}`}>{order.number}</Link>
                    <div>{order.client?.displayName ?? t.noClient}</div>
                    <div className="muted cashier-table__sub">
                      {t.toInvoice.completed} {formatDateTime(order.completedAt)}
                    </div>
                    {problem?.orderId === order.id && (
                      <p className="error" role="alert">
                        {problem.message}
                      </p>
                    )}
                  </td>
                  <td className="num">{formatMoney(order.total)}</td>
                  <td className="cashier-table__action">
                    <button
                      type="button"
                      className="button button--primary"
                      aria-label={t.toInvoice.issueFor(order.number)}
                      disabled={issue.isPending}
                      onClick={() => issue.mutate({ orderId: order.id, number: order.number })}
                    >
                      {busy ? t.toInvoice.issuing : t.toInvoice.issue}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {orders.data?.workOrders.hasNextPage && <p className="muted">{t.toInvoice.more}</p>}
    </section>
  );
}

function DueInvoices({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const due = useDueInvoices(DUE_PAGE);
  const nodes = due.data?.invoices.nodes ?? [];
  return (
    <section className="card stack" aria-labelledby="cashier-due">
      <h2 id="cashier-due">{t.due.title}</h2>
      {due.isPending ? (
        <p className="muted" role="status">
          {t.loading}
        </p>
      ) : due.isError ? (
        <LoadError error={due.error} retry={() => void due.refetch()} />
      ) : nodes.length === 0 ? (
        <p className="muted">{t.due.empty}</p>
      ) : (
        <table className="table cashier-table">
          <caption className="visually-hidden">{t.due.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.due.number}</th>
              <th scope="col">{t.due.client}</th>
              <th scope="col" className="num">
                {t.due.balance}
              </th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((invoice) => {
              const current = invoice.id === selected;
              return (
                <tr key={invoice.id} className={current ? 'cashier-table__current' : undefined}>
                  <td>
                    <Link
                      to={`/cashier?invoice=${encodeURIComponent(invoice.id)}`}
                      aria-current={current ? 'true' : undefined}
                      aria-label={t.due.open(invoice.number)}
                      onClick={() => onSelect(invoice.id)}
                    >
                      {invoice.number}
                    </Link>
                    <div className="muted cashier-table__sub">
                      {t.due.issued} {formatDate(invoice.issuedAt)} · {invoice.workOrderNumber}
                    </div>
                  </td>
                  <td>{invoice.client?.displayName ?? t.noClient}</td>
                  <td className="num">
                    {formatMoney(invoice.balanceDue)}
                    <div>
                      <StatusBadge status={invoice.status} />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {due.data?.invoices.hasNextPage && <p className="muted">{t.due.more}</p>}
    </section>
  );
}
