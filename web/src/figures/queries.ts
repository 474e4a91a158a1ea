/**
 * What the figures read: `mechanicFigures`, everyone's (the owner's screen) or the signed-in
 * mechanic's own (their screen). The mechanic's key starts with `my-jobs`, so the mechanic's screen
 * refreshes it after every clock command.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import type { Granularity } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';

export const MechanicFiguresDocument = graphql(`
  query MechanicFigures($from: DateTime!, $to: DateTime!, $granularity: Granularity!, $mechanicId: UUID) {
    mechanicFigures(from: $from, to: $to, granularity: $granularity, mechanicId: $mechanicId) {
      mechanicId
      employee {
        id
        fullName
      }
      starts
      finishedLines
      outputTenths
      outputClockedMinutes
      jobMinutes
      shiftMinutes
      efficiencyBasisPoints
      productivityBasisPoints
    }
  }
`);

export function useMechanicFigures(period: { from: string; to: string } | null, granularity: Granularity) {
  return useQuery({
    queryKey: ['figures', period, granularity],
    queryFn: () => query(MechanicFiguresDocument, { from: period!.from, to: period!.to, granularity }),
    enabled: period !== null,
    placeholderData: keepPreviousData,
  });
}

/** The signed-in mechanic's figures for one day (their own: no id, the server takes the caller's). */
export function useMyFigures(mechanicId: string | undefined, day: { from: string; to: string }) {
  return useQuery({
    queryKey: ['my-jobs', 'figures', mechanicId, day],
    queryFn: () => query(MechanicFiguresDocument, { ...day, granularity: 'DAY', mechanicId }),
    enabled: mechanicId !== undefined,
    refetchInterval: 60_000,
    refetchIntervalInBackground: false,
  });
}
