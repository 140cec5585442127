//! `callboard import`: stream an NDJSON file through the ingest write path.
//!
//! Lines are read one at a time and buffered per kind up to the batch size,
//! so memory stays constant however large the file. Every message goes
//! through the same code as the GraphQL mutations, so re-running a file
//! changes nothing (its ids are all duplicates then).

use crate::db::Db;
use crate::ingest::input::{CallEventInput, LeadAnalysisInput, TranscriptInput};
use crate::ingest::{self, IngestResult};
use crate::tenant;
use anyhow::Context;
use entity::tenant::Model as Tenant;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::path::Path;
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

/// One line of an import file. (Lines are parsed one at a time, so the
/// size difference between the variants costs nothing.)
#[derive(Debug, Deserialize)]
#[allow(clippy::large_enum_variant)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Message {
    Event(CallEventInput),
    Analysis(LeadAnalysisInput),
    Transcript(TranscriptInput),
}

/// Accepted, duplicate and rejected counts of a whole file, with the line
/// number (1-based) and reason of each rejection.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: Vec<(u64, String, String)>,
}

#[derive(Default)]
struct Buffers {
    events: Vec<(u64, CallEventInput)>,
    analyses: Vec<(u64, LeadAnalysisInput)>,
    transcripts: Vec<(u64, TranscriptInput)>,
}

impl ImportSummary {
    fn absorb(&mut self, result: IngestResult, lines: &[u64]) {
        self.accepted += result.accepted as u64;
        self.duplicates += result.duplicates as u64;
        for r in result.rejected {
            self.rejected
                .push((lines[r.index as usize], r.code, r.message));
        }
    }
}

async fn flush_events(
    db: &Db,
    tenant: &Tenant,
    buf: &mut Vec<(u64, CallEventInput)>,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let (lines, items): (Vec<u64>, Vec<_>) = std::mem::take(buf).into_iter().unzip();
    let result = ingest::events::ingest(db, tenant, items).await?;
    summary.absorb(result, &lines);
    Ok(())
}

async fn flush_analyses(
    db: &Db,
    tenant: &Tenant,
    buf: &mut Vec<(u64, LeadAnalysisInput)>,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let (lines, items): (Vec<u64>, Vec<_>) = std::mem::take(buf).into_iter().unzip();
    let result = ingest::analyses::ingest(db, tenant, items).await?;
    summary.absorb(result, &lines);
    Ok(())
}

async fn flush_transcripts(
    db: &Db,
    tenant: &Tenant,
    buf: &mut Vec<(u64, TranscriptInput)>,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let (lines, items): (Vec<u64>, Vec<_>) = std::mem::take(buf).into_iter().unzip();
    let result = ingest::transcripts::ingest(db, tenant, items).await?;
    summary.absorb(result, &lines);
    Ok(())
}

/// Imports `path` into `tenant`, `batch` messages per transaction.
pub async fn import_file(
    db: &Db,
    tenant: Uuid,
    path: &Path,
    batch: usize,
    progress: &ProgressBar,
) -> anyhow::Result<ImportSummary> {
    let batch = batch.clamp(1, ingest::MAX_BATCH);
    let tenant = tenant::find_tenant(db.conn(), tenant::operator_tenant_id(tenant))
        .await
        .map_err(|_| anyhow::anyhow!("no tenant {tenant}"))?;
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let mut lines = BufReader::with_capacity(1 << 20, file).lines();
    let mut summary = ImportSummary::default();
    let mut buffers = Buffers::default();
    let mut number = 0u64;
    while let Some(line) = lines
        .next_line()
        .await
        .with_context(|| format!("reading {}", path.display()))?
    {
        number += 1;
        progress.inc(line.len() as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Message>(&line) {
            Ok(Message::Event(e)) => buffers.events.push((number, e)),
            Ok(Message::Analysis(a)) => buffers.analyses.push((number, a)),
            Ok(Message::Transcript(t)) => buffers.transcripts.push((number, t)),
            Err(error) => {
                summary
                    .rejected
                    .push((number, "BAD_USER_INPUT".into(), error.to_string()))
            }
        }
        if buffers.events.len() >= batch {
            flush_events(db, &tenant, &mut buffers.events, &mut summary).await?;
        }
        if buffers.analyses.len() >= batch {
            flush_analyses(db, &tenant, &mut buffers.analyses, &mut summary).await?;
        }
        if buffers.transcripts.len() >= batch {
            flush_transcripts(db, &tenant, &mut buffers.transcripts, &mut summary).await?;
        }
    }
    flush_events(db, &tenant, &mut buffers.events, &mut summary).await?;
    flush_analyses(db, &tenant, &mut buffers.analyses, &mut summary).await?;
    flush_transcripts(db, &tenant, &mut buffers.transcripts, &mut summary).await?;
    summary.rejected.sort_by_key(|(line, _, _)| *line);
    Ok(summary)
}

/// The `import` command: a progress bar, then the summary. Fails (exit
/// status 1) when any line was rejected, after importing all the others.
pub async fn run(db: &Db, tenant: Uuid, path: &Path, batch: usize) -> anyhow::Result<()> {
    let size = tokio::fs::metadata(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let progress = ProgressBar::new(size);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = import_file(db, tenant, path, batch, &progress).await?;
    progress.finish_and_clear();
    println!("accepted:   {}", summary.accepted);
    println!("duplicates: {}", summary.duplicates);
    println!("rejected:   {}", summary.rejected.len());
    for (line, code, message) in &summary.rejected {
        println!("  line {line}: {code}: {message}");
    }
    if summary.rejected.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} line(s) rejected; every other line was imported",
            summary.rejected.len()
        )
    }
}
