//! Query roots, one per area, merged.

mod kpi;
mod tenant;

use async_graphql::MergedObject;

/// The query root.
#[derive(MergedObject, Default)]
pub struct Query(tenant::TenantQuery, kpi::KpiQuery);
