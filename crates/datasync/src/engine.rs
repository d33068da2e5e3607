//! Runs an execution: waits its turn behind the task's earlier ones, then
//! LAUNCHING → PREPARING (list both sides, decide what to copy and delete)
//! → TRANSFERRING (copy through the object layer, throttled to
//! BytesPerSecond) → VERIFYING (compare the destination with the source) →
//! SUCCESS, or ERROR with DataSync's code.
//!
//! Counters change in memory as files move and are stored at every phase
//! change; a restart ends an unfinished execution in ERROR (`DataSync::new`),
//! so SUCCESS is never shown for data that is not there.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use landbridge_objects::{Attrs, ListQuery, ObjectRec};

use crate::model::{ExecutionRec, LocationKind, LocationRec, OptionsRec};
use crate::{DataSync, filters, now_ms};

/// Objects by their key relative to the location's subdirectory.
type Listing = BTreeMap<String, ObjectRec>;

struct Side {
    bucket: String,
    prefix: String,
}

fn side(l: &LocationRec) -> Side {
    match &l.kind {
        LocationKind::S3 {
            bucket, subdirectory, ..
        } => Side {
            bucket: bucket.clone(),
            prefix: subdirectory.clone(),
        },
    }
}

/// Why an execution stopped early: DataSync's error code and detail.
struct Failure(&'static str, String);

pub fn end_in_error(e: &mut ExecutionRec, code: &str, detail: &str) {
    e.status = "ERROR".into();
    e.error_code = Some(code.to_string());
    e.error_detail = Some(detail.to_string());
    e.total_ms = now_ms() - e.started_ms;
    for phase in [&mut e.prepare, &mut e.transfer, &mut e.verify] {
        if phase.status == "PENDING" {
            phase.status = "ERROR".into();
            break;
        }
    }
}

pub async fn run(ds: DataSync, arn: String) {
    let Some(task_arn) = ds.state().read().await.executions.get(&arn).map(|e| e.task_arn.clone()) else {
        return;
    };
    let queue = ds.queue(&task_arn);
    let _turn = queue.lock().await;
    if ds.cancel_requested(&arn) {
        return; // cancelled while queued: already ERROR
    }
    let outcome = execute(&ds, &arn, &task_arn).await;
    let mut state = ds.state().write().await;
    let Some(e) = state.executions.get_mut(&arn) else {
        return;
    };
    match outcome {
        Ok(()) => {
            e.status = "SUCCESS".into();
            e.total_ms = now_ms() - e.started_ms;
        }
        Err(Failure(code, detail)) => {
            tracing::info!(execution = %arn, code, %detail, "DataSync execution failed");
            end_in_error(e, code, &detail);
        }
    }
    let e = e.clone();
    if let Err(err) = ds.save("execution", &e.account, &e.region, &e.arn, &e).await {
        tracing::warn!(execution = %arn, error = %err.message, "could not store the execution's end");
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

async fn execute(ds: &DataSync, arn: &str, task_arn: &str) -> Result<(), Failure> {
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
                .map(side)
                .ok_or_else(|| Failure("InternalError", format!("location {a} is gone")))
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
    let wanted = |rel: &str| filters::selected(&includes, &excludes, &format!("/{rel}"));
    update(ds, arn, true, |e| e.status = "LAUNCHING".into()).await?;

    // PREPARING: what to copy and what to delete.
    let started = Instant::now();
    update(ds, arn, true, |e| e.status = "PREPARING".into()).await?;
    let src = list(ds, &source).await?;
    let dst = list(ds, &destination).await?;
    let mut copy = Vec::new();
    let mut skipped = 0;
    for (rel, obj) in src.iter().filter(|(rel, _)| wanted(rel)) {
        let copy_it = match dst.get(rel) {
            None => true,
            Some(_) if options.overwrite_mode == "NEVER" => false,
            Some(_) if options.transfer_mode == "ALL" => true,
            Some(d) => d.size != obj.size || d.etag != obj.etag,
        };
        if copy_it {
            copy.push(rel.clone());
        } else {
            skipped += 1;
        }
    }
    let delete: Vec<String> = if options.preserve_deleted_files == "REMOVE" {
        // What the filters leave out is left alone at the destination too.
        dst.keys()
            .filter(|k| !src.contains_key(*k) && wanted(k))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let bytes: u64 = copy.iter().filter_map(|k| src.get(k)).map(|o| o.size).sum();
    let prepare_ms = started.elapsed().as_millis() as i64;
    update(ds, arn, true, |e| {
        e.counters.estimated_files = copy.len() as i64;
        e.counters.estimated_bytes = bytes as i64;
        e.counters.files_prepared = copy.len() as i64;
        e.counters.files_skipped = skipped;
        e.prepare.status = "SUCCESS".into();
        e.prepare.duration_ms = prepare_ms;
        e.status = "TRANSFERRING".into();
    })
    .await?;

    // TRANSFERRING.
    let started = Instant::now();
    let mut sent: u64 = 0;
    for rel in &copy {
        stop_if_cancelled(ds, arn)?;
        let Some(obj) = src.get(rel) else { continue };
        let key = format!("{}{rel}", destination.prefix);
        ds.objects()
            .copy(obj, &destination.bucket, &key, None, Attrs::default())
            .await
            .map_err(|e| Failure("TransferError", format!("copying {}: {e}", obj.key)))?;
        sent += obj.size;
        update(ds, arn, false, |e| {
            e.counters.files_transferred += 1;
            e.counters.bytes_transferred += obj.size as i64;
            e.counters.bytes_written += obj.size as i64;
        })
        .await?;
        throttle(ds, arn, sent, started).await;
    }
    for rel in &delete {
        stop_if_cancelled(ds, arn)?;
        let key = format!("{}{rel}", destination.prefix);
        ds.objects()
            .delete(&destination.bucket, &key, None)
            .await
            .map_err(|e| Failure("TransferError", format!("deleting {key}: {e}")))?;
        update(ds, arn, false, |e| e.counters.files_deleted += 1).await?;
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
    let verified = verify(ds, &options, &source, &destination, &copy, &wanted).await?;
    let verify_ms = started.elapsed().as_millis() as i64;
    update(ds, arn, true, |e| {
        e.counters.files_verified = verified;
        e.verify.status = "SUCCESS".into();
        e.verify.duration_ms = verify_ms;
    })
    .await
}

/// Compares the destination with the source: everything
/// (POINT_IN_TIME_CONSISTENT), what was copied (ONLY_FILES_TRANSFERRED), or
/// nothing (NONE); what the filters leave out is not compared. Sizes and
/// ETags (the content's MD5) must match.
async fn verify(
    ds: &DataSync,
    options: &OptionsRec,
    source: &Side,
    destination: &Side,
    copied: &[String],
    wanted: &impl Fn(&str) -> bool,
) -> Result<i64, Failure> {
    if options.verify_mode == "NONE" {
        return Ok(0);
    }
    let src = list(ds, source).await?;
    let dst = list(ds, destination).await?;
    let keys: Vec<&String> = if options.verify_mode == "ONLY_FILES_TRANSFERRED" {
        copied.iter().collect()
    } else {
        src.keys().filter(|k| wanted(k)).collect()
    };
    for rel in &keys {
        let (Some(s), Some(d)) = (src.get(*rel), dst.get(*rel)) else {
            return Err(Failure(
                "VerificationFailed",
                format!("{rel} is missing at the destination"),
            ));
        };
        if s.size != d.size || s.etag != d.etag {
            return Err(Failure(
                "VerificationFailed",
                format!("{rel} differs between the source and the destination"),
            ));
        }
    }
    Ok(keys.len() as i64)
}

/// Every object under the location's prefix, by relative key.
async fn list(ds: &DataSync, side: &Side) -> Result<Listing, Failure> {
    let mut out = Listing::new();
    let mut after = None;
    loop {
        let page = ds
            .objects()
            .list(
                &side.bucket,
                &ListQuery {
                    prefix: side.prefix.clone(),
                    delimiter: None,
                    after: after.clone(),
                    max_keys: 1000,
                },
            )
            .await
            .map_err(|e| {
                Failure(
                    "InternalError",
                    format!("listing s3://{}/{}: {e}", side.bucket, side.prefix),
                )
            })?;
        for o in page.objects {
            if let Some(rel) = o.key.strip_prefix(&side.prefix)
                && !rel.is_empty()
            {
                out.insert(rel.to_string(), o);
            }
        }
        if !page.is_truncated {
            return Ok(out);
        }
        after = page.last;
    }
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
