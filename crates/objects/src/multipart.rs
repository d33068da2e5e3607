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

/// A ListMultipartUploads request: uploads after `key_marker` (and, within
/// that key, after `upload_id_marker`).
#[derive(Debug, Clone, Default)]
pub struct UploadsQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub upload_id_marker: Option<String>,
    pub max_uploads: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadsPage {
    pub uploads: Vec<UploadRec>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_upload_id_marker: Option<String>,
}

/// Pages `sorted` (by key, then initiation) as S3 does: each upload and each
/// common prefix counts against `max_uploads`.
fn uploads_page(sorted: &[&UploadRec], q: &UploadsQuery) -> UploadsPage {
    let key_marker = q.key_marker.as_deref().filter(|k| !k.is_empty());
    let id_marker = q.upload_id_marker.as_deref().filter(|i| !i.is_empty());
    // Where the previous page stopped: after its last upload, or after
    // every upload of its last key (or common prefix).
    let start = match (key_marker, id_marker) {
        (Some(k), Some(id)) => sorted
            .iter()
            .position(|u| u.key == k && u.id == id)
            .map(|i| i + 1)
            .unwrap_or_else(|| sorted.partition_point(|u| u.key.as_str() <= k)),
        (Some(k), None) => sorted.partition_point(|u| u.key.as_str() <= k),
        _ => 0,
    };
    let delimiter = q.delimiter.as_deref().filter(|d| !d.is_empty());
    // A marker that is a common prefix: its keys were rolled up already.
    let listed_prefix = key_marker.filter(|k| delimiter.is_some_and(|d| k.ends_with(d)));
    let mut page = UploadsPage::default();
    let mut last_prefix: Option<String> = None;
    let mut count = 0usize;
    for u in &sorted[start..] {
        if listed_prefix.is_some_and(|p| u.key.starts_with(p)) {
            continue;
        }
        let rolled = delimiter.and_then(|d| {
            let rest = &u.key[q.prefix.len()..];
            rest.find(d).map(|i| format!("{}{}", q.prefix, &rest[..i + d.len()]))
        });
        if let Some(cp) = &rolled
            && last_prefix.as_deref() == Some(cp.as_str())
        {
            continue;
        }
        if count == q.max_uploads {
            page.is_truncated = true;
            break;
        }
        count += 1;
        match rolled {
            Some(cp) => {
                page.next_key_marker = Some(cp.clone());
                page.next_upload_id_marker = None;
                last_prefix = Some(cp.clone());
                page.common_prefixes.push(cp);
            }
            None => {
                page.next_key_marker = Some(u.key.clone());
                page.next_upload_id_marker = Some(u.id.clone());
                page.uploads.push((*u).clone());
            }
        }
    }
    if !page.is_truncated {
        page.next_key_marker = None;
        page.next_upload_id_marker = None;
    }
    page
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
        // Parts stay files: a completed object keeps them as its pieces.
        let blob = self.inner.blobs.write(body, false).await?;
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

    /// One page of a bucket's unfinished uploads, by key then initiation.
    pub async fn list_uploads(&self, bucket: &str, q: &UploadsQuery) -> Result<UploadsPage, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let mut all: Vec<&UploadRec> = b.uploads.values().filter(|u| u.key.starts_with(&q.prefix)).collect();
        all.sort_by(|a, b| (&a.key, a.initiated_ms, &a.id).cmp(&(&b.key, b.initiated_ms, &b.id)));
        Ok(uploads_page(&all, q))
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
        let rec = self.install(rec, Some(id), None).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(key: &str, id: &str, at: i64) -> UploadRec {
        UploadRec {
            id: id.into(),
            bucket: "b".into(),
            key: key.into(),
            initiated_ms: at,
            content_type: None,
            metadata: Default::default(),
            tags: Default::default(),
            attrs: Default::default(),
            parts: Default::default(),
        }
    }

    #[test]
    fn upload_pages_resume_inside_a_key() {
        let all = [
            upload("a", "1", 1),
            upload("a", "2", 2),
            upload("b", "3", 3),
            upload("c", "4", 4),
        ];
        let sorted: Vec<&UploadRec> = all.iter().collect();
        let mut q = UploadsQuery {
            max_uploads: 1,
            ..Default::default()
        };
        let mut seen = Vec::new();
        for _ in 0..10 {
            let p = uploads_page(&sorted, &q);
            seen.extend(p.uploads.iter().map(|u| u.id.clone()));
            if !p.is_truncated {
                break;
            }
            q.key_marker = p.next_key_marker;
            q.upload_id_marker = p.next_upload_id_marker;
        }
        assert_eq!(seen, ["1", "2", "3", "4"]);
        // A key marker alone skips every upload of that key.
        q.key_marker = Some("a".into());
        q.upload_id_marker = None;
        q.max_uploads = 10;
        let ids: Vec<String> = uploads_page(&sorted, &q).uploads.into_iter().map(|u| u.id).collect();
        assert_eq!(ids, ["3", "4"]);
    }

    #[test]
    fn uploads_roll_up_under_a_delimiter() {
        let all = [upload("d/x", "1", 1), upload("d/y", "2", 2), upload("e", "3", 3)];
        let sorted: Vec<&UploadRec> = all.iter().collect();
        let q = UploadsQuery {
            delimiter: Some("/".into()),
            max_uploads: 1000,
            ..Default::default()
        };
        let p = uploads_page(&sorted, &q);
        assert_eq!(p.common_prefixes, ["d/"]);
        assert_eq!(p.uploads.len(), 1);
        assert!(!p.is_truncated);
    }
}
