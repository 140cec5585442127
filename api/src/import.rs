//! `callboard import`: stream an NDJSON file through the ingest write path.
//!
//! Lines are read one at a time and buffered per kind up to the batch size,
//! so memory stays constant however large the file. Every message goes
//! through the same code as the GraphQL mutations (events in larger
//! batches), so re-running a file changes nothing (its ids are all
//! duplicates then).

use crate::db::Db;
use crate::ingest::input::{CallEventInput, LeadAnalysisInput, TranscriptInput};
use crate::ingest::{self, IngestResult};
use crate::tenant;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::path::Path;
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

/// A batch of one kind of message, with the line number of each.
enum Batch {
    Events(Vec<u64>, Vec<CallEventInput>),
    Analyses(Vec<u64>, Vec<LeadAnalysisInput>),
    Transcripts(Vec<u64>, Vec<TranscriptInput>),
}

/// Most events `import` writes in one transaction: larger batches than a
/// mutation's mean fewer, larger statements per event.
pub const MAX_IMPORT_BATCH: usize = 20_000;

/// Buffers of parsed messages, one per kind, until each fills a batch.
struct Buffers {
    events: (Vec<u64>, Vec<CallEventInput>),
    analyses: (Vec<u64>, Vec<LeadAnalysisInput>),
    transcripts: (Vec<u64>, Vec<TranscriptInput>),
}

impl Buffers {
    fn new() -> Self {
        Self {
            events: (Vec::new(), Vec::new()),
            analyses: (Vec::new(), Vec::new()),
            transcripts: (Vec::new(), Vec::new()),
        }
    }

    /// Adds a message; returns a batch when its kind's buffer is full.
    fn push(&mut self, line: u64, message: Message, batch: usize) -> Option<Batch> {
        // Analyses and transcripts go through the mutations' batch limit.
        let small = batch.min(ingest::MAX_BATCH);
        match message {
            Message::Event(e) => {
                push(&mut self.events, line, e, batch).map(|(l, b)| Batch::Events(l, b))
            }
            Message::Analysis(a) => {
                push(&mut self.analyses, line, a, small).map(|(l, b)| Batch::Analyses(l, b))
            }
            Message::Transcript(t) => {
                push(&mut self.transcripts, line, t, small).map(|(l, b)| Batch::Transcripts(l, b))
            }
        }
    }

    /// What is left, one batch per kind.
    fn rest(self) -> impl Iterator<Item = Batch> {
        let (events, analyses, transcripts) = (self.events, self.analyses, self.transcripts);
        [
            (!events.0.is_empty()).then_some(Batch::Events(events.0, events.1)),
            (!analyses.0.is_empty()).then_some(Batch::Analyses(analyses.0, analyses.1)),
            (!transcripts.0.is_empty()).then_some(Batch::Transcripts(transcripts.0, transcripts.1)),
        ]
        .into_iter()
        .flatten()
    }
}

fn push<T>(
    buffer: &mut (Vec<u64>, Vec<T>),
    line: u64,
    item: T,
    batch: usize,
) -> Option<(Vec<u64>, Vec<T>)> {
    buffer.0.push(line);
    buffer.1.push(item);
    (buffer.1.len() >= batch).then(|| std::mem::take(buffer))
}

/// Reads and parses `file` line by line, sending full batches to `batches`;
/// returns the lines that are not a message (number and reason).
fn read(
    file: std::fs::File,
    batch: usize,
    batches: &tokio::sync::mpsc::Sender<Batch>,
    progress: &ProgressBar,
    path: &Path,
) -> anyhow::Result<Vec<(u64, String, String)>> {
    use std::io::BufRead;
    let mut rejected = Vec::new();
    let mut buffers = Buffers::new();
    let mut number = 0u64;
    let mut line = String::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        progress.inc(read as u64);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Message>(&line) {
            Ok(message) => {
                if let Some(full) = buffers.push(number, message, batch)
                    && batches.blocking_send(full).is_err()
                {
                    // The writer stopped on an error; it reports it.
                    return Ok(rejected);
                }
            }
            Err(error) => rejected.push((number, "BAD_USER_INPUT".into(), error.to_string())),
        }
    }
    for rest in buffers.rest() {
        if batches.blocking_send(rest).is_err() {
            break;
        }
    }
    Ok(rejected)
}

/// Imports `path` into `tenant`, `batch` messages per transaction (at most
/// `MAX_IMPORT_BATCH` events, and `ingest::MAX_BATCH` analyses or
/// transcripts). A thread reads and parses the file while the previous
/// batch is written.
pub async fn import_file(
    db: &Db,
    tenant: Uuid,
    path: &Path,
    batch: usize,
    progress: &ProgressBar,
) -> anyhow::Result<ImportSummary> {
    let batch = batch.clamp(1, MAX_IMPORT_BATCH);
    let tenant = tenant::find_tenant(db.conn(), tenant::operator_tenant_id(tenant))
        .await
        .map_err(|_| anyhow::anyhow!("no tenant {tenant}"))?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    // One batch parsed ahead of the one being written.
    let (sender, mut batches) = tokio::sync::mpsc::channel(1);
    let reader = {
        let (progress, path) = (progress.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || read(file, batch, &sender, &progress, &path))
    };
    let mut summary = ImportSummary::default();
    while let Some(batch) = batches.recv().await {
        let (result, lines) = match batch {
            Batch::Events(lines, items) => (
                ingest::events::ingest_batch(db, &tenant, items).await?,
                lines,
            ),
            Batch::Analyses(lines, items) => {
                (ingest::analyses::ingest(db, &tenant, items).await?, lines)
            }
            Batch::Transcripts(lines, items) => (
                ingest::transcripts::ingest(db, &tenant, items).await?,
                lines,
            ),
        };
        summary.absorb(result, &lines);
    }
    summary
        .rejected
        .extend(reader.await.context("reading the file")??);
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
