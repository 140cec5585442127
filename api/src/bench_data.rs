//! `callboard bench-data`: a fast, seeded generator of benchmark-sized data.
//!
//! It writes calls as their projection would leave them (plus lead analyses
//! for about half the answered calls, and events and transcripts for the
//! last day's calls, which the call-list benchmark reads) in bulk inserts,
//! and builds the rollups directly, day by day — bypassing the per-message
//! write path, which is what makes ten million calls a matter of minutes.
//! `callboard rollups verify` confirms the result is what ingest would keep.

use crate::db::Db;
use crate::ingest::projection::billed_minutes;
use crate::kpi::upkeep::RollupDelta;
use crate::tenant::{self, NewTenant};
use chrono::{DateTime, Duration, Utc};
use entity::enums::{AgentKind, CallDirection, CallEventType, CallStatus, Sentiment, Speaker};
use entity::{
    agent, call, call_event, campaign, contact, lead_analysis, transcript, transcript_segment,
};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

/// What to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchDataArgs {
    /// Number of tenants; the largest gets about 40% of the calls.
    #[arg(long, default_value_t = 20)]
    pub tenants: usize,
    /// Total calls over all tenants.
    #[arg(long, default_value_t = 10_000_000)]
    pub calls: usize,
    /// Days of history, ending now.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Agents over all tenants.
    #[arg(long, default_value_t = 500)]
    pub agents: usize,
    /// Random seed (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

struct Tenant {
    id: Uuid,
    share: f64,
    agents: Vec<(Uuid, &'static str)>,
    campaigns: Vec<Uuid>,
    contacts: Vec<Uuid>,
    credits_per_minute: i64,
    zone: chrono_tz::Tz,
}

const PROVIDERS: [&str; 3] = ["bolna", "exotel", "twilio"];

/// Creates `args.tenants` tenants and fills them; prints each tenant's id
/// and an API key (READ) for the benchmark clients.
pub async fn generate(db: &Db, args: &BenchDataArgs) -> anyhow::Result<Vec<(Uuid, String)>> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let now = Utc::now();
    let start = now - Duration::days(args.days);
    // Shares: the first tenant about 40%, the rest a decaying tail.
    let tail: Vec<f64> = (1..args.tenants)
        .map(|i| 1.0 / (i as f64).powf(0.8))
        .collect();
    let tail_sum: f64 = tail.iter().sum();
    let mut shares = vec![if args.tenants == 1 { 1.0 } else { 0.4 }];
    shares.extend(tail.iter().map(|w| 0.6 * w / tail_sum));

    let mut tenants = Vec::new();
    let mut keys = Vec::new();
    for (i, share) in shares.iter().enumerate() {
        let input = NewTenant {
            name: format!("Bench tenant {i:02}"),
            timezone: [
                "Asia/Kolkata",
                "Asia/Kathmandu",
                "Europe/London",
                "America/New_York",
            ][i % 4]
                .into(),
            default_country: Some("IN".into()),
            credits_per_minute: Some(1 + (i % 3) as i32),
        };
        let (row, key) = tenant::create_tenant(db.conn(), input).await?;
        keys.push((row.id, key.secret));
        let n_agents = ((args.agents as f64 * share).round() as usize).max(2);
        let n_campaigns = 3 + i % 6;
        let n_contacts = ((args.calls as f64 * share / 4.0) as usize).max(10);
        let mut t = Tenant {
            id: row.id,
            share: *share,
            agents: Vec::new(),
            campaigns: Vec::new(),
            contacts: Vec::new(),
            credits_per_minute: i64::from(row.credits_per_minute),
            zone: crate::kpi::zone_of(&row)?,
        };
        let agents: Vec<agent::ActiveModel> = (0..n_agents)
            .map(|a| {
                let id = Uuid::now_v7();
                t.agents.push((id, PROVIDERS[a % 3]));
                agent::Model {
                    tenant_id: t.id,
                    id,
                    external_id: format!("agent-{a:04}"),
                    name: format!("Agent {a:04}"),
                    kind: if a % 5 == 0 {
                        AgentKind::Human
                    } else {
                        AgentKind::Ai
                    },
                    language: Some("hi-IN".into()),
                    active: true,
                    config: None,
                    created_at: start,
                    updated_at: start,
                }
                .into_active_model()
            })
            .collect();
        insert_all(db.conn(), agents).await?;
        let campaigns: Vec<campaign::ActiveModel> = (0..n_campaigns)
            .map(|c| {
                let id = Uuid::now_v7();
                t.campaigns.push(id);
                campaign::Model {
                    tenant_id: t.id,
                    id,
                    name: format!("campaign_{c}"),
                    created_at: start,
                }
                .into_active_model()
            })
            .collect();
        insert_all(db.conn(), campaigns).await?;
        let mut contacts = Vec::with_capacity(n_contacts);
        for n in 0..n_contacts {
            let id = Uuid::now_v7();
            t.contacts.push(id);
            contacts.push(
                contact::Model {
                    tenant_id: t.id,
                    id,
                    phone: format!("+9198{:08}", n),
                    name: Some(format!("Contact {n}")),
                    email: None,
                    external_id: Some(format!("CRM-{n}")),
                    context: None,
                    created_at: start,
                    updated_at: start,
                }
                .into_active_model(),
            );
            if contacts.len() == 1000 {
                insert_all(db.conn(), std::mem::take(&mut contacts)).await?;
            }
        }
        insert_all(db.conn(), contacts).await?;
        tenants.push(t);
    }

    let progress = ProgressBar::new(args.calls as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} calls {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let per_day = args.calls as f64 / args.days as f64;
    let detail_from = now - Duration::days(1);
    for day in 0..args.days {
        let day_start = start + Duration::days(day);
        let txn = db.conn().begin().await?;
        for t in &tenants {
            let n = (per_day * t.share).round() as usize;
            let mut calls = Vec::with_capacity(n);
            let mut analyses = Vec::new();
            let mut rollups = RollupDelta::new(t.zone);
            let mut details = Vec::new();
            for _ in 0..n {
                let (c, a) = one_call(&mut rng, t, day_start);
                rollups.add(&c, a.as_ref(), 1);
                if c.initiated_at.is_some_and(|at| at >= detail_from) {
                    details.push(c.clone());
                }
                calls.push(c.into_active_model());
                analyses.extend(a.map(IntoActiveModel::into_active_model));
                if calls.len() == 1000 {
                    insert_all(&txn, std::mem::take(&mut calls)).await?;
                    progress.inc(1000);
                }
            }
            progress.inc(calls.len() as u64);
            insert_all(&txn, calls).await?;
            insert_all(&txn, analyses).await?;
            write_details(&txn, &details).await?;
            rollups.apply(&txn, t.id).await?;
        }
        txn.commit().await?;
    }
    progress.finish_and_clear();
    Ok(keys)
}

async fn insert_all<C, A>(db: &C, rows: Vec<A>) -> anyhow::Result<()>
where
    C: sea_orm::ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
{
    for chunk in rows.chunks(1000) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn one_call(
    rng: &mut StdRng,
    t: &Tenant,
    day: DateTime<Utc>,
) -> (call::Model, Option<lead_analysis::Model>) {
    let (agent, provider) = t.agents[rng
        .random_range(0..t.agents.len())
        .min(rng.random_range(0..t.agents.len()))];
    let at = day
        + Duration::seconds(rng.random_range(0..86_400))
        + Duration::milliseconds(rng.random_range(0..1000));
    let outbound = rng.random_bool(0.85);
    let roll = rng.random_range(0..100);
    let status = match roll {
        0..40 => CallStatus::NoAnswer,
        40..49 => CallStatus::Busy,
        49..55 => CallStatus::Failed,
        55..58 => CallStatus::Cancelled,
        58..59 => CallStatus::InProgress,
        _ => CallStatus::Completed,
    };
    let answered = matches!(status, CallStatus::Completed | CallStatus::InProgress);
    let duration = if status == CallStatus::Completed {
        match rng.random_range(0..100) {
            0..30 => rng.random_range(5..45),
            30..75 => rng.random_range(45..240),
            _ => rng.random_range(240..1200),
        }
    } else {
        0
    };
    let billed = billed_minutes(duration);
    let answer_at = at + Duration::seconds(rng.random_range(5..25));
    let c = call::Model {
        tenant_id: t.id,
        id: Uuid::now_v7(),
        provider: provider.into(),
        provider_call_id: format!("{provider}-{}", Uuid::now_v7().simple()),
        direction: Some(if outbound {
            CallDirection::Outbound
        } else {
            CallDirection::Inbound
        }),
        from_number: Some("+918047192000".into()),
        to_number: None,
        agent_id: Some(agent),
        contact_id: Some(t.contacts[rng.random_range(0..t.contacts.len())]),
        campaign_id: outbound.then(|| t.campaigns[rng.random_range(0..t.campaigns.len())]),
        initiated_at: Some(at),
        ringing_at: Some(at + Duration::seconds(2)),
        answered_at: answered.then_some(answer_at),
        ended_at: (status != CallStatus::InProgress)
            .then(|| answer_at + Duration::seconds(duration)),
        status,
        answered,
        duration_seconds: duration,
        billed_minutes: billed,
        credits: billed * t.credits_per_minute,
        cost_micros: Some(billed * 450_000 + 10_000),
        hangup_by: None,
        hangup_reason: None,
        recording_url: None,
        metadata: None,
        tags: None,
        created_at: at,
        updated_at: at,
    };
    let analysis = (status == CallStatus::Completed && rng.random_bool(0.5)).then(|| {
        let total = rng.random_range(0..=100);
        lead_analysis::Model {
            tenant_id: t.id,
            id: Uuid::now_v7(),
            call_id: c.id,
            analysis_id: format!("an-{}", c.id.simple()),
            analyzed_at: at + Duration::minutes(5),
            total_score: total,
            intent_score: Some(rng.random_range(0..=100)),
            urgency_score: Some(rng.random_range(0..=100)),
            budget_score: rng.random_bool(0.7).then(|| rng.random_range(0..=100)),
            fit_score: Some(rng.random_range(0..=100)),
            engagement_score: Some(rng.random_range(0..=100)),
            sentiment: Some(
                [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative]
                    [rng.random_range(0..3)],
            ),
            cta_pricing: rng.random_bool(0.25),
            cta_demo: rng.random_bool(0.1),
            cta_followup: rng.random_bool(0.3),
            cta_sample: rng.random_bool(0.05),
            escalated_to_human: rng.random_bool(0.04),
            demo_booked_at: rng.random_bool(0.05).then(|| at + Duration::days(3)),
            extracted_name: None,
            extracted_email: None,
            extracted_company: None,
            summary: Some("Discussed the offer.".into()),
            reasoning: None,
            effective: true,
            created_at: at,
        }
    });
    (c, analysis)
}

/// Events and transcripts for the most recent calls (what a call list
/// shows first).
async fn write_details<C: sea_orm::ConnectionTrait>(
    db: &C,
    calls: &[call::Model],
) -> anyhow::Result<()> {
    let mut events = Vec::new();
    let mut transcripts = Vec::new();
    let mut segments = Vec::new();
    for c in calls {
        let Some(at) = c.initiated_at else { continue };
        let mut kinds = vec![
            (CallEventType::Initiated, at),
            (CallEventType::Ringing, at + Duration::seconds(2)),
        ];
        if let Some(answered) = c.answered_at {
            kinds.push((CallEventType::Answered, answered));
        }
        if let (Some(end), Some(outcome)) = (c.ended_at, c.status.outcome_event()) {
            kinds.push((outcome, end));
        }
        for (n, (kind, when)) in kinds.into_iter().enumerate() {
            events.push(
                call_event::Model {
                    tenant_id: c.tenant_id,
                    id: Uuid::now_v7(),
                    call_id: c.id,
                    event_id: format!("{}-{n}", c.provider_call_id),
                    event_type: kind,
                    occurred_at: when,
                    agent_external_id: None,
                    direction: c.direction,
                    from_number: c.from_number.clone(),
                    to_number: None,
                    contact_phone: None,
                    contact_name: None,
                    contact_external_id: None,
                    campaign: None,
                    duration_seconds: (kind == CallEventType::Completed)
                        .then_some(c.duration_seconds),
                    cost_micros: None,
                    hangup_by: None,
                    hangup_reason: None,
                    recording_url: None,
                    contact_context: None,
                    metadata: None,
                    tags: None,
                    payload: None,
                    received_at: when,
                }
                .into_active_model(),
            );
        }
        if c.status == CallStatus::Completed {
            let id = Uuid::now_v7();
            transcripts.push(
                transcript::Model {
                    tenant_id: c.tenant_id,
                    id,
                    call_id: c.id,
                    recorded_at: c.ended_at.unwrap_or(at),
                    language: Some("hi-IN".into()),
                    created_at: at,
                }
                .into_active_model(),
            );
            for p in 0..6 {
                segments.push(
                    transcript_segment::Model {
                        tenant_id: c.tenant_id,
                        transcript_id: id,
                        position: p,
                        speaker: Some(if p % 2 == 0 {
                            Speaker::Agent
                        } else {
                            Speaker::Customer
                        }),
                        text: "Namaste, main Acme Lending se bol rahi hoon.".into(),
                        start_ms: i64::from(p) * 4000,
                        end_ms: i64::from(p) * 4000 + 3500,
                    }
                    .into_active_model(),
                );
            }
        }
    }
    insert_all(db, events).await?;
    insert_all(db, transcripts).await?;
    insert_all(db, segments).await
}
