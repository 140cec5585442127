//! Ingest benchmark: sustained `IngestCallEvents` batches over HTTP, or an
//! NDJSON file for `callboard import`.
//!
//! cargo run --release --example bench_ingest -- http --url http://127.0.0.1:8000/graphql --key cbk_... --events 100000 --batch 500 --concurrency 4
//! cargo run --release --example bench_ingest -- ndjson --out /tmp/events.ndjson --events 200000

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::io::Write;
use std::time::Instant;

const MUTATION: &str = "mutation IngestCallEvents($events: [CallEventInput!]!) { ingestCallEvents(events: $events) { accepted duplicates rejected { index code message } } }";

/// Four lifecycle events per call, realistic attributes, calls spread over
/// the last 30 days; `seed` keeps runs distinct.
fn events(count: usize, seed: &str) -> Vec<Value> {
    let now = Utc::now() - Duration::hours(1);
    let mut out = Vec::with_capacity(count);
    let mut call = 0usize;
    while out.len() < count {
        let at = now - Duration::seconds(((call * 7919) % (30 * 86_400)) as i64);
        let id = format!("{seed}-{call}");
        let agent = format!("agent-{:03}", call % 120);
        let phone = format!("+9198{:08}", (call * 31) % 40_000_000);
        let answered = call % 5 < 3;
        let base = |n: usize, kind: &str, t: chrono::DateTime<Utc>| json!({ "eventId": format!("{id}-{n}"), "provider": "bolna", "providerCallId": id, "type": kind, "occurredAt": t.to_rfc3339() });
        let mut first = base(0, "INITIATED", at);
        first.as_object_mut().unwrap().extend(json!({ "agentExternalId": agent, "direction": "OUTBOUND", "fromNumber": "+918047192000", "toNumber": phone, "contactName": "Bench Contact", "campaign": format!("campaign_{}", call % 6), "metadata": { "attempt": 1 }, "tags": ["bench"] }).as_object().unwrap().clone());
        out.push(first);
        out.push(base(1, "RINGING", at + Duration::seconds(3)));
        if answered {
            out.push(base(2, "ANSWERED", at + Duration::seconds(12)));
            let mut end = base(3, "COMPLETED", at + Duration::seconds(140));
            end.as_object_mut().unwrap().extend(
                json!({ "durationSeconds": 128, "cost": "0.91", "hangupBy": "customer" })
                    .as_object()
                    .unwrap()
                    .clone(),
            );
            out.push(end);
        } else {
            out.push(base(2, "NO_ANSWER", at + Duration::seconds(33)));
        }
        call += 1;
    }
    out.truncate(count);
    out
}

#[tokio::main]
async fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let count: usize = flag("--events")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let seed = flag("--seed").unwrap_or_else(|| Utc::now().timestamp().to_string());
    match argv.first().map(String::as_str) {
        Some("ndjson") => {
            let path = flag("--out").expect("--out FILE");
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            for mut e in events(count, &seed) {
                e["kind"] = json!("event");
                writeln!(file, "{e}").unwrap();
            }
            println!("wrote {count} events to {path}");
        }
        Some("http") => {
            let url = flag("--url").unwrap_or_else(|| "http://127.0.0.1:8000/graphql".into());
            let key = flag("--key").expect("--key");
            let batch: usize = flag("--batch").and_then(|v| v.parse().ok()).unwrap_or(500);
            let concurrency: usize = flag("--concurrency")
                .and_then(|v| v.parse().ok())
                .unwrap_or(4);
            let all = events(count, &seed);
            let batches: Vec<Vec<Value>> = all.chunks(batch).map(|c| c.to_vec()).collect();
            let queue = std::sync::Arc::new(std::sync::Mutex::new(batches));
            let client = reqwest::Client::new();
            let started = Instant::now();
            let mut workers = Vec::new();
            for _ in 0..concurrency {
                let (queue, client, url, key) =
                    (queue.clone(), client.clone(), url.clone(), key.clone());
                workers.push(tokio::spawn(async move {
                    let mut accepted = 0i64;
                    loop {
                        let Some(events) = queue.lock().unwrap().pop() else {
                            break;
                        };
                        let body: Value = client
                            .post(&url)
                            .bearer_auth(&key)
                            .json(&json!({ "query": MUTATION, "variables": { "events": events } }))
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                        assert!(body["errors"].is_null(), "{body}");
                        accepted += body["data"]["ingestCallEvents"]["accepted"]
                            .as_i64()
                            .unwrap();
                    }
                    accepted
                }));
            }
            let mut accepted = 0;
            for w in workers {
                accepted += w.await.unwrap();
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{accepted} events accepted in {secs:.2} s over HTTP (batches of {batch}, {concurrency} concurrent): {:.0} events/s",
                accepted as f64 / secs
            );
        }
        _ => eprintln!("usage: bench_ingest http|ndjson ..."),
    }
}
