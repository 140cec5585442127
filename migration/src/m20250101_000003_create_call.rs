//! Calls and everything hanging off them: events, notes, transcripts with
//! segments, lead analyses, and follow-ups.

use crate::helpers::{a, create_all, drop_all, stamps, tenant_fk, tenant_index, tenant_table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, NoAction};

        let mut calls = tenant_table("calls");
        calls
            .col(string(a("provider")))
            .col(string(a("provider_call_id")))
            .col(string_len_null(a("direction"), 16))
            .col(string_null(a("from_number")))
            .col(string_null(a("to_number")))
            .col(uuid_null(a("agent_id")))
            .col(uuid_null(a("contact_id")))
            .col(uuid_null(a("campaign_id")))
            .col(timestamp_with_time_zone_null(a("initiated_at")))
            .col(timestamp_with_time_zone_null(a("ringing_at")))
            .col(timestamp_with_time_zone_null(a("answered_at")))
            .col(timestamp_with_time_zone_null(a("ended_at")))
            .col(string_len(a("status"), 16))
            .col(boolean(a("answered")))
            .col(big_integer(a("duration_seconds")))
            .col(big_integer(a("billed_minutes")))
            .col(big_integer(a("credits")))
            .col(big_integer_null(a("cost_micros")))
            .col(string_null(a("hangup_by")))
            .col(text_null(a("hangup_reason")))
            .col(string_null(a("recording_url")))
            .col(json_binary_null(a("metadata")))
            .col(json_binary_null(a("tags")))
            .foreign_key(&mut tenant_fk("calls", "agent_id", "agents", NoAction))
            .foreign_key(&mut tenant_fk("calls", "contact_id", "contacts", NoAction))
            .foreign_key(&mut tenant_fk(
                "calls",
                "campaign_id",
                "campaigns",
                NoAction,
            ));
        stamps(&mut calls);

        let call_events = tenant_table("call_events")
            .col(uuid(a("call_id")))
            .col(string(a("event_id")))
            .col(string_len(a("event_type"), 16))
            .col(timestamp_with_time_zone(a("occurred_at")))
            .col(string_null(a("agent_external_id")))
            .col(string_len_null(a("direction"), 16))
            .col(string_null(a("from_number")))
            .col(string_null(a("to_number")))
            .col(string_null(a("contact_phone")))
            .col(string_null(a("contact_name")))
            .col(string_null(a("contact_external_id")))
            .col(string_null(a("campaign")))
            .col(big_integer_null(a("duration_seconds")))
            .col(big_integer_null(a("cost_micros")))
            .col(string_null(a("hangup_by")))
            .col(text_null(a("hangup_reason")))
            .col(string_null(a("recording_url")))
            .col(json_binary_null(a("contact_context")))
            .col(json_binary_null(a("metadata")))
            .col(json_binary_null(a("tags")))
            .col(json_binary_null(a("payload")))
            .col(timestamp_with_time_zone(a("received_at")))
            .foreign_key(&mut tenant_fk("call_events", "call_id", "calls", Cascade))
            .to_owned();

        let call_notes = tenant_table("call_notes")
            .col(uuid(a("call_id")))
            .col(uuid_null(a("author_user_id")))
            .col(text(a("body")))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut tenant_fk("call_notes", "call_id", "calls", Cascade))
            .foreign_key(&mut tenant_fk(
                "call_notes",
                "author_user_id",
                "users",
                NoAction,
            ))
            .to_owned();

        let transcripts = tenant_table("transcripts")
            .col(uuid(a("call_id")))
            .col(timestamp_with_time_zone(a("recorded_at")))
            .col(string_null(a("language")))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut tenant_fk("transcripts", "call_id", "calls", Cascade))
            .to_owned();

        // Segments are keyed by their transcript, not by an id of their own.
        let transcript_segments = Table::create()
            .table(a("transcript_segments"))
            .col(uuid(a("tenant_id")))
            .col(uuid(a("transcript_id")))
            .col(integer(a("position")))
            .col(string_len_null(a("speaker"), 16))
            .col(text(a("text")))
            .col(big_integer(a("start_ms")))
            .col(big_integer(a("end_ms")))
            .primary_key(
                Index::create()
                    .col(a("tenant_id"))
                    .col(a("transcript_id"))
                    .col(a("position")),
            )
            .foreign_key(&mut tenant_fk(
                "transcript_segments",
                "transcript_id",
                "transcripts",
                Cascade,
            ))
            .to_owned();

        let lead_analyses = tenant_table("lead_analyses")
            .col(uuid(a("call_id")))
            .col(string(a("analysis_id")))
            .col(timestamp_with_time_zone(a("analyzed_at")))
            .col(integer(a("total_score")))
            .col(integer_null(a("intent_score")))
            .col(integer_null(a("urgency_score")))
            .col(integer_null(a("budget_score")))
            .col(integer_null(a("fit_score")))
            .col(integer_null(a("engagement_score")))
            .col(string_len_null(a("sentiment"), 16))
            .col(boolean(a("cta_pricing")))
            .col(boolean(a("cta_demo")))
            .col(boolean(a("cta_followup")))
            .col(boolean(a("cta_sample")))
            .col(boolean(a("escalated_to_human")))
            .col(timestamp_with_time_zone_null(a("demo_booked_at")))
            .col(string_null(a("extracted_name")))
            .col(string_null(a("extracted_email")))
            .col(string_null(a("extracted_company")))
            .col(text_null(a("summary")))
            .col(json_binary_null(a("reasoning")))
            // The call's effective analysis (latest analyzedAt, tie: greater
            // analysisId); maintained by the write path in the same transaction.
            .col(boolean(a("effective")))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut tenant_fk("lead_analyses", "call_id", "calls", Cascade))
            .to_owned();

        let mut follow_ups = tenant_table("follow_ups");
        follow_ups
            .col(uuid(a("contact_id")))
            .col(uuid_null(a("call_id")))
            .col(timestamp_with_time_zone(a("due_at")))
            .col(text_null(a("remark")))
            .col(string_len(a("status"), 16))
            .col(uuid_null(a("created_by_user_id")))
            .foreign_key(&mut tenant_fk(
                "follow_ups",
                "contact_id",
                "contacts",
                Cascade,
            ))
            .foreign_key(&mut tenant_fk("follow_ups", "call_id", "calls", NoAction))
            .foreign_key(&mut tenant_fk(
                "follow_ups",
                "created_by_user_id",
                "users",
                NoAction,
            ));
        stamps(&mut follow_ups);

        let indexes = vec![
            tenant_index(
                "calls",
                "ux_calls_provider_call",
                &["provider", "provider_call_id"],
                true,
            ),
            tenant_index(
                "calls",
                "ix_calls_initiated",
                &["initiated_at", "id"],
                false,
            ),
            tenant_index(
                "calls",
                "ix_calls_agent",
                &["agent_id", "initiated_at"],
                false,
            ),
            tenant_index(
                "calls",
                "ix_calls_contact",
                &["contact_id", "initiated_at"],
                false,
            ),
            tenant_index(
                "calls",
                "ix_calls_campaign",
                &["campaign_id", "initiated_at"],
                false,
            ),
            tenant_index(
                "call_events",
                "ux_call_events_event_id",
                &["event_id"],
                true,
            ),
            tenant_index(
                "call_events",
                "ix_call_events_call",
                &["call_id", "occurred_at"],
                false,
            ),
            tenant_index(
                "call_notes",
                "ix_call_notes_call",
                &["call_id", "created_at"],
                false,
            ),
            tenant_index(
                "transcripts",
                "ux_transcripts_call_recorded",
                &["call_id", "recorded_at"],
                true,
            ),
            tenant_index(
                "lead_analyses",
                "ux_lead_analyses_analysis_id",
                &["analysis_id"],
                true,
            ),
            tenant_index(
                "lead_analyses",
                "ix_lead_analyses_call",
                &["call_id", "analyzed_at"],
                false,
            ),
            tenant_index("follow_ups", "ix_follow_ups_due", &["due_at", "id"], false),
            tenant_index(
                "follow_ups",
                "ix_follow_ups_contact",
                &["contact_id", "due_at"],
                false,
            ),
        ];
        let tables = vec![
            calls,
            call_events,
            call_notes,
            transcripts,
            transcript_segments,
            lead_analyses,
            follow_ups,
        ];
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(
            manager,
            &[
                "follow_ups",
                "lead_analyses",
                "transcript_segments",
                "transcripts",
                "call_notes",
                "call_events",
                "calls",
            ],
        )
        .await
    }
}
