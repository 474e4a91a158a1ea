/**
 * What the reports read: the query API's report fields (each needs `reports.read`), one document
 * per report so each section loads, fails and retries on its own. The mechanics' names come from
 * `employees`, which needs `staff.read`: without it the report shows a short id (the report's
 * `MechanicOutput` carries no name, unlike `mechanicFigures`).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import type { Granularity, ItemKind } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';

export type Period = { from: string; to: string };

export const RevenueReportDocument = graphql(`
  query RevenueReport($from: DateTime!, $to: DateTime!, $granularity: Granularity!) {
    revenue(from: $from, to: $to, granularity: $granularity) {
      starts
      invoices
      revenue
    }
  }
`);

export const PeriodSummaryDocument = graphql(`
  query PeriodSummary($from: DateTime!, $to: DateTime!) {
    averageRepairOrder(from: $from, to: $to) {
      invoices
      revenue
      average
    }
    carCount(from: $from, to: $to) {
      orders
      cars
    }
    recommendationConversion(from: $from, to: $to) {
      recommendations
      converted
      rateBasisPoints
    }
  }
`);

export const MechanicProductivityDocument = graphql(`
  query MechanicProductivity($from: DateTime!, $to: DateTime!) {
    mechanicProductivity(from: $from, to: $to) {
      mechanicId
      lines
      normHoursTenths
      amount
    }
  }
`);

export const ReportEmployeesDocument = graphql(`
  query ReportEmployees {
    employees(includeInactive: true) {
      id
      fullName
    }
  }
`);

export const TopItemsDocument = graphql(`
  query TopItems($from: DateTime!, $to: DateTime!, $kind: ItemKind!, $first: Int) {
    topItems(from: $from, to: $to, kind: $kind, first: $first) {
      description
      lines
      quantity
      amount
    }
  }
`);

export const ReceivablesAgingDocument = graphql(`
  query ReceivablesAging($asOf: DateTime) {
    receivablesAging(asOf: $asOf) {
      age
      invoices
      owed
    }
  }
`);

/** How many services and parts the top lists show. */
export const TOP = 10;

const keep = { placeholderData: keepPreviousData } as const;

export function useRevenue(period: Period | null, granularity: Granularity) {
  return useQuery({
    queryKey: ['reports', 'revenue', period, granularity],
    queryFn: () => query(RevenueReportDocument, { ...period!, granularity }),
    enabled: period !== null,
    ...keep,
  });
}

export function usePeriodSummary(period: Period | null) {
  return useQuery({
    queryKey: ['reports', 'summary', period],
    queryFn: () => query(PeriodSummaryDocument, period!),
    enabled: period !== null,
    ...keep,
  });
}

export function useMechanicProductivity(period: Period | null) {
  return useQuery({
    queryKey: ['reports', 'mechanics', period],
    queryFn: () => query(MechanicProductivityDocument, period!),
    enabled: period !== null,
    ...keep,
  });
}

/** Everyone's names by id, for a holder of `staff.read` (others get an empty map). */
export function useEmployeeNames(allowed: boolean) {
  return useQuery({
    queryKey: ['reports', 'employees'],
    queryFn: async () => new Map((await query(ReportEmployeesDocument)).employees.map((e) => [e.id, e.fullName])),
    enabled: allowed,
    staleTime: 300_000,
  });
}

export function useTopItems(period: Period | null, kind: ItemKind) {
  return useQuery({
    queryKey: ['reports', 'top', kind, period],
    queryFn: () => query(TopItemsDocument, { ...period!, kind, first: TOP }),
    enabled: period !== null,
    ...keep,
  });
}

export function useReceivablesAging(asOf: string | null) {
  return useQuery({
    queryKey: ['reports', 'aging', asOf],
    queryFn: () => query(ReceivablesAgingDocument, { asOf }),
    enabled: asOf !== null,
    ...keep,
  });
}
