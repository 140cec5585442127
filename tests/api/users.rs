//! Dashboard users: invitation, sign-in, access and refresh tokens,
//! rotation and reuse, logout, lockout, deactivation, suspension, password
//! changes, and the audit log they leave.

use crate::helpers::*;
use crate::read_fixtures::{CallSpec, data, ingest_calls};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

pub const LOGIN: &str = "mutation($email: String!, $password: String!, $tenant: ID) {
  login(email: $email, password: $password, tenant: $tenant) {
    accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email role }
  }
}";

pub const REFRESH: &str =
    "mutation($token: String!) { refreshToken(token: $token) { accessToken refreshToken } }";

pub const INVITE: &str = "mutation($input: InviteUserInput!) {
  inviteUser(input: $input) { user { id email role agentId active } password }
}";

pub const AUDIT: &str =
    "{ auditLog(first: 100) { entries { action actorKind actorId target detail } hasNextPage } }";

/// A user invited by `admin` (a key or a token); their id and password.
pub async fn invite(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    agent: Option<&str>,
) -> (String, String) {
    let input =
        json!({ "input": { "email": email, "name": email, "role": role, "agentId": agent } });
    let body = app.gql(Some(admin), INVITE, input).await;
    let payload = &data(&body)["inviteUser"];
    (
        payload["user"]["id"].as_str().unwrap().to_owned(),
        payload["password"].as_str().unwrap().to_owned(),
    )
}

/// Signs in; the whole response.
pub async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(None, LOGIN, json!({ "email": email, "password": password }))
        .await
}

/// Signs in; the access and refresh tokens.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let body = login(app, email, password).await;
    let payload = &data(&body)["login"];
    (
        payload["accessToken"].as_str().unwrap().to_owned(),
        payload["refreshToken"].as_str().unwrap().to_owned(),
    )
}

/// An access token of a new user of `tenant` with `role`.
pub async fn user_token(
    app: &TestApp,
    tenant: &TestTenant,
    email: &str,
    role: &str,
    agent: Option<&str>,
) -> String {
    let (_, password) = invite(app, &tenant.key, email, role, agent).await;
    sign_in(app, email, &password).await.0
}

/// The global id of the tenant's agent with external id `external`.
pub async fn agent_id(app: &TestApp, key: &str, external: &str) -> String {
    let body = app
        .gql(
            Some(key),
            "{ agents(first: 100) { nodes { id externalId } } }",
            json!({}),
        )
        .await;
    data(&body)["agents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["externalId"] == external)
        .unwrap_or_else(|| panic!("no agent {external}: {body}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A GraphQL request as if from client address `address`.
pub async fn gql_from(app: &TestApp, address: &str, query: &str, variables: Value) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", address)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

/// The actions of the audit log, newest first, as `admin` reads them.
pub async fn audit_actions(app: &TestApp, admin: &str) -> Vec<String> {
    let body = app.gql(Some(admin), AUDIT, json!({})).await;
    data(&body)["auditLog"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

const ME: &str = "{ me { id email role active } }";

db_test! {
    async fn an_invited_user_signs_in_and_reads_with_their_token(app) {
        let t = app.create_tenant("Acme").await;
        let (id, password) = invite(&app, &t.key, " Ana@Example.COM ", "ANALYST", None).await;
        assert_eq!(password.len(), 24);

        let body = login(&app, "ana@example.com", &password).await;
        let payload = &data(&body)["login"];
        assert_eq!(payload["user"], json!({ "id": id, "email": "ana@example.com", "role": "ANALYST" }));
        let access = payload["accessToken"].as_str().unwrap();
        assert!(payload["refreshToken"].as_str().unwrap().starts_with("cbr_"));

        let me = app.gql(Some(access), ME, json!({})).await;
        assert_eq!(data(&me)["me"]["id"], id.as_str());
        let tenant = app.gql(Some(access), &TENANT, json!({})).await;
        assert_eq!(data(&tenant)["tenant"]["id"], t.id.as_str());
        assert_eq!(error_code(&app.gql(Some(&t.key), ME, json!({})).await), "FORBIDDEN", "a key is not a user");

        let stored = app.db.conn().query_one_raw(Statement::from_string(app.db.backend(), "SELECT password_hash FROM users")).await.unwrap().unwrap();
        let hash: String = stored.try_get("", "password_hash").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(&password));
    }
}

db_test! {
    async fn wrong_passwords_and_unknown_emails_are_refused_alike(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let wrong = login(&app, "ana@example.com", "not the password").await;
        let unknown = login(&app, "nobody@example.com", &password).await;
        assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
        assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
        assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
        assert_eq!(error_code(&app.gql(Some("eyJhbGciOiJIUzI1NiJ9.e30.x"), &TENANT, json!({})).await), "UNAUTHENTICATED");
    }
}

db_test! {
    async fn five_failures_lock_an_email_from_an_address(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "MANAGER", None).await;
        let attempt = |address: &'static str, password: String| {
            let app = &app;
            async move { gql_from(app, address, LOGIN, json!({ "email": "ANA@example.com", "password": password })).await }
        };
        let stale = entity::login_attempt::ActiveModel {
            id: sea_orm::ActiveValue::Set(uuid::Uuid::now_v7()),
            attempt_key: sea_orm::ActiveValue::Set("old@example.com 192.0.2.1".into()),
            at: sea_orm::ActiveValue::Set(chrono::Utc::now() - chrono::Duration::minutes(16)),
        };
        sea_orm::ActiveModelTrait::insert(stale, app.db.conn()).await.unwrap();
        for _ in 0..5 {
            assert_eq!(error_code(&attempt("203.0.113.7", "wrong password!".into()).await), "UNAUTHENTICATED");
        }
        let kept = app.db.conn().query_all_raw(Statement::from_string(app.db.backend(), "SELECT attempt_key FROM login_attempts")).await.unwrap();
        assert_eq!(kept.len(), 5, "failures too old to count are forgotten");
        let locked = attempt("203.0.113.7", password.clone()).await;
        assert_eq!(error_code(&locked), "RATE_LIMITED", "{locked}");
        assert_eq!(error_code(&attempt("203.0.113.7", password.clone()).await), "RATE_LIMITED", "still locked");
        let retry = locked["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap();
        assert!((800..=900).contains(&retry), "{retry}");
        assert!(locked["errors"][0]["message"].as_str().unwrap().contains("too many failed sign-ins"));

        let elsewhere = attempt("198.51.100.1", password.clone()).await;
        assert!(data(&elsewhere)["login"]["accessToken"].is_string(), "another address is not locked: {elsewhere}");
        let unknown = gql_from(&app, "203.0.113.9", LOGIN, json!({ "email": "ghost@example.com", "password": "x" })).await;
        assert_eq!(error_code(&unknown), "UNAUTHENTICATED");

        let actions = audit_actions(&app, &t.key).await;
        assert_eq!(actions.iter().filter(|a| *a == "LOGIN_REFUSED").count(), 1, "audited once a window: {actions:?}");
        let log = app.gql(Some(&t.key), AUDIT, json!({})).await;
        let refused = data(&log)["auditLog"]["entries"].as_array().unwrap().iter().find(|e| e["action"] == "LOGIN_REFUSED").unwrap().clone();
        assert_eq!(refused["target"], "ana@example.com");
        assert_eq!(refused["actorKind"], "ANONYMOUS");
        assert_eq!(refused["detail"]["address"], "203.0.113.7");
    }
}

db_test! {
    async fn a_refresh_token_works_once_and_its_reuse_revokes_the_family(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (access1, refresh1) = sign_in(&app, "ana@example.com", &password).await;

        let rotated = app.gql(None, REFRESH, json!({ "token": refresh1 })).await;
        let access2 = data(&rotated)["refreshToken"]["accessToken"].as_str().unwrap().to_owned();
        let refresh2 = data(&rotated)["refreshToken"]["refreshToken"].as_str().unwrap().to_owned();
        assert_ne!(refresh1, refresh2);
        assert!(data(&app.gql(Some(&access2), &TENANT, json!({})).await)["tenant"].is_object());

        let reused = app.gql(None, REFRESH, json!({ "token": refresh1 })).await;
        assert_eq!(error_code(&reused), "UNAUTHENTICATED");

        let after = app.gql(None, REFRESH, json!({ "token": refresh2 })).await;
        assert_eq!(error_code(&after), "UNAUTHENTICATED", "the unspent token of the family is revoked too");
        for access in [&access1, &access2] {
            assert_eq!(error_code(&app.gql(Some(access), &TENANT, json!({})).await), "UNAUTHENTICATED", "the session's access tokens die with it");
        }
        assert!(audit_actions(&app, &t.key).await.contains(&"REFRESH_TOKEN_REUSED".to_owned()));

        let (fresh, _) = sign_in(&app, "ana@example.com", &password).await;
        assert!(data(&app.gql(Some(&fresh), &TENANT, json!({})).await)["tenant"].is_object(), "a new sign-in starts a new family");
        let rows = app.db.conn().query_all_raw(Statement::from_string(app.db.backend(), "SELECT token_hash FROM refresh_tokens")).await.unwrap();
        assert_eq!(rows.len(), 3);
        for row in rows {
            let hash: String = row.try_get("", "token_hash").unwrap();
            assert_eq!(hash.len(), 64);
            assert_ne!(hash, refresh1);
        }
        assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "token": "cbr_garbage" })).await), "UNAUTHENTICATED");
    }
}

db_test! {
    async fn logout_ends_the_session_at_once(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (access, refresh) = sign_in(&app, "ana@example.com", &password).await;
        let (other, _) = sign_in(&app, "ana@example.com", &password).await;
        let out = app.gql(Some(&access), "mutation { logout }", json!({})).await;
        assert_eq!(data(&out)["logout"], true);
        assert_eq!(error_code(&app.gql(Some(&access), &TENANT, json!({})).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "token": refresh })).await), "UNAUTHENTICATED");
        assert!(data(&app.gql(Some(&other), &TENANT, json!({})).await)["tenant"].is_object(), "another session lives on");
    }
}

db_test! {
    async fn deactivation_and_role_changes_apply_on_the_next_request(app) {
        let t = app.create_tenant("Acme").await;
        let (id, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (access, refresh) = sign_in(&app, "ana@example.com", &password).await;
        let keys = "{ apiKeys { id } }";
        assert_eq!(error_code(&app.gql(Some(&access), keys, json!({})).await), "FORBIDDEN");

        let promote = "mutation($id: ID!, $role: UserRole!) { updateUserRole(id: $id, role: $role) { role } }";
        let promoted = app.gql(Some(&t.key), promote, json!({ "id": id, "role": "ADMIN" })).await;
        assert_eq!(data(&promoted)["updateUserRole"]["role"], "ADMIN");
        assert!(data(&app.gql(Some(&access), keys, json!({})).await)["apiKeys"].is_array(), "the same token is now an admin's");

        let deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { active } }";
        let self_deactivation = app.gql(Some(&access), deactivate, json!({ "id": id })).await;
        assert_eq!(error_code(&self_deactivation), "BAD_USER_INPUT");
        let done = app.gql(Some(&t.key), deactivate, json!({ "id": id })).await;
        assert_eq!(data(&done)["deactivateUser"]["active"], false);
        assert_eq!(error_code(&app.gql(Some(&access), &TENANT, json!({})).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "token": refresh })).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&login(&app, "ana@example.com", &password).await), "UNAUTHENTICATED");

        let actions = audit_actions(&app, &t.key).await;
        for action in ["USER_INVITED", "USER_ROLE_CHANGED", "USER_DEACTIVATED", "API_KEY_CREATED"] {
            assert!(actions.contains(&action.to_owned()), "{action}: {actions:?}");
        }
    }
}

db_test! {
    async fn a_suspended_tenants_keys_and_users_stop_working_at_once(app) {
        let a = app.create_tenant("A").await;
        let b = app.create_tenant("B").await;
        let (_, password) = invite(&app, &a.key, "ana@example.com", "MANAGER", None).await;
        let (access, _) = sign_in(&app, "ana@example.com", &password).await;
        ingest_calls(&app, &a.key, &[CallSpec::new("c1", "priya", "q1", "98123 45601", 0), CallSpec::new("c2", "priya", "q1", "98123 45602", 60)]).await;
        let usage = "query($range: TimeRangeInput!) { tenants(range: $range) { tenant { id active } totalCalls billedMinutes credits } }";
        let range = json!({ "range": { "from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z" } });
        let listed = app.gql(Some(OPERATOR), usage, range.clone()).await;
        assert_eq!(data(&listed)["tenants"], json!([
            { "tenant": { "id": a.id, "active": true }, "totalCalls": 2, "billedMinutes": 4, "credits": 4 },
            { "tenant": { "id": b.id, "active": true }, "totalCalls": 0, "billedMinutes": 0, "credits": 0 },
        ]));
        assert_eq!(error_code(&app.gql(Some(&a.key), usage, range.clone()).await), "FORBIDDEN");
        assert_eq!(error_code(&app.gql(Some(&access), usage, range.clone()).await), "FORBIDDEN");

        let suspend = "mutation($id: ID!) { suspendTenant(id: $id) { active } }";
        assert_eq!(error_code(&app.gql(Some(&a.key), suspend, json!({ "id": a.id })).await), "FORBIDDEN");
        let suspended = app.gql(Some(OPERATOR), suspend, json!({ "id": a.id })).await;
        assert_eq!(data(&suspended)["suspendTenant"]["active"], false);
        for credential in [&a.key, &access] {
            assert_eq!(error_code(&app.gql(Some(credential), &TENANT, json!({})).await), "UNAUTHENTICATED");
        }
        assert_eq!(error_code(&login(&app, "ana@example.com", &password).await), "UNAUTHENTICATED");
        assert!(data(&app.gql(Some(&b.key), &TENANT, json!({})).await)["tenant"].is_object(), "B is untouched");

        let resume = "mutation($id: ID!) { resumeTenant(id: $id) { active } }";
        assert_eq!(data(&app.gql(Some(OPERATOR), resume, json!({ "id": a.id })).await)["resumeTenant"]["active"], true);
        assert!(data(&app.gql(Some(&access), &TENANT, json!({})).await)["tenant"].is_object());
        let actions = audit_actions(&app, &a.key).await;
        assert_eq!(&actions[..2], ["TENANT_RESUMED", "TENANT_SUSPENDED"]);
        let unknown = app.gql(Some(OPERATOR), suspend, json!({ "id": "VGVuYW50OjAwMDA" })).await;
        assert_eq!(error_code(&unknown), "NOT_FOUND");
    }
}

db_test! {
    async fn one_email_in_two_tenants_signs_in_by_password_or_by_tenant(app) {
        let a = app.create_tenant("A").await;
        let b = app.create_tenant("B").await;
        let (id_a, password_a) = invite(&app, &a.key, "ana@example.com", "ANALYST", None).await;
        let (id_b, password_b) = invite(&app, &b.key, "ana@example.com", "MANAGER", None).await;
        let in_a = login(&app, "ana@example.com", &password_a).await;
        assert_eq!(data(&in_a)["login"]["user"]["id"], id_a.as_str());
        let named = app.gql(None, LOGIN, json!({ "email": "ana@example.com", "password": password_b, "tenant": b.id })).await;
        assert_eq!(data(&named)["login"]["user"]["id"], id_b.as_str());
        let crossed = app.gql(None, LOGIN, json!({ "email": "ana@example.com", "password": password_a, "tenant": b.id })).await;
        assert_eq!(error_code(&crossed), "UNAUTHENTICATED", "A's password does not open B");
    }
}

db_test! {
    async fn users_change_their_password_and_their_other_sessions_end(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (access, _) = sign_in(&app, "ana@example.com", &password).await;
        let (other, _) = sign_in(&app, "ana@example.com", &password).await;
        let change = "mutation($current: String!, $new: String!) { changePassword(currentPassword: $current, newPassword: $new) }";
        assert_eq!(error_code(&app.gql(Some(&access), change, json!({ "current": "wrong", "new": "a long new password" })).await), "BAD_USER_INPUT");
        assert_eq!(error_code(&app.gql(Some(&access), change, json!({ "current": password, "new": "short" })).await), "BAD_USER_INPUT");
        let changed = app.gql(Some(&access), change, json!({ "current": password, "new": "a long new password" })).await;
        assert_eq!(data(&changed)["changePassword"], true);
        assert!(data(&app.gql(Some(&access), &TENANT, json!({})).await)["tenant"].is_object());
        assert_eq!(error_code(&app.gql(Some(&other), &TENANT, json!({})).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&login(&app, "ana@example.com", &password).await), "UNAUTHENTICATED");
        assert!(data(&login(&app, "ana@example.com", "a long new password").await)["login"].is_object());
    }
}

db_test! {
    async fn invitations_check_email_role_and_agent(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "priya", "q1", "98123 45601", 0)]).await;
        let priya = agent_id(&app, &t.key, "priya").await;
        invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let cases = [
            (json!({ "email": "ANA@example.com", "name": "Ana", "role": "ANALYST" }), "CONFLICT"),
            (json!({ "email": "not-an-email", "name": "X", "role": "ANALYST" }), "BAD_USER_INPUT"),
            (json!({ "email": "agent@example.com", "name": "X", "role": "AGENT" }), "BAD_USER_INPUT"),
            (json!({ "email": "m@example.com", "name": "X", "role": "MANAGER", "agentId": priya }), "BAD_USER_INPUT"),
            (json!({ "email": "a2@example.com", "name": "X", "role": "AGENT", "agentId": "QWdlbnQ6MDAwMA" }), "NOT_FOUND"),
        ];
        for (input, code) in cases {
            let body = app.gql(Some(&t.key), INVITE, json!({ "input": input })).await;
            assert_eq!(error_code(&body), code, "{input}: {body}");
        }
        let body = app.gql(Some(&t.key), INVITE, json!({ "input": { "email": "p@example.com", "name": "Priya", "role": "AGENT", "agentId": priya } })).await;
        assert_eq!(data(&body)["inviteUser"]["user"]["agentId"], priya.as_str());
        let users = app.gql(Some(&t.key), "{ users { email role } }", json!({})).await;
        assert_eq!(data(&users)["users"], json!([{ "email": "ana@example.com", "role": "ANALYST" }, { "email": "p@example.com", "role": "AGENT" }]));
    }
}

db_test! {
    async fn key_creation_and_revocation_are_audited_and_the_log_pages(app) {
        let t = app.create_tenant("Acme").await;
        let created = app.gql(Some(&t.key), &CREATE_API_KEY, json!({ "input": { "name": "crm", "scopes": ["INGEST"] } })).await;
        let id = data(&created)["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();
        app.gql(Some(&t.key), &REVOKE_API_KEY, json!({ "id": id })).await;
        app.gql(Some(&t.key), &REVOKE_API_KEY, json!({ "id": id })).await;
        let log = app.gql(Some(&t.key), AUDIT, json!({})).await;
        let entries = data(&log)["auditLog"]["entries"].as_array().unwrap().clone();
        let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["API_KEY_REVOKED", "API_KEY_CREATED", "API_KEY_CREATED"], "revoking twice is audited once");
        assert_eq!(entries[0]["target"], id.as_str());
        assert_eq!(entries[0]["actorKind"], "API_KEY");
        assert_eq!(entries[2]["actorKind"], "OPERATOR");

        let first = app.gql(Some(&t.key), "{ auditLog(first: 2) { entries { action } endCursor hasNextPage } }", json!({})).await;
        assert_eq!(data(&first)["auditLog"]["hasNextPage"], true);
        let cursor = data(&first)["auditLog"]["endCursor"].as_str().unwrap();
        let rest = app.gql(Some(&t.key), "query($after: String) { auditLog(first: 2, after: $after) { entries { action } hasNextPage } }", json!({ "after": cursor })).await;
        assert_eq!(data(&rest)["auditLog"], json!({ "entries": [{ "action": "API_KEY_CREATED" }], "hasNextPage": false }));
    }
}

db_test! {
    async fn wrong_current_passwords_count_towards_the_lockout(app) {
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (access, _) = sign_in(&app, "ana@example.com", &password).await;
        let change = "mutation($current: String!) { changePassword(currentPassword: $current, newPassword: \"a long new password\") }";
        for _ in 0..5 {
            let body = app.gql(Some(&access), change, json!({ "current": "a guess at it" })).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT");
        }
        let locked = app.gql(Some(&access), change, json!({ "current": password })).await;
        assert_eq!(error_code(&locked), "RATE_LIMITED", "{locked}");
        assert_eq!(error_code(&login(&app, "ana@example.com", &password).await), "RATE_LIMITED");
        assert!(data(&app.gql(Some(&access), &TENANT, json!({})).await)["tenant"].is_object(), "the session itself lives on");
    }
}

db_test! {
    async fn concurrent_invitations_of_one_email_create_one_user(app) {
        let t = app.create_tenant("Acme").await;
        let input = json!({ "input": { "email": "ana@example.com", "name": "Ana", "role": "ANALYST" } });
        let bodies = futures::future::join_all((0..6).map(|_| app.gql(Some(&t.key), INVITE, input.clone()))).await;
        let created = bodies.iter().filter(|b| b["errors"].is_null()).count();
        assert_eq!(created, 1, "{bodies:?}");
        for body in bodies.iter().filter(|b| !b["errors"].is_null()) {
            assert_eq!(error_code(body), "CONFLICT", "{body}");
        }
    }
}

db_test! {
    async fn expired_refresh_tokens_and_dead_sessions_are_pruned(app) {
        use entity::{refresh_token, user_session};
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let t = app.create_tenant("Acme").await;
        let (_, password) = invite(&app, &t.key, "ana@example.com", "ANALYST", None).await;
        let (_, first) = sign_in(&app, "ana@example.com", &password).await;
        let rotated = app.gql(None, REFRESH, json!({ "token": first })).await;
        let second = data(&rotated)["refreshToken"]["refreshToken"].as_str().unwrap().to_owned();
        let (_, other) = sign_in(&app, "ana@example.com", &password).await;
        let conn = app.db.conn();
        let tokens = || refresh_token::Entity::find().order_by_asc(refresh_token::Column::CreatedAt).all(conn);
        let before = tokens().await.unwrap();
        assert_eq!(before.len(), 3, "two tokens of the first session, one of the second");
        let (kept_session, dead_session) = (before[0].session_id, before[2].session_id);
        // The first session's spent token and the second session's only
        // token expire.
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)))
            .filter(refresh_token::Column::Id.is_in([before[0].id, before[2].id]))
            .exec(conn)
            .await
            .unwrap();
        assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "token": other })).await), "UNAUTHENTICATED");

        // A refresh drops its session's expired tokens, and keeps the spent
        // one that has not expired, so that its reuse is still caught.
        let third = app.gql(None, REFRESH, json!({ "token": second })).await;
        assert!(data(&third)["refreshToken"]["accessToken"].is_string(), "{third}");
        let after: Vec<_> = tokens().await.unwrap().into_iter().map(|r| r.id).collect();
        assert!(!after.contains(&before[0].id), "the expired token is gone");
        assert!(after.contains(&before[1].id), "the spent, unexpired token stays");
        assert!(after.contains(&before[2].id), "another session's tokens wait for a sign-in");
        assert_eq!(after.len(), 3);

        // A sign-in drops the user's sessions that cannot be refreshed any
        // more, with their tokens; the live one stays.
        let (fresh, _) = sign_in(&app, "ana@example.com", &password).await;
        let sessions: Vec<_> = user_session::Entity::find().all(conn).await.unwrap().into_iter().map(|s| s.id).collect();
        assert_eq!(sessions.len(), 2, "{sessions:?}");
        assert!(sessions.contains(&kept_session));
        assert!(!sessions.contains(&dead_session));
        assert!(tokens().await.unwrap().iter().all(|r| r.session_id != dead_session));
        assert!(data(&app.gql(Some(&fresh), &TENANT, json!({})).await)["tenant"].is_object());
        let reused = app.gql(None, REFRESH, json!({ "token": second })).await;
        assert_eq!(error_code(&reused), "UNAUTHENTICATED", "reuse of the spent token is still caught");
    }
}
