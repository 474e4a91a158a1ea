/**
 * The new-visit screen's rules as plain functions: what the search box sends, how hits are
 * grouped and walked by keyboard, which input a refusal of the command API belongs to, and the
 * idempotency keys that make a double click harmless.
 */
import type { ApiError } from '../api/errors.ts';

/** What the search box sends for what was typed. */
export function searchText(typed: string): string {
  const trimmed = typed.trim();
  // A phone in any Russian writing («8 912 345-67-89», «+7 (912) 345-67-89»): the server matches
  // any tail of the stored E.164 digits, so the leading 8 / 7 goes and the ten digits stay.
  if (/^[+\d\s\-().]+$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '');
    if (digits.length === 11 && /^[78]/.test(digits)) return digits.slice(1);
    if (digits.length >= 4) return digits;
  }
  return trimmed;
}

export type HitKind = 'client' | 'vehicle' | 'work_order';
export const HIT_KINDS: readonly HitKind[] = ['client', 'vehicle', 'work_order'];

export interface Hit {
  kind: string;
  id: string;
  title: string;
  subtitle?: string | null;
  rank: number;
}

export interface HitGroup<H extends Hit> {
  kind: HitKind;
  hits: { hit: H; index: number }[];
}

/** Hits grouped by kind (clients, vehicles, orders), the server's order kept inside a group;
 *  `index` is the position in the flat order the arrow keys walk. */
export function groupHits<H extends Hit>(hits: readonly H[]): HitGroup<H>[] {
  const groups: HitGroup<H>[] = [];
  let index = 0;
  for (const kind of HIT_KINDS) {
    const mine = hits.filter((hit) => hit.kind === kind);
    if (mine.length === 0) continue;
    groups.push({ kind, hits: mine.map((hit) => ({ hit, index: index++ })) });
  }
  return groups;
}

/** The hits in the order the list shows them. */
export function flatHits<H extends Hit>(groups: readonly HitGroup<H>[]): H[] {
  return groups.flatMap((group) => group.hits.map((entry) => entry.hit));
}

/** The active option after a key: arrows wrap, Home/End jump; -1 is «none». */
export function moveActive(current: number, count: number, key: string): number {
  if (count === 0) return -1;
  switch (key) {
    case 'ArrowDown':
      return current < 0 || current >= count - 1 ? 0 : current + 1;
    case 'ArrowUp':
      return current <= 0 ? count - 1 : current - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return current;
  }
}

/** Every input of the screen a refusal can point at. */
export type Field =
  | 'fullName'
  | 'legalName'
  | 'inn'
  | 'kpp'
  | 'phone'
  | 'phone2'
  | 'email'
  | 'vin'
  | 'plate'
  | 'make'
  | 'model'
  | 'year'
  | 'mileage'
  | 'complaints'
  | 'fuel'
  | 'promisedAt';

/** The domain's error codes that name one input (aggregates/src/error.rs). */
const FIELD_OF_CODE: Record<string, Field> = {
  invalid_phone: 'phone',
  phone_required: 'phone',
  phone_already_added: 'phone',
  invalid_email: 'email',
  invalid_inn: 'inn',
  invalid_kpp: 'kpp',
  kpp_for_sole_trader: 'kpp',
  invalid_vin: 'vin',
  vin_already_registered: 'vin',
  plate_seen_on_another_vehicle: 'plate',
  invalid_plate: 'plate',
  vin_or_plate_required: 'plate',
  invalid_year: 'year',
  invalid_mileage: 'mileage',
  mileage_decreased: 'mileage',
  mileage_below_last_reading: 'mileage',
  invalid_fuel_level: 'fuel',
};

/** The domain's field names in `required` / `too_long` («full_name is required»). */
const FIELD_OF_NAME: Record<string, Field> = {
  full_name: 'fullName',
  legal_name: 'legalName',
  kpp: 'kpp',
  inn: 'inn',
  make: 'make',
  model: 'model',
  complaints: 'complaints',
};

/**
 * The input a refusal belongs to, or null when it is about the whole form. The command API puts
 * the field in the code (`invalid_phone`), in `details.field`, or in the message of `required`
 * and `too_long` («make is required»).
 */
export function fieldOf(error: Pick<ApiError, 'code' | 'message' | 'details'>): Field | null {
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode) return byCode;
  const named =
    typeof error.details.field === 'string'
      ? error.details.field
      : error.code === 'required' || error.code === 'too_long'
        ? /^(\w+) (?:is required|is longer)/.exec(error.message)?.[1]
        : undefined;
  return named ? (FIELD_OF_NAME[named] ?? null) : null;
}

/** Errors shown beside inputs, and the one shown above the form. */
export interface FormErrors {
  fields: Partial<Record<Field, string>>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/**
 * Places a refusal: beside its input when the input is on this form, above the form otherwise.
 * A phone refusal names the phone as typed, so it lands on the second phone when that is the one.
 */
export function placeError(
  error: Pick<ApiError, 'code' | 'message' | 'messageRu' | 'details'>,
  fieldsOnForm: readonly Field[],
  typed: Partial<Record<Field, string>> = {},
): FormErrors {
  let field = fieldOf(error);
  if (field === 'phone' && typed.phone2 && error.messageRu.includes(`«${typed.phone2}»`)) field = 'phone2';
  if (field && fieldsOnForm.includes(field)) return { fields: { [field]: error.messageRu }, form: null };
  return { fields: {}, form: error.messageRu };
}

/**
 * One Idempotency-Key per submission attempt: the same body sent again (a double click, a retry
 * after a lost answer) reuses its key, so the server answers it once; a changed body is a new
 * attempt with a new key (the server refuses a key reused for another body).
 */
export class Attempts {
  private readonly keys = new Map<string, string>();
  constructor(private readonly makeKey: () => string = () => crypto.randomUUID()) {}

  keyFor(scope: string, body: unknown): string {
    const signature = `${scope}\n${JSON.stringify(body)}`;
    let key = this.keys.get(signature);
    if (!key) {
      key = this.makeKey();
      this.keys.set(signature, key);
    }
    return key;
  }
}

/** Latin look-alikes of the twelve Cyrillic plate letters. */
const LOOK_ALIKES: Record<string, string> = {
  A: 'А',
  B: 'В',
  E: 'Е',
  K: 'К',
  M: 'М',
  H: 'Н',
  O: 'О',
  P: 'Р',
  C: 'С',
  T: 'Т',
  Y: 'У',
  X: 'Х',
};

/** A plate as the server stores it: Cyrillic capitals, no spaces («a123bc 77» → «А123ВС77»). */
export function canonicalPlate(typed: string): string {
  return Array.from(typed.toUpperCase().replace(/[\s\-_]/g, ''), (c) => LOOK_ALIKES[c] ?? c).join('');
}

/** A VIN as the server stores it: capitals, no spaces or dashes. */
export function canonicalVin(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * A registered car with the VIN or plate typed for a new one, found among search hits (the
 * vehicle hit's title is its plate, or its VIN when it has none; the subtitle ends «, VIN …»).
 */
export function findDuplicate<H extends Hit>(
  hits: readonly H[],
  typed: { vin: string; plate: string },
): { hit: H; by: 'vin' | 'plate' } | null {
  const vin = canonicalVin(typed.vin);
  const plate = canonicalPlate(typed.plate);
  for (const hit of hits) {
    if (hit.kind !== 'vehicle') continue;
    if (vin.length === 17 && (hit.title === vin || (hit.subtitle ?? '').endsWith(`VIN ${vin}`))) return { hit, by: 'vin' };
  }
  for (const hit of hits) {
    if (hit.kind !== 'vehicle') continue;
    if (plate.length > 0 && hit.title === plate) return { hit, by: 'plate' };
  }
  return null;
}

/** Text with one entry per line, as a list without blanks. */
export function lines(typed: string): string[] {
  return typed
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Kilometres typed («123 456», «123456») as a number, or null when it is not a whole number. */
export function parseKm(typed: string): number | null {
  const text = typed.replace(/[\s\u00a0]/g, '');
  if (!/^\d{1,7}$/.test(text)) return null;
  return Number(text);
}

/** A year typed: empty is «not given» (undefined), four digits a year, anything else null. */
export function parseYear(typed: string): number | null | undefined {
  const text = typed.trim();
  if (text === '') return undefined;
  return /^\d{4}$/.test(text) ? Number(text) : null;
}

/** «123 456» for a whole number of kilometres. */
export function formatKm(km: number): string {
  return String(km).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}
