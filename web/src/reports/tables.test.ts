import { describe, expect, it } from 'vitest';
import { toCsv } from './export.ts';
import { agingTable, mechanicsTable, revenueTable, topTable } from './tables.ts';

const dates = { from: '2026-12-01', to: '2026-12-31' };

describe('the reports as tables', () => {
  it('keeps the API’s values and names the file after the period', () => {
    const table = revenueTable([{ starts: '2026-12-01', invoices: 2, revenue: '3800.00' }], dates, 'WEEK');
    expect(table.file).toBe('revenue-week_2026-12-01_2026-12-31');
    expect(table.rows).toEqual([['2026-12-01', 2, '3800.00']]);
  });

  it('counts services in tenths of a norm-hour and parts in thousandths', () => {
    const item = { description: 'Масляный фильтр', lines: 2, quantity: 1500, amount: '975.00' };
    expect(topTable([item], 'PART', dates).columns[2]?.kind).toBe('thousandths');
    expect(topTable([item], 'SERVICE', dates).columns[2]?.kind).toBe('tenths');
    expect(toCsv(topTable([item], 'PART', dates))).toContain('Масляный фильтр;2;1,5;975,00');
  });

  it('names mechanics it knows, marks lines without one, and shortens an unknown id', () => {
    const names = new Map([['0192f0c4-0000-7000-8000-000000000066', 'Петров Иван']]);
    const table = mechanicsTable(
      [
        { mechanicId: '0192f0c4-0000-7000-8000-000000000066', lines: 3, normHoursTenths: 45, amount: '5625.00' },
        { mechanicId: null, lines: 1, normHoursTenths: 10, amount: '1250.00' },
        { mechanicId: '0192f0c4-0000-7000-8000-0000000000ff', lines: 1, normHoursTenths: 5, amount: '625.00' },
      ],
      names,
      dates,
    );
    expect(table.rows.map((row) => row[0])).toEqual(['Петров Иван', 'Без механика', 'Механик …0000ff']);
  });

  it('writes the aging buckets in words', () => {
    const table = agingTable(
      [
        { age: '0-30', invoices: 2, owed: '1900.00' },
        { age: '90+', invoices: 1, owed: '10.00' },
      ],
      '2026-12-05',
    );
    expect(table.rows.map((row) => row[0])).toEqual(['до 30 дней', 'больше 90 дней']);
    expect(table.file).toBe('receivables-aging_2026-12-05');
  });
});
