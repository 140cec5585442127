//! Tenants and their API keys: creation, lookup, revocation.

use crate::auth::api_key;
use crate::domain::{Country, GlobalId, NodeKind, TenantId, TimeZone};
use crate::error::{ApiError, ApiResult};
use crate::ingest::validate::check_len;
use chrono::Utc;
use entity::enums::{ApiKeyScope, ApiKeyScopes, AuditAction};
use entity::{api_key as api_key_row, tenant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

/// What the operator sends to create a tenant.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: String,
    pub timezone: String,
    pub default_country: Option<String>,
    pub credits_per_minute: Option<i32>,
}

/// What a tenant admin sends to create a key.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<ApiKeyScope>,
    pub persisted_only: bool,
}

/// A created key with its secret, which is shown only this once.
pub struct CreatedApiKey {
    pub key: api_key_row::Model,
    pub secret: String,
}

/// Creates a tenant and its first API key (scopes READ, INGEST, ADMIN).
pub async fn create_tenant<C>(db: &C, input: NewTenant) -> ApiResult<(tenant::Model, CreatedApiKey)>
where
    C: ConnectionTrait + TransactionTrait,
{
    let name = input.name.trim().to_owned();
    check_len("name", &name, 1, 200)?;
    let timezone = TimeZone::parse("timezone", &input.timezone)?;
    let country = Country::parse(
        "defaultCountry",
        input.default_country.as_deref().unwrap_or("IN"),
    )?;
    let credits_per_minute = input.credits_per_minute.unwrap_or(1);
    if credits_per_minute < 0 {
        return Err(ApiError::invalid("creditsPerMinute", "must be 0 or more"));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let tenant = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        timezone: Set(timezone.name().to_owned()),
        default_country: Set(country.code().to_owned()),
        credits_per_minute: Set(credits_per_minute),
        active: Set(true),
        settings: Set(serde_json::json!({})),
        data_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let key = NewApiKey {
        name: "default".into(),
        scopes: vec![ApiKeyScope::Read, ApiKeyScope::Ingest, ApiKeyScope::Admin],
        persisted_only: false,
    };
    let created = create_api_key(&txn, TenantId::from_verified(tenant.id), key).await?;
    crate::audit::record(
        &txn,
        TenantId::from_verified(tenant.id),
        crate::auth::Actor::Operator,
        AuditAction::ApiKeyCreated,
        Some(GlobalId::new(NodeKind::ApiKey, created.key.id).encode()),
        serde_json::json!({ "name": created.key.name, "scopes": created.key.scopes.0 }),
    )
    .await?;
    txn.commit().await?;
    Ok((tenant, created))
}

/// Creates an API key for `tenant`.
pub async fn create_api_key<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    input: NewApiKey,
) -> ApiResult<CreatedApiKey> {
    let name = input.name.trim().to_owned();
    check_len("name", &name, 1, 200)?;
    let mut scopes = input.scopes;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(ApiError::invalid("scopes", "give at least one scope"));
    }
    let id = Uuid::now_v7();
    let secret = api_key::generate(tenant, id);
    let key = api_key_row::ActiveModel {
        tenant_id: Set(tenant.uuid()),
        id: Set(id),
        name: Set(name),
        scopes: Set(ApiKeyScopes(scopes)),
        secret_hash: Set(secret.hash),
        persisted_only: Set(input.persisted_only),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(CreatedApiKey {
        key,
        secret: secret.secret,
    })
}

/// Revokes key `id` of `tenant` (idempotent: a revoked key keeps its
/// original `revoked_at`). Another tenant's key is NOT_FOUND.
pub async fn revoke_api_key<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: Uuid,
) -> ApiResult<api_key_row::Model> {
    let key = api_key_row::Entity::find_by_id((tenant.uuid(), id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("api key"))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active = key.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(db).await?)
}

/// The tenant's row.
pub async fn find_tenant<C: ConnectionTrait>(db: &C, tenant: TenantId) -> ApiResult<tenant::Model> {
    tenant::Entity::find_by_id(tenant.uuid())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("tenant"))
}

/// The tenant's API keys, newest first.
pub async fn list_api_keys<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> ApiResult<Vec<api_key_row::Model>> {
    Ok(api_key_row::Entity::find()
        .filter(api_key_row::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(api_key_row::Column::CreatedAt)
        .order_by_desc(api_key_row::Column::Id)
        .all(db)
        .await?)
}

/// Every tenant, oldest first (operator views and the CLI).
pub async fn list_tenants<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<tenant::Model>> {
    Ok(tenant::Entity::find()
        .order_by_asc(tenant::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Suspends (`active = false`) or resumes a tenant for the operator. While
/// suspended, its keys and users' tokens are refused on the next request.
/// Idempotent; an unknown id is NOT_FOUND.
pub async fn set_active<C>(db: &C, id: Uuid, active: bool) -> ApiResult<tenant::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let row = tenant::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("tenant"))?;
    if row.active == active {
        return Ok(row);
    }
    let mut model = row.into_active_model();
    model.active = Set(active);
    model.updated_at = Set(Utc::now());
    let row = model.update(&txn).await?;
    let action = if active {
        AuditAction::TenantResumed
    } else {
        AuditAction::TenantSuspended
    };
    crate::audit::record(
        &txn,
        TenantId::from_verified(id),
        crate::auth::Actor::Operator,
        action,
        Some(GlobalId::new(NodeKind::Tenant, id).encode()),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A tenant's usage over a range: calls, billed minutes and credits, as
/// the KPI engine counts them (KPIS.md).
pub struct Usage {
    pub tenant: tenant::Model,
    pub calls: i64,
    pub billed_minutes: i64,
    pub credits: i64,
}

/// Every tenant with its usage over `range`, oldest tenant first. One KPI
/// read per tenant: the operator's view, not a hot path.
pub async fn usage(db: &crate::db::Db, range: crate::kpi::report::Range) -> ApiResult<Vec<Usage>> {
    use crate::kpi::counters::{CounterSet, c};
    let mut usage = Vec::new();
    for tenant in list_tenants(db.conn()).await? {
        let totals = crate::kpi::report::totals(
            db,
            tenant.id,
            range,
            &crate::kpi::KpiFilter::default(),
            CounterSet::of(&[c::BILLED, c::CREDITS]),
        )
        .await?;
        usage.push(Usage {
            calls: totals.value[c::TOTAL],
            billed_minutes: totals.value[c::BILLED],
            credits: totals.value[c::CREDITS],
            tenant,
        });
    }
    Ok(usage)
}

/// The tenant id of a tenant the operator names (CLI only).
pub fn operator_tenant_id(id: Uuid) -> TenantId {
    TenantId::from_verified(id)
}
