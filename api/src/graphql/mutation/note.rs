//! People's writes: `addCallNote` (WriteNotes), `createFollowUp` and
//! `updateFollowUp` (WriteFollowUps), each recording its author.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::follow_up::{self, FollowUpChange, NewFollowUp};
use crate::graphql::ContextExt;
use crate::graphql::types::{CallNote, DateTimeUtc, FollowUp};
use crate::note;
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::enums::FollowUpStatus;

/// A follow-up to schedule.
#[derive(InputObject)]
pub struct CreateFollowUpInput {
    pub contact_id: ID,
    /// The call it follows; must be a call of the contact.
    pub call_id: Option<ID>,
    pub due_at: DateTimeUtc,
    pub remark: Option<String>,
}

/// A change to a pending follow-up: complete it (`status: DONE`), cancel it
/// (`CANCELLED`), reschedule it (`dueAt`) or change its remark.
#[derive(InputObject)]
pub struct UpdateFollowUpInput {
    pub status: Option<FollowUpStatus>,
    pub due_at: Option<DateTimeUtc>,
    pub remark: Option<String>,
}

#[derive(Default)]
pub struct NoteMutation;

#[Object]
impl NoteMutation {
    /// Adds a note to a call of the tenant (an AGENT user: of their agent).
    async fn add_call_note(
        &self,
        ctx: &Context<'_>,
        call_id: ID,
        body: String,
    ) -> Result<CallNote> {
        let access = ctx.access(Capability::WriteNotes)?;
        let call =
            GlobalId::decode_as(&call_id, NodeKind::Call).ok_or(ApiError::NotFound("call"))?;
        Ok(note::add(ctx.db()?, &access, call, body).await?.into())
    }

    /// Schedules a follow-up for a contact of the tenant.
    async fn create_follow_up(
        &self,
        ctx: &Context<'_>,
        input: CreateFollowUpInput,
    ) -> Result<FollowUp> {
        let access = ctx.access(Capability::WriteFollowUps)?;
        let contact_id = GlobalId::decode_as(&input.contact_id, NodeKind::Contact)
            .ok_or(ApiError::NotFound("contact"))?;
        let call_id = input
            .call_id
            .map(|id| GlobalId::decode_as(&id, NodeKind::Call).ok_or(ApiError::NotFound("call")))
            .transpose()?;
        let new = NewFollowUp {
            contact_id,
            call_id,
            due_at: input.due_at,
            remark: input.remark,
        };
        Ok(follow_up::create(ctx.db()?, &access, new).await?.into())
    }

    /// Completes, cancels or reschedules a pending follow-up of the tenant.
    async fn update_follow_up(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateFollowUpInput,
    ) -> Result<FollowUp> {
        let access = ctx.access(Capability::WriteFollowUps)?;
        let id =
            GlobalId::decode_as(&id, NodeKind::FollowUp).ok_or(ApiError::NotFound("follow-up"))?;
        let change = FollowUpChange {
            status: input.status,
            due_at: input.due_at,
            remark: input.remark,
        };
        Ok(follow_up::update(ctx.db()?, &access, id, change)
            .await?
            .into())
    }
}
