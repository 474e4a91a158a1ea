import { readSheet } from 'read-excel-file/universal';
import { describe, expect, it } from 'vitest';
import { csvField, sheetName, toCsv, toXlsx, xlsxRows } from './export.ts';
import { displayCell, formatThousandths, type ReportTable } from './table.ts';

const NBSP = '\u00a0';

/** A revenue table as the API sends it, with every kind of column once. */
const table: ReportTable = {
  title: 'Выручка по периодам',
  file: 'revenue_2026-12-01_2026-12-31',
  columns: [
    { header: 'Период с', kind: 'date' },
    { header: 'Услуга; «пояснение»', kind: 'text' },
    { header: 'Счетов', kind: 'count' },
    { header: 'Выручка', kind: 'money' },
    { header: 'Нормо-часы', kind: 'tenths' },
    { header: 'Количество', kind: 'thousandths' },
    { header: 'Конверсия', kind: 'basisPoints' },
  ],
  rows: [
    ['2026-12-01', 'Замена масла', 3, '12345.67', 15, 1500, 1250],
    ['2026-12-08', '=HYPERLINK("x")', 1234, '1000000.05', 20, 2000, 10_000],
    ['2026-12-15', 'Колодки "Brembo"; передние', 0, '-5.00', 0, 125, 0],
    ['2026-12-22', null, 1, '0.10', 7, 1, null],
  ],
};

describe('the screen’s writing of a report’s cells', () => {
  it('writes each kind in Russian formats, from the API’s values as sent', () => {
    expect(displayCell('date', '2026-12-01')).toBe('01.12.2026');
    expect(displayCell('money', '12345.67')).toBe(`12${NBSP}345,67${NBSP}₽`);
    expect(displayCell('count', 1234)).toBe(`1${NBSP}234`);
    expect(displayCell('tenths', 15)).toBe('1,5');
    expect(displayCell('thousandths', 1500)).toBe('1,5');
    expect(displayCell('thousandths', 125)).toBe('0,125');
    expect(displayCell('basisPoints', 1250)).toBe(`12,5${NBSP}%`);
    expect(displayCell('text', null)).toBe('—');
    expect(formatThousandths(-2000)).toBe('−2');
  });
});

describe('CSV for Russian Excel', () => {
  const csv = toCsv(table);

  it('starts with a byte-order mark, separates by semicolons and ends lines with CRLF', () => {
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(6); // the header, four rows and the empty tail after the last CRLF
    expect(lines[5]).toBe('');
    expect(lines[0]).toBe('Период с;"Услуга; «пояснение»";Счетов;Выручка;Нормо-часы;Количество;Конверсия');
  });

  it('writes numbers with a decimal comma and no grouping, and dates as dd.mm.yyyy', () => {
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('01.12.2026;Замена масла;3;12345,67;1,5;1,5;12,5%');
    expect(lines[3]).toBe('15.12.2026;"Колодки ""Brembo""; передние";0;-5,00;0;0,125;0%');
    expect(lines[4]).toBe('22.12.2026;;1;0,10;0,7;0,001;');
  });

  it('keeps a typed name from running as a formula', () => {
    expect(csvField('text', '=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('text', '-1')).toBe(`'-1`);
    expect(csv.slice(1).split('\r\n')[2]).toBe(`08.12.2026;"'=HYPERLINK(""x"")";1234;1000000,05;2;2;100%`);
  });
});

describe('XLSX', () => {
  it('builds numeric cells with formats and dates as dates', () => {
    const rows = xlsxRows(table);
    expect(rows[0]?.[0]).toEqual({ type: String, value: 'Период с', fontWeight: 'bold' });
    expect(rows[1]?.[0]).toEqual({ type: Date, value: new Date(Date.UTC(2026, 11, 1)), format: 'dd.mm.yyyy' });
    expect(rows[1]?.[3]).toEqual({ type: Number, value: 12345.67, format: '#,##0.00 "₽"' });
    expect(rows[4]?.[1]).toBeNull();
    expect(sheetName('Топ: услуги/запчасти [за период] и ещё очень длинное имя')).toHaveLength(31);
  });

  it('opens back with the same headers, numbers and dates', async () => {
    const blob = await toXlsx(table);
    expect(blob.size).toBeGreaterThan(0);
    const sheet = await readSheet(blob);
    expect(sheet[0]).toEqual(table.columns.map((column) => column.header));
    expect(sheet.slice(1)).toEqual([
      [new Date(Date.UTC(2026, 11, 1)), 'Замена масла', 3, 12345.67, 1.5, 1.5, 0.125],
      [new Date(Date.UTC(2026, 11, 8)), '=HYPERLINK("x")', 1234, 1000000.05, 2, 2, 1],
      [new Date(Date.UTC(2026, 11, 15)), 'Колодки "Brembo"; передние', 0, -5, 0, 0.125, 0],
      [new Date(Date.UTC(2026, 11, 22)), null, 1, 0.1, 0.7, 0.001, null],
    ]);
  });

  it('opens back an empty report as its headers alone', async () => {
    const sheet = await readSheet(await toXlsx({ ...table, rows: [] }));
    expect(sheet).toEqual([table.columns.map((column) => column.header)]);
  });
});
