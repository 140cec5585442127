//! `follow_ups`: a scheduled follow-up for a contact.

use crate::enums::FollowUpStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contact_id: Uuid,
    pub call_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub remark: Option<String>,
    pub status: FollowUpStatus,
    /// The user who created it, or:
    pub created_by_user_id: Option<Uuid>,
    /// the API key that created it.
    pub created_by_key_id: Option<Uuid>,
    /// The user who last changed it, or:
    pub updated_by_user_id: Option<Uuid>,
    /// the API key that last changed it.
    pub updated_by_key_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
