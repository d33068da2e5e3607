//! Between the object layer's records and s3s's types.

use std::time::{Duration, UNIX_EPOCH};

use landbridge_objects::{ObjectError, PutOptions};
use s3s::dto::{ETag, Metadata, Timestamp};
use s3s::{S3Error, s3_error};

pub fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

pub fn etag(hex: &str) -> ETag {
    ETag::Strong(hex.to_string())
}

pub fn put_options(content_type: Option<String>, metadata: Option<Metadata>) -> PutOptions {
    PutOptions {
        content_type,
        metadata: metadata.map(|m| m.into_iter().collect()).unwrap_or_default(),
    }
}

pub fn metadata(m: &std::collections::BTreeMap<String, String>) -> Option<Metadata> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// The S3 error for an object-layer failure.
pub fn error(e: ObjectError) -> S3Error {
    let msg = e.to_string();
    match e {
        ObjectError::NoSuchBucket => s3_error!(NoSuchBucket, "{msg}"),
        ObjectError::NoSuchKey => s3_error!(NoSuchKey, "{msg}"),
        ObjectError::BucketNotEmpty => s3_error!(BucketNotEmpty, "{msg}"),
        ObjectError::BucketAlreadyOwnedByYou => s3_error!(BucketAlreadyOwnedByYou, "{msg}"),
        ObjectError::BucketAlreadyExists => s3_error!(BucketAlreadyExists, "{msg}"),
        ObjectError::NoSuchUpload => s3_error!(NoSuchUpload, "{msg}"),
        ObjectError::InvalidPart(_) => s3_error!(InvalidPart, "{msg}"),
        ObjectError::InvalidPartOrder => s3_error!(InvalidPartOrder, "{msg}"),
        ObjectError::EntityTooSmall => s3_error!(EntityTooSmall, "{msg}"),
        ObjectError::Body(m) => s3_error!(IncompleteBody, "{m}"),
        other => {
            tracing::error!(error = %other, "object layer failure");
            s3_error!(InternalError, "{other}")
        }
    }
}

/// S3's `encoding-type=url`: every byte but unreserved characters and `/`
/// is percent-encoded.
pub fn url_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}
