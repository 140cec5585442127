//! Rows of one tenant by id, and child rows by parent id, each in one
//! statement: the building blocks of the batch loaders.

use crate::domain::TenantId;
use chrono::{DateTime, Utc};
use entity::enums::CallEventType;
use entity::{agent, call, call_event, call_note, campaign, contact, follow_up, lead_analysis};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, Iterable, Order,
    QueryFilter, QueryOrder, QuerySelect, Select,
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

/// A tenant-owned table whose rows each belong to one parent row, read as
/// one list per parent in a fixed order.
pub trait ChildRows: TenantOwned {
    /// The column naming the parent.
    const PARENT: Self::Column;
    /// A row's parent id.
    fn parent_of(row: &Self::Model) -> Uuid;
    /// The order of each parent's list.
    fn order() -> Vec<(Self::Column, Order)>;
}

impl ChildRows for call_event::Entity {
    const PARENT: Self::Column = call_event::Column::CallId;
    fn parent_of(row: &Self::Model) -> Uuid {
        row.call_id
    }
    /// In the order they happened (tie: event id).
    fn order() -> Vec<(Self::Column, Order)> {
        use call_event::Column::{EventId, OccurredAt};
        vec![(OccurredAt, Order::Asc), (EventId, Order::Asc)]
    }
}

impl ChildRows for call_note::Entity {
    const PARENT: Self::Column = call_note::Column::CallId;
    fn parent_of(row: &Self::Model) -> Uuid {
        row.call_id
    }
    /// Oldest first.
    fn order() -> Vec<(Self::Column, Order)> {
        use call_note::Column::{CreatedAt, Id};
        vec![(CreatedAt, Order::Asc), (Id, Order::Asc)]
    }
}

impl ChildRows for lead_analysis::Entity {
    const PARENT: Self::Column = lead_analysis::Column::CallId;
    fn parent_of(row: &Self::Model) -> Uuid {
        row.call_id
    }
    /// Newest first: the effective one leads (latest `analyzedAt`, tie:
    /// greater analysis id).
    fn order() -> Vec<(Self::Column, Order)> {
        use lead_analysis::Column::{AnalysisId, AnalyzedAt};
        vec![(AnalyzedAt, Order::Desc), (AnalysisId, Order::Desc)]
    }
}

impl ChildRows for follow_up::Entity {
    const PARENT: Self::Column = follow_up::Column::ContactId;
    fn parent_of(row: &Self::Model) -> Uuid {
        row.contact_id
    }
    /// Soonest due first.
    fn order() -> Vec<(Self::Column, Order)> {
        use follow_up::Column::{DueAt, Id};
        vec![(DueAt, Order::Asc), (Id, Order::Asc)]
    }
}

/// The columns of a call event that say what happened when: all most
/// lists of calls show of their events.
#[derive(Debug, Clone, FromQueryResult)]
pub struct EventCore {
    pub call_id: Uuid,
    pub event_id: String,
    pub event_type: CallEventType,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// `select` narrowed to the columns of `EventCore`.
pub fn event_core(select: Select<call_event::Entity>) -> Select<call_event::Entity> {
    use call_event::Column::{CallId, EventId, EventType, OccurredAt, ReceivedAt};
    select
        .select_only()
        .columns([CallId, EventId, EventType, OccurredAt, ReceivedAt])
}

/// `select` of call events with every column but `payload`, which reads
/// as null: the provider's raw body, often kilobytes an event, that a list
/// of calls with their events seldom shows.
pub fn events_without_payload(
    select: Select<call_event::Entity>,
    backend: DbBackend,
) -> Select<call_event::Entity> {
    let null = match backend {
        DbBackend::Postgres => "CAST(NULL AS jsonb)",
        _ => "NULL",
    };
    select
        .select_only()
        .columns(call_event::Column::iter().filter(|c| !matches!(c, call_event::Column::Payload)))
        .expr_as(Expr::cust(null), "payload")
}

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
    let backend = db.get_database_backend();
    let rows = E::of_tenant(tenant)
        .filter(super::uuid_in(
            Expr::col(E::ID),
            ids.iter().copied(),
            backend,
        ))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (E::id_of(&row), row)).collect())
}

/// The rows of `select` (already scoped to a tenant) whose parent is one
/// of `parents`, grouped by parent, each group in the table's order.
pub async fn by_parent<E, C>(
    db: &C,
    select: Select<E>,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, Vec<E::Model>>, DbErr>
where
    E: ChildRows,
    C: ConnectionTrait,
{
    by_parent_as(db, select, parents, E::parent_of).await
}

/// `by_parent` read as `M`, the columns `select` names (`parent_of` tells
/// each row's parent).
pub async fn by_parent_as<E, M, C>(
    db: &C,
    select: Select<E>,
    parents: &[Uuid],
    parent_of: fn(&M) -> Uuid,
) -> Result<HashMap<Uuid, Vec<M>>, DbErr>
where
    E: ChildRows,
    M: FromQueryResult,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut select = select.filter(super::uuid_in(
        Expr::col(E::PARENT),
        parents.iter().copied(),
        backend,
    ));
    for (column, direction) in E::order() {
        select = select.order_by(column, direction);
    }
    let mut grouped: HashMap<Uuid, Vec<M>> = HashMap::new();
    for row in select.into_model::<M>().all(db).await? {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    Ok(grouped)
}
