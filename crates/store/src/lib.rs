//! Durable state for every service.
//!
//! The central decision: services keep their resources in memory, as typed
//! Rust values, and serve reads from there; the store only makes mutations
//! durable. A service commits a batch of `Mutation`s and waits for the
//! commit before it changes memory and answers, so an acknowledged change
//! survives `kill -9` and an unacknowledged one leaves no trace. On start the
//! service gets back every record it wrote.
//!
//! Records are opaque JSON bodies addressed by `Key` (service, account,
//! region, kind, id). The `Backend` trait is the seam for another database
//! (PostgreSQL-compatible) later; `SqliteBackend` is the embedded default.
//!
//! A commit runs on the caller's thread under one lock on the backend. An
//! earlier design handed batches to a writer thread (group commit); with
//! commits that do not fsync, the hand-off between threads cost more than
//! the commit, and on two cores it was the source of the concurrency-16
//! latency tail (p99 2.5–4 ms, against 0.9–1.3 ms inline; BENCHMARKS.md).
//! A housekeeper thread runs the backend's background work when commits
//! pause.

mod backend;
mod sqlite;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub use backend::{Backend, MemoryBackend, Pace};
use serde::{Deserialize, Serialize};
pub use sqlite::{SqliteBackend, SyncMode};

/// Where a record lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub service: String,
    pub account: String,
    pub region: String,
    pub kind: String,
    pub id: String,
}

impl Key {
    pub fn new(service: &str, account: &str, region: &str, kind: &str, id: &str) -> Self {
        Self {
            service: service.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            kind: kind.to_string(),
            id: id.to_string(),
        }
    }
}

/// One stored resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub key: Key,
    pub body: serde_json::Value,
}

/// Names a blob: bytes a service keeps beside its records, committed with
/// them but never loaded at start (the object layer keeps small object
/// bodies here). Ids are the service's own; a rising sequence appends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobId {
    pub service: String,
    pub id: u64,
}

impl BlobId {
    pub fn new(service: &str, id: u64) -> Self {
        Self {
            service: service.to_string(),
            id,
        }
    }
}

/// A change; a batch of them commits atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    Put(Record),
    Delete(Key),
    PutBlob(BlobId, Vec<u8>),
    /// Removing a blob that is not there is no error.
    DeleteBlob(BlobId),
    /// Everything of one service (records and blobs), or everything when
    /// `None`.
    Clear {
        service: Option<String>,
    },
}

impl Mutation {
    /// Stores `value` as the record at `key`; `None` when it cannot be
    /// encoded as JSON.
    pub fn put_json<T: serde::Serialize>(key: Key, value: &T) -> Option<Self> {
        let body = serde_json::to_value(value).ok()?;
        Some(Mutation::Put(Record { key, body }))
    }
}

/// A resource id in AWS's usual form: `prefix-` and 17 lowercase hex
/// digits (`vpc-…`, `task-…`, `s-…`).
pub fn new_id(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let hex: String = (0..17)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect();
    format!("{prefix}-{hex}")
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("stored record {key:?} is not valid: {reason}")]
    Corrupt { key: Box<Key>, reason: String },
    #[error("the state schema is version {found}, newer than this Landbridge understands ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("an earlier commit failed; the state store refuses writes until restarted")]
    Failed,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("serialising a record: {0}")]
    Json(#[from] serde_json::Error),
}

/// A handle to the store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
    _housekeeper: Arc<Housekeeper>,
}

struct Shared {
    backend: Mutex<Box<dyn Backend>>,
    /// Set when a commit fails: memory may then hold changes the disk does
    /// not, so every later write is refused rather than diverging further.
    failed: AtomicBool,
    /// Commits so far; the housekeeper watches it to find pauses.
    commits: AtomicU64,
    /// Set by every commit; the housekeeper clears it before it works and
    /// sleeps while it stays clear.
    dirty: AtomicBool,
    closing: AtomicBool,
    housekeeper: OnceLock<std::thread::Thread>,
}

/// Stops and joins the housekeeper when the last handle goes away.
struct Housekeeper {
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Housekeeper {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Release);
        if let Ok(mut t) = self.thread.lock()
            && let Some(t) = t.take()
        {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// How long commits must pause before the backend's background work runs.
const IDLE_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

impl Store {
    /// Opens the store over `backend` and returns every stored record.
    pub fn start(mut backend: Box<dyn Backend>) -> Result<(Self, Vec<Record>), StoreError> {
        let records = backend.load()?;
        let shared = Arc::new(Shared {
            backend: Mutex::new(backend),
            failed: AtomicBool::new(false),
            commits: AtomicU64::new(0),
            dirty: AtomicBool::new(true),
            closing: AtomicBool::new(false),
            housekeeper: OnceLock::new(),
        });
        let thread = std::thread::Builder::new()
            .name("landbridge-housekeeper".into())
            .spawn({
                let shared = shared.clone();
                move || housekeeper(&shared)
            })?;
        let _ = shared.housekeeper.set(thread.thread().clone());
        let guard = Housekeeper {
            shared: shared.clone(),
            thread: Mutex::new(Some(thread)),
        };
        Ok((
            Self {
                shared,
                _housekeeper: Arc::new(guard),
            },
            records,
        ))
    }

    /// A store that keeps nothing (unit tests of services).
    pub fn in_memory() -> Self {
        match Self::start(Box::new(MemoryBackend::default())) {
            Ok((store, _)) => store,
            Err(e) => panic!("the in-memory store cannot fail to start: {e}"),
        }
    }

    /// Commits `batch` atomically; returns once it is durable.
    pub async fn commit(&self, batch: Vec<Mutation>) -> Result<(), StoreError> {
        self.enqueue(batch)?.await
    }

    /// Commits `batch` now, on this thread, and returns its outcome as a
    /// future (the shape callers use to release their own locks before
    /// awaiting). Batches commit in the order of the calls.
    pub fn enqueue(&self, batch: Vec<Mutation>) -> Result<Pending, StoreError> {
        let shared = &self.shared;
        if shared.failed.load(Ordering::Acquire) {
            return Err(StoreError::Failed);
        }
        if batch.is_empty() {
            return Ok(std::future::ready(Ok(())));
        }
        let mut backend = shared.backend.lock().map_err(|_| StoreError::Failed)?;
        let refs: Vec<&Mutation> = batch.iter().collect();
        let result = backend.apply(&refs);
        match &result {
            Ok(()) => {
                if let Err(e) = backend.housekeep(Pace::Busy) {
                    tracing::warn!(error = %e, "store housekeeping failed; will retry");
                }
                drop(backend);
                shared.commits.fetch_add(1, Ordering::Release);
                if !shared.dirty.swap(true, Ordering::AcqRel)
                    && let Some(t) = shared.housekeeper.get()
                {
                    t.unpark();
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed; refusing further writes");
                shared.failed.store(true, Ordering::Release);
            }
        }
        Ok(std::future::ready(result))
    }
}

impl Store {
    /// A committed blob's bytes, `None` if there is no such blob.
    pub fn read_blob(&self, id: &BlobId) -> Result<Option<Vec<u8>>, StoreError> {
        let mut backend = self.shared.backend.lock().map_err(|_| StoreError::Failed)?;
        backend.read_blob(id)
    }

    /// The ids of `service`'s blobs, ascending.
    pub fn blob_ids(&self, service: &str) -> Result<Vec<u64>, StoreError> {
        let mut backend = self.shared.backend.lock().map_err(|_| StoreError::Failed)?;
        backend.blob_ids(service)
    }
}

/// A commit's outcome, already decided when `enqueue` returns.
pub type Pending = std::future::Ready<Result<(), StoreError>>;

/// Waits for commits to pause for `IDLE_AFTER`, then runs the backend's idle
/// housekeeping in slices, taking the lock per slice and stopping as soon as
/// a commit comes; sleeps while there has been no commit since it last
/// finished.
fn housekeeper(shared: &Shared) {
    while !shared.closing.load(Ordering::Acquire) {
        if !shared.dirty.load(Ordering::Acquire) {
            std::thread::park();
            continue;
        }
        let before = shared.commits.load(Ordering::Acquire);
        std::thread::park_timeout(IDLE_AFTER);
        if shared.closing.load(Ordering::Acquire) || shared.commits.load(Ordering::Acquire) != before {
            continue;
        }
        // Cleared before the work, so a commit during it sets it again.
        shared.dirty.store(false, Ordering::Release);
        loop {
            let more = match shared.backend.lock() {
                Ok(mut backend) => backend.housekeep(Pace::Idle),
                Err(_) => return,
            };
            match more {
                Ok(true) if shared.commits.load(Ordering::Acquire) == before => {}
                Ok(true) => {
                    // Commits resumed with work left: look again at the next pause.
                    shared.dirty.store(true, Ordering::Release);
                    break;
                }
                Ok(false) => break,
                Err(e) => {
                    // Housekeeping never changes the state as loaded, so a
                    // failed slice is only retried at the next pause.
                    tracing::warn!(error = %e, "store housekeeping failed; will retry");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc as std_mpsc;

    /// Records what the store asks of it; `work` slices of idle work remain.
    struct Probe {
        work: usize,
        calls: std_mpsc::Sender<Pace>,
    }

    impl Backend for Probe {
        fn load(&mut self) -> Result<Vec<Record>, StoreError> {
            Ok(Vec::new())
        }
        fn apply(&mut self, _batch: &[&Mutation]) -> Result<(), StoreError> {
            Ok(())
        }
        fn read_blob(&mut self, _id: &BlobId) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(None)
        }
        fn blob_ids(&mut self, _service: &str) -> Result<Vec<u64>, StoreError> {
            Ok(Vec::new())
        }
        fn housekeep(&mut self, pace: Pace) -> Result<bool, StoreError> {
            let _ = self.calls.send(pace);
            if pace == Pace::Idle && self.work > 0 {
                self.work -= 1;
            }
            Ok(pace == Pace::Idle && self.work > 0)
        }
    }

    fn put() -> Mutation {
        Mutation::Put(Record {
            key: Key::new("ec2", "000000000000", "us-east-1", "vpc", "vpc-1"),
            body: serde_json::json!({}),
        })
    }

    #[tokio::test]
    async fn housekeeping_runs_after_commits_and_when_idle() {
        let (calls, seen) = std_mpsc::channel();
        let (store, _) = Store::start(Box::new(Probe { work: 3, calls })).unwrap();
        store.commit(vec![put()]).await.unwrap();
        let wait = std::time::Duration::from_secs(10);
        // Right after the commit: a busy-paced call.
        assert_eq!(seen.recv_timeout(wait).unwrap(), Pace::Busy);
        // Then, once commits have paused a while, idle slices until
        // the backend says it is done (three here), and no more.
        for _ in 0..3 {
            assert_eq!(seen.recv_timeout(wait).unwrap(), Pace::Idle);
        }
        store.commit(vec![put()]).await.unwrap();
        assert_eq!(seen.recv_timeout(wait).unwrap(), Pace::Busy);
        drop(store);
        // The housekeeper has been joined and the channel closed; anything after
        // the last commit was an idle call with nothing left to do.
        assert!(seen.iter().all(|p| p == Pace::Idle));
    }
}
