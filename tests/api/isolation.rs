//! Isolation you can prove: tenant B's credentials (an ADMIN key and an
//! ADMIN user's token) given tenant A's ids, in every query and mutation
//! that takes an id or an id filter, get nothing of A's, change nothing of
//! A's, and cannot tell A's ids from ids that do not exist.

use crate::helpers::*;
use crate::read_fixtures::{CallSpec, data, ingest_calls};
use crate::roles::{ADD_NOTE, CREATE_FOLLOW_UP, UPDATE_FOLLOW_UP};
use crate::users::{AUDIT, INVITE, agent_id, invite, sign_in};
use serde_json::{Value, json};

/// The ids of one tenant's objects.
struct Ids {
    agent: String,
    campaign: String,
    contact: String,
    call: String,
    follow_up: String,
    user: String,
    key: String,
    tenant: String,
}

/// A tenant with look-alike data (the same external ids in both tenants).
async fn tenant_with_everything(app: &TestApp, name: &str) -> (TestTenant, Ids, String) {
    let t = app.create_tenant(name).await;
    ingest_calls(
        app,
        &t.key,
        &[
            CallSpec::new("c1", "priya", "q1", "98123 45601", 0),
            CallSpec::new("c2", "priya", "q1", "98123 45601", 60),
        ],
    )
    .await;
    let body = app
        .gql(
            Some(&t.key),
            "{ calls { nodes { id contact { id } campaign { id } } } }",
            json!({}),
        )
        .await;
    let call = data(&body)["calls"]["nodes"][0].clone();
    let contact = call["contact"]["id"].as_str().unwrap().to_owned();
    let created = app.gql(Some(&t.key), CREATE_FOLLOW_UP, json!({ "input": { "contactId": contact, "dueAt": "2026-04-01T09:00:00Z", "remark": "mine" } })).await;
    let key = app
        .gql(
            Some(&t.key),
            &CREATE_API_KEY,
            json!({ "input": { "name": "crm", "scopes": ["READ"] } }),
        )
        .await;
    let email = format!("admin@{}.example.com", name.to_lowercase());
    let (user, password) = invite(app, &t.key, &email, "ADMIN", None).await;
    let (token, _) = sign_in(app, &email, &password).await;
    let ids = Ids {
        agent: agent_id(app, &t.key, "priya").await,
        campaign: call["campaign"]["id"].as_str().unwrap().to_owned(),
        contact,
        call: call["id"].as_str().unwrap().to_owned(),
        follow_up: data(&created)["createFollowUp"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        user,
        key: data(&key)["createApiKey"]["apiKey"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        tenant: t.id.clone(),
    };
    (t, ids, token)
}

fn range() -> Value {
    json!({ "from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z" })
}

db_test! {
    async fn another_tenants_ids_get_nothing_in_any_query_or_mutation(app) {
        let (a, of_a, a_token) = tenant_with_everything(&app, "A").await;
        let (b, of_b, b_token) = tenant_with_everything(&app, "B").await;
        let a_ids = [&of_a.agent, &of_a.campaign, &of_a.contact, &of_a.call, &of_a.follow_up, &of_a.user, &of_a.key];

        // Every operation taking an id, with A's ids: (query, variables, expected data or error code).
        let lookups = "query($id: ID!) { node(id: $id) { id } agent(id: $id) { id } call(id: $id) { id } contact(id: $id) { id } campaign(id: $id) { id } followUp(id: $id) { id } }";
        let nothing = json!({ "node": null, "agent": null, "call": null, "contact": null, "campaign": null, "followUp": null });
        let mutations: Vec<(&str, Value)> = vec![
            ("mutation($id: ID!) { revokeApiKey(id: $id) { id } }", json!({ "id": of_a.key })),
            ("mutation($id: ID!) { updateUserRole(id: $id, role: ANALYST) { id } }", json!({ "id": of_a.user })),
            ("mutation($id: ID!, $agent: ID) { updateUserRole(id: $id, role: AGENT, agentId: $agent) { id } }", json!({ "id": of_b.user, "agent": of_a.agent })),
            ("mutation($id: ID!) { deactivateUser(id: $id) { id } }", json!({ "id": of_a.user })),
            (INVITE, json!({ "input": { "email": "spy@example.com", "name": "Spy", "role": "AGENT", "agentId": of_a.agent } })),
            (ADD_NOTE, json!({ "callId": of_a.call, "body": "B was here" })),
            (CREATE_FOLLOW_UP, json!({ "input": { "contactId": of_a.contact, "dueAt": "2026-04-01T09:00:00Z" } })),
            (CREATE_FOLLOW_UP, json!({ "input": { "contactId": of_b.contact, "callId": of_a.call, "dueAt": "2026-04-01T09:00:00Z" } })),
            (UPDATE_FOLLOW_UP, json!({ "id": of_a.follow_up, "input": { "status": "CANCELLED" } })),
        ];
        for credential in [&b.key, &b_token] {
            for id in a_ids.iter().chain([&&of_a.tenant]) {
                let body = app.gql(Some(credential), lookups, json!({ "id": id })).await;
                assert_eq!(data(&body), &nothing, "looking up {id}");
            }
            for (query, variables) in &mutations {
                let body = app.gql(Some(credential), query, variables.clone()).await;
                assert_eq!(error_code(&body), "NOT_FOUND", "{query} {variables}: {body}");
                let text = body.to_string();
                assert!(a_ids.iter().all(|id| !text.contains(id.as_str())), "{text}");
            }
            for operator_only in ["mutation($id: ID!) { suspendTenant(id: $id) { id } }", "mutation($id: ID!) { resumeTenant(id: $id) { id } }"] {
                let body = app.gql(Some(credential), operator_only, json!({ "id": of_a.tenant })).await;
                assert_eq!(error_code(&body), "FORBIDDEN");
            }
        }

        // A is unchanged: its key, user, follow-up and call are as they were.
        assert!(data(&app.gql(Some(&a.key), &TENANT, json!({})).await)["tenant"].is_object());
        let keys = app.gql(Some(&a.key), "{ apiKeys { id revokedAt } }", json!({})).await;
        assert!(data(&keys)["apiKeys"].as_array().unwrap().iter().all(|k| k["revokedAt"].is_null()));
        let me = app.gql(Some(&a_token), "{ me { role active } }", json!({})).await;
        assert_eq!(data(&me)["me"], json!({ "role": "ADMIN", "active": true }));
        let seen = app.gql(Some(&a.key), "query($f: ID!, $c: ID!) { followUp(id: $f) { status } call(id: $c) { notes { body } } }", json!({ "f": of_a.follow_up, "c": of_a.call })).await;
        assert_eq!(data(&seen), &json!({ "followUp": { "status": "PENDING" }, "call": { "notes": [] } }));
        let users = app.gql(Some(&a.key), "{ users { email } }", json!({})).await;
        assert_eq!(data(&users)["users"].as_array().unwrap().len(), 1, "no spy invited into A");
        let log = app.gql(Some(&a.key), AUDIT, json!({})).await;
        let log = log.to_string();
        assert!(!log.contains(&of_b.user) && !log.contains(&of_b.key), "nothing B did is in A's log");
        let b_log = app.gql(Some(&b.key), AUDIT, json!({})).await;
        assert!(!b_log.to_string().contains(&of_a.user), "B's log names nothing of A's");
    }
}

db_test! {
    async fn kpis_filtered_by_another_tenants_agents_and_campaigns_count_zero(app) {
        let (a, of_a, _) = tenant_with_everything(&app, "A").await;
        let (b, of_b, b_token) = tenant_with_everything(&app, "B").await;
        let query = "query($range: TimeRangeInput!, $f: KpiFilterInput, $agent: ID!) {
          kpis(range: $range, filter: $f) { totalCalls billedMinutes }
          kpiSeries(range: $range, granularity: MONTH, filter: $f) { kpis { totalCalls } }
          byAgent: kpiBreakdown(range: $range, by: AGENT, filter: $f) { key }
          byCampaign: kpiBreakdown(range: $range, by: CAMPAIGN, filter: $f) { key }
          agent(id: $agent) { id }
          agents { nodes { kpis(range: $range, filter: $f) { totalCalls } } }
          campaigns { nodes { kpis(range: $range, filter: $f) { totalCalls } } }
        }";
        let zero = json!({
            "kpis": { "totalCalls": 0, "billedMinutes": 0 },
            "byAgent": [], "byCampaign": [], "agent": null,
            "agents": { "nodes": [{ "kpis": { "totalCalls": 0 } }] },
            "campaigns": { "nodes": [{ "kpis": { "totalCalls": 0 } }] },
        });
        for filter in [json!({ "agentIds": [of_a.agent] }), json!({ "campaignIds": [of_a.campaign] })] {
            for credential in [&b.key, &b_token] {
                let mut body = app.gql(Some(credential), query, json!({ "range": range(), "f": filter, "agent": of_a.agent })).await;
                let series = body["data"].as_object_mut().unwrap().remove("kpiSeries").unwrap();
                assert!(!series.as_array().unwrap().is_empty());
                assert!(series.as_array().unwrap().iter().all(|p| p["kpis"]["totalCalls"] == 0), "{series}");
                assert_eq!(data(&body), &zero, "{filter}");
            }
            // The same filter counts A's calls for A: the zero is isolation, not an empty range.
            let own = app.gql(Some(&a.key), query, json!({ "range": range(), "f": filter, "agent": of_a.agent })).await;
            assert_eq!(data(&own)["kpis"]["totalCalls"], 2, "{filter}");
        }
        let unfiltered = app.gql(Some(&b.key), query, json!({ "range": range(), "f": null, "agent": of_b.agent })).await;
        assert_eq!(data(&unfiltered)["kpis"]["totalCalls"], 2, "B counts its own two calls only");
    }
}

/// Root fields taking an id, directly or in an input object, and where
/// their two-tenant test is. A new such field fails
/// `every_root_field_taking_an_id_has_an_isolation_test` until it is added
/// here with its test.
const COVERED: &[(&str, &str)] = &[
    (
        "Query.node",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.agent",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.call",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.contact",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.campaign",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.followUp",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Query.calls",
        "read_tenancy::filters_naming_another_tenants_rows_match_nothing",
    ),
    (
        "Query.followUps",
        "read_tenancy::filters_naming_another_tenants_rows_match_nothing",
    ),
    (
        "Query.kpis",
        "isolation::kpis_filtered_by_another_tenants_agents_and_campaigns_count_zero",
    ),
    (
        "Query.kpiSeries",
        "isolation::kpis_filtered_by_another_tenants_agents_and_campaigns_count_zero",
    ),
    (
        "Query.kpiBreakdown",
        "isolation::kpis_filtered_by_another_tenants_agents_and_campaigns_count_zero",
    ),
    (
        "Mutation.login",
        "users::one_email_in_two_tenants_signs_in_by_password_or_by_tenant",
    ),
    (
        "Mutation.revokeApiKey",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.inviteUser",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.updateUserRole",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.deactivateUser",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.addCallNote",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.createFollowUp",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.updateFollowUp",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    // Operator only: a tenant's credential is FORBIDDEN whatever the id.
    (
        "Mutation.suspendTenant",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
    (
        "Mutation.resumeTenant",
        "isolation::another_tenants_ids_get_nothing_in_any_query_or_mutation",
    ),
];

#[tokio::test]
async fn every_root_field_taking_an_id_has_an_isolation_test() {
    let schema = api::graphql::schema::build_schema(None, &api::config::ServerConfig::for_tests());
    let introspection = r#"{ __schema {
      queryType { fields { name args { type { ...T } } } }
      mutationType { fields { name args { type { ...T } } } }
      types { name inputFields { type { ...T } } }
    } }
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;
    let response = schema.execute(introspection).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let named = |ty: &Value| -> String {
        let mut ty = ty;
        while ty["name"].is_null() {
            ty = &ty["ofType"];
        }
        ty["name"].as_str().unwrap().to_owned()
    };
    let inputs_with_ids: Vec<String> = data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["inputFields"]
                .as_array()
                .is_some_and(|fields| fields.iter().any(|f| named(&f["type"]) == "ID"))
        })
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let mut taking_ids = Vec::new();
    for (root, kind) in [("Query", "queryType"), ("Mutation", "mutationType")] {
        for field in data["__schema"][kind]["fields"].as_array().unwrap() {
            let takes_id = field["args"].as_array().unwrap().iter().any(|arg| {
                let name = named(&arg["type"]);
                name == "ID" || inputs_with_ids.contains(&name)
            });
            if takes_id {
                taking_ids.push(format!("{root}.{}", field["name"].as_str().unwrap()));
            }
        }
    }
    taking_ids.sort();
    let mut covered: Vec<String> = COVERED.iter().map(|(field, _)| field.to_string()).collect();
    covered.sort();
    assert_eq!(
        taking_ids, covered,
        "root fields taking an id vs those with a two-tenant test"
    );
}
