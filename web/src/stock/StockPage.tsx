/**
 * Остатки: each part's stock at the main store — on hand, reserved for work orders, on order from
 * suppliers, available — filtered by a search and «below minimum» / «backorders» (kept in the
 * address), and the list of what to order. Every figure is the server's.
 *
 * «Вернуть поставщику» (for whoever takes the suppliers' deliveries, `purchase_order.receive`)
 * sends defective or surplus parts back: `return_to_supplier` on the part's stock, naming the
 * supplier and, if the storekeeper knows it, the purchase order. The server takes only what is
 * free (a part reserved for a work order stays) and says so when refusing.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { send } from '../api/commands.ts';
import { can, useMe } from '../auth/me.ts';
import { decimalToThousandths, formatQuantity, formatThousandths, parseQuantity, unitLabel } from './logic.ts';
import { refreshStock, usePartsToOrder, usePurchaseOrders, useStockLevels, useSuppliers } from './queries.ts';
import { text } from './text.ts';
import { Done, Field, FormEnd, StockNav, useCommand } from './ui.tsx';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.stock;

/** The stock row a return is made from. */
interface Returning {
  stockId: string;
  number: string;
  unit: string;
  available: string;
}

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
  const mayReturn = can(me, 'purchase_order.receive');
  const [returning, setReturning] = useState<Returning | null>(null);
  const [returned, setReturned] = useState<string | null>(null);

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
      <ListSection id="stock-levels-title" title={t.caption} hideTitle>
        <Listing read={levels} count={nodes.length} empty={t.empty}>
          <DataTable
            className="table stock-table"
            scroll="stock-scroll"
            caption={t.caption}
            columns={[
              { title: t.number },
              { title: t.name },
              { title: t.onHand, num: true },
              { title: t.reserved, num: true },
              { title: t.onOrder, num: true },
              { title: t.available, num: true },
              { title: t.min, num: true },
              mayReturn && { title: t.actions, hidden: true },
            ]}
          >
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
                {mayReturn && (
                  <td>
                    <button
                      type="button"
                      className="button button--ghost"
                      aria-label={t.toSupplier.open(row.number)}
                      onClick={() => {
                        setReturned(null);
                        setReturning({
                          stockId: `${row.partId}:${row.location}`,
                          number: row.number,
                          unit: row.unit,
                          available: row.available,
                        });
                      }}
                    >
                      {t.toSupplier.openShort}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        </Listing>
        {levels.data?.stockLevels.hasNextPage && <p className="muted">{t.more}</p>}
        <Done message={returned} />
      </ListSection>
      {returning && (
        <ReturnToSupplier
          // A new form for each part: nothing typed for one carries over to another.
          key={returning.stockId}
          stock={returning}
          onDone={(message) => {
            setReturning(null);
            setReturned(message);
          }}
          onCancel={() => setReturning(null)}
        />
      )}
      <ToOrder />
    </div>
  );
}

function ToOrder() {
  const list = usePartsToOrder();
  const nodes = list.data?.partsToOrder.nodes ?? [];
  return (
    <ListSection id="stock-to-order" title={t.toOrder}>
      <Listing read={list} count={nodes.length} empty={t.toOrderEmpty}>
        <DataTable
          className="table stock-table"
          caption={t.toOrderCaption}
          columns={[
            { title: t.number },
            { title: t.name },
            { title: t.available, num: true },
            { title: t.onOrder, num: true },
            { title: t.toOrderQty, num: true },
          ]}
        >
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
        </DataTable>
      </Listing>
    </ListSection>
  );
}

/** The purchase orders goods can have come on: sent and (partly) received, or closed. */
const RECEIVED_STATUSES = new Set(['sent', 'partially_received', 'received', 'closed']);

function ReturnToSupplier({
  stock,
  onDone,
  onCancel,
}: {
  stock: Returning;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const f = t.toSupplier;
  const client = useQueryClient();
  const command = useCommand();
  const suppliers = useSuppliers();
  const orders = usePurchaseOrders(false);
  const [supplier, setSupplier] = useState('');
  const [order, setOrder] = useState('');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Only the chosen supplier's orders that brought goods are offered.
  const supplierOrders = (orders.data?.purchaseOrders.nodes ?? []).filter(
    (o) => supplier !== '' && o.supplierId === supplier && RECEIVED_STATUSES.has(o.status),
  );
  const titleId = `to-supplier-${stock.stockId}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = parseQuantity(quantity);
    const found: Record<string, string> = {};
    if (!supplier) found.supplier = f.supplierRequired;
    if (value === null) found.quantity = f.invalid;
    if (!reason.trim()) found.reason = f.reasonRequired;
    setErrors(found);
    if (value === null || Object.keys(found).length > 0) return;
    const ok = await command.run(() =>
      send('stock', stock.stockId, 'return_to_supplier', {
        supplier_id: supplier,
        purchase_order_id: order || null,
        quantity_thousandths: value,
        reason: reason.trim(),
      }),
    );
    if (ok) {
      refreshStock(client);
      onDone(f.done(stock.number, `${formatThousandths(value)} ${unitLabel(stock.unit)}`));
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby={titleId} noValidate>
      <h2 id={titleId}>{f.title(stock.number)}</h2>
      <p className="muted">{f.free(formatQuantity(stock.available, stock.unit))}</p>
      <Field label={f.supplier} error={errors.supplier}>
        {(p) => (
          <select
            {...p}
            value={supplier}
            onChange={(e) => {
              setSupplier(e.target.value);
              setOrder('');
            }}
          >
            <option value="">{f.chooseSupplier}</option>
            {(suppliers.data?.suppliers ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.legalName}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={f.order} hint={f.orderHint}>
        {(p) => (
          <select {...p} value={order} onChange={(e) => setOrder(e.target.value)} disabled={!supplier}>
            <option value="">{f.noOrder}</option>
            {supplierOrders.map((o) => (
              <option key={o.id} value={o.id}>
                {o.number}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={f.quantity(unitLabel(stock.unit))} error={errors.quantity}>
        {(p) => (
          <input {...p} inputMode="decimal" autoComplete="off" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        )}
      </Field>
      <Field label={f.reason} hint={f.reasonHint} error={errors.reason}>
        {(p) => <input {...p} autoComplete="off" value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <FormEnd error={command.error} actions="row">
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {command.busy ? text.saving : f.submit}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {f.cancel}
        </button>
      </FormEnd>
    </form>
  );
}
