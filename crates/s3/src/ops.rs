//! One method per S3 operation Landbridge implements; every other
//! operation keeps s3s's `NotImplemented` answer.

use futures::StreamExt;
use http::StatusCode;
use landbridge_objects::{ListQuery, ObjectRec};
use landbridge_wire::CredentialScope;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

use crate::S3;
use crate::checksums;
use crate::convert::{self, error, etag, timestamp, url_encode};

/// S3's page size when a request names none, and its ceiling.
const MAX_KEYS: i32 = 1000;

fn to_json<T: serde::Serialize>(value: &T) -> S3Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| s3_error!(InternalError, "{e}"))
}

impl S3 {
    async fn set_config(&self, bucket: &str, kind: &str, value: Option<serde_json::Value>) -> S3Result<()> {
        self.objects.set_bucket_config(bucket, kind, value).await.map_err(error)
    }

    /// A stored bucket sub-resource, decoded.
    async fn config<T: serde::de::DeserializeOwned>(&self, bucket: &str, kind: &str) -> S3Result<Option<T>> {
        match self.objects.bucket_config(bucket, kind).await.map_err(error)? {
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| s3_error!(InternalError, "stored {kind} is unreadable: {e}")),
            None => Ok(None),
        }
    }

    /// The caller's account and region, from the request's signature.
    fn caller<T>(&self, req: &S3Request<T>) -> (String, String) {
        let scope = req
            .extensions
            .get::<crate::CallerScope>()
            .map(|s| s.0.clone())
            .or_else(|| CredentialScope::from_request(&req.headers, req.uri.query()));
        let account = landbridge_api::account_for(
            &*self.identities,
            scope.as_ref().map(|s| s.access_key_id.as_str()),
            &self.default_account,
        );
        let region = scope.map_or_else(|| "us-east-1".to_string(), |s| s.region);
        (account, region)
    }
}

fn body_stream(body: Option<StreamingBlob>) -> futures::stream::BoxStream<'static, Result<bytes::Bytes, String>> {
    match body {
        Some(b) => b.map(|r| r.map_err(|e| e.to_string())).boxed(),
        None => futures::stream::empty().boxed(),
    }
}

fn etag_matches(cond: &ETagCondition, rec: &ObjectRec) -> bool {
    match cond {
        ETagCondition::Any => true,
        ETagCondition::ETag(e) => e.value() == rec.etag,
    }
}

/// GET/HEAD preconditions, in RFC 9110's order.
fn check_conditions(
    rec: &ObjectRec,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
) -> S3Result<()> {
    let modified = time::OffsetDateTime::from(timestamp(rec.last_modified_ms));
    // HTTP dates have whole seconds.
    let modified_s = modified.unix_timestamp();
    if let Some(c) = if_match {
        if !etag_matches(c, rec) {
            return Err(s3_error!(PreconditionFailed));
        }
    } else if let Some(t) = if_unmodified_since
        && modified_s > time::OffsetDateTime::from(t.clone()).unix_timestamp()
    {
        return Err(s3_error!(PreconditionFailed));
    }
    if let Some(c) = if_none_match {
        if etag_matches(c, rec) {
            return Err(s3_error!(NotModified));
        }
    } else if let Some(t) = if_modified_since
        && modified_s <= time::OffsetDateTime::from(t.clone()).unix_timestamp()
    {
        return Err(s3_error!(NotModified));
    }
    Ok(())
}

fn object_entry(o: &ObjectRec, encode: bool) -> Object {
    Object {
        key: Some(if encode { url_encode(&o.key) } else { o.key.clone() }),
        e_tag: Some(etag(&o.etag)),
        last_modified: Some(timestamp(o.last_modified_ms)),
        size: Some(o.size as i64),
        storage_class: Some(ObjectStorageClass::from(
            o.attrs
                .storage_class
                .clone()
                .unwrap_or_else(|| ObjectStorageClass::STANDARD.to_string()),
        )),
        ..Default::default()
    }
}

fn check_part_number(n: i32) -> S3Result<()> {
    if (1..=10_000).contains(&n) {
        Ok(())
    } else {
        Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        ))
    }
}

/// `x-amz-copy-source-range: bytes=first-last`, both given and inside the
/// source.
fn copy_range(header: &str, size: u64) -> S3Result<std::ops::Range<u64>> {
    let parsed = header
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
    match parsed {
        Some((first, last)) if first <= last && last < size => Ok(first..last + 1),
        Some(_) => Err(s3_error!(
            InvalidArgument,
            "Range specified is not valid for source object of size: {size}"
        )),
        None => Err(s3_error!(
            InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
        )),
    }
}

/// A listing's common prefixes, each encoded as the request asked.
pub(crate) fn common_prefixes(prefixes: Vec<String>, enc: impl Fn(String) -> String) -> Option<CommonPrefixList> {
    Some(
        prefixes
            .into_iter()
            .map(|p| CommonPrefix { prefix: Some(enc(p)) })
            .collect(),
    )
}

/// The bucket, key and version a copy reads (access points are not
/// emulated).
fn copy_source(source: &CopySource) -> S3Result<(&str, &str, Option<&str>)> {
    match source {
        CopySource::Bucket {
            bucket,
            key,
            version_id,
        } => Ok((bucket, key, version_id.as_deref())),
        _ => Err(s3_error!(
            NotImplemented,
            "Copying from an access point is not supported"
        )),
    }
}

pub(crate) fn max_keys(requested: Option<i32>) -> S3Result<usize> {
    match requested {
        None => Ok(MAX_KEYS as usize),
        Some(n) if n < 0 => Err(s3_error!(InvalidArgument, "max-keys must be non-negative")),
        Some(n) => Ok(n.min(MAX_KEYS) as usize),
    }
}

pub(crate) fn is_url(e: &Option<EncodingType>) -> bool {
    e.as_ref().is_some_and(|e| e.as_str() == EncodingType::URL)
}

#[async_trait::async_trait]
impl s3s::S3 for S3 {
    async fn create_bucket(&self, req: S3Request<CreateBucketInput>) -> S3Result<S3Response<CreateBucketOutput>> {
        let (account, _) = self.caller(&req);
        let region = req
            .input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map(|l| l.as_str().to_string())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "us-east-1".to_string());
        let bucket = req.input.bucket;
        self.objects
            .create_bucket(&account, &region, &bucket)
            .await
            .map_err(error)?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{bucket}")),
        }))
    }

    async fn delete_bucket(&self, req: S3Request<DeleteBucketInput>) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.objects.delete_bucket(&req.input.bucket).await.map_err(error)?;
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    async fn head_bucket(&self, req: S3Request<HeadBucketInput>) -> S3Result<S3Response<HeadBucketOutput>> {
        let b = self
            .objects
            .bucket(&req.input.bucket)
            .await
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(b.region),
            ..Default::default()
        }))
    }

    async fn list_buckets(&self, req: S3Request<ListBucketsInput>) -> S3Result<S3Response<ListBucketsOutput>> {
        let (account, _) = self.caller(&req);
        let buckets = self
            .objects
            .list_buckets(&account)
            .await
            .into_iter()
            .map(|b| Bucket {
                name: Some(b.name),
                creation_date: Some(timestamp(b.created_ms)),
                bucket_region: Some(b.region),
            })
            .collect();
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(Owner {
                display_name: Some("landbridge".to_string()),
                id: Some(account),
            }),
            ..Default::default()
        }))
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let b = self
            .objects
            .bucket(&req.input.bucket)
            .await
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        // us-east-1 is reported as an empty constraint, as S3 does.
        let constraint = (b.region != "us-east-1").then(|| BucketLocationConstraint::from(b.region));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint: constraint,
        }))
    }

    async fn put_object(&self, req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
        let input = req.input;
        if let Some(cond) = &input.if_none_match
            && let Ok(existing) = self.objects.head(&input.bucket, &input.key).await
            && etag_matches(cond, &existing)
        {
            return Err(s3_error!(PreconditionFailed));
        }
        let mut opts = convert::put_options(input.content_type, input.metadata, input.tagging)?;
        opts.attrs = convert::attrs(
            input.storage_class.as_ref(),
            input.server_side_encryption.as_ref(),
            input.ssekms_key_id,
        );
        let (claimed, algorithms) = checksums::Claimed::new(
            input.checksum_algorithm.as_ref(),
            input.checksum_crc32,
            input.checksum_crc32c,
            input.checksum_crc64nvme,
            input.checksum_sha1,
            input.checksum_sha256,
        );
        let hashing = checksums::Hashing::new(&algorithms);
        let body = hashing.wrap(body_stream(input.body));
        let rec = self
            .objects
            .put_checked(&input.bucket, &input.key, body, opts, || hashing.finish(&claimed))
            .await
            .map_err(error)?;
        let sums = checksums::output(&rec.checksums);
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(etag(&rec.etag)),
            checksum_crc32: sums.checksum_crc32,
            checksum_crc32c: sums.checksum_crc32c,
            checksum_crc64nvme: sums.checksum_crc64nvme,
            checksum_sha1: sums.checksum_sha1,
            checksum_sha256: sums.checksum_sha256,
            checksum_type: sums.checksum_type,
            server_side_encryption: Some(convert::encryption(&rec.attrs)),
            ssekms_key_id: rec.attrs.sse_kms_key_id.clone(),
            version_id: rec.version_id.clone(),
            ..Default::default()
        }))
    }

    async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        let rec = self
            .readable(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        check_conditions(
            &rec,
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
            input.if_unmodified_since.as_ref(),
        )?;
        let version_id = self.version_header(&rec).await;
        let (range, partial) = match &input.range {
            Some(r) => (r.check(rec.size).map_err(|_| s3_error!(InvalidRange))?, true),
            None => (0..rec.size, false),
        };
        let stream = self.objects.read(&rec, range.clone()).await.map_err(error)?;
        // Whole-object checksums only describe whole-object answers.
        let sums = match (&input.checksum_mode, partial) {
            (Some(m), false) if m.as_str() == ChecksumMode::ENABLED => checksums::output(&rec.checksums),
            _ => Checksum::default(),
        };
        let output = GetObjectOutput {
            checksum_crc32: sums.checksum_crc32,
            checksum_crc32c: sums.checksum_crc32c,
            checksum_crc64nvme: sums.checksum_crc64nvme,
            checksum_sha1: sums.checksum_sha1,
            checksum_sha256: sums.checksum_sha256,
            checksum_type: sums.checksum_type,
            body: Some(StreamingBlob::wrap(stream)),
            content_length: Some((range.end - range.start) as i64),
            content_range: partial
                .then(|| format!("bytes {}-{}/{}", range.start, range.end.saturating_sub(1), rec.size)),
            accept_ranges: Some("bytes".to_string()),
            content_type: rec.content_type.clone(),
            e_tag: Some(etag(&rec.etag)),
            last_modified: Some(timestamp(rec.last_modified_ms)),
            metadata: convert::metadata(&rec.metadata),
            tag_count: (!rec.tags.is_empty()).then_some(rec.tags.len() as i32),
            server_side_encryption: Some(convert::encryption(&rec.attrs)),
            ssekms_key_id: rec.attrs.sse_kms_key_id.clone(),
            // S3 names the storage class only when it is not STANDARD.
            storage_class: rec
                .attrs
                .storage_class
                .as_ref()
                .map(|_| convert::storage_class(&rec.attrs)),
            version_id,
            ..Default::default()
        };
        let mut resp = S3Response::new(output);
        if partial {
            resp.status = Some(StatusCode::PARTIAL_CONTENT);
        }
        Ok(resp)
    }

    async fn head_object(&self, req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let rec = self
            .readable(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        check_conditions(
            &rec,
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
            input.if_unmodified_since.as_ref(),
        )?;
        let version_id = self.version_header(&rec).await;
        let sums = match &input.checksum_mode {
            Some(m) if m.as_str() == ChecksumMode::ENABLED => checksums::output(&rec.checksums),
            _ => Checksum::default(),
        };
        Ok(S3Response::new(HeadObjectOutput {
            checksum_crc32: sums.checksum_crc32,
            checksum_crc32c: sums.checksum_crc32c,
            checksum_crc64nvme: sums.checksum_crc64nvme,
            checksum_sha1: sums.checksum_sha1,
            checksum_sha256: sums.checksum_sha256,
            checksum_type: sums.checksum_type,
            content_length: Some(rec.size as i64),
            accept_ranges: Some("bytes".to_string()),
            content_type: rec.content_type.clone(),
            e_tag: Some(etag(&rec.etag)),
            last_modified: Some(timestamp(rec.last_modified_ms)),
            metadata: convert::metadata(&rec.metadata),
            server_side_encryption: Some(convert::encryption(&rec.attrs)),
            ssekms_key_id: rec.attrs.sse_kms_key_id.clone(),
            storage_class: rec
                .attrs
                .storage_class
                .as_ref()
                .map(|_| convert::storage_class(&rec.attrs)),
            version_id,
            ..Default::default()
        }))
    }

    async fn delete_object(&self, req: S3Request<DeleteObjectInput>) -> S3Result<S3Response<DeleteObjectOutput>> {
        let input = req.input;
        let d = self
            .objects
            .delete(&input.bucket, &input.key, input.version_id.as_deref())
            .await
            .map_err(error)?;
        Ok(S3Response::new(DeleteObjectOutput {
            delete_marker: d.delete_marker.then_some(true),
            version_id: d.version_id,
            ..Default::default()
        }))
    }

    async fn delete_objects(&self, req: S3Request<DeleteObjectsInput>) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let input = req.input;
        let quiet = input.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for id in input.delete.objects {
            let d = match self
                .objects
                .delete(&input.bucket, &id.key, id.version_id.as_deref())
                .await
            {
                Ok(d) => d,
                Err(e @ landbridge_objects::ObjectError::NoSuchVersion) => {
                    errors.push(Error {
                        code: Some("NoSuchVersion".to_string()),
                        message: Some(e.to_string()),
                        key: Some(id.key),
                        version_id: id.version_id,
                    });
                    continue;
                }
                Err(e) => return Err(error(e)),
            };
            if quiet {
                continue;
            }
            // A delete that made a marker names it; one that removed a
            // version names that version.
            let made_marker = id.version_id.is_none() && d.delete_marker;
            deleted.push(DeletedObject {
                key: Some(id.key),
                version_id: id.version_id,
                delete_marker: d.delete_marker.then_some(true),
                delete_marker_version_id: if made_marker { d.version_id } else { None },
            });
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    async fn copy_object(&self, req: S3Request<CopyObjectInput>) -> S3Result<S3Response<CopyObjectOutput>> {
        let input = req.input;
        let (bucket, key, version_id) = copy_source(&input.copy_source)?;
        let replace = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
        if !replace && bucket == input.bucket && key == input.key {
            return Err(s3_error!(
                InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            ));
        }
        let opts = if replace {
            Some(convert::put_options(input.content_type, input.metadata, input.tagging)?)
        } else {
            None
        };
        let attrs = convert::attrs(
            input.storage_class.as_ref(),
            input.server_side_encryption.as_ref(),
            input.ssekms_key_id,
        );
        let src = self.copy_source(bucket, key, version_id).await?;
        let rec = self
            .objects
            .copy(&src, &input.bucket, &input.key, opts, attrs)
            .await
            .map_err(error)?;
        let copy_source_version_id = self.version_header(&src).await;
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(etag(&rec.etag)),
                last_modified: Some(timestamp(rec.last_modified_ms)),
                ..Default::default()
            }),
            version_id: rec.version_id.clone(),
            copy_source_version_id,
            ..Default::default()
        }))
    }

    async fn list_objects(&self, req: S3Request<ListObjectsInput>) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let max = max_keys(input.max_keys)?;
        let query = ListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            after: input.marker.clone().filter(|m| !m.is_empty()),
            max_keys: max,
        };
        let page = self.objects.list(&input.bucket, &query).await.map_err(error)?;
        let encode = is_url(&input.encoding_type);
        let enc = |s: String| if encode { url_encode(&s) } else { s };
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(input.bucket),
            prefix: Some(enc(query.prefix.clone())),
            marker: Some(enc(input.marker.unwrap_or_default())),
            max_keys: Some(max as i32),
            is_truncated: Some(page.is_truncated),
            next_marker: page.last.clone().filter(|_| page.is_truncated).map(enc),
            contents: Some(page.objects.iter().map(|o| object_entry(o, encode)).collect()),
            common_prefixes: crate::ops::common_prefixes(page.common_prefixes, enc),
            delimiter: input.delimiter.map(enc),
            encoding_type: input.encoding_type,
            ..Default::default()
        }))
    }

    async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let max = max_keys(input.max_keys)?;
        // The continuation token is the last entry of the previous page.
        let after = match (&input.continuation_token, &input.start_after) {
            (Some(t), _) if !t.is_empty() => Some(t.clone()),
            (_, Some(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let query = ListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            after,
            max_keys: max,
        };
        let page = self.objects.list(&input.bucket, &query).await.map_err(error)?;
        let encode = is_url(&input.encoding_type);
        let enc = |s: String| if encode { url_encode(&s) } else { s };
        let key_count = (page.objects.len() + page.common_prefixes.len()) as i32;
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(enc(query.prefix.clone())),
            max_keys: Some(max as i32),
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            is_truncated: Some(page.is_truncated),
            next_continuation_token: page.last.clone().filter(|_| page.is_truncated),
            contents: Some(page.objects.iter().map(|o| object_entry(o, encode)).collect()),
            common_prefixes: crate::ops::common_prefixes(page.common_prefixes, enc),
            delimiter: input.delimiter.map(enc),
            encoding_type: input.encoding_type,
            start_after: input.start_after.map(enc),
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let input = req.input;
        let mut opts = convert::put_options(input.content_type, input.metadata, input.tagging)?;
        opts.attrs = convert::attrs(
            input.storage_class.as_ref(),
            input.server_side_encryption.as_ref(),
            input.ssekms_key_id,
        );
        let up = self
            .objects
            .create_upload(&input.bucket, &input.key, opts)
            .await
            .map_err(error)?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(up.id),
            server_side_encryption: Some(convert::encryption(&up.attrs)),
            ssekms_key_id: up.attrs.sse_kms_key_id.clone(),
            ..Default::default()
        }))
    }

    async fn upload_part(&self, req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
        let input = req.input;
        check_part_number(input.part_number)?;
        let part = self
            .objects
            .upload_part(
                &input.bucket,
                &input.key,
                &input.upload_id,
                input.part_number,
                body_stream(input.body),
            )
            .await
            .map_err(error)?;
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(etag(&part.etag)),
            ..Default::default()
        }))
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let input = req.input;
        check_part_number(input.part_number)?;
        let (bucket, key, version_id) = copy_source(&input.copy_source)?;
        let src = self.copy_source(bucket, key, version_id).await?;
        let range = match &input.copy_source_range {
            Some(r) => copy_range(r, src.size)?,
            None => 0..src.size,
        };
        let bytes = self.objects.read(&src, range).await.map_err(error)?;
        let part = self
            .objects
            .upload_part(&input.bucket, &input.key, &input.upload_id, input.part_number, bytes)
            .await
            .map_err(error)?;
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(CopyPartResult {
                e_tag: Some(etag(&part.etag)),
                last_modified: Some(timestamp(part.last_modified_ms)),
                ..Default::default()
            }),
            copy_source_version_id: self.version_header(&src).await,
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = req.input;
        let parts: Vec<(i32, String)> = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                (
                    p.part_number.unwrap_or(0),
                    p.e_tag.map(|e| e.value().to_string()).unwrap_or_default(),
                )
            })
            .collect();
        let rec = self
            .objects
            .complete_upload(&input.bucket, &input.key, &input.upload_id, &parts)
            .await
            .map_err(error)?;
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(input.bucket.clone()),
            key: Some(input.key.clone()),
            e_tag: Some(etag(&rec.etag)),
            location: Some(format!("/{}/{}", input.bucket, input.key)),
            version_id: rec.version_id.clone(),
            ..Default::default()
        }))
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        self.objects
            .abort_upload(&input.bucket, &input.key, &input.upload_id)
            .await
            .map_err(error)?;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    async fn list_parts(&self, req: S3Request<ListPartsInput>) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        let up = self
            .objects
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await
            .map_err(error)?;
        let max = input.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let marker: i32 = input.part_number_marker.unwrap_or(0);
        let mut parts: Vec<Part> = up
            .parts
            .values()
            .filter(|p| p.number > marker)
            .take(max + 1)
            .map(|p| Part {
                part_number: Some(p.number),
                e_tag: Some(etag(&p.etag)),
                size: Some(p.size as i64),
                last_modified: Some(timestamp(p.last_modified_ms)),
                ..Default::default()
            })
            .collect();
        let truncated = parts.len() > max;
        parts.truncate(max);
        let next = parts.last().and_then(|p| p.part_number);
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max as i32),
            is_truncated: Some(truncated),
            part_number_marker: input.part_number_marker,
            next_part_number_marker: next,
            parts: Some(parts),
            ..Default::default()
        }))
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let max = max_keys(input.max_uploads)?;
        let query = landbridge_objects::UploadsQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            key_marker: input.key_marker.clone(),
            upload_id_marker: input.upload_id_marker.clone(),
            max_uploads: max,
        };
        let page = self.objects.list_uploads(&input.bucket, &query).await.map_err(error)?;
        let encode = is_url(&input.encoding_type);
        let enc = |s: String| if encode { url_encode(&s) } else { s };
        let uploads = page
            .uploads
            .into_iter()
            .map(|u| MultipartUpload {
                key: Some(enc(u.key)),
                upload_id: Some(u.id),
                initiated: Some(timestamp(u.initiated_ms)),
                storage_class: Some(convert::storage_class(&u.attrs)),
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix.map(enc),
            delimiter: input.delimiter.map(enc),
            key_marker: input.key_marker.map(enc),
            upload_id_marker: input.upload_id_marker,
            max_uploads: Some(max as i32),
            is_truncated: Some(page.is_truncated),
            next_key_marker: page.next_key_marker.map(enc),
            next_upload_id_marker: page.next_upload_id_marker,
            uploads: Some(uploads),
            common_prefixes: crate::ops::common_prefixes(page.common_prefixes, enc),
            encoding_type: input.encoding_type,
            ..Default::default()
        }))
    }

    async fn put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let input = req.input;
        let tags = convert::tag_map(input.tagging.tag_set);
        convert::check_tags(&tags, 10)?;
        let rec = self
            .objects
            .set_object_tags(&input.bucket, &input.key, input.version_id.as_deref(), tags)
            .await
            .map_err(error)?;
        Ok(S3Response::new(PutObjectTaggingOutput {
            version_id: self.version_header(&rec).await,
        }))
    }

    async fn get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let input = req.input;
        let rec = self
            .readable(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: convert::tag_set(&rec.tags),
            version_id: self.version_header(&rec).await,
        }))
    }

    async fn delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let input = req.input;
        let rec = self
            .objects
            .set_object_tags(
                &input.bucket,
                &input.key,
                input.version_id.as_deref(),
                Default::default(),
            )
            .await
            .map_err(error)?;
        Ok(S3Response::new(DeleteObjectTaggingOutput {
            version_id: self.version_header(&rec).await,
        }))
    }

    async fn put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let input = req.input;
        let tags = convert::tag_map(input.tagging.tag_set);
        convert::check_tags(&tags, 50)?;
        self.set_config(&input.bucket, "tagging", Some(to_json(&tags)?)).await?;
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    async fn get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        let tags: std::collections::BTreeMap<String, String> = self
            .config(&req.input.bucket, "tagging")
            .await?
            .ok_or_else(|| s3_error!(NoSuchTagSet, "The TagSet does not exist"))?;
        Ok(S3Response::new(GetBucketTaggingOutput {
            tag_set: convert::tag_set(&tags),
        }))
    }

    async fn delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        self.set_config(&req.input.bucket, "tagging", None).await?;
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let input = req.input;
        // Stored and returned; Landbridge does not evaluate policies.
        let is_object = serde_json::from_str::<serde_json::Value>(&input.policy).is_ok_and(|d| d.is_object());
        if !is_object {
            return Err(s3_error!(
                MalformedPolicy,
                "Policies must be valid JSON and the first byte must be '{{'"
            ));
        }
        self.set_config(&input.bucket, "policy", Some(serde_json::Value::String(input.policy)))
            .await?;
        Ok(S3Response::new(PutBucketPolicyOutput {}))
    }

    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        let policy: String = self
            .config(&req.input.bucket, "policy")
            .await?
            .ok_or_else(|| s3_error!(NoSuchBucketPolicy, "The bucket policy does not exist"))?;
        Ok(S3Response::new(GetBucketPolicyOutput { policy: Some(policy) }))
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        self.set_config(&req.input.bucket, "policy", None).await?;
        Ok(S3Response::new(DeleteBucketPolicyOutput {}))
    }

    async fn put_bucket_cors(&self, req: S3Request<PutBucketCorsInput>) -> S3Result<S3Response<PutBucketCorsOutput>> {
        let input = req.input;
        self.set_config(
            &input.bucket,
            "cors",
            Some(to_json(&input.cors_configuration.cors_rules)?),
        )
        .await?;
        Ok(S3Response::new(PutBucketCorsOutput {}))
    }

    async fn get_bucket_cors(&self, req: S3Request<GetBucketCorsInput>) -> S3Result<S3Response<GetBucketCorsOutput>> {
        let rules: CORSRules = self
            .config(&req.input.bucket, "cors")
            .await?
            .ok_or_else(|| s3_error!(NoSuchCORSConfiguration, "The CORS configuration does not exist"))?;
        Ok(S3Response::new(GetBucketCorsOutput {
            cors_rules: Some(rules),
        }))
    }

    async fn delete_bucket_cors(
        &self,
        req: S3Request<DeleteBucketCorsInput>,
    ) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
        self.set_config(&req.input.bucket, "cors", None).await?;
        Ok(S3Response::new(DeleteBucketCorsOutput {}))
    }

    async fn put_bucket_lifecycle_configuration(
        &self,
        req: S3Request<PutBucketLifecycleConfigurationInput>,
    ) -> S3Result<S3Response<PutBucketLifecycleConfigurationOutput>> {
        let input = req.input;
        let rules = input.lifecycle_configuration.map(|c| c.rules).unwrap_or_default();
        // Stored and returned; Landbridge does not expire or transition objects.
        self.set_config(&input.bucket, "lifecycle", Some(to_json(&rules)?))
            .await?;
        Ok(S3Response::new(PutBucketLifecycleConfigurationOutput::default()))
    }

    async fn get_bucket_lifecycle_configuration(
        &self,
        req: S3Request<GetBucketLifecycleConfigurationInput>,
    ) -> S3Result<S3Response<GetBucketLifecycleConfigurationOutput>> {
        let rules: LifecycleRules = self.config(&req.input.bucket, "lifecycle").await?.ok_or_else(|| {
            s3_error!(
                NoSuchLifecycleConfiguration,
                "The lifecycle configuration does not exist"
            )
        })?;
        Ok(S3Response::new(GetBucketLifecycleConfigurationOutput {
            rules: Some(rules),
            ..Default::default()
        }))
    }

    async fn delete_bucket_lifecycle(
        &self,
        req: S3Request<DeleteBucketLifecycleInput>,
    ) -> S3Result<S3Response<DeleteBucketLifecycleOutput>> {
        self.set_config(&req.input.bucket, "lifecycle", None).await?;
        Ok(S3Response::new(DeleteBucketLifecycleOutput {}))
    }

    async fn put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let input = req.input;
        let state = crate::versions::requested_state(input.versioning_configuration.status.as_ref())?;
        self.objects.set_versioning(&input.bucket, state).await.map_err(error)?;
        Ok(S3Response::new(PutBucketVersioningOutput {}))
    }

    async fn get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        // A bucket never versioned answers with no Status.
        let b = self
            .objects
            .bucket(&req.input.bucket)
            .await
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        let status = b.versioning.map(|v| {
            BucketVersioningStatus::from_static(match v {
                landbridge_objects::Versioning::Enabled => BucketVersioningStatus::ENABLED,
                landbridge_objects::Versioning::Suspended => BucketVersioningStatus::SUSPENDED,
            })
        });
        Ok(S3Response::new(GetBucketVersioningOutput {
            status,
            ..Default::default()
        }))
    }

    async fn list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        Ok(S3Response::new(self.versions_page(req.input).await?))
    }

    async fn get_bucket_encryption(
        &self,
        req: S3Request<GetBucketEncryptionInput>,
    ) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
        // Every bucket has S3's default: SSE-S3 (AES256).
        self.objects
            .bucket(&req.input.bucket)
            .await
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        Ok(S3Response::new(GetBucketEncryptionOutput {
            server_side_encryption_configuration: Some(ServerSideEncryptionConfiguration {
                rules: vec![ServerSideEncryptionRule {
                    apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                        sse_algorithm: ServerSideEncryption::from_static(ServerSideEncryption::AES256),
                        kms_master_key_id: None,
                    }),
                    bucket_key_enabled: Some(false),
                }],
            }),
        }))
    }

    async fn get_bucket_acl(&self, req: S3Request<GetBucketAclInput>) -> S3Result<S3Response<GetBucketAclOutput>> {
        // The owner has full control, as with S3's default (bucket owner
        // enforced) ownership.
        let b = self
            .objects
            .bucket(&req.input.bucket)
            .await
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        let owner = Owner {
            display_name: Some("landbridge".to_string()),
            id: Some(b.account.clone()),
        };
        Ok(S3Response::new(GetBucketAclOutput {
            grants: Some(vec![Grant {
                grantee: Some(Grantee {
                    display_name: owner.display_name.clone(),
                    id: owner.id.clone(),
                    type_: Type::from_static(Type::CANONICAL_USER),
                    email_address: None,
                    uri: None,
                }),
                permission: Some(Permission::from_static(Permission::FULL_CONTROL)),
            }]),
            owner: Some(owner),
        }))
    }
}
