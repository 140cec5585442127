//! Exact response cache: a read answered once is answered again from memory
//! until the tenant's data changes.
//!
//! Every tenant write transaction bumps `tenants.data_version`
//! (`Db::begin_tenant_write`), and the credential check reads the tenant row
//! anyway, so each request knows the version of its tenant's data at no
//! extra cost. An answer is stored under that version together with
//! everything else that shapes it: the credential (so two credentials
//! never share answers, whatever their roles or scopes), the document, the
//! operation name, the variables and the response media type. A write makes
//! a new version, so no request ever sees an answer older than the data it
//! could read itself; superseded answers simply age out of the bounded
//! memory.
//!
//! Only queries whose root fields read tenant data are cached (not `me`,
//! `users`, `apiKeys`, `auditLog` or the operator's `tenants`, whose rows
//! change without a data write), and only answers without errors.

use super::wire::{Encoded, MediaType};
use crate::auth::{AuthContext, Principal, role_name};
use uuid::Uuid;

/// Root query fields whose answers depend only on tenant data.
const CACHEABLE_ROOT_FIELDS: [&str; 16] = [
    "__typename",
    "tenant",
    "node",
    "agents",
    "agent",
    "campaigns",
    "campaign",
    "contacts",
    "contact",
    "calls",
    "call",
    "followUps",
    "followUp",
    "kpis",
    "kpiSeries",
    "kpiBreakdown",
];

/// Whether a query selecting these root fields may be cached.
pub fn cacheable_root_field(name: &str) -> bool {
    CACHEABLE_ROOT_FIELDS.contains(&name)
}

/// Who asks: answers are never shared between credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Asker {
    ApiKey(Uuid),
    User(Uuid, &'static str, Option<Uuid>),
}

/// Everything an answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    tenant: Uuid,
    data_version: i64,
    asker: Asker,
    media: MediaType,
    query: String,
    operation_name: Option<String>,
    variables: String,
}

impl Key {
    /// The key of a request, or `None` when its answer must not be cached
    /// (no tenant credential, or no data version known).
    pub fn of(
        auth: &AuthContext,
        media: MediaType,
        request: &async_graphql::Request,
    ) -> Option<Self> {
        let data_version = auth.data_version()?;
        let (tenant, asker) = match &auth.principal {
            Principal::ApiKey(key) => (key.tenant.uuid(), Asker::ApiKey(key.key_id)),
            Principal::User(user) => (
                user.tenant.uuid(),
                Asker::User(user.user_id, role_name(user.role), user.agent_id),
            ),
            _ => return None,
        };
        Some(Self {
            tenant,
            data_version,
            asker,
            media,
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        })
    }
}

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<Key, Encoded> for Weigh {
    fn weight(&self, key: &Key, answer: &Encoded) -> u64 {
        (key.query.len() + key.variables.len() + answer.body.len() + 128) as u64
    }
}

/// Answers by key, bounded by their total size in bytes.
pub struct ResponseCache(Option<quick_cache::sync::Cache<Key, Encoded, Weigh>>);

impl ResponseCache {
    /// A cache holding up to `bytes` of answers; 0 turns caching off.
    pub fn new(bytes: u64) -> Self {
        Self((bytes > 0).then(|| {
            // Sized for answers of about 16 KiB on average.
            let items = usize::try_from(bytes / 16_384)
                .unwrap_or(usize::MAX)
                .max(16);
            quick_cache::sync::Cache::with_weighter(items, bytes, Weigh)
        }))
    }

    /// Whether caching is on.
    pub fn enabled(&self) -> bool {
        self.0.is_some()
    }

    pub fn get(&self, key: &Key) -> Option<Encoded> {
        self.0.as_ref()?.get(key)
    }

    pub fn insert(&self, key: Key, answer: Encoded) {
        if let Some(cache) = &self.0 {
            cache.insert(key, answer);
        }
    }
}
