//! The call projection of INGEST.md: a pure function from a call's events
//! to its state. Every rule here is order-independent by construction: each
//! field is a min or max over the event set under a total order.

use chrono::{DateTime, Utc};
use entity::call_event;
use entity::enums::{CallDirection, CallEventType, CallStatus};
use serde_json::Value as Json;

/// The state of a call derived from its events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    pub initiated_at: Option<DateTime<Utc>>,
    pub ringing_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub status: Option<CallStatus>,
    pub answered: bool,
    pub duration_seconds: i64,
    pub billed_minutes: i64,
    pub credits: i64,
    pub cost_micros: Option<i64>,
    pub direction: Option<CallDirection>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub agent_external_id: Option<String>,
    pub contact_phone: Option<String>,
    pub campaign: Option<String>,
    pub hangup_by: Option<String>,
    pub hangup_reason: Option<String>,
    pub recording_url: Option<String>,
    pub metadata: Option<Json>,
    pub tags: Option<Json>,
}

/// The total order of events: `occurredAt`, then `eventId` in code-point
/// order (Rust compares `str` bytewise, which for UTF-8 is code-point order).
fn order_key(event: &call_event::Model) -> (DateTime<Utc>, &str) {
    (event.occurred_at, event.event_id.as_str())
}

/// The value of `field` from the latest event carrying it.
fn latest<T: Clone>(
    events: &[call_event::Model],
    field: impl Fn(&call_event::Model) -> Option<&T>,
) -> Option<T> {
    events
        .iter()
        .filter(|e| field(e).is_some())
        .max_by(|a, b| order_key(a).cmp(&order_key(b)))
        .and_then(|e| field(e).cloned())
}

fn earliest_of(events: &[call_event::Model], kind: CallEventType) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.event_type == kind)
        .map(|e| e.occurred_at)
        .min()
}

/// Billed minutes of a duration: whole minutes, rounded up.
pub fn billed_minutes(duration_seconds: i64) -> i64 {
    (duration_seconds.max(0) + 59) / 60
}

/// Projects a call from all its events, with the tenant's credits per minute.
pub fn project(events: &[call_event::Model], credits_per_minute: i64) -> Projection {
    if events.is_empty() {
        return Projection::default();
    }
    let initiated_at = earliest_of(events, CallEventType::Initiated)
        .or_else(|| events.iter().map(|e| e.occurred_at).min());
    let ringing_at = earliest_of(events, CallEventType::Ringing);
    let answered_at = earliest_of(events, CallEventType::Answered);
    let outcome = events
        .iter()
        .filter(|e| e.event_type.outcome().is_some())
        .max_by(|a, b| order_key(a).cmp(&order_key(b)));
    let ended_at = outcome.map(|e| e.occurred_at);
    let status = match outcome.and_then(|e| e.event_type.outcome()) {
        Some(outcome) => outcome,
        None if answered_at.is_some() => CallStatus::InProgress,
        None if ringing_at.is_some() => CallStatus::Ringing,
        None => CallStatus::Initiated,
    };
    let duration_seconds = match (
        outcome.and_then(|e| e.duration_seconds),
        ended_at,
        answered_at,
    ) {
        (Some(seconds), _, _) => seconds,
        (None, Some(end), Some(answer)) => (end - answer).num_seconds(),
        _ => 0,
    }
    .max(0);
    let billed = billed_minutes(duration_seconds);
    Projection {
        initiated_at,
        ringing_at,
        answered_at,
        ended_at,
        status: Some(status),
        answered: answered_at.is_some() || status == CallStatus::Completed,
        duration_seconds,
        billed_minutes: billed,
        credits: billed * credits_per_minute,
        cost_micros: outcome.and_then(|e| e.cost_micros),
        direction: latest(events, |e| e.direction.as_ref()),
        from_number: latest(events, |e| e.from_number.as_ref()),
        to_number: latest(events, |e| e.to_number.as_ref()),
        agent_external_id: latest(events, |e| e.agent_external_id.as_ref()),
        contact_phone: latest(events, |e| e.contact_phone.as_ref()),
        campaign: latest(events, |e| e.campaign.as_ref()),
        hangup_by: latest(events, |e| e.hangup_by.as_ref()),
        hangup_reason: latest(events, |e| e.hangup_reason.as_ref()),
        recording_url: latest(events, |e| e.recording_url.as_ref()),
        metadata: latest(events, |e| e.metadata.as_ref()),
        tags: latest(events, |e| e.tags.as_ref()),
    }
}

/// A contact's attributes from the latest events that carry them, over the
/// events of all the contact's calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactProjection {
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub context: Option<Json>,
}

/// Projects a contact's attributes from the events of its calls.
pub fn project_contact(events: &[call_event::Model]) -> ContactProjection {
    ContactProjection {
        name: latest(events, |e| e.contact_name.as_ref()),
        external_id: latest(events, |e| e.contact_external_id.as_ref()),
        context: latest(events, |e| e.contact_context.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn at(second: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_750_000_000 + second, 0).unwrap()
    }

    fn event(id: &str, kind: CallEventType, second: i64) -> call_event::Model {
        call_event::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            call_id: Uuid::nil(),
            event_id: id.into(),
            event_type: kind,
            occurred_at: at(second),
            agent_external_id: None,
            direction: None,
            from_number: None,
            to_number: None,
            contact_phone: None,
            contact_name: None,
            contact_external_id: None,
            campaign: None,
            duration_seconds: None,
            cost_micros: None,
            hangup_by: None,
            hangup_reason: None,
            recording_url: None,
            contact_context: None,
            metadata: None,
            tags: None,
            payload: None,
            received_at: at(0),
        }
    }

    use CallEventType::*;

    #[test]
    fn a_full_lifecycle_projects_times_status_and_billing() {
        let mut completed = event("e4", Completed, 130);
        completed.cost_micros = Some(250_000);
        let events = vec![
            event("e1", Initiated, 0),
            event("e2", Ringing, 5),
            event("e3", Answered, 9),
            completed,
        ];
        let p = project(&events, 2);
        assert_eq!(p.initiated_at, Some(at(0)));
        assert_eq!(p.ringing_at, Some(at(5)));
        assert_eq!(p.answered_at, Some(at(9)));
        assert_eq!(p.ended_at, Some(at(130)));
        assert_eq!(p.status, Some(CallStatus::Completed));
        assert!(p.answered);
        assert_eq!(p.duration_seconds, 121);
        assert_eq!(p.billed_minutes, 3);
        assert_eq!(p.credits, 6);
        assert_eq!(p.cost_micros, Some(250_000));
    }

    #[test]
    fn the_outcome_is_the_latest_terminal_event_and_ties_go_to_the_greater_id() {
        let events = vec![
            event("a", Busy, 10),
            event("b", Failed, 20),
            event("c", NoAnswer, 20),
        ];
        let p = project(&events, 1);
        assert_eq!(p.status, Some(CallStatus::NoAnswer));
        assert_eq!(p.ended_at, Some(at(20)));
    }

    #[test]
    fn without_initiated_the_earliest_event_starts_the_call() {
        let p = project(&[event("x", Answered, 50), event("y", Ringing, 40)], 1);
        assert_eq!(p.initiated_at, Some(at(40)));
        assert_eq!(p.status, Some(CallStatus::InProgress));
        assert!(p.answered);
    }

    #[test]
    fn status_falls_back_through_ringing_and_initiated() {
        assert_eq!(
            project(&[event("a", Initiated, 0), event("b", Ringing, 1)], 1).status,
            Some(CallStatus::Ringing)
        );
        assert_eq!(
            project(&[event("a", Initiated, 0), event("h", Hold, 3)], 1).status,
            Some(CallStatus::Initiated)
        );
    }

    #[test]
    fn the_outcomes_duration_wins_and_is_billed_whatever_the_outcome() {
        let mut failed = event("f", Failed, 100);
        failed.duration_seconds = Some(61);
        let mut hold = event("h", Hold, 50);
        hold.duration_seconds = Some(999);
        hold.cost_micros = Some(5);
        let p = project(&[event("a", Answered, 10), hold, failed], 1);
        assert_eq!(p.duration_seconds, 61);
        assert_eq!(p.billed_minutes, 2);
        assert_eq!(
            p.cost_micros, None,
            "cost on a non-outcome event is ignored"
        );
        assert!(p.answered, "answered because answeredAt is set");
    }

    #[test]
    fn duration_is_never_negative_and_floors_to_whole_seconds() {
        let end = event("z", Completed, 5);
        let p = project(&[event("a", Answered, 10), end], 1);
        assert_eq!(p.duration_seconds, 0);
        assert_eq!(p.billed_minutes, 0);
        let mut answered = event("a", Answered, 0);
        answered.occurred_at += chrono::Duration::milliseconds(600);
        let p = project(&[answered, event("z", Completed, 10)], 1);
        assert_eq!(p.duration_seconds, 9);
    }

    #[test]
    fn completed_without_answer_counts_as_answered_and_billing_rounds_up() {
        let p = project(&[event("c", Completed, 0)], 1);
        assert!(p.answered);
        assert_eq!(billed_minutes(0), 0);
        assert_eq!(billed_minutes(1), 1);
        assert_eq!(billed_minutes(60), 1);
        assert_eq!(billed_minutes(61), 2);
    }

    #[test]
    fn attributes_come_from_the_latest_event_carrying_them() {
        let mut early = event("a", Initiated, 0);
        early.campaign = Some("spring".into());
        early.tags = Some(serde_json::json!(["x", "y"]));
        let mut late = event("b", Ringing, 10);
        late.campaign = Some("summer".into());
        let mut later_without = event("c", Answered, 20);
        later_without.campaign = None;
        let p = project(&[later_without, late, early], 1);
        assert_eq!(p.campaign.as_deref(), Some("summer"));
        assert_eq!(
            p.tags,
            Some(serde_json::json!(["x", "y"])),
            "tags replaced whole, not merged"
        );
    }

    #[test]
    fn projection_does_not_depend_on_event_order() {
        let mut a = event("a", Completed, 30);
        a.hangup_by = Some("agent".into());
        let mut b = event("b", Completed, 30);
        b.hangup_by = Some("customer".into());
        let events = vec![event("i", Initiated, 0), a, b, event("r", Answered, 3)];
        let forward = project(&events, 1);
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(forward, project(&reversed, 1));
        assert_eq!(forward.hangup_by.as_deref(), Some("customer"));
    }
}
