//! Batch loaders, one per (value, key), created for each request. While one
//! level of a query resolves, its fields hand their keys to a loader; the
//! loader then reads them all in one statement. Every key carries the
//! tenant, and a loader reads each tenant's keys with its own statement, so
//! a batch never mixes tenants' rows.
//!
//! `execute` runs the loaders inside the request's own task, after the
//! resolvers have had their turn: a batch starts only once the whole level
//! has asked for its keys. So how many statements a request issues depends
//! on the query's shape, never on timing, load or page sizes (async-graphql
//! would otherwise spawn each batch on the runtime, racing the resolvers).

/// Declares a loader struct that reads through the request's `Db`.
macro_rules! loader {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name {
            db: $crate::db::Db,
        }

        impl $name {
            /// A loader reading through `db`.
            pub fn new(db: &$crate::db::Db) -> Self {
                Self { db: db.clone() }
            }
        }
    };
}

mod call;
mod derived;
mod kpi;
mod row;

pub use call::{CallCountByParentLoader, CallPageByParentLoader, CallsOf};
pub use derived::{LeadAnalysisByCallLoader, LeadProfileByContactLoader, TranscriptByCallLoader};
pub use kpi::{KpisByMemberLoader, MemberKpisKey};
pub use row::{
    AgentByIdLoader, ByIdLoader, ByParentLoader, CallByIdLoader, CampaignByIdLoader,
    ContactByIdLoader, EventCoresByCallLoader, EventsByCallLoader,
    EventsWithoutPayloadByCallLoader, FollowUpByIdLoader, FollowUpsByContactLoader,
    LeadAnalysesByCallLoader, NotesByCallLoader, TenantByIdLoader,
};

use super::schema::CallboardSchema;
use crate::db::Db;
use crate::domain::TenantId;
use crate::error::ApiError;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ErrorExtensions, Request, Response};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::future::{BoxFuture, poll_fn};
use futures::stream::{FuturesUnordered, StreamExt};
use sea_orm::DbErr;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use uuid::Uuid;

/// What a loader returns: the rows found, or an error with its code.
pub type Loaded<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

/// Turns a database failure into the coded error every field shows.
fn failed(error: DbErr) -> async_graphql::Error {
    ApiError::from(error).extend()
}

/// Runs `load` once per tenant among `keys` and merges the rows it finds.
async fn per_tenant<V, F, Fut>(keys: &[(TenantId, Uuid)], load: F) -> Loaded<(TenantId, Uuid), V>
where
    F: Fn(TenantId, Vec<Uuid>) -> Fut,
    Fut: Future<Output = Result<HashMap<Uuid, V>, DbErr>>,
{
    let mut by_tenant: BTreeMap<TenantId, Vec<Uuid>> = BTreeMap::new();
    for (tenant, id) in keys {
        by_tenant.entry(*tenant).or_default().push(*id);
    }
    let mut found = HashMap::with_capacity(keys.len());
    for (tenant, ids) in by_tenant {
        let rows = load(tenant, ids).await.map_err(failed)?;
        found.extend(rows.into_iter().map(|(id, row)| ((tenant, id), row)));
    }
    Ok(found)
}

/// Executes `request` with a fresh set of loaders driven by this task.
pub async fn execute(schema: &CallboardSchema, db: &Db, request: Request) -> Response {
    let (spawn, mut queued) = unbounded::<BoxFuture<'static, ()>>();
    let request = attach(request, db, &spawn);
    let mut response = pin!(schema.execute(request));
    let mut batches = FuturesUnordered::new();
    poll_fn(move |cx| {
        let flag = Arc::new(WakeFlag {
            woken: AtomicBool::new(false),
            task: cx.waker().clone(),
        });
        let waker = Waker::from(flag.clone());
        if let Poll::Ready(response) = response.as_mut().poll(&mut Context::from_waker(&waker)) {
            return Poll::Ready(response);
        }
        // A resolver that woke its own task is not done asking for keys (a
        // long list yields part-way); batches wait until every resolver of
        // the level waits on them.
        if !flag.woken.load(Ordering::Acquire) {
            while let Poll::Ready(Some(batch)) = queued.poll_next_unpin(cx) {
                batches.push(batch);
            }
            while let Poll::Ready(Some(())) = batches.poll_next_unpin(cx) {}
        }
        Poll::Pending
    })
    .await
}

/// A waker that notes whether it was used, then wakes the task.
struct WakeFlag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}

fn attach(request: Request, db: &Db, spawn: &UnboundedSender<BoxFuture<'static, ()>>) -> Request {
    fn loader<T: Send + Sync + 'static>(
        loader: T,
        spawn: &UnboundedSender<BoxFuture<'static, ()>>,
    ) -> DataLoader<T> {
        let spawn = spawn.clone();
        // The receiver outlives every resolver, so a send cannot fail while
        // anyone still waits for the batch.
        DataLoader::new(loader, move |batch| {
            let _ = spawn.unbounded_send(batch);
        })
        .delay(Duration::ZERO)
    }
    request
        .data(loader(TenantByIdLoader::new(db), spawn))
        .data(loader(AgentByIdLoader::new(db), spawn))
        .data(loader(CampaignByIdLoader::new(db), spawn))
        .data(loader(ContactByIdLoader::new(db), spawn))
        .data(loader(CallByIdLoader::new(db), spawn))
        .data(loader(FollowUpByIdLoader::new(db), spawn))
        .data(loader(CallPageByParentLoader::new(db), spawn))
        .data(loader(CallCountByParentLoader::new(db), spawn))
        .data(loader(LeadAnalysisByCallLoader::new(db), spawn))
        .data(loader(LeadAnalysesByCallLoader::new(db), spawn))
        .data(loader(TranscriptByCallLoader::new(db), spawn))
        .data(loader(EventsByCallLoader::new(db), spawn))
        .data(loader(EventsWithoutPayloadByCallLoader::new(db), spawn))
        .data(loader(EventCoresByCallLoader::new(db), spawn))
        .data(loader(NotesByCallLoader::new(db), spawn))
        .data(loader(FollowUpsByContactLoader::new(db), spawn))
        .data(loader(LeadProfileByContactLoader::new(db), spawn))
        .data(loader(KpisByMemberLoader { db: db.clone() }, spawn))
}
