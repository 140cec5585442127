//! callboard's integration tests: one binary, every test on SQLite and on
//! PostgreSQL (see `helpers.rs` for how PostgreSQL is found or skipped).

#[macro_use]
mod helpers;

mod auth;
mod contract;
mod ingest;
mod ingest_import;
mod ingest_order;
mod kpi;
mod kpi_exact;
mod schema;
mod server;
mod tenancy;
