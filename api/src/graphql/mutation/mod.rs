//! Mutation roots, one per area, merged.

mod ingest;
mod note;
mod persisted;
mod tenant;
mod user;

use async_graphql::MergedObject;

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(
    tenant::TenantMutation,
    user::UserMutation,
    ingest::IngestMutation,
    note::NoteMutation,
    persisted::PersistedMutation,
);
