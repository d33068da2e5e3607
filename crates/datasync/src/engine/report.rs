//! Task reports, written to S3 when an execution ends, as TaskReportConfig
//! asks: a summary always, and with OutputType STANDARD one detailed report
//! per aspect (what was transferred, verified, deleted, skipped), listing
//! errors only or successes too (ReportLevel, per aspect with Overrides).
//!
//! Layout under the configured bucket and subdirectory:
//! `Summary-Reports/<task-id>/<exec-id>/<exec-id>.summary-v1.json` and
//! `Detailed-Reports/<task-id>/<exec-id>/<exec-id>.files-<aspect>-v1-00001.json`.

use std::sync::Mutex;

use bytes::Bytes;
use landbridge_objects::{Objects, PutOptions};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::posix::Kind;
use super::sides::Entry;
use crate::model::{ExecutionRec, ReportRec};

#[derive(Debug, Clone, Copy)]
pub enum Aspect {
    Transferred,
    Verified,
    Deleted,
    Skipped,
}

impl Aspect {
    const ALL: [Aspect; 4] = [Aspect::Transferred, Aspect::Verified, Aspect::Deleted, Aspect::Skipped];

    /// The verb an item's `<verb>Timestamp` and `<verb>Status` use.
    fn verb(self) -> &'static str {
        match self {
            Aspect::Transferred => "Transfer",
            Aspect::Verified => "Verify",
            Aspect::Deleted => "Delete",
            Aspect::Skipped => "Skip",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Aspect::Transferred => "Transferred",
            Aspect::Verified => "Verified",
            Aspect::Deleted => "Deleted",
            Aspect::Skipped => "Skipped",
        }
    }
}

/// What an execution did, entry by entry, for the detailed reports.
pub struct Collector {
    /// Per aspect: `None` when not reported, else whether successes are.
    successes: [Option<bool>; 4],
    items: Mutex<[Vec<Value>; 4]>,
}

impl Collector {
    pub fn new(config: Option<&ReportRec>) -> Self {
        let successes = Aspect::ALL.map(|a| {
            let c = config.filter(|c| c.output_type == "STANDARD")?;
            let level = c.overrides.get(a.name()).unwrap_or(&c.report_level);
            Some(level == "SUCCESSES_AND_ERRORS")
        });
        Self {
            successes,
            items: Mutex::new(Default::default()),
        }
    }

    /// Notes `rel` under `aspect`, failed with `error` (code, detail) or not.
    pub fn note(&self, aspect: Aspect, rel: &str, entry: Option<&Entry>, error: Option<(&str, &str)>) {
        let Some(successes) = self.successes[aspect as usize] else {
            return;
        };
        if error.is_none() && !successes {
            return;
        }
        let mut item = json!({
            "RelativePath": format!("/{}", rel.trim_end_matches('/')),
            format!("{}Timestamp", aspect.verb()): now(),
            format!("{}Status", aspect.verb()): if error.is_some() { "FAILED" } else { "SUCCESS" },
        });
        if let Some(e) = entry {
            item["SrcMetadata"] = metadata(e);
        }
        if let Some((code, detail)) = error {
            item["ErrorCode"] = json!(code);
            item["ErrorDetail"] = json!(detail);
        }
        self.items.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[aspect as usize].push(item);
    }
}

fn now() -> String {
    OffsetDateTime::from(landbridge_clock::now())
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn rfc3339_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn rfc3339_ns(ns: i128) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(ns)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn metadata(e: &Entry) -> Value {
    let mut m = json!({
        "Type": match e.kind {
            Kind::File => "Regular",
            Kind::Dir => "Directory",
            Kind::Symlink => "SymbolicLink",
        },
        "ContentSize": e.size,
    });
    if let Some(p) = e.posix {
        m["Mtime"] = json!(rfc3339_ns(p.mtime_ns));
        m["Atime"] = json!(rfc3339_ns(p.atime_ns));
        m["Uid"] = json!(p.uid);
        m["Gid"] = json!(p.gid);
        m["Mode"] = json!(format!("{:04o}", p.permissions()));
    }
    m
}

/// What the summary names the locations and task by.
pub struct Names<'a> {
    pub source_arn: &'a str,
    pub source_uri: String,
    pub destination_arn: &'a str,
    pub destination_uri: String,
}

/// Writes the summary and, when asked, the detailed reports.
pub async fn write(
    objects: &Objects,
    config: &ReportRec,
    e: &ExecutionRec,
    names: Names<'_>,
    collected: &Collector,
) -> Result<(), String> {
    let task_id = e.task_arn.rsplit('/').next().unwrap_or_default();
    let exec_id = e.arn.rsplit('/').next().unwrap_or_default();
    let c = &e.counters;
    let summary = json!({
        "AccountId": e.account,
        "TaskArn": e.task_arn,
        "TaskExecutionArn": e.arn,
        "SourceLocation": {"LocationArn": names.source_arn, "LocationUri": names.source_uri},
        "DestinationLocation": {"LocationArn": names.destination_arn, "LocationUri": names.destination_uri},
        "StartTime": rfc3339_ms(e.started_ms),
        "EndTime": e.ended_ms.map(rfc3339_ms),
        "TotalTime": e.total_ms,
        "Result": {
            "Status": e.status,
            "ErrorCode": e.error_code,
            "ErrorDetail": e.error_detail,
            "PrepareStatus": e.prepare.status,
            "TransferStatus": e.transfer.status,
            "VerifyStatus": e.verify.status,
        },
        "Options": {
            "VerifyMode": e.options.verify_mode,
            "OverwriteMode": e.options.overwrite_mode,
            "TransferMode": e.options.transfer_mode,
            "PreserveDeletedFiles": e.options.preserve_deleted_files,
            "BytesPerSecond": e.options.bytes_per_second,
        },
        "Transferred": {"FilesCount": c.files_transferred, "BytesCount": c.bytes_transferred, "BytesWritten": c.bytes_written},
        "Verified": {"FilesCount": c.files_verified},
        "Deleted": {"FilesCount": c.files_deleted},
        "Skipped": {"FilesCount": c.files_skipped},
        "Failed": {"Prepare": c.failed.prepare, "Transfer": c.failed.transfer, "Verify": c.failed.verify, "Delete": c.failed.delete},
    });
    let put = |key: String, body: Value| async move {
        let bytes = Bytes::from(serde_json::to_vec_pretty(&body).map_err(|err| err.to_string())?);
        let stream: landbridge_objects::ByteStream = Box::pin(futures::stream::once(async move { Ok(bytes) }));
        let opts = PutOptions {
            content_type: Some("application/json".into()),
            ..Default::default()
        };
        objects
            .put(&config.bucket, &key, stream, opts)
            .await
            .map(|_| ())
            .map_err(|err| format!("writing s3://{}/{key}: {err}", config.bucket))
    };
    let sub = &config.subdirectory;
    put(
        format!("{sub}Summary-Reports/{task_id}/{exec_id}/{exec_id}.summary-v1.json"),
        summary,
    )
    .await?;
    let items = std::mem::take(
        &mut *collected
            .items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for (aspect, list) in Aspect::ALL.into_iter().zip(items) {
        if collected.successes[aspect as usize].is_none() {
            continue;
        }
        let name = aspect.name();
        let body = json!({
            "TaskExecutionArn": e.arn,
            "AccountId": e.account,
            (name): list,
        });
        put(
            format!(
                "{sub}Detailed-Reports/{task_id}/{exec_id}/{exec_id}.files-{}-v1-00001.json",
                name.to_ascii_lowercase()
            ),
            body,
        )
        .await?;
    }
    Ok(())
}
