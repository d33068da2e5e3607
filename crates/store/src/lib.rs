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
//! One writer thread owns the backend and commits everything that is queued
//! in one transaction (group commit), so concurrent writers share commits.

mod backend;
mod sqlite;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;

pub use backend::{Backend, MemoryBackend};
use serde::{Deserialize, Serialize};
pub use sqlite::{SqliteBackend, SyncMode};
use tokio::sync::oneshot;

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

/// A change; a batch of them commits atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    Put(Record),
    Delete(Key),
    /// Everything of one service, or everything when `None`.
    Clear {
        service: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("stored record {key:?} is not valid: {reason}")]
    Corrupt { key: Box<Key>, reason: String },
    #[error("the state schema is version {found}, newer than this Landbridge understands ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the store's writer has stopped")]
    Closed,
    #[error("an earlier commit failed; the state store refuses writes until restarted")]
    Failed,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("serialising a record: {0}")]
    Json(#[from] serde_json::Error),
}

struct Job {
    batch: Vec<Mutation>,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle to the writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    jobs: std_mpsc::Sender<Job>,
    /// Set when a commit fails: memory may then hold changes the disk does
    /// not, so every later write is refused rather than diverging further.
    failed: Arc<AtomicBool>,
    _writer: Arc<WriterGuard>,
}

/// Joins the writer thread when the last handle goes away, so everything
/// queued is committed before the process exits.
/// `Store` declares `jobs` before this guard, so the last handle's sender is
/// gone (and the writer's loop ends) before the join.
struct WriterGuard {
    handle: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        if let Ok(mut h) = self.handle.lock()
            && let Some(h) = h.take()
        {
            let _ = h.join();
        }
    }
}

impl Store {
    /// Starts the writer over `backend` and returns every stored record.
    pub fn start(mut backend: Box<dyn Backend>) -> Result<(Self, Vec<Record>), StoreError> {
        let records = backend.load()?;
        let (tx, rx) = std_mpsc::channel::<Job>();
        let failed = Arc::new(AtomicBool::new(false));
        let handle = std::thread::Builder::new().name("landbridge-store".into()).spawn({
            let failed = failed.clone();
            move || writer(backend, rx, failed)
        })?;
        let guard = WriterGuard {
            handle: std::sync::Mutex::new(Some(handle)),
        };
        Ok((
            Self {
                jobs: tx,
                failed,
                _writer: Arc::new(guard),
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

    /// Queues `batch` for commit and returns a future that completes when
    /// it is durable. Batches commit in the order they were queued.
    pub fn enqueue(&self, batch: Vec<Mutation>) -> Result<Pending, StoreError> {
        if self.failed.load(Ordering::Acquire) {
            return Err(StoreError::Failed);
        }
        let (done, wait) = oneshot::channel();
        if batch.is_empty() {
            let _ = done.send(Ok(()));
        } else {
            self.jobs.send(Job { batch, done }).map_err(|_| StoreError::Closed)?;
        }
        Ok(Pending { wait })
    }
}

/// A queued commit; resolves when it is durable.
pub struct Pending {
    wait: oneshot::Receiver<Result<(), String>>,
}

impl std::future::Future for Pending {
    type Output = Result<(), StoreError>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.wait).poll(cx).map(|r| match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => Err(StoreError::Io(std::io::Error::other(msg))),
            Err(_) => Err(StoreError::Closed),
        })
    }
}

/// Commits queued jobs in groups: one transaction for everything waiting.
fn writer(mut backend: Box<dyn Backend>, rx: std_mpsc::Receiver<Job>, failed: Arc<AtomicBool>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while let Ok(more) = rx.try_recv() {
            jobs.push(more);
            if jobs.len() >= 256 {
                break;
            }
        }
        let batch: Vec<&Mutation> = jobs.iter().flat_map(|j| j.batch.iter()).collect();
        let result = backend.apply(&batch).map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, "commit failed; refusing further writes");
            failed.store(true, Ordering::Release);
        }
        for job in jobs {
            let _ = job.done.send(result.clone());
        }
    }
}
