/**
 * The planner's dialogs for one appointment: its details with the buttons its status allows
 * (move, cancel, missed, arrived), the move to another time or mechanic (with the override offer
 * after a refusal for want of capacity), and the cancellation with its reason.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import type { PlanningPeriodQuery } from '../api/generated/graphql/graphql.ts';
import type { Me } from '../auth/me.ts';
import { formatDateTime, fromLocalInput, toLocalInput } from '../format/dates.ts';
import { formatPlate } from '../format/vehicle.ts';
import { appointmentActions, formatTenths, isMove } from './logic.ts';
import { refreshPlanning } from './queries.ts';
import { text } from './text.ts';
import { Dialog, Field, isCapacityExceeded, messageOf, OverloadOffer } from './ui.tsx';

export type Appointment = PlanningPeriodQuery['appointments'][number];

export function carOf(a: Appointment): string {
  const v = a.vehicle;
  if (!v) return text.appointment.noCar;
  return [formatPlate(v.plate ?? v.vin ?? ''), [v.make, v.model].filter(Boolean).join(' ')].filter(Boolean).join(' ');
}

export function AppointmentDialog({
  appointment: a,
  me,
  error,
  onClose,
  onMove,
  onCancel,
  onMissed,
  onArrive,
}: {
  appointment: Appointment;
  me: Me | undefined;
  error: string | null;
  onClose: () => void;
  onMove: () => void;
  onCancel: () => void;
  onMissed: () => void;
  onArrive: () => void;
}) {
  const t = text.appointment;
  const navigate = useNavigate();
  const actions = appointmentActions(a.status, me?.permissions ?? [], new Date(a.wantedAt).getTime() <= Date.now());
  return (
    <Dialog title={`${t.title}: ${formatDateTime(a.wantedAt)}`} onClose={onClose}>
      <dl className="planning-facts">
        <dt>{t.status}</dt>
        <dd>{text.status[a.status]}</dd>
        {a.client && (
          <>
            <dt>{t.client}</dt>
            <dd>{a.client.displayName}</dd>
          </>
        )}
        <dt>{t.car}</dt>
        <dd>{carOf(a)}</dd>
        <dt>{t.mechanic}</dt>
        <dd>{a.mechanic?.fullName ?? text.planner.noMechanic}</dd>
        <dt>{t.bayKind}</dt>
        <dd>{a.bayKind ? text.bayKinds[a.bayKind] : t.anyBay}</dd>
        <dt>{t.works}</dt>
        <dd>
          <ul>
            {a.works.map((w, i) => (
              <li key={i}>
                {w.name} — {text.units(formatTenths(w.normHoursTenths))}
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t.load}</dt>
        <dd>{text.units(formatTenths(a.loadTenths))}</dd>
        {a.note && (
          <>
            <dt>{t.note}</dt>
            <dd>{a.note}</dd>
          </>
        )}
        {a.cancelReason && (
          <>
            <dt>{t.cancelReason}</dt>
            <dd>{a.cancelReason}</dd>
          </>
        )}
      </dl>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        {actions.arrive && (
          <button type="button" className="button button--primary" onClick={onArrive}>
            {t.arrive}
          </button>
        )}
        {actions.move && (
          <button type="button" className="button" onClick={onMove}>
            {t.move}
          </button>
        )}
        {actions.missed && (
          <button type="button" className="button" onClick={onMissed}>
            {t.missed}
          </button>
        )}
        {actions.cancel && (
          <button type="button" className="button button--danger" onClick={onCancel}>
            {t.cancel}
          </button>
        )}
        {a.workOrderId && (
          <button type="button" className="button button--primary" onClick={() => void navigate(`/orders/${a.workOrderId}`)}>
            {t.workOrder}
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </Dialog>
  );
}

/** «Перенести»: a new date and time (and mechanic) typed, for the keyboard and after a refused drop. */
export function MoveDialog({
  appointment,
  me,
  wantedAt,
  mechanicId,
  error,
  mechanics,
  onSubmit,
  onClose,
}: {
  appointment: Appointment;
  me: Me | undefined;
  wantedAt: string;
  mechanicId: string | null;
  error: ApiError | null;
  mechanics: { id: string; name: string }[];
  onSubmit: (wantedAt: string, mechanicId: string | null, overloadReason: string | null) => Promise<ApiError | null>;
  onClose: () => void;
}) {
  const t = text.move;
  const [when, setWhen] = useState(toLocalInput(wantedAt));
  const [who, setWho] = useState(mechanicId ?? '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(error);

  async function go(reason: string | null) {
    const at = fromLocalInput(when);
    if (at === null) {
      setInvalid(t.whenInvalid);
      return;
    }
    const mechanic = who === '' ? null : who;
    if (!isMove(appointment, at, mechanic) && reason === null) {
      setInvalid(t.unchanged);
      return;
    }
    setInvalid(null);
    setBusy(true);
    const answer = await onSubmit(at, mechanic, reason);
    setBusy(false);
    setRefusal(answer);
  }

  const known = mechanics.some((m) => m.id === who) || who === '';
  return (
    <AppointmentForm
      title={t.title}
      appointment={appointment}
      submit={t.submit}
      close={t.close}
      busy={busy}
      onSubmit={() => void go(null)}
      onClose={onClose}
    >
      <Field label={t.when} error={invalid}>
        {(p) => <input {...p} type="datetime-local" autoFocus value={when} onChange={(e) => setWhen(e.target.value)} />}
      </Field>
      <Field label={t.mechanic}>
        {(p) => (
          <select {...p} value={who} onChange={(e) => setWho(e.target.value)}>
            <option value="">{t.noMechanic}</option>
            {!known && <option value={who}>{appointment.mechanic?.fullName ?? who}</option>}
            {mechanics.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {refusal && isCapacityExceeded(refusal) ? (
        <OverloadOffer error={refusal} me={me} busy={busy} onOverride={(reason) => void go(reason)} />
      ) : (
        refusal && (
          <p className="error" role="alert">
            {refusal.messageRu}
          </p>
        )
      )}
    </AppointmentForm>
  );
}

export function CancelDialog({ appointment, onDone, onClose }: { appointment: Appointment; onDone: () => void; onClose: () => void }) {
  const t = text.cancel;
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function submit() {
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    setBusy(true);
    setError(null);
    send('appointment', appointment.id, 'cancel', { reason: reason.trim() })
      .then(async () => {
        await refreshPlanning(client);
        onDone();
      })
      .catch((caught: unknown) => setError(messageOf(caught)))
      .finally(() => setBusy(false));
  }

  return (
    <AppointmentForm
      title={t.title}
      appointment={appointment}
      submit={t.submit}
      close={t.close}
      danger
      busy={busy}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field label={t.reason} error={missing ? t.reasonRequired : null}>
        {(p) => <textarea {...p} autoFocus value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </AppointmentForm>
  );
}

/**
 * The move's and the cancellation's frame: a dialog with a form the screen checks itself
 * (`noValidate`), the appointment it is about, the dialog's own fields, then its submit button
 * (red for what cannot be undone) and the close.
 */
function AppointmentForm({
  title,
  appointment,
  submit,
  close,
  danger = false,
  busy,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  appointment: Appointment;
  submit: string;
  close: string;
  danger?: boolean;
  busy: boolean;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <p className="planning-flat">
          {carOf(appointment)} · {formatDateTime(appointment.wantedAt)}
        </p>
        {children}
        <div className="row">
          <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={busy}>
            {submit}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {close}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
