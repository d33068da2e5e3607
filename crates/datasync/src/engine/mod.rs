//! Runs an execution: waits its turn behind the task's earlier ones, then
//! LAUNCHING → PREPARING (list both sides, decide what to copy and delete)
//! → TRANSFERRING (copy through the object layer, throttled to
//! BytesPerSecond) → VERIFYING (compare the destination with the source) →
//! SUCCESS, or ERROR with DataSync's code.
//!
//! Counters change in memory as files move and are stored at every phase
//! change; a restart ends an unfinished execution in ERROR (`DataSync::new`),
//! so SUCCESS is never shown for data that is not there.

mod join;
mod plan;
mod posix;
mod remote;
mod report;
mod sides;
mod walk;

use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::model::{ExecutionRec, LocationKind, LocationRec, OptionsRec, ReportOutcome, ReportRec};
use crate::{DataSync, State, filters, now_ms, world};
use join::Join;
use posix::{Keep, Kind};
use report::Aspect;
use sides::{Entry, Side};

/// Files copied at once within an execution.
const PARALLEL_FILES: usize = 8;

/// Entries walked between updates of the live PREPARING counters.
const PROGRESS_EVERY: i64 = 1000;

/// Where a location's entries are, now: a file location needs a share
/// mapping its server and path, and a location that names agents needs one
/// of them online.
fn side(ds: &DataSync, state: &State, l: &LocationRec) -> Result<Side, Failure> {
    let agents = l.agents();
    if !agents.is_empty() {
        let online = agents.iter().any(|a| {
            state
                .agents
                .get(a)
                .is_some_and(|agent| ds.appliance_running(&agent.appliance))
        });
        if !online {
            return Err(Failure("AgentOffline", format!("No agent of {} is online", l.uri())));
        }
    }
    match &l.kind {
        LocationKind::S3 {
            bucket, subdirectory, ..
        } => Ok(Side::S3 {
            bucket: bucket.clone(),
            prefix: subdirectory.clone(),
            keep_tags: true,
        }),
        LocationKind::ObjectStorage(o) => remote::Remote::connect(o)
            .map(Side::Remote)
            .map_err(|d| Failure("InvalidLocation", format!("{}: {d}", l.uri()))),
        LocationKind::Files(f) => {
            // AWS's form ("Task failed to access location loc-…: x40016:
            // mount.nfs: …") so that what parses it keeps working.
            let root = world::resolve(state, f).ok_or_else(|| {
                Failure(
                    "MountError",
                    format!(
                        "Task failed to access location {}: x40016: mount: {}:{} is not exported \
                         (no world share maps it: landbridge world share add {}:EXPORT DIR)",
                        l.arn.rsplit('/').next().unwrap_or(&l.arn),
                        f.server,
                        f.subdirectory,
                        f.server
                    ),
                )
            })?;
            Ok(Side::Files { root, keep: Keep::ALL })
        }
    }
}

/// Why an execution stopped early: DataSync's error code and detail.
struct Failure(&'static str, String);

pub fn end_in_error(e: &mut ExecutionRec, code: &str, detail: &str) {
    e.status = "ERROR".into();
    e.error_code = Some(code.to_string());
    e.error_detail = Some(detail.to_string());
    e.ended_ms = Some(now_ms());
    e.total_ms = now_ms() - e.started_ms;
    for phase in [&mut e.prepare, &mut e.transfer, &mut e.verify] {
        if phase.status == "PENDING" {
            phase.status = "ERROR".into();
            break;
        }
    }
}

pub async fn run(ds: DataSync, arn: String) {
    let Some((task_arn, config)) = ds
        .state()
        .read()
        .await
        .executions
        .get(&arn)
        .map(|e| (e.task_arn.clone(), e.report.clone()))
    else {
        return;
    };
    let queue = ds.queue(&task_arn);
    let _turn = queue.lock().await;
    if ds.cancel_requested(&arn) {
        return; // cancelled while queued: already ERROR
    }
    let collector = report::Collector::new(config.as_ref());
    let outcome = execute(&ds, &arn, &task_arn, &collector).await;
    // The end is decided here but shown only once the task report is
    // written: whoever waits for SUCCESS or ERROR then finds ReportResult.
    let Some(mut ended) = ds.state().read().await.executions.get(&arn).cloned() else {
        return;
    };
    match outcome {
        Ok(()) => {
            ended.status = "SUCCESS".into();
            ended.ended_ms = Some(now_ms());
            ended.total_ms = now_ms() - ended.started_ms;
        }
        Err(Failure(code, detail)) => {
            tracing::info!(execution = %arn, code, %detail, "DataSync execution failed");
            end_in_error(&mut ended, code, &detail);
        }
    }
    if let Some(config) = &config {
        ended.report_result = Some(write_report(&ds, config, &ended, &collector).await);
    }
    if let Some(e) = ds.state().write().await.executions.get_mut(&arn) {
        *e = ended.clone();
    }
    let e = ended;
    if let Err(err) = ds.save("execution", &e.account, &e.region, &e.arn, &e).await {
        tracing::warn!(execution = %arn, error = %err.message, "could not store the execution's end");
    }
}

/// Writes the execution's task report; its outcome is the ReportResult.
async fn write_report(
    ds: &DataSync,
    config: &ReportRec,
    e: &ExecutionRec,
    collector: &report::Collector,
) -> ReportOutcome {
    let names = {
        let state = ds.state().read().await;
        let task = state.tasks.get(&e.task_arn);
        let uri = |arn: Option<&String>| {
            arn.and_then(|a| state.locations.get(a))
                .map(|l| l.uri())
                .unwrap_or_default()
        };
        let (source, destination) = task.map_or((None, None), |t| (Some(&t.source), Some(&t.destination)));
        (
            source.cloned().unwrap_or_default(),
            uri(source),
            destination.cloned().unwrap_or_default(),
            uri(destination),
        )
    };
    let names_ref = report::Names {
        source_arn: &names.0,
        source_uri: names.1,
        destination_arn: &names.2,
        destination_uri: names.3,
    };
    match report::write(ds.objects(), config, e, names_ref, collector).await {
        Ok(()) => ReportOutcome {
            status: "SUCCESS".into(),
            error_code: None,
            error_detail: None,
        },
        Err(detail) => {
            tracing::warn!(execution = %e.arn, %detail, "could not write the task report");
            ReportOutcome {
                status: "ERROR".into(),
                error_code: Some("ReportUploadFailed".into()),
                error_detail: Some(detail),
            }
        }
    }
}

fn stop_if_cancelled(ds: &DataSync, arn: &str) -> Result<(), Failure> {
    if ds.cancel_requested(arn) {
        return Err(Failure("OpCancelled", "Cancelled by the user".into()));
    }
    Ok(())
}

/// Changes the execution in memory (and, with `store`, durably).
async fn update(ds: &DataSync, arn: &str, store: bool, f: impl FnOnce(&mut ExecutionRec)) -> Result<(), Failure> {
    let mut state = ds.state().write().await;
    let e = state
        .executions
        .get_mut(arn)
        .ok_or_else(|| Failure("InternalError", "the execution is gone".into()))?;
    f(e);
    if e.status == "CANCELLING" {
        return Err(Failure("OpCancelled", "Cancelled by the user".into()));
    }
    stop_if_cancelled(ds, arn)?;
    if store {
        let e = e.clone();
        ds.save("execution", &e.account, &e.region, &e.arn, &e)
            .await
            .map_err(|err| Failure("InternalError", err.message))?;
    }
    Ok(())
}

async fn execute(ds: &DataSync, arn: &str, task_arn: &str, report: &report::Collector) -> Result<(), Failure> {
    let (source, destination, options, includes, excludes) = {
        let state = ds.state().read().await;
        let task = state
            .tasks
            .get(task_arn)
            .ok_or_else(|| Failure("InternalError", "the task is gone".into()))?;
        let location = |a: &str| {
            state
                .locations
                .get(a)
                .ok_or_else(|| Failure("InternalError", format!("location {a} is gone")))
                .and_then(|l| side(ds, &state, l))
        };
        let e = state
            .executions
            .get(arn)
            .ok_or_else(|| Failure("InternalError", "the execution is gone".into()))?;
        let options = e.options.clone();
        let (includes, excludes) = (e.includes.clone(), e.excludes.clone());
        (
            location(&task.source)?,
            location(&task.destination)?,
            options,
            includes,
            excludes,
        )
    };
    // What a file destination takes of the source's metadata.
    let keep = Keep::from_options(&options);
    let mut destination = destination;
    match &mut destination {
        Side::Files { keep: kept, .. } => *kept = keep,
        Side::S3 { keep_tags, .. } => *keep_tags = options.object_tags != "NONE",
        Side::Remote(_) => {}
    }
    // Filters see `/dir/file`; a directory is filtered by its own path.
    // Where directories are only implied, they are not copied or compared.
    let dirs_too = destination.keeps_dirs();
    let wanted = |rel: &str| {
        (dirs_too || !rel.ends_with('/'))
            && filters::selected(&includes, &excludes, &format!("/{}", rel.trim_end_matches('/')))
    };
    update(ds, arn, true, |e| {
        e.status = "LAUNCHING".into();
        e.launched_ms = Some(now_ms());
    })
    .await?;

    // PREPARING: both sides walked together in key order; what to copy and
    // what to delete goes into plans on disk.
    let started = Instant::now();
    update(ds, arn, true, |e| e.status = "PREPARING".into()).await?;
    let objects = ds.objects();
    let internal = |d: String| Failure("InternalError", d);
    let mut copy = plan::Plan::new().map_err(internal)?;
    let mut delete = plan::Plan::new().map_err(internal)?;
    let remove = options.preserve_deleted_files == "REMOVE";
    let mut join = Join::new(source.walk(objects), destination.walk(objects))
        .await
        .map_err(internal)?;
    let (mut skipped, mut bytes, mut at_source, mut at_destination) = (0i64, 0u64, 0i64, 0i64);
    // A directory being deleted: what is under it goes with it.
    let mut deleting: Option<String> = None;
    while let Some((rel, s, d)) = join.next().await.map_err(internal)? {
        at_destination += i64::from(d.is_some());
        match (s, d) {
            (Some(s), d) => {
                at_source += 1;
                if !wanted(&rel) {
                    continue;
                }
                let copy_it = match &d {
                    None => true,
                    Some(_) if options.overwrite_mode == "NEVER" => false,
                    Some(_) if options.transfer_mode == "ALL" => true,
                    Some(d) => differs(&s, d, keep),
                };
                if copy_it {
                    bytes += s.size;
                    copy.push(&rel, &s).await.map_err(internal)?;
                } else {
                    skipped += 1;
                    report.note(Aspect::Skipped, &rel, Some(&s), None);
                }
            }
            // What the filters leave out is left alone at the destination.
            (None, Some(d)) if remove && wanted(&rel) => {
                if deleting.as_ref().is_some_and(|dir| rel.starts_with(dir.as_str())) {
                    continue;
                }
                if d.kind == Kind::Dir {
                    deleting = Some(rel.clone());
                }
                delete.push(&rel, &d).await.map_err(internal)?;
            }
            _ => {}
        }
        if (at_source + at_destination) % PROGRESS_EVERY == 0 {
            let (prepared, listed) = (copy.len as i64, at_source);
            update(ds, arn, false, |e| {
                e.counters.files_prepared = prepared;
                e.counters.listed_at_source = listed;
            })
            .await?;
        }
    }
    drop(join);
    let prepare_ms = started.elapsed().as_millis() as i64;
    let planned = copy.len as i64;
    update(ds, arn, true, |e| {
        e.counters.estimated_files = planned;
        e.counters.estimated_bytes = bytes as i64;
        e.counters.files_prepared = planned;
        e.counters.files_skipped = skipped;
        e.counters.listed_at_source = at_source;
        if remove {
            e.counters.listed_at_destination = at_destination;
        }
        e.prepare.status = "SUCCESS".into();
        e.prepare.duration_ms = prepare_ms;
        e.status = "TRANSFERRING".into();
    })
    .await?;

    // TRANSFERRING: the plan's entries, several at once (a directory is
    // created when it or anything in it is written), then deletions, then
    // the directories' own metadata, which writing into them changed.
    let started = Instant::now();
    let sent = std::sync::atomic::AtomicU64::new(0);
    let failures = Failures::default();
    let run = Run {
        ds,
        arn,
        source: &source,
        destination: &destination,
        sent: &sent,
        started,
        report,
        failures: &failures,
    };
    let run_ref = &run;
    let mut running = copy
        .items()
        .await
        .map_err(internal)?
        .map(|item| async move {
            let item = item.map_err(|d| Failure("InternalError", d))?;
            run_ref.transfer_one(&item.rel, &item.entry).await
        })
        .buffer_unordered(PARALLEL_FILES);
    while let Some(done) = running.next().await {
        done?;
    }
    drop(running);
    let mut deletions = delete.items().await.map_err(internal)?;
    while let Some(item) = deletions.next().await {
        let plan::Item { rel, entry } = item.map_err(internal)?;
        stop_if_cancelled(ds, arn)?;
        match with_retries(|| destination.delete(objects, &rel, entry.kind)).await {
            Ok(()) => {
                report.note(Aspect::Deleted, &rel, Some(&entry), None);
                update(ds, arn, false, |e| e.counters.files_deleted += 1).await?;
            }
            Err(detail) => {
                report.note(Aspect::Deleted, &rel, Some(&entry), Some(("DeleteFailed", &detail)));
                failures.add(&detail);
                update(ds, arn, false, |e| e.counters.failed.delete += 1).await?;
            }
        }
    }
    if let Some((count, first)) = failures.summary() {
        return Err(Failure(
            "TransferError",
            format!(
                "{count} file(s) could not be transferred or deleted after {ATTEMPTS} attempts; the first: {first}"
            ),
        ));
    }
    // Setting a directory's metadata does not change its parent's, so the
    // order does not matter once everything is written.
    let mut dirs = copy.items().await.map_err(internal)?;
    while let Some(item) = dirs.next().await {
        let plan::Item { rel, entry } = item.map_err(internal)?;
        if entry.kind == Kind::Dir {
            destination
                .finish_dir(&rel, entry.posix)
                .await
                .map_err(|d| Failure("TransferError", d))?;
        }
    }
    let transfer_ms = started.elapsed().as_millis() as i64;
    update(ds, arn, true, |e| {
        e.transfer.status = "SUCCESS".into();
        e.transfer.duration_ms = transfer_ms;
        e.status = "VERIFYING".into();
    })
    .await?;

    // VERIFYING.
    let started = Instant::now();
    let verified = verify(&run, &options, &mut copy, &wanted).await?;
    let verify_ms = started.elapsed().as_millis() as i64;
    update(ds, arn, true, |e| {
        e.counters.files_verified = verified;
        e.verify.status = "SUCCESS".into();
        e.verify.duration_ms = verify_ms;
    })
    .await
}

/// Whether the destination's entry needs the source's copied over it, as
/// TransferMode CHANGED decides: another kind, size, or content (ETags
/// when both are S3), or other POSIX metadata (modification time, mode,
/// owner) when both sides carry it.
fn differs(s: &Entry, d: &Entry, keep: Keep) -> bool {
    if s.kind != d.kind || (s.kind != Kind::Dir && s.size != d.size) {
        return true;
    }
    if let (Some(so), Some(dobj)) = (&s.object, &d.object)
        && s.posix.is_none()
    {
        return so.etag != dobj.etag;
    }
    match (s.posix, d.posix) {
        (Some(sp), Some(dp)) => {
            (s.kind != Kind::Dir
                && (if keep.mtime {
                    sp.mtime_ns != dp.mtime_ns
                } else {
                    // The copy's time is when it was written: a source changed
                    // since is newer than it.
                    sp.mtime_ns > dp.mtime_ns
                }))
                || (keep.permissions && sp.permissions() != dp.permissions())
                || (keep.uid && sp.uid != dp.uid)
                || (keep.gid && sp.gid != dp.gid)
        }
        // Metadata only on one side: an S3 object written without it (a
        // directory that object storage only implies has none to carry).
        (Some(_), None) | (None, Some(_)) => s.kind != Kind::Dir,
        (None, None) => false,
    }
}

/// Attempts per file before it counts as failed.
const ATTEMPTS: u32 = 3;

/// Runs `op` until it succeeds or has failed `ATTEMPTS` times, waiting a
/// little longer after each failure: a share or endpoint that stumbles
/// (a dropped connection, a busy server) gets another chance.
async fn with_retries<F, Fut>(mut op: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut wait = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match op().await {
            Ok(()) => return Ok(()),
            Err(detail) if attempt >= ATTEMPTS => return Err(detail),
            Err(detail) => {
                tracing::debug!(attempt, %detail, "retrying after a failure");
                tokio::time::sleep(wait).await;
                wait *= 4;
                attempt += 1;
            }
        }
    }
}

/// Files that failed in the transfer phase, and the first one's detail.
#[derive(Default)]
struct Failures(std::sync::Mutex<(u64, Option<String>)>);

impl Failures {
    fn add(&self, detail: &str) {
        let mut f = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f.0 += 1;
        f.1.get_or_insert_with(|| detail.to_string());
    }

    fn summary(&self) -> Option<(u64, String)> {
        let f = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f.1.clone().map(|first| (f.0, first))
    }
}

/// What copying one entry needs to know.
struct Run<'a> {
    ds: &'a DataSync,
    arn: &'a str,
    source: &'a Side,
    destination: &'a Side,
    sent: &'a std::sync::atomic::AtomicU64,
    started: Instant,
    report: &'a report::Collector,
    failures: &'a Failures,
}

impl Run<'_> {
    /// Copies one entry and counts it; a copy that keeps failing counts as
    /// failed and the others go on. Only a cancel stops the phase here.
    async fn transfer_one(&self, rel: &str, entry: &Entry) -> Result<(), Failure> {
        let (ds, arn) = (self.ds, self.arn);
        // Bytes are reserved before the copy and the copy waits until the
        // rate allows them: with copies in parallel, waiting after each
        // would let them all start at once.
        let before = self.sent.fetch_add(entry.size, std::sync::atomic::Ordering::Relaxed);
        throttle(ds, arn, before, self.started).await;
        stop_if_cancelled(ds, arn)?;
        match with_retries(|| self.copy(rel, entry)).await {
            Ok(()) => {
                self.report.note(Aspect::Transferred, rel, Some(entry), None);
                update(ds, arn, false, |e| {
                    e.counters.files_transferred += 1;
                    e.counters.bytes_transferred += entry.size as i64;
                    e.counters.bytes_written += entry.size as i64;
                })
                .await?;
            }
            Err(detail) => {
                tracing::info!(execution = %arn, %detail, "a file could not be transferred");
                self.report
                    .note(Aspect::Transferred, rel, Some(entry), Some(("TransferFailed", &detail)));
                self.failures.add(&detail);
                update(ds, arn, false, |e| e.counters.failed.transfer += 1).await?;
            }
        }
        // And the file's own bytes are paid for before the next phase.
        throttle(ds, arn, before + entry.size, self.started).await;
        Ok(())
    }

    async fn copy(&self, rel: &str, entry: &Entry) -> Result<(), String> {
        let objects = self.ds.objects();
        // Between two S3 locations the object layer copies inside itself.
        let both_s3 = matches!((self.source, self.destination), (Side::S3 { .. }, Side::S3 { .. }));
        let body = if both_s3 {
            Box::pin(futures::stream::empty()) as landbridge_objects::ByteStream
        } else {
            self.source.read(objects, rel, entry).await?
        };
        let object = if both_s3 { entry.object.as_ref() } else { None };
        self.destination
            .write(objects, rel, entry.kind, body, entry.posix, object)
            .await
    }
}

/// Compares the destination with the source: everything
/// (POINT_IN_TIME_CONSISTENT), what was copied (ONLY_FILES_TRANSFERRED), or
/// nothing (NONE); what the filters leave out is not compared. Kinds,
/// sizes and content checksums must match.
async fn verify(
    run: &Run<'_>,
    options: &OptionsRec,
    copied: &mut plan::Plan,
    wanted: &impl Fn(&str) -> bool,
) -> Result<i64, Failure> {
    let (ds, arn, source, destination, report) = (run.ds, run.arn, run.source, run.destination, run.report);
    if options.verify_mode == "NONE" {
        return Ok(0);
    }
    let objects = ds.objects();
    let internal = |d: String| Failure("InternalError", d);
    // ONLY_FILES_TRANSFERRED follows the plan, in the same key order.
    let mut planned = if options.verify_mode == "ONLY_FILES_TRANSFERRED" {
        Some(copied.items().await.map_err(internal)?)
    } else {
        None
    };
    let mut next_planned = match planned.as_mut() {
        Some(p) => p.next().await.transpose().map_err(internal)?.map(|i| i.rel),
        None => None,
    };
    let mut join = Join::new(source.walk(objects), destination.walk(objects))
        .await
        .map_err(internal)?;
    let mut verified = 0;
    while let Some((rel, s, d)) = join.next().await.map_err(internal)? {
        // What only the destination has is not compared.
        let Some(s) = s else { continue };
        let compare = match planned.as_mut() {
            Some(p) => {
                while next_planned.as_deref().is_some_and(|k| k < rel.as_str()) {
                    next_planned = p.next().await.transpose().map_err(internal)?.map(|i| i.rel);
                }
                next_planned.as_deref() == Some(rel.as_str())
            }
            None => wanted(&rel),
        };
        if !compare {
            continue;
        }
        stop_if_cancelled(ds, arn)?;
        let failed = |detail: String| {
            report.note(Aspect::Verified, &rel, Some(&s), Some(("VerificationFailed", &detail)));
            Failure("VerificationFailed", detail)
        };
        let Some(d) = d else {
            return Err(failed(format!("{rel} is missing at the destination")));
        };
        let mismatch = || failed(format!("{rel} differs between the source and the destination"));
        if s.kind != d.kind || s.size != d.size {
            return Err(mismatch());
        }
        if s.kind != Kind::Dir {
            let a = source.checksum(objects, &rel, &s).await.map_err(internal)?;
            let b = destination.checksum(objects, &rel, &d).await.map_err(internal)?;
            if a != b {
                return Err(mismatch());
            }
        }
        report.note(Aspect::Verified, &rel, Some(&s), None);
        verified += 1;
    }
    Ok(verified)
}

/// Holds the transfer to the execution's BytesPerSecond (-1: no limit),
/// read again every tenth of a second: UpdateTaskExecution may change it,
/// CancelTaskExecution may stop the wait.
async fn throttle(ds: &DataSync, arn: &str, sent: u64, started: Instant) {
    loop {
        let bytes_per_second = {
            let state = ds.state().read().await;
            state.executions.get(arn).map_or(-1, |e| e.options.bytes_per_second)
        };
        if bytes_per_second <= 0 || ds.cancel_requested(arn) {
            return;
        }
        let due = Duration::from_secs_f64(sent as f64 / bytes_per_second as f64);
        match due.checked_sub(started.elapsed()) {
            Some(wait) if !wait.is_zero() => tokio::time::sleep(wait.min(Duration::from_millis(100))).await,
            _ => return,
        }
    }
}
