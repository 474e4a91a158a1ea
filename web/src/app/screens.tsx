/**
 * Every screen of the app, its address, its menu entry and the permissions that open it (any one
 * of them). The menu and the routes are both built from this list.
 */
import type { ComponentType } from 'react';
import { AuditPage } from '../audit/AuditPage.tsx';
import { AuditRecordPage } from '../audit/AuditRecordPage.tsx';
import { BoardPage } from '../board/BoardPage.tsx';
import { CashierPage } from '../cashier/CashierPage.tsx';
import { DebtorsPage } from '../cashier/DebtorsPage.tsx';
import { FiguresPage } from '../figures/FiguresPage.tsx';
import { NewVisitPage } from '../new-visit/NewVisitPage.tsx';
import { OrderCardPage } from '../order-card/OrderCardPage.tsx';
import { CataloguePage } from '../owner/CataloguePage.tsx';
import { DirectoriesPage } from '../owner/DirectoriesPage.tsx';
import { NotificationsPage } from '../owner/NotificationsPage.tsx';
import { RolesPage } from '../owner/roles/RolesPage.tsx';
import { SettingsPage } from '../owner/SettingsPage.tsx';
import { StaffPage } from '../owner/StaffPage.tsx';
import { OWNER_SECTION_PERMISSIONS } from '../owner/ui.tsx';
import { BookingPage } from '../planning/BookingPage.tsx';
import { MyJobsPage } from '../planning/MyJobsPage.tsx';
import { PlannerPage } from '../planning/PlannerPage.tsx';
import { ReportsPage } from '../reports/ReportsPage.tsx';
import { CountPage } from '../stock/CountPage.tsx';
import { MarginPage } from '../stock/MarginPage.tsx';
import { MovementsPage } from '../stock/MovementsPage.tsx';
import { PartsPage } from '../stock/PartsPage.tsx';
import { PurchasingPage } from '../stock/PurchasingPage.tsx';
import { StockPage } from '../stock/StockPage.tsx';
import { text } from './text.ts';

export interface Screen {
  path: string;
  nav: string | null;
  permissions: string[];
  Component: ComponentType;
  /** The menu entry stays marked on the screens under its address (a section with its own menu). */
  section?: boolean;
}

export const screens: Screen[] = [
  {
    path: '/board',
    nav: text.nav.board,
    permissions: ['work_order.read_all', 'work_order.read_assigned'],
    Component: BoardPage,
  },
  { path: '/visit/new', nav: text.nav.newVisit, permissions: ['work_order.open'], Component: NewVisitPage },
  {
    path: '/orders/:orderId',
    nav: null,
    permissions: ['work_order.read_all', 'work_order.read_assigned'],
    Component: OrderCardPage,
  },
  { path: '/cashier', nav: text.nav.cashier, permissions: ['invoice.record_payment', 'invoice.issue'], Component: CashierPage },
  { path: '/cashier/debtors', nav: text.nav.debtors, permissions: ['invoice.read'], Component: DebtorsPage },
  // The store: one menu entry; its screens link to each other (stock/ui.tsx's StockNav).
  { path: '/stock', nav: text.nav.stock, permissions: ['stock.read'], Component: StockPage, section: true },
  { path: '/stock/parts', nav: null, permissions: ['part.read'], Component: PartsPage },
  { path: '/stock/purchasing', nav: null, permissions: ['purchase_order.read'], Component: PurchasingPage },
  { path: '/stock/count', nav: null, permissions: ['stock.count'], Component: CountPage },
  { path: '/stock/movements/:partId', nav: null, permissions: ['stock.read'], Component: MovementsPage },
  { path: '/stock/margin', nav: null, permissions: ['stock.read_costs'], Component: MarginPage },
  // Planning: the planner and the booking form link to each other (planning/ui.tsx's PlanningNav).
  { path: '/planning', nav: text.nav.planning, permissions: ['planning.read'], Component: PlannerPage, section: true },
  { path: '/planning/book', nav: null, permissions: ['appointment.book'], Component: BookingPage },
  { path: '/my-jobs', nav: text.nav.myJobs, permissions: ['timesheet.clock'], Component: MyJobsPage },
  { path: '/figures', nav: text.nav.figures, permissions: ['reports.read'], Component: FiguresPage },
  // Управление: settings, staff, directories, the service catalogue and roles link to each other
  // (owner/ui.tsx's OwnerNav); `/settings/roles` is the roles editor's.
  {
    path: '/settings',
    nav: text.nav.owner,
    permissions: OWNER_SECTION_PERMISSIONS,
    Component: SettingsPage,
    section: true,
  },
  { path: '/staff', nav: null, permissions: ['staff.read'], Component: StaffPage },
  { path: '/settings/directories', nav: null, permissions: ['directory.edit'], Component: DirectoriesPage },
  { path: '/settings/catalogue', nav: null, permissions: ['catalogue.edit'], Component: CataloguePage },
  { path: '/settings/roles', nav: null, permissions: ['role.read'], Component: RolesPage },
  {
    path: '/settings/notifications',
    nav: null,
    permissions: ['settings.edit_requisites'],
    Component: NotificationsPage,
  },
  { path: '/reports', nav: text.nav.reports, permissions: ['reports.read'], Component: ReportsPage },
  // The auditor's screen: find a record, then its history and its state at any instant (read-only).
  { path: '/audit', nav: text.nav.audit, permissions: ['history.read'], Component: AuditPage, section: true },
  { path: '/audit/:kind/:id', nav: null, permissions: ['history.read'], Component: AuditRecordPage },
];
