//! `CallFilter`: which calls a list shows (the contract's `CallFilterInput`,
//! checked and resolved), as one SQL condition. Fields combine with AND,
//! list items with OR; an empty list matches nothing (KPIS.md).

use super::{nothing, one_of};
use crate::domain::{PhoneE164, TenantId};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::enums::{CallDirection, CallStatus, LeadTag};
use entity::{call, contact, lead_analysis};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ActiveEnum, ColumnTrait, Condition, DbBackend};
use uuid::Uuid;

/// A checked call filter. Ids are raw UUIDs of any tenant: the query is
/// scoped to the caller's tenant, so another tenant's ids match nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CallFilter {
    /// `initiatedAt >= from`; calls with an unknown initiation never match.
    pub from: Option<DateTime<Utc>>,
    /// `initiatedAt < to`.
    pub to: Option<DateTime<Utc>>,
    pub statuses: Option<Vec<CallStatus>>,
    pub direction: Option<CallDirection>,
    pub agent_ids: Option<Vec<Uuid>>,
    pub campaign_ids: Option<Vec<Uuid>>,
    /// The phone of the call's contact.
    pub contact_phone: Option<PhoneE164>,
    /// Tags of the calls' effective analyses.
    pub lead_tags: Option<Vec<LeadTag>>,
    pub min_duration_seconds: Option<i64>,
    /// Calls carrying any of these tags.
    pub tags: Option<Vec<String>>,
}

impl CallFilter {
    /// Refuses a time range that cannot hold a call.
    pub fn check(&self) -> ApiResult<()> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            return Err(ApiError::invalid("filter.to", "must be later than `from`"));
        }
        if self.min_duration_seconds.is_some_and(|d| d < 0) {
            return Err(ApiError::invalid(
                "filter.minDurationSeconds",
                "must be 0 or more",
            ));
        }
        Ok(())
    }

    /// The filter as a condition on `calls` of `tenant`.
    pub fn condition(&self, tenant: TenantId, backend: DbBackend) -> Condition {
        let mut all = Condition::all();
        if let Some(from) = self.from {
            all = all.add(call::Column::InitiatedAt.gte(from));
        }
        if let Some(to) = self.to {
            all = all.add(call::Column::InitiatedAt.lt(to));
        }
        if let Some(statuses) = &self.statuses {
            let names = statuses.iter().map(ActiveEnum::to_value).collect();
            all = all.add(one_of(call::Column::Status, names));
        }
        if let Some(direction) = self.direction {
            all = all.add(call::Column::Direction.eq(direction.to_value()));
        }
        if let Some(ids) = &self.agent_ids {
            all = all.add(one_of(call::Column::AgentId, ids.clone()));
        }
        if let Some(ids) = &self.campaign_ids {
            all = all.add(one_of(call::Column::CampaignId, ids.clone()));
        }
        if let Some(phone) = &self.contact_phone {
            let contacts = Query::select()
                .column(contact::Column::Id)
                .from(contact::Entity)
                .and_where(contact::Column::TenantId.eq(tenant.uuid()))
                .and_where(contact::Column::Phone.eq(phone.as_ref()))
                .to_owned();
            all = all.add(call::Column::ContactId.in_subquery(contacts));
        }
        if let Some(tags) = &self.lead_tags {
            all = all.add(lead_tags(tags));
        }
        if let Some(seconds) = self.min_duration_seconds {
            all = all.add(call::Column::DurationSeconds.gte(seconds));
        }
        if let Some(tags) = &self.tags {
            all = all.add(any_tag(tags, backend));
        }
        all
    }
}

/// Calls whose effective analysis has one of `tags` (by total score).
fn lead_tags(tags: &[LeadTag]) -> Expr {
    if tags.is_empty() {
        return nothing();
    }
    let score = || Expr::col((lead_analysis::Entity, lead_analysis::Column::TotalScore));
    let mut any = Condition::any();
    for tag in tags {
        any = any.add(match tag {
            LeadTag::Hot => score().gte(80),
            LeadTag::Warm => score().between(50, 79),
            LeadTag::Cold => score().lt(50),
        });
    }
    let analysis = Query::select()
        .expr(Expr::cust("1"))
        .from(lead_analysis::Entity)
        .cond_where(super::same_tenant(
            lead_analysis::Entity,
            lead_analysis::Column::CallId,
            call::Entity,
            call::Column::Id,
        ))
        .and_where(Expr::col((lead_analysis::Entity, lead_analysis::Column::Effective)).eq(true))
        .cond_where(any)
        .to_owned();
    Expr::exists(analysis)
}

/// Calls whose JSON array of tags holds any of `tags`.
fn any_tag(tags: &[String], backend: DbBackend) -> Expr {
    if tags.is_empty() {
        return nothing();
    }
    let column = Expr::col((call::Entity, call::Column::Tags));
    let element = Alias::new("tag");
    let elements: SelectStatement = match backend {
        DbBackend::Postgres => Query::select()
            .expr(Expr::cust("1"))
            .from_function(
                Func::cust("jsonb_array_elements_text").arg(column),
                element.clone(),
            )
            .and_where(Expr::col(element).is_in(tags.iter().cloned()))
            .to_owned(),
        _ => Query::select()
            .expr(Expr::cust("1"))
            .from_function(Func::cust("json_each").arg(column), element.clone())
            .and_where(Expr::col((element, Alias::new("value"))).is_in(tags.iter().cloned()))
            .to_owned(),
    };
    Expr::exists(elements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{EntityTrait, QueryFilter, QueryTrait};

    fn sql(filter: &CallFilter, backend: DbBackend) -> String {
        let tenant = TenantId::from_verified(Uuid::nil());
        call::Entity::find()
            .filter(filter.condition(tenant, backend))
            .build(backend)
            .to_string()
    }

    #[test]
    fn empty_lists_match_nothing() {
        let filter = CallFilter {
            statuses: Some(vec![]),
            tags: Some(vec![]),
            ..CallFilter::default()
        };
        let text = sql(&filter, DbBackend::Sqlite);
        assert!(text.contains("1 = 0"), "{text}");
    }

    #[test]
    fn tags_and_lead_tags_read_the_json_array_and_the_effective_analysis() {
        let filter = CallFilter {
            tags: Some(vec!["vip".into()]),
            lead_tags: Some(vec![LeadTag::Hot, LeadTag::Cold]),
            ..CallFilter::default()
        };
        let pg = sql(&filter, DbBackend::Postgres);
        assert!(
            pg.contains("jsonb_array_elements_text(\"calls\".\"tags\")"),
            "{pg}"
        );
        assert!(pg.contains("\"effective\" = TRUE"), "{pg}");
        let lite = sql(&filter, DbBackend::Sqlite);
        assert!(lite.contains("json_each(\"calls\".\"tags\")"), "{lite}");
    }

    #[test]
    fn a_range_must_be_non_empty() {
        let at = Utc::now();
        let filter = CallFilter {
            from: Some(at),
            to: Some(at),
            ..CallFilter::default()
        };
        assert_eq!(filter.check().unwrap_err().code(), "BAD_USER_INPUT");
    }
}
