//! `createTenant`, `suspendTenant`, `resumeTenant` (operator),
//! `createApiKey`, `revokeApiKey` (Admin; both audited).

use crate::audit;
use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::types::{ApiKey, CreateApiKeyPayload, CreateTenantPayload, Tenant};
use crate::tenant::{self as service, NewApiKey, NewTenant};
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::enums::{ApiKeyScope, AuditAction};

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
        let access = ctx.access(Capability::Admin)?;
        let new = NewApiKey {
            name: input.name,
            scopes: input.scopes,
            persisted_only: input.persisted_only,
        };
        let (txn, _gate) = ctx
            .db()?
            .begin_tenant_write(access.tenant.uuid())
            .await
            .map_err(ApiError::from)?;
        let created = service::create_api_key(&txn, access.tenant, new).await?;
        audit::record(
            &txn,
            access.tenant,
            access.actor,
            AuditAction::ApiKeyCreated,
            Some(GlobalId::new(NodeKind::ApiKey, created.key.id).encode()),
            serde_json::json!({ "name": created.key.name, "scopes": created.key.scopes.0 }),
        )
        .await?;
        txn.commit().await.map_err(ApiError::from)?;
        Ok(CreateApiKeyPayload {
            api_key: created.key.into(),
            secret: created.secret,
        })
    }

    /// Revokes one of the tenant's keys at once (ADMIN scope). Revoking a
    /// revoked key changes nothing; another tenant's key is NOT_FOUND.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let access = ctx.access(Capability::Admin)?;
        let key_id =
            GlobalId::decode_as(&id, NodeKind::ApiKey).ok_or(ApiError::NotFound("api key"))?;
        let started = chrono::Utc::now();
        let (txn, _gate) = ctx
            .db()?
            .begin_tenant_write(access.tenant.uuid())
            .await
            .map_err(ApiError::from)?;
        let key = service::revoke_api_key(&txn, access.tenant, key_id).await?;
        // Revoking a revoked key changes nothing, and is not audited again.
        if key.revoked_at.is_some_and(|at| at >= started) {
            audit::record(
                &txn,
                access.tenant,
                access.actor,
                AuditAction::ApiKeyRevoked,
                Some(id.to_string()),
                serde_json::json!({ "name": key.name }),
            )
            .await?;
        }
        txn.commit().await.map_err(ApiError::from)?;
        Ok(key.into())
    }

    /// Suspends a tenant (operator secret only): from the next request on,
    /// its API keys and its users' tokens are refused. Idempotent.
    async fn suspend_tenant(&self, ctx: &Context<'_>, id: ID) -> Result<Tenant> {
        ctx.auth()?.require_operator()?;
        let id = GlobalId::decode_as(&id, NodeKind::Tenant).ok_or(ApiError::NotFound("tenant"))?;
        Ok(service::set_active(ctx.db()?.conn(), id, false)
            .await?
            .into())
    }

    /// Resumes a suspended tenant (operator secret only). Idempotent.
    async fn resume_tenant(&self, ctx: &Context<'_>, id: ID) -> Result<Tenant> {
        ctx.auth()?.require_operator()?;
        let id = GlobalId::decode_as(&id, NodeKind::Tenant).ok_or(ApiError::NotFound("tenant"))?;
        Ok(service::set_active(ctx.db()?.conn(), id, true)
            .await?
            .into())
    }
}
