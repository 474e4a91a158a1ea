/** The frame of every state panel: loading, a failure with a retry, or no record yet. */
import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { LoadError } from '../app/LoadError.tsx';
import { text } from './text.ts';

/**
 * What every panel shows while its state loads, when it fails, and before the record existed
 * (`pick` gives null); otherwise `children` with the state.
 */
export function Loaded<Result, State>({
  query,
  pick,
  children,
}: {
  query: UseQueryResult<Result>;
  pick: (result: Result) => State | null | undefined;
  children: (state: State, refreshing: boolean) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <p className="muted" role="status">
        {text.loading}
      </p>
    );
  }
  if (query.isError) return <LoadError error={query.error} retry={() => void query.refetch()} />;
  const state = pick(query.data);
  if (state == null) return <p className="muted">{text.travel.before}</p>;
  return <>{children(state, query.isFetching)}</>;
}
