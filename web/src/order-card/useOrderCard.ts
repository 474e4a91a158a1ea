/**
 * The card's server state (TanStack Query) and the one way it sends commands: always with
 * `If-Match` = the version of the order the user sees, and on a conflict the card is reloaded
 * while the forms keep what was typed.
 */
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { send, type CommandBody, type CommandName } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import type { OrderCardQueryVariables, OrderHistoryQuery } from '../api/generated/graphql/graphql.ts';
import { can, type Me } from '../auth/me.ts';
import { stockId } from '../stock/logic.ts';
import { ifMatchFor, type Order } from './logic.ts';
import { OrderCardDocument, OrderHistoryDocument } from './queries.ts';
import { text } from './text.ts';

export function cardVariables(orderId: string, me: Me | undefined): OrderCardQueryVariables {
  return {
    id: orderId,
    withClient: can(me, 'client.read'),
    withContacts: can(me, 'client.read') && can(me, 'client.read_contacts'),
    withVehicle: can(me, 'vehicle.read'),
    withStock: can(me, 'stock.read'),
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

/** Refused before sending: there is no order on the card to send a command against. */
const noOrderError = () => new ApiError(0, 'no_order', 'no order is shown', text.notFound);

/** An issue or a return, sent to the stock of a line's part. */
export type StockCommand = 'issue' | 'return';

/**
 * Sends an issue to the car or a return to the shelf to the stock of a line's part (no `If-Match`:
 * the part's stock stream decides who took the last unit), then reloads the card, which waits for
 * the command's position; the store's screens reload when next shown.
 */
export function useStockCommands(orderId: string) {
  const client = useQueryClient();
  return useCallback(
    async <C extends StockCommand>(partId: string, command: C, body: CommandBody<'stock', C>): Promise<Outcome> => {
      try {
        await send<'stock', C>('stock', stockId(partId), command, body);
        await client.invalidateQueries({ queryKey: ['order-card', orderId] });
        void client.invalidateQueries({ queryKey: ['stock'] });
        return { ok: true };
      } catch (caught) {
        return { ok: false, error: caught instanceof ApiError ? caught : new ApiError(0, 'unknown', String(caught), String(caught)) };
      }
    },
    [client, orderId],
  );
}

export function useOrderCommands(variables: OrderCardQueryVariables, shown: Order | undefined) {
  const client = useQueryClient();
  const [conflict, setConflict] = useState(false);
  // The order and version this card's last command answered with: the next command may follow it
  // before the reloaded card shows that version.
  const answered = useRef<{ id: string; version: number } | null>(null);
  const orderId = variables.id;

  const run = useCallback<RunCommand>(
    async (command, body) => {
      setConflict(false);
      const options = cardQuery(variables);
      if (!shown) return { ok: false, error: noOrderError() };
      try {
        const ifMatch = ifMatchFor(shown, answered.current);
        const answer = await send<'work_order', typeof command>('work_order', orderId, command, body, { ifMatch });
        answered.current = { id: orderId, version: answer.version };
        await client.fetchQuery({ ...options, staleTime: 0 });
        void client.invalidateQueries({ queryKey: ['order-history', orderId] });
        return { ok: true };
      } catch (caught) {
        const error = caught instanceof ApiError ? caught : new ApiError(0, 'unknown', String(caught), String(caught));
        if (error.isConflict) {
          answered.current = null;
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
    [client, variables, shown, orderId],
  );

  return { run, conflict, dismissConflict: () => setConflict(false) };
}
