/**
 * The reports' period: a preset (this month, last month, this quarter, this year) or dates chosen
 * by hand, both ends included, as local dates of the shop (the browser's zone). The instants the
 * reports take are `figures/logic.ts`'s `periodOfDates`, the same rule the «Выработка» screen uses.
 */
import { addDays, isoDate, parseIsoDate } from '../planning/logic.ts';

export const PRESETS = ['month', 'lastMonth', 'quarter', 'year', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

/** The first and last local dates of a preset's period around `today`. */
export function presetDates(preset: Exclude<Preset, 'custom'>, today: Date): { from: string; to: string } {
  const y = today.getFullYear();
  const m = today.getMonth();
  const span = (first: Date, next: Date) => ({ from: isoDate(first), to: isoDate(addDays(next, -1)) });
  switch (preset) {
    case 'month':
      return span(new Date(y, m, 1), new Date(y, m + 1, 1));
    case 'lastMonth':
      return span(new Date(y, m - 1, 1), new Date(y, m, 1));
    case 'quarter': {
      const q = m - (m % 3);
      return span(new Date(y, q, 1), new Date(y, q + 3, 1));
    }
    case 'year':
      return span(new Date(y, 0, 1), new Date(y + 1, 0, 1));
  }
}

/** A preset's name as the address keeps it, or the default (this month). */
export function presetOf(value: string | null): Preset {
  return PRESETS.find((p) => p === value) ?? 'month';
}

/**
 * The instant "as of the end of" a local date (the midnight after it), for receivables aging; null
 * when it is not a date.
 */
export function endOfDay(date: string): string | null {
  const day = parseIsoDate(date);
  return day ? addDays(day, 1).toISOString() : null;
}
