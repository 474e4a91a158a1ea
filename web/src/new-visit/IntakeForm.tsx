/**
 * Opens the work order and, in the same submission, records the intake act (акт приёма) and the
 * promised time. The intake is the one command that records the car's mileage: the server refuses
 * a reading below the car's last one and makes the intake's reading the car's last. The steps are
 * remembered as they succeed: when the order is open and a later step is refused (a mileage below
 * the car's last reading), the refusal is shown beside its input and a resend repeats only what is
 * left, on the same order — never a second one.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import type { NewVisitCarFragment } from '../api/generated/graphql/graphql.ts';
import { formatDate, fromLocalInput } from '../format/dates.ts';
import { focusFirstInvalid, Select, TextArea, TextInput } from './FormField.tsx';
import { Attempts, formatKm, lines, NO_ERRORS, parseKm, placeError, type Field, type FormErrors } from './logic.ts';
import { text } from './text.ts';

const FIELDS: Field[] = ['mileage', 'complaints', 'fuel', 'promisedAt'];

interface Props {
  clientId: string;
  vehicle: NewVisitCarFragment;
  canAccept: boolean;
  /** Told once the order exists, so the screen stops offering another client or car. */
  onOpened: (orderId: string) => void;
}

interface Progress {
  orderId: string;
  version: number;
  accepted: boolean;
}

export function IntakeForm({ clientId, vehicle, canAccept, onOpened }: Props) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [mileage, setMileage] = useState('');
  const [complaints, setComplaints] = useState('');
  const [fuel, setFuel] = useState('4');
  const [damage, setDamage] = useState('');
  const [items, setItems] = useState('');
  const [promised, setPromised] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [orderId] = useState(newId);
  const attempts = useRef(new Attempts());
  const formRef = useRef<HTMLFormElement>(null);
  const mileageRef = useRef<HTMLInputElement>(null);

  useEffect(() => mileageRef.current?.focus(), []);
  useEffect(() => focusFirstInvalid(formRef.current), [errors]);

  function refuse(fields: Partial<Record<Field, string>>) {
    setErrors({ fields, form: null });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    // What can be told before anything is sent.
    const km = parseKm(mileage);
    const promisedAt = promised === '' ? null : fromLocalInput(promised);
    if (canAccept) {
      if (km === null) return refuse({ mileage: text.intake.mileageInvalid });
      if (vehicle.mileageKm != null && km < vehicle.mileageKm) {
        return refuse({ mileage: text.intake.mileageBelowLast(formatKm(vehicle.mileageKm)) });
      }
      if (promised !== '' && promisedAt === null) return refuse({ promisedAt: text.intake.promisedInvalid });
    }

    setBusy(true);
    setErrors(NO_ERRORS);
    let step: Progress | null = progress;
    try {
      if (!step) {
        const body = { client_id: clientId, vehicle_id: vehicle.id };
        const answer = await send('work_order', orderId, 'open', body, {
          idempotencyKey: attempts.current.keyFor('open', body),
        });
        step = { orderId, version: answer.version, accepted: false };
        setProgress(step);
        onOpened(orderId);
      }
      if (canAccept && km !== null) {
        // The intake records the car's odometer too: a reading below its last one is refused.
        if (!step.accepted) {
          const body = {
            mileage_km: km,
            complaints,
            fuel_eighths: Number(fuel),
            visible_damage: lines(damage),
            items_left: lines(items),
          };
          const answer = await send('work_order', step.orderId, 'accept_vehicle', body, {
            ifMatch: step.version,
            idempotencyKey: attempts.current.keyFor('accept_vehicle', body),
          });
          step = { ...step, version: answer.version, accepted: true };
          setProgress(step);
        }
        if (promisedAt !== null) {
          const body = { promised_at: promisedAt };
          await send('work_order', step.orderId, 'set_promised_time', body, {
            ifMatch: step.version,
            idempotencyKey: attempts.current.keyFor('set_promised_time', body),
          });
        }
      }
      void navigate(`/orders/${step.orderId}`);
    } catch (caught) {
      setBusy(false);
      if (!(caught instanceof ApiError)) {
        setErrors({ fields: {}, form: text.unknownError });
      } else if (caught.isConflict && step) {
        setErrors({ fields: {}, form: text.conflict });
      } else {
        setErrors(placeError(caught, FIELDS));
        // The car's last reading moved since it was loaded: show the one the domain knows.
        if (caught.code === 'mileage_below_last_reading' || caught.code === 'mileage_decreased') {
          void queryClient.invalidateQueries({ queryKey: ['new-visit', 'vehicle', vehicle.id] });
        }
      }
    }
  }

  const f = errors.fields;
  const submitLabel = busy
    ? text.intake.submitting
    : progress
      ? text.intake.resubmit
      : canAccept
        ? text.intake.submit
        : text.intake.submitOpenOnly;

  return (
    <form
      ref={formRef}
      className="card stack nv-form"
      onSubmit={submit}
      onKeyDown={(e) => {
        // Enter in a text area is a new line; Ctrl+Enter sends the form from anywhere in it.
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          formRef.current?.requestSubmit();
        }
      }}
      aria-labelledby="nv-intake-title"
      noValidate
    >
      <h2 id="nv-intake-title">{text.intake.heading}</h2>
      {progress && (
        <p className="notice" role="status">
          {text.intake.opened}{' '}
          <a href={`/orders/${progress.orderId}`} onClick={(e) => { e.preventDefault(); void navigate(`/orders/${progress.orderId}`); }}>
            {text.intake.openOrder}
          </a>
        </p>
      )}
      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      {!canAccept && <p className="muted">{text.intake.noAccept}</p>}
      {canAccept && (
        <>
          <div className="row">
            <TextInput
              ref={mileageRef}
              id="nv-mileage"
              label={text.intake.mileage}
              hint={
                vehicle.mileageKm != null
                  ? text.intake.mileageHint(formatKm(vehicle.mileageKm), formatDate(vehicle.mileageAt))
                  : undefined
              }
              inputMode="numeric"
              autoComplete="off"
              value={mileage}
              onChange={(e) => setMileage(e.target.value)}
              error={f.mileage}
            />
            <Select id="nv-fuel" label={text.intake.fuel} value={fuel} onChange={(e) => setFuel(e.target.value)} error={f.fuel}>
              {Array.from({ length: 9 }, (_, n) => (
                <option key={n} value={String(n)}>
                  {text.intake.fuelOption(n)}
                </option>
              ))}
            </Select>
          </div>
          <TextArea
            id="nv-complaints"
            label={text.intake.complaints}
            hint={text.intake.complaintsHint}
            value={complaints}
            onChange={(e) => setComplaints(e.target.value)}
            error={f.complaints}
          />
          <div className="row nv-row--even">
            <TextArea
              id="nv-damage"
              label={text.intake.damage}
              hint={text.intake.damageHint}
              value={damage}
              onChange={(e) => setDamage(e.target.value)}
            />
            <TextArea
              id="nv-items"
              label={text.intake.items}
              hint={text.intake.itemsHint}
              value={items}
              onChange={(e) => setItems(e.target.value)}
            />
          </div>
          <TextInput
            id="nv-promised"
            label={text.intake.promised}
            hint={text.intake.promisedHint}
            type="datetime-local"
            value={promised}
            onChange={(e) => setPromised(e.target.value)}
            error={f.promisedAt}
          />
        </>
      )}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
