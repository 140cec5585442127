//! Guardrails the engine does not enforce itself: the alias limit, the
//! introspection switch, mutations over GET, and the rate limit per
//! credential. Depth, complexity and page size are the engine's
//! (`graphql::schema`); body size and time limit are layers (`http::router`).

use crate::auth::{AuthContext, Principal};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What the HTTP layer needs to know of a document before running it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inspection {
    /// The type of the operation the request selects, if it names one
    /// that exists.
    pub operation_type: Option<OperationType>,
    /// The name of that operation (for metrics and logs).
    pub operation_name: Option<String>,
    /// Aliased fields in the whole document.
    pub aliases: usize,
    /// Whether the document asks for `__schema` or `__type`.
    pub introspects: bool,
    /// Whether the operation is a query whose root fields all read tenant
    /// data only, so that its answer may be cached (`response_cache`).
    pub cacheable: bool,
}

/// Inspects a parsed document.
pub fn inspect(document: &ExecutableDocument, operation_name: Option<&str>) -> Inspection {
    let mut inspection = Inspection::default();
    let selected = match &document.operations {
        DocumentOperations::Single(op) => Some((None, op)),
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops.get_key_value(name).map(|(n, op)| (Some(n), op)),
            None if ops.len() == 1 => ops.iter().next().map(|(n, op)| (Some(n), op)),
            None => None,
        },
    };
    if let Some((name, op)) = selected {
        inspection.operation_type = Some(op.node.ty);
        inspection.operation_name = name.map(|n| n.to_string());
        inspection.cacheable = op.node.ty == OperationType::Query
            && op.node.selection_set.node.items.iter().all(|item| {
                matches!(&item.node, Selection::Field(field)
                    if super::response_cache::cacheable_root_field(field.node.name.node.as_str()))
            });
    }
    count(document, &mut inspection);
    inspection
}

/// Parsed documents by their text: clients send the same few documents
/// over and over, and parsing one (the whole contract file, say) costs
/// more than answering a small query. Bounded; emptied when full.
#[derive(Default)]
pub struct DocumentCache {
    documents: std::sync::RwLock<std::collections::HashMap<String, ExecutableDocument>>,
}

/// Documents the cache holds at most.
const CACHED_DOCUMENTS: usize = 1_000;
/// Longest document the cache keeps, in bytes.
const CACHED_DOCUMENT_BYTES: usize = 64 * 1024;

impl DocumentCache {
    /// Gives `request` its parsed document, from the cache or by parsing;
    /// `None` when it does not parse (the engine then reports the error
    /// with its location).
    pub fn parse(&self, request: &mut async_graphql::Request) -> Option<ExecutableDocument> {
        let cached = self
            .documents
            .read()
            .ok()
            .and_then(|documents| documents.get(&request.query).cloned());
        if let Some(document) = cached {
            request.set_parsed_query(document.clone());
            return Some(document);
        }
        let document = request.parsed_query().ok()?.clone();
        if request.query.len() <= CACHED_DOCUMENT_BYTES
            && let Ok(mut documents) = self.documents.write()
        {
            if documents.len() >= CACHED_DOCUMENTS {
                documents.clear();
            }
            documents.insert(request.query.clone(), document.clone());
        }
        Some(document)
    }
}

fn count(document: &ExecutableDocument, inspection: &mut Inspection) {
    for (_, op) in document.operations.iter() {
        walk(&op.node.selection_set.node, inspection);
    }
    for fragment in document.fragments.values() {
        walk(&fragment.node.selection_set.node, inspection);
    }
}

fn walk(set: &SelectionSet, inspection: &mut Inspection) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                if field.alias.is_some() {
                    inspection.aliases += 1;
                }
                if matches!(field.name.node.as_str(), "__schema" | "__type") {
                    inspection.introspects = true;
                }
                walk(&field.selection_set.node, inspection);
            }
            Selection::InlineFragment(fragment) => {
                walk(&fragment.node.selection_set.node, inspection);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Requests per credential: a token bucket per API key, per user, or per
/// client address for requests without a valid credential, in this process (each replica counts its own; see
/// docs/operations.md).
pub struct RateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_second` on average with bursts of `burst`; 0 turns it off.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
            DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self {
            limiter,
            checks: AtomicU64::new(0),
        }
    }

    /// `Ok` when the caller may go on; otherwise how long to wait.
    pub fn check(&self, auth: &AuthContext, client: Option<IpAddr>) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle callers now and then, so the table stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&caller(auth, client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// Whom a request is counted against.
fn caller(auth: &AuthContext, client: Option<IpAddr>) -> String {
    match &auth.principal {
        Principal::ApiKey(key) => format!("key:{}", key.key_id),
        Principal::User(user) => format!("user:{}", user.user_id),
        Principal::Operator => "operator".to_owned(),
        _ => match client {
            Some(address) => format!("address:{address}"),
            None => "address:unknown".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect(query: &str, operation_name: Option<&str>) -> Option<Inspection> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        Some(super::inspect(&document, operation_name))
    }

    #[test]
    fn parsed_documents_are_reused() {
        let cache = DocumentCache::default();
        let mut first = async_graphql::Request::new("{ __typename }");
        assert!(cache.parse(&mut first).is_some());
        let mut again = async_graphql::Request::new("{ __typename }");
        assert!(cache.parse(&mut again).is_some());
        assert_eq!(cache.documents.read().unwrap().len(), 1);
        let mut broken = async_graphql::Request::new("{ broken");
        assert!(cache.parse(&mut broken).is_none());
        assert_eq!(
            cache.documents.read().unwrap().len(),
            1,
            "errors are not cached"
        );
    }

    #[test]
    fn inspection_counts_aliases_everywhere_and_finds_introspection() {
        let inspection = inspect(
            "query A { a: tenant { n: name } ...F } fragment F on Query { b: tenant { id } }",
            None,
        )
        .unwrap();
        assert_eq!(inspection.aliases, 3);
        assert!(!inspection.introspects);
        assert_eq!(inspection.operation_type, Some(OperationType::Query));
        assert_eq!(inspection.operation_name.as_deref(), Some("A"));

        let inspection = inspect("{ __schema { types { name } } }", None).unwrap();
        assert!(inspection.introspects);
        assert_eq!(inspection.operation_name, None);

        let two = "query A { __typename } mutation B { __typename }";
        assert_eq!(
            inspect(two, Some("B")).unwrap().operation_type,
            Some(OperationType::Mutation)
        );
        assert_eq!(inspect(two, None).unwrap().operation_type, None);
        assert_eq!(inspect("{ broken", None), None);
    }

    #[test]
    fn the_rate_limit_counts_each_caller_separately() {
        let limiter = RateLimiter::new(1, 2);
        let anonymous = AuthContext::anonymous();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.check(&anonymous, Some(a)).is_ok());
        assert!(limiter.check(&anonymous, Some(a)).is_ok());
        let wait = limiter.check(&anonymous, Some(a)).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(limiter.check(&anonymous, Some(b)).is_ok());
        let off = RateLimiter::new(0, 0);
        for _ in 0..100 {
            assert!(off.check(&anonymous, Some(a)).is_ok());
        }
    }
}
