import { describe, expect, it } from 'vitest';
import { isoDate } from '../planning/logic.ts';
import { formatBasisPoints, formatMinutes, monthOf, periodOfDates } from './logic.ts';

describe('the mechanics’ figures as written', () => {
  it('writes basis points as a percentage with one decimal, and none as a dash', () => {
    expect(formatBasisPoints(11_250)).toBe('112,5 %');
    expect(formatBasisPoints(6_218)).toBe('62,2 %');
    expect(formatBasisPoints(10_000)).toBe('100 %');
    expect(formatBasisPoints(0)).toBe('0 %');
    expect(formatBasisPoints(null)).toBe('—');
    expect(formatBasisPoints(undefined)).toBe('—');
  });

  it('writes minutes as hours and minutes', () => {
    expect(formatMinutes(74)).toBe('1 ч 14 мин');
    expect(formatMinutes(45)).toBe('45 мин');
    expect(formatMinutes(120)).toBe('2 ч');
    expect(formatMinutes(0)).toBe('0 мин');
  });

  it('turns local dates into the instants of the whole days, and refuses a backward period', () => {
    const period = periodOfDates('2026-12-01', '2026-12-31');
    expect(period).not.toBeNull();
    expect(new Date(period!.from).getDate()).toBe(1);
    expect(new Date(period!.from).getHours()).toBe(0);
    expect(isoDate(new Date(period!.to))).toBe('2027-01-01');
    expect(periodOfDates('2026-12-31', '2026-12-01')).toBeNull();
    expect(periodOfDates('', '2026-12-01')).toBeNull();
    expect(periodOfDates('2026-02-30', '2026-03-01')).toBeNull();
  });

  it('knows a month’s first and last days', () => {
    const { first, last } = monthOf(new Date(2026, 1, 14));
    expect(isoDate(first)).toBe('2026-02-01');
    expect(isoDate(last)).toBe('2026-02-28');
  });
});
