/**
 * The storekeeper's pure rules: quantities (thousandths in commands, three-place decimals in
 * reads, units on screen), the scan matcher of receiving and the count's differences. Every
 * quantity is an integer of thousandths here: no quantity passes through a floating-point sum.
 * Also the margin report's period and leak kinds, and what a stock movement refers to.
 */
import type { MarginLeak } from '../api/generated/graphql/graphql.ts';

/** The units a part is counted in, by the API's code. */
export const UNITS = ['pcs', 'l', 'kg', 'm'] as const;
export type Unit = (typeof UNITS)[number];

const UNIT_LABEL: Record<string, string> = { pcs: 'шт.', l: 'л', kg: 'кг', m: 'м' };

/** «шт.» for `pcs`; an unknown code as is. */
export function unitLabel(unit: string): string {
  return UNIT_LABEL[unit] ?? unit;
}

/** The main store: the shop has one location, and a stock's stream is `{part id}:main`. */
export const MAIN_LOCATION = 'main';

export function stockId(partId: string): string {
  return `${partId}:${MAIN_LOCATION}`;
}

/** A read's decimal («1.500», «-2.000», «3») as thousandths, or null when it is not one. */
export function decimalToThousandths(decimal: string): number | null {
  const match = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(decimal.trim());
  if (!match) return null;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const value = Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
  return sign && value !== 0 ? -value : value;
}

/** Thousandths as the shop writes a quantity: 1500 → «1,5», 2000 → «2», -250 → «−0,25». */
export function formatThousandths(thousandths: number): string {
  const minus = thousandths < 0 ? '−' : '';
  const abs = Math.abs(thousandths);
  const whole = String(Math.trunc(abs / 1000)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  const fraction = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${minus}${whole}${fraction ? `,${fraction}` : ''}`;
}

/**
 * A quantity with its unit: («1.500», `l`) → «1,5 л»; without a unit («1.500», '') → «1,5»; a value
 * that is no decimal is shown as is.
 */
export function formatQuantity(decimal: string | null | undefined, unit: string): string {
  if (decimal == null || decimal === '') return '—';
  const thousandths = decimalToThousandths(decimal);
  if (thousandths === null) return decimal;
  const label = unitLabel(unit);
  return label ? `${formatThousandths(thousandths)}\u00a0${label}` : formatThousandths(thousandths);
}

/**
 * A quantity typed by a person («2», «1,5», «0.25») as thousandths, or null. Zero is a quantity
 * only where the caller says so (a count may find an empty shelf; a receipt cannot take nothing).
 */
export function parseQuantity(typed: string, { allowZero = false } = {}): number | null {
  const match = /^(\d{1,9})(?:[.,](\d{1,3}))?$/.exec(typed.replace(/[\s\u00a0]/g, ''));
  if (!match) return null;
  const value = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  if (value === 0 && !allowZero) return null;
  return value;
}

/** Thousandths as an input's starting text (1500 → «1,5»), without grouping. */
export function thousandthsToInput(thousandths: number): string {
  return formatThousandths(thousandths).replace(/\u00a0/g, '');
}

/**
 * A part number as search compares it, like the domain's `normalise_part_number`: without spaces
 * and dashes (any of the typographic ones), upper case. «w 712-95» and «W712/95»'s scan agree.
 */
export function normalisePartNumber(raw: string): string {
  return raw.replace(/[\s\-\u2010-\u2015]/g, '').toUpperCase();
}

/** A purchase order's line as receiving needs it. */
export interface ReceivingLine {
  id: string;
  number: string | null;
  /** Still to come, thousandths. */
  outstanding: number;
}

/** What this receipt takes so far: thousandths by the order's line id. */
export type Receipt = Readonly<Record<string, number>>;

export type ScanResult =
  | { kind: 'added'; lineId: string; receipt: Receipt }
  | { kind: 'unknown' }
  | { kind: 'empty' };

/**
 * One scan (or a typed number and Enter): the line whose part has this number takes one more
 * unit. When the part is on several lines, the first one with something still to come in this
 * receipt takes it; when every one is full, the last one does (the server refuses an
 * over-receipt with its own words, the screen does not guess).
 */
export function scan(lines: readonly ReceivingLine[], receipt: Receipt, scanned: string, step = 1000): ScanResult {
  const wanted = normalisePartNumber(scanned);
  if (wanted === '') return { kind: 'empty' };
  const matching = lines.filter((line) => line.number !== null && normalisePartNumber(line.number) === wanted);
  if (matching.length === 0) return { kind: 'unknown' };
  const open = matching.find((line) => (receipt[line.id] ?? 0) < line.outstanding);
  const line = open ?? matching[matching.length - 1];
  if (!line) return { kind: 'unknown' };
  return { kind: 'added', lineId: line.id, receipt: { ...receipt, [line.id]: (receipt[line.id] ?? 0) + step } };
}

/** The receipt's lines for the `receive` command: only lines taking something, in the order's order. */
export function receiptLines(
  lines: readonly ReceivingLine[],
  receipt: Receipt,
): { line_id: string; quantity_thousandths: number }[] {
  return lines
    .filter((line) => (receipt[line.id] ?? 0) > 0)
    .map((line) => ({ line_id: line.id, quantity_thousandths: receipt[line.id] ?? 0 }));
}

/** Whether a line would take more than is still to come. */
export function isOverReceived(line: ReceivingLine, receipt: Receipt): boolean {
  return (receipt[line.id] ?? 0) > line.outstanding;
}

/** A count's difference: what was found less what the books say (thousandths; negative: short). */
export function countDifference(counted: number, onHand: string): number | null {
  const books = decimalToThousandths(onHand);
  return books === null ? null : counted - books;
}

/**
 * A signed change as the journal shows it: («2.000», `pcs`) → «+2 шт.», («-1.500», `l`) → «−1,5 л»;
 * no change is «—», so the columns that did not move stay quiet.
 */
export function formatDelta(decimal: string | null | undefined, unit: string): string {
  if (decimal == null || decimal === '') return '—';
  const thousandths = decimalToThousandths(decimal);
  if (thousandths === null) return decimal;
  if (thousandths === 0) return '—';
  const shown = formatQuantity(decimal, unit);
  return thousandths > 0 ? `+${shown}` : shown;
}

/** What a stock movement refers to: the document to open, or nothing for a bare movement. */
export type MovementDocument =
  | { kind: 'work_order'; id: string }
  | { kind: 'purchase_order'; id: string }
  | { kind: 'count'; id: string };

/**
 * The document a movement names, as the API gives it: a work order (reservations, issues,
 * returns), else a purchase order (on order, receipts), else an inventory count.
 */
export function movementDocument(movement: {
  workOrderId?: string | null;
  purchaseOrderId?: string | null;
  countId?: string | null;
}): MovementDocument | null {
  if (movement.workOrderId) return { kind: 'work_order', id: movement.workOrderId };
  if (movement.purchaseOrderId) return { kind: 'purchase_order', id: movement.purchaseOrderId };
  if (movement.countId) return { kind: 'count', id: movement.countId };
  return null;
}

/**
 * Where a keyset-paged list's next page starts: the last page's cursor while the server says
 * another follows; nothing (no «Показать ещё») otherwise.
 */
export function nextCursor(page: { endCursor?: string | null; hasNextPage: boolean }): string | undefined {
  return page.hasNextPage && page.endCursor ? page.endCursor : undefined;
}

/** The margin report's leak kinds, in the order the screen lists them. */
export const MARGIN_LEAKS: readonly MarginLeak[] = ['ISSUED_NOT_BILLED', 'BILLED_NOT_ISSUED', 'BELOW_COST'];

/** A margin line's leaks, from the flags the server computed (never worked out here). */
export function leaksOf(line: { issuedNotBilled: boolean; billedNotIssued: boolean; belowCost: boolean }): MarginLeak[] {
  const flags: Record<MarginLeak, boolean> = {
    ISSUED_NOT_BILLED: line.issuedNotBilled,
    BILLED_NOT_ISSUED: line.billedNotIssued,
    BELOW_COST: line.belowCost,
  };
  return MARGIN_LEAKS.filter((kind) => flags[kind]);
}

/** The kinds kept in the address («BELOW_COST,ISSUED_NOT_BILLED»): known ones, once each, in list order. */
export function parseLeakKinds(raw: string | null | undefined): MarginLeak[] {
  const named = new Set((raw ?? '').split(','));
  return MARGIN_LEAKS.filter((kind) => named.has(kind));
}

/** A month as a `month` input writes it («2026-12»), in the shop's (the browser's) time zone. */
export function monthOf(at: Date): string {
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}`;
}

/**
 * A month («2026-12») as the report's period: from its first local midnight up to the next
 * month's, as ISO instants; null when it is not a month.
 */
export function monthRange(month: string): { from: string; to: string } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(month.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  if (year < 1000 || index < 0 || index > 11) return null;
  return { from: new Date(year, index, 1).toISOString(), to: new Date(year, index + 1, 1).toISOString() };
}

/** A count as the shop writes it: 1234 → «1 234» (no-break space), as the server gave it. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

/** Whether an API amount («-1000.00») is below zero: a loss is shown as one. Read, never computed. */
export function isNegativeAmount(amount: string | null | undefined): boolean {
  return amount != null && amount.trim().startsWith('-') && /[1-9]/.test(amount);
}
