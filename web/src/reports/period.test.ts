import { describe, expect, it } from 'vitest';
import { isoDate } from '../planning/logic.ts';
import { endOfDay, presetDates, presetOf } from './period.ts';

describe('the reports’ period', () => {
  const today = new Date(2026, 1, 14); // 14 February 2026

  it('knows this month, last month, this quarter and this year, both ends included', () => {
    expect(presetDates('month', today)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(presetDates('lastMonth', today)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(presetDates('quarter', today)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(presetDates('year', today)).toEqual({ from: '2026-01-01', to: '2026-12-31' });
  });

  it('crosses a year back for last month in January, and finds the last quarter', () => {
    expect(presetDates('lastMonth', new Date(2027, 0, 5))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetDates('quarter', new Date(2026, 11, 5))).toEqual({ from: '2026-10-01', to: '2026-12-31' });
  });

  it('reads a preset from the address, this month by default', () => {
    expect(presetOf('quarter')).toBe('quarter');
    expect(presetOf('custom')).toBe('custom');
    expect(presetOf('weird')).toBe('month');
    expect(presetOf(null)).toBe('month');
  });

  it('takes "as of a date" as the midnight after it', () => {
    const at = endOfDay('2026-12-05');
    expect(at).not.toBeNull();
    expect(isoDate(new Date(at!))).toBe('2026-12-06');
    expect(new Date(at!).getHours()).toBe(0);
    expect(endOfDay('2026-02-30')).toBeNull();
  });
});
