/**
 * What the store's screens read. Every key starts with `stock`, so one invalidation after a
 * command refreshes them all. Costs are asked for only when the role holds `stock.read_costs`
 * (the query API refuses the whole request otherwise).
 */
import { useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import type {
  MarginLeak,
  StockFilter,
  StockMarginLeaksQuery,
  StockMarginReportQuery,
} from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';
import { nextCursor } from './logic.ts';

export const StockLevelsDocument = graphql(`
  query StockLevels($first: Int!, $filter: StockFilter) {
    stockLevels(first: $first, filter: $filter) {
      nodes {
        partId
        location
        number
        brand
        name
        unit
        onHand
        reserved
        onOrder
        backordered
        available
        reorderMin
        reorderMax
        belowMin
      }
      hasNextPage
    }
  }
`);

export const PartsToOrderDocument = graphql(`
  query StockPartsToOrder {
    partsToOrder(first: 100) {
      nodes {
        partId
        number
        brand
        name
        unit
        available
        onOrder
        backordered
        toOrder
      }
      hasNextPage
    }
  }
`);

export const PartsDocument = graphql(`
  query StockParts($first: Int!, $search: String, $withStock: Boolean!) {
    parts(first: $first, search: $search) {
      nodes {
        id
        version
        number
        brand
        name
        unit
        category
        active
        reorderMin
        reorderMax
        onHand @include(if: $withStock)
        available @include(if: $withStock)
      }
      hasNextPage
    }
  }
`);

export const SuppliersDocument = graphql(`
  query StockSuppliers {
    suppliers {
      id
      legalName
      inn
      phone
      paymentTermsDays
    }
  }
`);

export const PurchaseOrdersDocument = graphql(`
  query StockPurchaseOrders($first: Int!, $withCosts: Boolean!) {
    purchaseOrders(first: $first) {
      nodes {
        id
        number
        status
        supplierId
        supplierName
        draftedAt
        total @include(if: $withCosts)
      }
      hasNextPage
    }
  }
`);

export const PurchaseOrderDocument = graphql(`
  query StockPurchaseOrder($id: UUID!, $withCosts: Boolean!) {
    purchaseOrder(id: $id) {
      id
      version
      number
      status
      supplierName
      sentAt
      total @include(if: $withCosts)
      lines {
        id
        ordinal
        partId
        number
        name
        quantity
        received
        outstanding
        unitPrice @include(if: $withCosts)
        amount @include(if: $withCosts)
      }
    }
  }
`);

export const PartHeaderDocument = graphql(`
  query StockPartHeader($id: UUID!) {
    part(id: $id) {
      id
      number
      brand
      name
      unit
    }
  }
`);

export const StockMovementsDocument = graphql(`
  query StockMovements($partId: UUID!, $first: Int!, $after: String) {
    stockMovements(partId: $partId, first: $first, after: $after) {
      nodes {
        location
        kind
        at
        quantity
        counted
        onHandDelta
        reservedDelta
        onOrderDelta
        workOrderId
        purchaseOrderId
        receiptId
        countId
        reason
        by {
          id
          fullName
        }
      }
      endCursor
      hasNextPage
    }
  }
`);

export const MarginLineFragment = graphql(`
  fragment MarginLine on MarginLine {
    workOrderId
    lineId
    workOrderNumber
    partId
    partNumber
    name
    orderedQuantity
    billedQuantity
    billedAmount
    issuedQuantity
    issuedCost
    at
    issuedNotBilled
    billedNotIssued
    belowCost
  }
`);

/**
 * The report's first page: the period's totals and the first leaks in one request (one round trip
 * when the screen opens or the month or kinds change). The totals ignore `kinds`: they are the
 * whole period's.
 */
export const MarginReportDocument = graphql(`
  query StockMarginReport($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!) {
    marginSummary(from: $from, to: $to) {
      bought
      issuedCost
      billedAmount
      margin
      lines
      issuedNotBilled
      billedNotIssued
      belowCost
    }
    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first) {
      nodes {
        ...MarginLine
      }
      endCursor
      hasNextPage
    }
  }
`);

/** The report's further pages («Показать ещё»): only the leaks, the totals are on the first. */
export const MarginLeaksDocument = graphql(`
  query StockMarginLeaks($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!, $after: String) {
    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {
      nodes {
        ...MarginLine
      }
      endCursor
      hasNextPage
    }
  }
`);

/** One page of the report's leaks, as either request answers it. */
type MarginLeakPage = StockMarginLeaksQuery['marginLeaks'];
/** The period's totals, as the first page answers them. */
export type MarginTotals = StockMarginReportQuery['marginSummary'];

export const stockKeys = {
  all: ['stock'] as const,
  levels: (filter: StockFilter) => ['stock', 'levels', filter] as const,
  toOrder: ['stock', 'to-order'] as const,
  parts: (search: string, withStock: boolean) => ['stock', 'parts', search, withStock] as const,
  suppliers: ['stock', 'suppliers'] as const,
  orders: (withCosts: boolean) => ['stock', 'purchase-orders', withCosts] as const,
  order: (id: string, withCosts: boolean) => ['stock', 'purchase-order', id, withCosts] as const,
  part: (id: string) => ['stock', 'part', id] as const,
  movements: (partId: string) => ['stock', 'movements', partId] as const,
  margin: (from: string, to: string, kinds: readonly MarginLeak[]) => ['stock', 'margin', from, to, kinds] as const,
};

export function useStockLevels(filter: StockFilter) {
  return useQuery({ queryKey: stockKeys.levels(filter), queryFn: () => query(StockLevelsDocument, { first: 100, filter }) });
}

export function usePartsToOrder() {
  return useQuery({ queryKey: stockKeys.toOrder, queryFn: () => query(PartsToOrderDocument) });
}

export function useParts(search: string, withStock: boolean, first = 50) {
  return useQuery({
    queryKey: [...stockKeys.parts(search, withStock), first],
    queryFn: () => query(PartsDocument, { first, search: search.trim() || null, withStock }),
  });
}

export function useSuppliers(enabled = true) {
  return useQuery({ queryKey: stockKeys.suppliers, queryFn: () => query(SuppliersDocument), enabled });
}

export function usePurchaseOrders(withCosts: boolean) {
  return useQuery({
    queryKey: stockKeys.orders(withCosts),
    queryFn: () => query(PurchaseOrdersDocument, { first: 50, withCosts }),
  });
}

export function usePurchaseOrder(id: string | null, withCosts: boolean) {
  return useQuery({
    queryKey: stockKeys.order(id ?? '', withCosts),
    queryFn: () => query(PurchaseOrderDocument, { id: id ?? '', withCosts }),
    enabled: id !== null,
    // A just-drafted order reaches the read model a moment after the command (these reads do not
    // wait for the tab's position): ask again until it is there.
    refetchInterval: (current) => (current.state.data?.purchaseOrder === null ? 1_000 : false),
  });
}

export function usePartHeader(id: string) {
  return useQuery({ queryKey: stockKeys.part(id), queryFn: () => query(PartHeaderDocument, { id }) });
}

/** A part's movements at every location, newest first, page by page («Показать ещё»). */
export function useStockMovements(partId: string, first = 50) {
  return useInfiniteQuery({
    queryKey: stockKeys.movements(partId),
    queryFn: ({ pageParam }) => query(StockMovementsDocument, { partId, first, after: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => nextCursor(last.stockMovements),
  });
}

/** One page of the margin report: the first (no cursor) with the period's totals, the rest leaks only. */
export function marginReportPage(period: { from: string; to: string }, kinds: readonly MarginLeak[], first = 50) {
  return (after: string | null): Promise<{ marginSummary?: MarginTotals; marginLeaks: MarginLeakPage }> => {
    const variables = { from: period.from, to: period.to, kinds: kinds.length > 0 ? [...kinds] : null, first };
    return after === null ? query(MarginReportDocument, variables) : query(MarginLeaksDocument, { ...variables, after });
  };
}

/**
 * The margin report of [from, to): the first page carries the period's totals with the first
 * leaks (one request), every further page only leaks of these kinds (all when none), newest first.
 */
export function useMarginReport(period: { from: string; to: string }, kinds: readonly MarginLeak[], first = 50) {
  const page = marginReportPage(period, kinds, first);
  return useInfiniteQuery({
    queryKey: stockKeys.margin(period.from, period.to, kinds),
    queryFn: ({ pageParam }) => page(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => nextCursor(last.marginLeaks),
  });
}

/**
 * After a command: the store's reads. The stock read models do not wait for this tab's last
 * position yet (the query API answers from what the projectors have applied), so the reads are
 * asked again over the next seconds as well, as the projectors catch up.
 */
export function refreshStock(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: stockKeys.all });
  for (const delay of [500, 1_500, 4_000, 8_000]) {
    setTimeout(() => void client.invalidateQueries({ queryKey: stockKeys.all }), delay);
  }
}
