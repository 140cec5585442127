//! Nested call lists (`Agent.calls`, `Contact.calls`, `Campaign.calls`):
//! the same page of many parents' calls in one statement, and their counts.

use super::{Loaded, failed};
use crate::domain::TenantId;
use crate::read::call_filter::CallFilter;
use crate::read::calls::{self, CallParent};
use crate::read::page::{Page, PageRequest};
use async_graphql::dataloader::Loader;
use entity::call;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// One parent's call list: which parent, filtered and paged how.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallsOf {
    pub tenant: TenantId,
    pub parent: CallParent,
    pub id: Uuid,
    pub filter: Arc<CallFilter>,
    pub page: Arc<PageRequest>,
}

/// Keys that can share one statement: same tenant, parent kind, filter and
/// page request; only the parent ids differ.
type Batch = (TenantId, CallParent, Arc<CallFilter>, Arc<PageRequest>);

fn batches(keys: &[CallsOf]) -> HashMap<Batch, Vec<Uuid>> {
    let mut batches: HashMap<Batch, Vec<Uuid>> = HashMap::new();
    for key in keys {
        let batch = (key.tenant, key.parent, key.filter.clone(), key.page.clone());
        batches.entry(batch).or_default().push(key.id);
    }
    batches
}

loader!(
    /// A page of calls per parent.
    CallPageByParentLoader
);

impl Loader<CallsOf> for CallPageByParentLoader {
    type Value = Page<call::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CallsOf]) -> Loaded<CallsOf, Page<call::Model>> {
        let mut found = HashMap::with_capacity(keys.len());
        for ((tenant, parent, filter, page), ids) in batches(keys) {
            let mut pages =
                calls::pages_by_parent(self.db.conn(), tenant, parent, &ids, &filter, &page)
                    .await
                    .map_err(failed)?;
            for id in ids {
                let rows = pages.remove(&id).unwrap_or_else(|| page.finish(Vec::new()));
                let key = CallsOf {
                    tenant,
                    parent,
                    id,
                    filter: filter.clone(),
                    page: page.clone(),
                };
                found.insert(key, rows);
            }
        }
        Ok(found)
    }
}

loader!(
    /// How many calls each parent has (its list's `totalCount`).
    CallCountByParentLoader
);

impl Loader<CallsOf> for CallCountByParentLoader {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CallsOf]) -> Loaded<CallsOf, u64> {
        // Counting ignores the page, so keys differing only in it share a
        // statement too.
        let mut by_filter: HashMap<(TenantId, CallParent, Arc<CallFilter>), Vec<Uuid>> =
            HashMap::new();
        for key in keys {
            by_filter
                .entry((key.tenant, key.parent, key.filter.clone()))
                .or_default()
                .push(key.id);
        }
        let mut counts = HashMap::new();
        for ((tenant, parent, filter), ids) in by_filter {
            let found = calls::counts_by_parent(self.db.conn(), tenant, parent, &ids, &filter)
                .await
                .map_err(failed)?;
            counts.insert((tenant, parent, filter), found);
        }
        Ok(keys
            .iter()
            .map(|key| {
                let n = counts
                    .get(&(key.tenant, key.parent, key.filter.clone()))
                    .and_then(|found| found.get(&key.id))
                    .copied()
                    .unwrap_or(0);
                (key.clone(), n)
            })
            .collect())
    }
}
