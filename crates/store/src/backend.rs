//! The seam between the store and a database.

use std::collections::BTreeMap;

use crate::{BlobId, Key, Mutation, Record, StoreError};

/// A database that keeps records. `apply` must be atomic and durable when
/// it returns `Ok`.
pub trait Backend: Send + 'static {
    fn load(&mut self) -> Result<Vec<Record>, StoreError>;
    fn apply(&mut self, batch: &[&Mutation]) -> Result<(), StoreError>;
    fn read_blob(&mut self, id: &BlobId) -> Result<Option<Vec<u8>>, StoreError>;
    fn blob_ids(&mut self, service: &str) -> Result<Vec<u64>, StoreError>;

    /// Does a bounded slice of background work (compaction and the like)
    /// and returns whether more remains. The store's housekeeper thread calls
    /// it with `Pace::Idle` once commits have paused, and every commit calls
    /// it with `Pace::Busy` right after `apply`, when a backend should only
    /// work to stay within bounds. Commits wait while it runs. It must leave
    /// the stored state unchanged as `load` sees it.
    fn housekeep(&mut self, _pace: Pace) -> Result<bool, StoreError> {
        Ok(false)
    }
}

/// When `Backend::housekeep` is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Writes have paused.
    Idle,
    /// Right after a commit, with more likely to follow.
    Busy,
}

/// Keeps records in memory only: for tests, and the reference behaviour
/// every real backend must match.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    records: BTreeMap<Key, serde_json::Value>,
    blobs: BTreeMap<(String, u64), Vec<u8>>,
}

impl Backend for MemoryBackend {
    fn load(&mut self) -> Result<Vec<Record>, StoreError> {
        Ok(self
            .records
            .iter()
            .map(|(key, body)| Record {
                key: key.clone(),
                body: body.clone(),
            })
            .collect())
    }

    fn apply(&mut self, batch: &[&Mutation]) -> Result<(), StoreError> {
        for m in batch {
            match m {
                Mutation::Put(r) => {
                    self.records.insert(r.key.clone(), r.body.clone());
                }
                Mutation::Delete(k) => {
                    self.records.remove(k);
                }
                Mutation::PutBlob(id, data) => {
                    self.blobs.insert((id.service.clone(), id.id), data.clone());
                }
                Mutation::DeleteBlob(id) => {
                    self.blobs.remove(&(id.service.clone(), id.id));
                }
                Mutation::Clear { service: None } => {
                    self.records.clear();
                    self.blobs.clear();
                }
                Mutation::Clear { service: Some(s) } => {
                    self.records.retain(|k, _| &k.service != s);
                    self.blobs.retain(|(service, _), _| service != s);
                }
            }
        }
        Ok(())
    }

    fn read_blob(&mut self, id: &BlobId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.blobs.get(&(id.service.clone(), id.id)).cloned())
    }

    fn blob_ids(&mut self, service: &str) -> Result<Vec<u64>, StoreError> {
        Ok(self
            .blobs
            .keys()
            .filter(|(s, _)| s == service)
            .map(|(_, id)| *id)
            .collect())
    }
}
