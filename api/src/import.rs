//! `callboard import`: stream an NDJSON file through the ingest write path.
//!
//! Lines are read one at a time and buffered per kind up to the batch size,
//! so memory stays constant however large the file. Every message goes
//! through the same code as the GraphQL mutations (events in larger
//! batches), so re-running a file changes nothing (its ids are all
//! duplicates then).

use crate::db::Db;
use crate::error::ApiResult;
use crate::ingest::input::{CallEventInput, LeadAnalysisInput, TranscriptInput};
use crate::ingest::{self, IngestResult, Writers};
use anyhow::Context;
use entity::tenant;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DbBackend;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Adds another writer's summary.
    fn merge(&mut self, other: ImportSummary) {
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
        self.rejected.extend(other.rejected);
    }

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

/// Streams of event batches an import writes at once on PostgreSQL by
/// default, each on a connection of its own (SQLite has one writer).
pub const STREAMS: usize = 2;

/// Most streams an import may ask for.
pub const MAX_STREAMS: usize = 8;

/// Retries of a stream's batch that met the other stream (a deadlock, or
/// an event id that two calls share); each is rare.
const RETRIES: usize = 5;

/// Buffers of parsed messages until each fills a batch: events one per
/// stream, by call; analyses and transcripts one per kind.
struct Buffers {
    events: Vec<(Vec<u64>, Vec<CallEventInput>)>,
    analyses: (Vec<u64>, Vec<LeadAnalysisInput>),
    transcripts: (Vec<u64>, Vec<TranscriptInput>),
}

impl Buffers {
    fn new(streams: usize) -> Self {
        Self {
            events: (0..streams).map(|_| (Vec::new(), Vec::new())).collect(),
            analyses: (Vec::new(), Vec::new()),
            transcripts: (Vec::new(), Vec::new()),
        }
    }

    /// Adds a message; returns a batch, and the writer it goes to, when its
    /// buffer is full. Events go to the stream of their call; analyses and
    /// transcripts to the first writer, which writes them alone.
    fn push(&mut self, line: u64, message: Message, batch: usize) -> Option<(usize, Batch)> {
        // Analyses and transcripts go through the mutations' batch limit.
        let small = batch.min(ingest::MAX_BATCH);
        match message {
            Message::Event(e) => {
                let stream = stream_of(&e, self.events.len());
                push(&mut self.events[stream], line, e, batch)
                    .map(|(l, b)| (stream, Batch::Events(l, b)))
            }
            Message::Analysis(a) => {
                push(&mut self.analyses, line, a, small).map(|(l, b)| (0, Batch::Analyses(l, b)))
            }
            Message::Transcript(t) => push(&mut self.transcripts, line, t, small)
                .map(|(l, b)| (0, Batch::Transcripts(l, b))),
        }
    }

    /// What is left, one batch per stream and kind.
    fn rest(self) -> impl Iterator<Item = (usize, Batch)> {
        let events = self
            .events
            .into_iter()
            .enumerate()
            .filter(|(_, (lines, _))| !lines.is_empty())
            .map(|(stream, (lines, items))| (stream, Batch::Events(lines, items)));
        let (analyses, transcripts) = (self.analyses, self.transcripts);
        let others = [
            (!analyses.0.is_empty()).then_some(Batch::Analyses(analyses.0, analyses.1)),
            (!transcripts.0.is_empty()).then_some(Batch::Transcripts(transcripts.0, transcripts.1)),
        ];
        events.chain(others.into_iter().flatten().map(|batch| (0, batch)))
    }
}

/// The stream an event's call is written by: every event of a call goes to
/// the same one.
fn stream_of(event: &CallEventInput, streams: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    (&event.provider, &event.provider_call_id).hash(&mut hasher);
    (hasher.finish() % streams as u64) as usize
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

/// Reads and parses `file` line by line, sending full batches to their
/// writers, until the end or until a writer has `failed`; returns the lines
/// that are not a message (number and reason).
fn read(
    file: std::fs::File,
    batch: usize,
    writers: &[tokio::sync::mpsc::Sender<Batch>],
    failed: &AtomicBool,
    progress: &ProgressBar,
    path: &Path,
) -> anyhow::Result<Vec<(u64, String, String)>> {
    use std::io::BufRead;
    let mut rejected = Vec::new();
    let mut buffers = Buffers::new(writers.len());
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
                if let Some((writer, full)) = buffers.push(number, message, batch)
                    && (failed.load(Ordering::Relaxed)
                        || writers[writer].blocking_send(full).is_err())
                {
                    // A writer stopped on an error; it reports it.
                    return Ok(rejected);
                }
            }
            Err(error) => rejected.push((number, "BAD_USER_INPUT".into(), error.to_string())),
        }
    }
    for (writer, rest) in buffers.rest() {
        if failed.load(Ordering::Relaxed) || writers[writer].blocking_send(rest).is_err() {
            break;
        }
    }
    Ok(rejected)
}

/// Writes the batches one writer receives. Events are written as `writers`
/// says; analyses and transcripts always alone. On an error it marks the
/// import `failed`, which stops the reader.
async fn write(
    db: Db,
    tenant: tenant::Model,
    batches: tokio::sync::mpsc::Receiver<Batch>,
    writers: Writers,
    failed: Arc<AtomicBool>,
) -> ApiResult<ImportSummary> {
    let written = write_all(&db, &tenant, batches, writers).await;
    if written.is_err() {
        failed.store(true, Ordering::Relaxed);
    }
    written
}

async fn write_all(
    db: &Db,
    tenant: &tenant::Model,
    mut batches: tokio::sync::mpsc::Receiver<Batch>,
    writers: Writers,
) -> ApiResult<ImportSummary> {
    let mut summary = ImportSummary::default();
    while let Some(batch) = batches.recv().await {
        let (result, lines) = match batch {
            Batch::Events(lines, items) => (events(db, tenant, items, writers).await?, lines),
            Batch::Analyses(lines, items) => {
                (ingest::analyses::ingest(db, tenant, items).await?, lines)
            }
            Batch::Transcripts(lines, items) => {
                (ingest::transcripts::ingest(db, tenant, items).await?, lines)
            }
        };
        summary.absorb(result, &lines);
    }
    Ok(summary)
}

/// One batch of events, again while it meets the other stream.
async fn events(
    db: &Db,
    tenant: &tenant::Model,
    items: Vec<CallEventInput>,
    writers: Writers,
) -> ApiResult<IngestResult> {
    if writers == Writers::Exclusive {
        return ingest::events::ingest_batch(db, tenant, items, writers).await;
    }
    let mut attempt = 0;
    loop {
        match ingest::events::ingest_batch(db, tenant, items.clone(), writers).await {
            Err(error) if attempt < RETRIES && ingest::is_retryable(&error) => {
                attempt += 1;
                tracing::debug!(attempt, error = ?error, "retrying an import batch");
            }
            result => return result,
        }
    }
}

/// Imports `path` into `tenant`, `batch` messages per transaction (at most
/// `MAX_IMPORT_BATCH` events, and `ingest::MAX_BATCH` analyses or
/// transcripts). A thread reads and parses the file while the previous
/// batches are written: on PostgreSQL by `streams` writers at once (at most
/// `MAX_STREAMS`), each the events of its share of the calls
/// (`ingest::Writers::Shared`).
pub async fn import_file(
    db: &Db,
    tenant: Uuid,
    path: &Path,
    batch: usize,
    streams: usize,
    progress: &ProgressBar,
) -> anyhow::Result<ImportSummary> {
    let batch = batch.clamp(1, MAX_IMPORT_BATCH);
    let tenant = crate::tenant::find_tenant(db.conn(), crate::tenant::operator_tenant_id(tenant))
        .await
        .map_err(|_| anyhow::anyhow!("no tenant {tenant}"))?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let streams = match db.backend() {
        DbBackend::Postgres => streams.clamp(1, MAX_STREAMS),
        _ => 1,
    };
    let mode = match streams {
        1 => Writers::Exclusive,
        _ => Writers::Shared,
    };
    let failed = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::with_capacity(streams);
    let mut writers = Vec::with_capacity(streams);
    for _ in 0..streams {
        // One batch parsed ahead of the one being written.
        let (sender, batches) = tokio::sync::mpsc::channel(1);
        senders.push(sender);
        writers.push(tokio::spawn(write(
            db.clone(),
            tenant.clone(),
            batches,
            mode,
            failed.clone(),
        )));
    }
    let reader = {
        let (progress, path) = (progress.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || read(file, batch, &senders, &failed, &progress, &path))
    };
    // Every writer ends before the import does, even when one fails: the
    // reader then stops at its next full batch, and the others finish the
    // batches they have.
    let mut parts = Vec::with_capacity(writers.len());
    for writer in writers {
        parts.push(writer.await.context("writing")?);
    }
    let unreadable = reader.await.context("reading the file")?;
    let mut summary = ImportSummary::default();
    for part in parts {
        summary.merge(part?);
    }
    summary.rejected.extend(unreadable?);
    summary.rejected.sort_by_key(|(line, _, _)| *line);
    Ok(summary)
}

/// The `import` command: a progress bar, then the summary. Fails (exit
/// status 1) when any line was rejected, after importing all the others.
pub async fn run(
    db: &Db,
    tenant: Uuid,
    path: &Path,
    batch: usize,
    streams: usize,
) -> anyhow::Result<()> {
    let size = tokio::fs::metadata(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let progress = ProgressBar::new(size);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = import_file(db, tenant, path, batch, streams, &progress).await?;
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
