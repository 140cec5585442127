//! `callboard import`: NDJSON backfills through the ingest path.

use crate::ingest::call_row;
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
        let first = api::import::import_file(&app.db, t.uuid, &path, 2, &progress).await.unwrap();
        assert_eq!((first.accepted, first.duplicates), (4, 0));
        let lines: Vec<u64> = first.rejected.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![3, 6, 8], "{:?}", first.rejected);
        assert!(first.rejected[1].2.contains("contactPhone"));

        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!((c.status, c.duration_seconds), (CallStatus::Completed, 95));

        let second = api::import::import_file(&app.db, t.uuid, &path, 500, &progress).await.unwrap();
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
