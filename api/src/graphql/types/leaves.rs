//! Objects whose selected fields are all plain values, answered in one pass
//! over the selection set instead of through a future per field: a
//! breakdown by agent asks `Kpis` for some 8,000 numbers, and a page of 100
//! calls holds thousands of event and transcript-segment fields. `Kpis`
//! does this itself; other objects implement `Plain` and appear in the
//! schema as `OnePass<T>`.
//!
//! The schema registers no extensions (`graphql::schema`), so no
//! field-level hook is skipped; `@skip` and `@include` are applied by the
//! engine before execution. Anything else falls back to the engine.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{EnumType, enum_value};
use async_graphql::{
    ContainerType, ContextSelectionSet, Json, Name, OutputType, Positioned, ScalarType,
    ServerResult, Value,
};
use futures::future::join_all;
use std::borrow::Cow;

/// An object whose plain fields can be answered without the engine.
pub trait Plain: OutputType {
    /// The field `name`'s value, exactly as the engine resolves it; `None`
    /// for a field that needs the engine (a relation, arguments).
    fn value_of(&self, name: &str) -> Option<Value>;
}

/// `T` in the schema, answered in one pass when its selection is all plain
/// fields, and by the engine otherwise.
pub struct OnePass<T>(pub T);

impl<T: Plain> OutputType for OnePass<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if let Some(value) = resolve(ctx, &T::type_name(), |name| self.0.value_of(name)) {
            return Ok(value);
        }
        self.0.resolve(ctx, field).await
    }
}

/// `T` in the schema for an object with relations (a call): its plain
/// fields answered in one pass, each other field by the engine, all of
/// them concurrently as the engine would. A failed field is reported and
/// left out, as the engine does; the answer keeps the selection's order
/// (the engine's follows the order its fields finish in). A selection with
/// fragments, directives or a response key used twice (whose fields the
/// engine merges) goes to the engine whole.
pub struct Mixed<T>(pub T);

impl<T: Plain + ContainerType> OutputType for Mixed<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let Some((mut out, rest)) = split(ctx, &T::type_name(), &self.0) else {
            return self.0.resolve(ctx, field).await;
        };
        let resolved = join_all(rest.into_iter().map(|(key, field)| async move {
            (key, self.0.resolve_field(&ctx.with_field(field)).await)
        }))
        .await;
        for (key, value) in resolved {
            match value {
                // The key holds its place in the answer; this fills it.
                Ok(value) => _ = out.insert(key, value.unwrap_or_default()),
                // As the engine does: the error is reported and the field
                // left out.
                Err(error) => {
                    ctx.add_error(error);
                    out.shift_remove(&key);
                }
            }
        }
        Ok(if out.is_empty() {
            Value::Null
        } else {
            Value::Object(out)
        })
    }
}

/// The answer to `ctx`'s selection with its plain fields filled in and a
/// place held for each other field, and those other fields; `None` when
/// the selection is not a plain list of distinct fields.
#[allow(clippy::type_complexity)]
fn split<'a, T: Plain>(
    ctx: &ContextSelectionSet<'a>,
    type_name: &str,
    object: &T,
) -> Option<(IndexMap<Name, Value>, Vec<(Name, &'a Positioned<Field>)>)> {
    let items = &ctx.item.node.items;
    let mut out = IndexMap::with_capacity(items.len());
    let mut rest = Vec::new();
    for selection in items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        if !field.node.directives.is_empty() {
            return None;
        }
        let key = field.node.response_key().node.clone();
        if out.contains_key(&key) {
            return None;
        }
        let name = field.node.name.node.as_str();
        let value = if name == "__typename" {
            Some(Value::String(type_name.to_owned()))
        } else if field.node.arguments.is_empty() {
            object.value_of(name)
        } else {
            None
        };
        match value {
            Some(value) => {
                out.insert(key, value);
            }
            None => {
                out.insert(key.clone(), Value::Null);
                rest.push((key, field));
            }
        }
    }
    Some((out, rest))
}

/// A scalar or null, as the engine writes it.
pub fn scalar<T: ScalarType>(value: &Option<T>) -> Value {
    value.as_ref().map_or(Value::Null, ScalarType::to_value)
}

/// A JSON value or null, as the engine writes it.
pub fn json(value: &Option<Json<serde_json::Value>>) -> Value {
    value.as_ref().map_or(Value::Null, |j| {
        async_graphql::to_value(&j.0).unwrap_or_default()
    })
}

/// An enum or null, as the engine writes it.
pub fn enumerated<T: EnumType>(value: Option<T>) -> Value {
    value.map_or(Value::Null, enum_value)
}

/// The object `type_name` with the fields of `ctx`'s selection set, each
/// answered by `value_of` from its field name; `None` when the selection
/// needs the engine: a field `value_of` does not know, arguments,
/// directives, or a fragment on another type.
pub fn resolve(
    ctx: &ContextSelectionSet<'_>,
    type_name: &str,
    value_of: impl Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let mut out = IndexMap::with_capacity(fields_in(ctx, &ctx.item.node));
    collect(ctx, &ctx.item.node, type_name, &value_of, &mut out)?;
    Some(Value::Object(out))
}

/// How many fields a selection names, through its fragments: the size of
/// its answer, so that the map holding it is allocated once.
fn fields_in(ctx: &ContextSelectionSet<'_>, set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(_) => 1,
            Selection::FragmentSpread(spread) => ctx
                .query_env
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| fields_in(ctx, &f.node.selection_set.node)),
            Selection::InlineFragment(inline) => fields_in(ctx, &inline.node.selection_set.node),
        })
        .sum()
}

fn collect(
    ctx: &ContextSelectionSet<'_>,
    set: &SelectionSet,
    type_name: &str,
    value_of: &impl Fn(&str) -> Option<Value>,
    out: &mut IndexMap<Name, Value>,
) -> Option<()> {
    for selection in &set.items {
        if !selection.node.directives().is_empty() {
            return None;
        }
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if !field.arguments.is_empty() {
                    return None;
                }
                let name = field.name.node.as_str();
                let value = if name == "__typename" {
                    Value::String(type_name.to_owned())
                } else {
                    value_of(name)?
                };
                // A key selected twice is the same field (validation sees
                // to that): the first place wins, as in the engine.
                out.entry(field.response_key().node.clone())
                    .or_insert(value);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let fragment = ctx
                    .query_env
                    .fragments
                    .get(&spread.node.fragment_name.node)?;
                (
                    Some(&fragment.node.type_condition.node.on.node),
                    &fragment.node.selection_set.node,
                )
            }
            Selection::InlineFragment(inline) => (
                inline.node.type_condition.as_ref().map(|c| &c.node.on.node),
                &inline.node.selection_set.node,
            ),
        };
        if condition.is_some_and(|on| on.as_str() != type_name) {
            return None;
        }
        collect(ctx, inner, type_name, value_of, out)?;
    }
    Some(())
}

/// For tests: the answers of `fast` and `slow` in `data`, the same object
/// one-pass and through the engine, must be equal and in the same order.
/// Returns the one-pass answer.
#[cfg(test)]
pub(crate) fn assert_fast_is_slow(data: &Value, context: &str) -> IndexMap<Name, Value> {
    let Value::Object(data) = data else {
        panic!("no data: {data:?}");
    };
    let (Some(Value::Object(fast)), Some(Value::Object(slow))) =
        (data.get("fast"), data.get("slow"))
    else {
        panic!("{data:?}");
    };
    assert_eq!(fast, slow, "{context}");
    let keys = |o: &IndexMap<Name, Value>| o.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(fast), keys(slow), "{context}: same order");
    fast.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::types::{
        Agent, Call, CallEvent, Campaign, Contact, LeadAnalysis, TranscriptSegment,
    };
    use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};
    use entity::enums::{AgentKind, CallDirection, CallEventType, LeadTag, Sentiment, Speaker};
    use serde_json::json;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    fn agent() -> Agent {
        Agent {
            id: ID("QWdlbnQ6MQ".into()),
            external_id: "ag-1".into(),
            name: "Asha".into(),
            kind: AgentKind::Ai,
            language: None,
            active: true,
            created_at: at("2026-01-02T03:04:05.678Z"),
            uuid: uuid::Uuid::nil(),
        }
    }

    fn contact() -> Contact {
        Contact {
            id: ID("Q29udGFjdDox".into()),
            phone: "+919812345678".into(),
            name: Some("Ravi".into()),
            email: None,
            external_id: Some("crm-9".into()),
            context: Some(Json(json!({ "city": "Pune", "tier": [1, 2.5, null] }))),
            created_at: at("2026-01-02T03:04:05Z"),
            updated_at: at("2026-02-02T03:04:05.000001Z"),
            uuid: uuid::Uuid::nil(),
        }
    }

    fn campaign() -> Campaign {
        Campaign {
            id: ID("Q2FtcGFpZ246MQ".into()),
            name: "Diwali".into(),
            created_at: at("2026-01-02T03:04:05Z"),
            uuid: uuid::Uuid::nil(),
        }
    }

    fn event() -> CallEvent {
        CallEvent {
            event_id: "e-1".into(),
            event_type: CallEventType::Completed,
            occurred_at: at("2026-03-01T10:00:00.5Z"),
            received_at: at("2026-03-01T10:00:01Z"),
            agent_external_id: Some("ag-1".into()),
            direction: Some(CallDirection::Outbound),
            from_number: None,
            to_number: Some("+919812345678".into()),
            contact_phone: None,
            contact_name: Some("Ravi".into()),
            contact_external_id: None,
            campaign: Some("Diwali".into()),
            duration_seconds: Some(93),
            cost: Some(rust_decimal::Decimal::new(1_234_500, 6).normalize()),
            hangup_by: None,
            hangup_reason: Some("done".into()),
            recording_url: None,
            contact_context: None,
            metadata: Some(Json(json!({ "k": "v" }))),
            tags: Some(vec!["a".into(), "b".into()]),
            payload: Some(Json(json!([1, "two"]))),
        }
    }

    fn analysis() -> LeadAnalysis {
        LeadAnalysis {
            analysis_id: "a-1".into(),
            analyzed_at: at("2026-03-01T10:05:00Z"),
            total_score: 82,
            lead_tag: LeadTag::Hot,
            intent_score: Some(90),
            urgency_score: None,
            budget_score: Some(40),
            fit_score: None,
            engagement_score: Some(7),
            sentiment: Some(Sentiment::Positive),
            cta_pricing: true,
            cta_demo: false,
            cta_followup: true,
            cta_sample: false,
            escalated_to_human: false,
            demo_booked_at: Some(at("2026-03-05T09:30:00Z")),
            extracted_name: Some("Ravi".into()),
            extracted_email: None,
            extracted_company: Some("Acme".into()),
            summary: None,
            reasoning: Some(Json(json!({ "why": "asked for pricing" }))),
            effective: true,
        }
    }

    fn segment() -> TranscriptSegment {
        TranscriptSegment {
            speaker: Some(Speaker::Customer),
            text: "How much is it?".into(),
            start_ms: 1_500,
            end_ms: 2_750,
        }
    }

    fn call() -> Call {
        Call::from(entity::call::Model {
            tenant_id: uuid::Uuid::nil(),
            id: uuid::Uuid::from_u128(7),
            provider: "bolna".into(),
            provider_call_id: "c-1".into(),
            direction: Some(CallDirection::Inbound),
            from_number: Some("+919812345678".into()),
            to_number: None,
            agent_id: Some(uuid::Uuid::from_u128(1)),
            contact_id: None,
            campaign_id: None,
            initiated_at: Some(at("2026-03-01T10:00:00.25Z")),
            ringing_at: None,
            answered_at: Some(at("2026-03-01T10:00:09Z")),
            ended_at: Some(at("2026-03-01T10:02:00Z")),
            status: entity::enums::CallStatus::Completed,
            answered: true,
            duration_seconds: 111,
            billed_minutes: 2,
            credits: 4,
            cost_micros: Some(905_000),
            hangup_by: Some("customer".into()),
            hangup_reason: None,
            recording_url: Some("https://rec.example/c-1".into()),
            metadata: Some(json!({ "attempt": 2, "nested": { "ok": true } })),
            tags: Some(json!(["vip", "retry"])),
            created_at: at("2026-03-01T10:00:01Z"),
            updated_at: at("2026-03-01T10:02:01Z"),
        })
    }

    struct Query;

    #[Object]
    impl Query {
        async fn fast_call(&self) -> Mixed<Call> {
            Mixed(call())
        }
        async fn slow_call(&self) -> Call {
            call()
        }
        async fn fast_agent(&self) -> OnePass<Agent> {
            OnePass(agent())
        }
        async fn slow_agent(&self) -> Agent {
            agent()
        }
        async fn fast_contact(&self) -> OnePass<Contact> {
            OnePass(contact())
        }
        async fn slow_contact(&self) -> Contact {
            contact()
        }
        async fn fast_campaign(&self) -> OnePass<Campaign> {
            OnePass(campaign())
        }
        async fn slow_campaign(&self) -> Campaign {
            campaign()
        }
        async fn fast_event(&self) -> OnePass<CallEvent> {
            OnePass(event())
        }
        async fn slow_event(&self) -> CallEvent {
            event()
        }
        async fn fast_analysis(&self) -> OnePass<LeadAnalysis> {
            OnePass(analysis())
        }
        async fn slow_analysis(&self) -> LeadAnalysis {
            analysis()
        }
        async fn fast_segment(&self) -> OnePass<TranscriptSegment> {
            OnePass(segment())
        }
        async fn slow_segment(&self) -> TranscriptSegment {
            segment()
        }
    }

    /// The fields of `type_name` that take no arguments and hold a scalar,
    /// an enum, or a list or non-null of one.
    async fn plain_fields(
        schema: &Schema<Query, EmptyMutation, EmptySubscription>,
        type_name: &str,
    ) -> Vec<String> {
        let query = format!(
            r#"{{ __type(name: "{type_name}") {{ fields {{ name args {{ name }}
                type {{ kind ofType {{ kind ofType {{ kind ofType {{ kind }} }} }} }} }} }} }}"#
        );
        let data = schema
            .execute(query.as_str())
            .await
            .into_result()
            .unwrap()
            .data
            .into_json()
            .unwrap();
        let innermost = |mut t: &serde_json::Value| {
            while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
                t = &t["ofType"];
            }
            t["kind"].as_str().unwrap().to_owned()
        };
        data["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["args"].as_array().unwrap().is_empty())
            .filter(|f| ["SCALAR", "ENUM"].contains(&innermost(&f["type"]).as_str()))
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// `OnePass<T>` answers every plain field of `type_name` itself, and
    /// exactly as the engine answers `T`, in the engine's order.
    async fn assert_one_pass<T: Plain>(sample: T, type_name: &str, field: &str, at_least: usize) {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let names = plain_fields(&schema, type_name).await;
        assert!(names.len() >= at_least, "{type_name}: {names:?}");
        for name in &names {
            assert!(
                sample.value_of(name).is_some(),
                "{type_name}.{name} has no one-pass value"
            );
        }
        let selection = format!("__typename x: {} {}", names[0], names.join(" "));
        let query = format!(
            "{{ fast: fast{field} {{ {selection} }} slow: slow{field} {{ {selection} }} }}"
        );
        let data = schema
            .execute(query.as_str())
            .await
            .into_result()
            .unwrap()
            .data;
        assert_fast_is_slow(&data, type_name);
    }

    #[tokio::test]
    async fn one_pass_objects_answer_as_the_engine_does() {
        assert_one_pass(call(), "Call", "Call", 23).await;
        assert_one_pass(agent(), "Agent", "Agent", 7).await;
        assert_one_pass(contact(), "Contact", "Contact", 8).await;
        assert_one_pass(campaign(), "Campaign", "Campaign", 3).await;
        assert_one_pass(event(), "CallEvent", "Event", 21).await;
        assert_one_pass(analysis(), "LeadAnalysis", "Analysis", 22).await;
        assert_one_pass(segment(), "TranscriptSegment", "Segment", 4).await;
    }

    #[tokio::test]
    async fn a_mixed_object_answers_plain_fields_itself_and_relations_through_the_engine() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        // Relations (here without a database, so they fail: a nullable one
        // becomes null with an error, a list fails its object) beside plain
        // fields, an alias, and selections the engine takes whole.
        for selection in [
            "__typename id s: status tags metadata agent { name } cost initiatedAt",
            "id agent { name } status notes { body }",
            "id ... on Call { status agent { name } }",
            "id status @include(if: true) agent { name }",
            "id a: agent { name } a: agent { externalId }",
        ] {
            let query =
                format!("{{ fast: fastCall {{ {selection} }} slow: slowCall {{ {selection} }} }}");
            let response = schema.execute(query.as_str()).await;
            let data = response.data.clone().into_json().unwrap();
            assert_eq!(data["fast"], data["slow"], "{selection}");
            let paths: Vec<String> = response
                .errors
                .iter()
                .map(|e| serde_json::to_string(&e.path).unwrap())
                .collect();
            let (fast, slow): (Vec<_>, Vec<_>) = paths.iter().partition(|p| p.contains("fast"));
            assert!(!fast.is_empty(), "{selection}: {paths:?}");
            assert_eq!(
                fast.iter()
                    .map(|p| p.replace("fast", "slow"))
                    .collect::<std::collections::BTreeSet<_>>(),
                slow.iter()
                    .map(|p| p.to_string())
                    .collect::<std::collections::BTreeSet<_>>(),
                "{selection}"
            );
        }
        // In the selection's order.
        let response = schema
            .execute("{ fastCall { status agent { name } id } }")
            .await;
        let Value::Object(data) = &response.data else {
            panic!()
        };
        let Some(Value::Object(call)) = data.get("fastCall") else {
            panic!("{data:?}")
        };
        assert_eq!(
            call.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["status", "id"],
            "agent failed"
        );
    }

    #[tokio::test]
    async fn a_relation_in_the_selection_falls_back_to_the_engine() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        // `Agent.calls` is a relation: the one-pass answer declines it and
        // the engine resolves it (here without a database, so it fails).
        assert_eq!(agent().value_of("calls"), None);
        let response = schema
            .execute("{ fastAgent { name calls { totalCount } } }")
            .await;
        let path = serde_json::to_string(&response.errors[0].path).unwrap();
        assert!(path.contains("calls"), "{:?}", response.errors);
    }
}
