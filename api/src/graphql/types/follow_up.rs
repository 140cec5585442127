//! `FollowUp`: a scheduled follow-up for a contact.

use super::leaves::Mixed;
use super::{Call, Contact, DateTimeUtc, by_id};
use crate::domain::{GlobalId, NodeKind};
use crate::graphql::loaders::{CallByIdLoader, ContactByIdLoader};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use entity::enums::FollowUpStatus;
use entity::follow_up;
use uuid::Uuid;

/// A follow-up scheduled for a contact, perhaps after one of its calls.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct FollowUp {
    pub id: ID,
    pub due_at: DateTimeUtc,
    pub remark: Option<String>,
    pub status: FollowUpStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Who scheduled it.
    pub created_by: Option<super::Author>,
    /// Who last completed, cancelled or rescheduled it.
    pub updated_by: Option<super::Author>,
    #[graphql(skip)]
    contact_id: Uuid,
    #[graphql(skip)]
    call_id: Option<Uuid>,
}

impl From<follow_up::Model> for FollowUp {
    fn from(f: follow_up::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::FollowUp, f.id).encode()),
            due_at: f.due_at,
            remark: f.remark,
            status: f.status,
            created_at: f.created_at,
            updated_at: f.updated_at,
            created_by: super::Author::of(f.created_by_user_id, f.created_by_key_id),
            updated_by: super::Author::of(f.updated_by_user_id, f.updated_by_key_id),
            contact_id: f.contact_id,
            call_id: f.call_id,
        }
    }
}

#[ComplexObject]
impl FollowUp {
    /// The contact to follow up with.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        Ok(by_id::<ContactByIdLoader>(ctx, Some(self.contact_id))
            .await?
            .map(Contact::from))
    }

    /// The call that led to it, if any.
    async fn call(&self, ctx: &Context<'_>) -> Result<Option<Mixed<Call>>> {
        Ok(by_id::<CallByIdLoader>(ctx, self.call_id)
            .await?
            .map(|call| Mixed(Call::from(call))))
    }
}
