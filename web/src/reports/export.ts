/**
 * A report's table as a file the owner opens in Excel: CSV as Russian Excel reads it (UTF-8 with a
 * byte-order mark so Cyrillic survives, `;` between fields because `,` is the decimal separator,
 * CRLF line ends) and XLSX with real cells (numbers with a number format, money as roubles with
 * two decimals, dates as dates), written by `write-excel-file`.
 *
 * The values are the API's: a decimal string of money becomes the same digits with a comma (CSV) or
 * the number it spells (XLSX); integer tenths, thousandths and basis points become the decimal they
 * stand for. Nothing is summed or rounded here.
 */
import type { CellObject, Row } from 'write-excel-file/universal';
import { formatTenths } from '../planning/logic.ts';
import { formatThousandths, type CellValue, type ColumnKind, type ReportTable } from './table.ts';

export const CSV_TYPE = 'text/csv;charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const BOM = '\uFEFF';

/** Excel's number formats per kind (the locale's separators are applied by Excel). */
export const XLSX_FORMATS: Record<Exclude<ColumnKind, 'text'>, string> = {
  date: 'dd.mm.yyyy',
  money: '#,##0.00 "₽"',
  count: '#,##0',
  tenths: '#,##0.0',
  thousandths: '#,##0.000',
  basisPoints: '0.0%',
};

/**
 * A text that Excel would take for a formula (`=`, `+`, `-`, `@`, a tab or CR first) is prefixed
 * with an apostrophe: names on invoices are typed by people, and a CSV is opened by double-click.
 */
function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quoted(field: string): string {
  return /[;"\r\n]|^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A date of the API («2026-12-05») as Russian Excel types it («05.12.2026»). */
function russianDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : iso;
}

/** One value as a CSV field, in the form Russian Excel reads as a number or a date. */
export function csvField(kind: ColumnKind, value: CellValue): string {
  if (value === null) return '';
  switch (kind) {
    case 'text':
      return quoted(neutralised(String(value)));
    case 'date':
      return russianDate(String(value));
    case 'money':
      // "1234.50" → «1234,50»: the same digits; no grouping, which Excel would read as text.
      return String(value).trim().replace('.', ',');
    case 'count':
      return String(value);
    case 'tenths':
      return formatTenths(Number(value)).replace('−', '-');
    case 'thousandths':
      return formatThousandths(Number(value), '-');
    case 'basisPoints': {
      // Basis points as a percentage Excel recognises («12,5%»): 1 % = 100 bp.
      const bp = Number(value);
      const sign = bp < 0 ? '-' : '';
      const abs = Math.abs(bp);
      const rest = String(abs % 100).padStart(2, '0').replace(/0+$/, '');
      return `${sign}${Math.trunc(abs / 100)}${rest === '' ? '' : `,${rest}`}%`;
    }
  }
}

/** The table as CSV text, the byte-order mark first. */
export function toCsv(table: ReportTable): string {
  const lines = [
    table.columns.map((column) => quoted(neutralised(column.header))).join(';'),
    ...table.rows.map((row) => table.columns.map((column, i) => csvField(column.kind, row[i] ?? null)).join(';')),
  ];
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** A `NaiveDate` as the instant XLSX stores for that calendar day (dates in XLSX have no zone). */
function utcDay(iso: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
}

/** One value as an XLSX cell: a number or a date with its format, or text. */
export function xlsxCell(kind: ColumnKind, value: CellValue): CellObject | null {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return { type: String, value: String(value) };
    case 'date': {
      const day = utcDay(String(value));
      return day ? { type: Date, value: day, format: XLSX_FORMATS.date } : { type: String, value: String(value) };
    }
    case 'money':
      // The decimal string's value: at most 2 decimals, exact in a double up to 2^53 kopecks.
      return { type: Number, value: Number(value), format: XLSX_FORMATS.money };
    case 'count':
      return { type: Number, value: Number(value), format: XLSX_FORMATS.count };
    case 'tenths':
      return { type: Number, value: Number(value) / 10, format: XLSX_FORMATS.tenths };
    case 'thousandths':
      return { type: Number, value: Number(value) / 1000, format: XLSX_FORMATS.thousandths };
    case 'basisPoints':
      return { type: Number, value: Number(value) / 10_000, format: XLSX_FORMATS.basisPoints };
  }
}

/** An Excel sheet name: at most 31 characters, none of `[]:*?/\`. */
export function sheetName(title: string): string {
  return title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31).trim() || 'Отчёт';
}

/** The rows of the sheet: the headers in bold, then the values. */
export function xlsxRows(table: ReportTable): Row[] {
  return [
    table.columns.map((column) => ({ type: String, value: column.header, fontWeight: 'bold' as const })),
    ...table.rows.map((row) => table.columns.map((column, i) => xlsxCell(column.kind, row[i] ?? null))),
  ];
}

/** The table as an XLSX file. The writer is loaded on first use: most visits export nothing. */
export async function toXlsx(table: ReportTable): Promise<Blob> {
  const { default: writeExcelFile } = await import('write-excel-file/universal');
  return writeExcelFile(xlsxRows(table), {
    sheet: sheetName(table.title),
    columns: table.columns.map((column) => ({ width: column.kind === 'text' ? 36 : 16 })),
    stickyRowsCount: 1,
  }).toBlob();
}
