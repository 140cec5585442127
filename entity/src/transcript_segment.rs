//! `transcript_segments`: the speaker turns of a transcript, in input order.

use crate::enums::Speaker;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transcript_segments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub transcript_id: Uuid,
    /// 0-based position in the delivered list (the tie-breaker for `start_ms`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub speaker: Option<Speaker>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
