//! Object versions on S3's wire: which version a request names, how a
//! delete marker answers a read, and the ListObjectVersions page.

use http::{HeaderMap, HeaderValue, StatusCode};
use landbridge_objects::{ObjectRec, VersionEntry, VersionsQuery};
use s3s::dto::*;
use s3s::{S3Error, S3Result, s3_error};

use crate::S3;
use crate::convert::{error, etag, timestamp, url_encode};

impl S3 {
    /// The version a read names (`None`: the newest), which must hold
    /// bytes: a delete marker answers as S3 does, `NoSuchKey` when it is
    /// the newest version and `MethodNotAllowed` when named, both saying
    /// it is a marker.
    pub(crate) async fn readable(&self, bucket: &str, key: &str, version: Option<&str>) -> S3Result<ObjectRec> {
        let rec = self.objects.head_version(bucket, key, version).await.map_err(error)?;
        if !rec.delete_marker {
            return Ok(rec);
        }
        let mut e = match version {
            None => s3_error!(NoSuchKey, "The specified key does not exist."),
            Some(_) => {
                let mut e = s3_error!(
                    MethodNotAllowed,
                    "The specified method is not allowed against this resource."
                );
                e.set_status_code(StatusCode::METHOD_NOT_ALLOWED);
                e
            }
        };
        e.set_headers(marker_headers(&rec));
        Err(e)
    }

    /// The version a copy reads from (`None`: the newest). A copy cannot
    /// read a delete marker.
    pub(crate) async fn copy_source(&self, bucket: &str, key: &str, version: Option<&str>) -> S3Result<ObjectRec> {
        let rec = self.objects.head_version(bucket, key, version).await.map_err(error)?;
        match (rec.delete_marker, version) {
            (false, _) => Ok(rec),
            (true, None) => Err(s3_error!(NoSuchKey, "The specified key does not exist.")),
            (true, Some(_)) => Err(s3_error!(
                InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id."
            )),
        }
    }

    /// The version id to answer for `rec`: none in a bucket that was never
    /// versioned, else its id (`null` for the null version).
    pub(crate) async fn version_header(&self, rec: &ObjectRec) -> Option<String> {
        if rec.version_id.is_some() {
            return rec.version_id.clone();
        }
        let versioned = self.objects.versioning(&rec.bucket).await.is_some();
        versioned.then(|| "null".to_string())
    }

    pub(crate) async fn versions_page(&self, input: ListObjectVersionsInput) -> S3Result<ListObjectVersionsOutput> {
        let max = crate::ops::max_keys(input.max_keys)?;
        let query = VersionsQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            key_marker: input.key_marker.clone(),
            version_marker: input.version_id_marker.clone(),
            max_keys: max,
        };
        let page = self.objects.list_versions(&input.bucket, &query).await.map_err(error)?;
        let encode = crate::ops::is_url(&input.encoding_type);
        let enc = |s: String| if encode { url_encode(&s) } else { s };
        let (markers, versions): (Vec<&VersionEntry>, Vec<&VersionEntry>) =
            page.versions.iter().partition(|v| v.rec.delete_marker);
        Ok(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: Some(enc(query.prefix.clone())),
            key_marker: Some(enc(input.key_marker.unwrap_or_default())),
            version_id_marker: Some(input.version_id_marker.unwrap_or_default()),
            max_keys: Some(max as i32),
            is_truncated: Some(page.is_truncated),
            next_key_marker: page.next_key_marker.map(enc),
            next_version_id_marker: page.next_version_marker,
            versions: Some(versions.into_iter().map(|v| version_entry(v, encode)).collect()),
            delete_markers: Some(markers.into_iter().map(|v| marker_entry(v, encode)).collect()),
            common_prefixes: crate::ops::common_prefixes(page.common_prefixes, enc),
            delimiter: input.delimiter.map(enc),
            encoding_type: input.encoding_type,
            ..Default::default()
        })
    }
}

/// `x-amz-delete-marker: true` and the marker's version id, on the error a
/// read of a delete marker gets.
fn marker_headers(rec: &ObjectRec) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-amz-delete-marker", HeaderValue::from_static("true"));
    if let Ok(v) = HeaderValue::from_str(rec.version_label()) {
        h.insert("x-amz-version-id", v);
    }
    h
}

/// A `VersioningConfiguration` status from PutBucketVersioning.
pub(crate) fn requested_state(status: Option<&BucketVersioningStatus>) -> S3Result<landbridge_objects::Versioning> {
    match status.map(BucketVersioningStatus::as_str) {
        Some(BucketVersioningStatus::ENABLED) => Ok(landbridge_objects::Versioning::Enabled),
        Some(BucketVersioningStatus::SUSPENDED) => Ok(landbridge_objects::Versioning::Suspended),
        _ => Err(malformed()),
    }
}

fn malformed() -> S3Error {
    s3_error!(
        MalformedXML,
        "The XML you provided was not well-formed or did not validate against our published schema"
    )
}

fn key_of(rec: &ObjectRec, encode: bool) -> String {
    if encode { url_encode(&rec.key) } else { rec.key.clone() }
}

fn version_entry(v: &VersionEntry, encode: bool) -> ObjectVersion {
    ObjectVersion {
        key: Some(key_of(&v.rec, encode)),
        version_id: Some(v.rec.version_label().to_string()),
        is_latest: Some(v.is_latest),
        e_tag: Some(etag(&v.rec.etag)),
        last_modified: Some(timestamp(v.rec.last_modified_ms)),
        size: Some(v.rec.size as i64),
        storage_class: Some(ObjectVersionStorageClass::from(
            v.rec
                .attrs
                .storage_class
                .clone()
                .unwrap_or_else(|| ObjectVersionStorageClass::STANDARD.to_string()),
        )),
        ..Default::default()
    }
}

fn marker_entry(v: &VersionEntry, encode: bool) -> DeleteMarkerEntry {
    DeleteMarkerEntry {
        key: Some(key_of(&v.rec, encode)),
        version_id: Some(v.rec.version_label().to_string()),
        is_latest: Some(v.is_latest),
        last_modified: Some(timestamp(v.rec.last_modified_ms)),
        owner: None,
    }
}
