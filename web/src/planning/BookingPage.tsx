/**
 * Запись клиента: the advisor on the phone books a car for a time. The client and the car are
 * found or created with the new-visit screen's own search box and forms; the works come from the
 * catalogue (its norm-hours by default) or are typed with their norm-hours; the chosen day's free
 * capacity is shown before booking, by the server's figures for the shop, the chosen mechanic and
 * the chosen bay kind. The command API decides: a day without room refuses in its own words, and
 * whoever may overload a day can book past it with a reason.
 *
 * Opened from the new-visit screen with `?client=…&vehicle=…`, it starts with them chosen.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import type { BayKind } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { formatDate, fromLocalInput } from '../format/dates.ts';
import { formatPhone, formatPlate } from '../format/vehicle.ts';
import { ClientForm } from '../new-visit/ClientForm.tsx';
import { Attempts } from '../new-visit/logic.ts';
import { NewVisitClientDocument, NewVisitVehicleDocument } from '../new-visit/queries.ts';
import { SearchBox, type SearchHit } from '../new-visit/SearchBox.tsx';
import { VehicleForm } from '../new-visit/VehicleForm.tsx';
import { BAY_KINDS, bayKindCode, decimalToTenths, formatTenths, freeFor, isoDate, plannedWorks, type WorkDraft } from './logic.ts';
import { refreshPlanning, useBays, useCatalogue, useDayPlan } from './queries.ts';
import { text } from './text.ts';
import { Field, isCapacityExceeded, messageOf, OverloadOffer, PlanningNav } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';

const t = text.book;
/** The works select's value for a work typed in free text. */
const FREE = 'free';

// The same keys as the new-visit screen: a client or car read there is not read again here.
const clientKey = (id: string | null) => ['new-visit', 'client', id] as const;
const vehicleKey = (id: string | null) => ['new-visit', 'vehicle', id] as const;

const newWork = (): WorkDraft => ({ key: newId(), source: 'catalogue', serviceId: '', name: '', hours: '' });

export function BookingPage() {
  const me = useMe().data?.me;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [search, setSearch] = useState('');
  const [clientId, setClientId] = useState<string | null>(params.get('client'));
  const [vehicleId, setVehicleId] = useState<string | null>(params.get('vehicle'));
  const [creatingClient, setCreatingClient] = useState(false);
  const [creatingVehicle, setCreatingVehicle] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!clientId) searchRef.current?.focus();
  }, []);

  const client = useQuery({
    queryKey: clientKey(clientId),
    queryFn: () => query(NewVisitClientDocument, { id: clientId ?? '' }),
    enabled: clientId !== null,
  });
  const clientData = client.data?.client;
  const cars = clientData?.vehicles ?? [];

  function chooseClient(id: string) {
    setClientId(id);
    setVehicleId(null);
    setCreatingClient(false);
    setCreatingVehicle(false);
  }

  async function chooseVehicle(id: string) {
    try {
      const answer = await queryClient.fetchQuery({ queryKey: vehicleKey(id), queryFn: () => query(NewVisitVehicleDocument, { id }) });
      setCreatingClient(false);
      setCreatingVehicle(false);
      setClientId(answer.vehicle?.owner?.id ?? null);
      setVehicleId(id);
    } catch (caught) {
      setPickError(messageOf(caught));
    }
  }

  function pick(hit: SearchHit) {
    setPickError(null);
    if (hit.kind === 'client') chooseClient(hit.id);
    else if (hit.kind === 'vehicle') void chooseVehicle(hit.id);
    else setPickError(t.pickClientOrCar);
  }

  return (
    <div className="stack">
      <PlanningNav me={me} />
      <h1>{t.title}</h1>
      <div className="booking">
        <div className="stack">
          <section className="card stack" aria-labelledby="booking-client-title">
            <h2 id="booking-client-title">{t.clientHeading}</h2>
            {!clientId && (
              <>
                <SearchBox inputRef={searchRef} value={search} onChange={setSearch} onPick={pick} />
                {!creatingClient && can(me, 'client.register') && (
                  <div className="row">
                    <button type="button" className="button" onClick={() => setCreatingClient(true)}>
                      {t.newClient}
                    </button>
                  </div>
                )}
              </>
            )}
            {pickError && (
              <p className="error" role="alert">
                {pickError}
              </p>
            )}
            {clientId && client.isPending && (
              <p className="muted" role="status">
                {t.loadingClient}
              </p>
            )}
            {client.isError && <LoadError error={client.error} retry={() => void client.refetch()} />}
            {clientData && (
              <div className="stack">
                <p className="planning-flat">
                  <strong>{clientData.displayName}</strong>
                  {clientData.phones.length > 0 && <span className="muted"> · {clientData.phones.map(formatPhone).join(', ')}</span>}
                </p>
                <h3>{t.cars}</h3>
                {cars.length === 0 && <p className="muted planning-flat">{t.noCars}</p>}
                <ul className="booking__cars">
                  {cars.map((car) => {
                    const selected = car.id === vehicleId;
                    const name = `${formatPlate(car.plate ?? car.vin)} ${car.make} ${car.model}`;
                    return (
                      <li key={car.id} className={`booking__car${selected ? ' booking__car--selected' : ''}`}>
                        <span>
                          <strong>{formatPlate(car.plate ?? car.vin)}</strong> {car.make} {car.model}
                          {car.year ? `, ${car.year}` : ''}
                        </span>
                        <button
                          type="button"
                          className={`button${selected ? '' : ' button--primary'}`}
                          aria-pressed={selected}
                          aria-label={`${selected ? t.pickedCar : t.pickCar}: ${name}`}
                          onClick={() => {
                            setVehicleId(car.id);
                            setCreatingVehicle(false);
                          }}
                        >
                          {selected ? t.pickedCar : t.pickCar}
                        </button>
                      </li>
                    );
                  })}
                </ul>
                <div className="row">
                  {!creatingVehicle && can(me, 'vehicle.register') && (
                    <button type="button" className="button" onClick={() => setCreatingVehicle(true)}>
                      {t.addCar}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button button--ghost"
                    onClick={() => {
                      setClientId(null);
                      setVehicleId(null);
                      setCreatingVehicle(false);
                    }}
                  >
                    {t.changeClient}
                  </button>
                </div>
              </div>
            )}
          </section>
          {creatingClient && !clientId && (
            <ClientForm
              prefill={search}
              onCreated={(id) => {
                setSearch('');
                chooseClient(id);
                setCreatingVehicle(can(me, 'vehicle.register'));
              }}
              onCancel={() => setCreatingClient(false)}
            />
          )}
          {clientId && creatingVehicle && (
            <VehicleForm
              ownerId={clientId}
              onCreated={(id) => {
                setCreatingVehicle(false);
                setVehicleId(id);
                void queryClient.invalidateQueries({ queryKey: clientKey(clientId) });
              }}
              onPickExisting={(id) => void chooseVehicle(id)}
              onCancel={() => setCreatingVehicle(false)}
            />
          )}
        </div>
        <BookingForm
          clientId={clientId}
          vehicleId={vehicleId && cars.some((c) => c.id === vehicleId) ? vehicleId : null}
          onBooked={(date) => {
            void refreshPlanning(queryClient);
            void navigate(`/planning?day=${date}&booked=1`);
          }}
        />
      </div>
    </div>
  );
}

function BookingForm({
  clientId,
  vehicleId,
  onBooked,
}: {
  clientId: string | null;
  vehicleId: string | null;
  onBooked: (date: string) => void;
}) {
  const me = useMe().data?.me;
  const catalogue = useCatalogue();
  const bays = useBays();
  const [works, setWorks] = useState<WorkDraft[]>(() => [newWork()]);
  const [when, setWhen] = useState('');
  const [bayKind, setBayKind] = useState<BayKind | ''>('');
  const [mechanicId, setMechanicId] = useState('');
  const [note, setNote] = useState('');
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  // One id for this booking whatever the attempts: a refused booking appends nothing.
  const [appointmentId] = useState(newId);
  const attempts = useRef(new Attempts());

  const wantedAt = fromLocalInput(when);
  const date = wantedAt ? isoDate(new Date(wantedAt)) : null;
  const dayPlan = useDayPlan(date);
  const plan = dayPlan.data?.capacity[0] ?? null;
  const entries = useMemo(() => catalogue.data?.catalogue ?? [], [catalogue.data]);
  const planned = useMemo(() => plannedWorks(works, entries), [works, entries]);
  const kinds = useMemo(() => {
    const active = new Set((bays.data?.bays ?? []).filter((b) => b.active && b.kind).map((b) => b.kind));
    return BAY_KINDS.filter((k) => active.has(k));
  }, [bays.data]);
  const mechanics = (plan?.mechanics ?? []).map((m) => ({ id: m.employeeId, name: m.employee?.fullName ?? m.employeeId }));
  const free = plan ? freeFor(plan, mechanicId || null, bayKind || null) : null;

  function update(key: string, change: Partial<WorkDraft>) {
    setWorks((current) => current.map((w) => (w.key === key ? { ...w, ...change } : w)));
  }

  async function book(overloadReason: string | null) {
    setShown(true);
    setFormError(null);
    if (!clientId || !vehicleId) return setFormError(t.chooseCar);
    if (works.length === 0) return setFormError(t.worksRequired);
    if (Object.keys(planned.errors).length > 0 || wantedAt === null) return;
    const body = {
      client_id: clientId,
      vehicle_id: vehicleId,
      works: planned.body,
      wanted_at: wantedAt,
      bay_kind: bayKindCode(bayKind || null),
      mechanic_id: mechanicId || null,
      note: note.trim(),
      overload_reason: overloadReason,
    };
    setBusy(true);
    try {
      await send('appointment', appointmentId, 'book', body, {
        idempotencyKey: attempts.current.keyFor(`appointment/${appointmentId}/book`, body),
      });
      onBooked(date ?? '');
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'already_exists') {
        // Booked by an earlier attempt whose answer was lost: it is there.
        onBooked(date ?? '');
        return;
      }
      if (isCapacityExceeded(caught) && caught instanceof ApiError) {
        setRefusal(caught);
        void dayPlan.refetch();
      } else {
        setRefusal(null);
        setFormError(messageOf(caught));
      }
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!busy) void book(null);
  }

  const workError = (key: string) => {
    if (!shown) return null;
    const e = planned.errors[key];
    return e === 'service' ? t.serviceRequired : e === 'name' ? t.nameRequired : e === 'hours' ? t.hoursInvalid : null;
  };
  const dayText = date ? formatDate(new Date(wantedAt ?? '')) : '';

  return (
    <form className="card stack" aria-labelledby="booking-form-title" noValidate onSubmit={submit}>
      <h2 id="booking-form-title">{t.formHeading}</h2>
      <fieldset className="stack planning-fieldset">
        <legend>{t.works}</legend>
        {catalogue.isError && <LoadError error={catalogue.error} retry={() => void catalogue.refetch()} />}
        {works.map((work, i) => {
          const n = i + 1;
          const error = workError(work.key);
          return (
            <div key={work.key} className="booking__work">
              <Field
                label={t.service(n)}
                error={error === t.serviceRequired ? error : null}
                className={work.source === 'free' ? undefined : 'booking__work-wide'}
              >
                {(p) => (
                  <select
                    {...p}
                    value={work.source === 'free' ? FREE : work.serviceId}
                    onChange={(e) =>
                      update(work.key, e.target.value === FREE ? { source: 'free', serviceId: '' } : { source: 'catalogue', serviceId: e.target.value })
                    }
                  >
                    <option value="">{t.chooseService}</option>
                    {entries.map((entry) => (
                      <option key={entry.id} value={entry.id}>
                        {entry.name} ({text.units(formatTenths(decimalToTenths(entry.normHours) ?? 0))})
                      </option>
                    ))}
                    <option value={FREE}>{t.freeText}</option>
                  </select>
                )}
              </Field>
              {work.source === 'free' && (
                <Field label={t.name(n)} error={error === t.nameRequired ? error : null}>
                  {(p) => <input {...p} autoComplete="off" value={work.name} onChange={(e) => update(work.key, { name: e.target.value })} />}
                </Field>
              )}
              <Field label={t.hours(n)} hint={work.source === 'catalogue' ? t.hoursHint : undefined} error={error === t.hoursInvalid ? error : null}>
                {(p) => <input {...p} inputMode="decimal" autoComplete="off" value={work.hours} onChange={(e) => update(work.key, { hours: e.target.value })} />}
              </Field>
              <button
                type="button"
                className="button button--ghost"
                aria-label={t.removeWork(n)}
                disabled={works.length === 1}
                onClick={() => setWorks((current) => current.filter((w) => w.key !== work.key))}
              >
                ✕
              </button>
            </div>
          );
        })}
        <div className="row">
          <button type="button" className="button" onClick={() => setWorks((current) => [...current, newWork()])}>
            {t.addWork}
          </button>
          <span className="muted">{t.needed(formatTenths(planned.tenths))}</span>
        </div>
      </fieldset>
      <div className="row">
        <Field label={t.when} error={shown && wantedAt === null ? t.whenInvalid : null}>
          {(p) => <input {...p} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />}
        </Field>
        <Field label={t.bayKind}>
          {(p) => (
            <select {...p} value={bayKind} onChange={(e) => setBayKind(e.target.value as BayKind | '')}>
              <option value="">{t.anyBay}</option>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {text.bayKinds[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t.mechanic}>
          {(p) => (
            <select {...p} value={mechanicId} onChange={(e) => setMechanicId(e.target.value)}>
              <option value="">{t.anyMechanic}</option>
              {mechanics.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="booking__capacity" aria-live="polite">
        {date === null ? (
          <p className="muted planning-flat">{t.pickDay}</p>
        ) : dayPlan.isError ? (
          <LoadError error={dayPlan.error} retry={() => void dayPlan.refetch()} />
        ) : !plan ? (
          <p className="muted planning-flat">{text.loading}</p>
        ) : plan.closed ? (
          <p className="notice">{t.closed(dayText)}</p>
        ) : free ? (
          <p className={free.freeTenths < planned.tenths ? 'notice' : 'success'}>
            {t.free(dayText, formatTenths(free.freeTenths))} ({t.limit[free.limit]}). {t.needed(formatTenths(planned.tenths))}.
            {free.freeTenths < planned.tenths && ` ${t.wontFit}`}
          </p>
        ) : null}
      </div>
      <Field label={t.note} hint={t.noteHint}>
        {(p) => <textarea {...p} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      {formError && (
        <p className="error" role="alert">
          {formError}
        </p>
      )}
      {refusal && <OverloadOffer error={refusal} me={me} busy={busy} onOverride={(reason) => void book(reason)} />}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t.submitting : t.submit}
        </button>
      </div>
    </form>
  );
}
