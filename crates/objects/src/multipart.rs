//! Multipart uploads: parts are blobs of their own; completing makes the
//! chosen parts the object's pieces (no copy) and computes S3's multipart
//! ETag (the
//! MD5 of the parts' MD5s, then `-<count>`).

use bytes::Bytes;
use futures::Stream;
use landbridge_store::Mutation;
use md5::{Digest, Md5};

use crate::files::hex;
use crate::model::{PartRec, UploadRec};
use crate::{ObjectError, ObjectRec, Objects, PutOptions, now_ms, put, upload_key};

/// S3's smallest part, except the last.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Objects {
    pub async fn create_upload(&self, bucket: &str, key: &str, opts: PutOptions) -> Result<UploadRec, ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get_mut(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let upload = UploadRec {
            id: uuid::Uuid::new_v4().simple().to_string(),
            bucket: bucket.to_string(),
            key: key.to_string(),
            initiated_ms: now_ms(),
            content_type: opts.content_type,
            metadata: opts.metadata,
            tags: opts.tags,
            attrs: opts.attrs,
            parts: Default::default(),
        };
        let pending = self
            .store()
            .enqueue(vec![put(upload_key(&b.rec, &upload.id), &upload)?])?;
        b.uploads.insert(upload.id.clone(), upload.clone());
        drop(buckets);
        pending.await?;
        Ok(upload)
    }

    fn upload_of<'a>(
        buckets: &'a std::collections::BTreeMap<String, crate::Bucket>,
        bucket: &str,
        key: &str,
        id: &str,
    ) -> Result<&'a UploadRec, ObjectError> {
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        b.uploads
            .get(id)
            .filter(|u| u.key == key)
            .ok_or(ObjectError::NoSuchUpload)
    }

    pub async fn upload_part<S, E>(
        &self,
        bucket: &str,
        key: &str,
        id: &str,
        number: i32,
        body: S,
    ) -> Result<PartRec, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        Self::upload_of(&*self.inner.buckets.read().await, bucket, key, id)?;
        let blob = self.inner.blobs.write(body).await?;
        let part = PartRec {
            number,
            size: blob.size,
            etag: blob.md5_hex,
            last_modified_ms: now_ms(),
            blob: blob.name,
        };
        let mut buckets = self.inner.buckets.write().await;
        let Some(b) = buckets.get_mut(bucket) else {
            drop(buckets);
            self.inner.blobs.remove_all(std::slice::from_ref(&part.blob)).await;
            return Err(ObjectError::NoSuchBucket);
        };
        let Some(upload) = b.uploads.get_mut(id) else {
            drop(buckets);
            self.inner.blobs.remove_all(std::slice::from_ref(&part.blob)).await;
            return Err(ObjectError::NoSuchUpload);
        };
        let mut next = upload.clone();
        let replaced = next.parts.insert(number, part.clone());
        let pending = self.store().enqueue(vec![put(upload_key(&b.rec, id), &next)?])?;
        *upload = next;
        drop(buckets);
        pending.await?;
        if let Some(old) = replaced {
            self.inner.blobs.remove_all(&[old.blob]).await;
        }
        Ok(part)
    }

    pub async fn upload(&self, bucket: &str, key: &str, id: &str) -> Result<UploadRec, ObjectError> {
        Self::upload_of(&*self.inner.buckets.read().await, bucket, key, id).cloned()
    }

    /// Unfinished uploads of a bucket, by key then initiation.
    pub async fn uploads(&self, bucket: &str) -> Result<Vec<UploadRec>, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let mut out: Vec<UploadRec> = b.uploads.values().cloned().collect();
        out.sort_by(|a, b| (&a.key, a.initiated_ms).cmp(&(&b.key, b.initiated_ms)));
        Ok(out)
    }

    pub async fn abort_upload(&self, bucket: &str, key: &str, id: &str) -> Result<(), ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let upload = Self::upload_of(&buckets, bucket, key, id)?.clone();
        let Some(b) = buckets.get_mut(bucket) else {
            return Err(ObjectError::NoSuchBucket);
        };
        let pending = self.store().enqueue(vec![Mutation::Delete(upload_key(&b.rec, id))])?;
        b.uploads.remove(id);
        drop(buckets);
        pending.await?;
        let blobs: Vec<String> = upload.parts.values().map(|p| p.blob.clone()).collect();
        self.inner.blobs.remove_all(&blobs).await;
        Ok(())
    }

    /// Completes an upload from the listed `(part number, ETag)` pairs.
    pub async fn complete_upload(
        &self,
        bucket: &str,
        key: &str,
        id: &str,
        parts: &[(i32, String)],
    ) -> Result<ObjectRec, ObjectError> {
        let upload = self.upload(bucket, key, id).await?;
        if parts.is_empty() {
            return Err(ObjectError::InvalidPart("no parts were given".into()));
        }
        if parts.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(ObjectError::InvalidPartOrder);
        }
        let mut chosen = Vec::with_capacity(parts.len());
        for (i, (number, etag)) in parts.iter().enumerate() {
            let want = etag.trim_matches('"');
            let part = upload
                .parts
                .get(number)
                .filter(|p| p.etag == want)
                .ok_or_else(|| ObjectError::InvalidPart(format!("part {number}")))?;
            if i + 1 < parts.len() && part.size < MIN_PART_SIZE {
                return Err(ObjectError::EntityTooSmall);
            }
            chosen.push(part.clone());
        }
        let mut md5 = Md5::new();
        for p in &chosen {
            md5.update(decode_hex(&p.etag).unwrap_or_default());
        }
        let etag = format!("{}-{}", hex(&md5.finalize()), chosen.len());
        let pieces: Vec<crate::model::Piece> = chosen
            .iter()
            .map(|p| crate::model::Piece {
                blob: p.blob.clone(),
                size: p.size,
            })
            .collect();
        let rec = ObjectRec {
            bucket: bucket.to_string(),
            key: key.to_string(),
            size: pieces.iter().map(|p| p.size).sum(),
            etag,
            content_type: upload.content_type.clone(),
            metadata: upload.metadata.clone(),
            last_modified_ms: now_ms(),
            blob: String::new(),
            pieces,
            tags: upload.tags.clone(),
            checksums: Default::default(),
            attrs: upload.attrs.clone(),
            version_id: None,
            delete_marker: false,
            seq: 0,
        };
        // The object appears and the upload disappears in one commit. It
        // fails only when the bucket or the upload went meanwhile, and
        // their parts' bytes with them.
        let rec = self.install(rec, Some(id)).await?;
        // Parts not chosen.
        let kept = rec.blobs();
        let garbage: Vec<String> = upload
            .parts
            .values()
            .map(|p| p.blob.clone())
            .filter(|b| !kept.contains(b))
            .collect();
        self.inner.blobs.remove_all(&garbage).await;
        Ok(rec)
    }
}
