//! The ingest mutations (INGEST scope; ADMIN grants it too).

use crate::auth::Capability;
use crate::graphql::ContextExt;
use crate::graphql::types::Agent;
use crate::ingest::input::{AgentInput, CallEventInput, LeadAnalysisInput, TranscriptInput};
use crate::ingest::{self, IngestResult};
use crate::telemetry::prometheus;
use crate::tenant as tenants;
use async_graphql::{Context, Object, Result};

#[derive(Default)]
pub struct IngestMutation;

#[Object]
impl IngestMutation {
    /// Creates or updates agents by external id. Refused whole on bad input.
    async fn upsert_agents(
        &self,
        ctx: &Context<'_>,
        agents: Vec<AgentInput>,
    ) -> Result<Vec<Agent>> {
        let tenant = ctx.tenant(Capability::Ingest)?;
        let stored = ingest::agents::upsert(ctx.db()?, tenant, agents).await?;
        Ok(stored.into_iter().map(Agent::from).collect())
    }

    /// Ingests call events: each accepted, a duplicate, or rejected.
    async fn ingest_call_events(
        &self,
        ctx: &Context<'_>,
        events: Vec<CallEventInput>,
    ) -> Result<IngestResult> {
        let tenant = ctx.tenant(Capability::Ingest)?;
        let db = ctx.db()?;
        let tenant = tenants::find_tenant(db.conn(), tenant).await?;
        let result = ingest::events::ingest(db, &tenant, events).await?;
        prometheus::record_ingest("event", &result);
        Ok(result)
    }

    /// Ingests AI lead analyses.
    async fn ingest_lead_analyses(
        &self,
        ctx: &Context<'_>,
        analyses: Vec<LeadAnalysisInput>,
    ) -> Result<IngestResult> {
        let tenant = ctx.tenant(Capability::Ingest)?;
        let db = ctx.db()?;
        let tenant = tenants::find_tenant(db.conn(), tenant).await?;
        let result = ingest::analyses::ingest(db, &tenant, analyses).await?;
        prometheus::record_ingest("analysis", &result);
        Ok(result)
    }

    /// Ingests transcripts.
    async fn ingest_transcripts(
        &self,
        ctx: &Context<'_>,
        transcripts: Vec<TranscriptInput>,
    ) -> Result<IngestResult> {
        let tenant = ctx.tenant(Capability::Ingest)?;
        let db = ctx.db()?;
        let tenant = tenants::find_tenant(db.conn(), tenant).await?;
        let result = ingest::transcripts::ingest(db, &tenant, transcripts).await?;
        prometheus::record_ingest("transcript", &result);
        Ok(result)
    }
}
