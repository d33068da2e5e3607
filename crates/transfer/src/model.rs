//! Transfer Family's records as stored: behaviour-free, serde only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub type Tags = BTreeMap<String, String>;

/// A server: its protocols, identity provider, storage domain and host
/// key; `state` is what DescribeServer shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRec {
    pub id: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    pub created_ms: i64,
    /// Its loopback-fabric address, for its whole life.
    pub address: String,
    pub protocols: Vec<String>,
    pub identity_provider_type: String,
    #[serde(default)]
    pub identity_provider: BTreeMap<String, String>,
    /// `S3` or `EFS`.
    pub domain: String,
    pub endpoint_type: String,
    #[serde(default)]
    pub endpoint_details: serde_json::Value,
    /// Every host key; the oldest is the server's own (DescribeServer's
    /// fingerprint), and the oldest of each algorithm is presented.
    pub host_keys: Vec<HostKeyRec>,
    pub security_policy: String,
    #[serde(default)]
    pub pre_auth_banner: Option<String>,
    #[serde(default)]
    pub post_auth_banner: Option<String>,
    #[serde(default)]
    pub logging_role: Option<String>,
    #[serde(default)]
    pub certificate: Option<String>,
    #[serde(default)]
    pub protocol_details: serde_json::Value,
    /// `ONLINE` or `OFFLINE` as the user last asked (Start/StopServer);
    /// STARTING, STOPPING and START_FAILED are shown while the listener
    /// changes.
    pub state: String,
    #[serde(default)]
    pub tags: Tags,
}

/// A user of a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRec {
    pub server_id: String,
    pub user_name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    pub role: String,
    #[serde(default)]
    pub policy: Option<String>,
    /// `PATH` or `LOGICAL`.
    pub home_directory_type: String,
    #[serde(default)]
    pub home_directory: Option<String>,
    /// `(entry, target)` pairs of a LOGICAL home.
    #[serde(default)]
    pub mappings: Vec<Mapping>,
    #[serde(default)]
    pub posix_profile: Option<PosixProfile>,
    #[serde(default)]
    pub ssh_keys: Vec<SshKeyRec>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub entry: String,
    pub target: String,
    /// `FILE` or `DIRECTORY`.
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosixProfile {
    pub uid: i64,
    pub gid: i64,
    #[serde(default)]
    pub secondary_gids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SshKeyRec {
    pub id: String,
    /// `ssh-ed25519 AAAA... comment`, as imported.
    pub body: String,
    pub imported_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostKeyRec {
    pub id: String,
    /// OpenSSH private key format.
    pub body: String,
    pub fingerprint: String,
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...
    pub key_type: String,
    #[serde(default)]
    pub description: Option<String>,
    pub imported_ms: i64,
    #[serde(default)]
    pub tags: Tags,
}
