//! The tenant's directory lists: agents and campaigns (by name), contacts
//! (newest first) and follow-ups (soonest due first), with their filters.

use super::cursor::{Cursor, List, SortValue};
use super::keyset::Keyset;
use super::one_of;
use super::rows::TenantOwned;
use crate::domain::{PhoneE164, TenantId};
use chrono::{DateTime, Utc};
use entity::enums::{AgentKind, FollowUpStatus};
use entity::{agent, campaign, contact, follow_up};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveEnum, ColumnTrait, Condition, QueryFilter, Select};
use uuid::Uuid;

/// Rows where any of `columns` contains `term`, ignoring case.
fn search<C: ColumnTrait>(columns: &[C], term: &str) -> Condition {
    let escaped: String = term
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    columns.iter().fold(Condition::any(), |any, column| {
        any.add(
            Expr::expr(Func::lower(Expr::col(*column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\')),
        )
    })
}

/// Which agents a list shows.
#[derive(Debug, Clone, Default)]
pub struct AgentFilter {
    /// Part of the name or external id, any case.
    pub search: Option<String>,
    pub active: Option<bool>,
    pub kinds: Option<Vec<AgentKind>>,
}

/// Agents by name, then id.
pub const AGENT_ORDER: Keyset<agent::Column> = Keyset {
    key: agent::Column::Name,
    id: agent::Column::Id,
    descending: false,
    nullable: false,
};

/// An agent's place in the agent list.
pub fn agent_cursor(row: &agent::Model) -> Cursor {
    Cursor {
        list: List::Agents,
        key: SortValue::Text(row.name.clone()),
        id: row.id,
    }
}

/// The tenant's agents that `filter` lets through.
pub fn agents(tenant: TenantId, filter: &AgentFilter) -> Select<agent::Entity> {
    let mut select = agent::Entity::of_tenant(tenant);
    if let Some(term) = &filter.search {
        select = select.filter(search(
            &[agent::Column::Name, agent::Column::ExternalId],
            term,
        ));
    }
    if let Some(active) = filter.active {
        select = select.filter(agent::Column::Active.eq(active));
    }
    if let Some(kinds) = &filter.kinds {
        let names = kinds.iter().map(ActiveEnum::to_value).collect();
        select = select.filter(one_of(agent::Column::Kind, names));
    }
    select
}

/// Which campaigns a list shows.
#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    /// Part of the name, any case.
    pub search: Option<String>,
}

/// Campaigns by name, then id.
pub const CAMPAIGN_ORDER: Keyset<campaign::Column> = Keyset {
    key: campaign::Column::Name,
    id: campaign::Column::Id,
    descending: false,
    nullable: false,
};

/// A campaign's place in the campaign list.
pub fn campaign_cursor(row: &campaign::Model) -> Cursor {
    Cursor {
        list: List::Campaigns,
        key: SortValue::Text(row.name.clone()),
        id: row.id,
    }
}

/// The tenant's campaigns that `filter` lets through.
pub fn campaigns(tenant: TenantId, filter: &CampaignFilter) -> Select<campaign::Entity> {
    let mut select = campaign::Entity::of_tenant(tenant);
    if let Some(term) = &filter.search {
        select = select.filter(search(&[campaign::Column::Name], term));
    }
    select
}

/// Which contacts a list shows.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Part of the name, email, phone or CRM id, any case.
    pub search: Option<String>,
    /// Exactly this phone.
    pub phone: Option<PhoneE164>,
    /// Exactly this CRM id.
    pub external_id: Option<String>,
}

/// Contacts newest first, then by id.
pub const CONTACT_ORDER: Keyset<contact::Column> = Keyset {
    key: contact::Column::CreatedAt,
    id: contact::Column::Id,
    descending: true,
    nullable: false,
};

/// A contact's place in the contact list.
pub fn contact_cursor(row: &contact::Model) -> Cursor {
    Cursor {
        list: List::Contacts,
        key: SortValue::Time(Some(row.created_at)),
        id: row.id,
    }
}

/// The tenant's contacts that `filter` lets through.
pub fn contacts(tenant: TenantId, filter: &ContactFilter) -> Select<contact::Entity> {
    let mut select = contact::Entity::of_tenant(tenant);
    if let Some(term) = &filter.search {
        let columns = [
            contact::Column::Name,
            contact::Column::Email,
            contact::Column::Phone,
            contact::Column::ExternalId,
        ];
        select = select.filter(search(&columns, term));
    }
    if let Some(phone) = &filter.phone {
        select = select.filter(contact::Column::Phone.eq(phone.as_ref()));
    }
    if let Some(external_id) = &filter.external_id {
        select = select.filter(contact::Column::ExternalId.eq(external_id.as_str()));
    }
    select
}

/// Which follow-ups a list shows.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub statuses: Option<Vec<FollowUpStatus>>,
    /// `dueAt >= due_from`.
    pub due_from: Option<DateTime<Utc>>,
    /// `dueAt < due_to`.
    pub due_to: Option<DateTime<Utc>>,
    pub contact_ids: Option<Vec<Uuid>>,
}

/// Follow-ups soonest due first, then by id.
pub const FOLLOW_UP_ORDER: Keyset<follow_up::Column> = Keyset {
    key: follow_up::Column::DueAt,
    id: follow_up::Column::Id,
    descending: false,
    nullable: false,
};

/// A follow-up's place in the follow-up list.
pub fn follow_up_cursor(row: &follow_up::Model) -> Cursor {
    Cursor {
        list: List::FollowUps,
        key: SortValue::Time(Some(row.due_at)),
        id: row.id,
    }
}

/// The tenant's follow-ups that `filter` lets through.
pub fn follow_ups(tenant: TenantId, filter: &FollowUpFilter) -> Select<follow_up::Entity> {
    let mut select = follow_up::Entity::of_tenant(tenant);
    if let Some(statuses) = &filter.statuses {
        let names = statuses.iter().map(ActiveEnum::to_value).collect();
        select = select.filter(one_of(follow_up::Column::Status, names));
    }
    if let Some(from) = filter.due_from {
        select = select.filter(follow_up::Column::DueAt.gte(from));
    }
    if let Some(to) = filter.due_to {
        select = select.filter(follow_up::Column::DueAt.lt(to));
    }
    if let Some(ids) = &filter.contact_ids {
        select = select.filter(one_of(follow_up::Column::ContactId, ids.clone()));
    }
    select
}
