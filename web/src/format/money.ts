/**
 * Money as the shop reads it: «1 234,50 ₽». The services send amounts as decimal strings
 * (`"1234.50"`, the GraphQL `Money` scalar) computed by the domain; this module only writes them
 * out, digit by digit, so no amount ever passes through a floating-point number.
 */
const NBSP = '\u00a0';

/** «1 234,50 ₽» from "1234.50" (or "-5.00"); an amount that is not a decimal is shown as is. */
export function formatMoney(amount: string | null | undefined): string {
  if (amount == null || amount === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return amount;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const minus = sign && /[1-9]/.test(whole + fraction) ? '−' : '';
  return `${minus}${grouped},${fraction.padEnd(2, '0')}${NBSP}₽`;
}

/** Whether an amount is more than zero ("0.00" and "-1.00" are not). */
export function isPositive(amount: string | null | undefined): boolean {
  return amount != null && !amount.trim().startsWith('-') && /[1-9]/.test(amount);
}

/**
 * Roubles typed by a person («1 500», «1500,5», «1500.50») as kopecks for a command, or null
 * when it is not an amount. Parsed as text: «0,1» is 10 kopecks exactly.
 */
export function parseRoublesToKopecks(typed: string): number | null {
  const text = typed.replace(/[\s\u00a0₽]/g, '').replace(',', '.');
  const match = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** A percentage in basis points (1 500 → «15 %»; 1 250 → «12,5 %»). */
export function formatPercentBp(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = Math.abs(bp % 100);
  const fraction = rest === 0 ? '' : `,${String(rest).padStart(2, '0').replace(/0$/, '')}`;
  return `${whole}${fraction}${NBSP}%`;
}

/** Percent typed by a person («10», «12,5») as basis points, or null. */
export function parsePercentToBp(typed: string): number | null {
  const text = typed.replace(/[\s%]/g, '').replace(',', '.');
  if (text === '') return 0;
  const match = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const bp = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** Norm-hours typed («1,5», «2») as tenths (15, 20), or null. */
export function parseNormHoursToTenths(typed: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d))?$/.exec(typed.trim());
  if (!match) return null;
  return Number(match[1]) * 10 + Number(match[2] ?? '0');
}

/** A decimal quantity from the server («1.5») as the shop writes it («1,5»). */
export function formatQuantity(quantity: string): string {
  return quantity.replace('.', ',');
}
