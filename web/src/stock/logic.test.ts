import { describe, expect, it } from 'vitest';
import {
  countDifference,
  decimalToThousandths,
  formatCount,
  formatDelta,
  formatQuantity,
  formatThousandths,
  isNegativeAmount,
  isOverReceived,
  leaksOf,
  monthOf,
  monthRange,
  movementDocument,
  nextCursor,
  normalisePartNumber,
  parseLeakKinds,
  parseQuantity,
  receiptLines,
  scan,
  stockId,
  thousandthsToInput,
  type ReceivingLine,
} from './logic.ts';

describe('quantities', () => {
  it('reads the server decimals exactly', () => {
    expect(decimalToThousandths('1.500')).toBe(1500);
    expect(decimalToThousandths('0.001')).toBe(1);
    expect(decimalToThousandths('-2.000')).toBe(-2000);
    expect(decimalToThousandths('-0.000')).toBe(0);
    expect(decimalToThousandths('7')).toBe(7000);
    expect(decimalToThousandths('1.5e3')).toBeNull();
    expect(decimalToThousandths('')).toBeNull();
  });

  it('writes them the Russian way with the unit', () => {
    expect(formatThousandths(1500)).toBe('1,5');
    expect(formatThousandths(2000)).toBe('2');
    expect(formatThousandths(-250)).toBe('−0,25');
    expect(formatThousandths(1_234_005)).toBe('1\u00a0234,005');
    expect(formatQuantity('4.000', 'pcs')).toBe('4\u00a0шт.');
    expect(formatQuantity('0.750', 'l')).toBe('0,75\u00a0л');
    expect(formatQuantity('-1.000', 'kg')).toBe('−1\u00a0кг');
    expect(formatQuantity(null, 'm')).toBe('—');
    expect(formatQuantity('2.500', '')).toBe('2,5');
    expect(formatQuantity('n/a', 'm')).toBe('n/a');
  });

  it('parses what a person types', () => {
    expect(parseQuantity('2')).toBe(2000);
    expect(parseQuantity('1,5')).toBe(1500);
    expect(parseQuantity(' 0.25 ')).toBe(250);
    expect(parseQuantity('1 000')).toBe(1_000_000);
    expect(parseQuantity('0')).toBeNull();
    expect(parseQuantity('0', { allowZero: true })).toBe(0);
    expect(parseQuantity('1,2345')).toBeNull();
    expect(parseQuantity('-1')).toBeNull();
    expect(parseQuantity('две')).toBeNull();
    expect(thousandthsToInput(1_234_500)).toBe('1234,5');
  });

  it('names the main store stream', () => {
    expect(stockId('p1')).toBe('p1:main');
  });
});

describe('part numbers', () => {
  it('compare as the domain normalises them', () => {
    expect(normalisePartNumber(' w 712-95 ')).toBe('W71295');
    expect(normalisePartNumber('oc\u201290')).toBe('OC90');
    expect(normalisePartNumber('W 712/95')).toBe('W712/95');
  });
});

describe('receiving by scan', () => {
  const lines: ReceivingLine[] = [
    { id: 'a', number: 'W 712/95', outstanding: 2000 },
    { id: 'b', number: 'OC 90', outstanding: 1000 },
    { id: 'c', number: 'OC 90', outstanding: 3000 },
    { id: 'd', number: null, outstanding: 1000 },
  ];

  it('adds one unit to the matching line, however the number is typed', () => {
    const first = scan(lines, {}, 'w712/95');
    expect(first).toEqual({ kind: 'added', lineId: 'a', receipt: { a: 1000 } });
    if (first.kind !== 'added') return;
    const second = scan(lines, first.receipt, 'W 712/95');
    expect(second).toEqual({ kind: 'added', lineId: 'a', receipt: { a: 2000 } });
  });

  it('fills the first open line of a part on several lines, then the next', () => {
    let receipt = {};
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = scan(lines, receipt, 'oc90');
      if (result.kind !== 'added') throw new Error('not added');
      taken.push(result.lineId);
      receipt = result.receipt;
    }
    expect(taken).toEqual(['b', 'c', 'c']);
    expect(receipt).toEqual({ b: 1000, c: 2000 });
  });

  it('lets the last line take more than ordered, so the server can say no', () => {
    const receipt = { a: 2000 };
    const result = scan(lines, receipt, 'W712/95');
    expect(result).toEqual({ kind: 'added', lineId: 'a', receipt: { a: 3000 } });
    expect(isOverReceived(lines[0] as ReceivingLine, { a: 3000 })).toBe(true);
    expect(isOverReceived(lines[0] as ReceivingLine, { a: 2000 })).toBe(false);
  });

  it('tells an unknown number and an empty scan apart', () => {
    expect(scan(lines, {}, 'XYZ')).toEqual({ kind: 'unknown' });
    expect(scan(lines, {}, '  - ')).toEqual({ kind: 'empty' });
  });

  it('sends only the lines that take something, in the order of the order', () => {
    expect(receiptLines(lines, { c: 2000, a: 1000, b: 0 })).toEqual([
      { line_id: 'a', quantity_thousandths: 1000 },
      { line_id: 'c', quantity_thousandths: 2000 },
    ]);
  });
});

describe('counting', () => {
  it('is found less the books', () => {
    expect(countDifference(3000, '5.000')).toBe(-2000);
    expect(countDifference(5500, '5.000')).toBe(500);
    expect(countDifference(0, '0.000')).toBe(0);
    expect(countDifference(1000, 'x')).toBeNull();
  });
});

describe('the movements journal', () => {
  it('signs a change and keeps still columns quiet', () => {
    expect(formatDelta('2.000', 'pcs')).toBe('+2\u00a0шт.');
    expect(formatDelta('-1.500', 'l')).toBe('−1,5\u00a0л');
    expect(formatDelta('0.000', 'pcs')).toBe('—');
    expect(formatDelta('-0.000', 'pcs')).toBe('—');
    expect(formatDelta(null, 'pcs')).toBe('—');
    expect(formatDelta('n/a', 'pcs')).toBe('n/a');
  });

  it('names the document: the work order first, then the purchase order, then the count', () => {
    expect(movementDocument({ workOrderId: 'wo', purchaseOrderId: null, countId: null })).toEqual({ kind: 'work_order', id: 'wo' });
    expect(movementDocument({ workOrderId: null, purchaseOrderId: 'po', countId: null })).toEqual({
      kind: 'purchase_order',
      id: 'po',
    });
    expect(movementDocument({ countId: 'c' })).toEqual({ kind: 'count', id: 'c' });
    expect(movementDocument({ workOrderId: 'wo', purchaseOrderId: 'po' })).toEqual({ kind: 'work_order', id: 'wo' });
    expect(movementDocument({})).toBeNull();
  });
});

describe('paging', () => {
  it('goes on from the last cursor only while another page follows', () => {
    expect(nextCursor({ endCursor: 'abc', hasNextPage: true })).toBe('abc');
    expect(nextCursor({ endCursor: 'abc', hasNextPage: false })).toBeUndefined();
    expect(nextCursor({ endCursor: null, hasNextPage: true })).toBeUndefined();
    expect(nextCursor({ hasNextPage: false })).toBeUndefined();
  });
});

describe('the margin report', () => {
  it('lists a line\'s leaks from the server\'s flags, in the screen\'s order', () => {
    expect(leaksOf({ issuedNotBilled: false, billedNotIssued: false, belowCost: false })).toEqual([]);
    expect(leaksOf({ issuedNotBilled: false, billedNotIssued: false, belowCost: true })).toEqual(['BELOW_COST']);
    expect(leaksOf({ issuedNotBilled: true, billedNotIssued: false, belowCost: true })).toEqual([
      'ISSUED_NOT_BILLED',
      'BELOW_COST',
    ]);
    expect(leaksOf({ issuedNotBilled: false, billedNotIssued: true, belowCost: false })).toEqual(['BILLED_NOT_ISSUED']);
  });

  it('reads the kinds from the address: known ones, once, in order', () => {
    expect(parseLeakKinds(null)).toEqual([]);
    expect(parseLeakKinds('')).toEqual([]);
    expect(parseLeakKinds('BELOW_COST,ISSUED_NOT_BILLED,BELOW_COST,nope')).toEqual(['ISSUED_NOT_BILLED', 'BELOW_COST']);
    expect(parseLeakKinds('below_cost')).toEqual([]);
  });

  it('takes a month from its first local midnight to the next month\'s', () => {
    expect(monthOf(new Date(2026, 11, 31, 23, 59))).toBe('2026-12');
    expect(monthOf(new Date(2027, 0, 1))).toBe('2027-01');
    expect(monthRange('2026-12')).toEqual({
      from: new Date(2026, 11, 1).toISOString(),
      to: new Date(2027, 0, 1).toISOString(),
    });
    expect(monthRange('2026-02')).toEqual({
      from: new Date(2026, 1, 1).toISOString(),
      to: new Date(2026, 2, 1).toISOString(),
    });
    expect(monthRange('2026-13')).toBeNull();
    expect(monthRange('2026-00')).toBeNull();
    expect(monthRange('')).toBeNull();
    expect(monthRange('декабрь')).toBeNull();
  });
});

describe('the margin report\'s totals', () => {
  it('writes counts grouped by thousands, as given', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(7)).toBe('7');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234)).toBe('1\u00a0234');
    expect(formatCount(1234567)).toBe('1\u00a0234\u00a0567');
  });

  it('tells a loss by its sign, not by arithmetic', () => {
    expect(isNegativeAmount('-1000.00')).toBe(true);
    expect(isNegativeAmount('-0.01')).toBe(true);
    expect(isNegativeAmount('-0.00')).toBe(false);
    expect(isNegativeAmount('0.00')).toBe(false);
    expect(isNegativeAmount('1000.00')).toBe(false);
    expect(isNegativeAmount(null)).toBe(false);
    expect(isNegativeAmount(undefined)).toBe(false);
  });
});
