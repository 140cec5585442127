//! Persisted documents: a per-tenant registry of trusted documents and the
//! Automatic Persisted Queries cache, both keyed by the SHA-256 of the exact
//! document text and stored in the database (shared by every replica) with
//! an in-process cache in front.

pub mod split;

use crate::domain::TenantId;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use entity::persisted_document;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// Most documents kept in the in-process cache.
const CACHE_SIZE: usize = 4096;

/// Lower-case hex SHA-256 of a document's exact text.
pub fn sha256_hex(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The names of a document's operations; `BAD_USER_INPUT` when it does not parse.
pub fn operation_names(field: &str, document: &str) -> ApiResult<Vec<String>> {
    let parsed = async_graphql::parser::parse_query(document)
        .map_err(|e| ApiError::invalid(field, e.to_string()))?;
    let names = match parsed.operations {
        async_graphql::parser::types::DocumentOperations::Single(_) => Vec::new(),
        async_graphql::parser::types::DocumentOperations::Multiple(ops) => {
            ops.keys().map(|n| n.to_string()).collect()
        }
    };
    Ok(names)
}

/// A document found by its hash.
#[derive(Debug, Clone)]
pub struct Found {
    pub document: String,
    pub trusted: bool,
}

/// The registry with its cache.
#[derive(Default)]
pub struct Registry {
    cache: Mutex<HashMap<(Uuid, String), Found>>,
}

impl Registry {
    fn remember(&self, tenant: Uuid, sha256: &str, found: &Found) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_SIZE {
                cache.clear();
            }
            cache.insert((tenant, sha256.to_owned()), found.clone());
        }
    }

    /// The tenant's document with this hash, if registered or cached.
    pub async fn find<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: TenantId,
        sha256: &str,
    ) -> ApiResult<Option<Found>> {
        let key = (tenant.uuid(), sha256.to_owned());
        // Only trusted documents are cached: an APQ entry may be promoted later.
        if let Some(found) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(Some(found));
        }
        let row = persisted_document::Entity::find_by_id((tenant.uuid(), sha256.to_owned()))
            .one(db)
            .await?;
        let found = row.map(|r| Found {
            document: r.document,
            trusted: r.trusted,
        });
        if let Some(f) = found.as_ref().filter(|f| f.trusted) {
            self.remember(tenant.uuid(), sha256, f);
        }
        Ok(found)
    }

    /// Stores a document sent with its hash (APQ registration).
    pub async fn cache_apq<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: TenantId,
        sha256: &str,
        document: &str,
    ) -> ApiResult<()> {
        let row = persisted_document::ActiveModel {
            tenant_id: Set(tenant.uuid()),
            sha256: Set(sha256.to_owned()),
            document: Set(document.to_owned()),
            operation_names: Set(serde_json::json!(
                operation_names("query", document).unwrap_or_default()
            )),
            trusted: Set(false),
            created_at: Set(Utc::now()),
        };
        persisted_document::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    persisted_document::Column::TenantId,
                    persisted_document::Column::Sha256,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        Ok(())
    }

    /// Registers trusted documents; returns each one's id (`sha256:<hex>`)
    /// and operation names. A document that does not parse refuses the whole
    /// request.
    pub async fn register<C: ConnectionTrait>(
        &self,
        db: &C,
        tenant: TenantId,
        documents: &[String],
    ) -> ApiResult<Vec<(String, Vec<String>)>> {
        let mut out = Vec::with_capacity(documents.len());
        let mut rows = Vec::with_capacity(documents.len());
        for (i, document) in documents.iter().enumerate() {
            let names = operation_names(&format!("documents[{i}]"), document)?;
            let sha256 = sha256_hex(document);
            rows.push(persisted_document::ActiveModel {
                tenant_id: Set(tenant.uuid()),
                sha256: Set(sha256.clone()),
                document: Set(document.clone()),
                operation_names: Set(serde_json::json!(names)),
                trusted: Set(true),
                created_at: Set(Utc::now()),
            });
            out.push((format!("sha256:{sha256}"), names));
        }
        for chunk in rows.chunks(200) {
            persisted_document::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        persisted_document::Column::TenantId,
                        persisted_document::Column::Sha256,
                    ])
                    .update_column(persisted_document::Column::Trusted)
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_named_by_the_sha256_of_their_exact_text() {
        assert_eq!(
            sha256_hex("{ tenant { name } }"),
            sha256_hex("{ tenant { name } }")
        );
        assert_ne!(
            sha256_hex("{ tenant { name } }"),
            sha256_hex("{ tenant { name }}")
        );
        assert_eq!(sha256_hex("").len(), 64);
    }

    #[test]
    fn operation_names_come_from_the_document() {
        assert_eq!(
            operation_names("d", "query A { a } query B { b }")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(operation_names("d", "{ a }").unwrap(), Vec::<String>::new());
        assert_eq!(
            operation_names("d", "query {").unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }
}
