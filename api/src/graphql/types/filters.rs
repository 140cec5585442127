//! Filter inputs of the lists, checked and turned into the read side's
//! filters. Ids that are not the caller's (or not ids at all) match nothing
//! rather than failing, so a client cannot tell them apart.

use super::DateTimeUtc;
use crate::domain::{Country, GlobalId, NodeKind, PhoneE164, TenantId};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ContextExt;
use crate::graphql::loaders::TenantByIdLoader;
use crate::read::call_filter::CallFilter;
use crate::read::directory::{AgentFilter, CampaignFilter, ContactFilter, FollowUpFilter};
use async_graphql::{Context, ID, InputObject};
use entity::enums::{AgentKind, CallDirection, CallStatus, FollowUpStatus, LeadTag};
use uuid::Uuid;

/// Which calls to list. Fields combine with AND, list items with OR; an
/// empty list matches nothing.
#[derive(InputObject, Default)]
pub struct CallFilterInput {
    /// Calls initiated at or after this instant (calls whose initiation is
    /// not known yet never match a time bound).
    pub from: Option<DateTimeUtc>,
    /// Calls initiated before this instant; must be later than `from`.
    pub to: Option<DateTimeUtc>,
    pub statuses: Option<Vec<CallStatus>>,
    pub direction: Option<CallDirection>,
    pub agent_ids: Option<Vec<ID>>,
    pub campaign_ids: Option<Vec<ID>>,
    /// The contact's phone, in any form the tenant's country allows.
    pub contact_phone: Option<String>,
    /// Lead tags of the calls' effective analyses.
    pub lead_tags: Option<Vec<LeadTag>>,
    pub min_duration_seconds: Option<i64>,
    /// Calls carrying any of these tags.
    pub tags: Option<Vec<String>>,
}

/// The raw ids of `kind` among `ids`; anything else is dropped, so it
/// matches nothing.
fn ids_of(kind: NodeKind, ids: Option<Vec<ID>>) -> Option<Vec<Uuid>> {
    ids.map(|ids| {
        ids.iter()
            .filter_map(|id| GlobalId::decode_as(id, kind))
            .collect()
    })
}

/// Reads `input` as a phone number of the tenant's country.
pub async fn tenant_phone(
    ctx: &Context<'_>,
    tenant: TenantId,
    field: &str,
    input: &str,
) -> async_graphql::Result<PhoneE164> {
    let row = ctx
        .loader::<TenantByIdLoader>()?
        .load_one(tenant)
        .await?
        .ok_or(ApiError::NotFound("tenant"))?;
    let country = Country::parse("defaultCountry", &row.default_country)?;
    Ok(PhoneE164::parse(input, country).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!(
                "`{input}` is not a phone number (national numbers read as {})",
                country.code()
            ),
        )
    })?)
}

impl CallFilterInput {
    /// The checked filter; reads the tenant's country only for a phone.
    pub async fn resolve(
        self,
        ctx: &Context<'_>,
        tenant: TenantId,
    ) -> async_graphql::Result<CallFilter> {
        let contact_phone = match &self.contact_phone {
            Some(phone) => Some(tenant_phone(ctx, tenant, "filter.contactPhone", phone).await?),
            None => None,
        };
        let filter = CallFilter {
            from: self.from,
            to: self.to,
            statuses: self.statuses,
            direction: self.direction,
            agent_ids: ids_of(NodeKind::Agent, self.agent_ids),
            campaign_ids: ids_of(NodeKind::Campaign, self.campaign_ids),
            contact_phone,
            lead_tags: self.lead_tags,
            min_duration_seconds: self.min_duration_seconds,
            tags: self.tags,
        };
        filter.check()?;
        Ok(filter)
    }
}

/// Which agents to list.
#[derive(InputObject, Default)]
pub struct AgentFilterInput {
    /// Part of the name or external id, any case.
    pub search: Option<String>,
    pub active: Option<bool>,
    pub kinds: Option<Vec<AgentKind>>,
}

impl From<AgentFilterInput> for AgentFilter {
    fn from(input: AgentFilterInput) -> Self {
        Self {
            search: input.search,
            active: input.active,
            kinds: input.kinds,
        }
    }
}

/// Which campaigns to list.
#[derive(InputObject, Default)]
pub struct CampaignFilterInput {
    /// Part of the name, any case.
    pub search: Option<String>,
}

impl From<CampaignFilterInput> for CampaignFilter {
    fn from(input: CampaignFilterInput) -> Self {
        Self {
            search: input.search,
        }
    }
}

/// Which contacts to list.
#[derive(InputObject, Default)]
pub struct ContactFilterInput {
    /// Part of the name, email, phone or CRM id, any case.
    pub search: Option<String>,
    /// Exactly this phone, in any form the tenant's country allows.
    pub phone: Option<String>,
    /// Exactly this CRM id.
    pub external_id: Option<String>,
}

impl ContactFilterInput {
    /// The checked filter; reads the tenant's country only for a phone.
    pub async fn resolve(
        self,
        ctx: &Context<'_>,
        tenant: TenantId,
    ) -> async_graphql::Result<ContactFilter> {
        let phone = match &self.phone {
            Some(phone) => Some(tenant_phone(ctx, tenant, "filter.phone", phone).await?),
            None => None,
        };
        Ok(ContactFilter {
            search: self.search,
            phone,
            external_id: self.external_id,
        })
    }
}

/// Which follow-ups to list.
#[derive(InputObject, Default)]
pub struct FollowUpFilterInput {
    pub statuses: Option<Vec<FollowUpStatus>>,
    /// Due at or after this instant.
    pub due_from: Option<DateTimeUtc>,
    /// Due before this instant; must be later than `dueFrom`.
    pub due_to: Option<DateTimeUtc>,
    pub contact_ids: Option<Vec<ID>>,
}

impl TryFrom<FollowUpFilterInput> for FollowUpFilter {
    type Error = ApiError;

    fn try_from(input: FollowUpFilterInput) -> ApiResult<Self> {
        if let (Some(from), Some(to)) = (input.due_from, input.due_to)
            && from >= to
        {
            return Err(ApiError::invalid(
                "filter.dueTo",
                "must be later than `dueFrom`",
            ));
        }
        Ok(Self {
            statuses: input.statuses,
            due_from: input.due_from,
            due_to: input.due_to,
            contact_ids: ids_of(NodeKind::Contact, input.contact_ids),
        })
    }
}
