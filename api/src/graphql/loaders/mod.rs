//! DataLoaders: one per (value, key). Every key carries its tenant, so a
//! batch never mixes tenants.

mod kpi;

pub use kpi::{KpisByMemberLoader, MemberKpisKey};
