/**
 * The board's logic as plain functions (tested in board.test.ts): the filters as they live in the
 * address, the query's variables, and how tiles fall into columns.
 */
import type { BoardQueryVariables, BoardTileFragment, Status as StatusEnum } from '../api/generated/graphql/graphql.ts';
import { dayRange, isLate } from '../format/dates.ts';
import { STATUS_LABEL, type Status } from '../work-order/lifecycle.ts';
import { text } from './text.ts';

export type Tile = BoardTileFragment;

/** The active columns, left to right. */
export const ACTIVE: readonly Status[] = ['draft', 'accepted', 'approved', 'in_progress', 'completed'];
/** The status filter's value for the «closed today» column. */
export const CLOSED_TODAY = 'closed';
/** The mechanic filter's value for orders with no mechanic on any line. */
export const NO_MECHANIC = 'none';
/** How many active orders one load brings. */
export const PAGE = 200;

export type View = 'status' | 'mechanic';

export interface Filters {
  view: View;
  /** A mechanic's id, NO_MECHANIC, or '' for all. */
  mechanic: string;
  /** The day the order was opened, `YYYY-MM-DD`, or ''. */
  day: string;
  /** One of ACTIVE, CLOSED_TODAY, or '' for all. */
  status: string;
}

/** The filters from the address's search parameters; anything unknown is ignored. */
export function readFilters(params: URLSearchParams): Filters {
  const status = params.get('status') ?? '';
  const day = params.get('day') ?? '';
  return {
    view: params.get('view') === 'mechanic' ? 'mechanic' : 'status',
    mechanic: params.get('mechanic') ?? '',
    day: /^\d{4}-\d{2}-\d{2}$/.test(day) && parseDay(day) ? day : '',
    status: (ACTIVE as string[]).includes(status) || status === CLOSED_TODAY ? status : '',
  };
}

/** The search parameters for these filters: defaults are left out, so a plain /board stays plain. */
export function writeFilters(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.view === 'mechanic') params.set('view', 'mechanic');
  if (filters.mechanic) params.set('mechanic', filters.mechanic);
  if (filters.day) params.set('day', filters.day);
  if (filters.status) params.set('status', filters.status);
  return params;
}

function parseDay(day: string): Date | null {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return null;
  const at = new Date(y, m - 1, d);
  return at.getFullYear() === y && at.getMonth() === m - 1 && at.getDate() === d ? at : null;
}

/** The schema's enum value of a lifecycle status (`in_progress` → `IN_PROGRESS`). */
export function toStatusEnum(status: string): StatusEnum {
  return status.toUpperCase() as StatusEnum;
}

export interface Access {
  client: boolean;
  vehicle: boolean;
}

/** The board query's variables for these filters, today and the role's read permissions. */
export function boardVariables(filters: Filters, access: Access, now: Date = new Date()): BoardQueryVariables {
  const active = filters.status === '' ? ACTIVE : filters.status === CLOSED_TODAY ? [] : [filters.status];
  const variables: BoardQueryVariables = {
    skipActive: active.length === 0,
    statuses: active.map(toStatusEnum),
    first: PAGE,
    skipClient: !access.client,
    skipVehicle: !access.vehicle,
  };
  const day = filters.day ? parseDay(filters.day) : null;
  if (day) {
    const { from, to } = dayRange(day);
    variables.openedFrom = from;
    variables.openedTo = to;
  }
  if (filters.status === '' || filters.status === CLOSED_TODAY) {
    const { from, to } = dayRange(now);
    variables.withClosed = true;
    variables.closedFrom = from;
    variables.closedTo = to;
  }
  return variables;
}

/** Whether an order is late: promised, not yet handed over, and the time has passed. */
export function tileLate(tile: Pick<Tile, 'status' | 'promisedAt'>, now: Date = new Date()): boolean {
  return tile.status !== 'closed' && tile.status !== 'cancelled' && isLate(tile.promisedAt, now);
}

/** Whether a tile passes the mechanic filter. */
export function hasMechanic(tile: Pick<Tile, 'mechanics'>, mechanic: string): boolean {
  if (mechanic === '') return true;
  if (mechanic === NO_MECHANIC) return tile.mechanics.length === 0;
  return tile.mechanics.some((m) => m.id === mechanic);
}

export interface Column {
  key: string;
  title: string;
  tiles: Tile[];
}

/** Columns by status: the active ones (or the one filtered for), then «Выдан сегодня». */
export function statusColumns(active: readonly Tile[], closed: readonly Tile[] | undefined, filters: Filters): Column[] {
  const keep = (tile: Tile) => hasMechanic(tile, filters.mechanic);
  const statuses = filters.status === '' ? ACTIVE : (ACTIVE as string[]).includes(filters.status) ? [filters.status as Status] : [];
  const columns: Column[] = statuses.map((status) => ({
    key: status,
    title: STATUS_LABEL[status],
    tiles: active.filter((tile) => tile.status === status && keep(tile)),
  }));
  if (filters.status === '' || filters.status === CLOSED_TODAY) {
    columns.push({ key: CLOSED_TODAY, title: text.closedToday, tiles: (closed ?? []).filter(keep) });
  }
  return columns;
}

/**
 * One column per mechanic (by name), a tile under each mechanic with a labour line on it, and
 * «Без механика» last for orders with none. The page passes the active orders (the handed-over
 * ones have left the floor), or today's handed-over ones when the status filter asks for them.
 */
export function mechanicColumns(active: readonly Tile[], filters: Filters): Column[] {
  const byId = new Map<string, Column>();
  const none: Column = { key: NO_MECHANIC, title: text.noMechanic, tiles: [] };
  for (const tile of active) {
    if (filters.status && filters.status !== CLOSED_TODAY && tile.status !== filters.status) continue;
    if (tile.mechanics.length === 0) {
      none.tiles.push(tile);
      continue;
    }
    for (const mechanic of tile.mechanics) {
      let column = byId.get(mechanic.id);
      if (!column) {
        column = { key: mechanic.id, title: mechanic.fullName, tiles: [] };
        byId.set(mechanic.id, column);
      }
      column.tiles.push(tile);
    }
  }
  const columns = [...byId.values()].sort((a, b) => a.title.localeCompare(b.title, 'ru'));
  columns.push(none);
  if (filters.mechanic === '') return columns;
  return columns.filter((column) => column.key === filters.mechanic);
}

/** The mechanics the filter offers: everyone on a line of the loaded orders, by name. */
export function mechanicOptions(tiles: readonly Tile[]): { id: string; fullName: string }[] {
  const seen = new Map<string, string>();
  for (const tile of tiles) for (const m of tile.mechanics) seen.set(m.id, m.fullName);
  return [...seen.entries()]
    .map(([id, fullName]) => ({ id, fullName }))
    .sort((a, b) => a.fullName.localeCompare(b.fullName, 'ru'));
}
