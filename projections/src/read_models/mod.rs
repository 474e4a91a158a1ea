//! The PostgreSQL read models: each module is one [`Projection`](crate::Projection), its tables
//! written in the same transaction as its checkpoint (exactly once).
//!
//! `history` is the exception that proves the room: the log itself is the history's read model, and
//! the module only words it.

pub mod analytics;
pub mod attachments;
pub mod cards;
pub mod clients;
pub mod history;
pub mod invoices;
pub mod parts_margin;
pub mod planning;
pub mod planning_capacity;
pub mod reference_data;
pub mod stock;
pub mod timesheets;
pub mod vehicles;
pub mod work_orders;
