//! The seam between the store and a database.

use std::collections::BTreeMap;

use crate::{Key, Mutation, Record, StoreError};

/// A database that keeps records. `apply` must be atomic and durable when
/// it returns `Ok`.
pub trait Backend: Send + 'static {
    fn load(&mut self) -> Result<Vec<Record>, StoreError>;
    fn apply(&mut self, batch: &[&Mutation]) -> Result<(), StoreError>;

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
                Mutation::Clear { service: None } => self.records.clear(),
                Mutation::Clear { service: Some(s) } => self.records.retain(|k, _| &k.service != s),
            }
        }
        Ok(())
    }
}
