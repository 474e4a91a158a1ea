import { describe, expect, it } from 'vitest';
import {
  boardVariables,
  type Filters,
  mechanicColumns,
  mechanicOptions,
  readFilters,
  statusColumns,
  tileLate,
  type Tile,
  writeFilters,
} from './board.ts';
import { text } from './text.ts';

const none: Filters = { view: 'status', mechanic: '', day: '', status: '' };
const all = { client: true, vehicle: true };

const petrov = { id: 'm1', fullName: 'Сидоров Пётр' };
const anna = { id: 'm2', fullName: 'Андреева Анна' };

function tile(id: string, status: string, mechanics: Tile['mechanics'] = []): Tile {
  return {
    id,
    number: id,
    status,
    promisedAt: null,
    pendingApprovalLines: 0,
    balanceDue: null,
    total: '0.00',
    mechanics,
    approvalLinks: [],
  };
}

describe('filters in the address', () => {
  it('reads what it wrote and drops the defaults', () => {
    const filters: Filters = { view: 'mechanic', mechanic: 'm1', day: '2026-12-05', status: 'in_progress' };
    expect(readFilters(writeFilters(filters))).toEqual(filters);
    expect(writeFilters(none).toString()).toBe('');
  });

  it('ignores what it does not know', () => {
    expect(readFilters(new URLSearchParams('view=x&status=flying&day=2026-13-40'))).toEqual(none);
    expect(readFilters(new URLSearchParams('status=closed')).status).toBe('closed');
  });
});

describe('the query’s variables', () => {
  const now = new Date(2026, 11, 5, 12, 0);

  it('asks for the five active columns and today’s handed-over orders in one request', () => {
    const v = boardVariables(none, all, now);
    expect(v.statuses).toEqual(['DRAFT', 'ACCEPTED', 'APPROVED', 'IN_PROGRESS', 'COMPLETED']);
    expect(v.first).toBe(200);
    expect(v.skipActive).toBe(false);
    expect(v.withClosed).toBe(true);
    expect(v.closedFrom).toBe(new Date(2026, 11, 5).toISOString());
    expect(v.closedTo).toBe(new Date(2026, 11, 6).toISOString());
    expect(v.openedFrom).toBeUndefined();
  });

  it('narrows by status and by the day opened', () => {
    const v = boardVariables({ ...none, status: 'approved', day: '2026-12-01' }, all, now);
    expect(v.statuses).toEqual(['APPROVED']);
    expect(v.withClosed).toBeUndefined();
    expect(v.openedFrom).toBe(new Date(2026, 11, 1).toISOString());
    expect(v.openedTo).toBe(new Date(2026, 11, 2).toISOString());
  });

  it('asks only for the handed-over column when that is the filter', () => {
    const v = boardVariables({ ...none, status: 'closed' }, all, now);
    expect(v.skipActive).toBe(true);
    expect(v.withClosed).toBe(true);
  });

  it('leaves out the client and the vehicle a role may not read', () => {
    const v = boardVariables(none, { client: false, vehicle: true }, now);
    expect(v.skipClient).toBe(true);
    expect(v.skipVehicle).toBe(false);
  });
});

describe('late', () => {
  const now = new Date(2026, 11, 5, 12, 0);
  const past = new Date(2026, 11, 5, 11, 0).toISOString();
  it('is a passed promise on an order still in the shop', () => {
    expect(tileLate({ status: 'in_progress', promisedAt: past }, now)).toBe(true);
    expect(tileLate({ status: 'closed', promisedAt: past }, now)).toBe(false);
    expect(tileLate({ status: 'in_progress', promisedAt: null }, now)).toBe(false);
  });
});

describe('columns', () => {
  const active = [tile('1', 'draft'), tile('2', 'in_progress', [petrov]), tile('3', 'in_progress', [petrov, anna])];
  const closed = [tile('4', 'closed', [anna])];

  it('puts each order under its status, empty columns included, handed-over today last', () => {
    const columns = statusColumns(active, closed, none);
    expect(columns.map((c) => c.title)).toEqual([
      'Черновик / смета',
      'Принят',
      'Согласован',
      'В работе',
      'Выполнен',
      text.closedToday,
    ]);
    expect(columns.map((c) => c.tiles.map((t) => t.id))).toEqual([['1'], [], [], ['2', '3'], [], ['4']]);
  });

  it('keeps only the filtered mechanic’s orders, or those without one', () => {
    const anna_ = statusColumns(active, closed, { ...none, mechanic: 'm2' });
    expect(anna_.flatMap((c) => c.tiles.map((t) => t.id))).toEqual(['3', '4']);
    const nobody = statusColumns(active, closed, { ...none, mechanic: 'none' });
    expect(nobody.flatMap((c) => c.tiles.map((t) => t.id))).toEqual(['1']);
  });

  it('shows only the filtered status', () => {
    expect(statusColumns(active, closed, { ...none, status: 'draft' }).map((c) => c.key)).toEqual(['draft']);
    expect(statusColumns(active, closed, { ...none, status: 'closed' }).map((c) => c.key)).toEqual(['closed']);
  });

  it('gives one column per mechanic by name, an order under each of its mechanics, «Без механика» last', () => {
    const columns = mechanicColumns(active, none);
    expect(columns.map((c) => c.title)).toEqual(['Андреева Анна', 'Сидоров Пётр', text.noMechanic]);
    expect(columns.map((c) => c.tiles.map((t) => t.id))).toEqual([['3'], ['2', '3'], ['1']]);
    expect(mechanicColumns(active, { ...none, mechanic: 'm1' }).map((c) => c.key)).toEqual(['m1']);
    expect(mechanicColumns(active, { ...none, status: 'draft' }).map((c) => c.tiles.length)).toEqual([1]);
  });

  it('offers every mechanic seen once, by name', () => {
    expect(mechanicOptions([...active, ...closed])).toEqual([anna, petrov]);
  });
});

describe('words', () => {
  it('agrees numbers with nouns', () => {
    expect(text.tile.pending(1)).toBe('Ждёт согласования: 1 строка');
    expect(text.tile.pending(3)).toBe('Ждёт согласования: 3 строки');
    expect(text.tile.pending(5)).toBe('Ждёт согласования: 5 строк');
    expect(text.tile.pending(11)).toBe('Ждёт согласования: 11 строк');
    expect(text.count(21)).toBe('21 заказ');
  });
});
