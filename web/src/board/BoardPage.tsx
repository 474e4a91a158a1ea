/**
 * Доска: the shop's orders as tiles in columns by status (or one column per mechanic), fed by one
 * GraphQL request that refreshes itself while the tab is visible. Filters live in the address, so
 * a reload or a shared link shows the same board. A tile moves its order one step forward when the
 * role may; the command API decides, and its refusal is shown beside the tile in its own words.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, type MouseEvent, useEffect, useId, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { formatWhen } from '../format/dates.ts';
import { formatMoney, isPositive } from '../format/money.ts';
import { formatPlate } from '../format/vehicle.ts';
import { TILE_MARKER_TEXT, tileLinkMarker } from '../order-card/approvalLink.ts';
import { nextStep, STEP_LABEL, statusLabel, type Step, type StepRule } from '../work-order/lifecycle.ts';
import {
  ACTIVE,
  boardVariables,
  CLOSED_TODAY,
  type Column,
  type Filters,
  mechanicColumns,
  mechanicOptions,
  NO_MECHANIC,
  readFilters,
  statusColumns,
  type Tile,
  tileLate,
  type View,
  writeFilters,
} from './board.ts';
import { BoardDocument } from './queries.ts';
import { text } from './text.ts';

/** How often the board asks again while the tab is visible. */
const REFRESH_MS = 5_000;
/** The steps a tile may take with one click (the others need the order card's forms). */
type MoveStep = Extract<Step, 'start_work' | 'complete' | 'close'>;
const MOVES: readonly Step[] = ['start_work', 'complete', 'close'];

interface Move {
  tile: Tile;
  step: MoveStep;
}

export function BoardPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const me = useMe().data?.me;
  const permissions = me?.permissions ?? [];
  const seesAll = can(me, 'work_order.read_all');
  const access = { client: can(me, 'client.read'), vehicle: can(me, 'vehicle.read') };
  const day = new Date().toDateString();
  // The variables change with the filters, the role and the day (the «closed today» range).
  const variables = useMemo(
    () => boardVariables(filters, access),
    [filters, access.client, access.vehicle, day],
  );

  const board = useQuery({
    queryKey: ['board', variables],
    queryFn: () => query(BoardDocument, variables),
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
    enabled: me !== undefined,
  });

  const client = useQueryClient();
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState('');
  const move = useMutation({
    mutationFn: ({ tile, step }: Move) => send('work_order', tile.id, step, {}),
    onMutate: ({ tile }) =>
      setRefusals((current) => {
        const rest = { ...current };
        delete rest[tile.id];
        return rest;
      }),
    onSuccess: (_answer, { tile, step }) => {
      setAnnouncement(text.moved(tile.number, statusLabel(AFTER[step])));
    },
    onError: (error, { tile }) => {
      const message = error instanceof ApiError ? (error.isConflict ? text.conflict : error.messageRu) : String(error);
      setRefusals((current) => ({ ...current, [tile.id]: message }));
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['board'] }),
  });

  const now = useNow();
  const active = board.data?.workOrders?.nodes ?? EMPTY;
  const closed = board.data?.closed?.nodes ?? EMPTY;
  const columns =
    filters.view === 'mechanic'
      ? mechanicColumns(filters.status === CLOSED_TODAY ? closed : active, filters)
      : statusColumns(active, closed, filters);
  const mechanics = useMemo(() => mechanicOptions([...active, ...closed]), [active, closed]);

  const navigate = useNavigate();
  // Tiles are plain links (a router <Link> per tile costs its hooks 200 times over); one handler
  // takes a plain click on any of them through the router instead of reloading the app.
  const openTile = (event: MouseEvent<HTMLDivElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element).closest('a.tile__link');
    const href = link?.getAttribute('href');
    if (!href) return;
    event.preventDefault();
    void navigate(href);
  };

  const update = (change: Partial<Filters>) => setParams(writeFilters({ ...filters, ...change }), { replace: true });
  const filtered = filters.mechanic !== '' || filters.day !== '' || filters.status !== '';

  return (
    <div className="board stack">
      <div className="board__head">
        <h1>{text.title}</h1>
        <ViewSwitch view={filters.view} onChange={(view) => update({ view })} />
        <p className="visually-hidden" role="status">
          {announcement}
        </p>
      </div>

      <form className="board__filters row" aria-label={text.filters.label} onSubmit={(e) => e.preventDefault()}>
        {seesAll && (
          <label className="field">
            <span>{text.filters.mechanic}</span>
            <select value={filters.mechanic} onChange={(e) => update({ mechanic: e.target.value })}>
              <option value="">{text.filters.anyMechanic}</option>
              {mechanics.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.fullName}
                </option>
              ))}
              {filters.mechanic && filters.mechanic !== NO_MECHANIC && !mechanics.some((m) => m.id === filters.mechanic) && (
                <option value={filters.mechanic}>{filters.mechanic}</option>
              )}
              <option value={NO_MECHANIC}>{text.noMechanic}</option>
            </select>
          </label>
        )}
        <label className="field">
          <span>{text.filters.day}</span>
          <input type="date" value={filters.day} onChange={(e) => update({ day: e.target.value })} />
        </label>
        <label className="field">
          <span>{text.filters.status}</span>
          <select value={filters.status} onChange={(e) => update({ status: e.target.value })}>
            <option value="">{text.filters.anyStatus}</option>
            {ACTIVE.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
            <option value={CLOSED_TODAY}>{text.closedToday}</option>
          </select>
        </label>
        {filtered && (
          <button
            type="button"
            className="button"
            onClick={() => update({ mechanic: '', day: '', status: '' })}
          >
            {text.filters.reset}
          </button>
        )}
      </form>

      {board.isPending && (
        <p className="page-status" role="status">
          {text.loading}
        </p>
      )}
      {board.isError && (
        <p className="error" role="alert">
          {board.error instanceof ApiError ? board.error.messageRu : String(board.error)}
        </p>
      )}
      {board.data?.workOrders?.hasNextPage && (
        <p className="notice" role="status">
          {text.more}
        </p>
      )}

      {board.data && (
        <div className={`board__columns board__columns--${filters.view}`} onClick={openTile}>
          {columns.map((column) => (
            <BoardColumn
              key={column.key}
              column={column}
              permissions={permissions}
              showMechanics={filters.view === 'status'}
              now={now}
              moving={move.isPending ? move.variables?.tile.id : undefined}
              refusals={refusals}
              onMove={(tile, step) => move.mutate({ tile, step })}
            />
          ))}
        </div>
      )}
    </div>
  );
}

const EMPTY: Tile[] = [];

/** Where each one-click step takes the order, for the announcement. */
const AFTER: Record<MoveStep, string> = { start_work: 'in_progress', complete: 'completed', close: 'closed' };

/** The time «now», moving on every half minute, so a promise turns late without a reload. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function ViewSwitch({ view, onChange }: { view: View; onChange: (view: View) => void }) {
  return (
    <div className="board__views" role="group" aria-label={text.views.label}>
      {(['status', 'mechanic'] as const).map((option) => (
        <button
          key={option}
          type="button"
          className={`button${view === option ? ' button--primary' : ''}`}
          aria-pressed={view === option}
          onClick={() => onChange(option)}
        >
          {option === 'status' ? text.views.byStatus : text.views.byMechanic}
        </button>
      ))}
    </div>
  );
}

interface ColumnProps {
  column: Column;
  permissions: readonly string[];
  showMechanics: boolean;
  now: Date;
  moving: string | undefined;
  refusals: Record<string, string>;
  onMove: (tile: Tile, step: MoveStep) => void;
}

function BoardColumn({ column, permissions, showMechanics, now, moving, refusals, onMove }: ColumnProps) {
  const headingId = useId();
  return (
    <section className="board__column" aria-labelledby={headingId}>
      <h2 className="board__column-title">
        <span id={headingId}>{column.title}</span>{' '}
        <span className="board__count">{text.count(column.tiles.length)}</span>
      </h2>
      {column.tiles.length === 0 ? (
        <p className="board__empty">{text.empty}</p>
      ) : (
        <ul className="board__tiles">
          {column.tiles.map((tile) => {
            const step = nextStep(tile.status, permissions);
            return (
              <li key={tile.id}>
                <BoardTile
                  tile={tile}
                  step={step && MOVES.includes(step.step) ? step : undefined}
                  showMechanics={showMechanics}
                  late={tileLate(tile, now)}
                  when={tile.promisedAt ? formatWhen(tile.promisedAt, now) : null}
                  moving={moving === tile.id}
                  refusal={refusals[tile.id]}
                  onMove={onMove}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface TileProps {
  tile: Tile;
  step: StepRule | undefined;
  showMechanics: boolean;
  late: boolean;
  when: string | null;
  moving: boolean;
  refusal: string | undefined;
  onMove: (tile: Tile, step: MoveStep) => void;
}

const BoardTile = memo(function BoardTile({ tile, step, showMechanics, late, when, moving, refusal, onMove }: TileProps) {
  const vehicle = tile.vehicle;
  const linkMarker = tileLinkMarker(tile.approvalLinks);
  return (
    <article className={`tile${late ? ' tile--late' : ''}`} data-order-id={tile.id}>
      <h3 className="tile__title">
        <a className="tile__link" href={`/orders/${tile.id}`}>
          <span className="visually-hidden">{text.tile.order(tile.number)}</span>
          <span aria-hidden="true">№ {tile.number}</span>
        </a>
      </h3>
      {vehicle && (
        <p className="tile__car">
          <span className="tile__plate">{formatPlate(vehicle.plate)}</span> {vehicle.make} {vehicle.model}
        </p>
      )}
      {tile.client && <p className="tile__client">{tile.client.displayName}</p>}
      {showMechanics && tile.mechanics.length > 0 && (
        <p className="tile__mechanics">
          <span className="visually-hidden">{text.tile.mechanics}: </span>
          {tile.mechanics.map((m) => m.fullName).join(', ')}
        </p>
      )}
      {(tile.pendingApprovalLines > 0 || isPositive(tile.balanceDue) || linkMarker) && (
        <p className="tile__badges">
          {linkMarker && (
            <span className={`badge badge--${linkMarker === 'answered' ? 'ok' : 'warning'}`} data-link-marker={linkMarker}>
              {TILE_MARKER_TEXT[linkMarker]}
            </span>
          )}
          {tile.pendingApprovalLines > 0 && (
            <span className="badge badge--warning">{text.tile.pending(tile.pendingApprovalLines)}</span>
          )}
          {isPositive(tile.balanceDue) && (
            <span className="badge badge--danger">{text.tile.toPay(formatMoney(tile.balanceDue))}</span>
          )}
        </p>
      )}
      <p className={`tile__promised${late ? ' tile__promised--late' : ''}`}>
        {when === null ? (
          <span className="muted">{text.tile.noPromise}</span>
        ) : (
          <>
            {text.tile.promised}: {when}
            {late && <span className="badge badge--danger tile__late">{text.tile.late}</span>}
          </>
        )}
      </p>
      <p className="tile__total">
        {text.tile.total}: <strong>{formatMoney(tile.total)}</strong>
      </p>
      {step && (
        <button
          type="button"
          className="button tile__move"
          disabled={moving}
          aria-busy={moving}
          onClick={() => onMove(tile, step.step as MoveStep)}
        >
          {STEP_LABEL[step.step]}
          <span className="visually-hidden">: {text.tile.order(tile.number)}</span>
        </button>
      )}
      {refusal && (
        <p className="error tile__refusal" role="alert">
          {refusal}
        </p>
      )}
    </article>
  );
});
