//! KPIS.md behaviours through the contract's operations: freshness, ranges,
//! series, breakdowns, filters, and agent KPIs.

use crate::contract::operation;
use crate::helpers::*;
use crate::ingest::{event, event_with, send_analyses, send_events};
use serde_json::{Value, json};

fn range(from: &str, to: &str) -> Value {
    json!({ "from": from, "to": to })
}

/// The day of the `event()` helper's calls.
fn day() -> Value {
    range("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z")
}

async fn kpis(app: &TestApp, key: &str, range: Value, filter: Value) -> Value {
    let body = app
        .gql(
            Some(key),
            &operation("Kpis"),
            json!({ "range": range, "filter": filter }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["kpis"].clone()
}

fn analysis(id: &str, call: &str, at: &str, total: i64) -> Value {
    json!({ "analysisId": id, "provider": "bolna", "providerCallId": call, "analyzedAt": at, "totalScore": total, "ctaDemo": true })
}

db_test! {
    async fn a_mutation_is_visible_to_the_next_query(app) {
        let t = app.create_tenant("Acme").await;
        assert_eq!(kpis(&app, &t.key, day(), Value::Null).await["totalCalls"], 0);
        send_events(&app, &t.key, vec![event("i", "c1", "INITIATED", 0), event("a", "c1", "ANSWERED", 5), event_with("x", "c1", "COMPLETED", 70, json!({ "durationSeconds": 65, "cost": "0.25" }))]).await;
        let k = kpis(&app, &t.key, day(), Value::Null).await;
        assert_eq!((k["totalCalls"].as_i64(), k["answeredCalls"].as_i64(), k["completedCalls"].as_i64()), (Some(1), Some(1), Some(1)));
        assert_eq!((k["billedMinutes"].as_i64(), k["creditsUsed"].as_i64(), k["totalCost"].as_str()), (Some(2), Some(2), Some("0.25")));
        assert_eq!(k["avgDurationSeconds"], 65.0);
        assert_eq!(k["answerRate"], 1.0);
        assert_eq!(k["analyzedCalls"], 0);
        assert!(k["avgTotalScore"].is_null(), "averages over nothing are null");

        let as_of = app.gql(Some(&t.key), "query($r: TimeRangeInput!) { kpis(range: $r) { asOf } }", json!({ "r": day() })).await;
        assert!(as_of["data"]["kpis"]["asOf"].is_string());
    }
}

db_test! {
    async fn a_reanalysis_and_a_late_outcome_move_the_numbers(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![event("i", "c1", "INITIATED", 0), event("b", "c1", "BUSY", 5)]).await;
        send_analyses(&app, &t.key, vec![analysis("a1", "c1", "2026-03-10T11:00:00Z", 90)]).await;
        let k = kpis(&app, &t.key, day(), Value::Null).await;
        assert_eq!((k["hotLeads"].as_i64(), k["busyCalls"].as_i64(), k["ctaDemoClicks"].as_i64()), (Some(1), Some(1), Some(1)));

        send_analyses(&app, &t.key, vec![analysis("a2", "c1", "2026-03-10T12:00:00Z", 20)]).await;
        send_events(&app, &t.key, vec![event_with("c", "c1", "COMPLETED", 9, json!({ "durationSeconds": 3 }))]).await;
        let k = kpis(&app, &t.key, day(), Value::Null).await;
        assert_eq!((k["hotLeads"].as_i64(), k["coldLeads"].as_i64(), k["analyzedCalls"].as_i64()), (Some(0), Some(1), Some(1)));
        assert_eq!((k["busyCalls"].as_i64(), k["completedCalls"].as_i64(), k["answeredCalls"].as_i64()), (Some(0), Some(1), Some(1)));
        assert_eq!(k["avgTotalScore"], 20.0);

        // An older analysis arriving late changes nothing.
        send_analyses(&app, &t.key, vec![analysis("a0", "c1", "2026-03-10T10:30:00Z", 99)]).await;
        assert_eq!(kpis(&app, &t.key, day(), Value::Null).await["hotLeads"], 0);
    }
}

db_test! {
    async fn a_call_counts_only_once_its_initiation_is_known(app) {
        let t = app.create_tenant("Acme").await;
        send_analyses(&app, &t.key, vec![analysis("a1", "early", "2026-03-10T11:00:00Z", 85)]).await;
        let everything = range("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
        assert_eq!(kpis(&app, &t.key, everything.clone(), Value::Null).await["totalCalls"], 0);
        send_events(&app, &t.key, vec![event("i", "early", "INITIATED", 0)]).await;
        let k = kpis(&app, &t.key, everything, Value::Null).await;
        assert_eq!((k["totalCalls"].as_i64(), k["hotLeads"].as_i64(), k["inProgressCalls"].as_i64()), (Some(1), Some(1), Some(1)));
    }
}

db_test! {
    async fn ragged_ranges_are_exact_to_the_microsecond(app) {
        let t = app.create_tenant("Acme").await;
        let mut inside = event("in", "c-in", "INITIATED", 0);
        inside["occurredAt"] = json!("2026-03-10T10:07:00.000001Z");
        let mut edge = event("edge", "c-edge", "INITIATED", 0);
        edge["occurredAt"] = json!("2026-03-10T10:07:00Z");
        let mut after = event("out", "c-out", "INITIATED", 0);
        after["occurredAt"] = json!("2026-03-10T10:52:00.5Z");
        send_events(&app, &t.key, vec![inside, edge, after]).await;
        let k = kpis(&app, &t.key, range("2026-03-10T10:07:00.000001Z", "2026-03-10T10:52:00.5Z"), Value::Null).await;
        assert_eq!(k["totalCalls"], 1, "from is inclusive, to exclusive");
        let k = kpis(&app, &t.key, range("2026-03-10T10:07:00Z", "2026-03-10T10:52:00.500001Z"), Value::Null).await;
        assert_eq!(k["totalCalls"], 3);
    }
}

db_test! {
    async fn bad_ranges_zones_and_bucket_counts_are_bad_user_input(app) {
        let t = app.create_tenant("Acme").await;
        let backwards = app.gql(Some(&t.key), &operation("Kpis"), json!({ "range": range("2026-03-11T00:00:00Z", "2026-03-10T00:00:00Z") })).await;
        assert_eq!(error_code(&backwards), "BAD_USER_INPUT");
        let empty = app.gql(Some(&t.key), &operation("Kpis"), json!({ "range": range("2026-03-10T00:00:00Z", "2026-03-10T00:00:00Z") })).await;
        assert_eq!(error_code(&empty), "BAD_USER_INPUT");
        let series = operation("KpiSeries");
        let zone = app.gql(Some(&t.key), &series, json!({ "range": day(), "granularity": "HOUR", "timezone": "Mars/Base" })).await;
        assert_eq!(error_code(&zone), "BAD_USER_INPUT");
        let too_many = app.gql(Some(&t.key), &series, json!({ "range": range("2020-01-01T00:00:00Z", "2022-01-01T00:00:00Z"), "granularity": "HOUR" })).await;
        assert_eq!(error_code(&too_many), "BAD_USER_INPUT");
        let breakdown = app.gql(Some(&t.key), &operation("KpiBreakdown"), json!({ "range": range("2026-03-11T00:00:00Z", "2026-03-10T00:00:00Z"), "by": "AGENT" })).await;
        assert_eq!(error_code(&breakdown), "BAD_USER_INPUT");
    }
}

db_test! {
    async fn series_include_empty_buckets_in_the_tenants_zone(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![event("i", "c1", "INITIATED", 0)]).await;
        let body = app.gql(Some(&t.key), &operation("KpiSeries"), json!({ "range": range("2026-03-08T18:30:00Z", "2026-03-12T18:30:00Z"), "granularity": "DAY" })).await;
        let points = body["data"]["kpiSeries"].as_array().unwrap_or_else(|| panic!("{body}"));
        let starts: Vec<&str> = points.iter().map(|p| p["bucketStart"].as_str().unwrap()).collect();
        assert_eq!(starts, vec!["2026-03-09T00:00:00+05:30", "2026-03-10T00:00:00+05:30", "2026-03-11T00:00:00+05:30", "2026-03-12T00:00:00+05:30"]);
        let totals: Vec<i64> = points.iter().map(|p| p["kpis"]["totalCalls"].as_i64().unwrap()).collect();
        assert_eq!(totals, vec![0, 1, 0, 0], "10:00 UTC is 15:30 in Kolkata on the 10th");
        assert!(points[0]["kpis"]["answerRate"].is_null());
    }
}

db_test! {
    async fn breakdowns_order_by_calls_then_key_with_the_null_group_last(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event_with("1", "c1", "INITIATED", 0, json!({ "agentExternalId": "zed", "direction": "OUTBOUND" })),
            event_with("2", "c2", "INITIATED", 1, json!({ "agentExternalId": "zed", "direction": "INBOUND" })),
            event_with("3", "c3", "INITIATED", 2, json!({ "agentExternalId": "amy", "direction": "OUTBOUND" })),
            event("4", "c4", "INITIATED", 3),
        ]).await;
        let q = operation("KpiBreakdown");
        let body = app.gql(Some(&t.key), &q, json!({ "range": day(), "by": "AGENT" })).await;
        let groups = body["data"]["kpiBreakdown"].as_array().unwrap_or_else(|| panic!("{body}"));
        let labels: Vec<Value> = groups.iter().map(|g| g["label"].clone()).collect();
        assert_eq!(labels, vec![json!("zed"), json!("amy"), Value::Null]);
        assert_eq!(groups[0]["agent"]["externalId"], "zed");
        assert_eq!(groups[0]["key"], groups[0]["agent"]["id"]);
        assert!(groups[2]["key"].is_null() && groups[2]["agent"].is_null());
        assert_eq!(groups[2]["kpis"]["totalCalls"], 1);

        let body = app.gql(Some(&t.key), &q, json!({ "range": day(), "by": "DIRECTION" })).await;
        let keys: Vec<Value> = body["data"]["kpiBreakdown"].as_array().unwrap().iter().map(|g| g["key"].clone()).collect();
        assert_eq!(keys, vec![json!("OUTBOUND"), json!("INBOUND"), Value::Null], "INBOUND and null tie at 1: the null group goes last");
        let body = app.gql(Some(&t.key), &q, json!({ "range": day(), "by": "STATUS" })).await;
        assert_eq!(body["data"]["kpiBreakdown"][0]["key"], "INITIATED");
        let body = app.gql(Some(&t.key), &q, json!({ "range": day(), "by": "PROVIDER" })).await;
        assert_eq!(body["data"]["kpiBreakdown"][0]["key"], "bolna");
    }
}

db_test! {
    async fn filters_with_another_tenants_ids_or_empty_lists_count_nothing(app) {
        let a = app.create_tenant("A").await;
        let b = app.create_tenant("B").await;
        send_events(&app, &a.key, vec![event_with("1", "c1", "INITIATED", 0, json!({ "agentExternalId": "amy", "campaign": "spring" }))]).await;
        send_events(&app, &b.key, vec![event_with("1", "c1", "INITIATED", 0, json!({ "agentExternalId": "amy", "campaign": "spring" }))]).await;
        let groups = app.gql(Some(&a.key), &operation("KpiBreakdown"), json!({ "range": day(), "by": "AGENT" })).await;
        let agent_of_a = groups["data"]["kpiBreakdown"][0]["key"].clone();
        let campaigns = app.gql(Some(&a.key), &operation("KpiBreakdown"), json!({ "range": day(), "by": "CAMPAIGN" })).await;
        let campaign_of_a = campaigns["data"]["kpiBreakdown"][0]["key"].clone();

        assert_eq!(kpis(&app, &a.key, day(), json!({ "agentIds": [agent_of_a] })).await["totalCalls"], 1);
        assert_eq!(kpis(&app, &b.key, day(), json!({ "agentIds": [agent_of_a] })).await["totalCalls"], 0, "B sees nothing through A's id");
        assert_eq!(kpis(&app, &b.key, day(), json!({ "campaignIds": [campaign_of_a] })).await["totalCalls"], 0);
        assert_eq!(kpis(&app, &a.key, day(), json!({ "agentIds": [] })).await["totalCalls"], 0, "an empty list matches nothing");
        assert_eq!(kpis(&app, &a.key, day(), json!({ "agentIds": ["garbage"] })).await["totalCalls"], 0);
        assert_eq!(kpis(&app, &a.key, day(), json!({ "campaignIds": [campaign_of_a], "direction": "INBOUND" })).await["totalCalls"], 0, "AND across fields");
        assert_eq!(kpis(&app, &b.key, day(), Value::Null).await["totalCalls"], 1);
        let b_breakdown = app.gql(Some(&b.key), &operation("KpiBreakdown"), json!({ "range": day(), "by": "AGENT", "filter": { "agentIds": [agent_of_a] } })).await;
        assert_eq!(b_breakdown["data"]["kpiBreakdown"], json!([]));
    }
}

db_test! {
    async fn agent_kpis_equal_their_breakdown_group(app) {
        let t = app.create_tenant("Acme").await;
        let mut events = Vec::new();
        for i in 0..12 {
            let agent = format!("agent-{}", i % 3);
            events.push(event_with(&format!("i{i}"), &format!("c{i}"), "INITIATED", i * 60, json!({ "agentExternalId": agent })));
            if i % 2 == 0 {
                events.push(event_with(&format!("x{i}"), &format!("c{i}"), "COMPLETED", i * 60 + 30, json!({ "durationSeconds": 30 + i })));
            }
        }
        send_events(&app, &t.key, events).await;
        let kpi_fields = "totalCalls answeredCalls answerRate avgDurationSeconds hotLeads ctaConversionRate";
        let q = format!("query($r: TimeRangeInput!) {{ kpiBreakdown(range: $r, by: AGENT) {{ kpis {{ {kpi_fields} }} agent {{ externalId kpis(range: $r) {{ {kpi_fields} }} }} }} }}");
        let body = app.gql(Some(&t.key), &q, json!({ "r": day() })).await;
        let groups = body["data"]["kpiBreakdown"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(groups.len(), 3);
        for g in groups {
            assert_eq!(g["kpis"], g["agent"]["kpis"], "{}", g["agent"]["externalId"]);
        }
    }
}

db_test! {
    async fn rollups_rebuild_and_verify_agree_with_the_write_path(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![event("i", "c1", "INITIATED", 0), event_with("c", "c1", "COMPLETED", 100, json!({ "durationSeconds": 99 }))]).await;
        send_analyses(&app, &t.key, vec![analysis("a", "c1", "2026-03-10T11:00:00Z", 70)]).await;
        assert!(api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap().is_empty());
        let before = kpis(&app, &t.key, day(), Value::Null).await;
        // Corrupt a rollup row behind the engine's back: verify notices, rebuild mends.
        use sea_orm::ConnectionTrait;
        app.db.conn().execute_unprepared("UPDATE kpi_totals SET total_calls = total_calls + 5").await.unwrap();
        assert!(!api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap().is_empty());
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard")).args(["rollups", "verify"]).env("DATABASE_URL", &app.database_url).output().unwrap();
        assert!(!output.status.success(), "verify exits non-zero on differences");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard")).args(["rollups", "rebuild", "--tenant", &t.uuid.to_string()]).env("DATABASE_URL", &app.database_url).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap().is_empty());
        assert_eq!(kpis(&app, &t.key, day(), Value::Null).await, before);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard")).args(["rollups", "verify"]).env("DATABASE_URL", &app.database_url).output().unwrap();
        assert!(output.status.success());
    }
}

db_test! {
    async fn a_page_of_a_hundred_agents_with_kpis_costs_the_statements_of_a_page_of_five(app) {
        let t = app.create_tenant("Acme").await;
        crate::read_fixtures::ingest_detailed_calls(&app, &t.key, 300, 120).await;
        app.gql(Some(&t.key), &TENANT, json!({})).await; // records the key's first use
        let leaderboard = operation("AgentLeaderboard");
        let everything = range("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
        let (five, for_five) = crate::read_fixtures::counted(&app, &t.key, &leaderboard, json!({ "first": 5, "range": everything })).await;
        let (hundred, for_hundred) = crate::read_fixtures::counted(&app, &t.key, &leaderboard, json!({ "first": 100, "range": everything })).await;
        assert!(five["errors"].is_null() && hundred["errors"].is_null(), "{hundred}");
        let agents = hundred["data"]["agents"]["nodes"].as_array().unwrap();
        assert_eq!(agents.len(), 100);
        assert!(agents.iter().all(|a| a["kpis"]["totalCalls"].as_i64().unwrap() >= 2), "every agent's calls counted");
        let total: i64 = agents.iter().map(|a| a["kpis"]["totalCalls"].as_i64().unwrap()).sum();
        assert!(total >= 200, "{total}");
        assert_eq!(for_five, for_hundred, "statements for 5 agents vs 100");
    }
}

db_test! {
    async fn the_month_migration_sums_existing_days_into_monthly_rows(app) {
        use migration::MigratorTrait;
        use sea_orm::ConnectionTrait;
        let t = app.create_tenant("Acme").await;
        // Calls on March 10th (the `event` helper) and on three other days
        // of March and April in Kolkata.
        let mut events = vec![event("i", "c1", "INITIATED", 0), event_with("c", "c1", "COMPLETED", 100, json!({ "durationSeconds": 99 }))];
        for (i, days) in [(2, -8), (3, 5), (4, 25)] {
            events.push(event(&format!("i{i}"), &format!("c{i}"), "INITIATED", days * 86_400));
        }
        send_events(&app, &t.key, events).await;
        // Most of March, read as the month less its first days.
        let march = range("2026-03-04T18:30:00Z", "2026-03-31T18:30:00Z");
        let before = kpis(&app, &t.key, march.clone(), Value::Null).await;
        assert_eq!(before["totalCalls"], 2, "{before}");
        let monthly_rows = "SELECT COUNT(*) AS n FROM kpi_totals WHERE grain = 2";
        let count = |app: &TestApp| {
            let conn = app.db.conn().clone();
            async move {
                let row = conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), monthly_rows)).await.unwrap().unwrap();
                row.try_get::<i64>("", "n").unwrap()
            }
        };
        assert_eq!(count(&app).await, 2, "March and April");

        // A database from before the monthly grain (the migrations from
        // the monthly grain on undone): its days are summed up.
        let names: Vec<String> = migration::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let month = names.iter().position(|n| n == "m20261204_000001_add_month_rollups").expect("the monthly grain's migration");
        migration::Migrator::down(app.db.conn(), Some((names.len() - month) as u32)).await.unwrap();
        assert_eq!(count(&app).await, 0);
        migration::Migrator::up(app.db.conn(), None).await.unwrap();
        assert_eq!(count(&app).await, 2);
        assert!(api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap().is_empty());
        assert_eq!(kpis(&app, &t.key, march, Value::Null).await, before);
    }
}

/// Rollup counters are summed, never filtered on, so `ANALYZE` skips them
/// (their statistics cost more than any other column's and were never
/// read) and keeps those of the keys the KPI queries select by.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_keeps_rollup_key_statistics_and_skips_the_counters() {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(app) = spawn_app(Backend::Postgres, module_path!()).await else {
        return;
    };
    let t = app.create_tenant("Acme").await;
    send_events(
        &app,
        &t.key,
        vec![
            event("i", "c1", "INITIATED", 0),
            event("b", "c1", "BUSY", 5),
        ],
    )
    .await;
    let conn = app.db.conn();
    conn.execute_unprepared("ANALYZE").await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            app.db.backend(),
            "SELECT tablename::text AS t, attname::text AS a FROM pg_stats \
             WHERE tablename LIKE 'kpi%' ORDER BY 1, 2",
        ))
        .await
        .unwrap();
    let stats: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.try_get("", "t").unwrap(), r.try_get("", "a").unwrap()))
        .collect();
    for table in [
        "kpi_totals_quarter",
        "kpi_agent_rollups_day",
        "kpi_rollups_month",
    ] {
        for key in ["tenant_id", "grain", "bucket"] {
            assert!(
                stats.contains(&(table.to_owned(), key.to_owned())),
                "{table}.{key} has statistics: {stats:?}"
            );
        }
    }
    assert!(stats.contains(&("kpi_rollups_quarter".into(), "status".into())));
    let counters: Vec<_> = stats
        .iter()
        .filter(|(_, column)| {
            migration::m20250101_000004_create_kpi_rollups::COUNTERS.contains(&column.as_str())
        })
        .collect();
    assert!(
        counters.is_empty(),
        "no counter has statistics: {counters:?}"
    );
}
