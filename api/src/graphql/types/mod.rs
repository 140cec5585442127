//! GraphQL object types, mapped from entity rows (never the rows themselves,
//! so a new column is never exposed by accident).

mod agent;
mod api_key;
mod campaign;
mod kpi;
mod scalars;
mod tenant;

pub use agent::Agent;
pub use api_key::{ApiKey, CreateApiKeyPayload};
pub use campaign::Campaign;
pub use kpi::{
    Granularity, KpiDimension, KpiFilterInput, KpiGroup, KpiPoint, Kpis, TimeRangeInput,
};
pub use scalars::DateTimeUtc;
pub use tenant::{CreateTenantPayload, Tenant};
