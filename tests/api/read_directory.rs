//! Agents, campaigns, contacts and follow-ups: lists, orders, filters and
//! lookups.

use crate::helpers::*;
use crate::read_fixtures::*;
use entity::enums::FollowUpStatus;
use serde_json::{Value, json};

fn names(list: &Value) -> Vec<&str> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

db_test! {
    async fn agents_list_by_name_then_id_and_filter_by_search_active_and_kind(app) {
        let t = app.create_tenant("Acme").await;
        let agents = json!([
            { "externalId": "z-1", "name": "Zoe" },
            { "externalId": "b-1", "name": "Bala", "kind": "HUMAN" },
            { "externalId": "b-2", "name": "Bala" },
            { "externalId": "m-1", "name": "Meera", "language": "hi" },
        ]);
        data(&app.gql(Some(&t.key), &UPSERT_AGENTS, json!({ "agents": agents })).await);
        let zoe = uuid_of(&data(&app.gql(Some(&t.key), r#"{ agents(filter: { search: "zo" }) { nodes { id } } }"#, json!({})).await)["agents"]["nodes"][0]["id"]);
        {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            entity::agent::Entity::update_many()
                .col_expr(entity::agent::Column::Active, Expr::value(false))
                .filter(entity::agent::Column::Id.eq(zoe))
                .exec(app.db.conn())
                .await
                .unwrap();
        }

        let board = app.gql(Some(&t.key), AGENT_LEADERBOARD, json!({ "first": 3 })).await;
        let board = &data(&board)["agents"];
        assert_eq!(board["totalCount"], 4);
        assert_eq!(board["pageInfo"]["hasNextPage"], true);
        assert_eq!(names(board), ["Bala", "Bala", "Meera"]);
        let balas: Vec<uuid::Uuid> = board["nodes"].as_array().unwrap()[..2].iter().map(|n| uuid_of(&n["id"])).collect();
        assert!(balas[0] < balas[1], "equal names: smaller id first");
        let rest = app.gql(Some(&t.key), "query($after: String) { agents(first: 3, after: $after) { nodes { name } } }", json!({ "after": board["pageInfo"]["endCursor"] })).await;
        assert_eq!(names(&data(&rest)["agents"]), ["Zoe"]);

        for (filter, expected) in [
            (json!({ "search": "BAL" }), vec!["Bala", "Bala"]),
            (json!({ "search": "m-1" }), vec!["Meera"]),
            (json!({ "active": false }), vec!["Zoe"]),
            (json!({ "active": true, "kinds": ["AI"] }), vec!["Bala", "Meera"]),
            (json!({ "kinds": ["HUMAN"] }), vec!["Bala"]),
            (json!({ "kinds": [] }), vec![]),
            (json!({ "search": "%" }), vec![]),
        ] {
            let body = app.gql(Some(&t.key), "query($f: AgentFilterInput) { agents(filter: $f) { totalCount nodes { name } } }", json!({ "f": filter })).await;
            let list = &data(&body)["agents"];
            assert_eq!(names(list), expected, "{filter}");
            assert_eq!(list["totalCount"], expected.len(), "{filter}");
        }
        let one = app.gql(Some(&t.key), "query($id: ID!) { agent(id: $id) { name active kind } }", json!({ "id": api::domain::GlobalId::new(api::domain::NodeKind::Agent, zoe).encode() })).await;
        assert_eq!(data(&one)["agent"], json!({ "name": "Zoe", "active": false, "kind": "AI" }));
    }
}

db_test! {
    async fn campaigns_and_contacts_list_and_filter(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "a", "collections_q1", "98123 45601", 0), CallSpec::new("c2", "a", "renewals", "98123 45602", 60)]).await;
        crate::ingest::send_events(&app, &t.key, vec![crate::ingest::event_with("n1", "c1", "HOLD", 5, json!({ "contactName": "Ravi Kumar", "contactExternalId": "crm-7" }))]).await;

        let body = app.gql(Some(&t.key), r#"{ all: campaigns { totalCount nodes { name } } some: campaigns(filter: { search: "COLL" }) { nodes { name } } }"#, json!({})).await;
        assert_eq!(names(&data(&body)["all"]), ["collections_q1", "renewals"]);
        assert_eq!(names(&data(&body)["some"]), ["collections_q1"]);

        let contacts = r#"query($f: ContactFilterInput) { contacts(filter: $f) { totalCount nodes { phone name externalId } } }"#;
        let body = app.gql(Some(&t.key), contacts, json!({})).await;
        let phones: Vec<&str> = data(&body)["contacts"]["nodes"].as_array().unwrap().iter().map(|n| n["phone"].as_str().unwrap()).collect();
        assert_eq!(phones.len(), 2, "newest first: {phones:?}");
        for filter in [json!({ "search": "ravi" }), json!({ "phone": "098123 45601" }), json!({ "externalId": "crm-7" }), json!({ "search": "45601" })] {
            let body = app.gql(Some(&t.key), contacts, json!({ "f": filter })).await;
            assert_eq!(data(&body)["contacts"]["nodes"], json!([{ "phone": "+919812345601", "name": "Ravi Kumar", "externalId": "crm-7" }]), "{filter}");
        }
        let body = app.gql(Some(&t.key), contacts, json!({ "f": { "phone": "nope" } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
    }
}

db_test! {
    async fn follow_ups_list_filter_and_hang_off_their_contact(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "a", "q", "98123 45601", 0), CallSpec::new("c2", "a", "q", "98123 45602", 60)]).await;
        let call = crate::ingest::call_row(&app, t.uuid, "c1").await;
        let other = crate::ingest::call_row(&app, t.uuid, "c2").await;
        let contact = call.contact_id.unwrap();
        insert_follow_up(&app, t.uuid, contact, Some(call.id), 7200, FollowUpStatus::Pending).await;
        insert_follow_up(&app, t.uuid, contact, None, 3600, FollowUpStatus::Done).await;
        insert_follow_up(&app, t.uuid, other.contact_id.unwrap(), None, 5400, FollowUpStatus::Pending).await;

        let query = r#"query($f: FollowUpFilterInput) { followUps(filter: $f) { totalCount nodes { remark status dueAt contact { phone } call { providerCallId } } } }"#;
        let body = app.gql(Some(&t.key), query, json!({})).await;
        let remarks: Vec<&str> = data(&body)["followUps"]["nodes"].as_array().unwrap().iter().map(|n| n["remark"].as_str().unwrap()).collect();
        assert_eq!(remarks, ["due at 3600", "due at 5400", "due at 7200"]);
        assert_eq!(data(&body)["followUps"]["nodes"][2]["call"]["providerCallId"], "c1");
        let contact_id = api::domain::GlobalId::new(api::domain::NodeKind::Contact, contact).encode();
        for (filter, expected) in [
            (json!({ "statuses": ["PENDING"] }), 2),
            (json!({ "statuses": [] }), 0),
            (json!({ "dueFrom": at(3600).to_rfc3339(), "dueTo": at(7200).to_rfc3339() }), 2),
            (json!({ "contactIds": [contact_id] }), 2),
        ] {
            let body = app.gql(Some(&t.key), query, json!({ "f": filter })).await;
            assert_eq!(data(&body)["followUps"]["totalCount"], expected, "{filter}");
        }
        let body = app.gql(Some(&t.key), query, json!({ "f": { "dueFrom": at(60).to_rfc3339(), "dueTo": at(60).to_rfc3339() } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");

        let body = app.gql(Some(&t.key), "query($id: ID!) { contact(id: $id) { followUps { remark } } }", json!({ "id": contact_id })).await;
        assert_eq!(data(&body)["contact"]["followUps"], json!([{ "remark": "due at 3600" }, { "remark": "due at 7200" }]));
    }
}
