/**
 * The cashier's rules that are not the server's: which orders still wait for an invoice, what the
 * amount field starts with, which version an invoice command is prepared against, where a debtor's
 * row leads. No money is added up here: amounts are the server's decimal strings, only rewritten.
 */
import type { ApiError } from '../api/errors.ts';
import { parseRoublesToKopecks } from '../format/money.ts';

/** A completed order as the cashier's list reads it. */
export interface OrderToInvoice {
  invoices: { voided: boolean }[];
}

/**
 * Whether a completed order still needs an invoice: it has none, or every one it had was voided.
 * (An invoice is always issued for the whole order, so one live invoice means invoiced in full.)
 */
export function needsInvoice(order: OrderToInvoice): boolean {
  return order.invoices.every((invoice) => invoice.voided);
}

/**
 * The version an invoice command is sent against (`If-Match`): the invoice's stream version as
 * the screen shows it, or the version the panel's own last command answered with while the read
 * has not caught up with it. A payment taken meanwhile by another cashier makes the command fail
 * with 412 instead of being decided on a balance the user never saw.
 */
export function ifMatchFor(shown: number, answered: number | null): number {
  return answered !== null && answered > shown ? answered : shown;
}

/** A server amount ("1234.50") as the amount field's text («1234,50»); '' for none or not positive. */
export function moneyToInput(amount: string | null | undefined): string {
  if (amount == null) return '';
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return '';
  const [, whole = '0', fraction = ''] = match;
  if (!/[1-9]/.test(whole + fraction)) return '';
  return `${whole.replace(/^0+(?=\d)/, '')},${fraction.padEnd(2, '0')}`;
}

/** An invoice line's quantity: norm-hours from tenths for labour («1,5 н·ч»), pieces from thousandths. */
export function formatLineQuantity(kind: string, quantity: number, normHours: string): string {
  if (kind === 'labour') return `${decimal(quantity, 10)}\u00a0${normHours}`;
  return decimal(quantity, 1000);
}

function decimal(value: number, scale: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(value));
  const digits = String(scale).length - 1;
  const whole = Math.trunc(abs / scale);
  const fraction = String(abs % scale)
    .padStart(digits, '0')
    .replace(/0+$/, '');
  return fraction ? `${sign}${whole},${fraction}` : `${sign}${whole}`;
}

/** A due invoice as the debtors' screen reads it: newest first, as the server lists them. */
export interface DueInvoice {
  id: string;
  number: string;
  client?: { id: string } | null;
}

/**
 * For each client, their oldest invoice with something due (the one a debtor's row opens). The
 * server lists invoices newest first, so the last one seen for a client is the oldest.
 */
export function oldestDueByClient<T extends DueInvoice>(newestFirst: T[]): Map<string, T> {
  const oldest = new Map<string, T>();
  for (const invoice of newestFirst) {
    const client = invoice.client?.id;
    if (client) oldest.set(client, invoice);
  }
  return oldest;
}

/** The payment methods offered: the directory's active entries, in its order. */
export function activeMethods(entries: { code: string; name: string; active: boolean }[]): { code: string; name: string }[] {
  return entries.filter((entry) => entry.active).map(({ code, name }) => ({ code, name }));
}

/** A method's name from the directory, or its code when the directory no longer has it. */
export function methodName(code: string, entries: { code: string; name: string }[]): string {
  return entries.find((entry) => entry.code === code)?.name ?? code;
}

/** The amount field a refusal is about, so its message can stand beside that field. */
export function fieldOfError(error: ApiError): string | null {
  const field = error.details.field;
  if (typeof field === 'string') return field === 'amount_kopecks' ? 'amount' : field;
  if (['invoice_overpaid', 'refund_exceeds_paid', 'amount_not_positive', 'amount_negative'].includes(error.code)) {
    return 'amount';
  }
  return null;
}

/** The typed amount checked before sending: kopecks, or the reason it is not an amount. */
export function readAmount(
  typed: string,
  words: { invalid: string; zero: string },
): { kopecks: number } | { error: string } {
  const kopecks = typed.trim() === '' ? null : parseRoublesToKopecks(typed);
  if (kopecks === null) return { error: words.invalid };
  if (kopecks <= 0) return { error: words.zero };
  return { kopecks };
}
