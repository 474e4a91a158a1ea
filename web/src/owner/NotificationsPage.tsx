/**
 * Сообщения клиентам: for each status change the shop may tell a client about, its SMS and its
 * e-mail as the owner wrote them (a channel without a text is not sent: there is no built-in
 * wording), the placeholders it may use put in with a click, and the quiet hours when nothing goes
 * out. Each form is its own command (`set_notification_template`, `remove_notification_template`,
 * `set_quiet_hours`, permission `settings.edit_requisites`); the domain checks every text and its
 * refusal stands beside the form it is about.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { send } from '../api/commands.ts';
import type { OwnerNotificationsQuery } from '../api/generated/graphql/graphql.ts';
import { LoadError } from '../app/LoadError.tsx';
import { can, useMe } from '../auth/me.ts';
import {
  CHANNELS,
  capitalized,
  checkTemplate,
  channelCode,
  insertPlaceholder,
  readQuietHours,
  TEMPLATE_FIELDS,
  templateBody,
  templateFor,
  triggerCode,
  type Channel,
  type QuietField,
  type TemplateField,
} from './notifications.ts';
import { SHOP } from './logic.ts';
import { refreshOwner, useNotificationSettings } from './queries.ts';
import { text } from './text.ts';
import { ActiveBadge, CommandError, Done, Field, OwnerNav, useCheckedForm } from './ui.tsx';

const t = text.notifications;

type Settings = OwnerNotificationsQuery['settings'];
type TriggerInfo = Settings['notificationTriggers'][number];
type Template = Settings['notificationTemplates'][number];

export function NotificationsPage() {
  const me = useMe().data?.me;
  const settings = useNotificationSettings();
  const allowed = can(me, 'settings.edit_requisites');

  return (
    <div className="stack">
      <OwnerNav me={me} />
      <h1>{t.title}</h1>
      <p className="muted">{t.intro}</p>
      {!allowed && <p className="muted">{text.settings.readOnly}</p>}
      {settings.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : settings.isError ? (
        <LoadError error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <div className="stack">
          <QuietHoursForm quiet={settings.data.settings.quietHours ?? null} allowed={allowed} />
          {settings.data.settings.notificationTriggers.length === 0 && <p className="muted">{t.empty}</p>}
          {settings.data.settings.notificationTriggers.map((info) => (
            <TriggerBlock
              key={info.code}
              info={info}
              templates={settings.data.settings.notificationTemplates}
              allowed={allowed}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/** One status change: what it may say, and its SMS and e-mail side by side. */
function TriggerBlock({ info, templates, allowed }: { info: TriggerInfo; templates: Template[]; allowed: boolean }) {
  const id = `notification-${info.code}`;
  const name = capitalized(info.name);
  return (
    <section className="card stack" aria-labelledby={id}>
      <h2 id={id}>{name}</h2>
      <div className="owner-grid">
        {CHANNELS.map((channel) => (
          <TemplateForm
            key={channel}
            info={info}
            name={name}
            channel={channel}
            template={templateFor(templates, info.trigger, channel)}
            allowed={allowed}
          />
        ))}
      </div>
    </section>
  );
}

function TemplateForm({
  info,
  name,
  channel,
  template,
  allowed,
}: {
  info: TriggerInfo;
  name: string;
  channel: Channel;
  template: Template | undefined;
  allowed: boolean;
}) {
  const client = useQueryClient();
  const headingId = useId();
  const { command, done, setDone, errors, passes } = useCheckedForm<TemplateField>(TEMPLATE_FIELDS);
  const [subject, setSubject] = useState(template?.subject ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const email = channel === 'EMAIL';
  const channelName = t.channel[channel];

  // Where a placeholder goes: the field the owner was last in (the text until they pick another).
  const fields = { subject: useRef<HTMLInputElement>(null), body: useRef<HTMLTextAreaElement>(null) };
  const [target, setTarget] = useState<TemplateField>('body');
  const focused = useRef<Record<TemplateField, boolean>>({ subject: false, body: false });

  function insert(placeholder: string) {
    const element = fields[target].current;
    const [value, set] = target === 'subject' ? [subject, setSubject] : [body, setBody];
    const selection =
      element && focused.current[target] ? { start: element.selectionStart ?? 0, end: element.selectionEnd ?? 0 } : null;
    const next = insertPlaceholder(value, placeholder, selection);
    set(next.value);
    // The caret after what was put in, once the field shows the new text.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.caret, next.caret);
    });
  }

  const entered = (field: TemplateField) => () => {
    setTarget(field);
    focused.current[field] = true;
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    const written = { trigger: info.trigger, channel, subject, body };
    if (!passes(checkTemplate(written))) return;
    const ok = await command.run(() => send('settings', SHOP, 'set_notification_template', templateBody(written)));
    if (ok) {
      setDone(t.saved);
      refreshOwner(client);
    }
  }

  async function remove() {
    if (!passes({ fields: {}, form: null })) return;
    const ok = await command.run(() =>
      send('settings', SHOP, 'remove_notification_template', {
        trigger: triggerCode(info.trigger),
        channel: channelCode(channel),
      }),
    );
    if (ok) {
      setDone(t.removed);
      refreshOwner(client);
    }
  }

  return (
    <form
      className="stack owner-form owner-fieldset"
      aria-label={t.form(name, channelName)}
      onSubmit={(e) => void save(e)}
      noValidate
      data-trigger={info.code}
      data-channel={channelCode(channel)}
    >
      <div className="owner-actions">
        <h3 id={headingId} className="owner-panel-title">
          {channelName}
        </h3>
        <ActiveBadge active={template !== undefined} on={t.on} off={t.off} />
      </div>
      <fieldset className="stack owner-plain" disabled={!allowed} aria-labelledby={headingId}>
        {email && (
          <Field label={t.subject} error={errors.fields.subject}>
            {(p) => (
              <input
                {...p}
                ref={fields.subject}
                value={subject}
                onFocus={entered('subject')}
                onChange={(e) => setSubject(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field label={t.body} error={errors.fields.body} hint={email ? undefined : t.bodySmsHint}>
          {(p) => (
            <textarea
              {...p}
              ref={fields.body}
              rows={email ? 6 : 3}
              value={body}
              onFocus={entered('body')}
              onChange={(e) => setBody(e.target.value)}
            />
          )}
        </Field>
        <div role="group" aria-label={t.placeholders} className="stack">
          <span className="muted owner-hint">{t.placeholdersHint}</span>
          <div className="owner-actions">
            {info.placeholders.map((placeholder) => (
              <button
                key={placeholder}
                type="button"
                className="button button--small button--ghost"
                title={t.placeholderMeaning[placeholder]}
                aria-label={t.insert(placeholder)}
                onClick={() => insert(placeholder)}
              >
                {`{${placeholder}}`}
              </button>
            ))}
          </div>
        </div>
        <CommandError error={errors.form} />
        <Done message={done} />
        {allowed && (
          <div className="owner-actions">
            <button type="submit" className="button button--primary" disabled={command.busy}>
              {command.busy ? text.saving : t.save}
            </button>
            {template !== undefined && (
              <button type="button" className="button" disabled={command.busy} onClick={() => void remove()}>
                {t.remove}
              </button>
            )}
          </div>
        )}
      </fieldset>
    </form>
  );
}

const QUIET_FIELDS: Partial<Record<string, QuietField>> = { from: 'from', until: 'until' };

function QuietHoursForm({ quiet, allowed }: { quiet: Settings['quietHours'] | null; allowed: boolean }) {
  const f = t.quiet;
  const client = useQueryClient();
  const { command, done, setDone, errors, passes } = useCheckedForm<QuietField>(QUIET_FIELDS);
  const [from, setFrom] = useState(quiet?.from ?? '');
  const [until, setUntil] = useState(quiet?.until ?? '');

  async function apply(hours: { from: string | null; until: string | null }, note: string) {
    const ok = await command.run(() => send('settings', SHOP, 'set_quiet_hours', hours));
    if (ok) {
      setDone(note);
      refreshOwner(client);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const read = readQuietHours(from, until);
    if (!passes(read.ok ? { fields: {}, form: null } : read.errors) || !read.ok) return;
    await apply(read.value, read.value.from === null ? f.removed : f.saved);
  }

  async function remove() {
    if (!passes({ fields: {}, form: null })) return;
    setFrom('');
    setUntil('');
    await apply({ from: null, until: null }, f.removed);
  }

  return (
    <form className="card stack owner-form" aria-labelledby="notifications-quiet" onSubmit={(e) => void save(e)} noValidate>
      <h2 id="notifications-quiet">{f.title}</h2>
      <p data-testid="quiet-now">{quiet ? f.now(quiet.from, quiet.until) : f.none}</p>
      <fieldset className="stack owner-plain" disabled={!allowed}>
        <div className="row">
          <Field label={f.from} error={errors.fields.from}>
            {(p) => <input {...p} type="time" value={from} onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label={f.until} error={errors.fields.until}>
            {(p) => <input {...p} type="time" value={until} onChange={(e) => setUntil(e.target.value)} />}
          </Field>
        </div>
        <span className="muted owner-hint">{f.hint}</span>
        <CommandError error={errors.form} />
        <Done message={done} />
        {allowed && (
          <div className="owner-actions">
            <button type="submit" className="button button--primary" disabled={command.busy}>
              {command.busy ? text.saving : f.save}
            </button>
            {quiet && (
              <button type="button" className="button" disabled={command.busy} onClick={() => void remove()}>
                {f.remove}
              </button>
            )}
          </div>
        )}
      </fieldset>
    </form>
  );
}
