/**
 * Утечки маржи: the parts lines of a month where the store and the bill part ways — issued but not
 * billed, billed but not issued, sold below cost — newest first, filtered by kind (month and kinds
 * kept in the address), page by page, under the month's totals (bought, issued cost, billed,
 * margin, lines of each kind). The totals come with the first page in one request; «Показать ещё»
 * asks for leaks only. Every quantity, amount, total and flag is the server's: the screen only
 * writes them out. Only for roles with `stock.read_costs` (the menu and the route say so).
 */
import { Link, useSearchParams } from 'react-router';
import type { MarginLeak } from '../api/generated/graphql/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import { formatMoney } from '../format/money.ts';
import {
  formatCount,
  formatQuantity,
  isNegativeAmount,
  leaksOf,
  MARGIN_LEAKS,
  monthOf,
  monthRange,
  parseLeakKinds,
} from './logic.ts';
import { useMarginReport, type MarginTotals } from './queries.ts';
import { text } from './text.ts';
import { StockNav } from './ui.tsx';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.margin;

export function MarginPage() {
  const me = useMe().data?.me;
  const [params, setParams] = useSearchParams();
  const month = params.get('month') ?? monthOf(new Date());
  const kinds = parseLeakKinds(params.get('kinds'));
  const update = (change: { month?: string; kinds?: MarginLeak[] }) => {
    const next = { month, kinds, ...change };
    // A cleared month stays cleared (and says so) rather than jumping back to this one under the
    // user's fingers while the browser's month field is half typed.
    const written: Record<string, string> = { month: next.month };
    if (next.kinds.length > 0) written.kinds = next.kinds.join(',');
    setParams(written, { replace: true });
  };
  const toggle = (kind: MarginLeak, on: boolean) =>
    update({ kinds: MARGIN_LEAKS.filter((k) => (k === kind ? on : kinds.includes(k))) });
  const period = monthRange(month);

  return (
    <div className="stack">
      <StockNav me={me} />
      <h1>{t.title}</h1>
      <p className="muted">{t.intro}</p>
      <div className="row stock-filters" role="search">
        <div className={`field${period ? '' : ' field--invalid'}`}>
          <label htmlFor="margin-month">
            <span>{t.month}</span>
          </label>
          <input
            id="margin-month"
            type="month"
            value={month}
            aria-invalid={period ? undefined : true}
            aria-describedby={period ? undefined : 'margin-month-error'}
            onChange={(e) => update({ month: e.target.value })}
          />
          {!period && (
            <span className="field__error" id="margin-month-error">
              {t.monthInvalid}
            </span>
          )}
        </div>
        <fieldset className="margin-kinds" aria-describedby="margin-kinds-hint">
          <legend>{t.kinds}</legend>
          {MARGIN_LEAKS.map((kind) => (
            <label key={kind} className="stock-check">
              <input type="checkbox" checked={kinds.includes(kind)} onChange={(e) => toggle(kind, e.target.checked)} />
              {t.leaks[kind]}
            </label>
          ))}
          <span id="margin-kinds-hint" className="muted stock-hint">
            {t.kindsHint}
          </span>
        </fieldset>
      </div>
      {period && <Leaks period={period} kinds={kinds} withOrders={can(me, 'work_order.read_all')} withMovements={can(me, 'stock.read')} />}
    </div>
  );
}

function Leaks({
  period,
  kinds,
  withOrders,
  withMovements,
}: {
  period: { from: string; to: string };
  kinds: MarginLeak[];
  withOrders: boolean;
  withMovements: boolean;
}) {
  const leaks = useMarginReport(period, kinds);
  const nodes = leaks.data?.pages.flatMap((page) => page.marginLeaks.nodes) ?? [];
  const totals = leaks.data?.pages[0]?.marginSummary;
  return (
    <>
      {totals && <Totals totals={totals} />}
      <ListSection id="margin-title" title={t.caption} hideTitle>
        <Listing read={leaks} count={nodes.length} empty={t.empty} pages={{ read: leaks, more: t.more }}>
          <DataTable
            className="table stock-table"
            scroll="stock-scroll"
            caption={t.caption}
            columns={[
              { title: t.at },
              { title: t.order },
              { title: t.number },
              { title: t.name },
              { title: t.ordered, num: true },
              { title: t.billed, num: true },
              { title: t.issued, num: true },
              { title: t.billedAmount, num: true },
              { title: t.issuedCost, num: true },
              { title: t.leak },
            ]}
          >
            {nodes.map((line) => (
              <tr key={line.lineId}>
                <td>{formatDate(line.at)}</td>
                <th scope="row">
                  {withOrders && line.workOrderNumber ? (
                    <Link to={`/orders/${line.workOrderId}`}>{line.workOrderNumber}</Link>
                  ) : (
                    (line.workOrderNumber ?? '—')
                  )}
                </th>
                <td>
                  {withMovements && line.partId && line.partNumber ? (
                    <Link to={`/stock/movements/${line.partId}`} aria-label={t.movements(line.partNumber)}>
                      {line.partNumber}
                    </Link>
                  ) : (
                    (line.partNumber ?? '—')
                  )}
                </td>
                <td>{line.name ?? '—'}</td>
                <td className="num">{formatQuantity(line.orderedQuantity, '')}</td>
                <td className="num">{formatQuantity(line.billedQuantity, '')}</td>
                <td className="num">{formatQuantity(line.issuedQuantity, '')}</td>
                <td className="num">{formatMoney(line.billedAmount)}</td>
                <td className="num">{formatMoney(line.issuedCost)}</td>
                <td>
                  <ul className="margin-leaks">
                    {leaksOf(line).map((kind) => (
                      <li key={kind}>
                        <span className={`badge ${kind === 'BELOW_COST' ? 'badge--danger' : 'badge--warning'}`}>
                          {t.leaks[kind]}
                        </span>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </DataTable>
        </Listing>
      </ListSection>
    </>
  );
}

/** The period's totals as the server summed them: the amounts on one line, the lines' counts on the next. */
function Totals({ totals }: { totals: MarginTotals }) {
  const amounts: [string, string][] = [
    [t.bought, totals.bought],
    [t.issuedCost, totals.issuedCost],
    [t.billedTotal, totals.billedAmount],
  ];
  const counts: [string, number][] = [
    [t.lines, totals.lines],
    [t.leaks.ISSUED_NOT_BILLED, totals.issuedNotBilled],
    [t.leaks.BILLED_NOT_ISSUED, totals.billedNotIssued],
    [t.leaks.BELOW_COST, totals.belowCost],
  ];
  return (
    <section className="card stack" aria-labelledby="margin-totals-title" aria-describedby="margin-totals-hint">
      <h2 id="margin-totals-title">{t.totals}</h2>
      <dl className="margin-totals">
        {amounts.map(([term, amount]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{formatMoney(amount)}</dd>
          </div>
        ))}
        <div>
          <dt>{t.marginTotal}</dt>
          <dd className={isNegativeAmount(totals.margin) ? 'margin-totals__loss' : undefined}>{formatMoney(totals.margin)}</dd>
        </div>
      </dl>
      <dl className="margin-totals">
        {counts.map(([term, count]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{formatCount(count)}</dd>
          </div>
        ))}
      </dl>
      <p id="margin-totals-hint" className="muted stock-hint">
        {t.totalsHint}
      </p>
    </section>
  );
}
