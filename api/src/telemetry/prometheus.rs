//! Prometheus metrics, served at `/metrics`: requests by operation and
//! outcome, their latency, the database pool, SQL statements and ingest
//! items. Names and labels are listed in docs/operations.md.

use crate::db::Db;
use crate::ingest::IngestResult;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

/// Latency buckets, in seconds: 1 ms to 30 s (the request time limit).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Distinct operation names labelled before the rest become `other`: the
/// names come from clients, and each one is a time series.
const MAX_OPERATION_NAMES: usize = 500;

/// The process's recorder, installed on first use.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
            .expect("buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        describe();
        handle
    })
}

/// Installs the recorder (idempotent); call before serving.
pub fn install() {
    handle();
}

fn describe() {
    ::metrics::describe_counter!(
        "callboard_graphql_requests_total",
        "GraphQL requests by operation name and outcome (ok or the first error's code)"
    );
    ::metrics::describe_histogram!(
        "callboard_graphql_request_duration_seconds",
        ::metrics::Unit::Seconds,
        "Time from reading a GraphQL request to its answer, by operation name"
    );
    ::metrics::describe_gauge!(
        "callboard_db_pool_connections",
        "Database pool connections by state (idle, in_use) and the pool's maximum (max)"
    );
    ::metrics::describe_counter!(
        "callboard_db_statements_total",
        "SQL statements run by this process"
    );
    ::metrics::describe_counter!(
        "callboard_response_cache_total",
        "Lookups of cacheable queries in the response cache, by result (hit, miss)"
    );
    ::metrics::describe_counter!(
        "callboard_ingest_items_total",
        "Ingested items by kind (event, analysis, transcript) and outcome (accepted, duplicate, rejected)"
    );
}

/// The label of an operation name: itself if it is a plain GraphQL name
/// among the first `MAX_OPERATION_NAMES` seen, else `other`; `anonymous`
/// for an unnamed operation.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<RwLock<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let plain = name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return "other".to_owned();
    }
    let seen = SEEN.get_or_init(Default::default);
    // Known names (nearly every request) need only the read lock.
    let known = seen
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .contains(name);
    if known {
        return name.to_owned();
    }
    let mut seen = seen
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.len() < MAX_OPERATION_NAMES {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// Counts one GraphQL request and its latency.
pub fn record_request(operation: Option<&str>, outcome: &str, elapsed: Duration) {
    let operation = operation_label(operation);
    ::metrics::counter!(
        "callboard_graphql_requests_total",
        "operation" => operation.clone(),
        "outcome" => outcome.to_owned()
    )
    .increment(1);
    ::metrics::histogram!(
        "callboard_graphql_request_duration_seconds",
        "operation" => operation
    )
    .record(elapsed.as_secs_f64());
}

/// Counts one lookup of the response cache.
pub fn record_cache(hit: bool) {
    ::metrics::counter!(
        "callboard_response_cache_total",
        "result" => if hit { "hit" } else { "miss" }
    )
    .increment(1);
}

/// Counts the items of one ingest batch.
pub fn record_ingest(kind: &'static str, result: &IngestResult) {
    for (outcome, count) in [
        ("accepted", result.accepted as u64),
        ("duplicate", result.duplicates as u64),
        ("rejected", result.rejected.len() as u64),
    ] {
        if count > 0 {
            ::metrics::counter!(
                "callboard_ingest_items_total",
                "kind" => kind,
                "outcome" => outcome
            )
            .increment(count);
        }
    }
}

/// The scrape: pool gauges are read now, then everything is rendered in
/// the Prometheus text format.
pub fn render(db: &Db) -> String {
    let handle = handle();
    let (open, idle, max) = db.pool_status();
    let gauge = |state: &'static str, value: f64| {
        ::metrics::gauge!("callboard_db_pool_connections", "state" => state).set(value);
    };
    gauge("idle", idle as f64);
    gauge("in_use", open.saturating_sub(idle as u32) as f64);
    gauge("max", max as f64);
    ::metrics::counter!("callboard_db_statements_total").absolute(db.statements_run());
    handle.run_upkeep();
    handle.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_plain_names() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Kpis")), "Kpis");
        assert_eq!(operation_label(Some("drop table; --")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
    }
}
