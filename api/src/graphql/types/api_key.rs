//! `ApiKey`: an integration credential (never its secret or hash).

use super::DateTimeUtc;
use crate::domain::{GlobalId, NodeKind};
use async_graphql::{ID, SimpleObject};
use entity::api_key;
use entity::enums::ApiKeyScope;

/// A tenant credential for integrations.
#[derive(SimpleObject)]
pub struct ApiKey {
    pub id: ID,
    pub name: String,
    pub scopes: Vec<ApiKeyScope>,
    /// The key may run registered (persisted) documents only.
    pub persisted_only: bool,
    pub created_at: DateTimeUtc,
    /// Last use, recorded at most once a minute.
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

impl From<api_key::Model> for ApiKey {
    fn from(k: api_key::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::ApiKey, k.id).encode()),
            name: k.name,
            scopes: k.scopes.0,
            persisted_only: k.persisted_only,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key with its secret.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The secret. Shown only now; store it safely.
    pub secret: String,
}
