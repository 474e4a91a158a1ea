/**
 * What the cashier's screens read. Every key starts with `cashier`, so one invalidation after a
 * command refreshes them all (the reads wait for the command's position on the server).
 */
import { useQuery } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import { query } from '../api/graphql.ts';

export const CashierOrdersDocument = graphql(`
  query CashierOrdersToInvoice {
    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {
      nodes {
        id
        number
        completedAt
        total
        client {
          id
          displayName
        }
        invoices {
          id
          voided
        }
      }
      hasNextPage
    }
  }
`);

export const CashierDueDocument = graphql(`
  query CashierDueInvoices($first: Int!) {
    invoices(dueOnly: true, first: $first) {
      nodes {
        id
        number
        issuedAt
        total
        balanceDue
        status
        workOrderNumber
        client {
          id
          displayName
        }
      }
      hasNextPage
    }
  }
`);

export const CashierInvoiceDocument = graphql(`
  query CashierInvoice($id: UUID!) {
    invoice(id: $id) {
      id
      version
      number
      workOrderId
      workOrderNumber
      payerKind
      payerName
      payerInn
      issuedAt
      total
      vat
      paid
      refunded
      balanceDue
      voided
      voidReason
      status
      lines {
        kind
        description
        quantity
        unitPrice
        discount
        amount
      }
      payments {
        id
        kind
        amount
        method
        reference
        reason
        at
      }
      client {
        id
        displayName
      }
    }
  }
`);

export const PaymentMethodsDocument = graphql(`
  query CashierPaymentMethods {
    directories(code: "payment_methods") {
      code
      entries {
        code
        name
        active
      }
    }
  }
`);

export const DebtorsDocument = graphql(`
  query CashierDebtors {
    debtors(first: 200) {
      clientId
      invoices
      balanceDue
      oldestIssuedAt
      client {
        id
        displayName
      }
    }
  }
`);

export const cashierKeys = {
  all: ['cashier'] as const,
  orders: ['cashier', 'orders-to-invoice'] as const,
  due: (first: number) => ['cashier', 'due', first] as const,
  invoice: (id: string) => ['cashier', 'invoice', id] as const,
  methods: ['cashier', 'payment-methods'] as const,
  debtors: ['cashier', 'debtors'] as const,
};

export function useOrdersToInvoice(enabled: boolean) {
  return useQuery({ queryKey: cashierKeys.orders, queryFn: () => query(CashierOrdersDocument), enabled });
}

export function useDueInvoices(first: number) {
  return useQuery({ queryKey: cashierKeys.due(first), queryFn: () => query(CashierDueDocument, { first }) });
}

export function useInvoice(id: string | null) {
  return useQuery({
    queryKey: cashierKeys.invoice(id ?? ''),
    queryFn: () => query(CashierInvoiceDocument, { id: id ?? '' }),
    enabled: id !== null,
  });
}

export function usePaymentMethods() {
  return useQuery({ queryKey: cashierKeys.methods, queryFn: () => query(PaymentMethodsDocument), staleTime: 300_000 });
}

export function useDebtors() {
  return useQuery({ queryKey: cashierKeys.debtors, queryFn: () => query(DebtorsDocument) });
}
