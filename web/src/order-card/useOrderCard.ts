/**
 * The card's server state (TanStack Query) and the one way it sends commands: with `If-Match`
 * when the version of what the user sees is known, after a fresh look when it is not, and on a
 * conflict the card is reloaded while the forms keep what was typed.
 */
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { send, type CommandBody, type CommandName } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import type { OrderCardQueryVariables, OrderHistoryQuery } from '../api/generated/graphql/graphql.ts';
import { can, type Me } from '../auth/me.ts';
import { knownVersion, orderPrint, versionFromHistory, type Order } from './logic.ts';
import { OrderCardDocument, OrderHistoryDocument } from './queries.ts';
import { text } from './text.ts';

export function cardVariables(orderId: string, me: Me | undefined): OrderCardQueryVariables {
  return {
    id: orderId,
    withClient: can(me, 'client.read'),
    withContacts: can(me, 'client.read') && can(me, 'client.read_contacts'),
    withVehicle: can(me, 'vehicle.read'),
  };
}

export const cardQuery = (variables: OrderCardQueryVariables) =>
  queryOptions({
    queryKey: ['order-card', variables.id, variables],
    queryFn: () => query(OrderCardDocument, variables),
  });

/** Every event of the order, oldest first (pages of 100 followed to the end). */
export async function loadHistory(orderId: string) {
  const nodes = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const answer: OrderHistoryQuery = await query(OrderHistoryDocument, { id: orderId, after });
    nodes.push(...answer.history.nodes);
    if (!answer.history.hasNextPage || !answer.history.endCursor) break;
    after = answer.history.endCursor;
  }
  return nodes;
}

export const historyQuery = (orderId: string) =>
  queryOptions({ queryKey: ['order-history', orderId], queryFn: () => loadHistory(orderId) });

export type Outcome = { ok: true } | { ok: false; error: ApiError };

export type RunCommand = <C extends CommandName<'work_order'>>(
  command: C,
  body: CommandBody<'work_order', C>,
) => Promise<Outcome>;

const staleError = () => new ApiError(409, 'stale_card', 'the order changed since it was shown', text.conflict);

export function useOrderCommands(variables: OrderCardQueryVariables, shown: Order | undefined, me: Me | undefined) {
  const client = useQueryClient();
  const [conflict, setConflict] = useState(false);
  // The stream version of the order as last written from this card, with the print of the
  // order the card showed after that write: valid while the card still shows that.
  const known = useRef<{ version: number; print: string } | null>(null);
  const canHistory = can(me, 'history.read');
  const orderId = variables.id;

  const run = useCallback<RunCommand>(
    async (command, body) => {
      setConflict(false);
      const options = cardQuery(variables);
      try {
        const print = shown ? orderPrint(shown) : '';
        let ifMatch = knownVersion(known.current, print) ?? undefined;
        if (ifMatch === undefined) {
          // No version for what is shown (the query API has none for a role without the
          // history): look again, and refuse if the order is no longer what the user saw.
          const fresh = await query(OrderCardDocument, variables);
          if (!fresh.workOrder || orderPrint(fresh.workOrder) !== print) {
            client.setQueryData(options.queryKey, fresh);
            known.current = null;
            setConflict(true);
            return { ok: false, error: staleError() };
          }
          if (canHistory) ifMatch = versionFromHistory(await loadHistory(orderId));
        }
        const answer = await send<'work_order', typeof command>('work_order', orderId, command, body, ifMatch === undefined ? {} : { ifMatch });
        const refreshed = await client.fetchQuery({ ...options, staleTime: 0 });
        known.current = refreshed.workOrder ? { version: answer.version, print: orderPrint(refreshed.workOrder) } : null;
        void client.invalidateQueries({ queryKey: ['order-history', orderId] });
        return { ok: true };
      } catch (caught) {
        const error = caught instanceof ApiError ? caught : new ApiError(0, 'unknown', String(caught), String(caught));
        if (error.isConflict) {
          known.current = null;
          // The card's own words for it, whichever service refused.
          const conflict = new ApiError(error.status, error.code, error.message, text.conflict, error.details);
          setConflict(true);
          await client.invalidateQueries({ queryKey: options.queryKey });
          void client.invalidateQueries({ queryKey: ['order-history', orderId] });
          return { ok: false, error: conflict };
        }
        return { ok: false, error };
      }
    },
    [client, variables, shown, canHistory, orderId],
  );

  return { run, conflict, dismissConflict: () => setConflict(false) };
}
