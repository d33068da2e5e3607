//! The embedded backend: one SQLite file in the data directory, WAL mode.
//!
//! With `SyncMode::Normal` (the default) a commit is in the WAL before the
//! response goes out, which survives `kill -9` of Landbridge; only a power
//! loss can take the last commits. `SyncMode::Full` fsyncs every commit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

use crate::backend::Backend;
use crate::{Key, Mutation, Record, StoreError};

/// The schema this code writes. Bump it with a step in `migrate`.
const SCHEMA_VERSION: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    #[default]
    Normal,
    Full,
}

pub struct SqliteBackend {
    conn: Connection,
    /// Commits so far; the checkpointer watches it to find pauses.
    commits: Arc<AtomicU64>,
    checkpointer: Option<Checkpointer>,
}

/// Moves WAL pages into the database file from a second connection, off the
/// commit path. A checkpoint fsyncs, and on Linux that stalls the writes
/// queued behind it for milliseconds; so it runs when writes pause, or after
/// `CHECKPOINT_AFTER_COMMITS` commits under sustained load.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the checkpointer looks.
const CHECKPOINT_TICK: std::time::Duration = std::time::Duration::from_millis(500);
/// After this many commits the WAL is checkpointed even while writes
/// continue (at a few KiB a commit, some tens of MiB of WAL).
const CHECKPOINT_AFTER_COMMITS: u64 = 20_000;
/// After a checkpoint SQLite truncates the WAL back to this size.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

impl Checkpointer {
    fn start(path: &Path, commits: Arc<AtomicU64>) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("landbridge-checkpoint".into())
            .spawn(move || {
                let checkpoint = || {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                };
                let mut seen = commits.load(Ordering::Acquire);
                let mut checkpointed = seen;
                // Runs until the backend is dropped (the sender goes away).
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_TICK) {
                    let now = commits.load(Ordering::Acquire);
                    let idle = now == seen;
                    seen = now;
                    let big = now.saturating_sub(checkpointed) > CHECKPOINT_AFTER_COMMITS;
                    if (idle && now != checkpointed) || big {
                        tracing::debug!(idle, big, commits = now, "WAL checkpoint");
                        checkpoint();
                        checkpointed = now;
                    }
                }
                checkpoint();
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl SqliteBackend {
    pub fn open(path: &Path, sync: SyncMode) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        // Small pages: a commit appends only the pages it changed to the WAL,
        // and records are small, so fewer bytes per commit and per checkpoint.
        // (Takes effect when the file is created; a no-op afterwards.)
        conn.pragma_update(None, "page_size", 1024)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(
            None,
            "synchronous",
            match sync {
                SyncMode::Normal => "NORMAL",
                SyncMode::Full => "FULL",
            },
        )?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        let commits = Arc::new(AtomicU64::new(0));
        let mut backend = Self {
            conn,
            commits: commits.clone(),
            checkpointer: None,
        };
        backend.migrate()?;
        backend.checkpointer = Some(Checkpointer::start(path, commits)?);
        Ok(backend)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let tx = self.conn.transaction()?;
        if version < 1 {
            tx.execute_batch(
                "CREATE TABLE records (
                    service TEXT NOT NULL,
                    account TEXT NOT NULL,
                    region  TEXT NOT NULL,
                    kind    TEXT NOT NULL,
                    id      TEXT NOT NULL,
                    body    TEXT NOT NULL,
                    PRIMARY KEY (service, account, region, kind, id)
                ) WITHOUT ROWID;",
            )?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }
}

impl Backend for SqliteBackend {
    fn load(&mut self) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT service, account, region, kind, id, body FROM records ORDER BY service, account, region, kind, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                Key {
                    service: r.get(0)?,
                    account: r.get(1)?,
                    region: r.get(2)?,
                    kind: r.get(3)?,
                    id: r.get(4)?,
                },
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, body) = row?;
            let body = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                key: Box::new(key.clone()),
                reason: e.to_string(),
            })?;
            out.push(Record { key, body });
        }
        Ok(out)
    }

    fn apply(&mut self, batch: &[&Mutation]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO records (service, account, region, kind, id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (service, account, region, kind, id) DO UPDATE SET body = excluded.body",
            )?;
            let mut del = tx.prepare_cached(
                "DELETE FROM records WHERE service = ?1 AND account = ?2 AND region = ?3 AND kind = ?4 AND id = ?5",
            )?;
            for m in batch {
                match m {
                    Mutation::Put(r) => {
                        let k = &r.key;
                        put.execute(params![
                            k.service,
                            k.account,
                            k.region,
                            k.kind,
                            k.id,
                            r.body.to_string()
                        ])?;
                    }
                    Mutation::Delete(k) => {
                        del.execute(params![k.service, k.account, k.region, k.kind, k.id])?;
                    }
                    Mutation::Clear { service: None } => {
                        tx.execute("DELETE FROM records", [])?;
                    }
                    Mutation::Clear { service: Some(s) } => {
                        tx.execute("DELETE FROM records WHERE service = ?1", params![s])?;
                    }
                }
            }
        }
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn rec(id: &str, n: i64) -> Record {
        Record {
            key: Key::new("ec2", "000000000000", "us-east-1", "vpc", id),
            body: serde_json::json!({ "n": n }),
        }
    }

    #[tokio::test]
    async fn committed_records_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            let (store, loaded) =
                Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Normal).unwrap())).unwrap();
            assert!(loaded.is_empty());
            store
                .commit(vec![Mutation::Put(rec("a", 1)), Mutation::Put(rec("b", 2))])
                .await
                .unwrap();
            store.commit(vec![Mutation::Put(rec("a", 3))]).await.unwrap();
            store.commit(vec![Mutation::Delete(rec("b", 0).key)]).await.unwrap();
        }
        let (_store, loaded) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Normal).unwrap())).unwrap();
        assert_eq!(loaded, vec![rec("a", 3)]);
    }

    #[tokio::test]
    async fn clear_removes_one_service_or_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let (store, _) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Full).unwrap())).unwrap();
        let mut other = rec("x", 1);
        other.key.service = "sts".into();
        store
            .commit(vec![Mutation::Put(rec("a", 1)), Mutation::Put(other.clone())])
            .await
            .unwrap();
        store
            .commit(vec![Mutation::Clear {
                service: Some("ec2".into()),
            }])
            .await
            .unwrap();
        drop(store);
        let (store, loaded) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Full).unwrap())).unwrap();
        assert_eq!(loaded, vec![other]);
        store.commit(vec![Mutation::Clear { service: None }]).await.unwrap();
        drop(store);
        let (_s, loaded) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Full).unwrap())).unwrap();
        assert!(loaded.is_empty());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(SqliteBackend::open(&path, SyncMode::Normal).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            SqliteBackend::open(&path, SyncMode::Normal),
            Err(StoreError::SchemaTooNew { found: 99, .. })
        ));
    }
}
