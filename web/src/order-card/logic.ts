/**
 * The order card's plain rules: reading typed figures into the units the command API takes,
 * building the approval's body, which version a command is sent against, which earlier
 * recommendations to offer, and what a parts line's stock allows. No money is added up here:
 * totals come from the server.
 */
import type { CommandBody } from '../api/commands.ts';
import type { OrderCardQuery } from '../api/generated/graphql/graphql.ts';
import { decimalToThousandths } from '../stock/logic.ts';

export type Order = NonNullable<OrderCardQuery['workOrder']>;
export type OrderLine = Order['lines'][number];

/** A quantity typed by a person («2», «1,5», «0,25») as thousandths, or null. */
export function parseQuantityToThousandths(typed: string): number | null {
  const match = /^(\d{1,6})(?:[.,](\d{1,3}))?$/.exec(typed.trim());
  if (!match) return null;
  const value = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  return value > 0 ? value : null;
}

/** A decimal from the server («1.5», «2.000», «650.00») as a person types it («1,5», «2», «650»). */
export function decimalToInput(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.trim().split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '' ? whole : `${whole},${trimmed}`;
}

/** Basis points as a typed percent (1250 → «12,5»; 0 → «»). */
export function bpToInput(bp: number): string {
  if (bp === 0) return '';
  return decimalToInput(`${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}`);
}

/** A whole number of kilometres typed with or without spaces, or null. */
export function parseKm(typed: string): number | null {
  const text = typed.replace(/[\s\u00a0]/g, '');
  if (!/^\d{1,7}$/.test(text)) return null;
  return Number(text);
}

/** One item a line of a textarea («Скол на лобовом стекле»), blank lines dropped. */
export function listFromLines(typed: string): string[] {
  return typed
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export type Decision = 'approve' | 'decline';
export type Channel = { kind: 'in_person' } | { kind: 'phone'; number: string };

/** The `record_approval` body from the choices made; lines left undecided are not sent. */
export function approvalBody(
  choices: Readonly<Record<string, Decision | undefined>>,
  by: string,
  channel: Channel,
): CommandBody<'work_order', 'record_approval'> | null {
  const decisions = Object.entries(choices)
    .filter((entry): entry is [string, Decision] => entry[1] === 'approve' || entry[1] === 'decline')
    .map(([line_id, decision]) => ({ line_id, decision }));
  const who = by.trim();
  if (decisions.length === 0 || who === '') return null;
  if (channel.kind === 'phone' && channel.number.trim() === '') return null;
  return {
    decisions,
    by: who,
    channel: channel.kind === 'phone' ? { kind: 'phone', number: channel.number.trim() } : { kind: 'in_person' },
  };
}

/**
 * The `If-Match` for a command from a card showing `shown`: the version of the order the user is
 * looking at, or the version this card's own last command on that order answered with when the
 * card has not been reloaded since (a later version means the card already shows that write).
 */
export function ifMatchFor(shown: { id: string; version: number }, answered: { id: string; version: number } | null): number {
  return answered !== null && answered.id === shown.id && answered.version > shown.version ? answered.version : shown.version;
}

export interface EarlierRecommendation {
  id: string;
  text: string;
  estimate: string | null;
  at: string;
  orderNumber: string;
}

/**
 * Recommendations made on this car's earlier orders, newest first, without those already on
 * this order's lines (by the same text) and without repeats of one text.
 */
export function earlierRecommendations(
  orders: readonly {
    id: string;
    number: string;
    recommendations: readonly { id: string; text: string; estimate: string | null; at: string }[];
  }[],
  currentOrderId: string,
  currentLines: readonly { description: string }[],
): EarlierRecommendation[] {
  const onOrder = new Set(currentLines.map((l) => l.description.trim().toLowerCase()));
  const seen = new Set<string>();
  return orders
    .filter((order) => order.id !== currentOrderId)
    .flatMap((order) => order.recommendations.map((r) => ({ ...r, orderNumber: order.number })))
    .sort((a, b) => b.at.localeCompare(a.at))
    .filter((r) => {
      const key = r.text.trim().toLowerCase();
      if (onOrder.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Employees who can be put on a labour line: those with the mechanic role. */
export function mechanicsOf<E extends { roles: readonly string[] }>(employees: readonly E[]): E[] {
  return employees.filter((e) => e.roles.includes('mechanic'));
}

/** What a line's progress reads as, for labour. */
export type Progress = 'not_started' | 'started' | 'finished';

/** Which mechanic action a line offers now: the domain's start/finish rules. */
export function labourAction(status: string, line: Pick<OrderLine, 'kind' | 'approval' | 'progress'>): 'start' | 'finish' | null {
  if (status !== 'in_progress' || line.kind !== 'labour') return null;
  if (line.progress === 'started') return 'finish';
  if (line.progress === 'not_started' && line.approval === 'approved') return 'start';
  return null;
}

/** What a catalogue parts line holds of its part's stock, as the query API reads it. */
export type LineStock = NonNullable<OrderLine['stock']>;

/** A line's stock in thousandths: reserved on the shelf (what may be issued), to order, issued. */
export interface LineStockFigures {
  onShelf: number;
  toOrder: number;
  issued: number;
}

/** The line's figures in thousandths; null when a figure is no decimal (never read as zero). */
export function lineStockFigures(stock: Pick<LineStock, 'reserved' | 'backordered' | 'issued'>): LineStockFigures | null {
  const reserved = decimalToThousandths(stock.reserved);
  const toOrder = decimalToThousandths(stock.backordered);
  const issued = decimalToThousandths(stock.issued);
  if (reserved === null || toOrder === null || issued === null) return null;
  return { onShelf: Math.max(0, reserved - toOrder), toOrder, issued };
}

/**
 * Which stock commands a line offers now: issue what is reserved on the shelf, take back what was
 * issued. A line to order only, or without a catalogue part, offers none.
 */
export function stockActions(stock: LineStock | null | undefined): ('issue' | 'return')[] {
  const figures = stock ? lineStockFigures(stock) : null;
  if (!figures) return [];
  const actions: ('issue' | 'return')[] = [];
  if (figures.onShelf > 0) actions.push('issue');
  if (figures.issued > 0) actions.push('return');
  return actions;
}
