/**
 * What the planning screens read. Every key starts with `planning`, so one invalidation after a
 * command refreshes the planner and the booking form together. The client and the car of an
 * appointment are asked for only when the role may read them (the query API refuses the whole
 * request otherwise).
 */
import { keepPreviousData, useQuery, type QueryClient } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import { query } from '../api/graphql.ts';
import { can, type Me } from '../auth/me.ts';
import { periodOf } from './logic.ts';

export const PlanningPeriodDocument = graphql(`
  query PlanningPeriod(
    $from: NaiveDate!
    $to: NaiveDate!
    $start: DateTime!
    $end: DateTime!
    $withClient: Boolean!
    $withVehicle: Boolean!
  ) {
    capacity(from: $from, to: $to) {
      ...PlanningDay
    }
    appointments(from: $start, to: $end) {
      id
      clientId
      vehicleId
      wantedAt
      bayKind
      mechanicId
      status
      loadTenths
      note
      cancelReason
      workOrderId
      works {
        name
        normHoursTenths
      }
      client @include(if: $withClient) {
        id
        displayName
      }
      vehicle @include(if: $withVehicle) {
        id
        plate
        vin
        make
        model
      }
      mechanic {
        id
        fullName
      }
    }
  }
`);

export const PlanningDayFragment = graphql(`
  fragment PlanningDay on DayPlan {
    date
    closed
    overloaded
    mechanics {
      employeeId
      capacityTenths
      carryoverTenths
      bookedTenths
      freeTenths
      overloaded
      employee {
        id
        fullName
      }
    }
    bays {
      kind
      capacityTenths
      bookedTenths
      freeTenths
      overloaded
    }
    totals {
      capacityTenths
      carryoverTenths
      bookedTenths
      freeTenths
    }
  }
`);

export const PlanningCapacityDocument = graphql(`
  query PlanningCapacity($from: NaiveDate!, $to: NaiveDate!) {
    capacity(from: $from, to: $to) {
      ...PlanningDay
    }
  }
`);

export const PlanningBaysDocument = graphql(`
  query PlanningBays {
    bays {
      id
      name
      kind
      active
    }
  }
`);

export const PlanningCatalogueDocument = graphql(`
  query PlanningCatalogue {
    catalogue {
      id
      name
      normHours
    }
  }
`);

export const MyJobsDocument = graphql(`
  query MyJobs($withVehicle: Boolean!) {
    mechanicQueue {
      employeeId
      clock {
        onShiftSince
        running {
          workOrderId
          lineId
          since
        }
        paused {
          workOrderId
          lineId
        }
      }
      jobs {
        workOrderId
        number
        status
        promisedAt
        lineId
        description
        normHoursTenths
        progress
        running
        paused
        clockedSeconds
        runningSince
        vehicle @include(if: $withVehicle) {
          id
          plate
          vin
          make
          model
        }
      }
    }
  }
`);

/** The planner's period: each day's plan and the appointments expected on those days. */
export function usePlanningPeriod(dates: readonly string[], me: Me | undefined) {
  const period = periodOf(dates);
  const variables = {
    ...period,
    withClient: can(me, 'client.read'),
    withVehicle: can(me, 'vehicle.read'),
  };
  return useQuery({
    queryKey: ['planning', 'period', variables],
    queryFn: () => query(PlanningPeriodDocument, variables),
    enabled: me !== undefined && dates.length > 0,
    // Another week keeps the last one on screen until it comes, instead of a blank.
    placeholderData: keepPreviousData,
    // The plan moves with every booking at the front desk: a planner left open follows it.
    refetchInterval: 30_000,
    refetchIntervalInBackground: false,
  });
}

/** One day's plan (the booking form's «free capacity»). */
export function useDayPlan(date: string | null) {
  return useQuery({
    queryKey: ['planning', 'capacity', date],
    queryFn: () => query(PlanningCapacityDocument, { from: date ?? '', to: date ?? '' }),
    enabled: date !== null,
  });
}

export function useBays() {
  return useQuery({ queryKey: ['planning', 'bays'], queryFn: () => query(PlanningBaysDocument), staleTime: 300_000 });
}

export function useCatalogue() {
  return useQuery({
    queryKey: ['planning', 'catalogue'],
    queryFn: () => query(PlanningCatalogueDocument),
    staleTime: 300_000,
  });
}

/** Refreshes every planning read after a command (they wait for its log position). */
export function refreshPlanning(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: ['planning'] });
}
