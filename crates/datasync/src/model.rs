//! DataSync's records as stored: behaviour-free, serde only.

use serde::{Deserialize, Serialize};

/// Where a task reads or writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRec {
    pub arn: String,
    pub account: String,
    pub region: String,
    pub created_ms: i64,
    pub kind: LocationKind,
    #[serde(default)]
    pub tags: Tags,
}

pub type Tags = std::collections::BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LocationKind {
    S3 {
        bucket: String,
        /// Normalised: no leading slash, a trailing one unless empty.
        subdirectory: String,
        storage_class: String,
        role_arn: String,
    },
}

impl LocationRec {
    /// The location's URI, as DataSync shows it (`s3://bucket/dir/`).
    pub fn uri(&self) -> String {
        match &self.kind {
            LocationKind::S3 {
                bucket, subdirectory, ..
            } => format!("s3://{bucket}/{subdirectory}"),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            LocationKind::S3 { .. } => "S3",
        }
    }
}

/// A task's options, as given or defaulted the way DataSync defaults them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionsRec {
    pub verify_mode: String,
    pub overwrite_mode: String,
    pub transfer_mode: String,
    pub preserve_deleted_files: String,
    pub task_queueing: String,
    pub log_level: String,
    pub bytes_per_second: i64,
}

impl Default for OptionsRec {
    fn default() -> Self {
        Self {
            verify_mode: "POINT_IN_TIME_CONSISTENT".into(),
            overwrite_mode: "ALWAYS".into(),
            transfer_mode: "CHANGED".into(),
            preserve_deleted_files: "PRESERVE".into(),
            task_queueing: "ENABLED".into(),
            log_level: "OFF".into(),
            bytes_per_second: -1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRec {
    pub arn: String,
    pub account: String,
    pub region: String,
    pub created_ms: i64,
    pub name: Option<String>,
    pub source: String,
    pub destination: String,
    pub options: OptionsRec,
    /// Filter patterns (`filters.rs`).
    #[serde(default)]
    pub includes: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// What an execution has counted so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    pub estimated_files: i64,
    pub estimated_bytes: i64,
    pub files_prepared: i64,
    pub files_transferred: i64,
    pub bytes_transferred: i64,
    pub bytes_written: i64,
    pub files_verified: i64,
    pub files_skipped: i64,
    pub files_deleted: i64,
    pub files_failed: i64,
}

/// One phase's outcome: `PENDING`, `SUCCESS` or `ERROR`, and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub status: String,
    pub duration_ms: i64,
}

impl Default for Phase {
    fn default() -> Self {
        Self {
            status: "PENDING".into(),
            duration_ms: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRec {
    pub arn: String,
    pub task_arn: String,
    pub account: String,
    pub region: String,
    pub started_ms: i64,
    /// QUEUED, LAUNCHING, PREPARING, TRANSFERRING, VERIFYING, SUCCESS,
    /// ERROR (CANCELLING while a cancel is under way).
    pub status: String,
    pub options: OptionsRec,
    #[serde(default)]
    pub includes: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
    pub counters: Counters,
    pub prepare: Phase,
    pub transfer: Phase,
    pub verify: Phase,
    pub total_ms: i64,
    pub error_code: Option<String>,
    pub error_detail: Option<String>,
}

impl ExecutionRec {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "SUCCESS" | "ERROR")
    }
}
