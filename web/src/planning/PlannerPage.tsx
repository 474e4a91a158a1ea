/**
 * Планировщик: a resource calendar. Rows are the mechanics (and the appointments booked without
 * one), the bay kinds and the shop as a whole; columns are the days of a week, or the hours of one
 * day. Each cell shows the norm-hours planned against the capacity, as the server computed them
 * (`capacity`), an overload marked in words as well as in colour; each appointment sits on its day
 * in its mechanic's row.
 *
 * An appointment is moved by dragging it to another day (an hour, in the day view) or another
 * mechanic's row, or, from the keyboard, with «Перенести» in its dialog. The command API decides:
 * a refusal for want of capacity is shown in its words, with the override for whoever may overload
 * a day. The day, the view and the week live in the address.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState, type DragEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { useMe } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import {
  addDays,
  appointmentActions,
  buildRows,
  cellKey,
  dayHours,
  formatTenths,
  isMove,
  isoDate,
  loadLevel,
  mondayOf,
  movedWantedAt,
  parseIsoDate,
  placeAppointments,
  rescheduleBody,
  weekDates,
  type DropTarget,
  type Load,
  type PlanRow,
} from './logic.ts';
import { refreshPlanning, usePlanningPeriod } from './queries.ts';
import { text } from './text.ts';
import { AppointmentDialog, CancelDialog, carOf, MoveDialog, type Appointment } from './PlannerDialogs.tsx';
import { Field, messageOf, PlanningNav } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';

type View = 'week' | 'day';

/** What a drag carries: the appointment's id, under a type of our own so nothing else drops here. */
const DRAG_TYPE = 'application/x-motorlog-appointment';

const dayHead = new Intl.DateTimeFormat('ru-RU', { weekday: 'short', day: '2-digit', month: '2-digit' });
const timeOf = new Intl.DateTimeFormat('ru-RU', { hour: '2-digit', minute: '2-digit' });

/** What a dialog of the planner is open for. */
type Open =
  | { kind: 'details'; id: string }
  | { kind: 'move'; id: string; wantedAt: string; mechanicId: string | null; error: ApiError | null }
  | { kind: 'cancel'; id: string };

export function PlannerPage() {
  const me = useMe().data?.me;
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const view: View = params.get('view') === 'day' ? 'day' : 'week';
  const today = isoDate(new Date());
  const day = params.get('day') && parseIsoDate(params.get('day')) ? (params.get('day') ?? today) : today;
  const dayDate = parseIsoDate(day) ?? new Date();
  const dates = useMemo(() => (view === 'week' ? weekDates(mondayOf(parseIsoDate(day) ?? new Date())) : [day]), [view, day]);
  const show = (change: { view?: View; day?: string }) => {
    const next = { view, day, ...change };
    const written: Record<string, string> = {};
    if (next.view === 'day') written.view = 'day';
    if (next.day !== today) written.day = next.day;
    setParams(written, { replace: true });
  };

  const period = usePlanningPeriod(dates, me);
  const appointments = useMemo(() => period.data?.appointments ?? [], [period.data]);
  const rows = useMemo(() => buildRows(dates, period.data?.capacity ?? [], appointments), [dates, period.data, appointments]);
  const hours = useMemo(() => (view === 'day' ? dayHours(appointments) : []), [view, appointments]);
  const placed = useMemo(() => placeAppointments(appointments, view === 'day'), [appointments, view]);
  const closed = useMemo(() => new Set((period.data?.capacity ?? []).filter((p) => p.closed).map((p) => p.date)), [period.data]);

  const [open, setOpen] = useState<Open | null>(null);
  const [announcement, setAnnouncement] = useState(params.get('booked') ? text.planner.booked : '');
  const [actionError, setActionError] = useState<string | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropKey, setDropKey] = useState<string | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const find = (id: string) => appointments.find((a) => a.id === id);

  function close() {
    setOpen(null);
    opener.current?.focus();
  }

  /** Sends the move; a refusal opens the move dialog with the server's words (and the override). */
  async function reschedule(appointment: Appointment, wantedAt: string, mechanicId: string | null, overloadReason: string | null = null) {
    setActionError(null);
    const fromDialog = open !== null;
    try {
      await send('appointment', appointment.id, 'reschedule', rescheduleBody(appointment, wantedAt, mechanicId, overloadReason));
      setOpen(null);
      setAnnouncement(text.planner.moved);
      await refreshPlanning(client);
      // From the keyboard, the focus follows the appointment to its new cell.
      if (fromDialog) document.querySelector<HTMLElement>(`[data-appointment="${appointment.id}"]`)?.focus();
      return null;
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(0, 'unknown', String(caught), text.unknownError);
      setOpen({ kind: 'move', id: appointment.id, wantedAt, mechanicId, error });
      return error;
    }
  }

  function onDrop(event: DragEvent, target: DropTarget) {
    event.preventDefault();
    setDropKey(null);
    setDragging(null);
    const appointment = find(event.dataTransfer.getData(DRAG_TYPE));
    if (!appointment) return;
    const wantedAt = movedWantedAt(appointment.wantedAt, target);
    if (!wantedAt || !isMove(appointment, wantedAt, target.mechanicId)) return;
    void reschedule(appointment, wantedAt, target.mechanicId);
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

  async function simple(appointment: Appointment, command: 'mark_missed' | 'arrive') {
    setActionError(null);
    try {
      if (command === 'arrive') {
        // The arrival opens the car's work order under this id, in the same transaction.
        const orderId = newId();
        await send('appointment', appointment.id, 'arrive', { work_order_id: orderId });
        await refreshPlanning(client);
        void navigate(`/orders/${orderId}`);
        return;
      }
      await send('appointment', appointment.id, 'mark_missed', {});
      setOpen(null);
      setAnnouncement(text.status.MISSED);
      await refreshPlanning(client);
    } catch (caught) {
      setActionError(messageOf(caught));
    }
  }

  const rowLabel = (row: PlanRow) =>
    row.kind === 'mechanic'
      ? row.name
      : row.kind === 'unassigned'
        ? text.planner.noMechanic
        : row.kind === 'bay'
          ? text.bayKinds[row.bayKind]
          : text.planner.total;
  const dayLabel = (date: string) => dayHead.format(parseIsoDate(date) ?? new Date());
  const first = dates[0] ?? day;
  const last = dates[dates.length - 1] ?? day;
  const caption =
    view === 'week' ? text.planner.caption(formatDate(parseIsoDate(first)), formatDate(parseIsoDate(last))) : text.planner.dayCaption(formatDate(dayDate));
  const step = view === 'week' ? 7 : 1;
  const mechanics = rows.filter((r): r is Extract<PlanRow, { kind: 'mechanic' }> => r.kind === 'mechanic');
  const openAppointment = open ? find(open.id) : undefined;

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
              onOpen={(element) => {
                opener.current = element;
                setActionError(null);
                setOpen({ kind: 'details', id: a.id });
              }}
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
    <div className="stack">
      <PlanningNav me={me} />
      <div className="planner__head">
        <h1>{text.planner.title}</h1>
        <div className="planner__views" role="group" aria-label={text.planner.view}>
          <button type="button" className="button" aria-pressed={view === 'week'} onClick={() => show({ view: 'week' })}>
            {text.planner.week}
          </button>
          <button type="button" className="button" aria-pressed={view === 'day'} onClick={() => show({ view: 'day' })}>
            {text.planner.day}
          </button>
        </div>
        <div className="row">
          <button
            type="button"
            className="button"
            aria-label={view === 'week' ? text.planner.previousWeek : text.planner.previousDay}
            onClick={() => show({ day: isoDate(addDays(dayDate, -step)) })}
          >
            ←
          </button>
          <button type="button" className="button" onClick={() => show({ day: today })}>
            {text.planner.thisWeek}
          </button>
          <button
            type="button"
            className="button"
            aria-label={view === 'week' ? text.planner.nextWeek : text.planner.nextDay}
            onClick={() => show({ day: isoDate(addDays(dayDate, step)) })}
          >
            →
          </button>
          <Field label={text.planner.pickDay}>
            {(p) => (
              <input
                {...p}
                type="date"
                value={day}
                onChange={(e) => {
                  if (parseIsoDate(e.target.value)) show({ day: e.target.value });
                }}
              />
            )}
          </Field>
        </div>
      </div>
      <p className="muted planning-flat">{text.planner.dragHint}</p>
      <p className={announcement ? 'success' : 'visually-hidden'} role="status">
        {announcement}
      </p>
      {actionError && !open && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      <section className="card stack" aria-label={caption}>
        {period.isPending ? (
          <p className="muted" role="status">
            {text.loading}
          </p>
        ) : period.isError ? (
          <LoadError error={period.error} retry={() => void period.refetch()} />
        ) : (
          <>
            {mechanics.length === 0 && <p className="notice">{text.planner.empty}</p>}
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
          </>
        )}
      </section>

      {open?.kind === 'details' && openAppointment && (
        <AppointmentDialog
          appointment={openAppointment}
          me={me}
          error={actionError}
          onClose={close}
          onMove={() => setOpen({ kind: 'move', id: openAppointment.id, wantedAt: openAppointment.wantedAt, mechanicId: openAppointment.mechanicId ?? null, error: null })}
          onCancel={() => setOpen({ kind: 'cancel', id: openAppointment.id })}
          onMissed={() => void simple(openAppointment, 'mark_missed')}
          onArrive={() => void simple(openAppointment, 'arrive')}
        />
      )}
      {open?.kind === 'move' && openAppointment && (
        <MoveDialog
          key={`${open.wantedAt}|${open.mechanicId ?? ''}`}
          appointment={openAppointment}
          me={me}
          wantedAt={open.wantedAt}
          mechanicId={open.mechanicId}
          error={open.error}
          mechanics={mechanics.map((m) => ({ id: m.mechanicId, name: m.name }))}
          onSubmit={(wantedAt, mechanicId, reason) => reschedule(openAppointment, wantedAt, mechanicId, reason)}
          onClose={close}
        />
      )}
      {open?.kind === 'cancel' && openAppointment && (
        <CancelDialog
          appointment={openAppointment}
          onDone={() => {
            setOpen(null);
            setAnnouncement(text.status.CANCELLED);
            opener.current?.focus();
          }}
          onClose={close}
        />
      )}
    </div>
  );
}

/** A cell's norm-hours against capacity, as a bar and in words; an overload says so. */
function LoadBar({ load, what }: { load: Load; what: string }) {
  const { used, share, level } = loadLevel(load);
  const usedText = formatTenths(used);
  const capacityText = formatTenths(load.capacityTenths);
  return (
    <div className={`planner-load planner-load--${level}`} title={text.planner.loadLabel(what, usedText, capacityText, level === 'over')}>
      <span>
        {text.planner.load(usedText, capacityText)}
        {level === 'over' && (
          <>
            {' '}
            <span className="badge badge--danger">{text.planner.overloaded}</span>
          </>
        )}
      </span>
      {load.carryoverTenths > 0 && <span className="muted">{text.planner.carryover(formatTenths(load.carryoverTenths))}</span>}
      <span className="planner-load__bar" aria-hidden="true">
        <span className="planner-load__fill" style={{ width: `${Math.round(share * 100)}%`, display: 'block' }} />
      </span>
    </div>
  );
}

function AppointmentChip({
  appointment: a,
  movable,
  dragging,
  onOpen,
  onDragStart,
  onDragEnd,
}: {
  appointment: Appointment;
  movable: boolean;
  dragging: boolean;
  onOpen: (element: HTMLElement) => void;
  onDragStart: (event: DragEvent) => void;
  onDragEnd: () => void;
}) {
  const time = timeOf.format(new Date(a.wantedAt));
  const car = carOf(a);
  const classes = ['planner-appt'];
  if (a.status === 'CANCELLED' || a.status === 'MISSED') classes.push('planner-appt--closed');
  if (a.status === 'ARRIVED') classes.push('planner-appt--arrived');
  if (dragging) classes.push('planner-appt--dragging');
  return (
    <button
      type="button"
      className={classes.join(' ')}
      draggable={movable}
      data-appointment={a.id}
      onClick={(e) => onOpen(e.currentTarget)}
      onDragStart={movable ? onDragStart : undefined}
      onDragEnd={movable ? onDragEnd : undefined}
    >
      <span className="planner-appt__time">
        <span className="visually-hidden">{text.appointment.title} </span>
        {time} · {text.units(formatTenths(a.loadTenths))}
      </span>
      <span className="planner-appt__line">{car}</span>
      {a.client && <span className="planner-appt__line">{a.client.displayName}</span>}
      {a.status !== 'BOOKED' && <span className="planner-appt__line">{text.status[a.status]}</span>}
    </button>
  );
}
