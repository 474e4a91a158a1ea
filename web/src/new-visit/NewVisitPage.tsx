/**
 * Новый визит: the front desk's first minute with a client. One search box finds the client, the
 * car or an order; a client or car not found is created inline; then the work order is opened with
 * the intake act in one submission and the advisor lands on the order card.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { formatPhone, formatPlate } from '../format/vehicle.ts';
import { ClientForm } from './ClientForm.tsx';
import { IntakeForm } from './IntakeForm.tsx';
import { formatKm } from './logic.ts';
import { NewVisitClientDocument, NewVisitVehicleDocument } from './queries.ts';
import { SearchBox, type SearchHit } from './SearchBox.tsx';
import { text } from './text.ts';
import { VehicleForm } from './VehicleForm.tsx';

const clientKey = (id: string | null) => ['new-visit', 'client', id] as const;
const vehicleKey = (id: string | null) => ['new-visit', 'vehicle', id] as const;

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.messageRu : text.unknownError;
}

export function NewVisitPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe().data?.me;
  const [search, setSearch] = useState('');
  const [clientId, setClientId] = useState<string | null>(null);
  const [vehicleId, setVehicleId] = useState<string | null>(null);
  const [creatingClient, setCreatingClient] = useState(false);
  const [creatingVehicle, setCreatingVehicle] = useState(false);
  const [openedOrder, setOpenedOrder] = useState<string | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const [focusCars, setFocusCars] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const carsRef = useRef<HTMLUListElement>(null);

  useEffect(() => searchRef.current?.focus(), []);

  const client = useQuery({
    queryKey: clientKey(clientId),
    queryFn: () => query(NewVisitClientDocument, { id: clientId ?? '' }),
    enabled: clientId !== null,
  });
  const vehicle = useQuery({
    queryKey: vehicleKey(vehicleId),
    queryFn: () => query(NewVisitVehicleDocument, { id: vehicleId ?? '' }),
    enabled: vehicleId !== null,
  });

  const cars = client.data?.client?.vehicles ?? [];
  const car = vehicle.data?.vehicle ?? null;

  // A client picked by keyboard: the focus goes to their cars, or to a new car's form.
  useEffect(() => {
    if (!focusCars || !client.data) return;
    setFocusCars(false);
    const first = carsRef.current?.querySelector<HTMLButtonElement>('button');
    if (first) first.focus();
    else if (can(me, 'vehicle.register')) setCreatingVehicle(true);
  }, [focusCars, client.data, me]);

  function chooseClient(id: string) {
    setClientId(id);
    setVehicleId(null);
    setCreatingClient(false);
    setCreatingVehicle(false);
    setFocusCars(true);
  }

  async function pick(hit: SearchHit) {
    setPickError(null);
    if (hit.kind === 'work_order') {
      void navigate(`/orders/${hit.id}`);
    } else if (hit.kind === 'client') {
      chooseClient(hit.id);
    } else if (hit.kind === 'vehicle') {
      await chooseVehicle(hit.id);
    }
  }

  async function chooseVehicle(id: string) {
    try {
      const answer = await queryClient.fetchQuery({
        queryKey: vehicleKey(id),
        queryFn: () => query(NewVisitVehicleDocument, { id }),
      });
      const owner = answer.vehicle?.owner?.id ?? null;
      setCreatingClient(false);
      setCreatingVehicle(false);
      setClientId(owner);
      setVehicleId(id);
    } catch (caught) {
      setPickError(messageOf(caught));
    }
  }

  function reset() {
    setClientId(null);
    setVehicleId(null);
    setCreatingVehicle(false);
    searchRef.current?.focus();
  }

  const locked = openedOrder !== null;
  const clientData = client.data?.client;

  return (
    <div className="nv">
      <h1>{text.title}</h1>
      <div className="nv-layout">
        <div className="stack nv-column">
          {!locked && (
            <section className="card stack" aria-label={text.search.label}>
              <SearchBox inputRef={searchRef} value={search} onChange={setSearch} onPick={(hit) => void pick(hit)} />
              {pickError && (
                <p className="error" role="alert">
                  {pickError}
                </p>
              )}
              {!creatingClient && can(me, 'client.register') && (
                <div className="row">
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setCreatingClient(true);
                      setClientId(null);
                      setVehicleId(null);
                      setCreatingVehicle(false);
                    }}
                  >
                    {text.newClient}
                  </button>
                </div>
              )}
            </section>
          )}

          {creatingClient && !locked && (
            <ClientForm
              prefill={search}
              onCreated={(id) => {
                setSearch('');
                chooseClient(id);
                setCreatingVehicle(can(me, 'vehicle.register'));
              }}
              onCancel={() => {
                setCreatingClient(false);
                searchRef.current?.focus();
              }}
            />
          )}

          {clientId && (
            <section className="card stack" aria-labelledby="nv-client-title">
              <h2 id="nv-client-title">{text.client.heading}</h2>
              {client.isPending && (
                <p className="muted" role="status">
                  {text.client.loading}
                </p>
              )}
              {client.error && (
                <p className="error" role="alert">
                  {messageOf(client.error)}
                </p>
              )}
              {clientData && (
                <div className="nv-party">
                  <p className="nv-party__name">
                    {clientData.displayName}{' '}
                    {clientData.kind === 'company' && <span className="badge">{text.client.company_badge}</span>}
                  </p>
                  {clientData.inn && (
                    <p className="muted nv-flat">
                      {text.client.inn} {clientData.inn}
                    </p>
                  )}
                  {clientData.phones.length > 0 && (
                    <p className="muted nv-flat">{clientData.phones.map(formatPhone).join(', ')}</p>
                  )}
                </div>
              )}
              {clientData && (
                <>
                  <h3>{text.vehicles.heading}</h3>
                  {cars.length === 0 && <p className="muted nv-flat">{text.vehicles.none}</p>}
                  <ul className="nv-cars" ref={carsRef}>
                    {cars.map((c) => {
                      const selected = c.id === vehicleId;
                      return (
                        <li key={c.id} className={`nv-car${selected ? ' nv-car--selected' : ''}`}>
                          <span className="nv-car__plate">{formatPlate(c.plate ?? c.vin)}</span>
                          <span>
                            {c.make} {c.model}
                            {c.year ? `, ${c.year}` : ''}
                            {c.mileageKm != null ? `, ${text.vehicles.lastMileage(formatKm(c.mileageKm))}` : ''}
                          </span>
                          {!locked && (
                            <button
                              type="button"
                              className={`button${selected ? '' : ' button--primary'}`}
                              aria-pressed={selected}
                              aria-label={`${selected ? text.vehicles.selected : text.vehicles.pick}: ${formatPlate(c.plate ?? c.vin)} ${c.make} ${c.model}`}
                              onClick={() => {
                                setVehicleId(c.id);
                                setCreatingVehicle(false);
                              }}
                            >
                              {selected ? text.vehicles.selected : text.vehicles.pick}
                            </button>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                  {!locked && (
                    <div className="row">
                      {!creatingVehicle && can(me, 'vehicle.register') && (
                        <button
                          type="button"
                          className="button"
                          onClick={() => {
                            setCreatingVehicle(true);
                            setVehicleId(null);
                          }}
                        >
                          {text.vehicles.add}
                        </button>
                      )}
                      <button type="button" className="button button--ghost" onClick={reset}>
                        {text.client.change}
                      </button>
                      {can(me, 'appointment.book') && (
                        // The client wants another day: the booking opens with this client and car chosen.
                        <button
                          type="button"
                          className="button"
                          onClick={() => {
                            const address = new URLSearchParams({ client: clientId });
                            if (vehicleId) address.set('vehicle', vehicleId);
                            void navigate(`/planning/book?${address.toString()}`);
                          }}
                        >
                          {text.client.bookLater}
                        </button>
                      )}
                    </div>
                  )}
                </>
              )}
            </section>
          )}

          {clientId && creatingVehicle && !locked && (
            <VehicleForm
              ownerId={clientId}
              onCreated={(id) => {
                setCreatingVehicle(false);
                setVehicleId(id);
                // The client's list of cars now has this one.
                void queryClient.invalidateQueries({ queryKey: clientKey(clientId) });
              }}
              onPickExisting={(id) => void chooseVehicle(id)}
              onCancel={() => setCreatingVehicle(false)}
            />
          )}
        </div>

        <div className="stack nv-column">
          {vehicleId && clientId && (
            <>
              {vehicle.isPending && (
                <p className="muted card" role="status">
                  {text.car.loading}
                </p>
              )}
              {vehicle.error && (
                <p className="error" role="alert">
                  {messageOf(vehicle.error)}
                </p>
              )}
              {car && (
                <section className="card nv-selected" aria-labelledby="nv-car-title">
                  <h2 id="nv-car-title">{text.car.heading}</h2>
                  <p className="nv-car__plate nv-flat">{formatPlate(car.plate ?? car.vin)}</p>
                  <p className="nv-flat">
                    {car.make} {car.model}
                    {car.year ? `, ${car.year}` : ''}
                    {car.vin ? ` · VIN ${car.vin}` : ''}
                  </p>
                  {clientData && <p className="muted nv-flat">{clientData.displayName}</p>}
                </section>
              )}
              {car && (
                <IntakeForm
                  key={`${clientId}/${car.id}`}
                  clientId={clientId}
                  vehicle={car}
                  canAccept={can(me, 'work_order.accept_vehicle')}
                  onOpened={setOpenedOrder}
                />
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
