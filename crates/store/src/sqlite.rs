//! The embedded backend: one SQLite file in the data directory, WAL mode.
//!
//! With `SyncMode::Normal` (the default) a commit is in the WAL before the
//! response goes out, which survives `kill -9` of Landbridge; only a power
//! loss can take the last commits. `SyncMode::Full` fsyncs every commit.
//!
//! Commits append to `journal` (rowid order, so always the rightmost leaf)
//! instead of upserting into `records`. Keys are random ids, and an upsert
//! into the `records` B-tree touches leaf pages all over the file and makes
//! SQLite rebalance in the middle of the tree; measured here, that cost a
//! commit 70–310 µs at 80,000 records and grew with the table, where the
//! append costs 15 µs flat. The journal is folded into `records` in sorted
//! slices when writes pause (`housekeep`), or a little after every commit
//! once it passes `JOURNAL_BOUND`. `load` reads `records` and replays the
//! journal over it, so the two tables together are always the state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, Transaction, params};

use crate::backend::{Backend, Pace};
use crate::{BlobId, Key, Mutation, Record, StoreError};

/// The schema this code writes. Bump it with a step in `migrate`.
const SCHEMA_VERSION: i64 = 3;

/// Journal rows folded per transaction when writes have paused; the
/// housekeeper looks for new commits between slices, and a commit that
/// arrives during one waits for it (measured: 5 ms per slice at 25,000
/// records, 16 ms at 75,000; 4,096-row slices took 50–220 ms).
const IDLE_SLICE: usize = 256;
/// Past this many journal rows, a slice is folded after every commit even
/// under sustained load, so the journal (and the replay on start) stays
/// bounded.
const JOURNAL_BOUND: u64 = 1_000_000;
/// The slice folded after a commit while the journal is over its bound.
const BUSY_SLICE: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    #[default]
    Normal,
    Full,
}

pub struct SqliteBackend {
    conn: Connection,
    /// Rows in `journal` not yet folded into `records`.
    journal_rows: u64,
    /// Commits so far; the checkpointer watches it to find pauses.
    commits: Arc<AtomicU64>,
    checkpointer: Option<Checkpointer>,
}

/// Moves WAL pages into the database file from a second connection, off the
/// commit path. A checkpoint copies every page written since the last one and
/// fsyncs; on two cores shared with the clients that work delays requests
/// (measured: p99 at concurrency 16 from 1.6 ms to 2.3–3.2 ms with a
/// checkpoint every 20,000 commits). So it runs when writes pause, and under
/// sustained load only when the WAL passes `WAL_CHECKPOINT_BYTES`.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the checkpointer looks.
const CHECKPOINT_TICK: std::time::Duration = std::time::Duration::from_millis(500);
/// The WAL size that forces a checkpoint while writes continue.
const WAL_CHECKPOINT_BYTES: u64 = 512 * 1024 * 1024;
/// After a checkpoint SQLite truncates the WAL back to this size.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

impl Checkpointer {
    fn start(path: &Path, commits: Arc<AtomicU64>) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        let wal = wal_path(path);
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
                    let big =
                        now != checkpointed && std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_CHECKPOINT_BYTES);
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

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
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
            journal_rows: 0,
            commits: commits.clone(),
            checkpointer: None,
        };
        backend.migrate()?;
        backend.journal_rows = backend.count_journal()?;
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
        if version < 2 {
            // A NULL body is a deletion.
            tx.execute_batch(
                "CREATE TABLE journal (
                    seq     INTEGER PRIMARY KEY,
                    service TEXT NOT NULL,
                    account TEXT NOT NULL,
                    region  TEXT NOT NULL,
                    kind    TEXT NOT NULL,
                    id      TEXT NOT NULL,
                    body    TEXT
                );",
            )?;
        }
        if version < 3 {
            // Blobs live apart from records so that `load` never reads them.
            // A rowid table with an index on the key: rows of kilobytes sit
            // badly in a WITHOUT ROWID B-tree, and rising ids append to both.
            tx.execute_batch(
                "CREATE TABLE blobs (
                    service TEXT NOT NULL,
                    id      INTEGER NOT NULL,
                    data    BLOB NOT NULL
                );
                CREATE UNIQUE INDEX blobs_by_id ON blobs (service, id);",
            )?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    fn count_journal(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM journal", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Folds up to `max_rows` of the oldest journal rows into `records`, in
    /// one transaction. Returns whether rows remain.
    fn fold(&mut self, max_rows: usize) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let mut latest: BTreeMap<Key, Option<String>> = BTreeMap::new();
        let mut last_seq = None;
        let mut rows = 0u64;
        {
            let mut oldest = tx.prepare_cached(
                "SELECT seq, service, account, region, kind, id, body FROM journal ORDER BY seq LIMIT ?1",
            )?;
            let mut it = oldest.query(params![i64::try_from(max_rows).unwrap_or(i64::MAX)])?;
            while let Some(row) = it.next()? {
                last_seq = Some(row.get::<_, i64>(0)?);
                rows += 1;
                latest.insert(key_at(row, 1)?, row.get(6)?);
            }
        }
        let Some(last_seq) = last_seq else {
            self.journal_rows = 0;
            return Ok(false);
        };
        // In key order, so consecutive writes land on neighbouring pages.
        for (key, body) in &latest {
            match body {
                Some(body) => upsert(&tx, key, body)?,
                None => delete(&tx, key)?,
            }
        }
        tx.execute("DELETE FROM journal WHERE seq <= ?1", params![last_seq])?;
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Release);
        self.journal_rows = self.journal_rows.saturating_sub(rows);
        Ok(self.journal_rows > 0)
    }
}

/// Reads the five key columns starting at column `first`.
fn key_at(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Key> {
    Ok(Key {
        service: row.get(first)?,
        account: row.get(first + 1)?,
        region: row.get(first + 2)?,
        kind: row.get(first + 3)?,
        id: row.get(first + 4)?,
    })
}

fn upsert(tx: &Transaction<'_>, k: &Key, body: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO records (service, account, region, kind, id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (service, account, region, kind, id) DO UPDATE SET body = excluded.body",
    )?
    .execute(params![k.service, k.account, k.region, k.kind, k.id, body])?;
    Ok(())
}

fn delete(tx: &Transaction<'_>, k: &Key) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM records WHERE service = ?1 AND account = ?2 AND region = ?3 AND kind = ?4 AND id = ?5",
    )?
    .execute(params![k.service, k.account, k.region, k.kind, k.id])?;
    Ok(())
}

/// SQLite integers are signed; ids past `i64::MAX` are refused.
fn blob_id(id: &BlobId) -> Result<i64, StoreError> {
    i64::try_from(id.id).map_err(|_| StoreError::Io(std::io::Error::other(format!("blob id {} is too large", id.id))))
}

fn parse_body(key: &Key, body: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        key: Box::new(key.clone()),
        reason: e.to_string(),
    })
}

impl Backend for SqliteBackend {
    fn load(&mut self) -> Result<Vec<Record>, StoreError> {
        let mut state: BTreeMap<Key, String> = BTreeMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT service, account, region, kind, id, body FROM records")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                state.insert(key_at(row, 0)?, row.get(5)?);
            }
            let mut stmt = self
                .conn
                .prepare("SELECT service, account, region, kind, id, body FROM journal ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let key = key_at(row, 0)?;
                match row.get::<_, Option<String>>(5)? {
                    Some(body) => state.insert(key, body),
                    None => state.remove(&key),
                };
            }
        }
        state
            .into_iter()
            .map(|(key, body)| {
                let body = parse_body(&key, &body)?;
                Ok(Record { key, body })
            })
            .collect()
    }

    fn apply(&mut self, batch: &[&Mutation]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let mut appended = 0u64;
        let mut cleared = false;
        {
            let mut append = tx.prepare_cached(
                "INSERT INTO journal (service, account, region, kind, id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for m in batch {
                match m {
                    Mutation::Put(r) => {
                        let k = &r.key;
                        append.execute(params![
                            k.service,
                            k.account,
                            k.region,
                            k.kind,
                            k.id,
                            r.body.to_string()
                        ])?;
                        appended += 1;
                    }
                    Mutation::Delete(k) => {
                        append.execute(params![k.service, k.account, k.region, k.kind, k.id, None::<String>])?;
                        appended += 1;
                    }
                    Mutation::PutBlob(id, data) => {
                        tx.prepare_cached("INSERT OR REPLACE INTO blobs (service, id, data) VALUES (?1, ?2, ?3)")?
                            .execute(params![id.service, blob_id(id)?, data])?;
                    }
                    Mutation::DeleteBlob(id) => {
                        tx.prepare_cached("DELETE FROM blobs WHERE service = ?1 AND id = ?2")?
                            .execute(params![id.service, blob_id(id)?])?;
                    }
                    Mutation::Clear { service: None } => {
                        tx.execute_batch("DELETE FROM records; DELETE FROM journal; DELETE FROM blobs;")?;
                        cleared = true;
                    }
                    Mutation::Clear { service: Some(s) } => {
                        tx.execute("DELETE FROM records WHERE service = ?1", params![s])?;
                        tx.execute("DELETE FROM journal WHERE service = ?1", params![s])?;
                        tx.execute("DELETE FROM blobs WHERE service = ?1", params![s])?;
                        cleared = true;
                    }
                }
            }
        }
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Release);
        self.journal_rows = if cleared {
            self.count_journal()?
        } else {
            self.journal_rows + appended
        };
        Ok(())
    }

    fn read_blob(&mut self, id: &BlobId) -> Result<Option<Vec<u8>>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT data FROM blobs WHERE service = ?1 AND id = ?2")?
            .query_row(params![id.service, blob_id(id)?], |r| r.get(0))
            .optional()?)
    }

    fn blob_ids(&mut self, service: &str) -> Result<Vec<u64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM blobs WHERE service = ?1 ORDER BY id")?;
        let ids = stmt.query_map(params![service], |r| r.get::<_, i64>(0))?;
        ids.map(|id| Ok(u64::try_from(id?).unwrap_or(0))).collect()
    }

    fn housekeep(&mut self, pace: Pace) -> Result<bool, StoreError> {
        match pace {
            Pace::Idle if self.journal_rows > 0 => self.fold(IDLE_SLICE),
            Pace::Busy if self.journal_rows > JOURNAL_BOUND => self.fold(BUSY_SLICE),
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::backend::Pace;

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

    /// Every prefix of the journal folded into `records` leaves the loaded
    /// state unchanged: overwrites, deletes and re-creations included.
    #[test]
    fn folding_the_journal_keeps_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut b = SqliteBackend::open(&path, SyncMode::Normal).unwrap();
        let puts = |ids: &[(&str, i64)]| ids.iter().map(|(id, n)| Mutation::Put(rec(id, *n))).collect::<Vec<_>>();
        let batches = vec![
            puts(&[("a", 1), ("b", 1), ("c", 1)]),
            vec![Mutation::Delete(rec("b", 0).key)],
            puts(&[("a", 2), ("b", 2)]),
            vec![Mutation::Delete(rec("c", 0).key), Mutation::Put(rec("d", 1))],
            vec![Mutation::Delete(rec("a", 0).key)],
            puts(&[("a", 3)]),
        ];
        for batch in &batches {
            b.apply(&batch.iter().collect::<Vec<_>>()).unwrap();
        }
        let expected = vec![rec("a", 3), rec("b", 2), rec("d", 1)];
        assert_eq!(b.load().unwrap(), expected);
        assert_eq!(b.journal_rows, 10);
        // Fold in slices of three (cutting batches apart), checking after each.
        let mut slices = 0;
        while b.fold(3).unwrap() {
            slices += 1;
            assert_eq!(b.load().unwrap(), expected, "after {slices} slice(s)");
        }
        assert_eq!(b.journal_rows, 0);
        assert_eq!(b.count_journal().unwrap(), 0);
        assert_eq!(b.load().unwrap(), expected);
        // Idle housekeeping with nothing left does nothing.
        assert!(!b.housekeep(Pace::Idle).unwrap());
        drop(b);
        let mut b = SqliteBackend::open(&path, SyncMode::Normal).unwrap();
        assert_eq!(b.load().unwrap(), expected);
    }

    #[test]
    fn clear_drops_journal_rows_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut b = SqliteBackend::open(&path, SyncMode::Normal).unwrap();
        let mut other = rec("x", 1);
        other.key.service = "sts".into();
        let first = [Mutation::Put(rec("a", 1)), Mutation::Put(other.clone())];
        b.apply(&first.iter().collect::<Vec<_>>()).unwrap();
        b.fold(1).unwrap(); // "a" in records, "x" still in the journal
        let clear = [
            Mutation::Put(rec("b", 1)),
            Mutation::Clear {
                service: Some("ec2".into()),
            },
            Mutation::Put(rec("c", 1)),
        ];
        b.apply(&clear.iter().collect::<Vec<_>>()).unwrap();
        assert_eq!(b.load().unwrap(), vec![rec("c", 1), other]);
        assert_eq!(b.journal_rows, b.count_journal().unwrap());
    }

    #[tokio::test]
    async fn blobs_commit_with_records_and_go_with_their_service() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let blob = |service: &str, id| BlobId::new(service, id);
        {
            let (store, _) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Normal).unwrap())).unwrap();
            store
                .commit(vec![
                    Mutation::Put(rec("a", 1)),
                    Mutation::PutBlob(blob("ec2", 7), b"seven".to_vec()),
                    Mutation::PutBlob(blob("ec2", 9), vec![0; 5000]),
                    Mutation::PutBlob(blob("sts", 7), b"other".to_vec()),
                ])
                .await
                .unwrap();
            store.commit(vec![Mutation::DeleteBlob(blob("ec2", 9))]).await.unwrap();
        }
        let (store, loaded) = Store::start(Box::new(SqliteBackend::open(&path, SyncMode::Normal).unwrap())).unwrap();
        // Blobs are not records.
        assert_eq!(loaded, vec![rec("a", 1)]);
        assert_eq!(
            store.read_blob(&blob("ec2", 7)).unwrap().as_deref(),
            Some(&b"seven"[..])
        );
        assert_eq!(store.read_blob(&blob("ec2", 9)).unwrap(), None);
        assert_eq!(store.blob_ids("ec2").unwrap(), vec![7]);
        store
            .commit(vec![Mutation::Clear {
                service: Some("ec2".into()),
            }])
            .await
            .unwrap();
        assert!(store.blob_ids("ec2").unwrap().is_empty());
        assert_eq!(store.blob_ids("sts").unwrap(), vec![7]);
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
