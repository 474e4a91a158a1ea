import { describe, expect, it } from 'vitest';
import {
  Attempts,
  canonicalPlate,
  findDuplicate,
  flatHits,
  fieldOf,
  groupHits,
  lines,
  moveActive,
  parseKm,
  parseYear,
  placeError,
  searchText,
} from './logic.ts';

const refusal = (code: string, message = '', messageRu = 'Отказ', details: Record<string, unknown> = {}) => ({
  code,
  message,
  messageRu,
  details,
});

describe('search text', () => {
  it('turns a phone in any Russian writing into its ten digits', () => {
    expect(searchText('8 912 345-67-89')).toBe('9123456789');
    expect(searchText('+7 (912) 345-67-89')).toBe('9123456789');
    expect(searchText('79123456789')).toBe('9123456789');
    expect(searchText(' 45-67-89 ')).toBe('456789');
  });

  it('leaves names, plates, VINs and order numbers as typed', () => {
    expect(searchText('Петорв')).toBe('Петорв');
    expect(searchText('A123BC77')).toBe('A123BC77');
    expect(searchText('ЗН-2026-000001')).toBe('ЗН-2026-000001');
    expect(searchText('123')).toBe('123');
  });
});

describe('hits', () => {
  const hits = [
    { kind: 'vehicle', id: 'v1', title: 'А123ВС77', rank: 1 },
    { kind: 'work_order', id: 'w1', title: 'ЗН-1', rank: 1 },
    { kind: 'client', id: 'c1', title: 'Петров', rank: 1 },
    { kind: 'client', id: 'c2', title: 'Петрова', rank: 0.5 },
  ];

  it('groups clients, then vehicles, then orders, numbering options in that order', () => {
    const groups = groupHits(hits);
    expect(groups.map((g) => g.kind)).toEqual(['client', 'vehicle', 'work_order']);
    expect(groups[0]?.hits.map((h) => [h.hit.id, h.index])).toEqual([
      ['c1', 0],
      ['c2', 1],
    ]);
    expect(flatHits(groups).map((h) => h.id)).toEqual(['c1', 'c2', 'v1', 'w1']);
  });

  it('walks the options with arrows, wrapping', () => {
    expect(moveActive(-1, 3, 'ArrowDown')).toBe(0);
    expect(moveActive(2, 3, 'ArrowDown')).toBe(0);
    expect(moveActive(0, 3, 'ArrowUp')).toBe(2);
    expect(moveActive(-1, 3, 'ArrowUp')).toBe(2);
    expect(moveActive(1, 3, 'End')).toBe(2);
    expect(moveActive(1, 0, 'ArrowDown')).toBe(-1);
  });
});

describe('refusals beside their inputs', () => {
  it('knows the field from the code', () => {
    expect(fieldOf(refusal('invalid_phone'))).toBe('phone');
    expect(fieldOf(refusal('mileage_decreased'))).toBe('mileage');
    expect(fieldOf(refusal('mileage_below_last_reading'))).toBe('mileage');
    expect(fieldOf(refusal('vin_already_registered'))).toBe('vin');
    expect(fieldOf(refusal('invalid_plate'))).toBe('plate');
    expect(fieldOf(refusal('invalid_vin'))).toBe('vin');
    expect(fieldOf(refusal('version_conflict'))).toBeNull();
  });

  it('reads the field of «required» from the message', () => {
    expect(fieldOf(refusal('required', 'full_name is required'))).toBe('fullName');
    expect(fieldOf(refusal('too_long', 'model is longer than 100 characters'))).toBe('model');
    expect(fieldOf(refusal('required', 'decisions is required'))).toBeNull();
  });

  it('puts an error beside an input of the form, above the form otherwise', () => {
    expect(placeError(refusal('invalid_phone', '', 'Неверный телефон «12»'), ['phone', 'phone2'])).toEqual({
      fields: { phone: 'Неверный телефон «12»' },
      form: null,
    });
    expect(
      placeError(refusal('invalid_phone', '', 'Неверный телефон «12»'), ['phone', 'phone2'], { phone: '+7912', phone2: '12' }),
    ).toEqual({ fields: { phone2: 'Неверный телефон «12»' }, form: null });
    expect(placeError(refusal('forbidden', '', 'Недостаточно прав'), ['phone'])).toEqual({
      fields: {},
      form: 'Недостаточно прав',
    });
    expect(placeError(refusal('invalid_vin', '', 'VIN'), ['mileage'])).toEqual({ fields: {}, form: 'VIN' });
  });
});

describe('idempotency keys', () => {
  it('reuses the key of the same body and makes a new one for a changed body', () => {
    let n = 0;
    const attempts = new Attempts(() => `k${++n}`);
    const first = attempts.keyFor('client/1/register', { phones: ['1'] });
    expect(attempts.keyFor('client/1/register', { phones: ['1'] })).toBe(first);
    expect(attempts.keyFor('client/1/register', { phones: ['2'] })).not.toBe(first);
    expect(attempts.keyFor('client/2/register', { phones: ['1'] })).not.toBe(first);
  });
});

describe('duplicates and typed values', () => {
  const hits = [
    { kind: 'client', id: 'c', title: 'А123ВС77', rank: 1 },
    { kind: 'vehicle', id: 'v1', title: 'А123ВС77', subtitle: 'Lada Vesta, VIN XTAGFK330JY144213', rank: 1 },
    { kind: 'vehicle', id: 'v2', title: 'WVWZZZ1KZAW000001', subtitle: 'Volkswagen Golf, VIN WVWZZZ1KZAW000001', rank: 1 },
  ];

  it('writes a plate in canonical Cyrillic', () => {
    expect(canonicalPlate('a123bc 77')).toBe('А123ВС77');
  });

  it('finds a car already registered by VIN or plate', () => {
    expect(findDuplicate(hits, { vin: 'xtagfk330jy144213', plate: '' })).toMatchObject({ by: 'vin', hit: { id: 'v1' } });
    expect(findDuplicate(hits, { vin: '', plate: 'A123BC77' })).toMatchObject({ by: 'plate', hit: { id: 'v1' } });
    expect(findDuplicate(hits, { vin: 'WVWZZZ1KZAW000001', plate: 'В001ВВ77' })).toMatchObject({ hit: { id: 'v2' } });
    expect(findDuplicate(hits, { vin: '', plate: 'А123ВС7' })).toBeNull();
  });

  it('reads lists, kilometres and years', () => {
    expect(lines(' царапина\n\n скол ')).toEqual(['царапина', 'скол']);
    expect(parseKm('123 456')).toBe(123456);
    expect(parseKm('12,5')).toBeNull();
    expect(parseYear('')).toBeUndefined();
    expect(parseYear('2018')).toBe(2018);
    expect(parseYear('18')).toBeNull();
  });
});
