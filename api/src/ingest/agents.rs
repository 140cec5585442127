//! `upsertAgents`: create or update agents by external id. Unlike the other
//! ingest mutations, bad input refuses the whole request (INGEST.md).

use super::input::AgentInput;
use super::validate as check;
use super::{Writers, begin, check_batch_size, commit};
use crate::db::Db;
use crate::domain::TenantId;
use crate::error::ApiResult;
use chrono::Utc;
use entity::agent;
use entity::enums::AgentKind;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Creates or updates the agents, returning them in input order (an
/// external id given twice: the later item wins).
pub async fn upsert(
    db: &Db,
    tenant: TenantId,
    items: Vec<AgentInput>,
) -> ApiResult<Vec<agent::Model>> {
    check_batch_size("agents", items.len())?;
    for (i, a) in items.iter().enumerate() {
        check::id(&format!("agents[{i}].externalId"), &a.external_id)?;
        check::check_len(&format!("agents[{i}].name"), &a.name, 1, check::MAX_SHORT)?;
        check::short(&format!("agents[{i}].language"), a.language.as_deref())?;
    }
    let order: Vec<String> = items.iter().map(|a| a.external_id.clone()).collect();
    let latest: BTreeMap<String, AgentInput> = items
        .into_iter()
        .map(|a| (a.external_id.clone(), a))
        .collect();
    let now = Utc::now();
    let (txn, _gate) = begin(db, tenant.uuid(), Writers::Exclusive).await?;
    let rows: Vec<agent::ActiveModel> = latest
        .values()
        .map(|a| agent::ActiveModel {
            tenant_id: Set(tenant.uuid()),
            id: Set(Uuid::now_v7()),
            external_id: Set(a.external_id.clone()),
            name: Set(a.name.clone()),
            kind: Set(a.kind.unwrap_or(AgentKind::Ai)),
            language: Set(a.language.clone()),
            active: Set(true),
            config: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(200) {
        agent::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([agent::Column::TenantId, agent::Column::ExternalId])
                    .update_columns([
                        agent::Column::Name,
                        agent::Column::Kind,
                        agent::Column::Language,
                        agent::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    let stored = agent::Entity::find()
        .filter(agent::Column::TenantId.eq(tenant.uuid()))
        .filter(agent::Column::ExternalId.is_in(latest.keys().map(String::as_str)))
        .order_by_asc(agent::Column::ExternalId)
        .all(&txn)
        .await?;
    commit(txn, tenant.uuid(), Writers::Exclusive).await?;
    let by_ext: BTreeMap<&str, &agent::Model> =
        stored.iter().map(|a| (a.external_id.as_str(), a)).collect();
    Ok(order
        .iter()
        .filter_map(|ext| by_ext.get(ext.as_str()).map(|a| (*a).clone()))
        .collect())
}
