//! The object layer: buckets and objects on the local disk, for S3 and for
//! every data plane that stores into S3 (DataSync, Transfer Family, Storage
//! Gateway, Snowball, FSx).
//!
//! The central decision: no half-written object is ever visible. A write
//! streams into a temporary file while hashing it (memory stays bounded
//! whatever the size), fsyncs it, renames it into `blobs/`, and only then
//! commits the object's record to the state store; the record is what makes
//! the object exist. A crash before the commit leaves at most an
//! unreferenced blob, which `Objects::open` sweeps away with any temporary
//! files. A body of at most 64 KiB skips the file: it commits in the same
//! store transaction as its record (`blobs.rs`). Replaced and deleted blobs
//! are removed after their record change is durable.

mod blobs;
mod error;
mod files;
mod list;
pub mod model;
mod multipart;
mod remote;
mod versions;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::RwLock;

pub use blobs::Storage;
pub use error::ObjectError;
pub use list::{ListPage, ListQuery, VersionEntry, VersionsPage, VersionsQuery};
pub use model::{Attrs, BucketRec, ObjectRec, PartRec, PutOptions, UploadRec, Versioning};
pub use multipart::{UploadsPage, UploadsQuery};
/// The S3 client the remote store uses, for other crates that speak S3 to
/// other servers (DataSync object-storage locations).
pub use object_store;
pub use remote::{S3Target, upload as upload_to_s3};
pub use versions::Deleted;

pub const SERVICE: &str = "s3";

/// An object's bytes, streamed from disk.
pub type ByteStream = std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static>>;

/// One bucket in memory.
#[derive(Debug, Clone)]
struct Bucket {
    rec: BucketRec,
    /// Each key's versions, newest first.
    objects: BTreeMap<String, versions::Stack>,
    uploads: BTreeMap<String, UploadRec>,
}

/// The object layer. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Objects {
    inner: Arc<Inner>,
}

struct Inner {
    blobs: blobs::Blobs,
    store: Store,
    buckets: RwLock<BTreeMap<String, Bucket>>,
    /// The next version's `seq`: above every stored one.
    seq: AtomicU64,
}

fn now_ms() -> i64 {
    landbridge_clock::now_ms()
}

fn bucket_key(b: &BucketRec) -> Key {
    Key::new(SERVICE, &b.account, &b.region, "bucket", &b.name)
}

fn object_key(b: &BucketRec, key: &str) -> Key {
    Key::new(SERVICE, &b.account, &b.region, "object", &format!("{}/{key}", b.name))
}

/// Where a version is stored: the null version under the key itself (as
/// objects of unversioned buckets always were), others under their id.
fn version_key(b: &BucketRec, rec: &ObjectRec) -> Key {
    match &rec.version_id {
        None => object_key(b, &rec.key),
        Some(id) => Key::new(SERVICE, &b.account, &b.region, "version", &format!("{}/{id}", b.name)),
    }
}

fn upload_key(b: &BucketRec, id: &str) -> Key {
    Key::new(SERVICE, &b.account, &b.region, "upload", &format!("{}/{id}", b.name))
}

fn put<T: serde::Serialize>(key: Key, value: &T) -> Result<Mutation, ObjectError> {
    Ok(Mutation::Put(Record {
        key,
        body: serde_json::to_value(value)?,
    }))
}

impl Objects {
    /// The object layer with its bytes under `root` (e.g.
    /// `<data-dir>/objects`); see `open_on`.
    pub async fn open(root: PathBuf, store: Store, records: Vec<Record>) -> Result<Self, ObjectError> {
        Self::open_on(Storage::Local(root), store, records).await
    }

    /// The object layer with its bytes in `storage`, memory rebuilt from
    /// `records`; sweeps temporary files and blobs no record refers to.
    pub async fn open_on(storage: Storage, store: Store, records: Vec<Record>) -> Result<Self, ObjectError> {
        let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
        let mut objects = Vec::new();
        let mut uploads = Vec::new();
        for r in records.into_iter().filter(|r| r.key.service == SERVICE) {
            match r.key.kind.as_str() {
                "bucket" => {
                    let rec: BucketRec = serde_json::from_value(r.body)?;
                    buckets.insert(
                        rec.name.clone(),
                        Bucket {
                            rec,
                            objects: BTreeMap::new(),
                            uploads: BTreeMap::new(),
                        },
                    );
                }
                "object" | "version" => objects.push(serde_json::from_value::<ObjectRec>(r.body)?),
                "upload" => uploads.push(serde_json::from_value::<UploadRec>(r.body)?),
                _ => {}
            }
        }
        let seq = objects.iter().map(|o| o.seq).max().unwrap_or(0) + 1;
        objects.sort_by_key(|o| o.seq);
        for o in objects {
            if let Some(b) = buckets.get_mut(&o.bucket) {
                b.objects.entry(o.key.clone()).or_default().insert(0, o);
            }
        }
        for u in uploads {
            if let Some(b) = buckets.get_mut(&u.bucket) {
                b.uploads.insert(u.id.clone(), u);
            }
        }
        let blobs = blobs::Blobs::open(storage, store.clone()).await?;
        let live: std::collections::HashSet<String> = buckets
            .values()
            .flat_map(|b| {
                b.objects.values().flatten().flat_map(|o| o.blobs()).chain(
                    b.uploads
                        .values()
                        .flat_map(|u| u.parts.values().map(|p| p.blob.clone())),
                )
            })
            .collect();
        blobs.sweep(&live).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                blobs,
                store,
                buckets: RwLock::new(buckets),
                seq: AtomicU64::new(seq),
            }),
        })
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn next_seq(&self) -> u64 {
        self.inner.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Creates a bucket. AWS's rules: a name is global; the owner re-creating
    /// it in us-east-1 succeeds, elsewhere gets `BucketAlreadyOwnedByYou`;
    /// anyone else gets `BucketAlreadyExists`.
    pub async fn create_bucket(&self, account: &str, region: &str, name: &str) -> Result<BucketRec, ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        if let Some(existing) = buckets.get(name) {
            return if existing.rec.account != account {
                Err(ObjectError::BucketAlreadyExists)
            } else if existing.rec.region == "us-east-1" && region == "us-east-1" {
                Ok(existing.rec.clone())
            } else {
                Err(ObjectError::BucketAlreadyOwnedByYou)
            };
        }
        let rec = BucketRec {
            name: name.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            created_ms: now_ms(),
            configs: BTreeMap::new(),
            versioning: None,
        };
        let pending = self.store().enqueue(vec![put(bucket_key(&rec), &rec)?])?;
        buckets.insert(
            name.to_string(),
            Bucket {
                rec: rec.clone(),
                objects: BTreeMap::new(),
                uploads: BTreeMap::new(),
            },
        );
        drop(buckets);
        pending.await?;
        Ok(rec)
    }

    pub async fn delete_bucket(&self, name: &str) -> Result<(), ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get(name).ok_or(ObjectError::NoSuchBucket)?;
        if !b.objects.is_empty() {
            return Err(ObjectError::BucketNotEmpty);
        }
        // Unfinished uploads go with the bucket.
        let mut batch = vec![Mutation::Delete(bucket_key(&b.rec))];
        let mut blobs = Vec::new();
        for u in b.uploads.values() {
            batch.push(Mutation::Delete(upload_key(&b.rec, &u.id)));
            blobs.extend(u.parts.values().map(|p| p.blob.clone()));
        }
        let pending = self.store().enqueue(batch)?;
        buckets.remove(name);
        drop(buckets);
        pending.await?;
        self.inner.blobs.remove_all(&blobs).await;
        Ok(())
    }

    pub async fn bucket(&self, name: &str) -> Option<BucketRec> {
        self.inner.buckets.read().await.get(name).map(|b| b.rec.clone())
    }

    /// The account owning a bucket, without copying its record.
    pub async fn bucket_owner(&self, name: &str) -> Option<String> {
        self.inner.buckets.read().await.get(name).map(|b| b.rec.account.clone())
    }

    /// A bucket's versioning state (`None` also when there is no such
    /// bucket), without copying its record.
    pub async fn versioning(&self, name: &str) -> Option<Versioning> {
        self.inner.buckets.read().await.get(name).and_then(|b| b.rec.versioning)
    }

    /// The buckets `account` owns, by name.
    pub async fn list_buckets(&self, account: &str) -> Vec<BucketRec> {
        self.inner
            .buckets
            .read()
            .await
            .values()
            .filter(|b| b.rec.account == account)
            .map(|b| b.rec.clone())
            .collect()
    }

    /// Streams `body` into a new object version of `bucket`/`key`.
    pub async fn put<S, E>(&self, bucket: &str, key: &str, body: S, opts: PutOptions) -> Result<ObjectRec, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.put_checked(bucket, key, body, opts, || Ok(BTreeMap::new())).await
    }

    /// Like `put`, but `finish` runs once the bytes are on disk and before the
    /// object exists: it returns the object's checksums, or an error (a
    /// checksum that does not match) that discards the upload.
    pub async fn put_checked<S, E, F>(
        &self,
        bucket: &str,
        key: &str,
        body: S,
        opts: PutOptions,
        finish: F,
    ) -> Result<ObjectRec, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
        F: FnOnce() -> Result<BTreeMap<String, String>, ObjectError>,
    {
        if self.bucket(bucket).await.is_none() {
            return Err(ObjectError::NoSuchBucket);
        }
        tracing::trace!(bucket, key, "receiving object");
        let mut blob = self.inner.blobs.write(body, true).await?;
        tracing::trace!(bucket, key, size = blob.size, "object received");
        let checksums = match finish() {
            Ok(c) => c,
            Err(e) => {
                if blob.inline.is_none() {
                    self.inner.blobs.remove_all(std::slice::from_ref(&blob.name)).await;
                }
                return Err(e);
            }
        };
        let body = blob.commit();
        let rec = ObjectRec {
            bucket: bucket.to_string(),
            key: key.to_string(),
            size: blob.size,
            etag: blob.md5_hex,
            content_type: opts.content_type,
            metadata: opts.metadata,
            last_modified_ms: now_ms(),
            blob: blob.name,
            pieces: Vec::new(),
            tags: opts.tags,
            checksums,
            attrs: opts.attrs,
            version_id: None,
            delete_marker: false,
            seq: 0,
        };
        self.install(rec, None, body).await
    }

    /// Makes `rec` (whose bytes are in place, or in `body` to commit with it) the newest version of its key,
    /// with a version id as the bucket's versioning decides; with `upload`,
    /// that multipart upload ends in the same commit. Removes the bytes of a
    /// replaced null version once that is durable; on failure, `rec`'s own.
    async fn install(
        &self,
        mut rec: ObjectRec,
        upload: Option<&str>,
        body: Option<Mutation>,
    ) -> Result<ObjectRec, ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let found = buckets
            .get_mut(&rec.bucket)
            .ok_or(ObjectError::NoSuchBucket)
            .and_then(|b| match upload {
                Some(id) if !b.uploads.contains_key(id) => Err(ObjectError::NoSuchUpload),
                _ => Ok(b),
            });
        let b = match found {
            Ok(b) => b,
            Err(e) => {
                drop(buckets);
                if body.is_none() {
                    self.inner.blobs.remove_all(&rec.blobs()).await;
                }
                return Err(e);
            }
        };
        rec.version_id = (b.rec.versioning == Some(Versioning::Enabled)).then(versions::new_version_id);
        rec.seq = self.next_seq();
        let mut batch = vec![put(version_key(&b.rec, &rec), &rec)?];
        batch.extend(body);
        if let Some(id) = upload {
            batch.push(Mutation::Delete(upload_key(&b.rec, id)));
        }
        let pending = self.store().enqueue(batch)?;
        let replaced = versions::push(b.objects.entry(rec.key.clone()).or_default(), rec.clone());
        if let Some(id) = upload {
            b.uploads.remove(id);
        }
        drop(buckets);
        pending.await?;
        tracing::trace!(bucket = %rec.bucket, key = %rec.key, "object committed");
        if let Some(old) = replaced {
            self.inner.blobs.remove_all(&old.blobs()).await;
        }
        Ok(rec)
    }

    /// The current object at `bucket`/`key` (not a delete marker).
    pub async fn head(&self, bucket: &str, key: &str) -> Result<ObjectRec, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        b.objects
            .get(key)
            .and_then(versions::current)
            .cloned()
            .ok_or(ObjectError::NoSuchKey)
    }

    /// The bytes of `rec` in `range`, streamed from disk.
    pub async fn read(&self, rec: &ObjectRec, range: Range<u64>) -> Result<ByteStream, ObjectError> {
        if rec.pieces.is_empty() {
            return Ok(Box::pin(self.inner.blobs.read(&rec.blob, range).await?));
        }
        // The pieces overlapping the range, each read over its share.
        let mut streams = Vec::new();
        let mut offset = 0u64;
        for p in &rec.pieces {
            let (start, end) = (offset, offset + p.size);
            offset = end;
            if end <= range.start || start >= range.end {
                continue;
            }
            let from = range.start.max(start) - start;
            let to = range.end.min(end) - start;
            streams.push(self.inner.blobs.read(&p.blob, from..to).await?);
        }
        Ok(Box::pin(futures::stream::iter(streams).flatten()))
    }

    /// Copies the version `src` to a new object; `opts` replaces the
    /// attributes when given (`MetadataDirective=REPLACE`), else they are
    /// copied.
    pub async fn copy(
        &self,
        src: &ObjectRec,
        dst_bucket: &str,
        dst_key: &str,
        opts: Option<PutOptions>,
        attrs: Attrs,
    ) -> Result<ObjectRec, ObjectError> {
        if self.bucket(dst_bucket).await.is_none() {
            return Err(ObjectError::NoSuchBucket);
        }
        let mut blob = self.inner.blobs.write(self.read(src, 0..src.size).await?, true).await?;
        let body = blob.commit();
        let (content_type, metadata, tags) = match opts {
            Some(o) => (o.content_type, o.metadata, o.tags),
            None => (src.content_type.clone(), src.metadata.clone(), src.tags.clone()),
        };
        let rec = ObjectRec {
            bucket: dst_bucket.to_string(),
            key: dst_key.to_string(),
            size: blob.size,
            // A copy of a multipart object gets a plain MD5 ETag, as in S3.
            etag: blob.md5_hex,
            content_type,
            metadata,
            last_modified_ms: now_ms(),
            blob: blob.name,
            pieces: Vec::new(),
            tags,
            checksums: BTreeMap::new(),
            attrs,
            version_id: None,
            delete_marker: false,
            seq: 0,
        };
        self.install(rec, None, body).await
    }

    /// Sets (or with `None` removes) a bucket sub-resource.
    pub async fn set_bucket_config(
        &self,
        bucket: &str,
        kind: &str,
        value: Option<serde_json::Value>,
    ) -> Result<(), ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get_mut(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let mut rec = b.rec.clone();
        match value {
            Some(v) => rec.configs.insert(kind.to_string(), v),
            None => rec.configs.remove(kind),
        };
        let pending = self.store().enqueue(vec![put(bucket_key(&rec), &rec)?])?;
        b.rec = rec;
        drop(buckets);
        pending.await?;
        Ok(())
    }

    /// A bucket sub-resource, if set.
    pub async fn bucket_config(&self, bucket: &str, kind: &str) -> Result<Option<serde_json::Value>, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        Ok(b.rec.configs.get(kind).cloned())
    }

    /// Replaces the tags of an object version (the current one without
    /// `version`), without rewriting its bytes.
    pub async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        tags: BTreeMap<String, String>,
    ) -> Result<ObjectRec, ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get_mut(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let stack = b.objects.get_mut(key).ok_or(match version {
            Some(_) => ObjectError::NoSuchVersion,
            None => ObjectError::NoSuchKey,
        })?;
        let i = match version {
            Some(id) => versions::find(stack, id).ok_or(ObjectError::NoSuchVersion)?,
            None if stack[0].delete_marker => return Err(ObjectError::NoSuchKey),
            None => 0,
        };
        if stack[i].delete_marker {
            return Err(ObjectError::MethodNotAllowed);
        }
        let mut rec = stack[i].clone();
        rec.tags = tags;
        let pending = self.store().enqueue(vec![put(version_key(&b.rec, &rec), &rec)?])?;
        stack[i] = rec.clone();
        drop(buckets);
        pending.await?;
        Ok(rec)
    }

    /// One page of a bucket listing.
    pub async fn list(&self, bucket: &str, query: &ListQuery) -> Result<ListPage, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        Ok(list::list(&b.objects, query))
    }

    /// One page of a bucket's versions and delete markers.
    pub async fn list_versions(&self, bucket: &str, query: &VersionsQuery) -> Result<VersionsPage, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        Ok(list::list_versions(&b.objects, query))
    }

    /// Forgets every bucket and object, durably, and removes their files.
    pub async fn reset(&self) -> Result<(), ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        self.store()
            .commit(vec![Mutation::Clear {
                service: Some(SERVICE.to_string()),
            }])
            .await?;
        buckets.clear();
        drop(buckets);
        self.inner.blobs.sweep(&Default::default()).await
    }
}
