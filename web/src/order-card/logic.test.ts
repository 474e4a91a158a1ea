import { describe, expect, it } from 'vitest';
import {
  approvalBody,
  bpToInput,
  decimalToInput,
  earlierRecommendations,
  ifMatchFor,
  labourAction,
  lineStockFigures,
  listFromLines,
  mechanicsOf,
  parseKm,
  parseQuantityToThousandths,
  stockActions,
} from './logic.ts';

describe('typed figures', () => {
  it('reads quantities as thousandths', () => {
    expect(parseQuantityToThousandths('2')).toBe(2000);
    expect(parseQuantityToThousandths('1,5')).toBe(1500);
    expect(parseQuantityToThousandths('0.25')).toBe(250);
    expect(parseQuantityToThousandths('0')).toBeNull();
    expect(parseQuantityToThousandths('1,2345')).toBeNull();
    expect(parseQuantityToThousandths('две')).toBeNull();
  });

  it('writes server decimals back as a person types them', () => {
    expect(decimalToInput('1.5')).toBe('1,5');
    expect(decimalToInput('2.000')).toBe('2');
    expect(decimalToInput('650.00')).toBe('650');
    expect(decimalToInput('650.50')).toBe('650,5');
    expect(bpToInput(1250)).toBe('12,5');
    expect(bpToInput(1000)).toBe('10');
    expect(bpToInput(0)).toBe('');
  });

  it('reads kilometres and lists', () => {
    expect(parseKm('65 400')).toBe(65400);
    expect(parseKm('-1')).toBeNull();
    expect(listFromLines('Скол\n\n  Царапина на двери  \n')).toEqual(['Скол', 'Царапина на двери']);
  });
});

describe('approval', () => {
  it('sends only decided lines, with who and how', () => {
    expect(approvalBody({ a: 'approve', b: 'decline', c: undefined }, ' Петров И. ', { kind: 'in_person' })).toEqual({
      decisions: [
        { line_id: 'a', decision: 'approve' },
        { line_id: 'b', decision: 'decline' },
      ],
      by: 'Петров И.',
      channel: { kind: 'in_person' },
    });
    expect(approvalBody({ a: 'approve' }, 'Петров', { kind: 'phone', number: '+79161112233' })?.channel).toEqual({
      kind: 'phone',
      number: '+79161112233',
    });
  });

  it('refuses an empty decision, a nameless one or a phone without a number', () => {
    expect(approvalBody({ a: undefined }, 'Петров', { kind: 'in_person' })).toBeNull();
    expect(approvalBody({ a: 'approve' }, '  ', { kind: 'in_person' })).toBeNull();
    expect(approvalBody({ a: 'approve' }, 'Петров', { kind: 'phone', number: ' ' })).toBeNull();
  });
});

describe('versions and earlier visits', () => {
  it('sends the version of the order the card shows', () => {
    expect(ifMatchFor({ id: 'a', version: 7 }, null)).toBe(7);
  });

  it("follows its own command's answer until the reloaded card shows it or later", () => {
    // Answered 8 while the card still shows 7: the user's own write is the only difference.
    expect(ifMatchFor({ id: 'a', version: 7 }, { id: 'a', version: 8 })).toBe(8);
    // The card reloaded with another employee's change on top: what is shown wins.
    expect(ifMatchFor({ id: 'a', version: 10 }, { id: 'a', version: 8 })).toBe(10);
    expect(ifMatchFor({ id: 'a', version: 8 }, { id: 'a', version: 8 })).toBe(8);
  });

  it("ignores an answer about another order", () => {
    expect(ifMatchFor({ id: 'b', version: 3 }, { id: 'a', version: 8 })).toBe(3);
  });

  it('offers earlier recommendations newest first, once each, not the ones already on the order', () => {
    const orders = [
      { id: 'now', number: 'ЗН-3', recommendations: [{ id: 'x', text: 'Свежая', estimate: null, at: '2026-12-03T10:00:00Z' }] },
      {
        id: 'old',
        number: 'ЗН-1',
        recommendations: [
          { id: 'r1', text: 'Замена тормозных колодок', estimate: '3000.00', at: '2026-01-01T10:00:00Z' },
          { id: 'r2', text: 'Развал-схождение', estimate: null, at: '2026-02-01T10:00:00Z' },
        ],
      },
      {
        id: 'older',
        number: 'ЗН-0',
        recommendations: [{ id: 'r0', text: 'замена тормозных колодок', estimate: null, at: '2025-06-01T10:00:00Z' }],
      },
    ];
    const offered = earlierRecommendations(orders, 'now', [{ description: 'Развал-схождение' }]);
    expect(offered.map((r) => [r.id, r.orderNumber])).toEqual([['r1', 'ЗН-1']]);
  });

  it('puts only mechanics on lines', () => {
    const staff = [
      { id: '1', roles: ['advisor'] },
      { id: '2', roles: ['mechanic'] },
      { id: '3', roles: ['owner', 'mechanic'] },
    ];
    expect(mechanicsOf(staff).map((e) => e.id)).toEqual(['2', '3']);
  });
});

describe('mechanic actions', () => {
  it('starts an approved labour line and finishes a started one, only while in progress', () => {
    const line = { kind: 'labour', approval: 'approved', progress: 'not_started' };
    expect(labourAction('in_progress', line)).toBe('start');
    expect(labourAction('in_progress', { ...line, progress: 'started' })).toBe('finish');
    expect(labourAction('in_progress', { ...line, progress: 'finished' })).toBeNull();
    expect(labourAction('in_progress', { ...line, approval: 'pending' })).toBeNull();
    expect(labourAction('approved', line)).toBeNull();
    expect(labourAction('in_progress', { kind: 'parts', approval: 'approved', progress: null })).toBeNull();
  });
});

describe("a parts line's stock", () => {
  const stock = (reserved: string, backordered: string, issued: string) => ({ reserved, backordered, issued });

  it('reads what is on the shelf, to order and issued', () => {
    expect(lineStockFigures(stock('3.000', '2.000', '0.000'))).toEqual({ onShelf: 1000, toOrder: 2000, issued: 0 });
    expect(lineStockFigures(stock('0.000', '0.000', '1.500'))).toEqual({ onShelf: 0, toOrder: 0, issued: 1500 });
    expect(lineStockFigures(stock('two', '0.000', '0.000'))).toBeNull();
  });

  it('offers an issue only from the shelf and a return only of what was issued', () => {
    const line = (reserved: string, backordered: string, issued: string) => ({ partId: 'p', ...stock(reserved, backordered, issued) });
    expect(stockActions(line('2.000', '0.000', '0.000'))).toEqual(['issue']);
    expect(stockActions(line('2.000', '2.000', '0.000'))).toEqual([]);
    expect(stockActions(line('1.000', '0.000', '1.000'))).toEqual(['issue', 'return']);
    expect(stockActions(line('0.000', '0.000', '0.000'))).toEqual([]);
    expect(stockActions(null)).toEqual([]);
  });
});
