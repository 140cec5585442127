//! `Tenant`: the calling company, as its own credentials see it.

use super::{ApiKey, DateTimeUtc};
use crate::domain::{GlobalId, NodeKind};
use async_graphql::{ID, Json, SimpleObject};
use entity::tenant;

/// A company using callboard.
#[derive(SimpleObject)]
pub struct Tenant {
    pub id: ID,
    pub name: String,
    /// IANA time zone used for KPI buckets unless a query names another.
    pub timezone: String,
    /// ISO 3166-1 alpha-2 country for national phone numbers.
    pub default_country: String,
    /// Credits charged per billed minute.
    pub credits_per_minute: i32,
    pub active: bool,
    pub settings: Json<serde_json::Value>,
    pub created_at: DateTimeUtc,
}

impl From<tenant::Model> for Tenant {
    fn from(t: tenant::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::Tenant, t.id).encode()),
            name: t.name,
            timezone: t.timezone,
            default_country: t.default_country,
            credits_per_minute: t.credits_per_minute,
            active: t.active,
            settings: Json(t.settings),
            created_at: t.created_at,
        }
    }
}

/// A new tenant with its first API key.
#[derive(SimpleObject)]
pub struct CreateTenantPayload {
    pub tenant: Tenant,
    /// The first key, with scopes READ, INGEST and ADMIN.
    pub api_key: ApiKey,
    /// The key's secret. Shown only now; store it safely.
    pub api_key_secret: String,
}
