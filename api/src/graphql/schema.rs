//! `build_schema()`: the roots, limits and shared data of the GraphQL schema.

use super::mutation::Mutation;
use super::query::Query;
use crate::config::ServerConfig;
use crate::db::Db;
use crate::read::page::PageLimits;
use async_graphql::{EmptySubscription, Schema};

/// callboard's GraphQL schema type.
pub type CallboardSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with the request limits of `config`. Run requests
/// through `loaders::execute`, which gives each its batch loaders.
pub fn build_schema(db: Option<Db>, config: &ServerConfig) -> CallboardSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .data(PageLimits {
            default_size: 50,
            max_size: config.max_page_size,
        });
    if let Some(db) = db {
        builder = builder.data(db);
    }
    builder.finish()
}

/// The SDL of the schema, as exported to `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &ServerConfig::for_tests()).sdl()
}
