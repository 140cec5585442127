//! Read benchmark: the contract's dashboard queries over HTTP, p50/p99 over
//! N requests after warm-up, next to the same numbers computed straight
//! from the calls table, and the server's peak memory.
//!
//! cargo run --release --example bench_reads -- --url http://127.0.0.1:8000/graphql \
//!     --key cbk_... --tenant <uuid> --database-url postgres://postgres@127.0.0.1/bench --server-pid <pid> \
//!     [--ranges dashboard|rolling]
//!
//! `--throughput 32 [--seconds 20]` measures requests per second of
//! `RecentCalls` over 32 connections instead.
//!
//! `--ranges dashboard` (the default) sends the ranges a dashboard sends:
//! "the last N days" from the tenant's local midnight N-1 days ago up to
//! now. `rolling` sends exactly N*24 hours back from now, ragged at both
//! ends.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use std::time::Instant;

const OPERATIONS: &str = include_str!("../docs/examples/operations.graphql");

struct Args {
    url: String,
    key: String,
    tenant: Option<String>,
    database_url: Option<String>,
    server_pid: Option<u32>,
    requests: usize,
    warmup: usize,
    only: Option<String>,
    dashboard_ranges: bool,
    /// `--throughput N`: instead of latencies, N connections sending
    /// `RecentCalls` back to back for `--seconds`.
    throughput: Option<usize>,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        url: "http://127.0.0.1:8000/graphql".into(),
        key: String::new(),
        tenant: None,
        database_url: None,
        server_pid: None,
        requests: 200,
        warmup: 20,
        only: None,
        dashboard_ranges: true,
        throughput: None,
        seconds: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--url" => a.url = value,
            "--key" => a.key = value,
            "--tenant" => a.tenant = Some(value),
            "--database-url" => a.database_url = Some(value),
            "--server-pid" => a.server_pid = value.parse().ok(),
            "--requests" => a.requests = value.parse().unwrap_or(200),
            "--warmup" => a.warmup = value.parse().unwrap_or(20),
            "--only" => a.only = Some(value),
            "--ranges" => a.dashboard_ranges = value != "rolling",
            "--throughput" => a.throughput = value.parse().ok(),
            "--seconds" => a.seconds = value.parse().unwrap_or(20),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    println!(
        "{name:<44} n={:<4} p50={:>7.2} ms  p99={:>7.2} ms  mean={:>7.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        mean
    );
}

fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// POSTs a GraphQL request with `key`.
async fn send(client: &reqwest::Client, url: &str, key: &str, body: &Value) -> reqwest::Response {
    client
        .post(url)
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// POSTs a GraphQL request with `key`; the JSON answer.
async fn post(client: &reqwest::Client, url: &str, key: &str, body: &Value) -> Value {
    send(client, url, key, body).await.json().await.unwrap()
}

/// `connections` clients sending `RecentCalls` (first 100, every nested
/// field) back to back for `seconds`; prints requests per second.
async fn throughput(a: &Args, connections: usize) {
    let body = json!({ "query": OPERATIONS, "operationName": "RecentCalls", "variables": { "first": 100 } });
    let deadline = Instant::now() + std::time::Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, key, body) = (a.url.clone(), a.key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut done = 0u64;
            while Instant::now() < deadline {
                // Like a load tool, check the answer without parsing it, so
                // that the client spends little of the shared CPU.
                let response = send(&client, &url, &key, &body).await;
                assert_eq!(response.status(), 200);
                let bytes = response.bytes().await.unwrap();
                assert!(bytes.starts_with(br#"{"data":{"calls":"#), "{bytes:?}");
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    println!(
        "RecentCalls (first 100, all nested), {connections} connections, {} s: {total} requests, {:.0} requests/s",
        a.seconds,
        total as f64 / a.seconds as f64
    );
}

#[tokio::main]
async fn main() {
    let a = args();
    if let Some(connections) = a.throughput {
        throughput(&a, connections).await;
        return;
    }
    let client = reqwest::Client::new();
    let now = Utc::now();
    let zone: chrono_tz::Tz = {
        let body = post(
            &client,
            &a.url,
            &a.key,
            &json!({ "query": "{ tenant { timezone } }" }),
        )
        .await;
        body["data"]["tenant"]["timezone"]
            .as_str()
            .and_then(|tz| tz.parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC)
    };
    let dashboard = a.dashboard_ranges;
    println!(
        "ranges: {} (tenant zone {zone})",
        if dashboard {
            "dashboard (local midnight N-1 days ago .. now)"
        } else {
            "rolling (now - N days .. now)"
        }
    );
    let day = |d: i64| {
        if dashboard {
            use chrono::TimeZone;
            let date = now.with_timezone(&zone).date_naive() - Duration::days(d - 1);
            zone.from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap())
                .earliest()
                .unwrap()
                .to_utc()
        } else {
            now - Duration::days(d)
        }
    };
    let thirty = json!({ "from": day(30).to_rfc3339(), "to": now.to_rfc3339() });
    let ninety = json!({ "from": day(90).to_rfc3339(), "to": now.to_rfc3339() });
    let cases: Vec<(&str, &str, Value)> = vec![
        ("Kpis (30 days)", "Kpis", json!({ "range": thirty })),
        (
            "KpiSeries DAY (90 days)",
            "KpiSeries",
            json!({ "range": ninety, "granularity": "DAY" }),
        ),
        (
            "KpiBreakdown AGENT (30 days)",
            "KpiBreakdown",
            json!({ "range": thirty, "by": "AGENT" }),
        ),
        (
            "AgentLeaderboard (100 agents, 30 days)",
            "AgentLeaderboard",
            json!({ "first": 100, "range": thirty }),
        ),
        (
            "RecentCalls (first 100, all nested)",
            "RecentCalls",
            json!({ "first": 100 }),
        ),
    ];
    for (name, operation, variables) in cases {
        if a.only.as_deref().is_some_and(|o| o != operation) {
            continue;
        }
        let body =
            json!({ "query": OPERATIONS, "operationName": operation, "variables": variables });
        let mut timings = Vec::new();
        for i in 0..a.warmup + a.requests {
            // The clock runs until the answer's last byte arrives, as a load
            // tool's does; the answer is parsed and checked after it stops,
            // so the client's JSON parsing is not counted as the server's.
            let started = Instant::now();
            let bytes = send(&client, &a.url, &a.key, &body)
                .await
                .bytes()
                .await
                .unwrap();
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let response: Value = serde_json::from_slice(&bytes).unwrap();
            assert!(response["errors"].is_null(), "{name}: {response}");
            if i >= a.warmup {
                timings.push(elapsed);
            }
        }
        report(&format!("HTTP {name}"), timings);
    }

    if let (Some(url), Some(tenant)) = (&a.database_url, &a.tenant) {
        let db = Database::connect(url.as_str()).await.unwrap();
        let backend = db.get_database_backend();
        let (t, from, to, cast) = match backend {
            DbBackend::Postgres => ("$1::uuid", "$2::timestamptz", "$3::timestamptz", "::uuid"),
            _ => ("?", "?", "?", ""),
        };
        let _ = cast;
        let sums = "COUNT(*), SUM(CASE WHEN c.answered THEN 1 ELSE 0 END), SUM(c.duration_seconds), SUM(c.billed_minutes), SUM(c.credits), SUM(c.cost_micros), COUNT(la.id), SUM(CASE WHEN la.total_score >= 80 THEN 1 ELSE 0 END), AVG(la.total_score), SUM(CASE WHEN la.cta_demo THEN 1 ELSE 0 END)";
        let join = "FROM calls c LEFT JOIN lead_analyses la ON la.tenant_id = c.tenant_id AND la.call_id = c.id AND la.effective";
        let day_expr = if backend == DbBackend::Postgres {
            format!(
                "date_trunc('day', c.initiated_at AT TIME ZONE '{}')",
                zone.name()
            )
        } else {
            // SQLite knows no zones: a fixed offset is close enough for timing.
            "date(c.initiated_at, '+330 minutes')".to_owned()
        };
        let tenant_id = uuid::Uuid::parse_str(tenant).unwrap();
        let sql_cases = [
            (
                "Kpis (30 days)",
                format!(
                    "SELECT {sums} {join} WHERE c.tenant_id = {t} AND c.initiated_at >= {from} AND c.initiated_at < {to}"
                ),
                30,
            ),
            (
                "KpiSeries DAY (90 days)",
                format!(
                    "SELECT {day_expr} AS d, {sums} {join} WHERE c.tenant_id = {t} AND c.initiated_at >= {from} AND c.initiated_at < {to} GROUP BY d"
                ),
                90,
            ),
            (
                "KpiBreakdown AGENT (30 days)",
                format!(
                    "SELECT c.agent_id, {sums} {join} WHERE c.tenant_id = {t} AND c.initiated_at >= {from} AND c.initiated_at < {to} GROUP BY c.agent_id"
                ),
                30,
            ),
        ];
        for (name, sql, days) in sql_cases {
            let mut timings = Vec::new();
            for i in 0..3 + 20 {
                let values: Vec<sea_orm::Value> =
                    vec![tenant_id.into(), day(days).into(), now.into()];
                let started = Instant::now();
                db.query_all_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
                    .await
                    .unwrap();
                if i >= 3 {
                    timings.push(started.elapsed().as_secs_f64() * 1000.0);
                }
            }
            report(&format!("SQL straight from calls: {name}"), timings);
        }
    }
    if let Some(pid) = a.server_pid {
        match peak_rss_mb(pid) {
            Some(mb) => println!("server peak RSS (VmHWM): {mb:.1} MB"),
            None => println!("server peak RSS: unavailable for pid {pid}"),
        }
    }
}
