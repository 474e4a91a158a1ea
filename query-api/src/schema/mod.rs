//! The GraphQL schema: the shop's screens as queries over the read models.
//!
//! One module per screen of the web app, each with its records, their loaders and its root fields:
//! [`me`] (the app shell), [`clients`] (clients and their cars), [`board`] (the work-order board),
//! [`order_card`] (a work order's card), [`cashier`] (invoices and payments), [`reference_data`]
//! (catalogue, settings, directories, roles, staff), [`search`], [`history`] (and
//! [`history_at`] and [`history_at_records`], a work order, client, vehicle or invoice as it was
//! after any event), [`reports`],
//! [`stock`] (parts, stock, suppliers, purchase orders, the margin report) and [`planning`] (the
//! days' capacity and load, appointments, bays, a mechanic's queue and timesheet), with
//! [`notifications`] (messages to clients, on the client's and the order's cards). The root
//! [`Query`] merges their root fields.
//!
//! Every root field and every guarded nested field checks the caller's permission itself
//! ([`crate::access`]); lists are filtered by the same rules (a mechanic's lists hold only the
//! orders assigned to them). The screens build on `access`, `paging`, `money`, `context` and
//! `loaders`; none of those knows a screen.

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject};

pub mod attachments;
pub mod board;
pub mod cashier;
pub mod clients;
pub mod history;
pub mod history_at;
pub mod history_at_records;
pub mod me;
pub mod notifications;
pub mod order_card;
pub mod planning;
pub mod reference_data;
pub mod reports;
pub mod search;
pub mod stock;

pub use crate::access::{Access, ROOT_FIELDS};

/// The query API's schema: queries only; changes go through the command API.
pub type MotorlogSchema = async_graphql::Schema<Query, EmptyMutation, EmptySubscription>;

// The root query. Not a doc comment: it would become the type's description in the SDL. The parts'
// order is the root fields' order in the SDL and in the web app's types generated from it;
// `workOrder` comes between the board's two fields, so the board gives two parts.
#[derive(MergedObject, Default)]
pub struct Query(
    me::MeQuery,
    clients::ClientsQuery,
    board::BoardQuery,
    order_card::OrderCardQuery,
    board::BoardSummaryQuery,
    cashier::CashierQuery,
    reference_data::ReferenceDataQuery,
    search::SearchQuery,
    history::HistoryQuery,
    history_at::HistoryAtQuery,
    history_at_records::HistoryAtRecordsQuery,
    reports::ReportsQuery,
    stock::StockQuery,
    planning::PlanningQuery,
);
