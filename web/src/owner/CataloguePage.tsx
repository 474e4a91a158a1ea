/**
 * Справочник работ: the services the shop offers, with their standard norm-hours and work
 * category (its norm-hour rate follows the category). Add a service; rename it, change its
 * norm-hours or category; switch it off and back on (never deleted: old orders name it). Each
 * change is its own command, sent only when its value changed.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newId, send } from '../api/commands.ts';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable, RowToggle } from '../app/DataTable.tsx';
import { can, useMe } from '../auth/me.ts';
import { parseNormHoursToTenths } from '../format/money.ts';
import type { OwnerCatalogueQuery } from '../api/generated/graphql/graphql.ts';
import { normHoursToInput, type FormErrors } from './logic.ts';
import { refreshOwner, useCatalogue } from './queries.ts';
import { text } from './text.ts';
import { ActiveBadge, Field, FormEnd, OwnerNav, rowClass, useCheckedForm } from './ui.tsx';

const t = text.catalogue;

type Service = OwnerCatalogueQuery['catalogue'][number];
type ServiceField = 'name' | 'category' | 'norm_hours';
const SERVICE_FIELDS: Record<string, ServiceField> = {
  name: 'name',
  category: 'category',
  code: 'category',
  norm_hours: 'norm_hours',
};

export function CataloguePage() {
  const me = useMe().data?.me;
  const catalogue = useCatalogue();
  const editable = can(me, 'catalogue.edit');
  const [showInactive, setShowInactive] = useState(true);
  const [editing, setEditing] = useState<string | null>(null);
  const all = catalogue.data?.catalogue ?? [];
  const list = showInactive ? all : all.filter((service) => service.active);
  const categories = [...new Set(all.map((service) => service.category))].sort();

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{t.title}</h1>
      <datalist id="catalogue-categories">
        {categories.map((category) => (
          <option key={category} value={category} />
        ))}
      </datalist>
      <div className="owner-columns">
        <ListSection id="catalogue-list-title" title={t.caption} hideTitle>
          <label className="owner-check">
            <input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} />
            {t.showInactive}
          </label>
          <Listing read={catalogue} count={list.length} empty={t.empty}>
            <DataTable
              className="table owner-table"
              scroll="owner-scroll"
              caption={t.caption}
              columns={[
                { title: t.name },
                { title: t.category },
                { title: t.normHours, num: true },
                { title: t.status },
                editable && { title: t.editShort, hidden: true },
              ]}
            >
              {list.map((service) => (
                <tr key={service.id} className={rowClass(service.id === editing, service.active)}>
                  <th scope="row">{service.name}</th>
                  <td>
                    <code>{service.category}</code>
                  </td>
                  <td className="num">{normHoursToInput(service.normHours)}</td>
                  <td>
                    <ActiveBadge active={service.active} />
                  </td>
                  {editable && (
                    <td>
                      <RowToggle
                        label={t.edit(service.name)}
                        open={service.id === editing}
                        onToggle={() => setEditing(service.id === editing ? null : service.id)}
                      >
                        {t.editShort}
                      </RowToggle>
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
          </Listing>
        </ListSection>
        {editable && (
          <div className="stack">
            {editing && all.some((s) => s.id === editing) && (
              <EditService
                key={editing}
                service={all.find((s) => s.id === editing) as Service}
                onClose={() => setEditing(null)}
              />
            )}
            <AddService />
          </div>
        )}
      </div>
    </div>
  );
}

interface ServiceValues {
  name: string;
  category: string;
  normHours: string;
}

/** What the form can tell before asking the server; the norm-hours as tenths when they read as a number. */
function check(values: ServiceValues): { errors: FormErrors<ServiceField>; tenths: number | null } {
  const fields: Partial<Record<ServiceField, string>> = {};
  if (!values.name.trim()) fields.name = text.required;
  if (!values.category.trim()) fields.category = text.required;
  const tenths = parseNormHoursToTenths(values.normHours);
  if (tenths === null) fields.norm_hours = t.invalidNormHours;
  return { errors: { fields, form: null }, tenths };
}

function ServiceInputs({
  values,
  set,
  errors,
}: {
  values: ServiceValues;
  set: (field: keyof ServiceValues, value: string) => void;
  errors: Partial<Record<ServiceField, string>>;
}) {
  return (
    <>
      <Field label={t.name} error={errors.name}>
        {(p) => <input {...p} value={values.name} onChange={(e) => set('name', e.target.value)} />}
      </Field>
      <div className="row">
        <Field label={t.category} error={errors.category} hint={t.categoryHint}>
          {(p) => (
            <input
              {...p}
              list="catalogue-categories"
              autoComplete="off"
              value={values.category}
              onChange={(e) => set('category', e.target.value)}
            />
          )}
        </Field>
        <Field label={t.normHours} error={errors.norm_hours} hint={t.normHoursHint}>
          {(p) => (
            <input {...p} inputMode="decimal" size={6} value={values.normHours} onChange={(e) => set('normHours', e.target.value)} />
          )}
        </Field>
      </div>
    </>
  );
}

function AddService() {
  const f = t.add;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(SERVICE_FIELDS);
  const blank: ServiceValues = { name: '', category: '', normHours: '' };
  const [values, setValues] = useState(blank);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { errors: found, tenths } = check(values);
    if (!passes(found) || tenths === null) return;
    const name = values.name.trim();
    const ok = await command.run(() =>
      send('catalogue_service', newId(), 'add_service', {
        name,
        category: values.category.trim(),
        norm_hours_tenths: tenths,
      }),
    );
    if (ok) {
      setDone(f.done(name));
      setValues(blank);
      refreshOwner(client);
    }
  }
  return (
    <form className="card stack owner-form" aria-labelledby="catalogue-add-title" onSubmit={submit} noValidate>
      <h2 id="catalogue-add-title">{f.title}</h2>
      <ServiceInputs values={values} set={(field, value) => setValues((v) => ({ ...v, [field]: value }))} errors={errors.fields} />
      <FormEnd error={errors.form} done={done}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {command.busy ? text.saving : f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function EditService({ service, onClose }: { service: Service; onClose: () => void }) {
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(SERVICE_FIELDS);
  const [values, setValues] = useState<ServiceValues>({
    name: service.name,
    category: service.category,
    normHours: normHoursToInput(service.normHours),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { errors: found, tenths } = check(values);
    if (!passes(found) || tenths === null) return;
    const ok = await command.run(async () => {
      // One command per changed value, in the order a reader would check them.
      if (values.name.trim() !== service.name) {
        await send('catalogue_service', service.id, 'rename', { name: values.name.trim() });
      }
      if (values.category.trim() !== service.category) {
        await send('catalogue_service', service.id, 'change_category', { category: values.category.trim() });
      }
      if (tenths !== parseNormHoursToTenths(normHoursToInput(service.normHours))) {
        await send('catalogue_service', service.id, 'change_norm_hours', { norm_hours_tenths: tenths });
      }
    });
    refreshOwner(client);
    if (ok) setDone(t.saved);
  }

  async function toggle() {
    setDone(null);
    const ok = await command.run(() => send('catalogue_service', service.id, service.active ? 'deactivate' : 'reactivate', {}));
    if (ok) refreshOwner(client);
  }

  return (
    <form className="card stack owner-form" aria-labelledby="catalogue-edit-title" onSubmit={submit} noValidate>
      <div className="row owner-actions">
        <h2 id="catalogue-edit-title" className="owner-panel-title">
          {t.editTitle(service.name)}
        </h2>
        <ActiveBadge active={service.active} />
      </div>
      <ServiceInputs values={values} set={(field, value) => setValues((v) => ({ ...v, [field]: value }))} errors={errors.fields} />
      <FormEnd error={errors.form} done={done} actions="owner-actions">
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {text.save}
        </button>
        <button
          type="button"
          className="button"
          aria-label={service.active ? t.deactivate(service.name) : t.reactivate(service.name)}
          disabled={command.busy}
          onClick={() => void toggle()}
        >
          {service.active ? text.directories.deactivateShort : text.directories.reactivateShort}
        </button>
        <button type="button" className="button button--ghost" onClick={onClose}>
          {text.staff.close}
        </button>
      </FormEnd>
    </form>
  );
}
