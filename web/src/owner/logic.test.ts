import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.ts';
import {
  bpToInput,
  documentFacts,
  fieldOf,
  moneyToInput,
  normHoursToInput,
  parseMarkupToBp,
  placeError,
  roleNames,
  rowsOf,
  scaleOf,
  suggestCode,
} from './logic.ts';

const refusal = (code: string, message = '', messageRu = 'Отказ', details: Record<string, unknown> = {}) =>
  new ApiError(422, code, message, messageRu, details);

const REQUISITES = { inn: 'inn', kpp: 'kpp', ogrn: 'ogrn', bik: 'bik', account: 'account', correspondent_account: 'corr' } as const;

describe('where a refusal belongs', () => {
  it('puts a code that names its field beside that field', () => {
    expect(fieldOf(refusal('invalid_inn'), REQUISITES)).toBe('inn');
    expect(fieldOf(refusal('kpp_for_sole_trader'), REQUISITES)).toBe('kpp');
    expect(fieldOf(refusal('invalid_ogrn'), REQUISITES)).toBe('ogrn');
  });

  it('reads required and too_long from the English message', () => {
    expect(fieldOf(refusal('required', 'kpp is required'), REQUISITES)).toBe('kpp');
    expect(fieldOf(refusal('too_long', 'full_name is longer than 300 characters'), { full_name: 'name' })).toBe('name');
  });

  it('tells the bank fields apart by the reason', () => {
    expect(fieldOf(refusal('invalid_bank_details', 'invalid bank details: a BIK has 9 digits'), REQUISITES)).toBe('bik');
    expect(
      fieldOf(refusal('invalid_bank_details', 'invalid bank details: the settlement account does not match the BIK'), REQUISITES),
    ).toBe('account');
    expect(
      fieldOf(refusal('invalid_bank_details', 'invalid bank details: the correspondent account does not match the BIK'), REQUISITES),
    ).toBe('corr');
  });

  it('puts a taken login on the e-mail or the phone', () => {
    const fields = { email: 'email', phone: 'phone' } as const;
    expect(fieldOf(refusal('login_taken', 'another active employee uses this phone'), fields)).toBe('phone');
    expect(fieldOf(refusal('login_taken', 'another active employee uses this email'), fields)).toBe('email');
  });

  it('keeps a refusal about a field not on the form, or about no field, above the form', () => {
    expect(placeError(refusal('requisites_mismatch', '', 'Реквизиты противоречат'), REQUISITES)).toEqual({
      fields: {},
      form: 'Реквизиты противоречат',
    });
    expect(placeError(refusal('invalid_email', '', 'Неверный e-mail'), REQUISITES).form).toBe('Неверный e-mail');
    expect(placeError(refusal('invalid_inn', '', 'Неверный ИНН'), REQUISITES)).toEqual({
      fields: { inn: 'Неверный ИНН' },
      form: null,
    });
  });
});

describe('the settings document', () => {
  it('gives the bank, the number format and the currency', () => {
    const facts = documentFacts({
      v: '2',
      currency: 'RUB',
      number_format: 'ЗН-{yyyy}-{seq:6}',
      requisites: {
        inn: '7707083893',
        bank: { bank_name: 'ПАО Сбербанк', bik: '044525225', account: '40702810938000000001', correspondent_account: '30101810400000000225' },
      },
    });
    expect(facts.numberFormat).toBe('ЗН-{yyyy}-{seq:6}');
    expect(facts.currency).toBe('RUB');
    expect(facts.bank?.bik).toBe('044525225');
  });

  it('is empty before anything was set', () => {
    expect(documentFacts({})).toEqual({ bank: null, numberFormat: '', currency: '' });
    expect(documentFacts(null)).toEqual({ bank: null, numberFormat: '', currency: '' });
    expect(documentFacts({ requisites: { bank: null } }).bank).toBeNull();
  });
});

describe('inputs from the server', () => {
  it('writes amounts, percentages and norm-hours as the shop types them', () => {
    expect(moneyToInput('2500.00')).toBe('2500');
    expect(moneyToInput('2500.50')).toBe('2500,5');
    expect(moneyToInput(null)).toBe('');
    expect(bpToInput(2200)).toBe('22');
    expect(bpToInput(1250)).toBe('12,5');
    expect(bpToInput(1005)).toBe('10,05');
    expect(bpToInput(null)).toBe('');
    expect(normHoursToInput('1.5')).toBe('1,5');
    expect(normHoursToInput('2.0')).toBe('2');
    expect(normHoursToInput('10')).toBe('10');
  });
});

describe('a code from a name', () => {
  it('transliterates and joins words with _', () => {
    expect(suggestCode('Наличные')).toBe('nalichnye');
    expect(suggestCode('Отказ клиента')).toBe('otkaz_klienta');
    expect(suggestCode('Шиномонтаж R16')).toBe('shinomontazh_r16');
  });

  it('starts with a letter and keeps to 40 characters', () => {
    expect(suggestCode('1С: перевод')).toBe('s_perevod');
    expect(suggestCode('щ'.repeat(20))).toHaveLength(40);
    expect(suggestCode('')).toBe('');
    expect(suggestCode('!!!')).toBe('');
  });
});

describe('role names', () => {
  it('takes the shop’s names first, the fixed words second, the code last', () => {
    const nameOf = roleNames([{ code: 'advisor', name: 'Приёмщик' }], { advisor: 'Мастер-приёмщик', owner: 'Владелец' });
    expect(nameOf('advisor')).toBe('Приёмщик');
    expect(nameOf('owner')).toBe('Владелец');
    expect(nameOf('washer')).toBe('washer');
  });
});

describe('a markup scale as typed', () => {
  it('reads markups in percent, above 100 % too', () => {
    expect(parseMarkupToBp('35')).toBe(3500);
    expect(parseMarkupToBp('12,5 %')).toBe(1250);
    expect(parseMarkupToBp('150')).toBe(15000);
    expect(parseMarkupToBp('')).toBeNull();
    expect(parseMarkupToBp('-5')).toBeNull();
  });

  it('ends each range where the next begins and leaves the last open, the first from zero', () => {
    const { ranges, errors } = scaleOf([
      { from: '500', markup: '60' },
      { from: '1 000', markup: '40' },
      { from: '10000,50', markup: '25' },
    ]);
    expect(errors).toEqual({});
    expect(ranges).toEqual([
      { from_kopecks: 0, to_kopecks: 100_000, markup_bp: 6000 },
      { from_kopecks: 100_000, to_kopecks: 1_000_050, markup_bp: 4000 },
      { from_kopecks: 1_000_050, to_kopecks: null, markup_bp: 2500 },
    ]);
  });

  it('names the rows that do not read as numbers and sends nothing', () => {
    const { ranges, errors } = scaleOf([
      { from: '0', markup: 'много' },
      { from: 'тысяча', markup: '40' },
    ]);
    expect(ranges).toBeNull();
    expect(errors[0]?.markup).toBeTruthy();
    expect(errors[0]?.from).toBeUndefined();
    expect(errors[1]?.from).toBeTruthy();
    expect(scaleOf([]).ranges).toBeNull();
  });

  it('turns a stored scale back into rows', () => {
    expect(rowsOf([{ from: '0.00', markupBp: 6000 }, { from: '1000.00', markupBp: 4050 }])).toEqual([
      { from: '0', markup: '60' },
      { from: '1000', markup: '40,5' },
    ]);
  });
});
