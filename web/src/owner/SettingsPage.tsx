/**
 * Настройки: the shop's name, requisites (with the bank), the work-order number format, how long
 * an approval link works, VAT, the norm-hour rates by category and the parts markup scales (each
 * set whole). Each block is its own command and its own permission (`settings.edit_requisites`,
 * `settings.edit_taxes`, `settings.edit_prices`); a block the role may not change is shown
 * read-only. The domain checks every value (an INN's check digits, an account against its BIK);
 * its words stand beside the field they are about, and nothing is saved when it refuses.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { send } from '../api/commands.ts';
import { LoadError } from '../app/LoadError.tsx';
import { DataTable } from '../app/DataTable.tsx';
import { can, useMe } from '../auth/me.ts';
import { formatMoney, formatPercentBp, parsePercentToBp, parseRoublesToKopecks } from '../format/money.ts';
import type { OwnerSettingsQuery } from '../api/generated/graphql/graphql.ts';
import {
  bpToInput,
  documentFacts,
  moneyToInput,
  orNull,
  placeError,
  rowsOf,
  scaleOf,
  SHOP,
  type FormErrors,
  type ScaleRow,
} from './logic.ts';
import { refreshOwner, useSettings } from './queries.ts';
import { text } from './text.ts';
import { CommandError, Done, Field, FormEnd, OwnerNav, useCommand } from './ui.tsx';

const t = text.settings;

type Settings = OwnerSettingsQuery['settings'];

export function SettingsPage() {
  const me = useMe().data?.me;
  const settings = useSettings();
  const requisites = can(me, 'settings.edit_requisites');
  const taxes = can(me, 'settings.edit_taxes');
  const prices = can(me, 'settings.edit_prices');

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{t.title}</h1>
      {!requisites && !taxes && !prices && <p className="muted">{t.readOnly}</p>}
      {settings.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : settings.isError ? (
        <LoadError error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <div className="owner-grid">
          <div className="stack">
            <ShopNameForm settings={settings.data.settings} allowed={requisites} />
            <RequisitesForm settings={settings.data.settings} allowed={requisites} />
          </div>
          <div className="stack">
            <VatForm settings={settings.data.settings} allowed={taxes} />
            <Rates settings={settings.data.settings} allowed={prices} />
            <NumberFormatForm settings={settings.data.settings} allowed={requisites} />
            <ApprovalLinkForm settings={settings.data.settings} allowed={requisites} />
            <DocumentTextsForm settings={settings.data.settings} allowed={requisites} />
            <Markup settings={settings.data.settings} allowed={prices} />
          </div>
        </div>
      )}
    </div>
  );
}

/** A block of the page: its form, read-only (a disabled fieldset) when the role may not change it. */
function Block({
  id,
  title,
  allowed,
  onSubmit,
  children,
}: {
  id: string;
  title: string;
  allowed: boolean;
  onSubmit: (event: FormEvent) => void;
  children: ReactNode;
}) {
  return (
    <form className="card stack owner-form" aria-labelledby={id} onSubmit={onSubmit} noValidate>
      <h2 id={id}>{title}</h2>
      <fieldset className="stack owner-plain" disabled={!allowed}>
        {children}
      </fieldset>
    </form>
  );
}

function Submit({ allowed, busy, label }: { allowed: boolean; busy: boolean; label: string }) {
  if (!allowed) return null;
  return (
    <div>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? text.saving : label}
      </button>
    </div>
  );
}

function ShopNameForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const client = useQueryClient();
  const command = useCommand();
  const [name, setName] = useState(settings.shopName ?? '');
  const [errors, setErrors] = useState<FormErrors<'name'>>({ fields: {}, form: null });
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    if (!name.trim()) return setErrors({ fields: { name: text.required }, form: null });
    setErrors({ fields: {}, form: null });
    const ok = await command.run(() => send('settings', SHOP, 'set_shop_name', { name: name.trim() }));
    if (ok) {
      setDone(t.shopName.done);
      refreshOwner(client);
    }
  }
  const error = command.failure ? placeError(command.failure, { name: 'name' }) : errors;
  return (
    <Block id="settings-name" title={t.shopName.title} allowed={allowed} onSubmit={submit}>
      <Field label={t.shopName.label} error={error.fields.name}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <CommandError error={error.form} />
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={text.save} />
    </Block>
  );
}

type RequisitesField =
  | 'legal_name'
  | 'inn'
  | 'kpp'
  | 'ogrn'
  | 'address'
  | 'bank_name'
  | 'bik'
  | 'account'
  | 'correspondent_account';

const REQUISITES_FIELDS: Record<string, RequisitesField> = {
  legal_name: 'legal_name',
  inn: 'inn',
  kpp: 'kpp',
  ogrn: 'ogrn',
  address: 'address',
  bank_name: 'bank_name',
  bik: 'bik',
  account: 'account',
  correspondent_account: 'correspondent_account',
};

function RequisitesForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.requisites;
  const client = useQueryClient();
  const command = useCommand();
  const bank = documentFacts(settings.document).bank;
  const [values, setValues] = useState<Record<RequisitesField, string>>({
    legal_name: settings.legalName ?? '',
    inn: settings.inn ?? '',
    kpp: settings.kpp ?? '',
    ogrn: settings.ogrn ?? '',
    address: settings.address ?? '',
    bank_name: bank?.bank_name ?? '',
    bik: bank?.bik ?? '',
    account: bank?.account ?? '',
    correspondent_account: bank?.correspondent_account ?? '',
  });
  const [checked, setChecked] = useState<FormErrors<RequisitesField>>({ fields: {}, form: null });
  const [done, setDone] = useState<string | null>(null);
  const set = (field: RequisitesField) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    const found: Partial<Record<RequisitesField, string>> = {};
    for (const field of ['legal_name', 'inn', 'ogrn', 'address'] as const) {
      if (!values[field].trim()) found[field] = text.required;
    }
    const bankFields = ['bank_name', 'bik', 'account', 'correspondent_account'] as const;
    const bankTyped = bankFields.filter((field) => values[field].trim() !== '');
    if (bankTyped.length > 0 && bankTyped.length < bankFields.length) {
      for (const field of bankFields) if (!values[field].trim()) found[field] = f.bankIncomplete;
    }
    setChecked({ fields: found, form: null });
    if (Object.keys(found).length > 0) return;
    const ok = await command.run(() =>
      send('settings', SHOP, 'set_requisites', {
        legal_name: values.legal_name.trim(),
        inn: values.inn.trim(),
        kpp: orNull(values.kpp),
        ogrn: values.ogrn.trim(),
        address: values.address.trim(),
        bank:
          bankTyped.length === 0
            ? null
            : {
                bank_name: values.bank_name.trim(),
                bik: values.bik.trim(),
                account: values.account.trim(),
                correspondent_account: values.correspondent_account.trim(),
              },
      }),
    );
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }

  const errors = command.failure ? placeError(command.failure, REQUISITES_FIELDS) : checked;
  const input = (field: RequisitesField, label: string, options: { hint?: string; numeric?: boolean } = {}) => (
    <Field label={label} error={errors.fields[field]} hint={options.hint}>
      {(p) => (
        <input
          {...p}
          value={values[field]}
          inputMode={options.numeric ? 'numeric' : undefined}
          autoComplete="off"
          onChange={(e) => set(field)(e.target.value)}
        />
      )}
    </Field>
  );
  return (
    <Block id="settings-requisites" title={f.title} allowed={allowed} onSubmit={submit}>
      {input('legal_name', f.legalName)}
      <div className="row">
        {input('inn', f.inn, { numeric: true })}
        {input('kpp', f.kpp, { hint: f.kppHint })}
        {input('ogrn', f.ogrn, { numeric: true })}
      </div>
      {input('address', f.address)}
      <fieldset className="owner-fieldset stack">
        <legend>{f.bank}</legend>
        <span className="muted owner-hint">{f.bankHint}</span>
        {input('bank_name', f.bankName)}
        <div className="row">
          {input('bik', f.bik, { numeric: true })}
          {input('account', f.account, { numeric: true })}
          {input('correspondent_account', f.correspondent, { numeric: true })}
        </div>
      </fieldset>
      <CommandError error={errors.form} />
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={f.submit} />
    </Block>
  );
}

function VatForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.vat;
  const client = useQueryClient();
  const command = useCommand();
  const [rate, setRate] = useState(bpToInput(settings.vatRateBp));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    const bp = rate.trim() ? parsePercentToBp(rate) : null;
    setInvalid(bp === null ? f.invalid : null);
    if (bp === null) return;
    const ok = await command.run(() => send('settings', SHOP, 'set_vat_rate', { rate_bp: bp }));
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  const errors = command.failure ? placeError(command.failure, { vat_rate: 'rate' as const }) : null;
  return (
    <Block id="settings-vat" title={f.title} allowed={allowed} onSubmit={submit}>
      <Field label={f.label} error={invalid ?? errors?.fields.rate}>
        {(p) => <input {...p} inputMode="decimal" size={6} value={rate} onChange={(e) => setRate(e.target.value)} />}
      </Field>
      <CommandError error={errors?.form} />
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={f.submit} />
    </Block>
  );
}

function Rates({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.rates;
  const client = useQueryClient();
  const command = useCommand();
  const [category, setCategory] = useState('');
  const [rate, setRate] = useState(moneyToInput(settings.defaultRate));
  const [checked, setChecked] = useState<FormErrors<'category' | 'rate'>>({ fields: {}, form: null });
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    const kopecks = parseRoublesToKopecks(rate);
    setChecked({ fields: kopecks === null ? { rate: f.invalid } : {}, form: null });
    if (kopecks === null) return;
    const ok = await command.run(() =>
      send('settings', SHOP, 'set_norm_hour_rate', { category: orNull(category), rate_kopecks: kopecks }),
    );
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }

  async function remove(code: string) {
    setDone(null);
    const ok = await command.run(() => send('settings', SHOP, 'remove_norm_hour_rate', { category: code }));
    if (ok) {
      setDone(f.removed);
      refreshOwner(client);
    }
  }

  const errors = command.failure
    ? placeError(command.failure, { rate: 'rate' as const, code: 'category' as const, category: 'category' as const })
    : checked;
  return (
    <Block id="settings-rates" title={f.title} allowed={allowed} onSubmit={submit}>
      <DataTable
        className="table owner-table"
        caption={f.caption}
        columns={[
          { title: f.category },
          { title: f.rate, num: true },
          allowed && { title: f.removeShort, hidden: true },
        ]}
      >
        <tr>
          <th scope="row">{f.byDefault}</th>
          <td className="num">{formatMoney(settings.defaultRate)}</td>
          {allowed && <td />}
        </tr>
        {settings.categoryRates.map((row) => (
          <tr key={row.category}>
            <th scope="row">{row.category}</th>
            <td className="num">{formatMoney(row.rate)}</td>
            {allowed && (
              <td>
                <button
                  type="button"
                  className="button button--small button--ghost"
                  aria-label={f.remove(row.category)}
                  disabled={command.busy}
                  onClick={() => void remove(row.category)}
                >
                  {f.removeShort}
                </button>
              </td>
            )}
          </tr>
        ))}
      </DataTable>
      {allowed && (
        <>
          <div className="row">
            <Field label={f.category} error={errors.fields.category} hint={f.categoryHint}>
              {(p) => (
                <input {...p} value={category} placeholder={f.byDefault} onChange={(e) => setCategory(e.target.value)} />
              )}
            </Field>
            <Field label={f.rate} error={errors.fields.rate}>
              {(p) => <input {...p} inputMode="decimal" size={8} value={rate} onChange={(e) => setRate(e.target.value)} />}
            </Field>
          </div>
          <CommandError error={errors.form} />
          <Done message={done} />
          <Submit allowed={allowed} busy={command.busy} label={f.add} />
        </>
      )}
    </Block>
  );
}

function NumberFormatForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.numbering;
  const client = useQueryClient();
  const command = useCommand();
  const [format, setFormat] = useState(documentFacts(settings.document).numberFormat);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    setInvalid(format.trim() ? null : text.required);
    if (!format.trim()) return;
    const ok = await command.run(() => send('settings', SHOP, 'set_work_order_number_format', { format: format.trim() }));
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  const errors = command.failure ? placeError(command.failure, { format: 'format' as const }) : null;
  return (
    <Block id="settings-numbering" title={f.title} allowed={allowed} onSubmit={submit}>
      <Field label={f.label} error={invalid ?? errors?.fields.format} hint={f.hint}>
        {(p) => <input {...p} value={format} autoComplete="off" onChange={(e) => setFormat(e.target.value)} />}
      </Field>
      <CommandError error={errors?.form} />
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={f.submit} />
    </Block>
  );
}

/** How long a link sent to a client for approval works (the domain checks the bounds). */
function ApprovalLinkForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.approvalLink;
  const client = useQueryClient();
  const command = useCommand();
  const [hours, setHours] = useState(String(settings.approvalLinkHours));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    const whole = /^\d{1,4}$/.test(hours.trim()) ? Number(hours.trim()) : null;
    setInvalid(whole === null ? f.invalid : null);
    if (whole === null) return;
    const ok = await command.run(() => send('settings', SHOP, 'set_approval_link_lifetime', { hours: whole }));
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  // Every refusal of this one-field form is about its field.
  return (
    <Block id="settings-approval-link" title={f.title} allowed={allowed} onSubmit={submit}>
      <Field label={f.label} error={invalid ?? command.error} hint={f.hint}>
        {(p) => <input {...p} inputMode="numeric" size={5} value={hours} onChange={(e) => setHours(e.target.value)} />}
      </Field>
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={f.submit} />
    </Block>
  );
}

/** The guarantee terms and the note the printed заказ-наряд and акт carry (the domain bounds them). */
function DocumentTextsForm({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.documentTexts;
  const client = useQueryClient();
  const command = useCommand();
  const [guarantee, setGuarantee] = useState(settings.documentTexts.guarantee);
  const [notes, setNotes] = useState(settings.documentTexts.notes);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    command.clear();
    const ok = await command.run(() => send('settings', SHOP, 'set_document_texts', { guarantee, notes }));
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  return (
    <Block id="settings-document-texts" title={f.title} allowed={allowed} onSubmit={submit}>
      <Field label={f.guarantee} hint={f.guaranteeHint}>
        {(p) => <textarea {...p} rows={4} maxLength={2000} value={guarantee} onChange={(e) => setGuarantee(e.target.value)} />}
      </Field>
      <Field label={f.notes} hint={f.notesHint}>
        {(p) => <textarea {...p} rows={2} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />}
      </Field>
      <CommandError error={command.error} />
      <Done message={done} />
      <Submit allowed={allowed} busy={command.busy} label={f.submit} />
    </Block>
  );
}

function Markup({ settings, allowed }: { settings: Settings; allowed: boolean }) {
  const f = t.markup;
  const client = useQueryClient();
  const command = useCommand();
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ category: string; rows: ScaleRow[]; opened: number } | null>(null);
  const scales = [
    { category: null, title: f.byDefault, ranges: settings.markupDefault },
    ...settings.markupByCategory.map((scale) => ({
      category: scale.category,
      title: f.categoryTitle(scale.category),
      ranges: scale.ranges,
    })),
  ];

  async function remove(category: string) {
    setDone(null);
    const ok = await command.run(() => send('settings', SHOP, 'remove_markup_scale', { category }));
    if (ok) {
      setDone(f.removed);
      refreshOwner(client);
    }
  }

  return (
    <section className="card stack" aria-labelledby="settings-markup">
      <h2 id="settings-markup">{f.title}</h2>
      {scales.map((scale) => (
        <div key={scale.title} className="stack">
          <table className="table owner-table">
            <caption>{scale.title}</caption>
            <thead>
              <tr>
                <th scope="col">{f.from}</th>
                <th scope="col">{f.to}</th>
                <th scope="col" className="num">
                  {f.markup}
                </th>
              </tr>
            </thead>
            <tbody>
              {scale.ranges.length === 0 ? (
                <tr>
                  <td colSpan={3} className="muted">
                    {f.none}
                  </td>
                </tr>
              ) : (
                scale.ranges.map((range) => (
                  <tr key={range.from}>
                    <td>{formatMoney(range.from)}</td>
                    <td>{range.to ? formatMoney(range.to) : f.andAbove}</td>
                    <td className="num">{formatPercentBp(range.markupBp)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          {allowed && (
            <div className="owner-actions">
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  setDone(null);
                  setEditing({
                    category: scale.category ?? '',
                    rows: scale.ranges.length > 0 ? rowsOf(scale.ranges) : [{ from: '0', markup: '' }],
                    opened: Date.now(),
                  });
                }}
              >
                {f.edit}
                <span className="visually-hidden">: {scale.title}</span>
              </button>
              {scale.category && (
                <button
                  type="button"
                  className="button button--small button--ghost"
                  aria-label={f.remove(scale.category)}
                  disabled={command.busy}
                  onClick={() => void remove(scale.category)}
                >
                  {f.removeShort}
                </button>
              )}
            </div>
          )}
        </div>
      ))}
      <CommandError error={command.error} />
      <Done message={done} />
      {allowed && !editing && (
        <div>
          <button type="button" className="button" onClick={() => setEditing({ category: '', rows: [{ from: '0', markup: '' }], opened: Date.now() })}>
            {f.editTitle}…
          </button>
        </div>
      )}
      {allowed && editing && (
        <ScaleForm
          key={editing.opened}
          initial={editing}
          onDone={(message) => {
            setEditing(null);
            setDone(message);
          }}
        />
      )}
    </section>
  );
}

/** One scale: its category (none: the default) and its ranges, sent whole. */
function ScaleForm({
  initial,
  onDone,
}: {
  initial: { category: string; rows: ScaleRow[] };
  onDone: (message: string | null) => void;
}) {
  const f = t.markup;
  const client = useQueryClient();
  const command = useCommand();
  const [category, setCategory] = useState(initial.category);
  const [rows, setRows] = useState<ScaleRow[]>(initial.rows);
  const [invalid, setInvalid] = useState<ReturnType<typeof scaleOf>['errors']>({});

  const setRow = (index: number, row: Partial<ScaleRow>) =>
    setRows((all) => all.map((r, i) => (i === index ? { ...r, ...row } : r)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    command.clear();
    const { ranges, errors } = scaleOf(rows);
    setInvalid(errors);
    if (!ranges) return;
    const ok = await command.run(() =>
      send('settings', SHOP, 'set_markup_scale', { category: orNull(category), ranges }),
    );
    if (ok) {
      refreshOwner(client);
      onDone(f.done);
    }
  }
  const errors = command.failure ? placeError(command.failure, { category: 'category' as const, code: 'category' as const }) : null;
  return (
    <form className="stack owner-section owner-form" aria-labelledby="settings-scale-title" onSubmit={submit} noValidate>
      <h3 id="settings-scale-title">{f.editTitle}</h3>
      <Field label={f.category} error={errors?.fields.category} hint={f.categoryHint}>
        {(p) => <input {...p} value={category} autoComplete="off" onChange={(e) => setCategory(e.target.value)} />}
      </Field>
      <fieldset className="owner-fieldset stack">
        <legend>{f.rows}</legend>
        <span className="muted owner-hint">{f.hint}</span>
        {rows.map((row, index) => (
          <div key={index} className="row">
            <Field label={f.rowFrom(index + 1)} error={invalid[index]?.from ? f.fromInvalid : null}>
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  size={8}
                  value={index === 0 ? '0' : row.from}
                  readOnly={index === 0}
                  onChange={(e) => setRow(index, { from: e.target.value })}
                />
              )}
            </Field>
            <Field label={f.rowMarkup(index + 1)} error={invalid[index]?.markup ? f.markupInvalid : null}>
              {(p) => (
                <input {...p} inputMode="decimal" size={5} value={row.markup} onChange={(e) => setRow(index, { markup: e.target.value })} />
              )}
            </Field>
            {index > 0 && (
              <button
                type="button"
                className="button button--small button--ghost"
                aria-label={f.removeRow(index + 1)}
                onClick={() => setRows((all) => all.filter((_, i) => i !== index))}
              >
                {f.removeRowShort}
              </button>
            )}
          </div>
        ))}
        <div>
          <button type="button" className="button button--small" onClick={() => setRows((all) => [...all, { from: '', markup: '' }])}>
            {f.addRow}
          </button>
        </div>
      </fieldset>
      <FormEnd error={errors?.form} actions="owner-actions">
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {command.busy ? text.saving : f.submit}
        </button>
        <button type="button" className="button" onClick={() => onDone(null)}>
          {text.cancel}
        </button>
      </FormEnd>
    </form>
  );
}
