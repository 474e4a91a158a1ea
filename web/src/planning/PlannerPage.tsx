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
import { useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { useMe } from '../auth/me.ts';
import { formatDate } from '../format/dates.ts';
import {
  addDays,
  buildRows,
  dayHours,
  isoDate,
  mondayOf,
  parseIsoDate,
  placeAppointments,
  rescheduleBody,
  weekDates,
  type PlanRow,
} from './logic.ts';
import { refreshPlanning, usePlanningPeriod } from './queries.ts';
import { text } from './text.ts';
import { AppointmentDialog, CancelDialog, MoveDialog, type Appointment } from './PlannerDialogs.tsx';
import { PlannerGrid, type PlannerView as View } from './PlannerGrid.tsx';
import { Field, messageOf, PlanningNav } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';

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

  const first = dates[0] ?? day;
  const last = dates[dates.length - 1] ?? day;
  const caption =
    view === 'week' ? text.planner.caption(formatDate(parseIsoDate(first)), formatDate(parseIsoDate(last))) : text.planner.dayCaption(formatDate(dayDate));
  const step = view === 'week' ? 7 : 1;
  const mechanics = rows.filter((r): r is Extract<PlanRow, { kind: 'mechanic' }> => r.kind === 'mechanic');
  const openAppointment = open ? find(open.id) : undefined;

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
            <PlannerGrid
              view={view}
              day={day}
              today={today}
              dates={dates}
              hours={hours}
              rows={rows}
              placed={placed}
              closed={closed}
              caption={caption}
              me={me}
              find={find}
              onOpen={(appointment, element) => {
                opener.current = element;
                setActionError(null);
                setOpen({ kind: 'details', id: appointment.id });
              }}
              onMove={(appointment, wantedAt, mechanicId) => void reschedule(appointment, wantedAt, mechanicId)}
            />
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
