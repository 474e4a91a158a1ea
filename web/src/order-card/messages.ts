/**
 * The card's «Сообщения клиенту», its pure parts: a message's fate in the shop's words (the log is
 * the truth: these only word what `read.notifications` says) and how a consent was given.
 */
import { formatDateTime } from '../format/dates.ts';

export type NotificationStatus = 'DUE' | 'SENDING' | 'FAILED' | 'SENT' | 'GAVE_UP' | 'UNKNOWN' | 'SKIPPED';

export interface NotificationShape {
  status: NotificationStatus;
  attempts: number;
  nextAt?: string | null;
  reason?: string | null;
  reasonText?: string | null;
  updatedAt: string;
}

/** «после 1 попытки», «после 3 попыток», «после 21 попытки». */
function attemptsAfter(n: number): string {
  const one = n % 10 === 1 && n % 100 !== 11;
  return `${n} ${one ? 'попытки' : 'попыток'}`;
}

/**
 * Where a message stands: «Отправлено 05.12.2026 18:04», «Ждёт отправки до 06.12.2026 09:00» (held
 * by the quiet hours or waiting its turn), «Не отправлено: нет согласия клиента на сообщения»,
 * «Ошибка, попытка 2», «Статус неизвестен», «Отказ после 5 попыток».
 */
export function notificationStatusText(n: NotificationShape): string {
  switch (n.status) {
    case 'SENT':
      return `Отправлено ${formatDateTime(n.updatedAt)}`;
    case 'DUE':
      return n.nextAt ? `Ждёт отправки до ${formatDateTime(n.nextAt)}` : 'Ждёт отправки';
    case 'SENDING':
      return 'Отправляется';
    case 'SKIPPED':
      // The server words the known reasons; an unknown code is still better shown than hidden.
      return `Не отправлено: ${n.reasonText ?? n.reason ?? 'причина не записана'}`;
    case 'FAILED':
      return n.nextAt
        ? `Ошибка, попытка ${n.attempts}; следующая ${formatDateTime(n.nextAt)}`
        : `Ошибка, попытка ${n.attempts}`;
    case 'UNKNOWN':
      // A crash between the call and its record: it may have reached the client; it is not sent again.
      return 'Статус неизвестен';
    case 'GAVE_UP':
      return `Отказ после ${attemptsAfter(n.attempts)}`;
  }
}

/** The badge's colour: sent is good news, a refusal or an unknown fate needs a look. */
export function notificationTone(status: NotificationStatus): 'ok' | 'warning' | 'danger' | 'plain' {
  switch (status) {
    case 'SENT':
      return 'ok';
    case 'FAILED':
    case 'UNKNOWN':
    case 'SKIPPED':
      return 'warning';
    case 'GAVE_UP':
      return 'danger';
    default:
      return 'plain';
  }
}

/** «SMS», «E-mail». */
export function channelName(channel: 'SMS' | 'EMAIL'): string {
  return channel === 'SMS' ? 'SMS' : 'E-mail';
}

/** How the advisor got (or lost) the consent; `link` is the client's own, through the approval page. */
export type ConsentHow = 'paper' | 'in_person' | 'phone';

export const CONSENT_HOW: readonly { value: ConsentHow; label: string }[] = [
  { value: 'paper', label: 'на бумаге' },
  { value: 'in_person', label: 'лично' },
  { value: 'phone', label: 'по телефону' },
];

/** The channels after one is switched: the other stays as it is. */
export function channelsWith(
  current: { sms: boolean; email: boolean },
  channel: 'sms' | 'email',
  open: boolean,
): { sms: boolean; email: boolean } {
  return { sms: current.sms, email: current.email, [channel]: open };
}

/** What became of the approval link's message on one channel, as `send_approval_link` answers. */
export interface LinkMessage {
  channel: 'sms' | 'email' | null;
  queued: boolean;
  /** Why nothing goes (no consent, the channel closed, no address), in the server's words. */
  reason: string | null;
}

/** The answer's `messages` (only when the link was sent with `notify`); anything else reads as none. */
export function linkMessages(reply: unknown): LinkMessage[] {
  if (typeof reply !== 'object' || reply === null) return [];
  const messages = (reply as Record<string, unknown>).messages;
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((m): LinkMessage[] => {
    if (typeof m !== 'object' || m === null) return [];
    const r = m as Record<string, unknown>;
    const channel = r.channel === 'sms' || r.channel === 'email' ? r.channel : null;
    const reason =
      typeof r.reason_text === 'string' ? r.reason_text : typeof r.reason === 'string' ? r.reason : null;
    return [{ channel, queued: r.status === 'queued', reason }];
  });
}

/** «SMS: отправляется клиенту», «E-mail: не отправлено — нет согласия клиента на сообщения». */
export function linkMessageText(m: LinkMessage): string {
  const channel = m.channel === null ? 'Сообщение' : channelName(m.channel === 'sms' ? 'SMS' : 'EMAIL');
  if (m.queued) return `${channel}: отправляется клиенту`;
  return `${channel}: не отправлено — ${m.reason ?? 'причина неизвестна'}`;
}
