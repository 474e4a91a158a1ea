/**
 * Номенклатура: the parts catalogue searched by number (typed any way), name or brand; a new part
 * registered (number, brand, name, unit, category) and a part's reorder points set, for roles with
 * `part.edit`; roles that read stock open a part's movements from its row. The server normalises
 * the number and refuses a duplicate in its own words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { can, useMe } from '../auth/me.ts';
import { formatQuantity, parseQuantity, thousandthsToInput, decimalToThousandths, UNITS, type Unit } from './logic.ts';
import { refreshStock, useParts } from './queries.ts';
import { text } from './text.ts';
import { Field, FormEnd, StockNav, useCommand } from './ui.tsx';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.parts;

export function PartsPage() {
  const me = useMe().data?.me;
  const [search, setSearch] = useState('');
  const withStock = can(me, 'stock.read');
  const parts = useParts(search, withStock);
  const nodes = parts.data?.parts.nodes ?? [];
  const editable = can(me, 'part.edit');
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <div className="stack">
      <StockNav me={me} />
      <h1>{t.title}</h1>
      <div className="stock-columns">
        <ListSection id="parts-list-title" title={t.caption} hideTitle>
          <div className="field" role="search">
            <label htmlFor="parts-search">
              <span>{t.search}</span>
            </label>
            <input id="parts-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          <Listing read={parts} count={nodes.length} empty={t.empty}>
            <DataTable
              className="table stock-table"
              scroll="stock-scroll"
              caption={t.caption}
              columns={[
                { title: t.number },
                { title: t.name },
                { title: t.category },
                withStock && { title: text.stock.available, num: true },
                { title: t.reorder, num: true },
              ]}
            >
              {nodes.map((part) => (
                <tr key={part.id}>
                  <th scope="row">
                    {part.number}
                    <div className="muted stock-sub">{part.brand}</div>
                    {withStock && (
                      <Link
                        to={`/stock/movements/${part.id}`}
                        className="stock-sub"
                        aria-label={text.movements.open(part.number)}
                      >
                        {text.movements.openShort}
                      </Link>
                    )}
                  </th>
                  <td>{part.name}</td>
                  <td>{part.category}</td>
                  {withStock && <td className="num">{formatQuantity(part.available, part.unit)}</td>}
                  <td className="num">
                    {editing === part.id ? (
                      <ReorderForm part={part} onDone={() => setEditing(null)} />
                    ) : (
                      <>
                        {part.reorderMin
                          ? `${formatQuantity(part.reorderMin, part.unit)} / ${formatQuantity(part.reorderMax, part.unit)}`
                          : t.noReorder}
                        {editable && (
                          <div>
                            <button
                              type="button"
                              className="button button--small button--ghost"
                              aria-label={t.reorderForm.edit(part.number)}
                              onClick={() => setEditing(part.id)}
                            >
                              {t.reorderForm.editShort}
                            </button>
                          </div>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          </Listing>
          {parts.data?.parts.hasNextPage && <p className="muted">{t.more}</p>}
        </ListSection>
        {editable && <RegisterPart />}
      </div>
    </div>
  );
}

function RegisterPart() {
  const f = t.register;
  const client = useQueryClient();
  const command = useCommand();
  const [number, setNumber] = useState('');
  const [brand, setBrand] = useState('');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState<Unit>('pcs');
  const [category, setCategory] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const found: Record<string, string> = {};
    if (!number.trim()) found.number = f.numberRequired;
    if (!brand.trim()) found.brand = f.brandRequired;
    if (!name.trim()) found.name = f.nameRequired;
    if (!category.trim()) found.category = f.categoryRequired;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const registered = number.trim();
    const ok = await command.run(() =>
      send('part', newId(), 'register', {
        number: registered,
        brand: brand.trim(),
        name: name.trim(),
        unit,
        category: category.trim(),
      }),
    );
    if (ok) {
      setDone(f.done(registered));
      setNumber('');
      setBrand('');
      setName('');
      refreshStock(client);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="part-register-title" noValidate>
      <h2 id="part-register-title">{f.title}</h2>
      <Field label={t.number} error={errors.number}>
        {(p) => <input {...p} value={number} autoComplete="off" onChange={(e) => setNumber(e.target.value)} />}
      </Field>
      <Field label={t.brand} error={errors.brand}>
        {(p) => <input {...p} value={brand} onChange={(e) => setBrand(e.target.value)} />}
      </Field>
      <Field label={t.name} error={errors.name}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="row">
        <Field label={t.unit}>
          {(p) => (
            <select {...p} value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
              {UNITS.map((code) => (
                <option key={code} value={code}>
                  {text.units[code]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t.category} error={errors.category} hint={f.categoryHint}>
          {(p) => <input {...p} value={category} onChange={(e) => setCategory(e.target.value)} />}
        </Field>
      </div>
      <FormEnd error={command.error} done={done}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {command.busy ? text.saving : f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

interface ReorderPart {
  id: string;
  version: number;
  number: string;
  unit: string;
  reorderMin?: string | null;
  reorderMax?: string | null;
}

function asInput(decimal: string | null | undefined): string {
  const thousandths = decimal ? decimalToThousandths(decimal) : null;
  return thousandths === null ? '' : thousandthsToInput(thousandths);
}

function ReorderForm({ part, onDone }: { part: ReorderPart; onDone: () => void }) {
  const f = t.reorderForm;
  const client = useQueryClient();
  const command = useCommand();
  const [min, setMin] = useState(asInput(part.reorderMin));
  const [max, setMax] = useState(asInput(part.reorderMax));
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const minQ = min.trim() ? parseQuantity(min, { allowZero: true }) : null;
    const maxQ = max.trim() ? parseQuantity(max, { allowZero: true }) : null;
    const found: Record<string, string> = {};
    if (min.trim() && minQ === null) found.min = f.invalid;
    if (max.trim() && maxQ === null) found.max = f.invalid;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const ok = await command.run(() =>
      send('part', part.id, 'set_reorder_points', { min_thousandths: minQ, max_thousandths: maxQ }, { ifMatch: part.version }),
    );
    if (ok) {
      refreshStock(client);
      onDone();
    }
  }

  return (
    <form className="stack stock-inline-form" onSubmit={submit} aria-label={f.title(part.number)} noValidate>
      <div className="row">
        <Field label={`${f.min}, ${text.units[part.unit] ?? part.unit}`} error={errors.min}>
          {(p) => <input {...p} inputMode="decimal" size={6} value={min} onChange={(e) => setMin(e.target.value)} autoFocus />}
        </Field>
        <Field label={`${f.max}, ${text.units[part.unit] ?? part.unit}`} error={errors.max}>
          {(p) => <input {...p} inputMode="decimal" size={6} value={max} onChange={(e) => setMax(e.target.value)} />}
        </Field>
      </div>
      <span className="muted stock-hint">{f.hint}</span>
      <FormEnd error={command.error} actions="row">
        <button type="submit" className="button button--primary button--small" disabled={command.busy}>
          {f.submit}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          {f.cancel}
        </button>
      </FormEnd>
    </form>
  );
}
