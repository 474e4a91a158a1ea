/**
 * What the planner's cells hold: a cell's load against its capacity (a bar, and the same in words),
 * and an appointment's chip, which opens its dialog and, when it may move, drags to another cell.
 */
import type { DragEvent } from 'react';
import { formatTenths, loadLevel, type Load } from './logic.ts';
import { carOf, type Appointment } from './PlannerDialogs.tsx';
import { text } from './text.ts';

const timeOf = new Intl.DateTimeFormat('ru-RU', { hour: '2-digit', minute: '2-digit' });

/** A cell's norm-hours against capacity, as a bar and in words; an overload says so. */
export function LoadBar({ load, what }: { load: Load; what: string }) {
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

/** An appointment in its cell: its time and load, the car, the client, and its status unless booked. */
export function AppointmentChip({
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
