//! Object bytes on disk: `blobs/<uuid>` for complete objects and parts,
//! `tmp/<uuid>` while one is being written.

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::ObjectError;
use crate::blobs::Blob;

/// Read and write in chunks of this size: memory per transfer stays small.
const CHUNK: usize = 256 * 1024;

pub struct Files {
    blobs: PathBuf,
    tmp: PathBuf,
    blobs_sync: DirSync,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Files {
    pub async fn open(root: PathBuf) -> Result<Self, ObjectError> {
        let blobs = root.join("blobs");
        let tmp = root.join("tmp");
        tokio::fs::create_dir_all(&blobs).await?;
        tokio::fs::create_dir_all(&tmp).await?;
        Ok(Self {
            blobs_sync: DirSync::new(blobs.clone()),
            blobs,
            tmp,
        })
    }

    /// Writes `body` to a temporary file, fsyncs it and renames it into
    /// `blobs/`. Nothing is left behind if the body fails half-way.
    pub async fn write<S, E>(&self, mut body: S) -> Result<Blob, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let name = uuid::Uuid::new_v4().simple().to_string();
        let tmp_path = self.tmp.join(&name);
        let result = async {
            let mut file = tokio::fs::File::create(&tmp_path).await?;
            let mut md5 = Md5::new();
            let mut size = 0u64;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| ObjectError::Body(e.to_string()))?;
                md5.update(&chunk);
                size += chunk.len() as u64;
                file.write_all(&chunk).await?;
            }
            file.flush().await?;
            file.sync_all().await?;
            Ok::<_, ObjectError>((size, hex(&md5.finalize())))
        }
        .await;
        let (size, md5_hex) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp_path).await;
                return Err(e);
            }
        };
        tokio::fs::rename(&tmp_path, self.blobs.join(&name)).await?;
        self.blobs_sync.sync().await?;
        Ok(Blob {
            name,
            size,
            md5_hex,
            inline: None,
        })
    }

    /// A stream of the bytes of blob `name` in `range`.
    pub async fn read(
        &self,
        name: &str,
        range: Range<u64>,
    ) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static, ObjectError> {
        let mut file = tokio::fs::File::open(self.blobs.join(name)).await?;
        file.seek(std::io::SeekFrom::Start(range.start)).await?;
        let limited = file.take(range.end.saturating_sub(range.start));
        Ok(tokio_util::io::ReaderStream::with_capacity(limited, CHUNK))
    }

    /// Removes blobs whose records are gone; a failure only leaves garbage
    /// for the next sweep.
    pub async fn remove_all(&self, names: &[String]) {
        for n in names {
            if let Err(e) = tokio::fs::remove_file(self.blobs.join(n)).await {
                tracing::warn!(blob = %n, error = %e, "could not remove blob");
            }
        }
    }

    /// Removes temporary files and every blob not in `live`.
    pub async fn sweep(&self, live: &HashSet<String>) -> Result<(), ObjectError> {
        let mut removed = 0usize;
        for (dir, keep_live) in [(&self.tmp, false), (&self.blobs, true)] {
            let mut entries = tokio::fs::read_dir(dir).await?;
            while let Some(e) = entries.next_entry().await? {
                let name = e.file_name().to_string_lossy().into_owned();
                if keep_live && live.contains(&name) {
                    continue;
                }
                if tokio::fs::remove_file(e.path()).await.is_ok() {
                    removed += 1;
                }
            }
        }
        if removed > 0 {
            tracing::info!(removed, "swept leftover object files");
        }
        Ok(())
    }
}

/// Makes renames into a directory durable, sharing one directory fsync
/// among the writers waiting for it (group commit): a writer returns once a
/// sync that began after its rename has finished. Concurrent small PUTs
/// then pay one file fsync each and a share of one directory fsync.
struct DirSync {
    dir: PathBuf,
    state: std::sync::Mutex<SyncState>,
    finished: tokio::sync::Notify,
    /// Directory fsyncs performed, for tests.
    performed: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct SyncState {
    /// Tickets handed out: one per rename waiting to be durable.
    issued: u64,
    /// Every ticket up to this one is durable.
    durable: u64,
    running: bool,
}

impl DirSync {
    fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            state: Default::default(),
            finished: tokio::sync::Notify::new(),
            performed: Default::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Returns once the renames made before the call are durable.
    async fn sync(&self) -> Result<(), ObjectError> {
        let ticket = {
            let mut s = self.lock();
            s.issued += 1;
            s.issued
        };
        loop {
            // Registered before the state is read, so no wake-up is missed.
            let finished = self.finished.notified();
            let covers = {
                let mut s = self.lock();
                if s.durable >= ticket {
                    return Ok(());
                }
                if s.running {
                    None
                } else {
                    s.running = true;
                    Some(s.issued)
                }
            };
            let Some(covers) = covers else {
                finished.await;
                continue;
            };
            let result = sync_dir(self.dir.clone()).await;
            self.performed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            {
                let mut s = self.lock();
                s.running = false;
                if result.is_ok() {
                    s.durable = s.durable.max(covers);
                }
            }
            self.finished.notify_waiters();
            // On failure the waiters retry, one of them syncing again.
            return result;
        }
    }
}

/// Makes a rename in `dir` durable.
async fn sync_dir(dir: PathBuf) -> Result<(), ObjectError> {
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(|e| ObjectError::Io(std::io::Error::other(e)))??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use super::*;

    #[tokio::test]
    async fn writers_waiting_on_a_sync_share_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let sync = Arc::new(DirSync::new(dir.path().to_path_buf()));
        // A sync is in flight: everyone who arrives now must wait for the next.
        sync.lock().running = true;
        let waiters: Vec<_> = (0..10)
            .map(|_| {
                let s = sync.clone();
                tokio::spawn(async move { s.sync().await })
            })
            .collect();
        for _ in 0..1000 {
            if sync.lock().issued == 10 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(sync.lock().issued, 10);
        // The in-flight sync ends without covering them.
        sync.lock().running = false;
        sync.finished.notify_waiters();
        for w in waiters {
            w.await.unwrap().unwrap();
        }
        assert_eq!(sync.performed.load(Ordering::Relaxed), 1);
        assert_eq!(sync.lock().durable, 10);
        // A later writer gets a sync of its own.
        sync.sync().await.unwrap();
        assert_eq!(sync.performed.load(Ordering::Relaxed), 2);
    }
}
