/**
 * «Сообщения клиенту», the rules that need no browser: which template stands for a trigger and a
 * channel, a check of a template before it is sent, a placeholder put where the caret is, and the
 * quiet hours read from their inputs. The domain is the judge (`Template::validated`: unknown
 * placeholders and unpaired braces are its to refuse, in its words); the check here catches only
 * what the form can see at once, so the owner is not sent back for a missing subject.
 */
import type { FormErrors } from './logic.ts';

/** The status changes a client may be told about, as GraphQL names them. */
export type Trigger = 'CAR_ACCEPTED' | 'APPROVAL_LINK' | 'WORK_COMPLETED' | 'INVOICE_ISSUED';
export type Channel = 'SMS' | 'EMAIL';

/** The channels in the order the screen shows them. */
export const CHANNELS: readonly Channel[] = ['SMS', 'EMAIL'];

/** The placeholder only the approval link's message has, and must have. */
export const LINK = 'ссылка';

/** The command API's names for a trigger and a channel (`car_accepted`, `email`). */
export function triggerCode(trigger: Trigger) {
  return trigger.toLowerCase() as Lowercase<Trigger>;
}
export function channelCode(channel: Channel) {
  return channel.toLowerCase() as Lowercase<Channel>;
}

export interface TemplateShape {
  trigger: Trigger;
  channel: Channel;
  subject?: string | null;
  body: string;
}

/** The template written for a trigger and a channel, or undefined: then nothing is sent. */
export function templateFor<T extends TemplateShape>(
  templates: readonly T[],
  trigger: Trigger,
  channel: Channel,
): T | undefined {
  return templates.find((t) => t.trigger === trigger && t.channel === channel);
}

/** «Автомобиль принят» from the domain's «автомобиль принят». */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The names in braces, as far as the braces pair (the domain says when they do not). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

export type TemplateField = 'subject' | 'body';

export const TEMPLATE_FIELDS: Partial<Record<string, TemplateField>> = { subject: 'subject', body: 'body' };

export const templateWords = {
  bodyRequired: 'Напишите текст сообщения',
  subjectRequired: 'У письма должна быть тема',
  linkRequired: 'Вставьте {ссылка}: без неё клиент не получит ссылку на смету',
  linkNotHere: '{ссылка} бывает только в сообщении о согласовании сметы',
} as const;

/**
 * What the form can tell before sending: a text, a subject for an e-mail (an SMS has none: the form
 * does not send one), and `{ссылка}` in the approval link's message and in no other.
 */
export function checkTemplate(template: TemplateShape): FormErrors<TemplateField> {
  const fields: Partial<Record<TemplateField, string>> = {};
  const body = template.body.trim();
  const subject = template.channel === 'EMAIL' ? (template.subject ?? '').trim() : '';
  if (!body) fields.body = templateWords.bodyRequired;
  if (template.channel === 'EMAIL' && !subject) fields.subject = templateWords.subjectRequired;
  const linkIn = (text: string) => placeholdersIn(text).includes(LINK);
  if (template.trigger === 'APPROVAL_LINK') {
    if (body && !linkIn(body) && !linkIn(subject)) fields.body = templateWords.linkRequired;
  } else {
    if (linkIn(body)) fields.body = templateWords.linkNotHere;
    if (linkIn(subject)) fields.subject = templateWords.linkNotHere;
  }
  return { fields, form: null };
}

/** The body of `set_notification_template` for what the form holds (trimmed; no subject on SMS). */
export function templateBody(template: TemplateShape) {
  return {
    trigger: triggerCode(template.trigger),
    channel: channelCode(template.channel),
    subject: template.channel === 'EMAIL' ? (template.subject ?? '').trim() : null,
    body: template.body.trim(),
  };
}

/**
 * `{name}` put in place of the selection (or at the caret) of `value`; the caret after it. A
 * missing selection (the field never focused) puts it at the end, after a space.
 */
export function insertPlaceholder(
  value: string,
  name: string,
  selection: { start: number; end: number } | null,
): { value: string; caret: number } {
  const token = `{${name}}`;
  if (selection === null) {
    const glue = value === '' || /\s$/.test(value) ? '' : ' ';
    const next = `${value}${glue}${token}`;
    return { value: next, caret: next.length };
  }
  const start = Math.max(0, Math.min(selection.start, value.length));
  const end = Math.max(start, Math.min(selection.end, value.length));
  return { value: value.slice(0, start) + token + value.slice(end), caret: start + token.length };
}

export type QuietField = 'from' | 'until';

export const quietWords = {
  both: 'Укажите и начало, и конец, или очистите оба поля',
  time: 'Время в виде ЧЧ:ММ, например 21:00',
} as const;

/**
 * The quiet hours from their two inputs: both times («21:00», «09:00») or both empty (none). The
 * domain refuses the same time twice; that is its word to say.
 */
export function readQuietHours(
  from: string,
  until: string,
): { ok: true; value: { from: string | null; until: string | null } } | { ok: false; errors: FormErrors<QuietField> } {
  const values = { from: from.trim(), until: until.trim() };
  if (!values.from && !values.until) return { ok: true, value: { from: null, until: null } };
  const fields: Partial<Record<QuietField, string>> = {};
  for (const field of ['from', 'until'] as const) {
    if (!values[field]) fields[field] = quietWords.both;
    else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(values[field])) fields[field] = quietWords.time;
  }
  if (Object.keys(fields).length > 0) return { ok: false, errors: { fields, form: null } };
  return { ok: true, value: values };
}
