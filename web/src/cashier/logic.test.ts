import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.ts';
import {
  activeMethods,
  fieldOfError,
  formatLineQuantity,
  ifMatchFor,
  methodName,
  moneyToInput,
  needsInvoice,
  oldestDueByClient,
  readAmount,
} from './logic.ts';

describe('needsInvoice', () => {
  it('wants an invoice for an order with none or only voided ones', () => {
    expect(needsInvoice({ invoices: [] })).toBe(true);
    expect(needsInvoice({ invoices: [{ voided: true }] })).toBe(true);
    expect(needsInvoice({ invoices: [{ voided: true }, { voided: false }] })).toBe(false);
    expect(needsInvoice({ invoices: [{ voided: false }] })).toBe(false);
  });
});

describe('ifMatchFor', () => {
  it('sends the version the screen shows', () => {
    expect(ifMatchFor(3, null)).toBe(3);
  });

  it("follows its own command's answer until the read shows it or later", () => {
    expect(ifMatchFor(3, 4)).toBe(4);
    expect(ifMatchFor(6, 4)).toBe(6);
    expect(ifMatchFor(4, 4)).toBe(4);
  });
});

describe('moneyToInput', () => {
  it('writes the server amount as the shop types it', () => {
    expect(moneyToInput('1234.50')).toBe('1234,50');
    expect(moneyToInput('1234.5')).toBe('1234,50');
    expect(moneyToInput('1234')).toBe('1234,00');
    expect(moneyToInput('0.07')).toBe('0,07');
    expect(moneyToInput('007.10')).toBe('7,10');
  });
  it('leaves the field empty for nothing due or a strange amount', () => {
    expect(moneyToInput('0.00')).toBe('');
    expect(moneyToInput('-5.00')).toBe('');
    expect(moneyToInput(null)).toBe('');
    expect(moneyToInput('abc')).toBe('');
  });
});

describe('formatLineQuantity', () => {
  it('shows labour in norm-hours and parts in pieces', () => {
    expect(formatLineQuantity('labour', 15, 'н·ч')).toBe('1,5\u00a0н·ч');
    expect(formatLineQuantity('labour', 20, 'н·ч')).toBe('2\u00a0н·ч');
    expect(formatLineQuantity('parts', 1000, 'н·ч')).toBe('1');
    expect(formatLineQuantity('client_part', 2500, 'н·ч')).toBe('2,5');
    expect(formatLineQuantity('parts', 1250, 'н·ч')).toBe('1,25');
    expect(formatLineQuantity('parts', 5, 'н·ч')).toBe('0,005');
  });
});

describe('oldestDueByClient', () => {
  it('keeps, per client, the last invoice of a newest-first list', () => {
    const map = oldestDueByClient([
      { id: 'c', number: 'СЧ-3', client: { id: 'anna' } },
      { id: 'b', number: 'СЧ-2', client: { id: 'boris' } },
      { id: 'a', number: 'СЧ-1', client: { id: 'anna' } },
      { id: 'x', number: 'СЧ-0', client: null },
    ]);
    expect(map.get('anna')?.number).toBe('СЧ-1');
    expect(map.get('boris')?.number).toBe('СЧ-2');
    expect(map.size).toBe(2);
  });
});

describe('payment methods', () => {
  const entries = [
    { code: 'cash', name: 'Наличные', active: true },
    { code: 'cheque', name: 'Чек', active: false },
    { code: 'card', name: 'Банковская карта', active: true },
  ];
  it('offers the active ones in the directory order', () => {
    expect(activeMethods(entries).map((m) => m.code)).toEqual(['cash', 'card']);
  });
  it('names a method, or shows its code when it is gone', () => {
    expect(methodName('cheque', entries)).toBe('Чек');
    expect(methodName('crypto', entries)).toBe('crypto');
  });
});

describe('fieldOfError', () => {
  it('puts amount refusals beside the amount', () => {
    const overpaid = new ApiError(422, 'invoice_overpaid', 'x', 'Оплата больше остатка', { balance: '1.00' });
    expect(fieldOfError(overpaid)).toBe('amount');
    expect(fieldOfError(new ApiError(422, 'refund_exceeds_paid', 'x', 'x'))).toBe('amount');
  });
  it('follows a field the server names, and leaves the rest to the form', () => {
    expect(fieldOfError(new ApiError(400, 'invalid', 'x', 'x', { field: 'reason' }))).toBe('reason');
    expect(fieldOfError(new ApiError(400, 'invalid', 'x', 'x', { field: 'amount_kopecks' }))).toBe('amount');
    expect(fieldOfError(new ApiError(422, 'invoice_has_payments', 'x', 'x'))).toBeNull();
  });
});

describe('readAmount', () => {
  const words = { invalid: 'not an amount', zero: 'zero' };
  it('turns typed roubles into kopecks', () => {
    expect(readAmount('1 500,50', words)).toEqual({ kopecks: 150_050 });
    expect(readAmount('700', words)).toEqual({ kopecks: 70_000 });
  });
  it('refuses blanks, words and zero before asking the server', () => {
    expect(readAmount('', words)).toEqual({ error: 'not an amount' });
    expect(readAmount('сто', words)).toEqual({ error: 'not an amount' });
    expect(readAmount('-5', words)).toEqual({ error: 'not an amount' });
    expect(readAmount('0,00', words)).toEqual({ error: 'zero' });
  });
});
