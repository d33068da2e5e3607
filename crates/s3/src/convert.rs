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

/// Storage class and server-side encryption as the request gave them.
pub fn attrs(
    storage_class: Option<&s3s::dto::StorageClass>,
    sse: Option<&s3s::dto::ServerSideEncryption>,
    kms_key: Option<String>,
) -> landbridge_objects::Attrs {
    landbridge_objects::Attrs {
        storage_class: storage_class.map(|s| s.as_str().to_string()),
        server_side_encryption: sse.map(|s| s.as_str().to_string()),
        sse_kms_key_id: kms_key,
    }
}

/// What S3 reports for an object's storage class and encryption (SSE-S3 is
/// S3's default for every new object).
pub fn storage_class(a: &landbridge_objects::Attrs) -> s3s::dto::StorageClass {
    s3s::dto::StorageClass::from(a.storage_class.clone().unwrap_or_else(|| "STANDARD".to_string()))
}

pub fn encryption(a: &landbridge_objects::Attrs) -> s3s::dto::ServerSideEncryption {
    s3s::dto::ServerSideEncryption::from(a.server_side_encryption.clone().unwrap_or_else(|| "AES256".to_string()))
}

pub fn put_options(
    content_type: Option<String>,
    metadata: Option<Metadata>,
    tagging: Option<String>,
) -> Result<PutOptions, S3Error> {
    let tags = match tagging {
        Some(header) => parse_tagging_header(&header)?,
        None => Default::default(),
    };
    Ok(PutOptions {
        content_type,
        metadata: metadata.map(|m| m.into_iter().collect()).unwrap_or_default(),
        tags,
        attrs: Default::default(),
    })
}

/// `x-amz-tagging: k1=v1&k2=v2` (URL-encoded).
fn parse_tagging_header(header: &str) -> Result<std::collections::BTreeMap<String, String>, S3Error> {
    let mut tags = std::collections::BTreeMap::new();
    for pair in header.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| s3_error!(InvalidTag, "The tag is not valid UTF-8"))
        };
        tags.insert(decode(k)?, decode(v)?);
    }
    check_tags(&tags, 10)?;
    Ok(tags)
}

/// S3's tag rules: at most `max` tags, keys 1–128 and values 0–256 characters.
pub fn check_tags(tags: &std::collections::BTreeMap<String, String>, max: usize) -> Result<(), S3Error> {
    if tags.len() > max {
        return Err(s3_error!(InvalidTag, "Object tags cannot be greater than {max}"));
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(s3_error!(InvalidTag, "The TagKey you have provided is invalid"));
        }
        if v.chars().count() > 256 {
            return Err(s3_error!(InvalidTag, "The TagValue you have provided is invalid"));
        }
    }
    Ok(())
}

pub fn tag_map(set: s3s::dto::TagSet) -> std::collections::BTreeMap<String, String> {
    set.into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect()
}

pub fn tag_set(tags: &std::collections::BTreeMap<String, String>) -> s3s::dto::TagSet {
    tags.iter()
        .map(|(k, v)| s3s::dto::Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
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
        ObjectError::NoSuchVersion => s3_error!(NoSuchVersion, "{msg}"),
        ObjectError::MethodNotAllowed => {
            let mut e = s3_error!(MethodNotAllowed, "{msg}");
            e.set_status_code(http::StatusCode::METHOD_NOT_ALLOWED);
            e
        }
        ObjectError::BucketNotEmpty => s3_error!(BucketNotEmpty, "{msg}"),
        ObjectError::BucketAlreadyOwnedByYou => s3_error!(BucketAlreadyOwnedByYou, "{msg}"),
        ObjectError::BucketAlreadyExists => s3_error!(BucketAlreadyExists, "{msg}"),
        ObjectError::NoSuchUpload => s3_error!(NoSuchUpload, "{msg}"),
        ObjectError::InvalidPart(_) => s3_error!(InvalidPart, "{msg}"),
        ObjectError::InvalidPartOrder => s3_error!(InvalidPartOrder, "{msg}"),
        ObjectError::EntityTooSmall => s3_error!(EntityTooSmall, "{msg}"),
        ObjectError::Body(m) => s3_error!(IncompleteBody, "{m}"),
        ObjectError::BadDigest(m) => s3_error!(BadDigest, "{m}"),
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
