//! `campaigns`, `campaign(id)`: the tenant's campaigns.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::CampaignByIdLoader;
use crate::graphql::types::{
    Campaign, CampaignConnection, CampaignFilterInput, Count, by_id, connection, page_request,
};
use crate::read::cursor::List;
use crate::read::directory::{self, CAMPAIGN_ORDER, CampaignFilter, campaign_cursor};
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// The tenant's campaigns by name (then id).
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CampaignFilterInput>,
    ) -> Result<CampaignConnection> {
        let tenant = ctx.tenant(Capability::Read)?;
        let page = page_request(ctx, List::Campaigns, first, after, last, before)?;
        let filter = CampaignFilter::from(filter.unwrap_or_default());
        let select = directory::campaigns(tenant, &filter);
        let rows = CAMPAIGN_ORDER
            .page(ctx.db()?.conn(), select, &page)
            .await
            .map_err(ApiError::from)?;
        let count = Count::Campaigns(tenant, filter);
        Ok(connection(rows, campaign_cursor, Campaign::from, count))
    }

    /// One campaign of the tenant; null for any other id.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Campaign>> {
        ctx.tenant(Capability::Read)?;
        let id = GlobalId::decode_as(&id, NodeKind::Campaign);
        Ok(by_id::<CampaignByIdLoader>(ctx, id)
            .await?
            .map(Campaign::from))
    }
}
