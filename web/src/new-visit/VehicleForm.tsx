/**
 * A new car for the chosen client, inline: VIN and/or plate, make, model, year. A VIN or plate the
 * shop already has is offered to be picked instead of registering the car twice. The server is the
 * referee: a VIN registered to another car is refused (`vin_already_registered`, that car offered
 * instead); a plate seen on another car is a warning the user confirms (`confirm_plate: true`).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import { formatPlate } from '../format/vehicle.ts';
import { focusFirstInvalid, TextInput } from './FormField.tsx';
import { Attempts, canonicalPlate, canonicalVin, findDuplicate, NO_ERRORS, parseYear, placeError, type Field, type FormErrors } from './logic.ts';
import { NewVisitSearchDocument } from './queries.ts';
import type { SearchHit } from './SearchBox.tsx';
import { text } from './text.ts';

const FIELDS: Field[] = ['vin', 'plate', 'make', 'model', 'year'];

interface Props {
  ownerId: string;
  onCreated: (vehicleId: string) => void;
  onPickExisting: (vehicleId: string) => void;
  onCancel: () => void;
}

/** Cars registered with this VIN or plate, through the search the box uses. */
async function registeredWith(vin: string, plate: string): Promise<SearchHit[]> {
  const texts = [canonicalVin(vin), canonicalPlate(plate)].filter((t) => t.length >= 4);
  const answers = await Promise.all(texts.map((t) => query(NewVisitSearchDocument, { text: t })));
  return answers.flatMap((answer) => answer.search);
}

export function VehicleForm({ ownerId, onCreated, onPickExisting, onCancel }: Props) {
  const [vin, setVin] = useState('');
  const [plate, setPlate] = useState('');
  const [make, setMake] = useState('');
  const [model, setModel] = useState('');
  const [year, setYear] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [duplicate, setDuplicate] = useState<{ hit: SearchHit; by: 'vin' | 'plate' } | null>(null);
  const [allowDuplicate, setAllowDuplicate] = useState<string | null>(null);
  // The plate the user confirmed although another car had it, and the server's warning about it.
  const [confirmedPlate, setConfirmedPlate] = useState<string | null>(null);
  const [plateSeen, setPlateSeen] = useState<{ plate: string; vehicleId: string | null } | null>(null);
  const [vinTaken, setVinTaken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [vehicleId] = useState(newId);
  const attempts = useRef(new Attempts());
  const formRef = useRef<HTMLFormElement>(null);
  const firstRef = useRef<HTMLInputElement>(null);
  const pickRef = useRef<HTMLButtonElement>(null);

  useEffect(() => firstRef.current?.focus(), []);
  useEffect(() => focusFirstInvalid(formRef.current), [errors]);
  useEffect(() => pickRef.current?.focus(), [duplicate, plateSeen, vinTaken]);

  async function submit(event: FormEvent | null, confirming: string | null = confirmedPlate) {
    event?.preventDefault();
    if (busy) return;
    const parsedYear = parseYear(year);
    if (parsedYear === null) {
      setErrors({ fields: { year: text.vehicleForm.yearInvalid }, form: null });
      return;
    }
    const body = {
      vin: vin.trim() === '' ? null : vin,
      plate: plate.trim() === '' ? null : plate,
      make,
      model,
      year: parsedYear ?? null,
      owner: ownerId,
      confirm_plate: confirming !== null && confirming === canonicalPlate(plate),
    };
    setBusy(true);
    setErrors(NO_ERRORS);
    setDuplicate(null);
    setPlateSeen(null);
    setVinTaken(null);
    try {
      const signature = `${canonicalVin(vin)}|${canonicalPlate(plate)}`;
      if (allowDuplicate !== signature && confirming !== canonicalPlate(plate)) {
        const found = findDuplicate(await registeredWith(vin, plate), { vin, plate });
        if (found) {
          setDuplicate(found);
          setBusy(false);
          return;
        }
      }
      await send('vehicle', vehicleId, 'register', body, {
        idempotencyKey: attempts.current.keyFor(`vehicle/${vehicleId}/register`, body),
      });
      onCreated(vehicleId);
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'already_exists') {
        onCreated(vehicleId);
        return;
      }
      if (caught instanceof ApiError && caught.code === 'plate_seen_on_another_vehicle') {
        const ids = caught.details.vehicle_ids;
        const first = Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : null;
        setPlateSeen({ plate: canonicalPlate(plate), vehicleId: first });
        return;
      }
      if (caught instanceof ApiError && caught.code === 'vin_already_registered') {
        const id = caught.details.vehicle_id;
        setVinTaken(typeof id === 'string' ? id : null);
        setErrors({ fields: { vin: text.vehicleForm.vinTaken }, form: null });
        return;
      }
      setErrors(caught instanceof ApiError ? placeError(caught, FIELDS) : { fields: {}, form: text.unknownError });
    }
  }

  const f = errors.fields;
  return (
    <form ref={formRef} className="card stack nv-form" onSubmit={submit} aria-labelledby="nv-vehicle-form-title" noValidate>
      <h2 id="nv-vehicle-form-title">{text.vehicleForm.heading}</h2>
      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      {duplicate && (
        <div className="notice stack" role="alert">
          <p className="nv-flat">
            {text.vehicleForm.duplicate(
              duplicate.by === 'vin' ? text.vehicleForm.duplicateVin : text.vehicleForm.duplicatePlate,
              `${formatPlate(duplicate.hit.title)}${duplicate.hit.subtitle ? `, ${duplicate.hit.subtitle}` : ''}`,
            )}
          </p>
          <div className="row">
            <button ref={pickRef} type="button" className="button button--primary" onClick={() => onPickExisting(duplicate.hit.id)}>
              {text.vehicleForm.pickDuplicate}
            </button>
            {/* A second car with a registered VIN is refused by the server; a plate may move. */}
            {duplicate.by === 'plate' && (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setAllowDuplicate(`${canonicalVin(vin)}|${canonicalPlate(plate)}`);
                  setConfirmedPlate(canonicalPlate(plate));
                  setDuplicate(null);
                  void submit(null, canonicalPlate(plate));
                }}
              >
                {text.vehicleForm.registerAnyway}
              </button>
            )}
          </div>
        </div>
      )}
      {plateSeen && (
        <div className="notice stack" role="alert">
          <p className="nv-flat">{text.vehicleForm.plateSeen(formatPlate(plateSeen.plate))}</p>
          <div className="row">
            <button
              ref={pickRef}
              type="button"
              className="button button--primary"
              onClick={() => {
                setConfirmedPlate(plateSeen.plate);
                void submit(null, plateSeen.plate);
              }}
            >
              {text.vehicleForm.confirmPlate}
            </button>
            {plateSeen.vehicleId && (
              <button type="button" className="button" onClick={() => plateSeen.vehicleId && onPickExisting(plateSeen.vehicleId)}>
                {text.vehicleForm.pickPlateOwner}
              </button>
            )}
          </div>
        </div>
      )}
      {vinTaken && (
        <div className="notice stack" role="status">
          <div className="row">
            <button ref={pickRef} type="button" className="button button--primary" onClick={() => onPickExisting(vinTaken)}>
              {text.vehicleForm.pickDuplicate}
            </button>
          </div>
        </div>
      )}
      <div className="row">
        <TextInput
          ref={firstRef}
          id="nv-plate"
          label={text.vehicleForm.plate}
          hint={text.vehicleForm.plateHint}
          autoComplete="off"
          value={plate}
          onChange={(e) => setPlate(e.target.value)}
          error={f.plate}
        />
        <TextInput
          id="nv-vin"
          label={text.vehicleForm.vin}
          hint={text.vehicleForm.vinHint}
          autoComplete="off"
          spellCheck={false}
          className="nv-field--wide"
          value={vin}
          onChange={(e) => setVin(e.target.value)}
          error={f.vin}
        />
      </div>
      <div className="row">
        <TextInput id="nv-make" label={text.vehicleForm.make} autoComplete="off" value={make} onChange={(e) => setMake(e.target.value)} error={f.make} />
        <TextInput id="nv-model" label={text.vehicleForm.model} autoComplete="off" value={model} onChange={(e) => setModel(e.target.value)} error={f.model} />
        <TextInput
          id="nv-year"
          label={text.vehicleForm.year}
          inputMode="numeric"
          autoComplete="off"
          className="nv-field--short"
          value={year}
          onChange={(e) => setYear(e.target.value)}
          error={f.year}
        />
      </div>
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? text.vehicleForm.submitting : text.vehicleForm.submit}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {text.vehicleForm.cancel}
        </button>
      </div>
    </form>
  );
}
