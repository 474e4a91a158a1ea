/** A vehicle's card as it was: identity, plate, the latest reading and its owners up to then. */
import { Link } from 'react-router';
import type { AuditVehicleAtQuery } from '../api/generated/graphql/graphql.ts';
import { formatDate } from '../format/dates.ts';
import { formatPlate } from '../format/vehicle.ts';
import { Loaded } from './Loaded.tsx';
import { useVehicleAt } from './queries.ts';
import { text } from './text.ts';

type Vehicle = NonNullable<AuditVehicleAtQuery['vehicleAt']>;

export function VehicleAt({ id, version }: { id: string; version: number }) {
  const at = useVehicleAt(id, version);
  return (
    <Loaded query={at} pick={(data) => data.vehicleAt}>
      {(vehicle, refreshing) => <VehicleState vehicle={vehicle} refreshing={refreshing} />}
    </Loaded>
  );
}

function VehicleState({ vehicle, refreshing }: { vehicle: Vehicle; refreshing: boolean }) {
  const s = text.vehicle;
  return (
    <section className="card stack" aria-labelledby="audit-state" aria-busy={refreshing}>
      <h2 id="audit-state">{s.title(vehicle.make, vehicle.model)}</h2>
      <dl className="audit-facts">
        <dt>{s.vin}</dt>
        <dd>{vehicle.vin ?? s.none}</dd>
        <dt>{s.plate}</dt>
        <dd data-testid="audit-plate">{formatPlate(vehicle.plate)}</dd>
        <dt>{s.year}</dt>
        <dd>{vehicle.year ?? s.none}</dd>
        <dt>{s.mileage}</dt>
        <dd data-testid="audit-mileage">{vehicle.mileageKm != null ? text.state.km(vehicle.mileageKm) : s.none}</dd>
      </dl>
      <h3 id="audit-owners">{s.owners}</h3>
      {/* Oldest first; the last is the owner at this instant. The client's name is not the
          vehicle's to show: each owner opens their own history. */}
      <ol aria-labelledby="audit-owners">
        {vehicle.owners.map((owner) => (
          <li key={`${owner.clientId}:${owner.since}`}>
            <Link to={`/audit/client/${owner.clientId}`}>{s.ownerHistory(formatDate(owner.since))}</Link>
          </li>
        ))}
      </ol>
    </section>
  );
}
