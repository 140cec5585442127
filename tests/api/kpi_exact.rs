//! Exactness: after random, shuffled, duplicated ingest, every metric of
//! `kpis`, `kpiSeries` (every granularity, several zones, ragged ranges,
//! ranges read from months less their other days) and `kpiBreakdown`
//! (every dimension) equals a plain recomputation from the stored calls,
//! and `rollups verify` finds nothing to fix.

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::ingest_order::{Message, deliver, messages};
use chrono::{DateTime, Duration, Utc};
use entity::enums::{CallDirection, CallStatus, Sentiment};
use entity::{call, lead_analysis};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

pub const ALL_KPIS: &str = "totalCalls inboundCalls outboundCalls answeredCalls completedCalls failedCalls busyCalls noAnswerCalls cancelledCalls inProgressCalls answerRate successRate totalDurationSeconds avgDurationSeconds billedMinutes creditsUsed totalCost analyzedCalls hotLeads warmLeads coldLeads avgTotalScore avgIntentScore avgUrgencyScore avgBudgetScore avgFitScore avgEngagementScore ctaPricingClicks ctaDemoClicks ctaFollowupClicks ctaSampleClicks humanEscalations callsWithCta ctaConversionRate demosBooked positiveCalls neutralCalls negativeCalls";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The tenant's zone and where its data starts: alternately a half-hour
/// zone in February, and a DST zone over the spring change (Europe/Berlin
/// on 2026-03-29: a 23-hour day in the daily rollup).
fn scenario(case: usize) -> (&'static str, DateTime<Utc>) {
    if case.is_multiple_of(2) {
        ("Asia/Kolkata", at("2026-02-01T00:00:00Z"))
    } else {
        ("Europe/Berlin", at("2026-03-26T00:00:00Z"))
    }
}

/// Spreads the generator's seconds over days, so that ranges use the daily
/// and 15-minute rollups as well as ragged ends.
fn spread(messages: Vec<Message>, base: DateTime<Utc>) -> Vec<Message> {
    messages
        .into_iter()
        .map(|m| match m {
            Message::Event(mut e) => {
                let call: i64 = e
                    .provider_call_id
                    .trim_start_matches("call-")
                    .parse()
                    .unwrap_or(0);
                let second = (e.occurred_at
                    - DateTime::parse_from_rfc3339("2026-02-01T09:00:00Z")
                        .unwrap()
                        .to_utc())
                .num_seconds();
                let provider_shift = if e.provider == "exotel" { 11 } else { 0 };
                e.occurred_at = base
                    + Duration::hours(call * 31 + provider_shift)
                    + Duration::seconds(second * 1777 + 7);
                Message::Event(e)
            }
            other => other,
        })
        .collect()
}

/// One call as the reference sees it.
struct Row {
    call: call::Model,
    analysis: Option<lead_analysis::Model>,
}

async fn rows(app: &TestApp, tenant: Uuid) -> Vec<Row> {
    let calls = call::Entity::find()
        .filter(call::Column::TenantId.eq(tenant))
        .all(app.db.conn())
        .await
        .unwrap();
    let analyses = lead_analysis::Entity::find()
        .filter(lead_analysis::Column::TenantId.eq(tenant))
        .all(app.db.conn())
        .await
        .unwrap();
    let mut effective: HashMap<Uuid, lead_analysis::Model> = HashMap::new();
    for a in analyses {
        let better = match effective.get(&a.call_id) {
            None => true,
            Some(b) => {
                (a.analyzed_at, a.analysis_id.as_bytes())
                    > (b.analyzed_at, b.analysis_id.as_bytes())
            }
        };
        if better {
            effective.insert(a.call_id, a);
        }
    }
    calls
        .into_iter()
        .map(|c| Row {
            analysis: effective.remove(&c.id),
            call: c,
        })
        .collect()
}

/// KPIS.md, computed the plain way.
fn reference(rows: &[&Row]) -> Value {
    let n = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as i64;
    let sum = |f: &dyn Fn(&Row) -> i64| rows.iter().map(|r| f(r)).sum::<i64>();
    let rate = |a: i64, b: i64| {
        if b == 0 {
            Value::Null
        } else {
            json!(a as f64 / b as f64)
        }
    };
    let analyzed: Vec<&lead_analysis::Model> =
        rows.iter().filter_map(|r| r.analysis.as_ref()).collect();
    let avg = |f: &dyn Fn(&lead_analysis::Model) -> Option<i32>| {
        let values: Vec<i64> = analyzed
            .iter()
            .filter_map(|a| f(a))
            .map(i64::from)
            .collect();
        if values.is_empty() {
            Value::Null
        } else {
            json!(values.iter().sum::<i64>() as f64 / values.len() as f64)
        }
    };
    let a =
        |f: &dyn Fn(&lead_analysis::Model) -> bool| analyzed.iter().filter(|x| f(x)).count() as i64;
    let total = rows.len() as i64;
    let answered = n(&|r| r.call.answered_at.is_some() || r.call.status == CallStatus::Completed);
    let completed = n(&|r| r.call.status == CallStatus::Completed);
    let duration = sum(&|r| r.call.duration_seconds);
    let with_cta = a(&|x| {
        x.cta_pricing || x.cta_demo || x.cta_followup || x.cta_sample || x.escalated_to_human
    });
    let cost = sum(&|r| r.call.cost_micros.unwrap_or(0));
    json!({
        "totalCalls": total,
        "inboundCalls": n(&|r| r.call.direction == Some(CallDirection::Inbound)),
        "outboundCalls": n(&|r| r.call.direction == Some(CallDirection::Outbound)),
        "answeredCalls": answered,
        "completedCalls": completed,
        "failedCalls": n(&|r| r.call.status == CallStatus::Failed),
        "busyCalls": n(&|r| r.call.status == CallStatus::Busy),
        "noAnswerCalls": n(&|r| r.call.status == CallStatus::NoAnswer),
        "cancelledCalls": n(&|r| r.call.status == CallStatus::Cancelled),
        "inProgressCalls": n(&|r| matches!(r.call.status, CallStatus::Initiated | CallStatus::Ringing | CallStatus::InProgress)),
        "answerRate": rate(answered, total),
        "successRate": rate(completed, total),
        "totalDurationSeconds": duration,
        "avgDurationSeconds": rate(duration, answered),
        "billedMinutes": sum(&|r| (r.call.duration_seconds + 59) / 60),
        "creditsUsed": sum(&|r| (r.call.duration_seconds + 59) / 60),
        "totalCost": rust_decimal::Decimal::new(cost, 6).normalize().to_string(),
        "analyzedCalls": analyzed.len() as i64,
        "hotLeads": a(&|x| x.total_score >= 80),
        "warmLeads": a(&|x| (50..80).contains(&x.total_score)),
        "coldLeads": a(&|x| x.total_score < 50),
        "avgTotalScore": avg(&|x| Some(x.total_score)),
        "avgIntentScore": avg(&|x| x.intent_score),
        "avgUrgencyScore": avg(&|x| x.urgency_score),
        "avgBudgetScore": avg(&|x| x.budget_score),
        "avgFitScore": avg(&|x| x.fit_score),
        "avgEngagementScore": avg(&|x| x.engagement_score),
        "ctaPricingClicks": a(&|x| x.cta_pricing),
        "ctaDemoClicks": a(&|x| x.cta_demo),
        "ctaFollowupClicks": a(&|x| x.cta_followup),
        "ctaSampleClicks": a(&|x| x.cta_sample),
        "humanEscalations": a(&|x| x.escalated_to_human),
        "callsWithCta": with_cta,
        "ctaConversionRate": rate(with_cta, total),
        "demosBooked": a(&|x| x.demo_booked_at.is_some()),
        "positiveCalls": a(&|x| x.sentiment == Some(Sentiment::Positive)),
        "neutralCalls": a(&|x| x.sentiment == Some(Sentiment::Neutral)),
        "negativeCalls": a(&|x| x.sentiment == Some(Sentiment::Negative)),
    })
}

/// Equal, with floats to 1e-9 relative error.
pub fn assert_kpis_eq(got: &Value, want: &Value, context: &str) {
    for (name, w) in want.as_object().unwrap() {
        let g = &got[name];
        match (g.as_f64(), w.as_f64()) {
            (Some(x), Some(y)) if w.is_f64() || g.is_f64() => {
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                    "{context}: {name} = {g}, expected {w}"
                );
            }
            _ => assert_eq!(g, w, "{context}: {name}"),
        }
    }
}

fn in_range(r: &Row, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    r.call.initiated_at.is_some_and(|t| from <= t && t < to)
}

async fn gql(app: &TestApp, key: &str, query: &str, vars: Value) -> Value {
    let body = app.gql(Some(key), query, vars).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

async fn check_exactness(app: &TestApp, messages: Vec<Message>, sizes: Vec<usize>, case: usize) {
    let (zone, base) = scenario(case);
    let (tenant, _) = api::tenant::create_tenant(
        app.db.conn(),
        api::tenant::NewTenant {
            name: format!("kpi{case}"),
            timezone: zone.into(),
            default_country: Some("IN".into()),
            credits_per_minute: None,
        },
    )
    .await
    .map_err(anyhow::Error::from)
    .unwrap();
    let key = {
        // `create_tenant` returned the row; a READ key for this tenant:
        api::tenant::create_api_key(
            app.db.conn(),
            api::tenant::operator_tenant_id(tenant.id),
            api::tenant::NewApiKey {
                name: "t".into(),
                scopes: vec![entity::enums::ApiKeyScope::Read],
                persisted_only: false,
            },
        )
        .await
        .map_err(anyhow::Error::from)
        .unwrap()
        .secret
    };
    let messages = spread(messages, base);
    deliver(app, &tenant, &messages, &sizes).await;
    let all = rows(app, tenant.id).await;

    let ranges = [
        (base, base + Duration::days(8)),
        (
            base + Duration::seconds(4321),
            base + Duration::days(5) + Duration::seconds(987),
        ),
        (
            base + Duration::hours(30) + Duration::minutes(7),
            base + Duration::hours(31),
        ),
        (
            base + Duration::minutes(15),
            base + Duration::days(2) + Duration::minutes(45),
        ),
        // Most of a month: its monthly row less its other days, which hold
        // calls of their own (Kolkata: February less February 1-3; Berlin:
        // March less March 1-5 and 30-31).
        (
            base + Duration::days(2) + Duration::hours(5) + Duration::seconds(7),
            base + Duration::days(40),
        ),
        (
            base - Duration::days(20),
            base + Duration::days(4) + Duration::hours(3),
        ),
        (base - Duration::days(3), base + Duration::days(20)),
        // Up to now, as a dashboard asks: this month less the future.
        (base - Duration::days(3), Utc::now()),
    ];
    let kpis_q = format!(
        "query($range: TimeRangeInput!, $filter: KpiFilterInput) {{ kpis(range: $range, filter: $filter) {{ {ALL_KPIS} }} }}"
    );
    for (from, to) in ranges {
        let range = json!({ "from": from.to_rfc3339(), "to": to.to_rfc3339() });
        let got = gql(app, &key, &kpis_q, json!({ "range": range })).await;
        let want = reference(
            &all.iter()
                .filter(|r| in_range(r, from, to))
                .collect::<Vec<_>>(),
        );
        assert_kpis_eq(&got["kpis"], &want, &format!("kpis {from}..{to}"));

        for (filter, keep) in [
            (
                json!({ "direction": "INBOUND" }),
                Box::new(|r: &Row| r.call.direction == Some(CallDirection::Inbound))
                    as Box<dyn Fn(&Row) -> bool>,
            ),
            (
                json!({ "providers": ["exotel"] }),
                Box::new(|r: &Row| r.call.provider == "exotel"),
            ),
            (json!({ "providers": [] }), Box::new(|_: &Row| false)),
        ] {
            let got = gql(
                app,
                &key,
                &kpis_q,
                json!({ "range": range, "filter": filter }),
            )
            .await;
            let want = reference(
                &all.iter()
                    .filter(|r| in_range(r, from, to) && keep(r))
                    .collect::<Vec<_>>(),
            );
            assert_kpis_eq(&got["kpis"], &want, &format!("kpis {filter} {from}..{to}"));
        }

        let breakdown_q = format!(
            "query($range: TimeRangeInput!, $by: KpiDimension!) {{ kpiBreakdown(range: $range, by: $by) {{ key label kpis {{ {ALL_KPIS} }} }} }}"
        );
        for by in ["AGENT", "CAMPAIGN", "DIRECTION", "PROVIDER", "STATUS"] {
            let got = gql(app, &key, &breakdown_q, json!({ "range": range, "by": by })).await;
            let groups = got["kpiBreakdown"].as_array().unwrap();
            let in_range_rows: Vec<&Row> = all.iter().filter(|r| in_range(r, from, to)).collect();
            let key_of = |r: &Row| -> Option<String> {
                match by {
                    "AGENT" => r.call.agent_id.map(|id| {
                        api::domain::GlobalId::new(api::domain::NodeKind::Agent, id).encode()
                    }),
                    "CAMPAIGN" => r.call.campaign_id.map(|id| {
                        api::domain::GlobalId::new(api::domain::NodeKind::Campaign, id).encode()
                    }),
                    "DIRECTION" => r.call.direction.map(|d| {
                        serde_json::to_value(d)
                            .unwrap()
                            .as_str()
                            .unwrap()
                            .to_owned()
                    }),
                    "PROVIDER" => Some(r.call.provider.clone()),
                    _ => Some(
                        serde_json::to_value(r.call.status)
                            .unwrap()
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    ),
                }
            };
            let mut expected: HashMap<Option<String>, Vec<&Row>> = HashMap::new();
            for r in &in_range_rows {
                expected.entry(key_of(r)).or_default().push(r);
            }
            assert_eq!(groups.len(), expected.len(), "{by} groups {from}..{to}");
            let mut previous: Option<(i64, Option<String>)> = None;
            for g in groups {
                let k = g["key"].as_str().map(str::to_owned);
                let want = reference(&expected[&k]);
                assert_kpis_eq(&g["kpis"], &want, &format!("{by} {k:?}"));
                let total = g["kpis"]["totalCalls"].as_i64().unwrap();
                if let Some((pt, pk)) = &previous {
                    let ordered = *pt > total
                        || (*pt == total
                            && match (pk, &k) {
                                (Some(a), Some(b)) => a.as_bytes() < b.as_bytes(),
                                (Some(_), None) => true,
                                _ => false,
                            });
                    assert!(ordered, "{by} order: {pk:?}({pt}) before {k:?}({total})");
                }
                previous = Some((total, k));
            }
        }
    }

    let series_q = format!(
        "query($range: TimeRangeInput!, $g: Granularity!, $tz: String) {{ kpiSeries(range: $range, granularity: $g, timezone: $tz) {{ bucketStart kpis {{ {ALL_KPIS} }} }} }}"
    );
    for (g, tz, from, to) in [
        ("DAY", "Asia/Kolkata", base, base + Duration::days(8)),
        (
            "HOUR",
            "Asia/Kathmandu",
            base + Duration::hours(29) + Duration::seconds(77),
            base + Duration::hours(40),
        ),
        (
            "WEEK",
            "America/New_York",
            base + Duration::seconds(1),
            base + Duration::days(9),
        ),
        (
            "MONTH",
            "UTC",
            base - Duration::days(3),
            base + Duration::days(9),
        ),
        (
            "DAY",
            "Europe/Berlin",
            base + Duration::minutes(7),
            base + Duration::days(6),
        ),
        (
            "MONTH",
            "Asia/Kolkata",
            base - Duration::days(40),
            base + Duration::days(70),
        ),
    ] {
        let got = gql(app, &key, &series_q, json!({ "range": { "from": from.to_rfc3339(), "to": to.to_rfc3339() }, "g": g, "tz": tz })).await;
        let points = got["kpiSeries"].as_array().unwrap();
        let starts: Vec<DateTime<Utc>> = points
            .iter()
            .map(|p| {
                DateTime::parse_from_rfc3339(p["bucketStart"].as_str().unwrap())
                    .unwrap()
                    .to_utc()
            })
            .collect();
        assert!(
            starts[0] <= from && starts.windows(2).all(|w| w[0] < w[1]),
            "{g} {tz}: ordered, first bucket aligned at or before from"
        );
        let mut counted = 0;
        for (i, p) in points.iter().enumerate() {
            let lo = starts[i].max(from);
            let hi = starts.get(i + 1).copied().unwrap_or(to).min(to);
            let members: Vec<&Row> = all.iter().filter(|r| in_range(r, lo, hi)).collect();
            counted += members.len();
            assert_kpis_eq(
                &p["kpis"],
                &reference(&members),
                &format!("{g} {tz} bucket {}", p["bucketStart"]),
            );
        }
        assert_eq!(
            counted,
            all.iter().filter(|r| in_range(r, from, to)).count(),
            "{g} {tz}: every call in exactly one bucket"
        );
    }

    let differences = api::kpi::rebuild::verify(&app.db, tenant.id).await.unwrap();
    assert!(
        differences.is_empty(),
        "rollups differ from a recomputation: {differences:?}"
    );
}

fn run(backend: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(app) = rt.block_on(spawn_app(
        backend,
        "kpi_exact::every_metric_matches_a_recomputation",
    )) else {
        return;
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let case = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(
            &(messages(), prop::collection::vec(1..9usize, 1..4)),
            |(messages, sizes)| {
                let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(check_exactness(&app, messages, sizes, n));
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn every_metric_matches_a_recomputation_on_sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn every_metric_matches_a_recomputation_on_postgres() {
    run(Backend::Postgres);
}
