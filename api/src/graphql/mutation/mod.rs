//! Mutation roots, one per area, merged.

mod ingest;
mod persisted;
mod tenant;

use async_graphql::MergedObject;

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(
    tenant::TenantMutation,
    ingest::IngestMutation,
    persisted::PersistedMutation,
);
