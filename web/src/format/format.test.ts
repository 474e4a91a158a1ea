import { describe, expect, it } from 'vitest';
import { dayRange, formatDateTime, formatWhen, fromLocalInput, isLate } from './dates.ts';
import {
  formatMoney,
  formatPercentBp,
  isPositive,
  parseNormHoursToTenths,
  parsePercentToBp,
  parseRoublesToKopecks,
} from './money.ts';
import { formatPhone, formatPlate } from './vehicle.ts';

const NBSP = '\u00a0';

describe('money', () => {
  it('writes the domain’s decimal strings in the Russian way, digit for digit', () => {
    expect(formatMoney('1234.50')).toBe(`1${NBSP}234,50${NBSP}₽`);
    expect(formatMoney('0.00')).toBe(`0,00${NBSP}₽`);
    expect(formatMoney('1000000.07')).toBe(`1${NBSP}000${NBSP}000,07${NBSP}₽`);
    expect(formatMoney('-5.00')).toBe(`−5,00${NBSP}₽`);
    expect(formatMoney('-0.00')).toBe(`0,00${NBSP}₽`);
    expect(formatMoney('92233720368547758.07')).toBe(`92${NBSP}233${NBSP}720${NBSP}368${NBSP}547${NBSP}758,07${NBSP}₽`);
    expect(formatMoney(null)).toBe('—');
  });

  it('reads typed roubles as exact kopecks', () => {
    expect(parseRoublesToKopecks('1 500')).toBe(150_000);
    expect(parseRoublesToKopecks('1500,5')).toBe(150_050);
    expect(parseRoublesToKopecks('0,1')).toBe(10);
    expect(parseRoublesToKopecks('650.00 ₽')).toBe(65_000);
    expect(parseRoublesToKopecks('1,234')).toBeNull();
    expect(parseRoublesToKopecks('-1')).toBeNull();
    expect(parseRoublesToKopecks('')).toBeNull();
  });

  it('tells a positive balance', () => {
    expect(isPositive('0.01')).toBe(true);
    expect(isPositive('0.00')).toBe(false);
    expect(isPositive('-3.00')).toBe(false);
    expect(isPositive(null)).toBe(false);
  });

  it('handles percents and norm-hours', () => {
    expect(formatPercentBp(1500)).toBe(`15${NBSP}%`);
    expect(formatPercentBp(1250)).toBe(`12,5${NBSP}%`);
    expect(parsePercentToBp('12,5')).toBe(1250);
    expect(parsePercentToBp('')).toBe(0);
    expect(parsePercentToBp('101')).toBeNull();
    expect(parseNormHoursToTenths('1,5')).toBe(15);
    expect(parseNormHoursToTenths('2')).toBe(20);
    expect(parseNormHoursToTenths('1,55')).toBeNull();
  });
});

describe('dates', () => {
  it('writes dates as dd.mm.yyyy hh:mm', () => {
    const at = new Date(2026, 11, 5, 18, 0);
    expect(formatDateTime(at)).toBe('05.12.2026 18:00');
  });

  it('says today and tomorrow', () => {
    const now = new Date(2026, 11, 5, 9, 0);
    expect(formatWhen(new Date(2026, 11, 5, 18, 0), now)).toBe('сегодня 18:00');
    expect(formatWhen(new Date(2026, 11, 6, 9, 30), now)).toBe('завтра 09:30');
  });

  it('knows a promise is late only after its time', () => {
    const now = new Date(2026, 11, 5, 18, 1);
    expect(isLate(new Date(2026, 11, 5, 18, 0).toISOString(), now)).toBe(true);
    expect(isLate(new Date(2026, 11, 5, 18, 2).toISOString(), now)).toBe(false);
    expect(isLate(null, now)).toBe(false);
  });

  it('gives a local day as a half-open range and reads datetime-local inputs', () => {
    const { from, to } = dayRange(new Date(2026, 11, 5, 13, 0));
    expect(new Date(to).getTime() - new Date(from).getTime()).toBe(86_400_000);
    expect(fromLocalInput('2026-12-05T18:00')).toBe(new Date(2026, 11, 5, 18, 0).toISOString());
    expect(fromLocalInput('завтра')).toBeNull();
  });
});

describe('plates and phones', () => {
  it('spaces an ordinary plate and leaves others alone', () => {
    expect(formatPlate('А123ВС77')).toBe('А 123 ВС 77');
    expect(formatPlate('О777ОО199')).toBe('О 777 ОО 199');
    expect(formatPlate('1234АВ77')).toBe('1234АВ77');
  });

  it('writes a Russian number as +7 916 111-22-33', () => {
    expect(formatPhone('+79161112233')).toBe('+7 916 111-22-33');
    expect(formatPhone('+4930123456')).toBe('+4930123456');
  });
});
