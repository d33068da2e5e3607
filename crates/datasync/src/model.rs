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
    /// A file server: NFS, SMB, or an AWS file system (EFS) reached by its
    /// id. Its bytes are wherever `world share` maps `server` and
    /// `subdirectory`.
    Files(FileLocation),
    /// A bucket on any S3-compatible server, spoken to over S3.
    ObjectStorage(ObjectStorageLocation),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectStorageLocation {
    pub server: String,
    pub port: u16,
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    pub bucket: String,
    /// Normalised like an S3 location's: no leading slash, a trailing one
    /// unless empty.
    pub subdirectory: String,
    pub access_key: Option<String>,
    /// Kept to sign requests; never returned.
    pub secret_key: Option<String>,
    #[serde(default)]
    pub agents: Vec<String>,
    /// PEM the server's certificate chains to, for HTTPS.
    #[serde(default)]
    pub certificate: Option<Vec<u8>>,
}

/// What file locations have in common.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileLocation {
    pub protocol: FileProtocol,
    /// The server's host name, or the file system's id (`fs-...`).
    pub server: String,
    /// Absolute, normalised: a leading slash, no trailing one (`/` alone
    /// for the root).
    pub subdirectory: String,
    #[serde(default)]
    pub agents: Vec<String>,
    /// NFS or SMB mount version as given (`AUTOMATIC` by default).
    #[serde(default)]
    pub mount_version: Option<String>,
    /// SMB's user and domain; EFS's file system ARN, subnet and security
    /// groups, access point, role and in-transit encryption.
    #[serde(default)]
    pub details: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProtocol {
    Nfs,
    Smb,
    Efs,
    FsxWindows,
    FsxLustre,
    FsxOpenZfs,
    FsxOntap,
    /// A Hadoop cluster; `server` is its first NameNode.
    Hdfs,
}

impl FileProtocol {
    /// Whether tasks reach it through agents (AWS's own file systems are
    /// reached from its network instead).
    pub fn uses_agents(self) -> bool {
        matches!(self, FileProtocol::Nfs | FileProtocol::Smb | FileProtocol::Hdfs)
    }
}

impl LocationRec {
    /// Whether entries there have POSIX owners and permissions (object
    /// stores have none).
    pub fn is_posix(&self) -> bool {
        !matches!(self.kind, LocationKind::S3 { .. } | LocationKind::ObjectStorage(_))
    }

    /// The location's URI, as DataSync shows it (`s3://bucket/dir/`,
    /// `nfs://host/path/`, `efs://region.fs-id/path/`).
    pub fn uri(&self) -> String {
        match &self.kind {
            LocationKind::S3 {
                bucket, subdirectory, ..
            } => format!("s3://{bucket}/{subdirectory}"),
            LocationKind::ObjectStorage(o) => {
                format!("object-storage://{}/{}/{}", o.server, o.bucket, o.subdirectory)
            }
            LocationKind::Files(f) => {
                let path = f.subdirectory.trim_matches('/');
                let path = if path.is_empty() {
                    String::new()
                } else {
                    format!("{path}/")
                };
                let aws = |scheme: &str| format!("{scheme}://{}.{}/{path}", self.region, f.server);
                match f.protocol {
                    FileProtocol::Nfs => format!("nfs://{}/{path}", f.server),
                    FileProtocol::Smb => format!("smb://{}/{path}", f.server),
                    FileProtocol::Efs => aws("efs"),
                    FileProtocol::FsxWindows => aws("fsxw"),
                    FileProtocol::FsxLustre => aws("fsxl"),
                    FileProtocol::FsxOpenZfs => aws("fsxz"),
                    FileProtocol::FsxOntap => {
                        let over = f.details.get("protocol").and_then(|v| v.as_str()).unwrap_or("NFS");
                        aws(&format!("fsxn-{}", over.to_ascii_lowercase()))
                    }
                    FileProtocol::Hdfs => {
                        let port = f.details.get("port").and_then(|v| v.as_i64()).unwrap_or(8020);
                        format!("hdfs://{}:{port}/{path}", f.server)
                    }
                }
            }
        }
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            LocationKind::S3 { .. } => "S3",
            LocationKind::ObjectStorage(_) => "OBJECT_STORAGE",
            LocationKind::Files(f) => match f.protocol {
                FileProtocol::Nfs => "NFS",
                FileProtocol::Smb => "SMB",
                FileProtocol::Efs => "EFS",
                FileProtocol::FsxWindows => "FSXW",
                FileProtocol::FsxLustre => "FSXL",
                FileProtocol::FsxOpenZfs => "FSXZ",
                FileProtocol::FsxOntap => "FSXN",
                FileProtocol::Hdfs => "HDFS",
            },
        }
    }

    /// The agents a task on this location needs (none for S3 and EFS).
    pub fn agents(&self) -> &[String] {
        match &self.kind {
            LocationKind::Files(f) => &f.agents,
            LocationKind::ObjectStorage(o) => &o.agents,
            LocationKind::S3 { .. } => &[],
        }
    }
}

/// An activated agent: its appliance is the `world datasync-agent` at
/// `appliance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRec {
    pub arn: String,
    pub account: String,
    pub region: String,
    pub created_ms: i64,
    pub name: Option<String>,
    pub appliance: String,
    #[serde(default)]
    pub vpc_endpoint: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// An emulated agent appliance of the on-premises world, listening for
/// activation on `address:port`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplianceRec {
    pub address: String,
    pub port: u16,
    pub created_ms: i64,
    /// Whether it should be running (`world datasync-agent stop` clears it).
    pub running: bool,
    /// The activation keys it issued, with their region and whether an
    /// agent was created with them.
    #[serde(default)]
    pub keys: Vec<IssuedKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub key: String,
    pub region: String,
    pub used: bool,
}

/// `world share`: the file server `server` exports `export`, and its files
/// are in `local_dir` on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareRec {
    pub server: String,
    /// Absolute, normalised like a file location's subdirectory.
    pub export: String,
    pub local_dir: String,
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
    /// What metadata reaches a file destination (NONE leaves it as the
    /// writer's), and what CHANGED compares.
    #[serde(default = "defaults::atime")]
    pub atime: String,
    #[serde(default = "defaults::mtime")]
    pub mtime: String,
    #[serde(default = "defaults::int_value")]
    pub uid: String,
    #[serde(default = "defaults::int_value")]
    pub gid: String,
    #[serde(default = "defaults::none")]
    pub preserve_devices: String,
    #[serde(default = "defaults::preserve")]
    pub posix_permissions: String,
    #[serde(default = "defaults::owner_dacl")]
    pub security_descriptor_copy_flags: String,
    #[serde(default = "defaults::preserve")]
    pub object_tags: String,
}

/// DataSync's defaults for options records stored before they existed.
mod defaults {
    pub fn atime() -> String {
        "BEST_EFFORT".into()
    }
    pub fn mtime() -> String {
        "PRESERVE".into()
    }
    pub fn int_value() -> String {
        "INT_VALUE".into()
    }
    pub fn none() -> String {
        "NONE".into()
    }
    pub fn preserve() -> String {
        "PRESERVE".into()
    }
    pub fn owner_dacl() -> String {
        "OWNER_DACL".into()
    }
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
            atime: defaults::atime(),
            mtime: defaults::mtime(),
            uid: defaults::int_value(),
            gid: defaults::int_value(),
            preserve_devices: defaults::none(),
            posix_permissions: defaults::preserve(),
            security_descriptor_copy_flags: defaults::owner_dacl(),
            object_tags: defaults::preserve(),
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
    #[serde(default)]
    pub report: Option<ReportRec>,
    #[serde(default)]
    pub schedule: Option<ScheduleRec>,
}

/// TaskReportConfig: where and how much an execution reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRec {
    pub bucket: String,
    /// Normalised like an S3 location's subdirectory.
    pub subdirectory: String,
    pub role_arn: String,
    /// `SUMMARY_ONLY` or `STANDARD`.
    pub output_type: String,
    /// `ERRORS_ONLY` or `SUCCESSES_AND_ERRORS`.
    pub report_level: String,
    /// Report levels by aspect (`Transferred`, `Verified`, `Deleted`,
    /// `Skipped`) where they differ from `report_level`.
    #[serde(default)]
    pub overrides: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub object_version_ids: Option<String>,
}

/// A task's schedule: an AWS `rate(...)` or `cron(...)` expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleRec {
    pub expression: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    pub status_updated_ms: i64,
    /// Who disabled it: `USER`, or `SERVICE` after repeated failures.
    #[serde(default)]
    pub disabled_by: Option<String>,
    #[serde(default)]
    pub disabled_reason: Option<String>,
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
    /// Files that failed, by phase.
    #[serde(default)]
    pub failed: FailedCounts,
    /// Entries found at the source, and at the destination when deleting.
    #[serde(default)]
    pub listed_at_source: i64,
    #[serde(default)]
    pub listed_at_destination: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FailedCounts {
    pub prepare: i64,
    pub transfer: i64,
    pub verify: i64,
    pub delete: i64,
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
    /// When it left the queue.
    #[serde(default)]
    pub launched_ms: Option<i64>,
    #[serde(default)]
    pub ended_ms: Option<i64>,
    #[serde(default)]
    pub report: Option<ReportRec>,
    /// The report's own outcome, once written (or not).
    #[serde(default)]
    pub report_result: Option<ReportOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOutcome {
    /// `SUCCESS` or `ERROR`.
    pub status: String,
    pub error_code: Option<String>,
    pub error_detail: Option<String>,
}

impl ExecutionRec {
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "SUCCESS" | "ERROR")
    }
}
