/**
 * A report's table as data: typed columns and the API's values, exactly as sent (money as the
 * `Money` decimal string, dates as `NaiveDate`, counts, tenths, thousandths and basis points as
 * integers). The screen, the CSV and the XLSX are three writings of the same table, so what the
 * owner exports is what the owner saw. Nothing here adds, divides or rounds a figure: a total
 * or a rate is the server's.
 */
import { formatDate } from '../format/dates.ts';
import { formatMoney, formatPercentBp } from '../format/money.ts';
import { formatTenths, parseIsoDate } from '../planning/logic.ts';

/** How a column's values are written: each kind has one writing on screen, in CSV and in XLSX. */
export type ColumnKind = 'text' | 'date' | 'money' | 'count' | 'tenths' | 'thousandths' | 'basisPoints';

export interface Column {
  header: string;
  kind: ColumnKind;
}

/** A value as the API sent it; null when there is none (a cell left empty). */
export type CellValue = string | number | null;

export interface ReportTable {
  /** The report's name: the sheet's and the caption's. */
  title: string;
  /** The file's name without extension (ASCII: some mail clients mangle Cyrillic names). */
  file: string;
  columns: Column[];
  rows: CellValue[][];
}

const NBSP = '\u00a0';
const integer = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });

/** Whether a column is a figure (right-aligned on screen). */
export function isNumeric(kind: ColumnKind): boolean {
  return kind !== 'text' && kind !== 'date';
}

/** Thousandths as a decimal with a comma and no trailing zeros: 1500 → «1,5», 2000 → «2». */
export function formatThousandths(thousandths: number, minus = '−'): string {
  const sign = thousandths < 0 ? minus : '';
  const abs = Math.abs(thousandths);
  const rest = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${sign}${Math.trunc(abs / 1000)}${rest === '' ? '' : `,${rest}`}`;
}

/** A cell as the screen writes it, in Russian formats. */
export function displayCell(kind: ColumnKind, value: CellValue): string {
  if (value === null || value === '') return '—';
  switch (kind) {
    case 'text':
      return String(value);
    case 'date':
      return formatDate(parseIsoDate(String(value)));
    case 'money':
      return formatMoney(String(value));
    case 'count':
      return integer.format(Number(value)).replace(/\s/g, NBSP);
    case 'tenths':
      return formatTenths(Number(value));
    case 'thousandths':
      return formatThousandths(Number(value));
    case 'basisPoints':
      return formatPercentBp(Number(value));
  }
}
