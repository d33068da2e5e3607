//! A server's domain, whichever it is: S3 (`s3fs.rs`) or EFS (`efsfs.rs`),
//! behind one set of calls for the protocol servers, with readers and
//! writers that take offsets as SFTP gives them.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use landbridge_objects::{ByteStream, ObjectRec};

use crate::Transfer;
use crate::efsfs::{self, EfsFs};
use crate::logs::SessionLog;
use crate::model::{ServerRec, UserRec};
use crate::s3fs::{FsError, Node, S3Fs, Upload};

/// What a client sees of a file or directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub dir: bool,
    pub size: u64,
    /// Seconds since the epoch.
    pub mtime: u32,
    /// Permission bits.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl Meta {
    pub fn dir() -> Self {
        Meta {
            dir: true,
            size: 0,
            mtime: 0,
            mode: 0o755,
            uid: 0,
            gid: 0,
        }
    }

    fn of(node: &Node) -> Self {
        match node {
            Node::Dir => Meta::dir(),
            Node::File(rec) => Meta {
                dir: false,
                size: rec.size,
                mtime: u32::try_from(rec.last_modified_ms / 1000).unwrap_or(0),
                mode: 0o644,
                uid: 0,
                gid: 0,
            },
        }
    }
}

/// The domain and home of a signed-in user's session, the home made if
/// the domain makes homes (EFS); `None` when the domain has nowhere to
/// keep files.
pub async fn session(
    transfer: &Transfer,
    server: &ServerRec,
    user: &UserRec,
    log: &SessionLog,
) -> Option<(Fs, landbridge_homes::Home)> {
    let fs = if server.domain == "EFS" {
        let root = transfer.efs_root()?.clone();
        let owner = user
            .posix_profile
            .as_ref()
            .and_then(|p| Some((u32::try_from(p.uid).ok()?, u32::try_from(p.gid).ok()?)));
        Fs::Efs(EfsFs { root, owner })
    } else {
        Fs::S3(S3Fs {
            objects: transfer.objects().clone(),
            account: server.account.clone(),
        })
    };
    let home = crate::home_of(user);
    if let landbridge_homes::Resolved::Storage(start) = home.resolve(&home.start())
        && let Err(e) = fs.prepare_home(&start).await
    {
        log.event("ERROR", serde_json::json!({"path": start, "message": format!("{e:?}")}));
    }
    Some((fs, home))
}

/// What a client's SETSTAT asks to change.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetAttrs {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub atime: Option<u32>,
    pub mtime: Option<u32>,
}

#[derive(Clone)]
pub enum Fs {
    S3(S3Fs),
    Efs(EfsFs),
}

pub enum Reader {
    /// An object, streamed; reopened when the client reads elsewhere than
    /// where it stopped.
    S3 {
        fs: S3Fs,
        rec: Box<ObjectRec>,
        pos: u64,
        stream: Option<ByteStream>,
        buf: BytesMut,
    },
    Efs(tokio::fs::File),
}

pub enum Writer {
    /// One PUT, front to back.
    S3(Upload),
    Efs {
        file: tokio::fs::File,
        written: u64,
    },
}

impl Fs {
    pub async fn stat(&self, storage: &str) -> Result<Meta, FsError> {
        match self {
            Fs::S3(s3) => Ok(Meta::of(&s3.stat(storage).await?)),
            Fs::Efs(efs) => efs.stat(storage).await,
        }
    }

    pub async fn list(&self, storage: &str) -> Result<Vec<(String, Meta)>, FsError> {
        match self {
            Fs::S3(s3) => Ok(s3
                .list(storage)
                .await?
                .into_iter()
                .map(|(n, node)| (n, Meta::of(&node)))
                .collect()),
            Fs::Efs(efs) => efs.list(storage).await,
        }
    }

    /// Changes mode, owner or times: EFS keeps them, as far as the user's
    /// POSIX identity may change them; S3 keeps none of its own, so there
    /// SETSTAT is refused unless the server's SetStatOption is
    /// ENABLE_NO_OP, when it is accepted and ignored.
    pub async fn set_attrs(&self, storage: &str, attrs: SetAttrs, no_op: bool) -> Result<(), FsError> {
        match self {
            Fs::S3(_) if no_op => Ok(()),
            Fs::S3(_) => Err(FsError::Unsupported(
                "SETSTAT is not supported on S3 (the server's SetStatOption ENABLE_NO_OP ignores it)",
            )),
            Fs::Efs(efs) => efs.set_attrs(storage, attrs).await,
        }
    }

    /// Prepares the session's home (EFS makes it if missing).
    pub async fn prepare_home(&self, storage: &str) -> Result<(), FsError> {
        match self {
            Fs::S3(_) => Ok(()),
            Fs::Efs(efs) => efs.ensure_dir(storage).await,
        }
    }

    pub async fn open_read(&self, storage: &str) -> Result<(Reader, u64), FsError> {
        match self {
            Fs::S3(s3) => match s3.stat(storage).await? {
                Node::File(rec) => {
                    let size = rec.size;
                    Ok((
                        Reader::S3 {
                            fs: s3.clone(),
                            rec,
                            pos: 0,
                            stream: None,
                            buf: BytesMut::new(),
                        },
                        size,
                    ))
                }
                Node::Dir => Err(FsError::Unsupported("is a directory")),
            },
            Fs::Efs(efs) => {
                let size = efs.stat(storage).await?.size;
                Ok((Reader::Efs(efs.open_read(storage).await?), size))
            }
        }
    }

    /// Opens `storage` for writing; `append` keeps what is there (EFS only).
    pub async fn create(&self, storage: &str, append: bool) -> Result<Writer, FsError> {
        match self {
            Fs::S3(_) if append => Err(FsError::Unsupported("Appending to an S3 object is not supported")),
            Fs::S3(s3) => Ok(Writer::S3(s3.create(storage).await?)),
            Fs::Efs(efs) => {
                let file = efs.create(storage, !append).await?;
                Ok(Writer::Efs { file, written: 0 })
            }
        }
    }

    pub async fn mkdir(&self, storage: &str) -> Result<(), FsError> {
        match self {
            Fs::S3(s3) => s3.mkdir(storage).await,
            Fs::Efs(efs) => efs.mkdir(storage).await,
        }
    }

    pub async fn rmdir(&self, storage: &str) -> Result<(), FsError> {
        match self {
            Fs::S3(s3) => s3.rmdir(storage).await,
            Fs::Efs(efs) => efs.rmdir(storage).await,
        }
    }

    pub async fn remove(&self, storage: &str) -> Result<(), FsError> {
        match self {
            Fs::S3(s3) => s3.remove(storage).await,
            Fs::Efs(efs) => efs.remove(storage).await,
        }
    }

    pub async fn rename(&self, from: &str, to: &str) -> Result<(), FsError> {
        match self {
            Fs::S3(s3) => s3.rename(from, to).await,
            Fs::Efs(efs) => efs.rename(from, to).await,
        }
    }
}

impl Reader {
    /// Up to `len` bytes at `offset`; empty at the end.
    pub async fn read(&mut self, offset: u64, len: usize) -> Result<Bytes, FsError> {
        match self {
            Reader::Efs(file) => efsfs::read_at(file, offset, len).await,
            Reader::S3 {
                fs,
                rec,
                pos,
                stream,
                buf,
            } => {
                if offset >= rec.size {
                    return Ok(Bytes::new());
                }
                if offset != *pos || stream.is_none() {
                    *stream = Some(fs.read(rec, offset).await?);
                    buf.clear();
                    *pos = offset;
                }
                let want = len.min((rec.size - offset) as usize);
                while buf.len() < want {
                    let Some(s) = stream.as_mut() else { break };
                    match s.next().await {
                        Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                        Some(Err(e)) => return Err(FsError::Failure(e.to_string())),
                        None => break,
                    }
                }
                let data = buf.split_to(want.min(buf.len())).freeze();
                *pos += data.len() as u64;
                Ok(data)
            }
        }
    }
}

impl Writer {
    pub fn written(&self) -> u64 {
        match self {
            Writer::S3(u) => u.written,
            Writer::Efs { written, .. } => *written,
        }
    }

    pub async fn write(&mut self, offset: u64, data: Bytes) -> Result<(), FsError> {
        match self {
            Writer::S3(u) => {
                if offset != u.written {
                    return Err(FsError::Unsupported(
                        "S3 objects are written front to back: random writes are not supported",
                    ));
                }
                u.write(data).await
            }
            Writer::Efs { file, written } => {
                efsfs::write_at(file, offset, &data).await?;
                *written += data.len() as u64;
                Ok(())
            }
        }
    }

    /// Waits until what was written is in the file (tokio writes in the
    /// background), so that what follows on the path sees it.
    pub async fn flush(&mut self) -> Result<(), FsError> {
        match self {
            Writer::S3(_) => Ok(()),
            Writer::Efs { file, .. } => tokio::io::AsyncWriteExt::flush(file)
                .await
                .map_err(|e| FsError::Failure(e.to_string())),
        }
    }

    pub async fn finish(self) -> Result<(), FsError> {
        match self {
            Writer::S3(u) => u.finish().await.map(|_| ()),
            Writer::Efs { mut file, .. } => tokio::io::AsyncWriteExt::flush(&mut file)
                .await
                .map_err(|e| FsError::Failure(e.to_string())),
        }
    }

    /// A file the client never closed: S3 writes nothing; on EFS what was
    /// written stays, as on any file system.
    pub async fn abort(self) {
        if let Writer::S3(u) = self {
            u.abort().await;
        }
    }
}
