/**
 * Должники: clients who owe the shop, largest debt first, as the server sums it. Each row opens the
 * client's oldest unpaid invoice at the cash desk (`/cashier?invoice=<id>`) for those who may take
 * payments; others see the list without the way in.
 */
import { Link } from 'react-router';
import { can, useMe } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import { formatMoney } from '../format/money.ts';
import { LoadError } from '../app/LoadError.tsx';
import { oldestDueByClient } from './logic.ts';
import { useDebtors, useDueInvoices } from './queries.ts';
import { text } from './text.ts';

const t = text.debtors;
/** The largest page the query API gives: enough to find each debtor's oldest invoice. */
const DUE_PAGE = 200;

export function DebtorsPage() {
  const me = useMe().data?.me;
  // The same permissions that open the cash desk (screens.tsx).
  const opensCashier = can(me, 'invoice.record_payment') || can(me, 'invoice.issue');
  const debtors = useDebtors();
  const due = useDueInvoices(DUE_PAGE);
  const oldest = oldestDueByClient(due.data?.invoices.nodes ?? []);
  const rows = debtors.data?.debtors ?? [];

  return (
    <div className="stack debtors">
      <div className="cashier__head">
        <h1>{t.title}</h1>
        {opensCashier && (
          <Link to="/cashier" className="button button--ghost cashier__debtors-link">
            {t.toCashier}
          </Link>
        )}
      </div>
      <section className="card">
        {debtors.isPending ? (
          <p className="muted" role="status">
            {text.cashier.loading}
          </p>
        ) : debtors.isError ? (
          <LoadError error={debtors.error} retry={() => void debtors.refetch()} />
        ) : rows.length === 0 ? (
          <p className="muted">{t.empty}</p>
        ) : (
          <div className="cashier-scroll" role="region" aria-label={t.caption} tabIndex={0}>
            <table className="table">
              <caption className="cashier-caption">{t.caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.client}</th>
                  <th scope="col" className="num">
                    {t.invoices}
                  </th>
                  <th scope="col" className="num">
                    {t.owed}
                  </th>
                  <th scope="col">{t.oldest}</th>
                  {opensCashier && <th scope="col">{t.action}</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((debtor) => {
                  const invoice = oldest.get(debtor.clientId);
                  return (
                    <tr key={debtor.clientId}>
                      <td>{debtor.client?.displayName ?? t.unknownClient}</td>
                      <td className="num">{debtor.invoices}</td>
                      <td className="num">{formatMoney(debtor.balanceDue)}</td>
                      <td>{formatDate(debtor.oldestIssuedAt)}</td>
                      {opensCashier && (
                        <td>
                          {invoice ? (
                            <Link
                              to={`/cashier?invoice=${encodeURIComponent(invoice.id)}`}
                              aria-label={t.open(invoice.number)}
                              className="debtors__link"
                            >
                              {invoice.number}
                            </Link>
                          ) : (
                            <span className="muted">{due.isPending ? text.cashier.loading : t.noInvoice}</span>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
