/**
 * How the mechanics' figures are written out. Every figure and ratio is the server's
 * (`mechanicFigures`, computed once in the query API): this module only formats them and turns the
 * chosen dates into the instants the query takes.
 */
import { addDays, parseIsoDate } from '../planning/logic.ts';

/** Basis points as a percentage with one decimal: 11250 → «112,5 %»; none → «—». */
export function formatBasisPoints(basisPoints: number | null | undefined): string {
  if (basisPoints == null) return '—';
  const tenths = Math.round(basisPoints / 10);
  const sign = tenths < 0 ? '−' : '';
  const abs = Math.abs(tenths);
  const rest = abs % 10;
  return `${sign}${Math.trunc(abs / 10)}${rest === 0 ? '' : `,${rest}`} %`;
}

/** Whole minutes as hours and minutes: 74 → «1 ч 14 мин», 45 → «45 мин», 120 → «2 ч». */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  const hours = Math.trunc(m / 60);
  const rest = m % 60;
  if (hours === 0) return `${rest} мин`;
  return rest === 0 ? `${hours} ч` : `${hours} ч ${rest} мин`;
}

/**
 * The instants for local dates `from`..`to` (both included): from the first day's midnight to the
 * midnight after the last; null when a date is missing or the period runs backwards.
 */
export function periodOfDates(from: string, to: string): { from: string; to: string } | null {
  const first = parseIsoDate(from);
  const last = parseIsoDate(to);
  if (!first || !last || last < first) return null;
  return { from: first.toISOString(), to: addDays(last, 1).toISOString() };
}

/** The first and last local dates of the month `day` is in. */
export function monthOf(day: Date): { first: Date; last: Date } {
  return { first: new Date(day.getFullYear(), day.getMonth(), 1), last: new Date(day.getFullYear(), day.getMonth() + 1, 0) };
}
