//! `tenants(range)`: every tenant with its usage (operator secret only).

use crate::graphql::ContextExt;
use crate::graphql::types::{TenantUsage, TimeRangeInput};
use crate::kpi::report::Range;
use crate::tenant as service;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct OperatorQuery;

#[Object]
impl OperatorQuery {
    /// Every tenant, oldest first, with its calls, billed minutes and
    /// credits over calls initiated in `[range.from, range.to)`, counted as
    /// `kpis` counts them.
    async fn tenants(&self, ctx: &Context<'_>, range: TimeRangeInput) -> Result<Vec<TenantUsage>> {
        ctx.auth()?.require_operator()?;
        let range = Range::new(range.from, range.to)?;
        let usage = service::usage(ctx.db()?, range).await?;
        Ok(usage
            .into_iter()
            .map(|u| TenantUsage {
                tenant: u.tenant.into(),
                total_calls: u.calls,
                billed_minutes: u.billed_minutes,
                credits: u.credits,
            })
            .collect())
    }
}
