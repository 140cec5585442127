//! What each role and each API key scope may do: a matrix of every
//! operation by every kind of credential, what an AGENT user sees of other
//! agents' calls, and the notes and follow-ups people write.

use crate::helpers::*;
use crate::read_fixtures::{CallSpec, data, ingest_calls};
use crate::users::{agent_id, user_token};
use serde_json::{Value, json};

/// One tenant with calls of two agents and every kind of credential.
pub struct Fixture {
    pub tenant: TestTenant,
    /// ADMIN, MANAGER, ANALYST, AGENT (priya) users' access tokens, then
    /// READ, INGEST and ADMIN keys.
    pub credentials: Vec<(&'static str, String)>,
    /// priya's call c1, priya's c2, ravi's c3 (same contact as c1).
    pub calls: Vec<String>,
    pub priya: String,
    pub ravi: String,
    /// The contact of c1 and c3.
    pub contact: String,
    pub follow_up: String,
}

async fn key(app: &TestApp, admin: &str, scope: &str) -> String {
    let body = app
        .gql(
            Some(admin),
            &CREATE_API_KEY,
            json!({ "input": { "name": scope, "scopes": [scope] } }),
        )
        .await;
    data(&body)["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let tenant = app.create_tenant("Acme").await;
    ingest_calls(
        app,
        &tenant.key,
        &[
            CallSpec::new("c1", "priya", "q1", "98123 45601", 0),
            CallSpec::new("c2", "priya", "q2", "98123 45602", 60),
            CallSpec::new("c3", "ravi", "q1", "98123 45601", 120),
        ],
    )
    .await;
    let priya = agent_id(app, &tenant.key, "priya").await;
    let ravi = agent_id(app, &tenant.key, "ravi").await;
    let body = app
        .gql(
            Some(&tenant.key),
            "{ calls { nodes { id providerCallId contact { id } } } }",
            json!({}),
        )
        .await;
    let nodes = data(&body)["calls"]["nodes"].as_array().unwrap().clone();
    let call = |id: &str| {
        nodes
            .iter()
            .find(|c| c["providerCallId"] == id)
            .unwrap()
            .clone()
    };
    let calls: Vec<String> = ["c1", "c2", "c3"]
        .iter()
        .map(|id| call(id)["id"].as_str().unwrap().to_owned())
        .collect();
    let contact = call("c1")["contact"]["id"].as_str().unwrap().to_owned();
    let created = app.gql(Some(&tenant.key), CREATE_FOLLOW_UP, json!({ "input": { "contactId": contact, "callId": calls[0], "dueAt": "2026-04-01T09:00:00Z", "remark": "call back" } })).await;
    let follow_up = data(&created)["createFollowUp"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut credentials = Vec::new();
    for (role, agent) in [
        ("ADMIN", None),
        ("MANAGER", None),
        ("ANALYST", None),
        ("AGENT", Some(priya.as_str())),
    ] {
        let email = format!("{}@example.com", role.to_lowercase());
        credentials.push((role, user_token(app, &tenant, &email, role, agent).await));
    }
    for scope in ["READ", "INGEST", "ADMIN"] {
        let name = match scope {
            "READ" => "key READ",
            "INGEST" => "key INGEST",
            _ => "key ADMIN",
        };
        credentials.push((name, key(app, &tenant.key, scope).await));
    }
    Fixture {
        tenant,
        credentials,
        calls,
        priya,
        ravi,
        contact,
        follow_up,
    }
}

pub const CREATE_FOLLOW_UP: &str = "mutation($input: CreateFollowUpInput!) {
  createFollowUp(input: $input) { id status dueAt remark createdBy { kind id } updatedBy { kind id } }
}";
pub const UPDATE_FOLLOW_UP: &str = "mutation($id: ID!, $input: UpdateFollowUpInput!) {
  updateFollowUp(id: $id, input: $input) { id status dueAt remark updatedBy { kind id } }
}";
pub const ADD_NOTE: &str = "mutation($callId: ID!, $body: String!) { addCallNote(callId: $callId, body: $body) { body author { kind id } } }";
const RANGE: &str = r#"{ from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z" }"#;

/// What a credential gets: `Y` data, `n` NOT_FOUND (allowed, but the id
/// names nothing), `N` FORBIDDEN.
fn outcome(body: &Value) -> char {
    match body["errors"][0]["extensions"]["code"].as_str() {
        None => 'Y',
        Some("NOT_FOUND") => 'n',
        Some("FORBIDDEN") => 'N',
        Some(other) => panic!("unexpected {other}: {body}"),
    }
}

db_test! {
    async fn every_role_and_scope_may_do_exactly_what_it_grants(app) {
        let f = fixture(&app).await;
        let nobody = "VXNlcjowMTlhYjAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA";
        let rows: Vec<(&str, String, Value, &str)> = vec![
            //                                                              ADM MAN ANA AGT R I A
            ("tenant", "{ tenant { id } }".into(), json!({}), "YYYYYNY"),
            ("calls", "{ calls { totalCount } }".into(), json!({}), "YYYYYNY"),
            ("call", "query($id: ID!) { call(id: $id) { id } }".into(), json!({ "id": f.calls[0] }), "YYYYYNY"),
            ("node(call)", "query($id: ID!) { node(id: $id) { id } }".into(), json!({ "id": f.calls[0] }), "YYYYYNY"),
            ("kpis", format!("{{ kpis(range: {RANGE}) {{ totalCalls }} }}"), json!({}), "YYYYYNY"),
            ("kpiSeries", format!("{{ kpiSeries(range: {RANGE}, granularity: DAY) {{ kpis {{ totalCalls }} }} }}"), json!({}), "YYYYYNY"),
            ("kpiBreakdown", format!("{{ kpiBreakdown(range: {RANGE}, by: AGENT) {{ key }} }}"), json!({}), "YYYYYNY"),
            ("agents", "{ agents { totalCount } }".into(), json!({}), "YYYNYNY"),
            ("campaigns", "{ campaigns { totalCount } }".into(), json!({}), "YYYNYNY"),
            ("contacts", "{ contacts { totalCount } }".into(), json!({}), "YYYNYNY"),
            ("followUps", "{ followUps { totalCount } }".into(), json!({}), "YYYNYNY"),
            ("agent", "query($id: ID!) { agent(id: $id) { id } }".into(), json!({ "id": f.priya }), "YYYNYNY"),
            ("contact", "query($id: ID!) { contact(id: $id) { id } }".into(), json!({ "id": f.contact }), "YYYNYNY"),
            ("node(contact)", "query($id: ID!) { node(id: $id) { id } }".into(), json!({ "id": f.contact }), "YYYNYNY"),
            ("followUp", "query($id: ID!) { followUp(id: $id) { id } }".into(), json!({ "id": f.follow_up }), "YYYNYNY"),
            ("me", "{ me { id } }".into(), json!({}), "YYYYNNN"),
            ("apiKeys", "{ apiKeys { id } }".into(), json!({}), "YNNNNNY"),
            ("users", "{ users { id } }".into(), json!({}), "YNNNNNY"),
            ("auditLog", "{ auditLog { entries { action } } }".into(), json!({}), "YNNNNNY"),
            ("tenants", format!("{{ tenants(range: {RANGE}) {{ totalCalls }} }}"), json!({}), "NNNNNNN"),
            ("ingestCallEvents", "mutation { ingestCallEvents(events: []) { accepted } }".into(), json!({}), "YNNNNYY"),
            ("upsertAgents", "mutation { upsertAgents(agents: []) { id } }".into(), json!({}), "YNNNNYY"),
            ("createApiKey", "mutation { createApiKey(input: { name: \"k\", scopes: [READ] }) { secret } }".into(), json!({}), "YNNNNNY"),
            ("revokeApiKey", "mutation { revokeApiKey(id: \"QXBpS2V5OjAwMDA\") { id } }".into(), json!({}), "nNNNNNn"),
            ("registerPersistedDocuments", "mutation { registerPersistedDocuments(documents: []) { id } }".into(), json!({}), "YNNNNNY"),
            ("updateUserRole", "mutation($id: ID!) { updateUserRole(id: $id, role: ANALYST) { id } }".into(), json!({ "id": nobody }), "nNNNNNn"),
            ("deactivateUser", "mutation($id: ID!) { deactivateUser(id: $id) { id } }".into(), json!({ "id": nobody }), "nNNNNNn"),
            ("addCallNote", ADD_NOTE.into(), json!({ "callId": f.calls[0], "body": "spoke to them" }), "YYNYNNY"),
            ("createFollowUp", CREATE_FOLLOW_UP.into(), json!({ "input": { "contactId": f.contact, "dueAt": "2026-04-02T09:00:00Z" } }), "YYNNNNY"),
            ("updateFollowUp", UPDATE_FOLLOW_UP.into(), json!({ "id": f.follow_up, "input": { "remark": "still pending" } }), "YYNNNNY"),
            ("createTenant", "mutation { createTenant(input: { name: \"X\", timezone: \"UTC\" }) { tenant { id } } }".into(), json!({}), "NNNNNNN"),
            ("suspendTenant", "mutation($id: ID!) { suspendTenant(id: $id) { id } }".into(), json!({ "id": f.tenant.id }), "NNNNNNN"),
        ];
        let mut mismatches = Vec::new();
        for (name, query, variables, expected) in &rows {
            for ((who, credential), expected) in f.credentials.iter().zip(expected.chars()) {
                let body = app.gql(Some(credential), query, variables.clone()).await;
                let got = outcome(&body);
                if got != expected {
                    mismatches.push(format!("{name} as {who}: expected {expected}, got {got}: {body}"));
                }
            }
        }
        // Invitations last: each allowed one adds a user.
        for ((who, credential), expected) in f.credentials.iter().zip("YNNNNNY".chars()) {
            let input = json!({ "input": { "email": format!("new-{}@example.com", who.replace(' ', "-").to_lowercase()), "name": "New", "role": "ANALYST" } });
            let got = outcome(&app.gql(Some(credential), crate::users::INVITE, input).await);
            if got != expected {
                mismatches.push(format!("inviteUser as {who}: expected {expected}, got {got}"));
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        let denied = app.gql(Some(&f.credentials[2].1), ADD_NOTE, json!({ "callId": f.calls[0], "body": "x" })).await;
        assert_eq!(denied["errors"][0]["message"], "this operation needs the role ADMIN or MANAGER or AGENT");
    }
}

db_test! {
    async fn an_agent_user_sees_only_their_agents_calls_and_kpis(app) {
        let f = fixture(&app).await;
        let manager = &f.credentials[1].1;
        let agent = &f.credentials[3].1;
        let calls = "{ calls { totalCount nodes { id agent { calls { totalCount } } contact { calls { totalCount } } } } }";
        let seen = app.gql(Some(agent), calls, json!({})).await;
        let seen = data(&seen);
        assert_eq!(seen["calls"]["totalCount"], 2);
        let ids: Vec<&str> = seen["calls"]["nodes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(!ids.contains(&f.calls[2].as_str()), "not ravi's call");
        for node in seen["calls"]["nodes"].as_array().unwrap() {
            assert_eq!(node["agent"]["calls"]["totalCount"], 2);
        }
        let c1 = seen["calls"]["nodes"].as_array().unwrap().iter().find(|c| c["id"] == f.calls[0].as_str()).unwrap();
        assert_eq!(c1["contact"]["calls"]["totalCount"], 1, "the contact's calls with ravi are not shown");
        let by_manager = app.gql(Some(manager), calls, json!({})).await;
        assert_eq!(data(&by_manager)["calls"]["totalCount"], 3);

        let filtered = app.gql(Some(agent), "query($f: CallFilterInput) { calls(filter: $f) { totalCount } }", json!({ "f": { "agentIds": [f.ravi] } })).await;
        assert_eq!(data(&filtered)["calls"]["totalCount"], 0);

        let lookups = "query($id: ID!) { call(id: $id) { id } node(id: $id) { id } }";
        let other = app.gql(Some(agent), lookups, json!({ "id": f.calls[2] })).await;
        assert_eq!(data(&other), &json!({ "call": null, "node": null }));
        let own = app.gql(Some(agent), lookups, json!({ "id": f.calls[0] })).await;
        assert_eq!(data(&own)["call"]["id"], f.calls[0].as_str());

        let kpis = format!("query($f: KpiFilterInput) {{ kpis(range: {RANGE}, filter: $f) {{ totalCalls }} \
            kpiSeries(range: {RANGE}, granularity: MONTH, filter: $f) {{ kpis {{ totalCalls }} }} \
            byAgent: kpiBreakdown(range: {RANGE}, by: AGENT, filter: $f) {{ key kpis {{ totalCalls }} }} \
            byCampaign: kpiBreakdown(range: {RANGE}, by: CAMPAIGN, filter: $f) {{ kpis {{ totalCalls }} }} }}");
        let mine = app.gql(Some(agent), &kpis, json!({})).await;
        let mine = data(&mine);
        assert_eq!(mine["kpis"]["totalCalls"], 2);
        assert_eq!(mine["kpiSeries"][0]["kpis"]["totalCalls"], 2);
        assert_eq!(mine["byAgent"], json!([{ "key": f.priya, "kpis": { "totalCalls": 2 } }]));
        let campaign_total: i64 = mine["byCampaign"].as_array().unwrap().iter().map(|g| g["kpis"]["totalCalls"].as_i64().unwrap()).sum();
        assert_eq!(campaign_total, 2);
        let ravis = app.gql(Some(agent), &kpis, json!({ "f": { "agentIds": [f.ravi] } })).await;
        assert_eq!(data(&ravis)["kpis"]["totalCalls"], 0);
        assert_eq!(data(&ravis)["byAgent"], json!([]));
        let all = app.gql(Some(manager), &kpis, json!({})).await;
        assert_eq!(data(&all)["kpis"]["totalCalls"], 3);

        let note = app.gql(Some(agent), ADD_NOTE, json!({ "callId": f.calls[2], "body": "not mine" })).await;
        assert_eq!(error_code(&note), "NOT_FOUND");
        let profile = app.gql(Some(agent), "query($id: ID!) { call(id: $id) { contact { leadProfile { callCount } } } }", json!({ "id": f.calls[0] })).await;
        assert_eq!(error_code(&profile), "FORBIDDEN", "a lead profile sums other agents' calls");
    }
}

db_test! {
    async fn notes_and_follow_ups_record_who_wrote_and_changed_them(app) {
        let f = fixture(&app).await;
        let manager = &f.credentials[1].1;
        let me = app.gql(Some(manager), "{ me { id } }", json!({})).await;
        let manager_id = data(&me)["me"]["id"].as_str().unwrap().to_owned();

        let by_user = app.gql(Some(manager), ADD_NOTE, json!({ "callId": f.calls[0], "body": "  promised to pay  " })).await;
        assert_eq!(data(&by_user)["addCallNote"], json!({ "body": "promised to pay", "author": { "kind": "USER", "id": manager_id } }));
        let by_key = app.gql(Some(&f.tenant.key), ADD_NOTE, json!({ "callId": f.calls[0], "body": "from the CRM" })).await;
        assert_eq!(data(&by_key)["addCallNote"]["author"]["kind"], "API_KEY");
        assert_eq!(error_code(&app.gql(Some(manager), ADD_NOTE, json!({ "callId": f.calls[0], "body": " " })).await), "BAD_USER_INPUT");
        let notes = app.gql(Some(manager), "query($id: ID!) { call(id: $id) { notes { body author { kind } } } }", json!({ "id": f.calls[0] })).await;
        assert_eq!(data(&notes)["call"]["notes"], json!([{ "body": "promised to pay", "author": { "kind": "USER" } }, { "body": "from the CRM", "author": { "kind": "API_KEY" } }]));

        let created = app.gql(Some(manager), CREATE_FOLLOW_UP, json!({ "input": { "contactId": f.contact, "callId": f.calls[2], "dueAt": "2026-04-03T09:00:00Z", "remark": "demo" } })).await;
        let created = data(&created)["createFollowUp"].clone();
        assert_eq!(created["status"], "PENDING");
        assert_eq!(created["createdBy"], json!({ "kind": "USER", "id": manager_id }));
        assert_eq!(created["updatedBy"], Value::Null);
        let id = created["id"].as_str().unwrap();

        let moved = app.gql(Some(manager), UPDATE_FOLLOW_UP, json!({ "id": id, "input": { "dueAt": "2026-04-05T09:00:00Z" } })).await;
        assert_eq!(data(&moved)["updateFollowUp"]["dueAt"], "2026-04-05T09:00:00+00:00");
        assert_eq!(data(&moved)["updateFollowUp"]["status"], "PENDING");
        let done = app.gql(Some(&f.tenant.key), UPDATE_FOLLOW_UP, json!({ "id": id, "input": { "status": "DONE" } })).await;
        assert_eq!(data(&done)["updateFollowUp"]["status"], "DONE");
        assert_eq!(data(&done)["updateFollowUp"]["updatedBy"]["kind"], "API_KEY");
        let again = app.gql(Some(manager), UPDATE_FOLLOW_UP, json!({ "id": id, "input": { "status": "CANCELLED" } })).await;
        assert_eq!(error_code(&again), "CONFLICT");

        let cancelled = app.gql(Some(manager), UPDATE_FOLLOW_UP, json!({ "id": f.follow_up, "input": { "status": "CANCELLED" } })).await;
        assert_eq!(data(&cancelled)["updateFollowUp"]["status"], "CANCELLED");

        let other_contact = app.gql(Some(manager), CREATE_FOLLOW_UP, json!({ "input": { "contactId": f.contact, "callId": f.calls[1], "dueAt": "2026-04-03T09:00:00Z" } })).await;
        assert_eq!(error_code(&other_contact), "BAD_USER_INPUT", "c2 is another contact's call");
    }
}
