/** The auditor's screen's arithmetic on the history: which event an instant or an address picks. */
import type { RecordKind } from '../api/generated/graphql/graphql.ts';

/** The record kinds the screen opens, by the address's (and `search`'s) lower-case name. */
export const KINDS: Record<string, RecordKind> = {
  work_order: 'WORK_ORDER',
  client: 'CLIENT',
  vehicle: 'VEHICLE',
  invoice: 'INVOICE',
  // A message to a client (the order card's «Сообщения клиенту» links here): its history only.
  notification: 'NOTIFICATION',
};

/**
 * The last event recorded at or before `instant` (the state "at" it), or null when the record did
 * not exist yet. Events come oldest first, as `history` gives them.
 */
export function versionAt(events: readonly { version: number; at: string }[], instant: string): number | null {
  const limit = new Date(instant).getTime();
  if (Number.isNaN(limit)) return null;
  let found: number | null = null;
  for (const event of events) {
    if (new Date(event.at).getTime() > limit) break;
    found = event.version;
  }
  return found;
}

/** The version the address asks for (`?v=3`), kept within the history; the last one by default. */
export function chosenVersion(asked: string | null, last: number): number | null {
  if (last < 1) return null;
  const v = asked === null ? NaN : Number(asked);
  if (!Number.isInteger(v)) return last;
  return Math.min(Math.max(v, 1), last);
}

/** A quantity from the server («2.000», «1.500») as the shop writes it, without idle zeros («2», «1,5»). */
export function formatAmountOf(quantity: string): string {
  return quantity.includes('.') ? quantity.replace(/\.?0+$/, '').replace('.', ',') : quantity;
}
