//! The number of SQL statements a request runs depends on its shape, never
//! on its page sizes: nested fields are batch-loaded level by level.

use crate::helpers::*;
use crate::read_fixtures::*;
use serde_json::json;

const AGENTS_WITH_CALLS: &str = r#"query AgentsWithCalls($agents: Int!) {
  agents(first: $agents) {
    totalCount
    nodes {
      name
      calls(first: 5) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { providerCallId agent { name } contact { phone } leadAnalysis { totalScore } }
      }
    }
  }
}"#;

db_test! {
    async fn recent_calls_run_as_many_statements_for_two_hundred_calls_as_for_ten(app) {
        let t = app.create_tenant("Acme").await;
        ingest_detailed_calls(&app, &t.key, 210, 7).await;
        app.gql(Some(&t.key), &TENANT, json!({})).await; // records the key's first use

        let (ten, for_ten) = counted(&app, &t.key, &RECENT_CALLS, json!({ "first": 10 })).await;
        let (two_hundred, for_two_hundred) = counted(&app, &t.key, &RECENT_CALLS, json!({ "first": 200 })).await;

        assert_eq!(data(&ten)["calls"]["edges"].as_array().unwrap().len(), 10);
        let edges = data(&two_hundred)["calls"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 200);
        assert!(edges.iter().all(|e| e["node"]["agent"].is_object() && e["node"]["transcript"]["segments"].as_array().unwrap().len() == 2), "every nested field loaded");
        assert_eq!(for_ten, for_two_hundred, "statements for 10 calls vs 200");
        // Credential and tenant, page, count (the daily rollup, the
        // 15-minute rollup for the ends of the unbounded range that are not
        // Kolkata midnights, then calls not yet initiated), then one per
        // nested field: agent, contact, campaign, analysis, transcript,
        // events.
        assert!(for_ten <= 12, "{for_ten} statements");
    }
}

db_test! {
    async fn nested_call_lists_of_fifty_agents_run_as_many_statements_as_of_five(app) {
        let t = app.create_tenant("Acme").await;
        ingest_detailed_calls(&app, &t.key, 360, 60).await;
        app.gql(Some(&t.key), &TENANT, json!({})).await;

        let (five, for_five) = counted(&app, &t.key, AGENTS_WITH_CALLS, json!({ "agents": 5 })).await;
        let (fifty, for_fifty) = counted(&app, &t.key, AGENTS_WITH_CALLS, json!({ "agents": 50 })).await;

        assert_eq!(data(&five)["agents"]["nodes"].as_array().unwrap().len(), 5);
        let agents = data(&fifty)["agents"]["nodes"].as_array().unwrap();
        assert_eq!(agents.len(), 50);
        for agent in agents {
            let calls = &agent["calls"];
            assert_eq!(calls["totalCount"], 6, "{agent}");
            assert_eq!(calls["nodes"].as_array().unwrap().len(), 5, "{agent}");
            assert_eq!(calls["pageInfo"]["hasNextPage"], true);
            assert!(calls["nodes"].as_array().unwrap().iter().all(|c| c["agent"]["name"] == agent["name"]));
        }
        assert_eq!(for_five, for_fifty, "statements for 5 agents vs 50");
        // Credential and tenant, agents and their count, then one per level:
        // calls, their counts, and the calls' agent, contact and analysis.
        assert!(for_five <= 9, "{for_five} statements");
    }
}

db_test! {
    async fn call_lists_read_an_index_in_list_order_without_sorting(app) {
        use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
        let t = app.create_tenant("Acme").await;
        ingest_detailed_calls(&app, &t.key, 20, 2).await;
        let agent = crate::ingest::call_row(&app, t.uuid, "c0000").await.agent_id.unwrap();
        let order = "ORDER BY initiated_at DESC NULLS LAST, id DESC LIMIT 51";
        let lists = [
            format!("SELECT * FROM calls WHERE tenant_id = '{}' {order}", t.uuid),
            format!("SELECT * FROM calls WHERE tenant_id = '{}' AND agent_id = '{agent}' {order}", t.uuid),
        ];
        let txn = app.db.conn().begin().await.unwrap();
        let explain = match app.backend {
            // Small tables favour a scan and a sort; forbid both to see
            // whether an index can deliver the order by itself.
            Backend::Postgres => {
                txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
                txn.execute_unprepared("SET LOCAL enable_sort = off").await.unwrap();
                "EXPLAIN"
            }
            Backend::Sqlite => "EXPLAIN QUERY PLAN",
        };
        for list in lists {
            // SQLite stores UUIDs as blobs: compare with the blob literal.
            let list = match app.backend {
                Backend::Sqlite => list.replace(&format!("'{}'", t.uuid), &format!("x'{}'", t.uuid.simple())).replace(&format!("'{agent}'"), &format!("x'{}'", agent.simple())),
                Backend::Postgres => list,
            };
            let rows = txn.query_all_raw(Statement::from_string(app.db.backend(), format!("{explain} {list}"))).await.unwrap();
            let plan: Vec<String> = rows.iter().map(|row| row.try_get_by_index::<String>(rows[0].column_names().len() - 1).unwrap()).collect();
            let plan = plan.join("\n");
            assert!(plan.contains("ix_calls"), "{list}\n{plan}");
            assert!(!plan.contains("Sort") && !plan.contains("TEMP B-TREE"), "{list}\n{plan}");
        }
        txn.rollback().await.unwrap();
        if app.backend == Backend::Postgres {
            // One index per list serves both directions: six in all, with
            // the key and the provider's call id.
            let row = app.db.conn().query_one_raw(Statement::from_string(app.db.backend(), "SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'calls'")).await.unwrap().unwrap();
            assert_eq!(row.try_get::<i64>("", "n").unwrap(), 6);
        }
    }
}
