//! Where object bytes live: the local data directory (`files.rs`) or
//! another S3 (`remote.rs`), and, for small bodies on the local disk, the
//! state store itself. All give the same guarantees: a blob is whole once
//! it is committed and invisible before, reads stream in bounded chunks,
//! and `sweep` removes what no record names.
//!
//! Why small bodies go to the store: a file per object costs an inode, a
//! file fsync, a rename and a directory fsync, and creating inodes is what
//! limits a stream of small PUTs (BENCHMARKS.md). A body of at most
//! `INLINE_MAX` bytes instead commits in the same transaction as its record,
//! so the object and its bytes become durable together, exactly as durable
//! as every other record, with nothing to rename and nothing to orphan.

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use landbridge_store::{BlobId, Mutation, Store};
use md5::{Digest, Md5};

use crate::files::{Files, hex};
use crate::remote::{Remote, S3Target};
use crate::{ByteStream, ObjectError, SERVICE};

/// Bodies up to this size are kept in the state store on the local disk.
pub const INLINE_MAX: usize = 64 * 1024;

/// How a store-kept blob is named in records, ahead of its id.
const INLINE_PREFIX: &str = "store:";

/// Where an object layer keeps its bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// `blobs/` and `tmp/` under this directory, small bodies in the store.
    Local(PathBuf),
    /// Objects on another S3.
    S3(S3Target),
}

/// Bytes that are written (a file or a remote object), or that will be
/// once `commit` is part of the record's batch (`inline`).
pub struct Blob {
    pub name: String,
    pub size: u64,
    pub md5_hex: String,
    /// A small body to commit with its record; `name` is its store name.
    pub inline: Option<Vec<u8>>,
}

impl Blob {
    /// The mutation that makes an inline body durable; none for the others.
    pub fn commit(&mut self) -> Option<Mutation> {
        let data = self.inline.take()?;
        Some(Mutation::PutBlob(inline_id(&self.name)?, data))
    }
}

/// The store id behind a blob name, if the store holds it.
fn inline_id(name: &str) -> Option<BlobId> {
    let id = name.strip_prefix(INLINE_PREFIX)?.parse().ok()?;
    Some(BlobId::new(SERVICE, id))
}

enum Place {
    Local(Files),
    S3(Remote),
}

pub(crate) struct Blobs {
    place: Place,
    store: Store,
    /// The next inline blob's id: above every stored one.
    next_inline: AtomicU64,
}

impl Blobs {
    pub async fn open(storage: Storage, store: Store) -> Result<Self, ObjectError> {
        let place = match storage {
            Storage::Local(root) => Place::Local(Files::open(root).await?),
            Storage::S3(target) => Place::S3(Remote::new(&target)?),
        };
        let next = store.blob_ids(SERVICE)?.last().map_or(1, |id| id + 1);
        Ok(Self {
            place,
            store,
            next_inline: AtomicU64::new(next),
        })
    }

    /// Takes in `body`. On the local disk a body that ends within
    /// `INLINE_MAX` bytes (and `small_ok`) comes back inline, for its record
    /// to commit; anything else is written out before this returns.
    pub async fn write<S, E>(&self, mut body: S, small_ok: bool) -> Result<Blob, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let files = match &self.place {
            Place::S3(r) => return r.write(body).await,
            Place::Local(f) if !small_ok => return f.write(body).await,
            Place::Local(f) => f,
        };
        let mut head: Vec<u8> = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ObjectError::Body(e.to_string()))?;
            head.extend_from_slice(&chunk);
            if head.len() > INLINE_MAX {
                // Too big after all: the file gets what was read, then the rest.
                let first = futures::stream::iter([Ok::<Bytes, E>(Bytes::from(head))]);
                return files.write(first.chain(body)).await;
            }
        }
        let id = self.next_inline.fetch_add(1, Ordering::Relaxed);
        Ok(Blob {
            name: format!("{INLINE_PREFIX}{id}"),
            size: head.len() as u64,
            md5_hex: hex(&Md5::digest(&head)),
            inline: Some(head),
        })
    }

    pub async fn read(&self, name: &str, range: Range<u64>) -> Result<ByteStream, ObjectError> {
        if let Some(id) = inline_id(name) {
            let data = self.store.read_blob(&id)?.ok_or_else(|| {
                ObjectError::Io(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("blob {name} is missing"),
                ))
            })?;
            let end = usize::try_from(range.end).unwrap_or(usize::MAX).min(data.len());
            let start = usize::try_from(range.start).unwrap_or(usize::MAX).min(end);
            let bytes = Bytes::from(data).slice(start..end);
            return Ok(Box::pin(futures::stream::once(async move { Ok(bytes) })));
        }
        Ok(match &self.place {
            Place::Local(f) => Box::pin(f.read(name, range).await?),
            Place::S3(r) => Box::pin(r.read(name, range).await?),
        })
    }

    /// Removes blobs whose records are gone; a failure only leaves garbage
    /// for the next sweep.
    pub async fn remove_all(&self, names: &[String]) {
        let (inline, others): (Vec<&String>, Vec<&String>) = names.iter().partition(|n| inline_id(n).is_some());
        let batch: Vec<Mutation> = inline
            .iter()
            .filter_map(|n| inline_id(n))
            .map(Mutation::DeleteBlob)
            .collect();
        if let Err(e) = self.store.commit(batch).await {
            tracing::warn!(error = %e, "could not remove inline blobs");
        }
        let others: Vec<String> = others.into_iter().cloned().collect();
        match &self.place {
            Place::Local(f) => f.remove_all(&others).await,
            Place::S3(r) => r.remove_all(&others).await,
        }
    }

    /// Removes every blob, in the store or outside it, not in `live`.
    pub async fn sweep(&self, live: &HashSet<String>) -> Result<(), ObjectError> {
        let orphans: Vec<Mutation> = self
            .store
            .blob_ids(SERVICE)?
            .into_iter()
            .filter(|id| !live.contains(&format!("{INLINE_PREFIX}{id}")))
            .map(|id| Mutation::DeleteBlob(BlobId::new(SERVICE, id)))
            .collect();
        if !orphans.is_empty() {
            tracing::info!(removed = orphans.len(), "swept unreferenced inline blobs");
            self.store.commit(orphans).await?;
        }
        match &self.place {
            Place::Local(f) => f.sweep(live).await,
            Place::S3(r) => r.sweep(live).await,
        }
    }
}
