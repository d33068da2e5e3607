//! What the object layer remembers, one store record each.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketRec {
    pub name: String,
    pub account: String,
    pub region: String,
    pub created_ms: i64,
    /// Bucket sub-resources (tagging, policy, cors, lifecycle) as the S3
    /// layer gave them: stored and returned, not interpreted here.
    #[serde(default)]
    pub configs: BTreeMap<String, serde_json::Value>,
    /// `None` until versioning is first enabled; a bucket never returns to
    /// the unversioned state, as in S3.
    #[serde(default)]
    pub versioning: Option<Versioning>,
}

/// A bucket's versioning state once it has been set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Every write and delete adds a version with a fresh id.
    Enabled,
    /// Writes and deletes replace the `null` version; older versions stay.
    Suspended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectRec {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    /// Hex MD5 of the bytes, or of the parts' MD5s plus `-N` for multipart
    /// objects, without quotes.
    pub etag: String,
    pub content_type: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub last_modified_ms: i64,
    /// The file under `blobs/` holding the bytes (empty when `pieces` holds
    /// them).
    pub blob: String,
    /// A multipart object's bytes: its parts' blobs, in order, kept as they
    /// were uploaded instead of being copied into one file.
    #[serde(default)]
    pub pieces: Vec<Piece>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Whole-object checksums by algorithm (`CRC32`, `SHA256`, ...), base64.
    #[serde(default)]
    pub checksums: BTreeMap<String, String>,
    #[serde(default)]
    pub attrs: Attrs,
    /// `None` is S3's `null` version: the only version of an object in an
    /// unversioned bucket, or one written while versioning was suspended.
    #[serde(default)]
    pub version_id: Option<String>,
    /// A delete marker has no bytes: it hides older versions from reads
    /// and listings.
    #[serde(default)]
    pub delete_marker: bool,
    /// Orders the versions of a key (higher is newer), across restarts.
    #[serde(default)]
    pub seq: u64,
}

/// Attributes S3 records and echoes but Landbridge does not act on: all
/// objects live on the same disk, unencrypted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attrs {
    /// `STANDARD` when absent.
    pub storage_class: Option<String>,
    /// `AES256` (SSE-S3, S3's default) when absent.
    pub server_side_encryption: Option<String>,
    pub sse_kms_key_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    pub blob: String,
    pub size: u64,
}

impl ObjectRec {
    /// A delete marker for `bucket`/`key`; its version is assigned when it
    /// is installed.
    pub fn delete_marker(bucket: &str, key: &str, now_ms: i64) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: key.to_string(),
            size: 0,
            etag: String::new(),
            content_type: None,
            metadata: BTreeMap::new(),
            last_modified_ms: now_ms,
            blob: String::new(),
            pieces: Vec::new(),
            tags: BTreeMap::new(),
            checksums: BTreeMap::new(),
            attrs: Attrs::default(),
            version_id: None,
            delete_marker: true,
            seq: 0,
        }
    }

    /// The version id as S3 writes it (`null` for the null version).
    pub fn version_label(&self) -> &str {
        self.version_id.as_deref().unwrap_or("null")
    }

    /// Every blob holding this object's bytes.
    pub fn blobs(&self) -> Vec<String> {
        if self.delete_marker {
            Vec::new()
        } else if self.pieces.is_empty() {
            vec![self.blob.clone()]
        } else {
            self.pieces.iter().map(|p| p.blob.clone()).collect()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartRec {
    pub number: i32,
    pub size: u64,
    pub etag: String,
    pub last_modified_ms: i64,
    pub blob: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadRec {
    pub id: String,
    pub bucket: String,
    pub key: String,
    pub initiated_ms: i64,
    pub content_type: Option<String>,
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub attrs: Attrs,
    pub parts: BTreeMap<i32, PartRec>,
}

/// Attributes given when an object is written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutOptions {
    pub content_type: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub attrs: Attrs,
}
