//! KPI rollups: counters per 15-minute and per UTC-day bucket, at three
//! levels of detail (tenant totals, per agent, and every dimension). They
//! are derived data, kept equal to a recomputation from calls by the write
//! path, and rebuilt by `callboard rollups rebuild`; "no agent" or "no
//! campaign" is the nil UUID and "no direction" the empty string, so every
//! key column can be in the primary key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The counter columns, in the order `api::kpi::counters::COLUMNS` lists them.
pub const COUNTERS: [&str; 40] = [
    "total_calls",
    "inbound_calls",
    "outbound_calls",
    "answered_calls",
    "completed_calls",
    "failed_calls",
    "busy_calls",
    "no_answer_calls",
    "cancelled_calls",
    "in_progress_calls",
    "duration_seconds",
    "billed_minutes",
    "credits_used",
    "cost_micros",
    "analyzed_calls",
    "hot_leads",
    "warm_leads",
    "cold_leads",
    "total_score_sum",
    "total_score_count",
    "intent_score_sum",
    "intent_score_count",
    "urgency_score_sum",
    "urgency_score_count",
    "budget_score_sum",
    "budget_score_count",
    "fit_score_sum",
    "fit_score_count",
    "engagement_score_sum",
    "engagement_score_count",
    "cta_pricing",
    "cta_demo",
    "cta_followup",
    "cta_sample",
    "human_escalations",
    "calls_with_cta",
    "demos_booked",
    "positive_calls",
    "neutral_calls",
    "negative_calls",
];

fn rollup(table: &'static str, keys: &[(&'static str, ColumnDef)]) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(table))
        .col(uuid(Alias::new("tenant_id")))
        .col(small_integer(Alias::new("grain")))
        .col(big_integer(Alias::new("bucket")));
    let mut pk = Index::create();
    pk.col(Alias::new("tenant_id"))
        .col(Alias::new("grain"))
        .col(Alias::new("bucket"));
    for (name, def) in keys {
        t.col(def.clone());
        pk.col(Alias::new(*name));
    }
    for counter in COUNTERS {
        t.col(big_integer(Alias::new(counter)).default(0));
    }
    t.primary_key(&mut pk)
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{table}_tenant"))
                .from(Alias::new(table), Alias::new("tenant_id"))
                .to(Alias::new("tenants"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(rollup("kpi_totals", &[])).await?;
        manager
            .create_table(rollup(
                "kpi_agent_rollups",
                &[("agent_id", uuid(Alias::new("agent_id")))],
            ))
            .await?;
        let full = rollup(
            "kpi_rollups",
            &[
                ("agent_id", uuid(Alias::new("agent_id"))),
                ("campaign_id", uuid(Alias::new("campaign_id"))),
                ("direction", string_len(Alias::new("direction"), 16)),
                ("provider", string(Alias::new("provider"))),
                ("status", string_len(Alias::new("status"), 16)),
            ],
        );
        manager.create_table(full).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["kpi_rollups", "kpi_agent_rollups", "kpi_totals"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
