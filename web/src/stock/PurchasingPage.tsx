/**
 * Закупки: suppliers (and a new one), purchase orders newest first (and a new draft), and the
 * chosen order (`?order=<id>`) in a panel: its lines with what is still to come, lines added to
 * a draft, the draft sent, and receiving (приёмка) once it is sent. Totals and amounts are the
 * server's and shown only to roles that read costs.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { can, useMe, type Me } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import { formatMoney, parseRoublesToKopecks } from '../format/money.ts';
import { formatQuantity, parseQuantity } from './logic.ts';
import { PartPicker, type PickedPart } from './PartPicker.tsx';
import { refreshStock, usePurchaseOrder, usePurchaseOrders, useSuppliers } from './queries.ts';
import { Receiving } from './Receiving.tsx';
import { text } from './text.ts';
import { CommandError, Done, Field, FormEnd, StockNav, useCommand } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.purchasing;
const o = text.order;

export function PurchasingPage() {
  const me = useMe().data?.me;
  const [params, setParams] = useSearchParams();
  const selected = params.get('order');
  const select = (id: string | null) => setParams(id ? { order: id } : {});
  return (
    <div className="stack">
      <StockNav me={me} />
      <h1>{t.title}</h1>
      <div className="stock-columns">
        <div className="stack">
          <PurchaseOrders me={me} selected={selected} />
          {can(me, 'purchase_order.edit') && <DraftOrder onDrafted={select} />}
          {can(me, 'supplier.read') && <Suppliers me={me} />}
        </div>
        <div>
          {selected ? (
            <OrderPanel key={selected} id={selected} me={me} onClose={() => select(null)} />
          ) : null}
        </div>
      </div>
    </div>
  );
}

function StatusBadge({ status }: { status: string }) {
  const tone = status === 'draft' ? 'badge--warning' : status === 'cancelled' ? 'badge--danger' : 'badge--ok';
  return <span className={`badge ${tone}`}>{t.statuses[status] ?? status}</span>;
}

function PurchaseOrders({ me, selected }: { me: Me | undefined; selected: string | null }) {
  const withCosts = can(me, 'stock.read_costs');
  const orders = usePurchaseOrders(withCosts);
  const nodes = orders.data?.purchaseOrders.nodes ?? [];
  return (
    <ListSection id="po-list-title" title={t.orders}>
      <Listing read={orders} count={nodes.length} empty={t.noOrders}>
        <DataTable
          className="table stock-table"
          caption={t.ordersCaption}
          columns={[
            { title: t.number },
            { title: t.supplier },
            { title: t.status },
            withCosts && { title: t.total, num: true },
          ]}
        >
          {nodes.map((order) => (
            <tr key={order.id} className={order.id === selected ? 'stock-table__current' : undefined}>
              <td>
                <Link
                  to={`/stock/purchasing?order=${encodeURIComponent(order.id)}`}
                  aria-current={order.id === selected ? 'true' : undefined}
                  aria-label={t.open(order.number)}
                >
                  {order.number}
                </Link>
                <div className="muted stock-sub">
                  {t.drafted} {formatDate(order.draftedAt)}
                </div>
              </td>
              <td>{order.supplierName}</td>
              <td>
                <StatusBadge status={order.status} />
              </td>
              {withCosts && <td className="num">{formatMoney(order.total)}</td>}
            </tr>
          ))}
        </DataTable>
      </Listing>
    </ListSection>
  );
}

function DraftOrder({ onDrafted }: { onDrafted: (id: string) => void }) {
  const f = t.draft;
  const suppliers = useSuppliers();
  const client = useQueryClient();
  const command = useCommand();
  const [supplier, setSupplier] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!supplier) {
      setError(f.supplierRequired);
      return;
    }
    setError(undefined);
    const id = newId();
    const ok = await command.run(() => send('purchase_order', id, 'draft', { supplier_id: supplier }));
    if (ok) {
      refreshStock(client);
      onDrafted(id);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="po-draft-title" noValidate>
      <h2 id="po-draft-title">{f.title}</h2>
      <Field label={f.supplier} error={error}>
        {(p) => (
          <select {...p} value={supplier} onChange={(e) => setSupplier(e.target.value)}>
            <option value="">{f.choose}</option>
            {(suppliers.data?.suppliers ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.legalName}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormEnd error={command.error}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function Suppliers({ me }: { me: Me | undefined }) {
  const suppliers = useSuppliers();
  const list = suppliers.data?.suppliers ?? [];
  return (
    <ListSection id="suppliers-title" title={t.suppliers}>
      <Listing read={suppliers} count={list.length} empty={t.noSuppliers}>
        <ul className="stock-list">
          {list.map((s) => (
            <li key={s.id}>
              <strong>{s.legalName}</strong> <span className="muted">ИНН {s.inn}</span>
              {s.phone ? <span className="muted"> · {s.phone}</span> : null}
            </li>
          ))}
        </ul>
      </Listing>
      {can(me, 'supplier.edit') && <RegisterSupplier />}
    </ListSection>
  );
}

function RegisterSupplier() {
  const f = t.supplierForm;
  const client = useQueryClient();
  const command = useCommand();
  const [legalName, setLegalName] = useState('');
  const [inn, setInn] = useState('');
  const [kpp, setKpp] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [terms, setTerms] = useState('0');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const found: Record<string, string> = {};
    if (!legalName.trim()) found.legalName = f.nameRequired;
    if (!inn.trim()) found.inn = f.innRequired;
    const days = /^\d{1,4}$/.test(terms.trim()) ? Number(terms.trim()) : null;
    if (days === null) found.terms = f.termsInvalid;
    setErrors(found);
    if (Object.keys(found).length > 0 || days === null) return;
    const name = legalName.trim();
    const ok = await command.run(() =>
      send('supplier', newId(), 'register', {
        legal_name: name,
        inn: inn.trim(),
        kpp: kpp.trim() || null,
        phone: phone.trim() || null,
        email: email.trim() || null,
        payment_terms_days: days,
      }),
    );
    if (ok) {
      setDone(f.done(name));
      setLegalName('');
      setInn('');
      setKpp('');
      setPhone('');
      setEmail('');
      setTerms('0');
      refreshStock(client);
    }
  }

  return (
    <form className="stack stock-subform" onSubmit={submit} aria-labelledby="supplier-form-title" noValidate>
      <h3 id="supplier-form-title">{f.title}</h3>
      <Field label={f.legalName} error={errors.legalName}>
        {(p) => <input {...p} value={legalName} onChange={(e) => setLegalName(e.target.value)} />}
      </Field>
      <div className="row">
        <Field label={f.inn} error={errors.inn}>
          {(p) => <input {...p} inputMode="numeric" value={inn} onChange={(e) => setInn(e.target.value)} />}
        </Field>
        <Field label={f.kpp}>{(p) => <input {...p} inputMode="numeric" value={kpp} onChange={(e) => setKpp(e.target.value)} />}</Field>
      </div>
      <div className="row">
        <Field label={f.phone}>{(p) => <input {...p} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />}</Field>
        <Field label={f.email}>{(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Field label={f.terms} error={errors.terms}>
          {(p) => <input {...p} inputMode="numeric" size={4} value={terms} onChange={(e) => setTerms(e.target.value)} />}
        </Field>
      </div>
      <FormEnd error={command.error} done={done}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function OrderPanel({ id, me, onClose }: { id: string; me: Me | undefined; onClose: () => void }) {
  const withCosts = can(me, 'stock.read_costs');
  const order = usePurchaseOrder(id, withCosts);
  const client = useQueryClient();
  const command = useCommand();
  const [done, setDone] = useState<string | null>(null);
  const card = order.data?.purchaseOrder;

  if (order.isPending) {
    return (
      <p className="card muted" role="status">
        {text.loading}
      </p>
    );
  }
  if (order.isError) return <LoadError error={order.error} retry={() => void order.refetch()} />;
  if (!card) {
    return (
      <p className="card muted" role="status">
        {o.notFound}
      </p>
    );
  }
  const editable = card.status === 'draft' && can(me, 'purchase_order.edit');
  const receivable = (card.status === 'sent' || card.status === 'partially_received') && can(me, 'purchase_order.receive');
  const closable = (card.status === 'received' || card.status === 'partially_received') && can(me, 'purchase_order.edit');

  const act = async (run: () => Promise<unknown>, message: string | null) => {
    setDone(null);
    if (await command.run(run)) {
      setDone(message);
      refreshStock(client);
    }
  };

  return (
    <section className="card stack" aria-labelledby="po-card-title">
      <div className="row stock-panel__head">
        <h2 id="po-card-title">{o.title(card.number)}</h2>
        <StatusBadge status={card.status} />
        <button type="button" className="button button--ghost" onClick={onClose}>
          {o.close}
        </button>
      </div>
      <p>
        {o.supplier}: <strong>{card.supplierName}</strong>
        {withCosts && (
          <>
            {' · '}
            {o.total}: <strong>{formatMoney(card.total)}</strong>
          </>
        )}
      </p>
      {card.lines.length === 0 ? (
        <p className="muted">{o.noLines}</p>
      ) : (
        <DataTable
          className="table stock-table"
          caption={o.linesCaption}
          columns={[
            { title: o.part },
            { title: o.quantity, num: true },
            { title: o.received, num: true },
            { title: o.outstanding, num: true },
            withCosts && { title: o.amount, num: true },
            editable && { title: o.removeShort, hidden: true },
          ]}
        >
          {card.lines.map((line) => (
            <tr key={line.id}>
              <th scope="row">
                {line.number ?? '—'}
                <div className="muted stock-sub">{line.name}</div>
              </th>
              <td className="num">{formatQuantity(line.quantity, '')}</td>
              <td className="num">{formatQuantity(line.received, '')}</td>
              <td className="num">
                <strong>{formatQuantity(line.outstanding, '')}</strong>
              </td>
              {withCosts && (
                <td className="num">
                  {formatMoney(line.amount)}
                  <div className="muted stock-sub">{formatMoney(line.unitPrice)}</div>
                </td>
              )}
              {editable && (
                <td>
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    aria-label={o.remove(line.number ?? '')}
                    disabled={command.busy}
                    onClick={() =>
                      void act(() => send('purchase_order', card.id, 'remove_line', { line_id: line.id }), null)
                    }
                  >
                    {o.removeShort}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <CommandError error={command.error} />
      <Done message={done} />
      {editable && <AddLine orderId={card.id} />}
      <div className="row">
        {editable && card.lines.length > 0 && (
          <button
            type="button"
            className="button button--primary"
            disabled={command.busy}
            onClick={() => void act(() => send('purchase_order', card.id, 'send', {}, { ifMatch: card.version }), o.sent)}
          >
            {o.send}
          </button>
        )}
        {closable && (
          <button
            type="button"
            className="button"
            disabled={command.busy}
            onClick={() => void act(() => send('purchase_order', card.id, 'close', {}, { ifMatch: card.version }), null)}
          >
            {o.closeOrder}
          </button>
        )}
      </div>
      {receivable && <Receiving orderId={card.id} lines={card.lines} />}
    </section>
  );
}

function AddLine({ orderId }: { orderId: string }) {
  const f = o.addLine;
  const client = useQueryClient();
  const command = useCommand();
  const [part, setPart] = useState<PickedPart | null>(null);
  const [qty, setQty] = useState('1');
  const [price, setPrice] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const thousandths = parseQuantity(qty);
    const kopecks = parseRoublesToKopecks(price);
    const found: Record<string, string> = {};
    if (!part) found.part = f.partRequired;
    if (thousandths === null) found.qty = f.quantityInvalid;
    if (kopecks === null) found.price = f.priceInvalid;
    setErrors(found);
    if (!part || thousandths === null || kopecks === null) return;
    const ok = await command.run(() =>
      send('purchase_order', orderId, 'add_line', {
        line_id: newId(),
        part_id: part.id,
        quantity_thousandths: thousandths,
        unit_price_kopecks: kopecks,
      }),
    );
    if (ok) {
      setPart(null);
      setQty('1');
      setPrice('');
      refreshStock(client);
    }
  }

  return (
    <form className="stack stock-subform" onSubmit={submit} aria-labelledby="po-add-line-title" noValidate>
      <h3 id="po-add-line-title">{f.title}</h3>
      <PartPicker label={f.part} picked={part} onPick={setPart} error={errors.part} />
      <div className="row">
        <Field label={part ? `${f.quantity}, ${text.units[part.unit] ?? part.unit}` : f.quantity} error={errors.qty}>
          {(p) => <input {...p} inputMode="decimal" size={6} value={qty} onChange={(e) => setQty(e.target.value)} />}
        </Field>
        <Field label={f.price} error={errors.price}>
          {(p) => <input {...p} inputMode="decimal" size={10} value={price} onChange={(e) => setPrice(e.target.value)} />}
        </Field>
      </div>
      <FormEnd error={command.error}>
        <button type="submit" className="button" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}
