/**
 * What the auditor's screen reads: `search` to find a record, `history` (every page, oldest first)
 * and `workOrderAt`, the order as the domain folded it after one event. Nothing here writes.
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

export function useWorkOrderAt(id: string, version: number | null) {
  return useQuery({
    queryKey: ['audit', 'work-order-at', id, version],
    queryFn: () => query(AuditWorkOrderAtDocument, { id, version: version! }),
    enabled: version !== null && version >= 1,
    placeholderData: keepPreviousData,
  });
}
