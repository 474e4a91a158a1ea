/**
 * Роли и права: the shop's roles against the one permission catalogue (grouped by area, each
 * permission in Russian), with roles created, renamed, archived and taken back, and each box a
 * grant or a revoke. A change applies to every holder's next request (the services read roles
 * afresh on each one), and the screen says so.
 *
 * The screen offers only what the server would accept and says why not beside what it withholds:
 * the owner role's column is fixed; an archived role takes no edits; a permission the user does not
 * hold cannot be granted. The server decides anyway, and its Russian words are shown when it
 * refuses. Each role's history (who changed what, when) opens beside the table.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { send, type CommandBody } from '../../api/commands.ts';
import { LoadError } from '../../app/LoadError.tsx';
import { RowToggle } from '../../app/DataTable.tsx';
import { can, useMe } from '../../auth/me.ts';
import { formatDateTime } from '../../format/dates.ts';
import { refreshOwner } from '../queries.ts';
import { ActiveBadge, CommandError, Done, Field, OwnerNav, useCommand } from '../ui.tsx';
import {
  allows,
  groupByArea,
  lockOf,
  OWNER_ROLE,
  sortRoles,
  validCode,
  type Area,
  type EditorRole,
  type Lock,
} from './logic.ts';
import { useRoleHistory, useRolesEditor } from './queries.ts';
import { text } from './text.ts';
import './roles.css';

/** A permission's code as the command API takes it (the catalogue lists the same codes). */
type PermissionCode = CommandBody<'role', 'grant'>['permissions'][number];

/** The words a locked box points to (aria-describedby); an archived role has no column. */
const LOCK_NOTE: Record<Exclude<Lock, 'not_held' | null>, string> = {
  owner: 'roles-lock-owner',
  archived: 'roles-lock-owner',
  no_edit: 'roles-lock-no-edit',
};

export function RolesPage() {
  const me = useMe().data?.me;
  const editor = useRolesEditor();
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const mayEdit = can(me, 'role.edit');

  /** After any change: every owner read again, and the user's own permissions (their role may be the one changed). */
  async function refreshed(message: string) {
    setDone(message);
    refreshOwner(client);
    await client.invalidateQueries({ queryKey: ['me'] });
  }

  const roles = editor.data?.roles ?? [];
  const { current, archived } = sortRoles(roles);
  const historyRole = roles.find((r) => r.code === historyOf) ?? null;

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{text.title}</h1>
      <p className="roles-intro">{text.intro}</p>
      {!mayEdit && (
        <p className="muted" id={LOCK_NOTE.no_edit}>
          {text.readOnly}
        </p>
      )}
      <Done message={done} />
      {editor.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : editor.isError ? (
        <LoadError error={editor.error} retry={() => void editor.refetch()} />
      ) : (
        <>
          <div className="owner-columns">
            <RoleList
              roles={[...current, ...archived]}
              mayEdit={mayEdit}
              mayReadHistory={can(me, 'history.read')}
              historyOf={historyOf}
              onHistory={(code) => setHistoryOf(code === historyOf ? null : code)}
              onChanged={refreshed}
            />
            <div className="stack">
              {historyRole && (
                <HistoryPanel key={historyRole.code} role={historyRole} onClose={() => setHistoryOf(null)} />
              )}
              {mayEdit && <CreateRole onCreated={refreshed} />}
            </div>
          </div>
          <Matrix
            areas={groupByArea(editor.data.permissionCatalogue)}
            roles={current}
            userPermissions={me?.permissions ?? []}
            onChanged={refreshed}
          />
        </>
      )}
    </div>
  );
}

/** The roles with their state and what can be done to each. */
function RoleList({
  roles,
  mayEdit,
  mayReadHistory,
  historyOf,
  onHistory,
  onChanged,
}: {
  roles: EditorRole[];
  mayEdit: boolean;
  mayReadHistory: boolean;
  historyOf: string | null;
  onHistory: (code: string) => void;
  onChanged: (message: string) => Promise<void>;
}) {
  const command = useCommand();
  const [renaming, setRenaming] = useState<string | null>(null);
  const t = text.roles;

  async function archive(role: EditorRole, back: boolean) {
    const ok = await command.run(() => send('role', role.code, back ? 'unarchive' : 'archive', {}));
    if (ok) await onChanged(back ? t.unarchivedDone(role.name) : t.archivedDone(role.name));
  }

  return (
    <section className="card stack" aria-labelledby="roles-list-title">
      <h2 id="roles-list-title">{t.title}</h2>
      {mayEdit && <p className="muted owner-hint">{t.archiveHint}</p>}
      <CommandError error={command.error} />
      <div className="owner-scroll">
        <table className="table owner-table">
          <caption className="visually-hidden">{t.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.code}</th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((role) => (
              <tr key={role.code} className={role.archived ? 'owner-table__inactive' : ''}>
                <th scope="row">
                  {renaming === role.code ? (
                    <RenameForm
                      role={role}
                      onCancel={() => setRenaming(null)}
                      onRenamed={async (name) => {
                        setRenaming(null);
                        await onChanged(t.renamedDone(name));
                      }}
                    />
                  ) : (
                    role.name
                  )}
                </th>
                <td>
                  <code>{role.code}</code>
                </td>
                <td>
                  {role.code === OWNER_ROLE ? (
                    <span className="badge badge--ok">{t.owner}</span>
                  ) : (
                    <ActiveBadge active={!role.archived} on={t.current} off={t.archived} />
                  )}
                </td>
                <td>
                  <div className="owner-actions">
                    {mayEdit && !role.archived && renaming !== role.code && (
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        aria-label={t.renameOf(role.name)}
                        onClick={() => setRenaming(role.code)}
                      >
                        {t.rename}
                      </button>
                    )}
                    {mayEdit && role.code !== OWNER_ROLE && (
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        aria-label={role.archived ? t.unarchiveOf(role.name) : t.archiveOf(role.name)}
                        disabled={command.busy}
                        onClick={() => void archive(role, role.archived)}
                      >
                        {role.archived ? t.unarchive : t.archive}
                      </button>
                    )}
                    {mayReadHistory && (
                      <RowToggle label={t.historyOf(role.name)} open={historyOf === role.code} onToggle={() => onHistory(role.code)}>
                        {t.history}
                      </RowToggle>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RenameForm({
  role,
  onCancel,
  onRenamed,
}: {
  role: EditorRole;
  onCancel: () => void;
  onRenamed: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(role.name);
  const command = useCommand();
  const t = text.roles;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await command.run(() => send('role', role.code, 'rename', { name }));
    if (ok) await onRenamed(name.trim());
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label={t.renameOf(role.name)}>
      <Field label={t.newName} error={command.error}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <div className="owner-actions">
        <button type="submit" className="button button--small" disabled={command.busy}>
          {t.save}
        </button>
        <button type="button" className="button button--small button--ghost" onClick={onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}

/** A new role: its stable code and its name; what it allows is ticked in the table afterwards. */
function CreateRole({ onCreated }: { onCreated: (message: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<{ name?: string; code?: string }>({});
  const command = useCommand();
  const t = text.create;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: { name?: string; code?: string } = {};
    if (!name.trim()) found.name = t.required;
    if (!validCode(code)) found.code = t.badCode;
    setErrors(found);
    if (found.name || found.code) return;
    const ok = await command.run(() => send('role', code, 'create', { name, permissions: [] }));
    if (ok) {
      await onCreated(t.done(name.trim()));
      setName('');
      setCode('');
    }
  }

  // The server's refusal goes beside the field it is about, else under the form.
  const onName = command.failure?.code === 'required' || command.failure?.code === 'too_long';
  const onCode = command.failure?.code === 'already_exists' || command.failure?.code === 'invalid_code';
  return (
    <form className="card stack owner-form" onSubmit={(e) => void submit(e)} aria-labelledby="role-create-title" noValidate>
      <h2 id="role-create-title">{t.title}</h2>
      <div className="row">
        <Field label={t.name} error={errors.name ?? (onName ? command.error : null)}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t.code} hint={t.codeHint} error={errors.code ?? (onCode ? command.error : null)}>
          {(props) => (
            <input {...props} value={code} onChange={(e) => setCode(e.target.value.trim())} autoCapitalize="off" spellCheck={false} />
          )}
        </Field>
      </div>
      {!onName && !onCode && <CommandError error={command.error} />}
      <div className="owner-actions">
        <button type="submit" className="button" disabled={command.busy}>
          {t.submit}
        </button>
      </div>
    </form>
  );
}

/**
 * Roles × permissions. Every box is a labelled checkbox; one the user may not change is disabled
 * and tied (aria-describedby) to the words saying why. A box shows its new state while its command
 * is on the way and goes back if the server refuses.
 */
function Matrix({
  areas,
  roles,
  userPermissions,
  onChanged,
}: {
  areas: Area[];
  roles: EditorRole[];
  userPermissions: readonly string[];
  onChanged: (message: string) => Promise<void>;
}) {
  const command = useCommand();
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const key = (role: EditorRole, permission: string) => `${role.code} ${permission}`;

  async function toggle(role: EditorRole, permission: string, grant: boolean) {
    const k = key(role, permission);
    setPending((p) => ({ ...p, [k]: grant }));
    const ok = await command.run(() =>
      send('role', role.code, grant ? 'grant' : 'revoke', { permissions: [permission as PermissionCode] }),
    );
    if (ok) await onChanged(text.applied(role.name));
    setPending((p) => {
      const rest = { ...p };
      delete rest[k];
      return rest;
    });
  }

  return (
    <section className="card stack" aria-labelledby="roles-matrix-title">
      <h2 id="roles-matrix-title">{text.matrixCaption}</h2>
      <p className="muted owner-hint" id={LOCK_NOTE.owner}>
        {text.locks.owner}
      </p>
      <CommandError error={command.error} />
      <div className="owner-scroll roles-scroll">
        <table className="table roles-matrix">
          <caption className="visually-hidden">{text.matrixCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{text.permission}</th>
              {roles.map((role) => (
                <th scope="col" key={role.code} className="roles-matrix__role">
                  {role.name}
                </th>
              ))}
            </tr>
          </thead>
          {areas.map((area) => (
            <tbody key={area.area}>
              <tr className="roles-matrix__area">
                <th scope="colgroup" colSpan={roles.length + 1}>
                  {area.areaName}
                </th>
              </tr>
              {area.permissions.map((permission) => {
                const held = userPermissions.includes(permission.code);
                const noteId = `roles-not-held-${permission.code.replace(/\W/g, '-')}`;
                return (
                  <tr key={permission.code}>
                    <th scope="row" className="roles-matrix__permission">
                      {permission.description}
                      <div className="muted owner-sub">
                        <code>{permission.code}</code>
                        {!held && (
                          <span className="roles-matrix__lack" id={noteId}>
                            {' · '}
                            {text.locks.not_held}
                          </span>
                        )}
                      </div>
                    </th>
                    {roles.map((role) => {
                      const lock = lockOf(role, permission.code, userPermissions);
                      const k = key(role, permission.code);
                      const checked = pending[k] ?? allows(role, permission.code);
                      const describedBy =
                        lock === null ? undefined : lock === 'not_held' ? noteId : LOCK_NOTE[lock];
                      return (
                        <td key={role.code} className="roles-matrix__cell">
                          <input
                            type="checkbox"
                            aria-label={text.box(role.name, permission.description)}
                            aria-describedby={describedBy}
                            checked={checked}
                            disabled={lock !== null || k in pending}
                            onChange={(e) => void toggle(role, permission.code, e.target.checked)}
                          />
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}

/** Who changed the role and when, oldest first, in the history's own Russian words. */
function HistoryPanel({ role, onClose }: { role: EditorRole; onClose: () => void }) {
  const history = useRoleHistory(role.code);
  const t = text.history;
  return (
    <section className="card stack" aria-labelledby="role-history-title">
      <div className="row">
        <h2 id="role-history-title" className="owner-panel-title">
          {text.roles.historyOf(role.name)}
        </h2>
        <button type="button" className="button button--small button--ghost" onClick={onClose}>
          {t.close}
        </button>
      </div>
      {history.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : history.isError ? (
        <LoadError error={history.error} retry={() => void history.refetch()} />
      ) : history.data.history.nodes.length === 0 ? (
        <p className="muted">{t.empty}</p>
      ) : (
        <table className="table owner-table">
          <caption className="visually-hidden">{text.roles.historyOf(role.name)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.when}</th>
              <th scope="col">{t.who}</th>
              <th scope="col">{t.what}</th>
            </tr>
          </thead>
          <tbody>
            {history.data.history.nodes.map((entry) => (
              <tr key={entry.version}>
                <td>{formatDateTime(entry.at)}</td>
                <td>{entry.actorName ?? entry.actor}</td>
                <td>{entry.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
