//! The EFS domain as a local file system: file system `fs-…` is the
//! directory `<data-dir>/efs/fs-…`, so storage path `/fs-…/home/alice/x` is
//! `<data-dir>/efs/fs-…/home/alice/x`. Files are written where the client
//! says (random writes and appends work, as on EFS) and owned by the user's
//! POSIX profile. A symlink on the way is refused: nothing leads out of the
//! file system's directory.

use std::io::SeekFrom;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::s3fs::FsError;
use crate::storage::{Meta, SetAttrs};

#[derive(Clone)]
pub struct EfsFs {
    /// `<data-dir>/efs`.
    pub root: PathBuf,
    /// Owner of what the session creates (`PosixProfile`).
    pub owner: Option<(u32, u32)>,
}

fn io(e: std::io::Error) -> FsError {
    match e.kind() {
        std::io::ErrorKind::NotFound => FsError::NotFound,
        std::io::ErrorKind::DirectoryNotEmpty => FsError::NotEmpty,
        _ => FsError::Failure(e.to_string()),
    }
}

fn meta(m: &std::fs::Metadata) -> Meta {
    Meta {
        dir: m.is_dir(),
        size: if m.is_dir() { 0 } else { m.len() },
        mtime: u32::try_from(m.mtime()).unwrap_or(0),
        mode: m.permissions().mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
    }
}

/// A file system id as AWS writes them.
fn is_fs_id(s: &str) -> bool {
    s.strip_prefix("fs-")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl EfsFs {
    /// The local path of storage path `storage`, checked: under a file
    /// system's directory, with no symlink on the way. `None` is `/`.
    fn local(&self, storage: &str) -> Result<Option<PathBuf>, FsError> {
        let rest = storage.trim_start_matches('/');
        if rest.is_empty() {
            return Ok(None);
        }
        let mut parts = rest.split('/');
        let fs = parts.next().unwrap_or_default();
        if !is_fs_id(fs) {
            return Err(FsError::NotFound);
        }
        // A file system's directory is made with the first home in it
        // (`ensure_dir`); before that, what is in it is not found.
        let mut path = self.root.join(fs);
        for part in parts {
            path.push(part);
            match path.symlink_metadata() {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(FsError::Unsupported("symbolic links are not followed"));
                }
                _ => {}
            }
        }
        Ok(Some(path))
    }

    fn file(&self, storage: &str) -> Result<PathBuf, FsError> {
        self.local(storage)?
            .ok_or(FsError::Unsupported("the root is not a file"))
    }

    fn chown(&self, path: &Path) {
        if let Some((uid, gid)) = self.owner
            && let Err(e) = std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        {
            tracing::debug!(path = %path.display(), error = %e, "could not give a file its POSIX owner");
        }
    }

    /// SETSTAT as EFS answers it for the session's POSIX identity: only
    /// root gives files away; otherwise a file's owner may change its mode
    /// and times, and its group to the user's own.
    ///
    /// Everything is done through one descriptor opened without following
    /// a symlink (nothing swapped in after the check leads elsewhere), times
    /// before mode (a mode without read access would not stop them), and
    /// set-user/group-id bits are dropped: the files live on this machine.
    pub async fn set_attrs(&self, storage: &str, a: SetAttrs) -> Result<(), FsError> {
        use std::os::unix::fs::OpenOptionsExt;
        // EFS users always have a POSIX identity (CreateUser requires one);
        // without it nothing is changed on their behalf.
        let Some((uid, gid)) = self.owner else {
            return Err(FsError::Denied);
        };
        let path = self.file(storage)?;
        tokio::task::spawn_blocking(move || -> Result<(), FsError> {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&path)
                .map_err(|e| match e.raw_os_error() {
                    Some(libc::ELOOP) => FsError::Unsupported("symbolic links are not followed"),
                    _ => io(e),
                })?;
            let now = file.metadata().map_err(io)?;
            if uid != 0 {
                let gives_away = a.uid.is_some_and(|u| u != now.uid());
                let regroups = a.gid.is_some_and(|g| g != now.gid() && g != gid);
                let changes = a.mode.is_some() || a.atime.is_some() || a.mtime.is_some() || a.gid.is_some();
                if gives_away || regroups || (changes && now.uid() != uid) {
                    return Err(FsError::Denied);
                }
            }
            if a.uid.is_some() || a.gid.is_some() {
                std::os::unix::fs::fchown(&file, a.uid, a.gid).map_err(io)?;
            }
            if a.atime.is_some() || a.mtime.is_some() {
                let at = |secs: u32| std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::from(secs));
                let mut times = std::fs::FileTimes::new();
                if let Some(t) = a.atime {
                    times = times.set_accessed(at(t));
                }
                if let Some(t) = a.mtime {
                    times = times.set_modified(at(t));
                }
                file.set_times(times).map_err(io)?;
            }
            if let Some(mode) = a.mode {
                file.set_permissions(std::fs::Permissions::from_mode(mode & 0o1777))
                    .map_err(io)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| FsError::Failure(e.to_string()))?
    }

    pub async fn stat(&self, storage: &str) -> Result<Meta, FsError> {
        match self.local(storage)? {
            None => Ok(Meta::dir()),
            Some(p) => Ok(meta(&p.symlink_metadata().map_err(io)?)),
        }
    }

    pub async fn list(&self, storage: &str) -> Result<Vec<(String, Meta)>, FsError> {
        let dir = match self.local(storage)? {
            Some(d) => d,
            // `/`: the file systems, none before the first home is made.
            None if !self.root.exists() => return Ok(Vec::new()),
            None => self.root.clone(),
        };
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let Ok(m) = entry.path().symlink_metadata() else {
                continue;
            };
            if m.file_type().is_symlink() || name.starts_with(".landbridge-") {
                continue;
            }
            out.push((name, meta(&m)));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Makes the home directory of a session if it is missing, owned by
    /// the user, as a home is made at first sign-in.
    pub async fn ensure_dir(&self, storage: &str) -> Result<(), FsError> {
        if let Some(p) = self.local(storage)?
            && !p.exists()
        {
            std::fs::create_dir_all(&p).map_err(io)?;
            self.chown(&p);
        }
        Ok(())
    }

    pub async fn open_read(&self, storage: &str) -> Result<tokio::fs::File, FsError> {
        let p = self.file(storage)?;
        if p.is_dir() {
            return Err(FsError::Unsupported("is a directory"));
        }
        tokio::fs::File::open(&p).await.map_err(io)
    }

    pub async fn create(&self, storage: &str, truncate: bool) -> Result<tokio::fs::File, FsError> {
        let p = self.file(storage)?;
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(truncate)
            .open(&p)
            .await
            .map_err(io)?;
        self.chown(&p);
        Ok(file)
    }

    pub async fn mkdir(&self, storage: &str) -> Result<(), FsError> {
        let p = self.file(storage)?;
        std::fs::create_dir(&p).map_err(io)?;
        self.chown(&p);
        Ok(())
    }

    pub async fn rmdir(&self, storage: &str) -> Result<(), FsError> {
        std::fs::remove_dir(self.file(storage)?).map_err(io)
    }

    pub async fn remove(&self, storage: &str) -> Result<(), FsError> {
        let p = self.file(storage)?;
        if p.is_dir() {
            return Err(FsError::Unsupported("is a directory"));
        }
        std::fs::remove_file(p).map_err(io)
    }

    pub async fn rename(&self, from: &str, to: &str) -> Result<(), FsError> {
        let (a, b) = (self.file(from)?, self.file(to)?);
        if b.symlink_metadata().is_ok() {
            return Err(FsError::Failure(format!("{to} exists")));
        }
        std::fs::rename(a, b).map_err(io)
    }
}

/// Reads `len` bytes at `offset`; an empty answer is the end.
pub async fn read_at(file: &mut tokio::fs::File, offset: u64, len: usize) -> Result<Bytes, FsError> {
    file.seek(SeekFrom::Start(offset)).await.map_err(io)?;
    let mut buf = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        let n = file.read(&mut buf[filled..]).await.map_err(io)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    buf.truncate(filled);
    Ok(Bytes::from(buf))
}

pub async fn write_at(file: &mut tokio::fs::File, offset: u64, data: &[u8]) -> Result<(), FsError> {
    file.seek(SeekFrom::Start(offset)).await.map_err(io)?;
    file.write_all(data).await.map_err(io)
}
