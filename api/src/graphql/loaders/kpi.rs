//! `KpisByMemberLoader`: `Agent.kpis` and `Campaign.kpis` for a whole page
//! in one read, whatever the page size.

use crate::db::Db;
use crate::kpi::counters::{CounterSet, Counters};
use crate::kpi::report::{Range, per_member};
use crate::kpi::{Dimension, KpiFilter};
use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// One agent's or campaign's KPIs over a range, under a filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberKpisKey {
    pub tenant: Uuid,
    pub dimension: Dimension,
    pub range: Range,
    pub filter: KpiFilter,
    /// The counters to read (the selection's).
    pub counters: CounterSet,
    pub id: Uuid,
}

/// Loads `MemberKpisKey`s, one read per (tenant, dimension, range, filter,
/// counters).
pub struct KpisByMemberLoader {
    pub db: Db,
}

impl Loader<MemberKpisKey> for KpisByMemberLoader {
    type Value = (Counters, DateTime<Utc>);
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MemberKpisKey],
    ) -> Result<HashMap<MemberKpisKey, Self::Value>, Self::Error> {
        type Read = (Uuid, Dimension, Range, KpiFilter, CounterSet);
        let mut groups: HashMap<Read, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((
                    key.tenant,
                    key.dimension,
                    key.range,
                    key.filter.clone(),
                    key.counters,
                ))
                .or_default()
                .push(key.id);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((tenant, dimension, range, filter, set), ids) in groups {
            let snapshot =
                per_member(&self.db, tenant, range, dimension, &filter, set, &ids).await?;
            for id in ids {
                let value = snapshot.value.get(&id).copied().unwrap_or_default();
                let key = MemberKpisKey {
                    tenant,
                    dimension,
                    range,
                    filter: filter.clone(),
                    counters: set,
                    id,
                };
                out.insert(key, (value, snapshot.as_of));
            }
        }
        Ok(out)
    }
}
