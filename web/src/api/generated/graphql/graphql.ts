/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { employeeId: string, roles: Array<string>, permissions: Array<string> } };

export type CashierOrdersToInvoiceQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierOrdersToInvoiceQuery = { workOrders: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, completedAt: string | null, total: string, client: { id: string, displayName: string } | null, invoices: Array<{ id: string, voided: boolean }> }> } };

export type CashierDueInvoicesQueryVariables = Exact<{
  first: number;
}>;


export type CashierDueInvoicesQuery = { invoices: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, issuedAt: string, total: string, balanceDue: string, status: string, workOrderNumber: string, client: { id: string, displayName: string } | null }> } };

export type CashierInvoiceQueryVariables = Exact<{
  id: string;
}>;


export type CashierInvoiceQuery = { invoice: { id: string, number: string, workOrderId: string, workOrderNumber: string, payerKind: string, payerName: string | null, payerInn: string | null, issuedAt: string, total: string, vat: string, paid: string, refunded: string, balanceDue: string, voided: boolean, voidReason: string | null, status: string, lines: Array<{ kind: string, description: string, quantity: number, unitPrice: string, discount: string, amount: string }>, payments: Array<{ id: string, kind: string, amount: string, method: string, reference: string | null, reason: string | null, at: string }>, client: { id: string, displayName: string } | null } | null };

export type CashierPaymentMethodsQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierPaymentMethodsQuery = { directories: Array<{ code: string, entries: Array<{ code: string, name: string, active: boolean }> }> };

export type CashierDebtorsQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierDebtorsQuery = { debtors: Array<{ clientId: string, invoices: number, balanceDue: string, oldestIssuedAt: string, client: { id: string, displayName: string } | null }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    employeeId
    roles
    permissions
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const CashierOrdersToInvoiceDocument = new TypedDocumentString(`
    query CashierOrdersToInvoice {
  workOrders(first: 100, filter: {statuses: [COMPLETED]}) {
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
    `) as unknown as TypedDocumentString<CashierOrdersToInvoiceQuery, CashierOrdersToInvoiceQueryVariables>;
export const CashierDueInvoicesDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CashierDueInvoicesQuery, CashierDueInvoicesQueryVariables>;
export const CashierInvoiceDocument = new TypedDocumentString(`
    query CashierInvoice($id: UUID!) {
  invoice(id: $id) {
    id
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
    `) as unknown as TypedDocumentString<CashierInvoiceQuery, CashierInvoiceQueryVariables>;
export const CashierPaymentMethodsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CashierPaymentMethodsQuery, CashierPaymentMethodsQueryVariables>;
export const CashierDebtorsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CashierDebtorsQuery, CashierDebtorsQueryVariables>;