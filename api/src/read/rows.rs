//! Rows of one tenant by id, and child rows by parent id, each in one
//! statement: the building blocks of the batch loaders.

use crate::domain::TenantId;
use entity::{agent, call, call_event, call_note, campaign, contact, follow_up, lead_analysis};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder, Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A tenant-owned table: primary key `(tenant_id, id)`.
pub trait TenantOwned: EntityTrait {
    /// The `tenant_id` column.
    const TENANT: Self::Column;
    /// The `id` column.
    const ID: Self::Column;
    /// A row's id.
    fn id_of(row: &Self::Model) -> Uuid;

    /// Every row of `tenant`: where each read starts.
    fn of_tenant(tenant: TenantId) -> Select<Self> {
        Self::find().filter(Self::TENANT.eq(tenant.uuid()))
    }
}

macro_rules! tenant_owned {
    ($($module:ident),*) => {$(
        impl TenantOwned for $module::Entity {
            const TENANT: Self::Column = $module::Column::TenantId;
            const ID: Self::Column = $module::Column::Id;
            fn id_of(row: &Self::Model) -> Uuid {
                row.id
            }
        }
    )*};
}

tenant_owned!(
    agent,
    campaign,
    contact,
    call,
    call_event,
    call_note,
    lead_analysis,
    follow_up
);

/// The rows of `tenant` with these ids, by id; ids of other tenants and
/// unknown ids are simply absent.
pub async fn by_ids<E, C>(
    db: &C,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>, DbErr>
where
    E: TenantOwned,
    C: ConnectionTrait,
{
    let rows = E::of_tenant(tenant)
        .filter(E::ID.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (E::id_of(&row), row)).collect())
}

/// The rows of `select` (already scoped to a tenant) whose `parent` column
/// is one of `parents`, grouped by it, each group in `order`.
pub async fn by_parent<E, C>(
    db: &C,
    select: Select<E>,
    parent: E::Column,
    parent_of: fn(&E::Model) -> Uuid,
    parents: &[Uuid],
    order: &[(E::Column, Order)],
) -> Result<HashMap<Uuid, Vec<E::Model>>, DbErr>
where
    E: TenantOwned,
    C: ConnectionTrait,
{
    let mut select = select.filter(parent.is_in(parents.iter().copied()));
    for (column, direction) in order {
        select = select.order_by(*column, direction.clone());
    }
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in select.all(db).await? {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    Ok(grouped)
}
