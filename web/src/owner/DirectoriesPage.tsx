/**
 * Справочники: the shop's reference lists (payment methods, cancellation reasons, …), each with its
 * entries: add one, rename it, switch it off and back on. Nothing is ever deleted: an entry named
 * by old documents and by the history stays, only no longer offered. A new entry's code is
 * suggested from its name (the owner may change it before adding; it never changes after).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { send } from '../api/commands.ts';
import { LoadError } from '../app/LoadError.tsx';
import { DataTable } from '../app/DataTable.tsx';
import { can, useMe } from '../auth/me.ts';
import type { OwnerDirectoriesQuery } from '../api/generated/graphql/graphql.ts';
import { suggestCode, type FormErrors } from './logic.ts';
import { refreshOwner, useDirectories } from './queries.ts';
import { text } from './text.ts';
import { ActiveBadge, CommandError, Field, FormEnd, OwnerNav, useCheckedForm, useCommand } from './ui.tsx';

const t = text.directories;

type Directory = OwnerDirectoriesQuery['directories'][number];
type Entry = Directory['entries'][number];
type CodeField = 'code' | 'name';
const CODE_FIELDS: Record<string, CodeField> = { code: 'code', name: 'name' };

export function DirectoriesPage() {
  const me = useMe().data?.me;
  const directories = useDirectories();
  const editable = can(me, 'directory.edit');
  const list = directories.data?.directories ?? [];

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{t.title}</h1>
      <p className="muted">{t.neverDeleted}</p>
      {directories.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : directories.isError ? (
        <LoadError error={directories.error} retry={() => void directories.refetch()} />
      ) : (
        <div className="owner-columns">
          <div className="stack">
            {list.length === 0 && <p className="muted">{t.empty}</p>}
            {list.map((directory) => (
              <DirectoryCard key={directory.code} directory={directory} editable={editable} />
            ))}
          </div>
          {editable && <CreateDirectory />}
        </div>
      )}
    </div>
  );
}

/** A one-field form that renames something, opened from its row. */
function RenameForm({
  label,
  current,
  onSave,
  onDone,
}: {
  label: string;
  current: string;
  onSave: (name: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const command = useCommand();
  const [name, setName] = useState(current);
  const [missing, setMissing] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setMissing(!name.trim());
    if (!name.trim()) return;
    if (await command.run(() => onSave(name.trim()))) onDone();
  }
  return (
    <form className="stack" aria-label={label} onSubmit={submit} noValidate>
      <Field label={t.newName} error={missing ? text.required : command.error}>
        {(p) => <input {...p} value={name} autoFocus onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="owner-actions">
        <button type="submit" className="button button--primary button--small" disabled={command.busy}>
          {text.save}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          {text.cancel}
        </button>
      </div>
    </form>
  );
}

function DirectoryCard({ directory, editable }: { directory: Directory; editable: boolean }) {
  const client = useQueryClient();
  const command = useCommand();
  const [renaming, setRenaming] = useState<string | null>(null);
  const headingId = `directory-${directory.code}`;

  async function toggle(entry: Entry) {
    const ok = await command.run(() =>
      send('directory', directory.code, entry.active ? 'deactivate_entry' : 'reactivate_entry', { code: entry.code }),
    );
    if (ok) refreshOwner(client);
  }

  return (
    <section className="card stack" aria-labelledby={headingId}>
      <div className="row owner-actions">
        <h2 id={headingId} className="owner-panel-title">
          {directory.name} <span className="muted owner-sub">{directory.code}</span>
        </h2>
        {editable && renaming !== '' && (
          <button
            type="button"
            className="button button--small button--ghost"
            aria-label={t.renameDirectoryLabel(directory.name)}
            onClick={() => setRenaming('')}
          >
            {t.renameDirectory}
          </button>
        )}
      </div>
      {renaming === '' && (
        <RenameForm
          label={t.renameDirectoryLabel(directory.name)}
          current={directory.name}
          onSave={async (name) => {
            await send('directory', directory.code, 'rename', { name });
            refreshOwner(client);
          }}
          onDone={() => setRenaming(null)}
        />
      )}
      <DataTable
        className="table owner-table"
        caption={t.entries(directory.name)}
        columns={[
          { title: t.name },
          { title: t.code },
          { title: t.status },
          editable && { title: t.renameShort, hidden: true },
        ]}
      >
        {directory.entries.map((entry) => (
          <tr key={entry.code} className={entry.active ? '' : 'owner-table__inactive'}>
            <th scope="row">
              {renaming === entry.code ? (
                <RenameForm
                  label={t.rename(entry.name)}
                  current={entry.name}
                  onSave={async (name) => {
                    await send('directory', directory.code, 'rename_entry', { code: entry.code, name });
                    refreshOwner(client);
                  }}
                  onDone={() => setRenaming(null)}
                />
              ) : (
                entry.name
              )}
            </th>
            <td>
              <code>{entry.code}</code>
            </td>
            <td>
              <ActiveBadge active={entry.active} />
            </td>
            {editable && (
              <td>
                <div className="owner-actions">
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    aria-label={t.rename(entry.name)}
                    onClick={() => setRenaming(entry.code)}
                  >
                    {t.renameShort}
                  </button>
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    aria-label={entry.active ? t.deactivate(entry.name) : t.reactivate(entry.name)}
                    disabled={command.busy}
                    onClick={() => void toggle(entry)}
                  >
                    {entry.active ? t.deactivateShort : t.reactivateShort}
                  </button>
                </div>
              </td>
            )}
          </tr>
        ))}
      </DataTable>
      <CommandError error={command.error} />
      {editable && <AddEntry directory={directory} />}
    </section>
  );
}

/** A name and its code: the code follows the name until the owner types one of their own. */
function useNameAndCode() {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [codeTyped, setCodeTyped] = useState(false);
  return {
    name,
    code,
    setName(value: string) {
      setName(value);
      if (!codeTyped) setCode(suggestCode(value));
    },
    setCode(value: string) {
      setCode(value);
      setCodeTyped(value !== '');
    },
    reset() {
      setName('');
      setCode('');
      setCodeTyped(false);
    },
  };
}

function NameAndCode({
  form,
  errors,
}: {
  form: ReturnType<typeof useNameAndCode>;
  errors: Partial<Record<CodeField, string>>;
}) {
  return (
    <div className="row">
      <Field label={t.name} error={errors.name}>
        {(p) => <input {...p} value={form.name} onChange={(e) => form.setName(e.target.value)} />}
      </Field>
      <Field label={t.code} error={errors.code} hint={t.codeHint}>
        {(p) => <input {...p} value={form.code} autoComplete="off" onChange={(e) => form.setCode(e.target.value)} />}
      </Field>
    </div>
  );
}

function check(form: { name: string; code: string }): FormErrors<CodeField> {
  const fields: Partial<Record<CodeField, string>> = {};
  if (!form.name.trim()) fields.name = text.required;
  if (!form.code.trim()) fields.code = text.required;
  return { fields, form: null };
}

function AddEntry({ directory }: { directory: Directory }) {
  const f = t.addEntry;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(CODE_FIELDS);
  const form = useNameAndCode();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!passes(check(form))) return;
    const name = form.name.trim();
    const ok = await command.run(() =>
      send('directory', directory.code, 'add_entry', { code: form.code.trim(), name }),
    );
    if (ok) {
      setDone(f.done(name));
      form.reset();
      refreshOwner(client);
    }
  }
  return (
    <form className="stack owner-section owner-form" aria-label={f.title(directory.name)} onSubmit={submit} noValidate>
      <h3>{f.title(directory.name)}</h3>
      <NameAndCode form={form} errors={errors.fields} />
      <FormEnd error={errors.form} done={done}>
        <button type="submit" className="button" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}

function CreateDirectory() {
  const f = t.create;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm(CODE_FIELDS);
  const form = useNameAndCode();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!passes(check(form))) return;
    const name = form.name.trim();
    // The directory's code is its stream's id: the command API checks it as a code.
    const ok = await command.run(() => send('directory', form.code.trim(), 'create', { name }));
    if (ok) {
      setDone(f.done(name));
      form.reset();
      refreshOwner(client);
    }
  }
  return (
    <form className="card stack owner-form" aria-labelledby="directory-create-title" onSubmit={submit} noValidate>
      <h2 id="directory-create-title">{f.title}</h2>
      <NameAndCode form={form} errors={errors.fields} />
      <FormEnd error={errors.form} done={done}>
        <button type="submit" className="button button--primary" disabled={command.busy}>
          {f.submit}
        </button>
      </FormEnd>
    </form>
  );
}
