//! The demo tenant's data: six weeks of an Indian lending company's AI and
//! human calling, with the shape such a business has — most outbound calls
//! unanswered, short and long talks, a minority of hot leads — generated
//! from a seed and written through the ingest path.

use crate::db::Db;
use crate::ingest::input::{
    AgentInput, CallEventInput, LeadAnalysisInput, TranscriptInput, TranscriptSegmentInput,
};
use crate::ingest::{self, IngestResult};
use crate::tenant::operator_tenant_id;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone as _, Utc, Weekday};
use entity::enums::{AgentKind, CallDirection, CallEventType, Sentiment, Speaker};
use entity::tenant;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::json;

/// What the seeder wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoStats {
    pub agents: usize,
    pub campaigns: usize,
    pub calls: usize,
    pub events: usize,
    pub analyses: usize,
    pub transcripts: usize,
}

const AGENTS: &[(&str, &str, AgentKind, &str, u32)] = &[
    (
        "bolna-priya",
        "Priya (AI, Hindi)",
        AgentKind::Ai,
        "hi-IN",
        22,
    ),
    (
        "bolna-arjun",
        "Arjun (AI, English)",
        AgentKind::Ai,
        "en-IN",
        18,
    ),
    (
        "bolna-meera",
        "Meera (AI, Tamil)",
        AgentKind::Ai,
        "ta-IN",
        12,
    ),
    (
        "bolna-kabir",
        "Kabir (AI, Hinglish)",
        AgentKind::Ai,
        "hi-IN",
        14,
    ),
    (
        "bolna-ananya",
        "Ananya (AI, Kannada)",
        AgentKind::Ai,
        "kn-IN",
        8,
    ),
    ("exotel-rohit", "Rohit Sharma", AgentKind::Human, "hi-IN", 9),
    ("exotel-sneha", "Sneha Iyer", AgentKind::Human, "en-IN", 7),
    (
        "exotel-vikram",
        "Vikram Singh",
        AgentKind::Human,
        "hi-IN",
        6,
    ),
    ("twilio-farah", "Farah Khan", AgentKind::Human, "en-IN", 4),
];

const CAMPAIGNS: &[(&str, u32)] = &[
    ("collections_q1", 45),
    ("home_loan_leads", 35),
    ("renewals_2025", 20),
];
const FIRST: &[&str] = &[
    "Aarav", "Vivaan", "Aditya", "Ishaan", "Rahul", "Sanjay", "Deepak", "Amit", "Pooja", "Neha",
    "Kavya", "Divya", "Lakshmi", "Fatima", "Imran", "Suresh", "Ramesh", "Anil", "Gita", "Harpreet",
    "Manoj", "Sunita", "Ravi", "Asha",
];
const CITIES: &[&str] = &[
    "Mumbai",
    "Pune",
    "Bengaluru",
    "Chennai",
    "Delhi",
    "Jaipur",
    "Kochi",
];
const LAST: &[&str] = &[
    "Patel", "Sharma", "Reddy", "Nair", "Gupta", "Iyer", "Khan", "Singh", "Das", "Joshi", "Mehta",
    "Rao", "Pillai", "Verma", "Bose", "Kulkarni",
];

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}

struct Contact {
    phone: String,
    name: String,
    crm_id: String,
    context: serde_json::Value,
}

fn contacts(rng: &mut StdRng, count: usize) -> Vec<Contact> {
    (0..count)
        .map(|i| {
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            let lead = rng.random_range(6..=9u64);
            let rest: u64 = rng.random_range(100_000_000..1_000_000_000u64);
            Contact {
                // Written as people type them; the ingest path normalises to E.164.
                phone: if i % 3 == 0 {
                    format!("0{lead}{rest}")
                } else {
                    format!("+91 {lead}{rest}")
                },
                name: format!("{first} {last}"),
                crm_id: format!("CRM-{}", 100_000 + i),
                context: json!({
                    "loanAmount": rng.random_range(20..500) * 1_000,
                    "daysOverdue": rng.random_range(0..120),
                    "city": CITIES[rng.random_range(0..CITIES.len())],
                }),
            }
        })
        .collect()
}

/// A local time in business hours on a day of the last `days` days.
fn call_time(rng: &mut StdRng, tz: chrono_tz::Tz, now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    loop {
        let today = now.with_timezone(&tz).date_naive();
        let day: NaiveDate = today - Duration::days(rng.random_range(0..days));
        let weekday_weight = match day.weekday() {
            Weekday::Sun => 2,
            Weekday::Sat => 5,
            _ => 10,
        };
        if rng.random_range(0..10) >= weekday_weight {
            continue;
        }
        // Two peaks: late morning and early evening.
        let hour = *pick_weighted(
            rng,
            &[
                (9, 5),
                (10, 9),
                (11, 12),
                (12, 11),
                (13, 6),
                (14, 7),
                (15, 8),
                (16, 10),
                (17, 11),
                (18, 9),
                (19, 6),
                (20, 3),
            ],
            |(_, w)| *w,
        );
        let local = day
            .and_hms_opt(hour.0, rng.random_range(0..60), rng.random_range(0..60))
            .expect("valid time");
        let Some(at) = tz.from_local_datetime(&local).earliest() else {
            continue;
        };
        let at = at.with_timezone(&Utc) + Duration::milliseconds(rng.random_range(0..1000));
        if at < now - Duration::minutes(5) {
            return at;
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Completed,
    NoAnswer,
    Busy,
    Failed,
    Cancelled,
    InProgress,
}

const SCRIPT: &[(Speaker, &str)] = &[
    (
        Speaker::Agent,
        "Namaste, this is {agent} calling from Acme Lending. Am I speaking with {name}?",
    ),
    (Speaker::Customer, "Yes, speaking. What is this about?"),
    (
        Speaker::Agent,
        "I'm calling about your account. Is this a good time to talk for two minutes?",
    ),
    (Speaker::Customer, "Okay, go ahead."),
    (
        Speaker::Agent,
        "We have a new offer with a lower interest rate if you continue with us this quarter.",
    ),
    (
        Speaker::Customer,
        "What would the EMI be for my current amount?",
    ),
    (
        Speaker::Agent,
        "It would come down by about twelve percent. I can send the exact numbers on WhatsApp.",
    ),
    (
        Speaker::Customer,
        "Please send it, I will check with my family.",
    ),
    (
        Speaker::Agent,
        "Sure. Can we schedule a quick demo of the app with our advisor this week?",
    ),
    (Speaker::Customer, "Thursday evening works for me."),
    (
        Speaker::Agent,
        "Booked. Thank you for your time, have a good day.",
    ),
    (Speaker::Customer, "Thank you, bye."),
];

/// Seeds `calls` calls over the six weeks before `now` for `tenant`.
pub async fn seed(
    db: &Db,
    tenant: &tenant::Model,
    now: DateTime<Utc>,
    calls: usize,
    seed: u64,
) -> anyhow::Result<DemoStats> {
    let mut rng = StdRng::seed_from_u64(seed);
    let tz: chrono_tz::Tz = tenant
        .timezone
        .parse()
        .map_err(|_| anyhow::anyhow!("bad zone"))?;
    let agents: Vec<AgentInput> = AGENTS
        .iter()
        .map(|(ext, name, kind, language, _)| AgentInput {
            external_id: (*ext).into(),
            name: (*name).into(),
            kind: Some(*kind),
            language: Some((*language).into()),
        })
        .collect();
    ingest::agents::upsert(db, operator_tenant_id(tenant.id), agents).await?;
    let people = contacts(&mut rng, calls / 2);

    let mut stats = DemoStats {
        agents: AGENTS.len(),
        campaigns: CAMPAIGNS.len(),
        ..Default::default()
    };
    let mut events = Vec::new();
    let mut analyses = Vec::new();
    let mut transcripts = Vec::new();
    for n in 0..calls {
        let agent = pick_weighted(&mut rng, AGENTS, |a| a.4);
        let provider = agent.0.split('-').next().unwrap_or("bolna");
        let person = &people[rng
            .random_range(0..people.len())
            .min(rng.random_range(0..people.len()))];
        let outbound = rng.random_range(0..100) < 85;
        let campaign = outbound.then(|| pick_weighted(&mut rng, CAMPAIGNS, |c| c.1).0);
        let start = call_time(&mut rng, tz, now, 42);
        let recent = now - start < Duration::minutes(30);
        let outcome = match (outbound, rng.random_range(0..100)) {
            _ if recent && rng.random_range(0..3) == 0 => Outcome::InProgress,
            (true, r) if r < 40 => Outcome::NoAnswer,
            (true, r) if r < 49 => Outcome::Busy,
            (true, r) if r < 55 => Outcome::Failed,
            (true, r) if r < 58 => Outcome::Cancelled,
            (false, r) if r < 12 => Outcome::NoAnswer,
            (false, r) if r < 18 => Outcome::Cancelled,
            _ => Outcome::Completed,
        };
        let call_id = format!("{provider}-{:08x}{:04}", rng.random::<u32>(), n % 10_000);
        let (from, to) = if outbound {
            ("+91 80 4719 2000".to_owned(), person.phone.clone())
        } else {
            (person.phone.clone(), "+91 80 4719 2000".to_owned())
        };
        let mut seq = 0;
        let mut event = |kind: CallEventType, at: DateTime<Utc>| {
            seq += 1;
            CallEventInput {
                event_id: format!("{call_id}-{seq}"),
                provider: provider.into(),
                provider_call_id: call_id.clone(),
                event_type: kind,
                occurred_at: at,
                agent_external_id: None,
                direction: None,
                from_number: None,
                to_number: None,
                contact_phone: None,
                contact_name: None,
                contact_external_id: None,
                campaign: None,
                duration_seconds: None,
                cost: None,
                hangup_by: None,
                hangup_reason: None,
                recording_url: None,
                contact_context: None,
                metadata: None,
                tags: None,
                payload: None,
            }
        };
        let mut initiated = event(CallEventType::Initiated, start);
        initiated.agent_external_id = Some(agent.0.into());
        initiated.direction = Some(if outbound {
            CallDirection::Outbound
        } else {
            CallDirection::Inbound
        });
        initiated.from_number = Some(from);
        initiated.to_number = Some(to);
        initiated.contact_name = Some(person.name.clone());
        initiated.contact_external_id = Some(person.crm_id.clone());
        initiated.contact_context = Some(person.context.clone());
        initiated.campaign = campaign.map(str::to_owned);
        initiated.metadata = Some(
            json!({ "callType": campaign.unwrap_or("inbound_support"), "attempt": rng.random_range(1..4) }),
        );
        initiated.tags = Some(if outbound {
            vec!["outbound".into(), provider.into()]
        } else {
            vec!["inbound".into()]
        });
        let mut call_events = vec![initiated];
        let ring = start + Duration::milliseconds(rng.random_range(1_500..6_000));
        if outcome != Outcome::Failed {
            call_events.push(event(CallEventType::Ringing, ring));
        }
        let talk = match rng.random_range(0..100) {
            r if r < 30 => rng.random_range(8..45),
            r if r < 75 => rng.random_range(45..240),
            _ => rng.random_range(240..900),
        };
        let answer = ring + Duration::milliseconds(rng.random_range(4_000..25_000));
        let terminal = match outcome {
            Outcome::Completed => {
                call_events.push(event(CallEventType::Answered, answer));
                if talk > 200 && rng.random_range(0..4) == 0 {
                    call_events.push(event(
                        CallEventType::Hold,
                        answer + Duration::seconds(talk / 2),
                    ));
                    call_events.push(event(
                        CallEventType::Unhold,
                        answer + Duration::seconds(talk / 2 + 20),
                    ));
                }
                let mut end = event(CallEventType::Completed, answer + Duration::seconds(talk));
                end.duration_seconds = Some(talk);
                end.hangup_by = Some(
                    if rng.random_range(0..3) == 0 {
                        "agent"
                    } else {
                        "customer"
                    }
                    .into(),
                );
                end.hangup_reason = Some("normal clearing".into());
                end.recording_url = Some(format!("https://recordings.example.com/{call_id}.mp3"));
                Some(end)
            }
            Outcome::NoAnswer => Some(event(CallEventType::NoAnswer, ring + Duration::seconds(30))),
            Outcome::Busy => Some(event(CallEventType::Busy, ring + Duration::seconds(3))),
            Outcome::Failed => {
                let mut end = event(CallEventType::Failed, start + Duration::seconds(2));
                end.hangup_reason = Some("network: destination unreachable".into());
                Some(end)
            }
            Outcome::Cancelled => {
                Some(event(CallEventType::Cancelled, ring + Duration::seconds(8)))
            }
            Outcome::InProgress => {
                call_events.push(event(CallEventType::Answered, answer));
                None
            }
        };
        if let Some(mut end) = terminal {
            let billed = (end.duration_seconds.unwrap_or(0) + 59) / 60;
            end.cost = Some(Decimal::new(billed * 450 + 10, 3)); // ₹0.45 a minute plus ₹0.01 a dial
            if end.occurred_at < now {
                call_events.push(end);
            }
        }
        stats.calls += 1;
        stats.events += call_events.len();
        events.extend(call_events);

        if outcome == Outcome::Completed && talk > 20 && rng.random_range(0..100) < 85 {
            let end = answer + Duration::seconds(talk);
            let lean = (talk as f64 / 900.0).min(1.0);
            let total = (rng.random_range(0.0..70.0) + lean * 45.0)
                .round()
                .clamp(0.0, 100.0) as i32;
            let jitter = |rng: &mut StdRng| (total + rng.random_range(-15..=15)).clamp(0, 100);
            let hot = total >= 80;
            let mut analysis = LeadAnalysisInput {
                analysis_id: format!("{call_id}-a1"),
                provider: provider.into(),
                provider_call_id: call_id.clone(),
                analyzed_at: end + Duration::seconds(rng.random_range(30..600)),
                total_score: total,
                intent_score: Some(jitter(&mut rng)),
                urgency_score: Some(jitter(&mut rng)),
                budget_score: rng.random_bool(0.8).then(|| jitter(&mut rng)),
                fit_score: Some(jitter(&mut rng)),
                engagement_score: Some(jitter(&mut rng)),
                sentiment: Some(match total {
                    t if t >= 65 => Sentiment::Positive,
                    t if t >= 35 => Sentiment::Neutral,
                    _ => Sentiment::Negative,
                }),
                cta_pricing: Some(rng.random_bool(if hot { 0.6 } else { 0.2 })),
                cta_demo: Some(rng.random_bool(if hot { 0.45 } else { 0.06 })),
                cta_followup: Some(rng.random_bool(0.3)),
                cta_sample: Some(rng.random_bool(0.08)),
                escalated_to_human: Some(rng.random_bool(0.05)),
                demo_booked_at: None,
                extracted_name: Some(person.name.clone()),
                extracted_email: rng.random_bool(0.3).then(|| {
                    format!(
                        "{}@example.in",
                        person.name.to_lowercase().replace(' ', ".")
                    )
                }),
                extracted_company: None,
                summary: Some(format!(
                    "{} discussed the {} offer; lead scored {total}.",
                    person.name,
                    campaign.unwrap_or("support")
                )),
                reasoning: Some(
                    json!({ "signals": if hot { vec!["asked for EMI", "agreed to demo"] } else { vec!["listened"] } }),
                ),
            };
            if analysis.cta_demo == Some(true) && rng.random_bool(0.6) {
                analysis.demo_booked_at = Some(end + Duration::days(rng.random_range(1..7)));
            }
            if analysis.analyzed_at < now {
                if rng.random_range(0..100) < 6 {
                    // A re-analysis: the later one is effective, the first stays as history.
                    let mut second = analysis.clone();
                    second.analysis_id = format!("{call_id}-a2");
                    second.analyzed_at = analysis.analyzed_at + Duration::minutes(5);
                    second.total_score = (total + 10).min(100);
                    if second.analyzed_at < now {
                        analyses.push(second);
                    }
                }
                analyses.push(analysis);
            }
            let turns = ((talk / 20) as usize).clamp(4, SCRIPT.len());
            let step = talk * 1000 / turns as i64;
            transcripts.push(TranscriptInput {
                provider: provider.into(),
                provider_call_id: call_id.clone(),
                recorded_at: end + Duration::seconds(15),
                language: Some(agent.3.into()),
                segments: SCRIPT[..turns]
                    .iter()
                    .enumerate()
                    .map(|(i, (speaker, text))| TranscriptSegmentInput {
                        speaker: Some(*speaker),
                        text: text
                            .replace("{agent}", agent.1.split(' ').next().unwrap_or("Priya"))
                            .replace("{name}", &person.name),
                        start_ms: i as i64 * step,
                        end_ms: i as i64 * step + step * 9 / 10,
                    })
                    .collect(),
            });
        }
    }
    transcripts.retain(|t| t.recorded_at < now);
    stats.analyses = analyses.len();
    stats.transcripts = transcripts.len();

    for chunk in events.chunks(500) {
        check(ingest::events::ingest(db, tenant, chunk.to_vec()).await?)?;
    }
    for chunk in analyses.chunks(500) {
        check(ingest::analyses::ingest(db, tenant, chunk.to_vec()).await?)?;
    }
    for chunk in transcripts.chunks(200) {
        check(ingest::transcripts::ingest(db, tenant, chunk.to_vec()).await?)?;
    }
    Ok(stats)
}

fn check(result: IngestResult) -> anyhow::Result<()> {
    match result.rejected.first() {
        Some(r) => anyhow::bail!(
            "demo data rejected at {}: {} {}",
            r.index,
            r.code,
            r.message
        ),
        None => Ok(()),
    }
}
