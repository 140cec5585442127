//! `registerPersistedDocuments` (ADMIN scope): the tenant's trusted documents.

use crate::auth::Capability;
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::persisted::Registry;
use async_graphql::{Context, Object, Result, SimpleObject};
use std::sync::Arc;

/// A registered document.
#[derive(SimpleObject)]
pub struct PersistedDocument {
    /// `sha256:<hex of the exact text>`: send it as `documentId`, or its hex
    /// as the APQ `sha256Hash`.
    pub id: String,
    /// The names of the document's operations.
    pub operation_names: Vec<String>,
}

#[derive(Default)]
pub struct PersistedMutation;

#[Object]
impl PersistedMutation {
    /// Registers documents (each by the SHA-256 of its exact text) that the
    /// tenant's keys may run by id; `persistedOnly` keys may run only these.
    /// Registering a document again changes nothing.
    async fn register_persisted_documents(
        &self,
        ctx: &Context<'_>,
        documents: Vec<String>,
    ) -> Result<Vec<PersistedDocument>> {
        let tenant = ctx.tenant(Capability::Admin)?;
        if documents.len() > 1000 {
            return Err(ApiError::invalid("documents", "at most 1000 per request").into());
        }
        let registry = ctx.data::<Arc<Registry>>()?;
        let registered = registry
            .register(ctx.db()?.conn(), tenant, &documents)
            .await?;
        Ok(registered
            .into_iter()
            .map(|(id, operation_names)| PersistedDocument {
                id,
                operation_names,
            })
            .collect())
    }
}
