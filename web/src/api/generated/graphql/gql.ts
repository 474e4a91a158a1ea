/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n": typeof types.MeDocument,
    "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n": typeof types.CashierOrdersToInvoiceDocument,
    "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n": typeof types.CashierDueInvoicesDocument,
    "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.CashierInvoiceDocument,
    "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": typeof types.CashierPaymentMethodsDocument,
    "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.CashierDebtorsDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n": types.MeDocument,
    "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n": types.CashierOrdersToInvoiceDocument,
    "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n": types.CashierDueInvoicesDocument,
    "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": types.CashierInvoiceDocument,
    "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": types.CashierPaymentMethodsDocument,
    "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": types.CashierDebtorsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').CashierOrdersToInvoiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').CashierDueInvoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n"): typeof import('./graphql').CashierInvoiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n"): typeof import('./graphql').CashierPaymentMethodsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n"): typeof import('./graphql').CashierDebtorsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
