/**
 * The planner's table: a row per mechanic (and one for the appointments booked without one), per
 * bay kind and for the shop, a column per day of the week or per hour of the day; each cell's load
 * and, in the mechanics' rows, its appointments. An appointment dragged to another cell asks the
 * page to move it there; what the server answers is the page's to show.
 */
import { useState, type DragEvent } from 'react';
import type { Me } from '../auth/me.ts';
import {
  appointmentActions,
  cellKey,
  isMove,
  loadLevel,
  movedWantedAt,
  parseIsoDate,
  type DropTarget,
  type PlanRow,
} from './logic.ts';
import { AppointmentChip, LoadBar } from './PlannerCells.tsx';
import type { Appointment } from './PlannerDialogs.tsx';
import { text } from './text.ts';

export type PlannerView = 'week' | 'day';

/** What a drag carries: the appointment's id, under a type of our own so nothing else drops here. */
const DRAG_TYPE = 'application/x-motorlog-appointment';

const dayHead = new Intl.DateTimeFormat('ru-RU', { weekday: 'short', day: '2-digit', month: '2-digit' });

const rowLabel = (row: PlanRow) =>
  row.kind === 'mechanic'
    ? row.name
    : row.kind === 'unassigned'
      ? text.planner.noMechanic
      : row.kind === 'bay'
        ? text.bayKinds[row.bayKind]
        : text.planner.total;

const dayLabel = (date: string) => dayHead.format(parseIsoDate(date) ?? new Date());

export function PlannerGrid({
  view,
  day,
  today,
  dates,
  hours,
  rows,
  placed,
  closed,
  caption,
  me,
  find,
  onOpen,
  onMove,
}: {
  view: PlannerView;
  /** The day shown in the day view (the week's is `dates`). */
  day: string;
  today: string;
  dates: readonly string[];
  hours: readonly number[];
  rows: readonly PlanRow[];
  placed: Map<string, Appointment[]>;
  closed: ReadonlySet<string>;
  caption: string;
  me: Me | undefined;
  find: (id: string) => Appointment | undefined;
  onOpen: (appointment: Appointment, element: HTMLElement) => void;
  onMove: (appointment: Appointment, wantedAt: string, mechanicId: string | null) => void;
}) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropKey, setDropKey] = useState<string | null>(null);

  function onDrop(event: DragEvent, target: DropTarget) {
    event.preventDefault();
    setDropKey(null);
    setDragging(null);
    const appointment = find(event.dataTransfer.getData(DRAG_TYPE));
    if (!appointment) return;
    const wantedAt = movedWantedAt(appointment.wantedAt, target);
    if (!wantedAt || !isMove(appointment, wantedAt, target.mechanicId)) return;
    onMove(appointment, wantedAt, target.mechanicId);
  }

  function dropProps(row: PlanRow, target: DropTarget, key: string) {
    if (row.kind !== 'mechanic' && row.kind !== 'unassigned') return {};
    return {
      onDragOver: (event: DragEvent) => {
        if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        if (dropKey !== key) setDropKey(key);
      },
      onDragLeave: () => setDropKey((current) => (current === key ? null : current)),
      onDrop: (event: DragEvent) => onDrop(event, target),
    };
  }

  function chips(list: Appointment[] | undefined) {
    if (!list || list.length === 0) return null;
    return (
      <ul className="planner__appts">
        {list.map((a) => (
          <li key={a.id}>
            <AppointmentChip
              appointment={a}
              movable={appointmentActions(a.status, me?.permissions ?? [], false).move}
              dragging={dragging === a.id}
              onOpen={(element) => onOpen(a, element)}
              onDragStart={(event) => {
                event.dataTransfer.setData(DRAG_TYPE, a.id);
                event.dataTransfer.effectAllowed = 'move';
                setDragging(a.id);
              }}
              onDragEnd={() => {
                setDragging(null);
                setDropKey(null);
              }}
            />
          </li>
        ))}
      </ul>
    );
  }

  function row(r: PlanRow) {
    const label = rowLabel(r);
    const cells = view === 'week' ? dates : hours.map(String);
    const droppable = r.kind === 'mechanic' || r.kind === 'unassigned';
    const dayLoad = view === 'day' ? r.cells[0] : null;
    return (
      <tr key={r.key} className={r.kind === 'total' ? 'planner__row--total' : undefined}>
        <th scope="row">
          {label}
          {dayLoad && (
            <span className="planner__row-load">
              <LoadBar load={dayLoad} what={`${label}, ${dayLabel(day)}`} />
            </span>
          )}
        </th>
        {view === 'day' && !droppable ? (
          <td colSpan={hours.length} className={closed.has(day) ? 'planner__cell--closed' : undefined} />
        ) : (
          cells.map((column, i) => {
            const date = view === 'week' ? column : day;
            const hour = view === 'day' ? Number(column) : null;
            const key = cellKey(r.key, date, hour);
            const load = view === 'week' ? r.cells[i] : null;
            const mechanicId = r.kind === 'mechanic' ? r.mechanicId : null;
            const classes = [
              closed.has(date) ? 'planner__cell--closed' : '',
              load && loadLevel(load).level === 'over' ? 'planner__cell--over' : '',
              dropKey === key ? 'planner__cell--drop' : '',
            ].filter(Boolean);
            return (
              <td
                key={key}
                className={classes.join(' ') || undefined}
                data-cell={droppable ? `${r.key}|${date}${hour === null ? '' : `|${hour}`}` : undefined}
                {...dropProps(r, { date, hour, mechanicId }, key)}
              >
                {closed.has(date) && (!load || loadLevel(load).used === 0) ? (
                  <span className="muted">{text.planner.closed}</span>
                ) : (
                  load && <LoadBar load={load} what={`${label}, ${dayLabel(date)}`} />
                )}
                {droppable && chips(placed.get(key))}
              </td>
            );
          })
        )}
      </tr>
    );
  }

  // The shop's row names itself: its group has no heading of its own.
  const groups: { title: string | null; rows: PlanRow[] }[] = [
    { title: text.planner.mechanics, rows: rows.filter((r) => r.kind === 'mechanic' || r.kind === 'unassigned') },
    { title: text.planner.bays, rows: rows.filter((r) => r.kind === 'bay') },
    { title: null, rows: rows.filter((r) => r.kind === 'total') },
  ];
  const columns = view === 'week' ? dates.length : hours.length;

  return (
    <div className="planner__scroll">
      <table className="planner" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">{text.planner.resource}</th>
            {view === 'week'
              ? dates.map((date) => (
                  <th key={date} scope="col" className={date === today ? 'planner__today' : undefined}>
                    <span className="planner__dayhead">{dayLabel(date)}</span>
                    {closed.has(date) && <span className="badge">{text.planner.closed}</span>}
                  </th>
                ))
              : hours.map((h) => (
                  <th key={h} scope="col">
                    {text.planner.hour(h)}
                  </th>
                ))}
          </tr>
        </thead>
        {groups
          .filter((g) => g.rows.length > 0)
          .map((g) => (
            <tbody key={g.title ?? 'total'}>
              {g.title && (
                <tr className="planner__group">
                  <th scope="rowgroup" colSpan={columns + 1}>
                    {g.title}
                  </th>
                </tr>
              )}
              {g.rows.map(row)}
            </tbody>
          ))}
      </table>
    </div>
  );
}
