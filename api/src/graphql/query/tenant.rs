//! `tenant`, `apiKeys`: the caller's own tenant.

use crate::auth::Capability;
use crate::graphql::ContextExt;
use crate::graphql::types::{ApiKey, Tenant};
use crate::tenant as service;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// The tenant of the calling credential.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Tenant> {
        let tenant = ctx.tenant(Capability::ReadCalls)?;
        Ok(service::find_tenant(ctx.db()?.conn(), tenant).await?.into())
    }

    /// The tenant's API keys, newest first (ADMIN scope).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let tenant = ctx.tenant(Capability::Admin)?;
        let keys = service::list_api_keys(ctx.db()?.conn(), tenant).await?;
        Ok(keys.into_iter().map(ApiKey::from).collect())
    }
}
