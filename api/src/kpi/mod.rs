//! The KPI engine (KPIS.md): metric definitions over counters, time buckets
//! in any zone, rollup upkeep on the write path, rollup reads, and rollup
//! rebuild/verification. No GraphQL here; `graphql/` maps it to the API.

pub mod buckets;
pub mod counters;
pub mod query;
pub mod rebuild;
pub mod report;
pub mod upkeep;

pub use buckets::Granularity;
pub use counters::Counters;
pub use query::{Dimension, GroupKey, KpiFilter, aggregate};

/// Time zones of tenants seen by this process. A tenant's zone is fixed
/// when it is created, so entries never go stale.
static ZONES: std::sync::LazyLock<
    std::sync::RwLock<std::collections::HashMap<uuid::Uuid, chrono_tz::Tz>>,
> = std::sync::LazyLock::new(Default::default);

/// Notes the zone of a tenant row read anyway (credential checks read it on
/// every request), so KPI reads need no query of their own for it.
pub fn remember_zone(tenant: &entity::tenant::Model) {
    if let (Ok(zone), Ok(mut zones)) = (zone_of(tenant), ZONES.write()) {
        zones.insert(tenant.id, zone);
    }
}

/// The time zone whose days the daily rollups of `tenant` hold: the
/// tenant's own, fixed when it is created.
pub async fn rollup_zone<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: uuid::Uuid,
) -> anyhow::Result<chrono_tz::Tz> {
    use anyhow::Context;
    use sea_orm::EntityTrait;
    if let Some(zone) = ZONES.read().ok().and_then(|z| z.get(&tenant).copied()) {
        return Ok(zone);
    }
    let tenant_row = entity::tenant::Entity::find_by_id(tenant)
        .one(db)
        .await
        .context("reading the tenant's time zone")?
        .context("no such tenant")?;
    remember_zone(&tenant_row);
    zone_of(&tenant_row)
}

/// The time zone of a tenant row.
pub fn zone_of(tenant: &entity::tenant::Model) -> anyhow::Result<chrono_tz::Tz> {
    tenant
        .timezone
        .parse()
        .map_err(|_| anyhow::anyhow!("tenant time zone `{}` is unknown", tenant.timezone))
}
