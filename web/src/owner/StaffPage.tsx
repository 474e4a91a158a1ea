/**
 * Сотрудники: the shop's employees (the inactive ones on request), hiring with roles, and for one
 * employee: their details, their roles, switching them off and back on, a new password and the end
 * of all their sessions. Each action shows only for the permission it needs; the server still
 * decides (only an owner touches an owner, nobody gives a permission they lack, the last owner
 * stays) and its Russian words are shown where the user acted.
 *
 * The password is typed by whoever resets it (the auth service takes the new password, never
 * makes one up) and setting it ends every session of the employee; ending sessions alone is the
 * auth service's other call.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newId, send } from '../api/commands.ts';
import { call } from '../api/http.ts';
import { AUTH_BASE } from '../api/session.ts';
import { Listing, ListSection } from '../app/Listing.tsx';
import { text as appText } from '../app/text.ts';
import { DataTable, RowToggle } from '../app/DataTable.tsx';
import { can, useMe, type Me } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import { formatPhone } from '../format/vehicle.ts';
import type { OwnerEmployeesQuery, OwnerRolesQuery } from '../api/generated/graphql/graphql.ts';
import { orNull, placeError, roleNames } from './logic.ts';
import { refreshOwner, useEmployees, useRoles } from './queries.ts';
import { text } from './text.ts';
import { ActiveBadge, CommandError, Done, Field, FormEnd, OwnerNav, rowClass, useCheckedForm, useCommand } from './ui.tsx';

const t = text.staff;
/** All employees of the shop live in one stream. */
const STAFF = 'main';

type Employee = OwnerEmployeesQuery['employees'][number];
type Role = OwnerRolesQuery['roles'][number];
type DetailsField = 'full_name' | 'position' | 'email' | 'phone';

const DETAILS_FIELDS: Record<string, DetailsField> = {
  full_name: 'full_name',
  position: 'position',
  email: 'email',
  phone: 'phone',
};

export function StaffPage() {
  const me = useMe().data?.me;
  const [showInactive, setShowInactive] = useState(false);
  const employees = useEmployees(showInactive);
  const roles = useRoles(can(me, 'role.read'));
  const nameOf = roleNames(roles.data?.roles, appText.roles);
  const [selected, setSelected] = useState<string | null>(null);
  const list = employees.data?.employees ?? [];
  const current = list.find((employee) => employee.id === selected) ?? null;

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{t.title}</h1>
      <div className="owner-columns">
        <ListSection id="staff-list-title" title={t.caption} hideTitle>
          <label className="owner-check">
            <input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} />
            {t.showInactive}
          </label>
          <Listing read={employees} count={list.length} empty={t.empty}>
            <DataTable
              className="table owner-table"
              scroll="owner-scroll"
              caption={t.caption}
              columns={[
                { title: t.name },
                { title: t.roles },
                { title: t.status },
                { title: t.openShort, hidden: true },
              ]}
            >
              {list.map((employee) => (
                <tr key={employee.id} className={rowClass(employee.id === selected, employee.active)}>
                  <th scope="row">
                    {employee.fullName}
                    <div className="muted owner-sub">{employee.position}</div>
                    <div className="muted owner-sub">
                      {[employee.email, employee.phone ? formatPhone(employee.phone) : null].filter(Boolean).join(', ')}
                    </div>
                  </th>
                  <td>{employee.roles.map(nameOf).join(', ')}</td>
                  <td>
                    <ActiveBadge active={employee.active} on={t.active} off={t.inactive} />
                    <div className="muted owner-sub">
                      {t.hired} {formatDate(employee.hiredAt)}
                    </div>
                  </td>
                  <td>
                    <RowToggle
                      label={t.open(employee.fullName)}
                      open={employee.id === selected}
                      onToggle={() => setSelected(employee.id === selected ? null : employee.id)}
                    >
                      {t.openShort}
                    </RowToggle>
                  </td>
                </tr>
              ))}
            </DataTable>
          </Listing>
        </ListSection>
        <div className="stack">
          {current && (
            <EmployeePanel
              key={current.id}
              me={me}
              employee={current}
              roles={roles.data?.roles}
              nameOf={nameOf}
              onClose={() => setSelected(null)}
            />
          )}
          {can(me, 'staff.edit') && (
            <HireForm
              roles={roles.data?.roles}
              onHired={(id) => {
                setSelected(id);
              }}
            />
          )}
        </div>
      </div>
    </div>
  );
}

/** Role checkboxes: every role of the shop, plus any the employee holds that the list lacks. */
function RoleChoice({
  roles,
  chosen,
  onChange,
  nameOf,
  legend,
}: {
  roles: Role[] | undefined;
  chosen: string[];
  onChange: (codes: string[]) => void;
  nameOf: (code: string) => string;
  legend: string;
}) {
  // An archived role is offered no more; one the employee still holds stays, to be taken away.
  const archived = new Set((roles ?? []).filter((role) => role.archived).map((role) => role.code));
  const codes = (roles ?? []).filter((role) => !role.archived).map((role) => role.code);
  for (const code of chosen) if (!codes.includes(code)) codes.push(code);
  if (roles === undefined && codes.length === 0) return <p className="muted">{t.assign.noRoles}</p>;
  return (
    <fieldset className="owner-fieldset">
      <legend>{legend}</legend>
      <div className="owner-roles">
        {codes.map((code) => (
          <label key={code} className="owner-check">
            <input
              type="checkbox"
              checked={chosen.includes(code)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, code] : chosen.filter((c) => c !== code))}
            />
            {nameOf(code)}
            {archived.has(code) && <span className="muted owner-sub">{t.assign.archived}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function DetailsInputs({
  values,
  set,
  errors,
}: {
  values: Record<DetailsField, string>;
  set: (field: DetailsField, value: string) => void;
  errors: Partial<Record<DetailsField, string>>;
}) {
  return (
    <>
      <Field label={t.name} error={errors.full_name}>
        {(p) => <input {...p} value={values.full_name} autoComplete="off" onChange={(e) => set('full_name', e.target.value)} />}
      </Field>
      <Field label={t.position} error={errors.position}>
        {(p) => <input {...p} value={values.position} onChange={(e) => set('position', e.target.value)} />}
      </Field>
      <div className="row">
        <Field label={t.email} error={errors.email} hint={t.loginHint}>
          {(p) => (
            <input {...p} type="email" autoComplete="off" value={values.email} onChange={(e) => set('email', e.target.value)} />
          )}
        </Field>
        <Field label={t.phone} error={errors.phone}>
          {(p) => <input {...p} type="tel" autoComplete="off" value={values.phone} onChange={(e) => set('phone', e.target.value)} />}
        </Field>
      </div>
    </>
  );
}

/** What the form can tell before asking the server: the required fields and a login. */
function checkDetails(values: Record<DetailsField, string>): Partial<Record<DetailsField, string>> {
  const found: Partial<Record<DetailsField, string>> = {};
  if (!values.full_name.trim()) found.full_name = text.required;
  if (!values.position.trim()) found.position = text.required;
  if (!values.email.trim() && !values.phone.trim()) found.email = t.loginRequired;
  return found;
}

function HireForm({ roles, onHired }: { roles: Role[] | undefined; onHired: (id: string) => void }) {
  const f = t.hire;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(DETAILS_FIELDS);
  const nameOf = roleNames(roles, appText.roles);
  const blank = { full_name: '', position: '', email: '', phone: '' };
  const [values, setValues] = useState<Record<DetailsField, string>>(blank);
  const [chosen, setChosen] = useState<string[]>([]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!passes({ fields: checkDetails(values), form: null })) return;
    const id = newId();
    const name = values.full_name.trim();
    const ok = await command.run(() =>
      send('staff', STAFF, 'hire', {
        employee_id: id,
        full_name: name,
        position: values.position.trim(),
        email: orNull(values.email),
        phone: orNull(values.phone),
        roles: chosen,
      }),
    );
    if (ok) {
      setDone(f.done(name));
      setValues(blank);
      setChosen([]);
      refreshOwner(client);
      onHired(id);
    }
  }

  return (
    <form className="card stack owner-form" aria-labelledby="staff-hire-title" onSubmit={submit} noValidate>
      <h2 id="staff-hire-title">{f.title}</h2>
      <DetailsInputs values={values} set={(field, value) => setValues((v) => ({ ...v, [field]: value }))} errors={errors.fields} />
      <RoleChoice roles={roles} chosen={chosen} onChange={setChosen} nameOf={nameOf} legend={t.roles} />
      <FormEnd error={errors.form} done={done}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {command.busy ? text.saving : f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function EmployeePanel({
  me,
  employee,
  roles,
  nameOf,
  onClose,
}: {
  me: Me | undefined;
  employee: Employee;
  roles: Role[] | undefined;
  nameOf: (code: string) => string;
  onClose: () => void;
}) {
  return (
    <section className="card stack" aria-labelledby="staff-panel-title">
      <div className="row owner-actions">
        <h2 id="staff-panel-title" className="owner-panel-title">
          {t.panel(employee.fullName)}
        </h2>
        <button type="button" className="button button--small" onClick={onClose}>
          {t.close}
        </button>
      </div>
      {can(me, 'staff.edit') && <DetailsForm employee={employee} />}
      {can(me, 'staff.assign_roles') && <RolesForm employee={employee} roles={roles} nameOf={nameOf} />}
      {can(me, 'staff.deactivate') && <ActiveSwitch employee={employee} />}
      {can(me, 'staff.reset_password') && employee.active && <PasswordForm employee={employee} />}
      {can(me, 'security.manage') && <EndSessions employee={employee} />}
    </section>
  );
}

function DetailsForm({ employee }: { employee: Employee }) {
  const f = t.details;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(DETAILS_FIELDS);
  const [values, setValues] = useState<Record<DetailsField, string>>({
    full_name: employee.fullName,
    position: employee.position,
    email: employee.email ?? '',
    phone: employee.phone ?? '',
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!passes({ fields: checkDetails(values), form: null })) return;
    const ok = await command.run(() =>
      send('staff', STAFF, 'change_details', {
        employee_id: employee.id,
        full_name: values.full_name.trim(),
        position: values.position.trim(),
        email: orNull(values.email),
        phone: orNull(values.phone),
      }),
    );
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  return (
    <form className="stack owner-section owner-form" aria-label={f.title} onSubmit={submit} noValidate>
      <h3>{f.title}</h3>
      <DetailsInputs values={values} set={(field, value) => setValues((v) => ({ ...v, [field]: value }))} errors={errors.fields} />
      <FormEnd error={errors.form} done={done}>
        <button type="submit" className="button" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function RolesForm({ employee, roles, nameOf }: { employee: Employee; roles: Role[] | undefined; nameOf: (code: string) => string }) {
  const f = t.assign;
  const client = useQueryClient();
  const command = useCommand();
  const [chosen, setChosen] = useState<string[]>(employee.roles);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const ok = await command.run(() => send('staff', STAFF, 'assign_roles', { employee_id: employee.id, roles: chosen }));
    if (ok) {
      setDone(f.done);
      refreshOwner(client);
    }
  }
  return (
    <form className="stack owner-section" aria-label={f.title} onSubmit={submit} noValidate>
      <RoleChoice roles={roles} chosen={chosen} onChange={setChosen} nameOf={nameOf} legend={f.title} />
      <FormEnd error={command.error} done={done}>
        <button type="submit" className="button" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function ActiveSwitch({ employee }: { employee: Employee }) {
  const f = t.access;
  const client = useQueryClient();
  const command = useCommand();
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  async function change(active: boolean) {
    setDone(null);
    setConfirming(false);
    const ok = await command.run(() =>
      send('staff', STAFF, active ? 'reactivate' : 'deactivate', { employee_id: employee.id }),
    );
    if (ok) {
      setDone(active ? f.reactivated : f.deactivated);
      refreshOwner(client);
    }
  }
  return (
    <div className="stack owner-section" role="group" aria-labelledby={`staff-access-${employee.id}`}>
      <h3 id={`staff-access-${employee.id}`}>{f.title}</h3>
      {employee.active ? (
        confirming ? (
          <div className="stack">
            <p>{f.confirmDeactivate(employee.fullName)}</p>
            <div className="owner-actions">
              <button type="button" className="button button--danger" disabled={command.busy} onClick={() => void change(false)}>
                {f.deactivate}
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                {text.cancel}
              </button>
            </div>
          </div>
        ) : (
          <div>
            <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
              {f.deactivate}
            </button>
          </div>
        )
      ) : (
        <div>
          <button type="button" className="button" disabled={command.busy} onClick={() => void change(true)}>
            {f.reactivate}
          </button>
        </div>
      )}
      <CommandError error={command.error} />
      <Done message={done} />
    </div>
  );
}

function PasswordForm({ employee }: { employee: Employee }) {
  const f = t.password;
  const command = useCommand();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const ok = await command.run(() =>
      call(`${AUTH_BASE}/employees/${encodeURIComponent(employee.id)}/password`, {
        method: 'POST',
        body: { new_password: password },
      }),
    );
    if (ok) {
      setDone(f.done);
      setPassword('');
    }
  }
  const errors = command.failure ? placeError(command.failure, { new_password: 'password' as const }) : null;
  return (
    <form className="stack owner-section owner-form" aria-label={f.title} onSubmit={submit} noValidate>
      <h3>{f.title}</h3>
      <Field label={f.label} error={errors?.fields.password} hint={f.hint}>
        {(p) => (
          <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      <FormEnd error={errors?.form} done={done}>
        <button type="submit" className="button" disabled={command.busy || password === ''}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function EndSessions({ employee }: { employee: Employee }) {
  const f = t.sessions;
  const command = useCommand();
  const [done, setDone] = useState<string | null>(null);

  async function end() {
    setDone(null);
    let ended = 0;
    const ok = await command.run(async () => {
      const answer = await call<{ sessions_ended?: number }>(
        `${AUTH_BASE}/employees/${encodeURIComponent(employee.id)}/end-sessions`,
        { method: 'POST', body: {} },
      );
      ended = answer.body.sessions_ended ?? 0;
    });
    if (ok) setDone(f.done(ended));
  }
  return (
    <div className="stack owner-section">
      <span className="muted owner-hint">{f.hint}</span>
      <div>
        <button type="button" className="button" disabled={command.busy} onClick={() => void end()}>
          {f.submit}
        </button>
      </div>
      <CommandError error={command.error} />
      <Done message={done} />
    </div>
  );
}
