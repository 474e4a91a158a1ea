import { describe, expect, it } from 'vitest';
import { chosenVersion, formatAmountOf, versionAt } from './logic.ts';

const events = [
  { version: 1, at: '2026-12-05T10:00:00Z' },
  { version: 2, at: '2026-12-05T10:05:00Z' },
  { version: 3, at: '2026-12-05T10:05:00Z' },
  { version: 4, at: '2026-12-05T11:00:00Z' },
];

describe('versionAt', () => {
  it('picks the last event recorded by the instant, every event of that instant included', () => {
    expect(versionAt(events, '2026-12-05T10:05:00Z')).toBe(3);
    expect(versionAt(events, '2026-12-05T10:59:59Z')).toBe(3);
    expect(versionAt(events, '2026-12-06T00:00:00Z')).toBe(4);
  });
  it('says the record did not exist before its first event', () => {
    expect(versionAt(events, '2026-12-05T09:59:59Z')).toBeNull();
    expect(versionAt([], '2026-12-05T10:00:00Z')).toBeNull();
    expect(versionAt(events, 'not a date')).toBeNull();
  });
});

describe('chosenVersion', () => {
  it('keeps the address within the history and defaults to now', () => {
    expect(chosenVersion(null, 4)).toBe(4);
    expect(chosenVersion('2', 4)).toBe(2);
    expect(chosenVersion('0', 4)).toBe(1);
    expect(chosenVersion('99', 4)).toBe(4);
    expect(chosenVersion('abc', 4)).toBe(4);
    expect(chosenVersion('1', 0)).toBeNull();
  });
});

describe('formatAmountOf', () => {
  it('writes quantities the Russian way without idle zeros', () => {
    expect(formatAmountOf('2.000')).toBe('2');
    expect(formatAmountOf('1.500')).toBe('1,5');
    expect(formatAmountOf('0.250')).toBe('0,25');
    expect(formatAmountOf('10.000')).toBe('10');
    expect(formatAmountOf('10')).toBe('10');
  });
});
