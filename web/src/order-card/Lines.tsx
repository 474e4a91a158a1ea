/** The estimate's lines: the table, editing in place, the add forms and the mechanic's buttons. */
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState, type FormEvent } from 'react';
import { newId } from '../api/commands.ts';
import { query } from '../api/graphql.ts';
import { can } from '../auth/me.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatMoney, formatPercentBp, parseNormHoursToTenths, parsePercentToBp, parseRoublesToKopecks } from '../format/money.ts';
import { formatThousandths, unitLabel } from '../stock/logic.ts';
import { PartPicker, type PickedPart } from '../stock/PartPicker.tsx';
import { linesEditable } from '../work-order/lifecycle.ts';
import { bpToInput, decimalToInput, labourAction, mechanicsOf, parseQuantityToThousandths, stockActions, type OrderLine } from './logic.ts';
import { OrderCatalogueDocument, OrderStaffDocument } from './queries.ts';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';
import { LineStockForm, LineStockStatus } from './LineStock.tsx';
import type { StockCommand } from './useOrderCard.ts';

function useMechanics(enabled: boolean) {
  const staff = useQuery({ queryKey: ['order-card-staff'], queryFn: () => query(OrderStaffDocument), enabled, staleTime: 300_000 });
  return mechanicsOf(staff.data?.employees ?? []);
}

function kindLabel(line: OrderLine): string {
  if (line.kind === 'labour') return text.lines.labour;
  return line.kind === 'client_part' ? text.lines.clientPart : text.lines.parts;
}

export function Lines(props: Section) {
  const { order, me } = props;
  const t = text.lines;
  const editable = linesEditable(order.status) && can(me, 'work_order.edit_lines');
  const canAssign = linesEditable(order.status) && can(me, 'work_order.assign_mechanic') && can(me, 'staff.read');
  const canPerform = can(me, 'work_order.perform_labour');
  const mechanics = useMechanics(canAssign || (editable && can(me, 'staff.read')));
  const canIssue = can(me, 'stock.issue');
  const [editing, setEditing] = useState<string | null>(null);
  const [stocking, setStocking] = useState<{ lineId: string; command: StockCommand } | null>(null);
  const action = useAction();
  const showActions =
    editable ||
    canAssign ||
    (canPerform && order.lines.some((l) => labourAction(order.status, l) !== null)) ||
    (canIssue && order.lines.some((l) => stockActions(l.stock).length > 0));
  const columns = showActions ? 9 : 8;

  return (
    <section className="card stack" aria-labelledby="lines-title">
      <h2 id="lines-title">{t.title}</h2>
      {order.lines.length === 0 ? (
        <p className="muted">{t.empty}</p>
      ) : (
        <div className="order-card__scroll" tabIndex={0} role="group" aria-labelledby="lines-title">
          <table className="table order-card__lines">
            <caption className="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.n}</th>
                <th scope="col">{t.what}</th>
                <th scope="col" className="num">
                  {t.qty}
                </th>
                <th scope="col" className="num">
                  {t.price}
                </th>
                <th scope="col" className="num">
                  {t.discount}
                </th>
                <th scope="col" className="num">
                  {t.amount}
                </th>
                <th scope="col">{t.mechanic}</th>
                <th scope="col">{t.approval}</th>
                {showActions && <th scope="col">{t.actions}</th>}
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => {
                const perform = canPerform ? labourAction(order.status, line) : null;
                const stockOffers = canIssue ? stockActions(line.stock) : [];
                const stockForm = stocking?.lineId === line.id && line.stock ? stocking.command : null;
                return (
                  <Fragment key={line.id}>
                    <tr data-line-id={line.id}>
                      <td>{line.ordinal}</td>
                      <td>
                        <div>{line.description}</div>
                        <div className="muted order-card__sub">
                          {kindLabel(line)}
                          {line.partNumber ? ` · ${line.partNumber}` : ''}
                          {line.kind === 'labour' && line.progress ? ` · ${t.progress[line.progress] ?? line.progress}` : ''}
                        </div>
                        {line.stock && <LineStockStatus stock={line.stock} />}
                      </td>
                      <td className="num">{decimalToInput(line.quantity)}</td>
                      <td className="num">{formatMoney(line.unitPrice)}</td>
                      <td className="num">
                        {line.discountBp > 0 ? (
                          <>
                            {formatPercentBp(line.discountBp)}
                            <div className="muted order-card__sub">−{formatMoney(line.discount)}</div>
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="num">
                        <strong>{formatMoney(line.amount)}</strong>
                      </td>
                      <td>{line.kind === 'labour' ? (line.mechanic?.fullName ?? <span className="muted">{t.noMechanic}</span>) : '—'}</td>
                      <td>
                        {line.approval === 'approved' ? (
                          <>
                            <span className="badge badge--ok">✓ {t.approved}</span>
                            {line.approvedBy && (
                              <div className="muted order-card__sub">
                                {t.proof(line.approvedBy, formatDateTime(line.approvedAt))}
                              </div>
                            )}
                          </>
                        ) : (
                          <span className="badge badge--warning">… {t.pending}</span>
                        )}
                      </td>
                      {showActions && (
                        <td>
                          <div className="order-card__actions">
                            {perform && (
                              <button
                                type="button"
                                className="button button--small button--primary"
                                aria-label={perform === 'start' ? t.start(line.description) : t.finish(line.description)}
                                disabled={action.busy}
                                onClick={() =>
                                  void action.act(() =>
                                    props.run(perform === 'start' ? 'start_labour' : 'finish_labour', { line_id: line.id }),
                                  )
                                }
                              >
                                {perform === 'start' ? t.startShort : t.finishShort}
                              </button>
                            )}
                            {stockOffers.map((command) => (
                              <button
                                key={command}
                                type="button"
                                className="button button--small"
                                aria-label={command === 'issue' ? text.lineStock.issueLabel(line.description) : text.lineStock.giveBackLabel(line.description)}
                                aria-expanded={stockForm === command}
                                onClick={() => setStocking(stockForm === command ? null : { lineId: line.id, command })}
                              >
                                {command === 'issue' ? text.lineStock.issue : text.lineStock.giveBack}
                              </button>
                            ))}
                            {(editable || (canAssign && line.kind === 'labour')) && (
                              <button
                                type="button"
                                className="button button--small"
                                aria-label={t.edit(line.description)}
                                aria-expanded={editing === line.id}
                                onClick={() => setEditing(editing === line.id ? null : line.id)}
                              >
                                {t.editShort}
                              </button>
                            )}
                            {editable && line.progress !== 'started' && line.progress !== 'finished' && (
                              <button
                                type="button"
                                className="button button--small button--danger"
                                aria-label={t.remove(line.description)}
                                disabled={action.busy}
                                onClick={() => void action.act(() => props.run('remove_line', { line_id: line.id }))}
                              >
                                {t.removeShort}
                              </button>
                            )}
                          </div>
                        </td>
                      )}
                    </tr>
                    {stockForm && line.stock && (
                      <tr className="order-card__edit-row">
                        <td colSpan={columns}>
                          <LineStockForm
                            key={stockForm}
                            orderId={order.id}
                            line={line}
                            stock={line.stock}
                            command={stockForm}
                            onDone={() => setStocking(null)}
                          />
                        </td>
                      </tr>
                    )}
                    {editing === line.id && (
                      <tr className="order-card__edit-row">
                        <td colSpan={columns}>
                          <LineEditor
                            {...props}
                            line={line}
                            editable={editable}
                            canAssign={canAssign}
                            mechanics={mechanics}
                            onDone={() => setEditing(null)}
                          />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <FormError error={action.error} />
      {editable && (
        <div className="order-card__two">
          <LabourForm {...props} mechanics={can(me, 'staff.read') ? mechanics : []} />
          <PartsForm {...props} />
        </div>
      )}
    </section>
  );
}

type Mechanic = { id: string; fullName: string };

/** One line's figures (and mechanic) edited in place; typed values survive a reload of the card. */
function LineEditor({
  run,
  line,
  editable,
  canAssign,
  mechanics,
  onDone,
}: Section & { line: OrderLine; editable: boolean; canAssign: boolean; mechanics: Mechanic[]; onDone: () => void }) {
  const t = text.lines;
  const f = text.labourForm;
  const labour = line.kind === 'labour';
  const [qty, setQty] = useState(decimalToInput(line.quantity));
  const [price, setPrice] = useState(labour ? '' : decimalToInput(line.unitPrice));
  const [discount, setDiscount] = useState(bpToInput(line.discountBp));
  const [mechanic, setMechanic] = useState(line.mechanic?.id ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const discountBp = parsePercentToBp(discount);
    if (discountBp === null) found.discount = f.discountInvalid;
    let ok = true;
    if (editable) {
      if (labour) {
        const tenths = parseNormHoursToTenths(qty);
        const rate = price.trim() === '' ? null : parseRoublesToKopecks(price);
        if (tenths === null || tenths === 0) found.qty = f.normHoursInvalid;
        if (price.trim() !== '' && rate === null) found.price = f.rateInvalid;
        setErrors(found);
        if (Object.keys(found).length > 0 || tenths === null) return;
        ok = await action.act(() =>
          run('change_labour_line', { line_id: line.id, norm_hours_tenths: tenths, rate_kopecks: rate, discount_bp: discountBp }),
        );
      } else {
        const thousandths = parseQuantityToThousandths(qty);
        const kopecks = parseRoublesToKopecks(price);
        if (thousandths === null) found.qty = text.partsForm.quantityInvalid;
        if (kopecks === null) found.price = text.partsForm.priceInvalid;
        setErrors(found);
        if (Object.keys(found).length > 0 || thousandths === null || kopecks === null) return;
        ok = await action.act(() =>
          run('change_parts_line', {
            line_id: line.id,
            quantity_thousandths: thousandths,
            unit_price_kopecks: kopecks,
            discount_bp: discountBp,
          }),
        );
      }
    }
    if (ok && canAssign && labour && mechanic !== (line.mechanic?.id ?? '')) {
      ok = await action.act(() => run('assign_mechanic', { line_id: line.id, mechanic: mechanic === '' ? null : mechanic }));
    }
    if (ok) onDone();
  }

  return (
    <form className="row order-card__editor" onSubmit={save} aria-label={t.editTitle(line.description)} noValidate>
      {editable && (
        <>
          <Field label={labour ? f.normHours : text.partsForm.quantity} error={errors.qty}>
            {(p) => <input {...p} inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} />}
          </Field>
          <Field label={labour ? f.rate : text.partsForm.price} error={errors.price}>
            {(p) => (
              <input
                {...p}
                inputMode="decimal"
                value={price}
                placeholder={labour ? decimalToInput(line.unitPrice) : undefined}
                disabled={line.kind === 'client_part'}
                onChange={(e) => setPrice(e.target.value)}
              />
            )}
          </Field>
          <Field label={f.discount} error={errors.discount}>
            {(p) => <input {...p} inputMode="decimal" value={discount} onChange={(e) => setDiscount(e.target.value)} />}
          </Field>
        </>
      )}
      {canAssign && labour && mechanics.length > 0 && (
        <Field label={f.mechanic}>
          {(p) => (
            <select {...p} value={mechanic} onChange={(e) => setMechanic(e.target.value)}>
              <option value="">{f.noMechanic}</option>
              {mechanics.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.fullName}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <button type="submit" className="button button--primary" disabled={action.busy}>
        {t.save}
      </button>
      <button type="button" className="button" onClick={onDone}>
        {t.cancel}
      </button>
      <FormError error={action.error} />
    </form>
  );
}

function LabourForm({ run, mechanics }: Section & { mechanics: Mechanic[] }) {
  const f = text.labourForm;
  const catalogue = useQuery({ queryKey: ['order-card-catalogue'], queryFn: () => query(OrderCatalogueDocument), staleTime: 300_000 });
  const [source, setSource] = useState<'catalogue' | 'free'>('catalogue');
  const [serviceId, setServiceId] = useState('');
  const [name, setName] = useState('');
  const [hours, setHours] = useState('');
  const [discount, setDiscount] = useState('');
  const [mechanic, setMechanic] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const entries = catalogue.data?.catalogue ?? [];

  function pick(id: string) {
    setServiceId(id);
    const entry = entries.find((e) => e.id === id);
    if (entry) setHours(decimalToInput(entry.normHours));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const tenths = parseNormHoursToTenths(hours);
    const discountBp = parsePercentToBp(discount);
    if (source === 'catalogue' && serviceId === '') found.service = f.serviceRequired;
    if (source === 'free' && name.trim() === '') found.name = f.nameRequired;
    if (hours.trim() !== '' && (tenths === null || tenths === 0)) found.hours = f.normHoursInvalid;
    if (source === 'free' && hours.trim() === '') found.hours = f.normHoursInvalid;
    if (discountBp === null) found.discount = f.discountInvalid;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const ok = await action.act(() =>
      run('add_labour_line', {
        line_id: newId(),
        catalogue_service_id: source === 'catalogue' ? serviceId : null,
        name: source === 'free' ? name.trim() : null,
        norm_hours_tenths: hours.trim() === '' ? null : tenths,
        discount_bp: discountBp === 0 ? null : discountBp,
        mechanic: mechanic === '' ? null : mechanic,
      }),
    );
    if (ok) {
      setServiceId('');
      setName('');
      setHours('');
      setDiscount('');
    }
  }

  return (
    <form className="stack order-card__add" onSubmit={submit} aria-labelledby="labour-form-title" noValidate>
      <h3 id="labour-form-title">{f.title}</h3>
      <fieldset className="order-card__choice">
        <legend>{f.source}</legend>
        <label>
          <input type="radio" name="labour-source" checked={source === 'catalogue'} onChange={() => setSource('catalogue')} />
          {f.fromCatalogue}
        </label>
        <label>
          <input type="radio" name="labour-source" checked={source === 'free'} onChange={() => setSource('free')} />
          {f.freeText}
        </label>
      </fieldset>
      {source === 'catalogue' ? (
        <Field label={f.service} error={errors.service}>
          {(p) => (
            <select {...p} value={serviceId} onChange={(e) => pick(e.target.value)}>
              <option value="">{f.choose}</option>
              {entries.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name} ({decimalToInput(e.normHours)} н-ч)
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field label={f.name} error={errors.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      )}
      <div className="row">
        <Field label={f.normHours} error={errors.hours}>
          {(p) => <input {...p} inputMode="decimal" value={hours} onChange={(e) => setHours(e.target.value)} />}
        </Field>
        <Field label={f.discount} error={errors.discount}>
          {(p) => <input {...p} inputMode="decimal" value={discount} onChange={(e) => setDiscount(e.target.value)} />}
        </Field>
      </div>
      {mechanics.length > 0 && (
        <Field label={f.mechanic}>
          {(p) => (
            <select {...p} value={mechanic} onChange={(e) => setMechanic(e.target.value)}>
              <option value="">{f.noMechanic}</option>
              {mechanics.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.fullName}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <FormError error={action.error} />
      <div>
        <button type="submit" className="button button--primary" disabled={action.busy}>
          {f.submit}
        </button>
      </div>
    </form>
  );
}

function PartsForm({ run, me }: Section) {
  const f = text.partsForm;
  // A catalogue part reserves its stock for the line; a free-text part (not in the catalogue)
  // stays possible, as before the store existed.
  const fromCatalogue = can(me, 'part.read');
  const [part, setPart] = useState<PickedPart | null>(null);
  const [partNumber, setPartNumber] = useState('');
  const [name, setName] = useState('');
  const [qty, setQty] = useState('1');
  const [price, setPrice] = useState('');
  const [discount, setDiscount] = useState('');
  const [own, setOwn] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const thousandths = parseQuantityToThousandths(qty);
    const kopecks = own ? 0 : parseRoublesToKopecks(price);
    const discountBp = parsePercentToBp(discount);
    if (partNumber.trim() === '') found.partNumber = f.partNumberRequired;
    if (name.trim() === '') found.name = f.nameRequired;
    if (thousandths === null) found.qty = f.quantityInvalid;
    if (kopecks === null) found.price = f.priceInvalid;
    if (discountBp === null) found.discount = text.labourForm.discountInvalid;
    setErrors(found);
    if (Object.keys(found).length > 0 || thousandths === null || kopecks === null) return;
    const ok = await action.act(() =>
      run('add_parts_line', {
        line_id: newId(),
        part_id: part && !own ? part.id : null,
        part_number: partNumber.trim(),
        name: name.trim(),
        quantity_thousandths: thousandths,
        unit_price_kopecks: kopecks,
        discount_bp: discountBp === 0 ? null : discountBp,
        client_supplied: own,
      }),
    );
    if (ok) {
      setPart(null);
      setPartNumber('');
      setName('');
      setQty('1');
      setPrice('');
      setDiscount('');
      setOwn(false);
    }
  }

  return (
    <form className="stack order-card__add" onSubmit={submit} aria-labelledby="parts-form-title" noValidate>
      <h3 id="parts-form-title">{f.title}</h3>
      {fromCatalogue && (
        <PartPicker
          label={f.catalogue}
          picked={part}
          onPick={(picked) => {
            setPart(picked);
            if (picked) {
              setPartNumber(picked.number);
              setName(picked.name);
            }
          }}
        />
      )}
      <div className="row">
        <Field label={f.partNumber} error={errors.partNumber}>
          {(p) => <input {...p} value={partNumber} onChange={(e) => setPartNumber(e.target.value)} />}
        </Field>
        <Field label={f.name} error={errors.name} className="order-card__grow">
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <div className="row">
        <Field label={f.quantity} error={errors.qty}>
          {(p) => <input {...p} inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} />}
        </Field>
        <Field label={f.price} error={errors.price}>
          {(p) => <input {...p} inputMode="decimal" value={own ? '0' : price} disabled={own} onChange={(e) => setPrice(e.target.value)} />}
        </Field>
        <Field label={f.discount} error={errors.discount}>
          {(p) => <input {...p} inputMode="decimal" value={discount} onChange={(e) => setDiscount(e.target.value)} />}
        </Field>
      </div>
      <label className="order-card__check">
        <input type="checkbox" checked={own} onChange={(e) => setOwn(e.target.checked)} />
        {f.clientPart}
      </label>
      <FormError error={action.error} />
      {typeof action.error === 'object' && action.error?.code === 'insufficient_stock' && (
        <p className="error">
          {f.insufficient(
            typeof action.error.details.available === 'number'
              ? `${formatThousandths(action.error.details.available)} ${part ? unitLabel(part.unit) : ''}`.trim()
              : '—',
          )}
        </p>
      )}
      <div>
        <button type="submit" className="button button--primary" disabled={action.busy}>
          {f.submit}
        </button>
      </div>
    </form>
  );
}
