/**
 * Dates and times in Russian formats («05.12.2026 18:00», «сегодня 14:30»), in the browser's
 * time zone, which is the shop's.
 */
const dateTime = new Intl.DateTimeFormat('ru-RU', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric' });
const timeOnly = new Intl.DateTimeFormat('ru-RU', { hour: '2-digit', minute: '2-digit' });

const parse = (iso: string | Date): Date => (iso instanceof Date ? iso : new Date(iso));

/** «05.12.2026 18:00». */
export function formatDateTime(iso: string | Date | null | undefined): string {
  if (iso == null) return '—';
  return dateTime.format(parse(iso)).replace(',', '');
}

/** «05.12.2026». */
export function formatDate(iso: string | Date | null | undefined): string {
  if (iso == null) return '—';
  return dateOnly.format(parse(iso));
}

/** «сегодня 18:00», «завтра 09:30» or the full date and time. */
export function formatWhen(iso: string | Date | null | undefined, now: Date = new Date()): string {
  if (iso == null) return '—';
  const at = parse(iso);
  const days = Math.round((startOfDay(at).getTime() - startOfDay(now).getTime()) / 86_400_000);
  if (days === 0) return `сегодня ${timeOnly.format(at)}`;
  if (days === 1) return `завтра ${timeOnly.format(at)}`;
  if (days === -1) return `вчера ${timeOnly.format(at)}`;
  return formatDateTime(at);
}

/** Whether a promised time has passed. */
export function isLate(promisedAt: string | null | undefined, now: Date = new Date()): boolean {
  return promisedAt != null && parse(promisedAt).getTime() < now.getTime();
}

export function startOfDay(at: Date): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate());
}

/** The local day [from, to) as ISO instants, for filters such as «закрыты сегодня». */
export function dayRange(day: Date): { from: string; to: string } {
  const from = startOfDay(day);
  const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A `datetime-local` input's value («2026-12-05T18:00») as an ISO instant, or null. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** An instant as a `datetime-local` input's value, in local time. */
export function toLocalInput(iso: string | null | undefined): string {
  if (iso == null) return '';
  const at = parse(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
