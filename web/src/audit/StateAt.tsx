/**
 * The record as it was after the chosen event: one panel per kind, each reading the domain's fold
 * from the query API (`workOrderAt`, `clientAt`, `vehicleAt`, `invoiceAt`) and only writing it out.
 */
import type { ReactNode } from 'react';
import { ClientAt } from './ClientAt.tsx';
import { InvoiceAt } from './InvoiceAt.tsx';
import { OrderAt } from './OrderAt.tsx';
import { VehicleAt } from './VehicleAt.tsx';

/** The kinds with a state panel, by the address's name. */
const PANELS: Record<string, (props: { id: string; version: number }) => ReactNode> = {
  work_order: OrderAt,
  client: ClientAt,
  vehicle: VehicleAt,
  invoice: InvoiceAt,
};

export const hasStatePanel = (kind: string): boolean => PANELS[kind] !== undefined;

export function StateAt({ kind, id, version }: { kind: string; version: number; id: string }) {
  const Panel = PANELS[kind];
  return Panel ? <Panel id={id} version={version} /> : null;
}
