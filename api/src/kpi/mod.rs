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
