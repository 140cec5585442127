//! callboard's integration tests: one binary, every test on SQLite and on
//! PostgreSQL (see `helpers.rs` for how PostgreSQL is found or skipped).

#[macro_use]
mod helpers;

mod auth;
mod contract;
mod guardrails;
mod http_conformance;
mod ingest;
mod ingest_import;
mod ingest_order;
mod isolation;
mod kpi;
mod kpi_exact;
mod observability;
mod persisted;
mod read_call_filters;
mod read_calls;
mod read_directory;
mod read_fixtures;
mod read_paging;
mod read_relations;
mod read_statements;
mod read_tenancy;
mod response_cache;
mod rls;
mod roles;
mod schema;
mod server;
mod tenancy;
mod users;
