//! `contacts`, `contact(id)`: the people the tenant's calls reach.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::ContactByIdLoader;
use crate::graphql::types::{
    Contact, ContactConnection, ContactFilterInput, Count, by_id, connection, page_request,
};
use crate::read::cursor::List;
use crate::read::directory::{self, CONTACT_ORDER, contact_cursor};
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct ContactQuery;

#[Object]
impl ContactQuery {
    /// The tenant's contacts, newest first (then by id).
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ContactFilterInput>,
    ) -> Result<ContactConnection> {
        let tenant = ctx.tenant(Capability::Read)?;
        let page = page_request(ctx, List::Contacts, first, after, last, before)?;
        let filter = filter.unwrap_or_default().resolve(ctx, tenant).await?;
        let select = directory::contacts(tenant, &filter);
        let rows = CONTACT_ORDER
            .page(ctx.db()?.conn(), select, &page)
            .await
            .map_err(ApiError::from)?;
        let count = Count::Contacts(tenant, filter);
        Ok(connection(rows, contact_cursor, Contact::from, count))
    }

    /// One contact of the tenant; null for any other id.
    async fn contact(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Contact>> {
        ctx.tenant(Capability::Read)?;
        let id = GlobalId::decode_as(&id, NodeKind::Contact);
        Ok(by_id::<ContactByIdLoader>(ctx, id)
            .await?
            .map(Contact::from))
    }
}
