//! `callboard import`: NDJSON backfills through the ingest path.

use crate::ingest::call_row;
use crate::ingest_order::snapshot;
use entity::enums::CallStatus;
use serde_json::json;
use std::io::Write;

fn ndjson_file(lines: &[String]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "callboard-import-{}.ndjson",
        uuid::Uuid::new_v4().simple()
    ));
    let mut file = std::fs::File::create(&path).unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    path
}

fn sample_lines() -> Vec<String> {
    vec![
        json!({ "kind": "event", "eventId": "e1", "provider": "exotel", "providerCallId": "c1", "type": "INITIATED", "occurredAt": "2026-03-01T10:00:00Z", "direction": "OUTBOUND", "toNumber": "9812345678" }).to_string(),
        json!({ "kind": "analysis", "analysisId": "a1", "provider": "exotel", "providerCallId": "c1", "analyzedAt": "2026-03-01T10:05:00Z", "totalScore": 88 }).to_string(),
        "{ this is not json".to_owned(),
        json!({ "kind": "event", "eventId": "e2", "provider": "exotel", "providerCallId": "c1", "type": "COMPLETED", "occurredAt": "2026-03-01T10:02:00Z", "durationSeconds": 95 }).to_string(),
        String::new(),
        json!({ "kind": "event", "eventId": "e3", "provider": "exotel", "providerCallId": "c1", "type": "HOLD", "occurredAt": "2026-03-01T10:01:00Z", "contactPhone": "12" }).to_string(),
        json!({ "kind": "transcript", "provider": "exotel", "providerCallId": "c1", "recordedAt": "2026-03-01T10:03:00Z", "segments": [{ "speaker": "AGENT", "text": "hi", "startMs": 0, "endMs": 500 }] }).to_string(),
        json!({ "kind": "event", "eventId": "e4", "provider": "exotel", "providerCallId": "c1", "type": "HOLD", "occurredAt": "2026-03-01T10:01:00Z", "unknownField": 1 }).to_string(),
    ]
}

db_test! {
    async fn import_reports_line_numbers_and_a_rerun_changes_nothing(app) {
        let t = app.create_tenant("Acme").await;
        let path = ndjson_file(&sample_lines());
        let progress = indicatif::ProgressBar::hidden();
        let first = api::import::import_file(&app.db, t.uuid, &path, 2, 2, &progress).await.unwrap();
        assert_eq!((first.accepted, first.duplicates), (4, 0));
        let lines: Vec<u64> = first.rejected.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![3, 6, 8], "{:?}", first.rejected);
        assert!(first.rejected[1].2.contains("contactPhone"));

        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!((c.status, c.duration_seconds), (CallStatus::Completed, 95));

        let second = api::import::import_file(&app.db, t.uuid, &path, 500, 2, &progress).await.unwrap();
        assert_eq!((second.accepted, second.duplicates, second.rejected.len()), (0, 4, 3));
        assert_eq!(call_row(&app, t.uuid, "c1").await, c, "re-running the file changes nothing");
        std::fs::remove_file(path).ok();
    }
}

db_test! {
    async fn the_import_command_prints_a_summary_and_fails_on_rejections(app) {
        let t = app.create_tenant("Acme").await;
        let path = ndjson_file(&sample_lines());
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["import", "--tenant", &t.uuid.to_string(), path.to_str().unwrap()])
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "rejections make the exit status non-zero");
        assert!(stdout.contains("accepted:   4"), "{stdout}");
        assert!(stdout.contains("line 3:") && stdout.contains("line 6:") && stdout.contains("line 8:"), "{stdout}");

        let clean = ndjson_file(&sample_lines()[..2]);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["import", "--tenant", &t.uuid.to_string(), clean.to_str().unwrap()])
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("duplicates: 2"));
        std::fs::remove_file(path).ok();
        std::fs::remove_file(clean).ok();
    }
}

/// Calls that share what streams may both write: contacts (ten phones for
/// sixty calls, their names changing from call to call), agents and
/// campaigns seen first in the file, and the rollup rows of a few days;
/// with an event delivered twice, an analysis and a transcript.
fn shared_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for call in 0..60 {
        let id = format!("c{call}");
        let at = |minutes: i64| {
            (chrono::DateTime::parse_from_rfc3339("2026-03-01T04:00:00Z").unwrap()
                + chrono::Duration::minutes(call * 97 + minutes))
            .to_rfc3339()
        };
        let phone = format!("98123450{:02}", call % 10);
        lines.push(json!({ "kind": "event", "eventId": format!("{id}-0"), "provider": "exotel", "providerCallId": id, "type": "INITIATED", "occurredAt": at(0), "direction": "OUTBOUND", "toNumber": phone, "agentExternalId": format!("agent-{}", call % 5), "campaign": format!("campaign-{}", call % 3), "contactName": format!("Name {call}"), "contactContext": { "call": call } }).to_string());
        if call % 3 != 0 {
            lines.push(json!({ "kind": "event", "eventId": format!("{id}-1"), "provider": "exotel", "providerCallId": id, "type": "ANSWERED", "occurredAt": at(1) }).to_string());
        }
        let end = json!({ "kind": "event", "eventId": format!("{id}-2"), "provider": "exotel", "providerCallId": id, "type": if call % 3 == 0 { "NO_ANSWER" } else { "COMPLETED" }, "occurredAt": at(3), "durationSeconds": call * 7, "cost": "0.25" }).to_string();
        lines.push(end.clone());
        if call % 7 == 0 {
            lines.push(end);
        }
        if call % 4 == 0 {
            lines.push(json!({ "kind": "analysis", "analysisId": format!("a{call}"), "provider": "exotel", "providerCallId": id, "analyzedAt": at(9), "totalScore": call % 100, "ctaDemo": call % 8 == 0 }).to_string());
        }
        if call % 11 == 0 {
            lines.push(json!({ "kind": "transcript", "provider": "exotel", "providerCallId": id, "recordedAt": at(8), "segments": [{ "speaker": "AGENT", "text": "hello", "startMs": 0, "endMs": 900 }] }).to_string());
        }
    }
    lines
}

db_test! {
    async fn an_import_written_in_streams_stores_what_one_writer_stores(app) {
        let path = ndjson_file(&shared_lines());
        let progress = indicatif::ProgressBar::hidden();
        let one = app.create_tenant("One writer").await;
        let alone = api::import::import_file(&app.db, one.uuid, &path, 500, 1, &progress).await.unwrap();
        assert!(alone.rejected.is_empty(), "{:?}", alone.rejected);
        // Batches of three events, four streams: many small transactions
        // at once, each meeting the others on contacts, agents, campaigns
        // and rollup rows.
        let many = app.create_tenant("Four writers").await;
        let streams = api::import::import_file(&app.db, many.uuid, &path, 3, 4, &progress).await.unwrap();
        assert_eq!((streams.accepted, streams.duplicates), (alone.accepted, alone.duplicates));
        assert!(alone.duplicates > 0, "the file delivers some events twice");
        assert_eq!(snapshot(&app, many.uuid).await, snapshot(&app, one.uuid).await);
        for tenant in [one.uuid, many.uuid] {
            assert_eq!(api::kpi::rebuild::verify(&app.db, tenant).await.unwrap(), Vec::<String>::new());
        }
        std::fs::remove_file(path).ok();
    }
}

db_test! {
    async fn an_event_id_two_calls_share_is_stored_once_whichever_stream_has_it(app) {
        // Forty calls, each pair sharing the id of its ending event: the
        // two calls of a pair mostly fall to different streams, and
        // whichever writes the id first keeps it.
        let mut lines = Vec::new();
        for call in 0..40 {
            let id = format!("c{call}");
            lines.push(json!({ "kind": "event", "eventId": format!("{id}-0"), "provider": "exotel", "providerCallId": id, "type": "INITIATED", "occurredAt": "2026-03-01T10:00:00Z", "agentExternalId": "a1" }).to_string());
            lines.push(json!({ "kind": "event", "eventId": format!("end-{}", call / 2), "provider": "exotel", "providerCallId": id, "type": "COMPLETED", "occurredAt": "2026-03-01T10:02:00Z", "durationSeconds": 60 }).to_string());
        }
        let path = ndjson_file(&lines);
        let t = app.create_tenant("Acme").await;
        let progress = indicatif::ProgressBar::hidden();
        let summary = api::import::import_file(&app.db, t.uuid, &path, 2, 4, &progress).await.unwrap();
        assert_eq!((summary.accepted, summary.duplicates, summary.rejected.len()), (60, 20, 0));
        let stored = snapshot(&app, t.uuid).await;
        let events = stored["events"].as_array().unwrap();
        for pair in 0..20 {
            let id = format!("end-{pair}");
            assert_eq!(events.iter().filter(|e| e["id"] == json!(id)).count(), 1, "{id}");
        }
        let completed = stored["calls"].as_array().unwrap().iter().filter(|c| c["status"] == json!("COMPLETED")).count();
        assert_eq!(completed, 20, "one call of each pair has its end");
        assert_eq!(api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap(), Vec::<String>::new());
        std::fs::remove_file(path).ok();
    }
}

db_test! {
    async fn a_stream_waits_for_the_phone_and_the_contact_another_writer_holds(app) {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        if app.db.backend() != sea_orm::DbBackend::Postgres {
            return; // SQLite writes one batch at a time.
        }
        let t = app.create_tenant("Acme").await;
        let event = |call: &str, phone: &str| json!({ "kind": "event", "eventId": format!("{call}-0"), "provider": "exotel", "providerCallId": call, "type": "INITIATED", "occurredAt": "2026-03-01T10:00:00Z", "direction": "OUTBOUND", "toNumber": phone, "contactName": "Asha" }).to_string();
        let progress = indicatif::ProgressBar::hidden();
        let first = ndjson_file(&[event("c1", "9812345001")]);
        api::import::import_file(&app.db, t.uuid, &first, 10, 2, &progress).await.unwrap();
        // An import while another writer holds `what`: it must wait for it.
        let waits_for = |what: String, file: std::path::PathBuf| {
            let (db, tenant) = (app.db.clone(), t.uuid);
            async move {
                let holder = db.conn().begin().await.unwrap();
                holder.execute_unprepared(&what).await.unwrap();
                let import = tokio::spawn(async move {
                    let progress = indicatif::ProgressBar::hidden();
                    api::import::import_file(&db, tenant, &file, 10, 2, &progress).await.unwrap()
                });
                tokio::time::sleep(std::time::Duration::from_millis(600)).await;
                assert!(!import.is_finished(), "the import waits while `{what}` is held");
                holder.commit().await.unwrap();
                assert_eq!(import.await.unwrap().accepted, 1);
            }
        };
        // A new contact's phone: the stream that creates it holds it.
        let (kind, key) = api::ingest::key_lock(api::ingest::KeyKind::Phone, "+919812345002");
        waits_for(format!("SELECT pg_advisory_xact_lock({kind}, {key})"), ndjson_file(&[event("c2", "9812345002")])).await;
        // A stored contact its call names again, its attributes unchanged:
        // the stream locks its row all the same, before reading the calls
        // it projects the contact from.
        let row = format!("SELECT id FROM contacts WHERE tenant_id = '{}' AND phone = '+919812345001' FOR NO KEY UPDATE", t.uuid);
        waits_for(row, ndjson_file(&[event("c3", "9812345001")])).await;
        assert_eq!(api::kpi::rebuild::verify(&app.db, t.uuid).await.unwrap(), Vec::<String>::new());
    }
}

db_test! {
    async fn a_follow_up_for_a_contact_a_stream_holds_does_not_wait_for_it(app) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        if app.db.backend() != sea_orm::DbBackend::Postgres {
            return; // SQLite writes one batch at a time.
        }
        let t = app.create_tenant("Acme").await;
        let line = json!({ "kind": "event", "eventId": "e1", "provider": "exotel", "providerCallId": "c1", "type": "INITIATED", "occurredAt": "2026-03-01T10:00:00Z", "direction": "OUTBOUND", "toNumber": "9812345001", "contactName": "Asha" }).to_string();
        let progress = indicatif::ProgressBar::hidden();
        api::import::import_file(&app.db, t.uuid, &ndjson_file(&[line]), 10, 2, &progress).await.unwrap();
        let contact = entity::contact::Entity::find()
            .filter(entity::contact::Column::TenantId.eq(t.uuid))
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap();
        // A stream's batch that holds the contact, as it does from its
        // contact phase until it commits (taking the tenant row last).
        let writers = api::ingest::Writers::Shared;
        let (stream, _gate) = api::ingest::begin(&app.db, t.uuid, writers).await.unwrap();
        api::ingest::contacts::lock(&stream, t.uuid, &[contact.id]).await.unwrap();
        // A follow-up is a shared writer too: it checks its contact (a
        // foreign key check), which a stream that merely names the contact
        // must not hold up.
        let contacts = app.gql(Some(&t.key), "{ contacts(first: 1) { nodes { id } } }", json!({})).await;
        let id = contacts["data"]["contacts"]["nodes"][0]["id"].clone();
        let input = json!({ "input": { "contactId": id, "dueAt": "2026-04-01T09:00:00Z", "remark": "call back" } });
        let created = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            app.gql(Some(&t.key), crate::roles::CREATE_FOLLOW_UP, input),
        )
        .await
        .expect("the follow-up does not wait for the stream");
        assert!(created["errors"].is_null(), "{created}");
        api::ingest::commit(stream, t.uuid, writers).await.unwrap();
    }
}

/// The contact of call c1 of a fresh import, and the line that moves c1 to
/// another phone, which leaves that contact named by no call (so a batch
/// with it removes the contact, unless it has a follow-up).
async fn contact_about_to_be_orphaned(
    app: &crate::helpers::TestApp,
    tenant: uuid::Uuid,
) -> (entity::contact::Model, String) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let first = json!({ "kind": "event", "eventId": "e1", "provider": "exotel", "providerCallId": "c1", "type": "INITIATED", "occurredAt": "2026-03-01T10:00:00Z", "direction": "OUTBOUND", "toNumber": "9812345001" }).to_string();
    let progress = indicatif::ProgressBar::hidden();
    api::import::import_file(&app.db, tenant, &ndjson_file(&[first]), 10, 2, &progress)
        .await
        .unwrap();
    let contact = entity::contact::Entity::find()
        .filter(entity::contact::Column::TenantId.eq(tenant))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    let moved = json!({ "kind": "event", "eventId": "e2", "provider": "exotel", "providerCallId": "c1", "type": "RINGING", "occurredAt": "2026-03-01T10:00:05Z", "contactPhone": "9812345002" }).to_string();
    (contact, moved)
}

db_test! {
    async fn a_follow_up_being_created_keeps_the_contact_a_stream_would_remove(app) {
        use sea_orm::{ActiveModelTrait, EntityTrait};
        if app.db.backend() != sea_orm::DbBackend::Postgres {
            return; // SQLite writes one transaction at a time.
        }
        let t = app.create_tenant("Acme").await;
        let (contact, moved) = contact_about_to_be_orphaned(&app, t.uuid).await;
        // A follow-up for the contact, written as `follow_up::create` writes
        // it and not yet committed.
        let writers = api::ingest::Writers::Shared;
        let (txn, _gate) = api::ingest::begin(&app.db, t.uuid, writers).await.unwrap();
        let follow_up = api::follow_up::pending(t.uuid, contact.id, None, chrono::Utc::now(), None, api::auth::Actor::Operator)
        .insert(&txn)
        .await
        .unwrap();
        // Meanwhile a stream moves the contact's only call to another phone.
        let (db, path) = (app.db.clone(), ndjson_file(&[moved]));
        let import = tokio::spawn(async move {
            let progress = indicatif::ProgressBar::hidden();
            api::import::import_file(&db, t.uuid, &path, 10, 2, &progress).await
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!import.is_finished(), "the stream waits for the follow-up's transaction");
        api::ingest::commit(txn, t.uuid, writers).await.unwrap();
        assert_eq!(import.await.unwrap().unwrap().accepted, 1);

        let kept = entity::contact::Entity::find_by_id((t.uuid, contact.id)).one(app.db.conn()).await.unwrap();
        assert!(kept.is_some(), "a contact with a follow-up stays");
        let still = entity::follow_up::Entity::find_by_id((t.uuid, follow_up.id)).one(app.db.conn()).await.unwrap();
        assert!(still.is_some(), "and so does its follow-up");
    }
}

db_test! {
    async fn a_follow_up_for_a_contact_a_stream_removes_meanwhile_is_not_found(app) {
        use sea_orm::{ConnectionTrait, Statement};
        if app.db.backend() != sea_orm::DbBackend::Postgres {
            return; // SQLite writes one transaction at a time.
        }
        let t = app.create_tenant("Acme").await;
        let (contact, _) = contact_about_to_be_orphaned(&app, t.uuid).await;
        let contacts = app.gql(Some(&t.key), "{ contacts(first: 1) { nodes { id } } }", json!({})).await;
        let id = contacts["data"]["contacts"]["nodes"][0]["id"].clone();
        // A stream's batch that removes the contact, as `contacts::refresh`
        // does: locked, then deleted, the tenant row taken at commit.
        let writers = api::ingest::Writers::Shared;
        let (stream, _gate) = api::ingest::begin(&app.db, t.uuid, writers).await.unwrap();
        for sql in [
            format!("SELECT id FROM contacts WHERE tenant_id = '{}' AND id = '{}' FOR UPDATE", t.uuid, contact.id),
            format!("UPDATE calls SET contact_id = NULL WHERE tenant_id = '{}'", t.uuid),
            format!("DELETE FROM contacts WHERE tenant_id = '{}' AND id = '{}'", t.uuid, contact.id),
        ] {
            stream.execute_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql)).await.unwrap();
        }
        let commit_after_a_while = async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            api::ingest::commit(stream, t.uuid, writers).await.unwrap();
        };
        let input = json!({ "input": { "contactId": id, "dueAt": "2026-04-01T09:00:00Z" } });
        let create = app.gql(Some(&t.key), crate::roles::CREATE_FOLLOW_UP, input);
        let (created, ()) = tokio::join!(create, commit_after_a_while);
        assert_eq!(crate::helpers::error_code(&created), "NOT_FOUND", "{created}");
    }
}
