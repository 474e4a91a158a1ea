/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where an appointment is in its life. */
export type AppointmentStatus =
  /** The car came; its work order is open. */
  | 'ARRIVED'
  /** Booked, the car is expected. */
  | 'BOOKED'
  /** Cancelled. */
  | 'CANCELLED'
  /** The client did not come. */
  | 'MISSED';

/** What a bay is equipped for. */
export type BayKind =
  /** A wheel alignment stand (развал-схождение). */
  | 'ALIGNMENT'
  /** Diagnostics (диагностика). */
  | 'DIAGNOSTICS'
  /** No special equipment. */
  | 'GENERAL'
  /** A lift (подъёмник). */
  | 'LIFT'
  /** Tyre fitting (шиномонтаж). */
  | 'TYRE'
  /** Washing (мойка). */
  | 'WASH';

/** How revenue is grouped. */
export type Granularity =
  /** By day. */
  | 'DAY'
  /** By calendar month. */
  | 'MONTH'
  /** By week, from Monday. */
  | 'WEEK';

/** What an item sold: a service (labour) or a part. */
export type ItemKind =
  /** Parts lines. */
  | 'PART'
  /** Labour lines. */
  | 'SERVICE';

/** A kind of margin leak on a parts line. */
export type MarginLeak =
  /** Billed for less than what was issued cost. */
  | 'BELOW_COST'
  /** More was billed than issued from stock (a line naming a catalogue part). */
  | 'BILLED_NOT_ISSUED'
  /** The order is done and more was issued from stock than billed. */
  | 'ISSUED_NOT_BILLED';

/** How a message reaches the client. */
export type NotificationChannel =
  /** An e-mail. */
  | 'EMAIL'
  /** A text message to the first phone. */
  | 'SMS';

/** Where a message stands. */
export type NotificationStatus =
  /** Waiting for its time (`nextAt`). */
  | 'DUE'
  /** The last attempt failed; the next waits for `nextAt`. */
  | 'FAILED'
  /** Given up after the last attempt or a refusal that cannot pass. */
  | 'GAVE_UP'
  /** An attempt is in flight. */
  | 'SENDING'
  /** Sent. */
  | 'SENT'
  /** Not sent: no consent, channel closed, no address or data erased (`reason`). */
  | 'SKIPPED'
  /** The notifier stopped during an attempt: it may or may not have gone out (never repeated). */
  | 'UNKNOWN';

/** The status change a client is told about. */
export type NotificationTrigger =
  /** The estimate waits for the client's approval: the approval link. */
  | 'APPROVAL_LINK'
  /** The car was received. */
  | 'CAR_ACCEPTED'
  /** An invoice was issued. */
  | 'INVOICE_ISSUED'
  /** The work is done; the car may be collected. */
  | 'WORK_COMPLETED';

/** Kinds of records with a history. */
export type RecordKind =
  /** A catalogue entry. */
  | 'CATALOGUE_SERVICE'
  /** A client. */
  | 'CLIENT'
  /** A directory. */
  | 'DIRECTORY'
  /** An invoice. */
  | 'INVOICE'
  /** A message to a client (SMS or e-mail): queued, attempts, sent, failed or skipped and why. */
  | 'NOTIFICATION'
  /** A role. */
  | 'ROLE'
  /** The settings. */
  | 'SETTINGS'
  /** The staff. */
  | 'STAFF'
  /** A vehicle. */
  | 'VEHICLE'
  /** A work order. */
  | 'WORK_ORDER';

/** Where a work order is in its life. */
export type Status =
  /** The car was received. */
  | 'ACCEPTED'
  /** The estimate is approved. */
  | 'APPROVED'
  /** Cancelled. */
  | 'CANCELLED'
  /** Handed over. */
  | 'CLOSED'
  /** Work done. */
  | 'COMPLETED'
  /** Being prepared. */
  | 'DRAFT'
  /** Work under way. */
  | 'IN_PROGRESS';

/** Filters of the stock list. */
export type StockFilter = {
  /** Only stock whose available plus on order is under the reorder minimum. */
  belowMin?: boolean;
  /** Only parts of this category. */
  category?: string | null | undefined;
  /** Only this location. */
  location?: string | null | undefined;
  /** A part number typed any way (from its start), a piece of the name, or the brand. */
  search?: string | null | undefined;
  /** Only stock with backorders waiting. */
  withBackorders?: boolean;
};

export type AuditSearchQueryVariables = Exact<{
  text: string;
}>;


export type AuditSearchQuery = { search: Array<{ kind: string, id: string, title: string, subtitle: string | null }> };

export type AuditHistoryQueryVariables = Exact<{
  kind: RecordKind;
  id: string;
  after?: string | null | undefined;
}>;


export type AuditHistoryQuery = { history: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ version: number, eventType: string, summary: string, actor: string, actorName: string | null, at: string, correlationId: string }> } };

export type AuditWorkOrderAtQueryVariables = Exact<{
  id: string;
  version: number;
}>;


export type AuditWorkOrderAtQuery = { workOrderAt: { id: string, version: number, lastVersion: number, at: string, number: string, status: string, mileageKm: number | null, complaints: string | null, promisedAt: string | null, lines: Array<{ id: string, kind: string, description: string, partNumber: string | null, quantity: string, unitPrice: string, discountBp: number, discount: string, amount: string, progress: string | null, approval: string, approvedBy: string | null, approvalChannel: string | null, approvedAt: string | null }>, totals: { labour: string, parts: string, discount: string, total: string, vat: string, vatRateBp: number } } | null };

export type AuditClientAtQueryVariables = Exact<{
  id: string;
  version: number;
}>;


export type AuditClientAtQuery = { clientAt: { id: string, version: number, kind: string, displayName: string, inn: string | null, kpp: string | null, email: string | null, standing: string, discountBp: number, messagesConsent: { given: boolean, channel: string, at: string } | null, personalDataConsent: { given: boolean, channel: string, at: string } | null, notes: Array<{ text: string, at: string }> } | null };

export type AuditVehicleAtQueryVariables = Exact<{
  id: string;
  version: number;
}>;


export type AuditVehicleAtQuery = { vehicleAt: { id: string, version: number, vin: string | null, plate: string | null, make: string, model: string, year: number | null, ownerId: string | null, mileageKm: number | null, owners: Array<{ clientId: string, since: string }> } | null };

export type AuditInvoiceAtQueryVariables = Exact<{
  id: string;
  version: number;
}>;


export type AuditInvoiceAtQuery = { invoiceAt: { id: string, version: number, number: string, status: string, workOrderId: string, workOrderNumber: string, total: string, vat: string, paid: string, refunded: string, netPaid: string, balance: string, payer: { kind: string, legalName: string | null, inn: string | null, policyNumber: string | null }, lines: Array<{ id: string, kind: string, description: string, quantity: string, unitPrice: string, discount: string, amount: string }>, orderTotals: { total: string } } | null };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { employeeId: string, roles: Array<string>, permissions: Array<string> } };

export type BoardQueryVariables = Exact<{
  statuses?: Array<Status> | Status | null | undefined;
  first?: number | null | undefined;
  openedFrom?: string | null | undefined;
  openedTo?: string | null | undefined;
  skipActive?: boolean | null | undefined;
  withClosed?: boolean | null | undefined;
  closedFrom?: string | null | undefined;
  closedTo?: string | null | undefined;
  skipClient?: boolean | null | undefined;
  skipVehicle?: boolean | null | undefined;
}>;


export type BoardQuery = { workOrders?: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, status: string, promisedAt: string | null, pendingApprovalLines: number, balanceDue: string | null, total: string, client?: { displayName: string } | null, vehicle?: { plate: string | null, make: string, model: string } | null, mechanics: Array<{ id: string, fullName: string }>, approvalLinks: Array<{ state: string, openedAt: string | null, answer: { at: string } | null }> }> }, closed?: { nodes: Array<{ id: string, number: string, status: string, promisedAt: string | null, pendingApprovalLines: number, balanceDue: string | null, total: string, client?: { displayName: string } | null, vehicle?: { plate: string | null, make: string, model: string } | null, mechanics: Array<{ id: string, fullName: string }>, approvalLinks: Array<{ state: string, openedAt: string | null, answer: { at: string } | null }> }> } };

export type BoardTileFragment = { id: string, number: string, status: string, promisedAt: string | null, pendingApprovalLines: number, balanceDue: string | null, total: string, client?: { displayName: string } | null, vehicle?: { plate: string | null, make: string, model: string } | null, mechanics: Array<{ id: string, fullName: string }>, approvalLinks: Array<{ state: string, openedAt: string | null, answer: { at: string } | null }> };

export type CashierOrdersToInvoiceQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierOrdersToInvoiceQuery = { workOrders: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, completedAt: string | null, total: string, client: { id: string, displayName: string } | null, invoices: Array<{ id: string, voided: boolean }> }> } };

export type CashierDueInvoicesQueryVariables = Exact<{
  first: number;
}>;


export type CashierDueInvoicesQuery = { invoices: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, issuedAt: string, total: string, balanceDue: string, status: string, workOrderNumber: string, client: { id: string, displayName: string } | null }> } };

export type CashierInvoiceQueryVariables = Exact<{
  id: string;
}>;


export type CashierInvoiceQuery = { invoice: { id: string, version: number, number: string, workOrderId: string, workOrderNumber: string, payerKind: string, payerName: string | null, payerInn: string | null, issuedAt: string, total: string, vat: string, paid: string, refunded: string, balanceDue: string, voided: boolean, voidReason: string | null, status: string, lines: Array<{ kind: string, description: string, quantity: number, unitPrice: string, discount: string, amount: string }>, payments: Array<{ id: string, kind: string, amount: string, method: string, reference: string | null, reason: string | null, at: string }>, client: { id: string, displayName: string } | null } | null };

export type CashierPaymentMethodsQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierPaymentMethodsQuery = { directories: Array<{ code: string, entries: Array<{ code: string, name: string, active: boolean }> }> };

export type CashierDebtorsQueryVariables = Exact<{ [key: string]: never; }>;


export type CashierDebtorsQuery = { debtors: Array<{ clientId: string, invoices: number, balanceDue: string, oldestIssuedAt: string, client: { id: string, displayName: string } | null }> };

export type MechanicFiguresQueryVariables = Exact<{
  from: string;
  to: string;
  granularity: Granularity;
  mechanicId?: string | null | undefined;
}>;


export type MechanicFiguresQuery = { mechanicFigures: Array<{ mechanicId: string | null, starts: string, finishedLines: number, outputTenths: number, outputClockedMinutes: number, jobMinutes: number, shiftMinutes: number, efficiencyBasisPoints: number | null, productivityBasisPoints: number | null, employee: { id: string, fullName: string } | null }> };

export type OrderAttachmentsQueryVariables = Exact<{
  id: string;
}>;


export type OrderAttachmentsQuery = { workOrder: { id: string, attachments: Array<{ id: string, kind: string, purpose: string, contentType: string, size: number, attachedAt: string, url: string, thumbnailUrl: string | null }> } | null };

export type NewVisitSearchQueryVariables = Exact<{
  text: string;
}>;


export type NewVisitSearchQuery = { search: Array<{ kind: string, id: string, title: string, subtitle: string | null, rank: number }> };

export type NewVisitClientQueryVariables = Exact<{
  id: string;
}>;


export type NewVisitClientQuery = { client: { id: string, kind: string, displayName: string, inn: string | null, phones: Array<string>, archived: boolean, vehicles: Array<{ id: string, vin: string | null, plate: string | null, make: string, model: string, year: number | null, mileageKm: number | null, mileageAt: string | null }> } | null };

export type NewVisitVehicleQueryVariables = Exact<{
  id: string;
}>;


export type NewVisitVehicleQuery = { vehicle: { id: string, vin: string | null, plate: string | null, make: string, model: string, year: number | null, mileageKm: number | null, mileageAt: string | null, owner: { id: string } | null } | null };

export type NewVisitCarFragment = { id: string, vin: string | null, plate: string | null, make: string, model: string, year: number | null, mileageKm: number | null, mileageAt: string | null };

export type OrderApprovalLinksQueryVariables = Exact<{
  id: string;
}>;


export type OrderApprovalLinksQuery = { workOrder: { id: string, approvalLinks: Array<{ id: string, issuedAt: string, expiresAt: string, openedAt: string | null, state: string, answer: { by: string, address: string, userAgent: string, at: string, approved: Array<string>, declined: Array<string> } | null }> } | null };

export type OrderCardQueryVariables = Exact<{
  id: string;
  withClient: boolean;
  withContacts: boolean;
  withVehicle: boolean;
  withStock: boolean;
}>;


export type OrderCardQuery = { workOrder: { id: string, version: number, number: string, status: string, openedAt: string, acceptedAt: string | null, approvedAt: string | null, startedAt: string | null, completedAt: string | null, closedAt: string | null, cancelledAt: string | null, cancelReason: string | null, promisedAt: string | null, pendingApprovalLines: number, labour: string, parts: string, discount: string, total: string, vat: string, vatRateBp: number, client?: { id: string, displayName: string, phones?: Array<string> } | null, vehicle?: { id: string, plate: string | null, make: string, model: string, year: number | null, vin: string | null } | null, lines: Array<{ id: string, ordinal: number, kind: string, description: string, partNumber: string | null, catalogueServiceId: string | null, quantity: string, unitPrice: string, discountBp: number, discount: string, amount: string, progress: string | null, approval: string, approvedBy: string | null, approvedAt: string | null, mechanic: { id: string, fullName: string } | null, stock?: { partId: string, reserved: string, backordered: string, issued: string } | null }>, intake: { mileageKm: number, complaints: string, fuelEighths: number, visibleDamage: Array<string>, itemsLeft: Array<string>, at: string } | null, recommendations: Array<{ id: string, text: string, estimate: string | null, at: string }> } | null };

export type OrderHistoryQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type OrderHistoryQuery = { history: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ version: number, summary: string, actor: string, actorName: string | null, at: string }> } };

export type OrderCatalogueQueryVariables = Exact<{ [key: string]: never; }>;


export type OrderCatalogueQuery = { catalogue: Array<{ id: string, name: string, category: string, normHours: string }> };

export type OrderStaffQueryVariables = Exact<{ [key: string]: never; }>;


export type OrderStaffQuery = { employees: Array<{ id: string, fullName: string, roles: Array<string> }> };

export type VehicleOrdersQueryVariables = Exact<{
  vehicleId: string;
}>;


export type VehicleOrdersQuery = { workOrders: { nodes: Array<{ id: string, number: string, openedAt: string, recommendations: Array<{ id: string, text: string, estimate: string | null, at: string }> }> } };

export type OrderMessagesQueryVariables = Exact<{
  id: string;
  withClient: boolean;
}>;


export type OrderMessagesQuery = { workOrder: { id: string, client?: { id: string, messages: { consent: boolean, sms: boolean, email: boolean } } | null, notifications: Array<{ id: string, trigger: NotificationTrigger, triggerName: string, channel: NotificationChannel, status: NotificationStatus, attempts: number, nextAt: string | null, providerId: string | null, reason: string | null, reasonText: string | null, queuedAt: string, updatedAt: string }> } | null };

export type OwnerEmployeesQueryVariables = Exact<{
  includeInactive: boolean;
}>;


export type OwnerEmployeesQuery = { employees: Array<{ id: string, fullName: string, position: string, roles: Array<string>, active: boolean, hiredAt: string, email: string | null, phone: string | null }> };

export type OwnerRolesQueryVariables = Exact<{ [key: string]: never; }>;


export type OwnerRolesQuery = { roles: Array<{ code: string, name: string, permissions: Array<string>, archived: boolean }> };

export type OwnerSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type OwnerSettingsQuery = { settings: { shopName: string | null, legalName: string | null, inn: string | null, kpp: string | null, ogrn: string | null, address: string | null, defaultRate: string | null, vatRateBp: number | null, approvalLinkHours: number, document: unknown, categoryRates: Array<{ category: string, rate: string }>, documentTexts: { guarantee: string, notes: string }, markupDefault: Array<{ from: string, to: string | null, markupBp: number }>, markupByCategory: Array<{ category: string, ranges: Array<{ from: string, to: string | null, markupBp: number }> }> } };

export type OwnerNotificationsQueryVariables = Exact<{ [key: string]: never; }>;


export type OwnerNotificationsQuery = { settings: { notificationTemplates: Array<{ trigger: NotificationTrigger, channel: NotificationChannel, subject: string | null, body: string }>, quietHours: { from: string, until: string } | null, notificationTriggers: Array<{ trigger: NotificationTrigger, code: string, name: string, placeholders: Array<string> }> } };

export type OwnerDirectoriesQueryVariables = Exact<{ [key: string]: never; }>;


export type OwnerDirectoriesQuery = { directories: Array<{ code: string, name: string, entries: Array<{ code: string, name: string, active: boolean }> }> };

export type OwnerCatalogueQueryVariables = Exact<{ [key: string]: never; }>;


export type OwnerCatalogueQuery = { catalogue: Array<{ id: string, name: string, category: string, normHours: string, active: boolean }> };

export type RolesEditorQueryVariables = Exact<{ [key: string]: never; }>;


export type RolesEditorQuery = { permissionCatalogue: Array<{ code: string, area: string, areaName: string, description: string }>, roles: Array<{ code: string, name: string, permissions: Array<string>, archived: boolean }> };

export type RoleHistoryQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type RoleHistoryQuery = { history: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ version: number, summary: string, actor: string, actorName: string | null, at: string }> } };

export type PlanningPeriodQueryVariables = Exact<{
  from: string;
  to: string;
  start: string;
  end: string;
  withClient: boolean;
  withVehicle: boolean;
}>;


export type PlanningPeriodQuery = { capacity: Array<{ date: string, closed: boolean, overloaded: boolean, mechanics: Array<{ employeeId: string, capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean, employee: { id: string, fullName: string } | null }>, bays: Array<{ kind: BayKind, capacityTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean }>, totals: { capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number } }>, appointments: Array<{ id: string, clientId: string, vehicleId: string, wantedAt: string, bayKind: BayKind | null, mechanicId: string | null, status: AppointmentStatus, loadTenths: number, note: string, cancelReason: string | null, workOrderId: string | null, works: Array<{ name: string, normHoursTenths: number }>, client?: { id: string, displayName: string } | null, vehicle?: { id: string, plate: string | null, vin: string | null, make: string, model: string } | null, mechanic: { id: string, fullName: string } | null }> };

export type PlanningDayFragment = { date: string, closed: boolean, overloaded: boolean, mechanics: Array<{ employeeId: string, capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean, employee: { id: string, fullName: string } | null }>, bays: Array<{ kind: BayKind, capacityTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean }>, totals: { capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number } };

export type PlanningCapacityQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type PlanningCapacityQuery = { capacity: Array<{ date: string, closed: boolean, overloaded: boolean, mechanics: Array<{ employeeId: string, capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean, employee: { id: string, fullName: string } | null }>, bays: Array<{ kind: BayKind, capacityTenths: number, bookedTenths: number, freeTenths: number, overloaded: boolean }>, totals: { capacityTenths: number, carryoverTenths: number, bookedTenths: number, freeTenths: number } }> };

export type PlanningBaysQueryVariables = Exact<{ [key: string]: never; }>;


export type PlanningBaysQuery = { bays: Array<{ id: string, name: string, kind: BayKind | null, active: boolean }> };

export type PlanningCatalogueQueryVariables = Exact<{ [key: string]: never; }>;


export type PlanningCatalogueQuery = { catalogue: Array<{ id: string, name: string, normHours: string }> };

export type MyJobsQueryVariables = Exact<{
  withVehicle: boolean;
}>;


export type MyJobsQuery = { mechanicQueue: { employeeId: string, clock: { onShiftSince: string | null, running: { workOrderId: string, lineId: string, since: string } | null, paused: Array<{ workOrderId: string, lineId: string }> }, jobs: Array<{ workOrderId: string, number: string, status: string, promisedAt: string | null, lineId: string, description: string, normHoursTenths: number, progress: string, running: boolean, paused: boolean, clockedSeconds: number, runningSince: string | null, vehicle?: { id: string, plate: string | null, vin: string | null, make: string, model: string } | null }> } };

export type RevenueReportQueryVariables = Exact<{
  from: string;
  to: string;
  granularity: Granularity;
}>;


export type RevenueReportQuery = { revenue: Array<{ starts: string, invoices: number, revenue: string }> };

export type PeriodSummaryQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type PeriodSummaryQuery = { averageRepairOrder: { invoices: number, revenue: string, average: string }, carCount: { orders: number, cars: number }, recommendationConversion: { recommendations: number, converted: number, rateBasisPoints: number } };

export type MechanicProductivityQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type MechanicProductivityQuery = { mechanicProductivity: Array<{ mechanicId: string | null, lines: number, normHoursTenths: number, amount: string }> };

export type ReportEmployeesQueryVariables = Exact<{ [key: string]: never; }>;


export type ReportEmployeesQuery = { employees: Array<{ id: string, fullName: string }> };

export type TopItemsQueryVariables = Exact<{
  from: string;
  to: string;
  kind: ItemKind;
  first?: number | null | undefined;
}>;


export type TopItemsQuery = { topItems: Array<{ description: string, lines: number, quantity: number, amount: string }> };

export type ReceivablesAgingQueryVariables = Exact<{
  asOf?: string | null | undefined;
}>;


export type ReceivablesAgingQuery = { receivablesAging: Array<{ age: string, invoices: number, owed: string }> };

export type StockLevelsQueryVariables = Exact<{
  first: number;
  filter?: StockFilter | null | undefined;
}>;


export type StockLevelsQuery = { stockLevels: { hasNextPage: boolean, nodes: Array<{ partId: string, location: string, number: string, brand: string, name: string, unit: string, onHand: string, reserved: string, onOrder: string, backordered: string, available: string, reorderMin: string | null, reorderMax: string | null, belowMin: boolean }> } };

export type StockPartsToOrderQueryVariables = Exact<{ [key: string]: never; }>;


export type StockPartsToOrderQuery = { partsToOrder: { hasNextPage: boolean, nodes: Array<{ partId: string, number: string, brand: string, name: string, unit: string, available: string, onOrder: string, backordered: string, toOrder: string }> } };

export type StockPartsQueryVariables = Exact<{
  first: number;
  search?: string | null | undefined;
  withStock: boolean;
}>;


export type StockPartsQuery = { parts: { hasNextPage: boolean, nodes: Array<{ id: string, version: number, number: string, brand: string, name: string, unit: string, category: string, active: boolean, reorderMin: string | null, reorderMax: string | null, onHand?: string, available?: string }> } };

export type StockSuppliersQueryVariables = Exact<{ [key: string]: never; }>;


export type StockSuppliersQuery = { suppliers: Array<{ id: string, legalName: string, inn: string, phone: string | null, paymentTermsDays: number }> };

export type StockPurchaseOrdersQueryVariables = Exact<{
  first: number;
  withCosts: boolean;
}>;


export type StockPurchaseOrdersQuery = { purchaseOrders: { hasNextPage: boolean, nodes: Array<{ id: string, number: string, status: string, supplierId: string, supplierName: string, draftedAt: string, total?: string }> } };

export type StockPurchaseOrderQueryVariables = Exact<{
  id: string;
  withCosts: boolean;
}>;


export type StockPurchaseOrderQuery = { purchaseOrder: { id: string, version: number, number: string, status: string, supplierName: string, sentAt: string | null, total?: string, lines: Array<{ id: string, ordinal: number, partId: string, number: string | null, name: string | null, quantity: string, received: string, outstanding: string, unitPrice?: string, amount?: string }> } | null };

export type StockPartHeaderQueryVariables = Exact<{
  id: string;
}>;


export type StockPartHeaderQuery = { part: { id: string, number: string, brand: string, name: string, unit: string } | null };

export type StockMovementsQueryVariables = Exact<{
  partId: string;
  first: number;
  after?: string | null | undefined;
}>;


export type StockMovementsQuery = { stockMovements: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ location: string, kind: string, at: string, quantity: string | null, counted: string | null, onHandDelta: string, reservedDelta: string, onOrderDelta: string, workOrderId: string | null, purchaseOrderId: string | null, receiptId: string | null, countId: string | null, reason: string | null, by: { id: string, fullName: string } | null }> } };

export type MarginLineFragment = { workOrderId: string, lineId: string, workOrderNumber: string | null, partId: string | null, partNumber: string | null, name: string | null, orderedQuantity: string, billedQuantity: string, billedAmount: string, issuedQuantity: string, issuedCost: string, at: string | null, issuedNotBilled: boolean, billedNotIssued: boolean, belowCost: boolean };

export type StockMarginReportQueryVariables = Exact<{
  from: string;
  to: string;
  kinds?: Array<MarginLeak> | MarginLeak | null | undefined;
  first: number;
}>;


export type StockMarginReportQuery = { marginSummary: { bought: string, issuedCost: string, billedAmount: string, margin: string, lines: number, issuedNotBilled: number, billedNotIssued: number, belowCost: number }, marginLeaks: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ workOrderId: string, lineId: string, workOrderNumber: string | null, partId: string | null, partNumber: string | null, name: string | null, orderedQuantity: string, billedQuantity: string, billedAmount: string, issuedQuantity: string, issuedCost: string, at: string | null, issuedNotBilled: boolean, billedNotIssued: boolean, belowCost: boolean }> } };

export type StockMarginLeaksQueryVariables = Exact<{
  from: string;
  to: string;
  kinds?: Array<MarginLeak> | MarginLeak | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type StockMarginLeaksQuery = { marginLeaks: { endCursor: string | null, hasNextPage: boolean, nodes: Array<{ workOrderId: string, lineId: string, workOrderNumber: string | null, partId: string | null, partNumber: string | null, name: string | null, orderedQuantity: string, billedQuantity: string, billedAmount: string, issuedQuantity: string, issuedCost: string, at: string | null, issuedNotBilled: boolean, billedNotIssued: boolean, belowCost: boolean }> } };

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
export const BoardTileFragmentDoc = new TypedDocumentString(`
    fragment BoardTile on WorkOrder {
  id
  number
  status
  promisedAt
  pendingApprovalLines
  balanceDue
  total
  client @skip(if: $skipClient) {
    displayName
  }
  vehicle @skip(if: $skipVehicle) {
    plate
    make
    model
  }
  mechanics {
    id
    fullName
  }
  approvalLinks {
    state
    openedAt
    answer {
      at
    }
  }
}
    `, {"fragmentName":"BoardTile"}) as unknown as TypedDocumentString<BoardTileFragment, unknown>;
export const NewVisitCarFragmentDoc = new TypedDocumentString(`
    fragment NewVisitCar on Vehicle {
  id
  vin
  plate
  make
  model
  year
  mileageKm
  mileageAt
}
    `, {"fragmentName":"NewVisitCar"}) as unknown as TypedDocumentString<NewVisitCarFragment, unknown>;
export const PlanningDayFragmentDoc = new TypedDocumentString(`
    fragment PlanningDay on DayPlan {
  date
  closed
  overloaded
  mechanics {
    employeeId
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
    overloaded
    employee {
      id
      fullName
    }
  }
  bays {
    kind
    capacityTenths
    bookedTenths
    freeTenths
    overloaded
  }
  totals {
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
  }
}
    `, {"fragmentName":"PlanningDay"}) as unknown as TypedDocumentString<PlanningDayFragment, unknown>;
export const MarginLineFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"MarginLine"}) as unknown as TypedDocumentString<MarginLineFragment, unknown>;
export const AuditSearchDocument = new TypedDocumentString(`
    query AuditSearch($text: String!) {
  search(text: $text, first: 20) {
    kind
    id
    title
    subtitle
  }
}
    `) as unknown as TypedDocumentString<AuditSearchQuery, AuditSearchQueryVariables>;
export const AuditHistoryDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditHistoryQuery, AuditHistoryQueryVariables>;
export const AuditWorkOrderAtDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditWorkOrderAtQuery, AuditWorkOrderAtQueryVariables>;
export const AuditClientAtDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditClientAtQuery, AuditClientAtQueryVariables>;
export const AuditVehicleAtDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditVehicleAtQuery, AuditVehicleAtQueryVariables>;
export const AuditInvoiceAtDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AuditInvoiceAtQuery, AuditInvoiceAtQueryVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    employeeId
    roles
    permissions
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const BoardDocument = new TypedDocumentString(`
    query Board($statuses: [Status!], $first: Int, $openedFrom: DateTime, $openedTo: DateTime, $skipActive: Boolean = false, $withClosed: Boolean = false, $closedFrom: DateTime, $closedTo: DateTime, $skipClient: Boolean = false, $skipVehicle: Boolean = false) {
  workOrders(
    first: $first
    filter: {statuses: $statuses, openedFrom: $openedFrom, openedTo: $openedTo}
  ) @skip(if: $skipActive) {
    nodes {
      ...BoardTile
    }
    hasNextPage
  }
  closed: workOrders(
    first: 100
    filter: {closedFrom: $closedFrom, closedTo: $closedTo, openedFrom: $openedFrom, openedTo: $openedTo}
  ) @include(if: $withClosed) {
    nodes {
      ...BoardTile
    }
  }
}
    fragment BoardTile on WorkOrder {
  id
  number
  status
  promisedAt
  pendingApprovalLines
  balanceDue
  total
  client @skip(if: $skipClient) {
    displayName
  }
  vehicle @skip(if: $skipVehicle) {
    plate
    make
    model
  }
  mechanics {
    id
    fullName
  }
  approvalLinks {
    state
    openedAt
    answer {
      at
    }
  }
}`) as unknown as TypedDocumentString<BoardQuery, BoardQueryVariables>;
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
export const MechanicFiguresDocument = new TypedDocumentString(`
    query MechanicFigures($from: DateTime!, $to: DateTime!, $granularity: Granularity!, $mechanicId: UUID) {
  mechanicFigures(
    from: $from
    to: $to
    granularity: $granularity
    mechanicId: $mechanicId
  ) {
    mechanicId
    employee {
      id
      fullName
    }
    starts
    finishedLines
    outputTenths
    outputClockedMinutes
    jobMinutes
    shiftMinutes
    efficiencyBasisPoints
    productivityBasisPoints
  }
}
    `) as unknown as TypedDocumentString<MechanicFiguresQuery, MechanicFiguresQueryVariables>;
export const OrderAttachmentsDocument = new TypedDocumentString(`
    query OrderAttachments($id: UUID!) {
  workOrder(id: $id) {
    id
    attachments {
      id
      kind
      purpose
      contentType
      size
      attachedAt
      url
      thumbnailUrl
    }
  }
}
    `) as unknown as TypedDocumentString<OrderAttachmentsQuery, OrderAttachmentsQueryVariables>;
export const NewVisitSearchDocument = new TypedDocumentString(`
    query NewVisitSearch($text: String!) {
  search(text: $text, first: 20) {
    kind
    id
    title
    subtitle
    rank
  }
}
    `) as unknown as TypedDocumentString<NewVisitSearchQuery, NewVisitSearchQueryVariables>;
export const NewVisitClientDocument = new TypedDocumentString(`
    query NewVisitClient($id: UUID!) {
  client(id: $id) {
    id
    kind
    displayName
    inn
    phones
    archived
    vehicles {
      ...NewVisitCar
    }
  }
}
    fragment NewVisitCar on Vehicle {
  id
  vin
  plate
  make
  model
  year
  mileageKm
  mileageAt
}`) as unknown as TypedDocumentString<NewVisitClientQuery, NewVisitClientQueryVariables>;
export const NewVisitVehicleDocument = new TypedDocumentString(`
    query NewVisitVehicle($id: UUID!) {
  vehicle(id: $id) {
    ...NewVisitCar
    owner {
      id
    }
  }
}
    fragment NewVisitCar on Vehicle {
  id
  vin
  plate
  make
  model
  year
  mileageKm
  mileageAt
}`) as unknown as TypedDocumentString<NewVisitVehicleQuery, NewVisitVehicleQueryVariables>;
export const OrderApprovalLinksDocument = new TypedDocumentString(`
    query OrderApprovalLinks($id: UUID!) {
  workOrder(id: $id) {
    id
    approvalLinks {
      id
      issuedAt
      expiresAt
      openedAt
      state
      answer {
        by
        address
        userAgent
        at
        approved
        declined
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrderApprovalLinksQuery, OrderApprovalLinksQueryVariables>;
export const OrderCardDocument = new TypedDocumentString(`
    query OrderCard($id: UUID!, $withClient: Boolean!, $withContacts: Boolean!, $withVehicle: Boolean!, $withStock: Boolean!) {
  workOrder(id: $id) {
    id
    version
    number
    status
    openedAt
    acceptedAt
    approvedAt
    startedAt
    completedAt
    closedAt
    cancelledAt
    cancelReason
    promisedAt
    pendingApprovalLines
    labour
    parts
    discount
    total
    vat
    vatRateBp
    client @include(if: $withClient) {
      id
      displayName
      phones @include(if: $withContacts)
    }
    vehicle @include(if: $withVehicle) {
      id
      plate
      make
      model
      year
      vin
    }
    lines {
      id
      ordinal
      kind
      description
      partNumber
      catalogueServiceId
      quantity
      unitPrice
      discountBp
      discount
      amount
      progress
      approval
      approvedBy
      approvedAt
      mechanic {
        id
        fullName
      }
      stock @include(if: $withStock) {
        partId
        reserved
        backordered
        issued
      }
    }
    intake {
      mileageKm
      complaints
      fuelEighths
      visibleDamage
      itemsLeft
      at
    }
    recommendations {
      id
      text
      estimate
      at
    }
  }
}
    `) as unknown as TypedDocumentString<OrderCardQuery, OrderCardQueryVariables>;
export const OrderHistoryDocument = new TypedDocumentString(`
    query OrderHistory($id: String!, $after: String) {
  history(kind: WORK_ORDER, id: $id, first: 100, after: $after) {
    nodes {
      version
      summary
      actor
      actorName
      at
    }
    endCursor
    hasNextPage
  }
}
    `) as unknown as TypedDocumentString<OrderHistoryQuery, OrderHistoryQueryVariables>;
export const OrderCatalogueDocument = new TypedDocumentString(`
    query OrderCatalogue {
  catalogue {
    id
    name
    category
    normHours
  }
}
    `) as unknown as TypedDocumentString<OrderCatalogueQuery, OrderCatalogueQueryVariables>;
export const OrderStaffDocument = new TypedDocumentString(`
    query OrderStaff {
  employees {
    id
    fullName
    roles
  }
}
    `) as unknown as TypedDocumentString<OrderStaffQuery, OrderStaffQueryVariables>;
export const VehicleOrdersDocument = new TypedDocumentString(`
    query VehicleOrders($vehicleId: UUID!) {
  workOrders(first: 50, filter: {vehicleId: $vehicleId}) {
    nodes {
      id
      number
      openedAt
      recommendations {
        id
        text
        estimate
        at
      }
    }
  }
}
    `) as unknown as TypedDocumentString<VehicleOrdersQuery, VehicleOrdersQueryVariables>;
export const OrderMessagesDocument = new TypedDocumentString(`
    query OrderMessages($id: UUID!, $withClient: Boolean!) {
  workOrder(id: $id) {
    id
    client @include(if: $withClient) {
      id
      messages {
        consent
        sms
        email
      }
    }
    notifications {
      id
      trigger
      triggerName
      channel
      status
      attempts
      nextAt
      providerId
      reason
      reasonText
      queuedAt
      updatedAt
    }
  }
}
    `) as unknown as TypedDocumentString<OrderMessagesQuery, OrderMessagesQueryVariables>;
export const OwnerEmployeesDocument = new TypedDocumentString(`
    query OwnerEmployees($includeInactive: Boolean!) {
  employees(includeInactive: $includeInactive) {
    id
    fullName
    position
    roles
    active
    hiredAt
    email
    phone
  }
}
    `) as unknown as TypedDocumentString<OwnerEmployeesQuery, OwnerEmployeesQueryVariables>;
export const OwnerRolesDocument = new TypedDocumentString(`
    query OwnerRoles {
  roles {
    code
    name
    permissions
    archived
  }
}
    `) as unknown as TypedDocumentString<OwnerRolesQuery, OwnerRolesQueryVariables>;
export const OwnerSettingsDocument = new TypedDocumentString(`
    query OwnerSettings {
  settings {
    shopName
    legalName
    inn
    kpp
    ogrn
    address
    defaultRate
    categoryRates {
      category
      rate
    }
    vatRateBp
    approvalLinkHours
    documentTexts {
      guarantee
      notes
    }
    markupDefault {
      from
      to
      markupBp
    }
    markupByCategory {
      category
      ranges {
        from
        to
        markupBp
      }
    }
    document
  }
}
    `) as unknown as TypedDocumentString<OwnerSettingsQuery, OwnerSettingsQueryVariables>;
export const OwnerNotificationsDocument = new TypedDocumentString(`
    query OwnerNotifications {
  settings {
    notificationTemplates {
      trigger
      channel
      subject
      body
    }
    quietHours {
      from
      until
    }
    notificationTriggers {
      trigger
      code
      name
      placeholders
    }
  }
}
    `) as unknown as TypedDocumentString<OwnerNotificationsQuery, OwnerNotificationsQueryVariables>;
export const OwnerDirectoriesDocument = new TypedDocumentString(`
    query OwnerDirectories {
  directories {
    code
    name
    entries {
      code
      name
      active
    }
  }
}
    `) as unknown as TypedDocumentString<OwnerDirectoriesQuery, OwnerDirectoriesQueryVariables>;
export const OwnerCatalogueDocument = new TypedDocumentString(`
    query OwnerCatalogue {
  catalogue(activeOnly: false) {
    id
    name
    category
    normHours
    active
  }
}
    `) as unknown as TypedDocumentString<OwnerCatalogueQuery, OwnerCatalogueQueryVariables>;
export const RolesEditorDocument = new TypedDocumentString(`
    query RolesEditor {
  permissionCatalogue {
    code
    area
    areaName
    description
  }
  roles {
    code
    name
    permissions
    archived
  }
}
    `) as unknown as TypedDocumentString<RolesEditorQuery, RolesEditorQueryVariables>;
export const RoleHistoryDocument = new TypedDocumentString(`
    query RoleHistory($id: String!, $after: String) {
  history(kind: ROLE, id: $id, first: 50, after: $after) {
    nodes {
      version
      summary
      actor
      actorName
      at
    }
    endCursor
    hasNextPage
  }
}
    `) as unknown as TypedDocumentString<RoleHistoryQuery, RoleHistoryQueryVariables>;
export const PlanningPeriodDocument = new TypedDocumentString(`
    query PlanningPeriod($from: NaiveDate!, $to: NaiveDate!, $start: DateTime!, $end: DateTime!, $withClient: Boolean!, $withVehicle: Boolean!) {
  capacity(from: $from, to: $to) {
    ...PlanningDay
  }
  appointments(from: $start, to: $end) {
    id
    clientId
    vehicleId
    wantedAt
    bayKind
    mechanicId
    status
    loadTenths
    note
    cancelReason
    workOrderId
    works {
      name
      normHoursTenths
    }
    client @include(if: $withClient) {
      id
      displayName
    }
    vehicle @include(if: $withVehicle) {
      id
      plate
      vin
      make
      model
    }
    mechanic {
      id
      fullName
    }
  }
}
    fragment PlanningDay on DayPlan {
  date
  closed
  overloaded
  mechanics {
    employeeId
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
    overloaded
    employee {
      id
      fullName
    }
  }
  bays {
    kind
    capacityTenths
    bookedTenths
    freeTenths
    overloaded
  }
  totals {
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
  }
}`) as unknown as TypedDocumentString<PlanningPeriodQuery, PlanningPeriodQueryVariables>;
export const PlanningCapacityDocument = new TypedDocumentString(`
    query PlanningCapacity($from: NaiveDate!, $to: NaiveDate!) {
  capacity(from: $from, to: $to) {
    ...PlanningDay
  }
}
    fragment PlanningDay on DayPlan {
  date
  closed
  overloaded
  mechanics {
    employeeId
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
    overloaded
    employee {
      id
      fullName
    }
  }
  bays {
    kind
    capacityTenths
    bookedTenths
    freeTenths
    overloaded
  }
  totals {
    capacityTenths
    carryoverTenths
    bookedTenths
    freeTenths
  }
}`) as unknown as TypedDocumentString<PlanningCapacityQuery, PlanningCapacityQueryVariables>;
export const PlanningBaysDocument = new TypedDocumentString(`
    query PlanningBays {
  bays {
    id
    name
    kind
    active
  }
}
    `) as unknown as TypedDocumentString<PlanningBaysQuery, PlanningBaysQueryVariables>;
export const PlanningCatalogueDocument = new TypedDocumentString(`
    query PlanningCatalogue {
  catalogue {
    id
    name
    normHours
  }
}
    `) as unknown as TypedDocumentString<PlanningCatalogueQuery, PlanningCatalogueQueryVariables>;
export const MyJobsDocument = new TypedDocumentString(`
    query MyJobs($withVehicle: Boolean!) {
  mechanicQueue {
    employeeId
    clock {
      onShiftSince
      running {
        workOrderId
        lineId
        since
      }
      paused {
        workOrderId
        lineId
      }
    }
    jobs {
      workOrderId
      number
      status
      promisedAt
      lineId
      description
      normHoursTenths
      progress
      running
      paused
      clockedSeconds
      runningSince
      vehicle @include(if: $withVehicle) {
        id
        plate
        vin
        make
        model
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MyJobsQuery, MyJobsQueryVariables>;
export const RevenueReportDocument = new TypedDocumentString(`
    query RevenueReport($from: DateTime!, $to: DateTime!, $granularity: Granularity!) {
  revenue(from: $from, to: $to, granularity: $granularity) {
    starts
    invoices
    revenue
  }
}
    `) as unknown as TypedDocumentString<RevenueReportQuery, RevenueReportQueryVariables>;
export const PeriodSummaryDocument = new TypedDocumentString(`
    query PeriodSummary($from: DateTime!, $to: DateTime!) {
  averageRepairOrder(from: $from, to: $to) {
    invoices
    revenue
    average
  }
  carCount(from: $from, to: $to) {
    orders
    cars
  }
  recommendationConversion(from: $from, to: $to) {
    recommendations
    converted
    rateBasisPoints
  }
}
    `) as unknown as TypedDocumentString<PeriodSummaryQuery, PeriodSummaryQueryVariables>;
export const MechanicProductivityDocument = new TypedDocumentString(`
    query MechanicProductivity($from: DateTime!, $to: DateTime!) {
  mechanicProductivity(from: $from, to: $to) {
    mechanicId
    lines
    normHoursTenths
    amount
  }
}
    `) as unknown as TypedDocumentString<MechanicProductivityQuery, MechanicProductivityQueryVariables>;
export const ReportEmployeesDocument = new TypedDocumentString(`
    query ReportEmployees {
  employees(includeInactive: true) {
    id
    fullName
  }
}
    `) as unknown as TypedDocumentString<ReportEmployeesQuery, ReportEmployeesQueryVariables>;
export const TopItemsDocument = new TypedDocumentString(`
    query TopItems($from: DateTime!, $to: DateTime!, $kind: ItemKind!, $first: Int) {
  topItems(from: $from, to: $to, kind: $kind, first: $first) {
    description
    lines
    quantity
    amount
  }
}
    `) as unknown as TypedDocumentString<TopItemsQuery, TopItemsQueryVariables>;
export const ReceivablesAgingDocument = new TypedDocumentString(`
    query ReceivablesAging($asOf: DateTime) {
  receivablesAging(asOf: $asOf) {
    age
    invoices
    owed
  }
}
    `) as unknown as TypedDocumentString<ReceivablesAgingQuery, ReceivablesAgingQueryVariables>;
export const StockLevelsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockLevelsQuery, StockLevelsQueryVariables>;
export const StockPartsToOrderDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockPartsToOrderQuery, StockPartsToOrderQueryVariables>;
export const StockPartsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockPartsQuery, StockPartsQueryVariables>;
export const StockSuppliersDocument = new TypedDocumentString(`
    query StockSuppliers {
  suppliers {
    id
    legalName
    inn
    phone
    paymentTermsDays
  }
}
    `) as unknown as TypedDocumentString<StockSuppliersQuery, StockSuppliersQueryVariables>;
export const StockPurchaseOrdersDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockPurchaseOrdersQuery, StockPurchaseOrdersQueryVariables>;
export const StockPurchaseOrderDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockPurchaseOrderQuery, StockPurchaseOrderQueryVariables>;
export const StockPartHeaderDocument = new TypedDocumentString(`
    query StockPartHeader($id: UUID!) {
  part(id: $id) {
    id
    number
    brand
    name
    unit
  }
}
    `) as unknown as TypedDocumentString<StockPartHeaderQuery, StockPartHeaderQueryVariables>;
export const StockMovementsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<StockMovementsQuery, StockMovementsQueryVariables>;
export const StockMarginReportDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<StockMarginReportQuery, StockMarginReportQueryVariables>;
export const StockMarginLeaksDocument = new TypedDocumentString(`
    query StockMarginLeaks($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!, $after: String) {
  marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {
    nodes {
      ...MarginLine
    }
    endCursor
    hasNextPage
  }
}
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
}`) as unknown as TypedDocumentString<StockMarginLeaksQuery, StockMarginLeaksQueryVariables>;