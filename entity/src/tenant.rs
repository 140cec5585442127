//! `tenants`: a paying company. A reference table (no `tenant_id`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// IANA time zone, e.g. `Asia/Kolkata`.
    pub timezone: String,
    /// ISO 3166-1 alpha-2 country used to normalise national phone numbers.
    pub default_country: String,
    pub credits_per_minute: i32,
    pub active: bool,
    pub settings: Json,
    /// Incremented by every write transaction of the tenant: answers
    /// computed at one version stay exact until it changes.
    pub data_version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
