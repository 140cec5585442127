//! `createTenant` (operator), `createApiKey`, `revokeApiKey` (ADMIN scope).

use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::types::{ApiKey, CreateApiKeyPayload, CreateTenantPayload};
use crate::tenant::{self as service, NewApiKey, NewTenant};
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::enums::ApiKeyScope;

/// A tenant to create.
#[derive(InputObject)]
pub struct CreateTenantInput {
    pub name: String,
    /// IANA time zone, e.g. `Asia/Kolkata`.
    pub timezone: String,
    /// ISO 3166-1 alpha-2; default "IN".
    pub default_country: Option<String>,
    /// Default 1.
    pub credits_per_minute: Option<i32>,
}

/// An API key to create.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    pub name: String,
    pub scopes: Vec<ApiKeyScope>,
    /// Restrict the key to registered documents; default false.
    #[graphql(default = false)]
    pub persisted_only: bool,
}

#[derive(Default)]
pub struct TenantMutation;

#[Object]
impl TenantMutation {
    /// Creates a tenant and its first API key (operator secret only).
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: CreateTenantInput,
    ) -> Result<CreateTenantPayload> {
        ctx.auth()?.require_operator()?;
        let new = NewTenant {
            name: input.name,
            timezone: input.timezone,
            default_country: input.default_country,
            credits_per_minute: input.credits_per_minute,
        };
        let (tenant, key) = service::create_tenant(ctx.db()?.conn(), new).await?;
        Ok(CreateTenantPayload {
            tenant: tenant.into(),
            api_key: key.key.into(),
            api_key_secret: key.secret,
        })
    }

    /// Creates an API key for the caller's tenant (ADMIN scope).
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let tenant = ctx.tenant(ApiKeyScope::Admin)?;
        let new = NewApiKey {
            name: input.name,
            scopes: input.scopes,
            persisted_only: input.persisted_only,
        };
        let created = service::create_api_key(ctx.db()?.conn(), tenant, new).await?;
        Ok(CreateApiKeyPayload {
            api_key: created.key.into(),
            secret: created.secret,
        })
    }

    /// Revokes one of the tenant's keys at once (ADMIN scope). Revoking a
    /// revoked key changes nothing; another tenant's key is NOT_FOUND.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let tenant = ctx.tenant(ApiKeyScope::Admin)?;
        let key_id =
            GlobalId::decode_as(&id, NodeKind::ApiKey).ok_or(ApiError::NotFound("api key"))?;
        Ok(service::revoke_api_key(ctx.db()?.conn(), tenant, key_id)
            .await?
            .into())
    }
}
