/**
 * Остатки: each part's stock at the main store — on hand, reserved for work orders, on order from
 * suppliers, available — filtered by a search and «below minimum» / «backorders» (kept in the
 * address), and the list of what to order. Every figure is the server's.
 */
import { useSearchParams } from 'react-router';
import { useMe } from '../auth/me.ts';
import { decimalToThousandths, formatQuantity } from './logic.ts';
import { usePartsToOrder, useStockLevels } from './queries.ts';
import { text } from './text.ts';
import { LoadError, StockNav } from './ui.tsx';

const t = text.stock;

export function StockPage() {
  const me = useMe().data?.me;
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const belowMin = params.get('below') === '1';
  const withBackorders = params.get('backorders') === '1';
  const update = (change: { q?: string; below?: boolean; backorders?: boolean }) => {
    const next = { q: search, below: belowMin, backorders: withBackorders, ...change };
    const written: Record<string, string> = {};
    if (next.q) written.q = next.q;
    if (next.below) written.below = '1';
    if (next.backorders) written.backorders = '1';
    setParams(written, { replace: true });
  };
  const levels = useStockLevels({ search: search.trim() || null, belowMin, withBackorders });
  const nodes = levels.data?.stockLevels.nodes ?? [];

  return (
    <div className="stack">
      <StockNav me={me} />
      <h1>{t.title}</h1>
      <div className="row stock-filters" role="search">
        <div className="field stock-filters__search">
          <label htmlFor="stock-search">
            <span>{t.search}</span>
          </label>
          <input id="stock-search" type="search" value={search} onChange={(e) => update({ q: e.target.value })} />
        </div>
        <label className="stock-check">
          <input type="checkbox" checked={belowMin} onChange={(e) => update({ below: e.target.checked })} />
          {t.belowMin}
        </label>
        <label className="stock-check">
          <input type="checkbox" checked={withBackorders} onChange={(e) => update({ backorders: e.target.checked })} />
          {t.backorders}
        </label>
      </div>
      <section className="card stack" aria-labelledby="stock-levels-title">
        <h2 id="stock-levels-title" className="visually-hidden">
          {t.caption}
        </h2>
        {levels.isPending ? (
          <p className="muted" role="status">
            {text.loading}
          </p>
        ) : levels.isError ? (
          <LoadError error={levels.error} retry={() => void levels.refetch()} />
        ) : nodes.length === 0 ? (
          <p className="muted">{t.empty}</p>
        ) : (
          <div className="stock-scroll">
            <table className="table stock-table">
              <caption className="visually-hidden">{t.caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.number}</th>
                  <th scope="col">{t.name}</th>
                  <th scope="col" className="num">
                    {t.onHand}
                  </th>
                  <th scope="col" className="num">
                    {t.reserved}
                  </th>
                  <th scope="col" className="num">
                    {t.onOrder}
                  </th>
                  <th scope="col" className="num">
                    {t.available}
                  </th>
                  <th scope="col" className="num">
                    {t.min}
                  </th>
                </tr>
              </thead>
              <tbody>
                {nodes.map((row) => (
                  <tr key={`${row.partId}:${row.location}`}>
                    <th scope="row">
                      {row.number}
                      <div className="muted stock-sub">{row.brand}</div>
                    </th>
                    <td>
                      {row.name}
                      <div>
                        {row.belowMin && <span className="badge badge--warning">{t.belowMinBadge}</span>}{' '}
                        {(decimalToThousandths(row.backordered) ?? 0) > 0 && (
                          <span className="badge badge--danger">{t.backorderBadge(formatQuantity(row.backordered, row.unit))}</span>
                        )}
                      </div>
                    </td>
                    <td className="num">{formatQuantity(row.onHand, row.unit)}</td>
                    <td className="num">{formatQuantity(row.reserved, row.unit)}</td>
                    <td className="num">{formatQuantity(row.onOrder, row.unit)}</td>
                    <td className="num">
                      <strong>{formatQuantity(row.available, row.unit)}</strong>
                    </td>
                    <td className="num">{row.reorderMin ? formatQuantity(row.reorderMin, row.unit) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {levels.data?.stockLevels.hasNextPage && <p className="muted">{t.more}</p>}
      </section>
      <ToOrder />
    </div>
  );
}

function ToOrder() {
  const list = usePartsToOrder();
  const nodes = list.data?.partsToOrder.nodes ?? [];
  return (
    <section className="card stack" aria-labelledby="stock-to-order">
      <h2 id="stock-to-order">{t.toOrder}</h2>
      {list.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : list.isError ? (
        <LoadError error={list.error} retry={() => void list.refetch()} />
      ) : nodes.length === 0 ? (
        <p className="muted">{t.toOrderEmpty}</p>
      ) : (
        <table className="table stock-table">
          <caption className="visually-hidden">{t.toOrderCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.number}</th>
              <th scope="col">{t.name}</th>
              <th scope="col" className="num">
                {t.available}
              </th>
              <th scope="col" className="num">
                {t.onOrder}
              </th>
              <th scope="col" className="num">
                {t.toOrderQty}
              </th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((row) => (
              <tr key={row.partId}>
                <th scope="row">
                  {row.number}
                  <div className="muted stock-sub">{row.brand}</div>
                </th>
                <td>{row.name}</td>
                <td className="num">{formatQuantity(row.available, row.unit)}</td>
                <td className="num">{formatQuantity(row.onOrder, row.unit)}</td>
                <td className="num">
                  <strong>{formatQuantity(row.toOrder, row.unit)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
