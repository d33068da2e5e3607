//! S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256):
//! computed while an upload streams to disk, checked against what the client
//! sent before the object exists, stored, and returned on request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use landbridge_objects::ObjectError;
use s3s::checksum::ChecksumHasher;
use s3s::dto::{Checksum, ChecksumAlgorithm, ChecksumType};

/// The checksums a client sent with an upload, by algorithm name.
pub struct Claimed(pub BTreeMap<&'static str, String>);

impl Claimed {
    pub fn new(
        algorithm: Option<&ChecksumAlgorithm>,
        crc32: Option<String>,
        crc32c: Option<String>,
        crc64nvme: Option<String>,
        sha1: Option<String>,
        sha256: Option<String>,
    ) -> (Self, Vec<&'static str>) {
        let mut claimed = BTreeMap::new();
        for (name, value) in [
            ("CRC32", crc32),
            ("CRC32C", crc32c),
            ("CRC64NVME", crc64nvme),
            ("SHA1", sha1),
            ("SHA256", sha256),
        ] {
            if let Some(v) = value {
                claimed.insert(name, v);
            }
        }
        let mut wanted: Vec<&'static str> = claimed.keys().copied().collect();
        if let Some(a) = algorithm {
            let name = match a.as_str() {
                "CRC32" => Some("CRC32"),
                "CRC32C" => Some("CRC32C"),
                "CRC64NVME" => Some("CRC64NVME"),
                "SHA1" => Some("SHA1"),
                "SHA256" => Some("SHA256"),
                _ => None,
            };
            if let Some(n) = name
                && !wanted.contains(&n)
            {
                wanted.push(n);
            }
        }
        (Self(claimed), wanted)
    }
}

/// Hashes a body as it streams.
#[derive(Clone)]
pub struct Hashing(Arc<Mutex<Option<ChecksumHasher>>>);

impl Hashing {
    pub fn new(algorithms: &[&str]) -> Self {
        let mut h = ChecksumHasher::default();
        for a in algorithms {
            match *a {
                "CRC32" => h.crc32 = Some(Default::default()),
                "CRC32C" => h.crc32c = Some(Default::default()),
                "CRC64NVME" => h.crc64nvme = Some(Default::default()),
                "SHA1" => h.sha1 = Some(Default::default()),
                "SHA256" => h.sha256 = Some(Default::default()),
                _ => {}
            }
        }
        Self(Arc::new(Mutex::new(Some(h))))
    }

    pub fn wrap<S, E>(&self, body: S) -> impl Stream<Item = Result<Bytes, E>> + Unpin
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let me = self.clone();
        body.inspect(move |chunk| {
            if let (Ok(bytes), Ok(mut guard)) = (chunk, me.0.lock())
                && let Some(h) = guard.as_mut()
            {
                h.update(bytes);
            }
        })
    }

    /// The computed checksums, after checking each claimed one.
    pub fn finish(&self, claimed: &Claimed) -> Result<BTreeMap<String, String>, ObjectError> {
        let hasher = self.0.lock().ok().and_then(|mut g| g.take()).unwrap_or_default();
        let sums = hasher.finalize();
        let computed: BTreeMap<String, String> = [
            ("CRC32", sums.checksum_crc32),
            ("CRC32C", sums.checksum_crc32c),
            ("CRC64NVME", sums.checksum_crc64nvme),
            ("SHA1", sums.checksum_sha1),
            ("SHA256", sums.checksum_sha256),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        for (name, value) in &claimed.0 {
            if computed.get(*name) != Some(value) {
                return Err(ObjectError::BadDigest(format!(
                    "The {name} you specified did not match the calculated checksum."
                )));
            }
        }
        Ok(computed)
    }
}

/// Stored checksums as s3s's output fields.
pub fn output(stored: &BTreeMap<String, String>) -> Checksum {
    Checksum {
        checksum_crc32: stored.get("CRC32").cloned(),
        checksum_crc32c: stored.get("CRC32C").cloned(),
        checksum_crc64nvme: stored.get("CRC64NVME").cloned(),
        checksum_sha1: stored.get("SHA1").cloned(),
        checksum_sha256: stored.get("SHA256").cloned(),
        checksum_type: (!stored.is_empty()).then(|| ChecksumType::from_static(ChecksumType::FULL_OBJECT)),
    }
}
