/**
 * What the auditor's screen reads: `search` to find a record, `history` (every page, oldest first)
 * and `workOrderAt`, `clientAt`, `vehicleAt`, `invoiceAt`: the record as the domain folded it after
 * one event. Nothing here writes.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import type { AuditHistoryQuery, RecordKind } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';

export const AuditSearchDocument = graphql(`
  query AuditSearch($text: String!) {
    search(text: $text, first: 20) {
      kind
      id
      title
      subtitle
    }
  }
`);

export const AuditHistoryDocument = graphql(`
  query AuditHistory($kind: RecordKind!, $id: String!, $after: String) {
    history(kind: $kind, id: $id, first: 200, after: $after) {
      nodes {
        version
        eventType
        summary
        actor
        actorName
        at
        correlationId
      }
      endCursor
      hasNextPage
    }
  }
`);

export const AuditWorkOrderAtDocument = graphql(`
  query AuditWorkOrderAt($id: UUID!, $version: Int!) {
    workOrderAt(id: $id, version: $version) {
      id
      version
      lastVersion
      at
      number
      status
      mileageKm
      complaints
      promisedAt
      lines {
        id
        kind
        description
        partNumber
        quantity
        unitPrice
        discountBp
        discount
        amount
        progress
        approval
        approvedBy
        approvalChannel
        approvedAt
      }
      totals {
        labour
        parts
        discount
        total
        vat
        vatRateBp
      }
    }
  }
`);

export const AuditClientAtDocument = graphql(`
  query AuditClientAt($id: UUID!, $version: Int!) {
    clientAt(id: $id, version: $version) {
      id
      version
      kind
      displayName
      inn
      kpp
      email
      standing
      discountBp
      messagesConsent {
        given
        channel
        at
      }
      personalDataConsent {
        given
        channel
        at
      }
      notes {
        text
        at
      }
    }
  }
`);

export const AuditVehicleAtDocument = graphql(`
  query AuditVehicleAt($id: UUID!, $version: Int!) {
    vehicleAt(id: $id, version: $version) {
      id
      version
      vin
      plate
      make
      model
      year
      ownerId
      owners {
        clientId
        since
      }
      mileageKm
    }
  }
`);

export const AuditInvoiceAtDocument = graphql(`
  query AuditInvoiceAt($id: UUID!, $version: Int!) {
    invoiceAt(id: $id, version: $version) {
      id
      version
      number
      status
      workOrderId
      workOrderNumber
      payer {
        kind
        legalName
        inn
        policyNumber
      }
      lines {
        id
        kind
        description
        quantity
        unitPrice
        discount
        amount
      }
      orderTotals {
        total
      }
      total
      vat
      paid
      refunded
      netPaid
      balance
    }
  }
`);

export type HistoryEntry = AuditHistoryQuery['history']['nodes'][number];

export function useSearch(text: string) {
  return useQuery({
    queryKey: ['audit', 'search', text],
    queryFn: () => query(AuditSearchDocument, { text }),
    enabled: text.trim().length >= 2,
  });
}

/** The whole history: a record's events are few enough to read every page at once. */
export function useHistory(kind: RecordKind | undefined, id: string) {
  return useQuery({
    queryKey: ['audit', 'history', kind, id],
    enabled: kind !== undefined && id !== '',
    queryFn: async () => {
      const entries: HistoryEntry[] = [];
      let after: string | null = null;
      for (;;) {
        const page: AuditHistoryQuery = await query(AuditHistoryDocument, { kind: kind!, id, after });
        entries.push(...page.history.nodes);
        if (!page.history.hasNextPage || page.history.endCursor == null) return entries;
        after = page.history.endCursor;
      }
    },
  });
}

/**
 * A record's state after event `version`, read by `fetch`; while the next one loads the last one
 * stays on screen (the slider moves one event at a time and the panel should not blink).
 */
function useStateAt<Result>(kind: string, id: string, version: number, fetch: () => Promise<Result>) {
  return useQuery({
    queryKey: ['audit', 'state-at', kind, id, version],
    queryFn: fetch,
    enabled: version >= 1,
    placeholderData: keepPreviousData,
  });
}

export const useWorkOrderAt = (id: string, version: number) =>
  useStateAt('work_order', id, version, () => query(AuditWorkOrderAtDocument, { id, version }));
export const useClientAt = (id: string, version: number) =>
  useStateAt('client', id, version, () => query(AuditClientAtDocument, { id, version }));
export const useVehicleAt = (id: string, version: number) =>
  useStateAt('vehicle', id, version, () => query(AuditVehicleAtDocument, { id, version }));
export const useInvoiceAt = (id: string, version: number) =>
  useStateAt('invoice', id, version, () => query(AuditInvoiceAtDocument, { id, version }));
