-- Reservations the command API writes in the same transaction as the events they guard, so a rule
-- that spans streams holds even when two commands race: the second one waits on the first one's row
-- and then sees it. Each table is filled from the log below, so rules hold for records made before.

-- A VIN belongs to one registered vehicle: the key refuses a second registration with it.
CREATE TABLE command_api.vehicle_vins (
    vin        TEXT PRIMARY KEY,
    vehicle_id UUID NOT NULL
);

-- Every plate a vehicle was registered or re-plated with: a plate seen on another car is a warning
-- the user confirms, so this is a lookup, not a key.
CREATE TABLE command_api.vehicle_plates (
    plate      TEXT NOT NULL,
    vehicle_id UUID NOT NULL,
    PRIMARY KEY (plate, vehicle_id)
);

-- The car's last odometer reading from any source: its own stream (readings, corrections) or the
-- intake act of a work order. A reading below it is refused unless it is a correction with a reason.
CREATE TABLE command_api.vehicle_mileage (
    vehicle_id UUID   PRIMARY KEY,
    km         BIGINT NOT NULL CHECK (km >= 0)
);

-- How much of each work order is invoiced by invoices not voided: never above the order's total.
CREATE TABLE command_api.invoiced_orders (
    work_order_id UUID   PRIMARY KEY,
    invoiced      BIGINT NOT NULL CHECK (invoiced >= 0)
);

INSERT INTO command_api.vehicle_vins (vin, vehicle_id)
SELECT DISTINCT ON (payload->>'vin') payload->>'vin', stream_id::uuid
  FROM events
 WHERE stream_type = 'vehicle' AND event_type = 'VehicleRegistered'
   AND jsonb_typeof(payload->'vin') = 'string'
 ORDER BY payload->>'vin', global_position;

INSERT INTO command_api.vehicle_plates (plate, vehicle_id)
SELECT DISTINCT payload->>'plate', stream_id::uuid
  FROM events
 WHERE stream_type = 'vehicle' AND event_type IN ('VehicleRegistered', 'VehiclePlateChanged')
   AND jsonb_typeof(payload->'plate') = 'string';

INSERT INTO command_api.vehicle_mileage (vehicle_id, km)
SELECT DISTINCT ON (stream_id) stream_id::uuid, coalesce(payload->>'km', payload->>'to_km')::bigint
  FROM events
 WHERE stream_type = 'vehicle' AND event_type IN ('MileageRecorded', 'MileageCorrected')
 ORDER BY stream_id, stream_version DESC;

INSERT INTO command_api.invoiced_orders (work_order_id, invoiced)
SELECT (issued.payload->'basis'->>'work_order_id')::uuid,
       sum(coalesce(issued.payload->>'amount', issued.payload->'basis'->'totals'->>'total')::bigint)
  FROM events issued
 WHERE issued.stream_type = 'invoice' AND issued.event_type = 'InvoiceIssued'
   AND NOT EXISTS (SELECT 1 FROM events voided
                    WHERE voided.stream_type = 'invoice' AND voided.stream_id = issued.stream_id
                      AND voided.event_type = 'InvoiceVoided')
 GROUP BY 1;

GRANT SELECT, INSERT, UPDATE ON command_api.vehicle_vins, command_api.vehicle_plates,
    command_api.vehicle_mileage, command_api.invoiced_orders TO motorlog_service;
