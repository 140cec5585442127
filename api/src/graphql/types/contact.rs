//! `Contact`: the person called, with its calls, lead profile and
//! follow-ups.

use super::call::{CallsArgs, calls_of};
use super::connection::CallConnection;
use super::{CallFilterInput, DateTimeUtc, FollowUp, LeadProfile, by_id};
use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::graphql::ContextExt;
use crate::graphql::loaders::{FollowUpsByContactLoader, LeadProfileByContactLoader};
use crate::read::calls::CallParent;
use async_graphql::{ComplexObject, Context, ID, Json, Result, ScalarType, SimpleObject, Value};
use entity::contact;
use uuid::Uuid;

/// The person called: a minimal reference kept by phone number.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Contact {
    pub id: ID,
    /// E.164, unique within the tenant.
    pub phone: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The tenant's CRM id for this person.
    pub external_id: Option<String>,
    /// The tenant's business context for the person (free JSON).
    pub context: Option<Json<serde_json::Value>>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The row id, for fields that load what hangs off the contact.
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<contact::Model> for Contact {
    fn from(c: contact::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::Contact, c.id).encode()),
            phone: c.phone,
            name: c.name,
            email: c.email,
            external_id: c.external_id,
            context: c.context.map(Json),
            created_at: c.created_at,
            updated_at: c.updated_at,
            uuid: c.id,
        }
    }
}

impl super::leaves::Plain for Contact {
    fn value_of(&self, name: &str) -> Option<Value> {
        use super::leaves::{json, scalar};
        Some(match name {
            "id" => self.id.to_value(),
            "phone" => Value::String(self.phone.clone()),
            "name" => scalar(&self.name),
            "email" => scalar(&self.email),
            "externalId" => scalar(&self.external_id),
            "context" => json(&self.context),
            "createdAt" => self.created_at.to_value(),
            "updatedAt" => self.updated_at.to_value(),
            _ => return None,
        })
    }
}

#[ComplexObject]
impl Contact {
    /// The contact's calls, newest first.
    async fn calls(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CallFilterInput>,
    ) -> Result<CallConnection> {
        let args = CallsArgs {
            first,
            after,
            last,
            before,
            filter,
        };
        calls_of(ctx, CallParent::Contact, self.uuid, args).await
    }

    /// What the contact's calls say about it as a lead, computed from the
    /// calls whose initiation is known and their effective analyses.
    async fn lead_profile(&self, ctx: &Context<'_>) -> Result<LeadProfile> {
        // It sums every agent's calls of the contact: not for AGENT users.
        ctx.tenant(Capability::Read)?;
        let profile = by_id::<LeadProfileByContactLoader>(ctx, Some(self.uuid)).await?;
        Ok(LeadProfile::from(profile.unwrap_or_default()))
    }

    /// The contact's follow-ups, soonest due first.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<FollowUp>> {
        ctx.tenant(Capability::Read)?;
        let rows = by_id::<FollowUpsByContactLoader>(ctx, Some(self.uuid)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(FollowUp::from)
            .collect())
    }
}
