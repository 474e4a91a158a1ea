/**
 * The owner's screens' rules that need no browser: where a refusal of the domain belongs on a
 * form, what the stored settings document holds beyond the typed fields, a code suggested from a
 * Russian name, and the inputs' first values from what the server sent. The domain decides what is
 * valid; these functions only place its words and fill the inputs.
 */
import type { ApiError } from '../api/errors.ts';
import type { components } from '../api/generated/openapi.ts';
import { parseRoublesToKopecks } from '../format/money.ts';

type MarkupRangeBody = components['schemas']['MarkupRangeBody'];

/** The settings stream: the shop's one, which every settings command names. */
export const SHOP = 'main';

type Refusal = Pick<ApiError, 'code' | 'message' | 'messageRu' | 'details'>;

/**
 * The input a refusal belongs to, or null when it is about the whole form. The services name the
 * field in the code (`invalid_inn`), in `details.field`, in `required` / `too_long`'s message
 * («kpp is required»), or in the reason of bank details and taken logins (their English message).
 * Only fields on the form count: `fields` maps the domain's names to the form's.
 */
export function fieldOf<F extends string>(error: Refusal, fields: Partial<Record<string, F>>): F | null {
  const named = domainFieldOf(error);
  return named ? (fields[named] ?? null) : null;
}

const FIELD_OF_CODE: Record<string, string> = {
  invalid_inn: 'inn',
  invalid_kpp: 'kpp',
  kpp_for_sole_trader: 'kpp',
  invalid_ogrn: 'ogrn',
  invalid_percent: 'vat_rate',
  invalid_number_format: 'format',
  invalid_currency: 'currency',
  invalid_email: 'email',
  invalid_phone: 'phone',
  login_required: 'email',
  invalid_norm_hours: 'norm_hours',
  invalid_code: 'code',
  entry_exists: 'code',
  weak_password: 'new_password',
  amount_not_positive: 'rate',
  amount_negative: 'rate',
};

function domainFieldOf(error: Refusal): string | null {
  if (typeof error.details.field === 'string') return error.details.field;
  if (error.code === 'required' || error.code === 'too_long') {
    return /^(\w+) (?:is required|is longer)/.exec(error.message)?.[1] ?? null;
  }
  if (error.code === 'invalid_bank_details') {
    if (/BIK has/.test(error.message)) return 'bik';
    if (/correspondent account/.test(error.message)) return 'correspondent_account';
    if (/settlement account/.test(error.message)) return 'account';
    if (/bank's name/.test(error.message)) return 'bank_name';
    return null;
  }
  if (error.code === 'login_taken') return /phone/.test(error.message) ? 'phone' : 'email';
  return FIELD_OF_CODE[error.code] ?? null;
}

/** Errors shown beside inputs, and the one shown above the form's button. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  form: string | null;
}

/** Places a refusal beside its input when the input is on this form, else on the form. */
export function placeError<F extends string>(error: Refusal, fields: Partial<Record<string, F>>): FormErrors<F> {
  const field = fieldOf(error, fields);
  if (field) return { fields: { [field]: error.messageRu } as Partial<Record<F, string>>, form: null };
  return { fields: {}, form: error.messageRu };
}

/** The bank account as the settings document stores it. */
export interface Bank {
  bank_name: string;
  bik: string;
  account: string;
  correspondent_account: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/**
 * What only the settings' stored document carries (the query API gives it as JSON, as the
 * projection stores it: `requisites.bank`, `number_format`, `currency`); anything missing is empty.
 */
export function documentFacts(document: unknown): { bank: Bank | null; numberFormat: string; currency: string } {
  const root = record(document) ?? {};
  const bank = record(record(root.requisites)?.bank);
  return {
    bank: bank
      ? {
          bank_name: text(bank.bank_name),
          bik: text(bank.bik),
          account: text(bank.account),
          correspondent_account: text(bank.correspondent_account),
        }
      : null,
    numberFormat: text(root.number_format),
    currency: text(root.currency),
  };
}

/** An amount from the server («2500.00») as an input's first value («2500», «2500,50»). */
export function moneyToInput(amount: string | null | undefined): string {
  if (!amount) return '';
  const match = /^(-?\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return amount;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return fraction ? `${match[1]},${fraction}` : (match[1] ?? '');
}

/** Basis points (2200, 1250) as an input's first value («22», «12,5»). */
export function bpToInput(bp: number | null | undefined): string {
  if (bp == null) return '';
  const whole = Math.trunc(bp / 100);
  const rest = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return rest ? `${whole},${rest}` : String(whole);
}

/** Norm-hours from the server («1.5», «2.0») as the shop writes them and types them («1,5», «2»). */
export function normHoursToInput(decimal: string): string {
  return decimal.replace(/\.0+$/, '').replace('.', ',');
}

const LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k',
  л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts',
  ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

/**
 * A code for a new entry from its Russian name («Наличные» → `nalichnye`, «Отказ клиента» →
 * `otkaz_klienta`): Latin lower case, digits and `_`, starting with a letter, at most 40, as the
 * domain's codes are. A suggestion the owner may change; the domain still checks it.
 */
export function suggestCode(name: string): string {
  const latin = Array.from(name.toLowerCase(), (c) => LATIN[c] ?? c).join('');
  return latin
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40)
    .replace(/_+$/, '');
}

/** The roles' display names by code, the owner's own words when a role has no name yet. */
export function roleNames(roles: readonly { code: string; name: string }[] | undefined, fallback: Record<string, string>) {
  const names: Record<string, string> = { ...fallback };
  for (const role of roles ?? []) names[role.code] = role.name;
  return (code: string) => names[code] ?? code;
}

/** Empty text as null, for a command's optional field. */
export function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** One row of a markup scale as typed: the purchase price it starts at and its markup. */
export interface ScaleRow {
  from: string;
  markup: string;
}

/** A markup typed in percent («35», «12,5»; above 100 % is allowed) as basis points, or null. */
export function parseMarkupToBp(typed: string): number | null {
  const match = /^(\d{1,4})(?:[.,](\d{1,2}))?$/.exec(typed.replace(/[\s%]/g, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * A scale's rows as `set_markup_scale` takes them: each range ends where the next begins, the last
 * is open-ended, the first starts at zero whatever was typed there. Rows that do not read as
 * numbers are named by index; the domain checks the rest (ascending, within bounds).
 */
export function scaleOf(rows: readonly ScaleRow[]): {
  ranges: MarkupRangeBody[] | null;
  errors: Record<number, { from?: string; markup?: string }>;
} {
  const errors: Record<number, { from?: string; markup?: string }> = {};
  const parsed = rows.map((row, index) => {
    const from = index === 0 ? 0 : parseRoublesToKopecks(row.from);
    const markup = parseMarkupToBp(row.markup);
    if (from === null) errors[index] = { ...errors[index], from: 'from' };
    if (markup === null) errors[index] = { ...errors[index], markup: 'markup' };
    return { from, markup };
  });
  if (rows.length === 0 || Object.keys(errors).length > 0) return { ranges: null, errors };
  const ranges = parsed.map((row, index) => ({
    from_kopecks: row.from ?? 0,
    to_kopecks: parsed[index + 1]?.from ?? null,
    markup_bp: row.markup ?? 0,
  }));
  return { ranges, errors };
}

/** A stored scale («1000.00», 4000 bp) as rows to edit («1000», «40»). */
export function rowsOf(ranges: readonly { from: string; markupBp: number }[]): ScaleRow[] {
  return ranges.map((range) => ({ from: moneyToInput(range.from), markup: bpToInput(range.markupBp) }));
}
