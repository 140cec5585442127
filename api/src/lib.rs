//! callboard: a multi-tenant GraphQL analytics backend for AI voice-calling
//! platforms. This crate holds everything but `main`: the CLI commands, the
//! server, the GraphQL schema, auth, the ingest write path and the demo.

pub mod audit;
pub mod auth;
pub mod bench_data;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod follow_up;
pub mod graphql;
pub mod http;
pub mod import;
pub mod ingest;
pub mod kpi;
pub mod note;
pub mod persisted;
pub(crate) mod pg_array;
pub mod read;
pub mod startup;
pub mod telemetry;
pub mod tenant;
pub mod user;

pub use cli::run;
pub use startup::Application;
