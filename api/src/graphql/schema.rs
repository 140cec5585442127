//! `build_schema()`: the roots, limits and shared data of the GraphQL schema.

use super::loaders::KpisByMemberLoader;
use super::mutation::Mutation;
use super::query::Query;
use crate::config::ServerConfig;
use crate::db::Db;
use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, Schema};

/// callboard's GraphQL schema type.
pub type CallboardSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with the request limits of `config`.
pub fn build_schema(db: Option<Db>, config: &ServerConfig) -> CallboardSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity);
    if let Some(db) = db {
        // Loaders without a cache: shared by all requests, they batch within
        // one request and never serve one request's numbers to another.
        builder = builder
            .data(DataLoader::new(
                KpisByMemberLoader { db: db.clone() },
                tokio::spawn,
            ))
            .data(db);
    }
    builder.finish()
}

/// The SDL of the schema, as exported to `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &ServerConfig::for_tests()).sdl()
}
