//! Two tenants with look-alike data (same agent ids, call ids, phones and
//! campaign names): every root query and nested field of the read API
//! shows the caller's tenant only, and the other tenant's ids behave
//! exactly like ids that do not exist.

use crate::helpers::*;
use crate::ingest::{event, send_analyses, send_events, send_transcripts};
use crate::read_fixtures::*;
use api::domain::{GlobalId, NodeKind};
use entity::enums::FollowUpStatus;
use serde_json::{Value, json};

const EVERYTHING: &str = r#"{
  tenant { id }
  agents { totalCount nodes { id calls { totalCount } } }
  campaigns { totalCount nodes { id calls { totalCount } } }
  contacts { totalCount nodes { id calls { totalCount } leadProfile { callCount analyzedCallCount } followUps { id } } }
  followUps { totalCount nodes { id contact { id } call { id } } }
  calls {
    totalCount
    nodes {
      id
      agent { id calls { totalCount } }
      contact { id }
      campaign { id }
      leadAnalysis { analysisId }
      leadAnalyses { analysisId }
      transcript { language }
      events { eventId }
      notes { body }
    }
  }
}"#;

/// Tenant A: two calls with everything; tenant B: one look-alike call.
async fn two_tenants(app: &TestApp) -> (TestTenant, TestTenant) {
    let a = app.create_tenant("Tenant A").await;
    let b = app.create_tenant("Tenant B").await;
    let call = CallSpec::new("c1", "priya", "q1", "98123 45601", 0);
    ingest_calls(
        app,
        &a.key,
        &[
            call.clone(),
            CallSpec::new("c2", "priya", "q1", "98123 45601", 60),
        ],
    )
    .await;
    send_events(app, &a.key, vec![event("hold", "c1", "HOLD", 5)]).await;
    send_analyses(app, &a.key, vec![analysis("an", "c1", 300, 90)]).await;
    send_transcripts(app, &a.key, vec![transcript("c1")]).await;
    let a_call = crate::ingest::call_row(app, a.uuid, "c1").await;
    insert_note(app, a.uuid, a_call.id, "A's note", 10).await;
    insert_follow_up(
        app,
        a.uuid,
        a_call.contact_id.unwrap(),
        Some(a_call.id),
        3600,
        FollowUpStatus::Pending,
    )
    .await;
    ingest_calls(app, &b.key, &[call]).await;
    (a, b)
}

/// Every global id in a response, by walking it.
fn ids(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("id", Value::String(id)) => found.push(id.clone()),
                    _ => ids(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| ids(item, found)),
        _ => {}
    }
}

db_test! {
    async fn every_list_and_nested_field_shows_only_the_callers_tenant(app) {
        let (a, b) = two_tenants(&app).await;

        let seen_by_a = app.gql(Some(&a.key), EVERYTHING, json!({})).await;
        let seen_by_b = app.gql(Some(&b.key), EVERYTHING, json!({})).await;

        let (of_a, of_b) = (data(&seen_by_a), data(&seen_by_b));
        for list in ["agents", "campaigns", "contacts"] {
            assert_eq!(of_a[list]["totalCount"], 1, "{list}");
            assert_eq!(of_b[list]["totalCount"], 1, "{list}");
            assert_eq!(of_a[list]["nodes"][0]["calls"]["totalCount"], 2, "{list}");
            assert_eq!(of_b[list]["nodes"][0]["calls"]["totalCount"], 1, "{list}");
        }
        assert_eq!((of_a["calls"]["totalCount"].clone(), of_b["calls"]["totalCount"].clone()), (json!(2), json!(1)));
        assert_eq!((of_a["followUps"]["totalCount"].clone(), of_b["followUps"]["totalCount"].clone()), (json!(1), json!(0)));
        assert_eq!(of_b["contacts"]["nodes"][0]["leadProfile"], json!({ "callCount": 1, "analyzedCallCount": 0 }));
        assert_eq!(of_b["contacts"]["nodes"][0]["followUps"], json!([]));
        let b_call = &of_b["calls"]["nodes"][0];
        assert_eq!(b_call["agent"]["calls"]["totalCount"], 1);
        assert_eq!(b_call["leadAnalysis"], Value::Null);
        assert_eq!(b_call["leadAnalyses"], json!([]));
        assert_eq!(b_call["transcript"], Value::Null);
        assert_eq!(b_call["notes"], json!([]));
        assert_eq!(b_call["events"].as_array().unwrap().len(), 2, "not A's HOLD: {b_call}");
        let a_call = of_a["calls"]["nodes"].as_array().unwrap().iter().find(|c| c["notes"] != json!([])).unwrap();
        assert_eq!(a_call["events"].as_array().unwrap().len(), 3);
        assert_eq!(a_call["transcript"]["language"], "hi-IN");

        let (mut ids_a, mut ids_b) = (Vec::new(), Vec::new());
        ids(of_a, &mut ids_a);
        ids(of_b, &mut ids_b);
        assert!(ids_b.iter().all(|id| !ids_a.contains(id)), "B sees none of A's objects");
        assert_eq!(of_b["tenant"]["id"], b.id.as_str());
    }
}

db_test! {
    async fn another_tenants_ids_resolve_to_null_like_unknown_ids(app) {
        let (a, b) = two_tenants(&app).await;
        let of_a = app.gql(Some(&a.key), EVERYTHING, json!({})).await;
        let mut ids_of_a = Vec::new();
        ids(data(&of_a), &mut ids_of_a);
        ids_of_a.sort();
        ids_of_a.dedup();
        let kinds: Vec<NodeKind> = ids_of_a.iter().map(|id| GlobalId::decode(id).unwrap().kind).collect();
        for kind in [NodeKind::Tenant, NodeKind::Agent, NodeKind::Campaign, NodeKind::Contact, NodeKind::Call, NodeKind::FollowUp] {
            assert!(kinds.contains(&kind), "A has a {kind:?}");
        }
        let unknown: Vec<String> = [NodeKind::Agent, NodeKind::Call, NodeKind::Tenant].iter().map(|k| GlobalId::new(*k, uuid::Uuid::now_v7()).encode()).collect();

        let lookups = r#"query($id: ID!) { node(id: $id) { id } agent(id: $id) { id } call(id: $id) { id } contact(id: $id) { id } campaign(id: $id) { id } followUp(id: $id) { id } }"#;
        let nothing = json!({ "node": null, "agent": null, "call": null, "contact": null, "campaign": null, "followUp": null });
        for id in ids_of_a.iter().chain(&unknown) {
            let body = app.gql(Some(&b.key), lookups, json!({ "id": id })).await;
            assert_eq!(data(&body), &nothing, "B looking up {id}");
            let body = app.gql(Some(&a.key), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
            let expected = if unknown.contains(id) { Value::Null } else { json!({ "id": id }) };
            assert_eq!(data(&body)["node"], expected, "A looking up {id}");
        }
    }
}

db_test! {
    async fn filters_naming_another_tenants_rows_match_nothing(app) {
        let (a, b) = two_tenants(&app).await;
        let of_a = app.gql(Some(&a.key), EVERYTHING, json!({})).await;
        let of_a = data(&of_a);
        let agent = &of_a["agents"]["nodes"][0]["id"];
        let campaign = &of_a["campaigns"]["nodes"][0]["id"];
        let contact = &of_a["contacts"]["nodes"][0]["id"];
        let query = r#"query($calls: CallFilterInput, $followUps: FollowUpFilterInput) {
          calls(filter: $calls) { totalCount }
          followUps(filter: $followUps) { totalCount }
          agents { nodes { calls(filter: $calls) { totalCount } } }
        }"#;
        for filter in [json!({ "agentIds": [agent] }), json!({ "campaignIds": [campaign] })] {
            let seen_by_b = app.gql(Some(&b.key), query, json!({ "calls": filter, "followUps": { "contactIds": [contact] } })).await;
            assert_eq!(data(&seen_by_b), &json!({ "calls": { "totalCount": 0 }, "followUps": { "totalCount": 0 }, "agents": { "nodes": [{ "calls": { "totalCount": 0 } }] } }), "{filter}");
            let seen_by_a = app.gql(Some(&a.key), query, json!({ "calls": filter, "followUps": { "contactIds": [contact] } })).await;
            assert_eq!(data(&seen_by_a)["calls"]["totalCount"], 2, "{filter}");
        }
    }
}

db_test! {
    async fn reading_needs_the_read_scope(app) {
        let t = app.create_tenant("Acme").await;
        let created = app.gql(Some(&t.key), &CREATE_API_KEY, json!({ "input": { "name": "ingest only", "scopes": ["INGEST"] } })).await;
        let ingest_only = data(&created)["createApiKey"]["secret"].as_str().unwrap().to_owned();
        for query in ["{ calls { totalCount } }", "{ agents { totalCount } }", "{ contacts { totalCount } }", "{ campaigns { totalCount } }", "{ followUps { totalCount } }", r#"{ node(id: "x") { id } }"#] {
            let body = app.gql(Some(&ingest_only), query, json!({})).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
            let body = app.gql(None, query, json!({})).await;
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body}");
        }
    }
}
