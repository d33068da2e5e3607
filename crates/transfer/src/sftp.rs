//! One SFTP session (the `sftp` subsystem of an SSH connection) over the
//! server's domain (`storage.rs`): every path goes through the user's home (`landbridge-homes`) before the
//! domain sees it; each open, close, delete, rename and
//! mkdir is logged.

use std::collections::HashMap;

use bytes::Bytes;
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, FileMode, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;
use serde_json::json;

use crate::logs::SessionLog;
use crate::s3fs::FsError;
use crate::storage::{Fs, Meta, Reader, SetAttrs, Writer};
use landbridge_homes::{Home, Resolved, normalize};

/// Names sent per READDIR reply.
const NAMES_PER_REPLY: usize = 100;

/// Why a request failed, as the client is told.
pub struct Fail(StatusCode, String);

impl From<Fail> for StatusReply {
    fn from(f: Fail) -> Self {
        StatusReply::new(f.0).with_message(f.1)
    }
}

impl From<FsError> for Fail {
    fn from(e: FsError) -> Self {
        match e {
            FsError::NotFound => Fail(StatusCode::NoSuchFile, "No such file".into()),
            FsError::NotEmpty => Fail(StatusCode::Failure, "Directory not empty".into()),
            FsError::Unsupported(why) => Fail(StatusCode::OpUnsupported, why.into()),
            FsError::Denied => denied(),
            FsError::Failure(why) => Fail(StatusCode::Failure, why),
        }
    }
}

fn denied() -> Fail {
    Fail(StatusCode::PermissionDenied, "Permission denied".into())
}

enum Open {
    Dir(Vec<File>),
    Read {
        reader: Box<Reader>,
        size: u64,
        path: String,
        sent: u64,
    },
    Write {
        writer: Writer,
        path: String,
    },
}

pub struct SftpSession {
    fs: Fs,
    home: Home,
    cwd: String,
    handles: HashMap<String, Open>,
    next_handle: u64,
    log: SessionLog,
    /// The server's SetStatOption is ENABLE_NO_OP.
    setstat_no_op: bool,
}

fn file_attrs(m: &Meta) -> FileAttributes {
    let mut a = FileAttributes::empty();
    let kind = if m.dir { FileMode::DIR } else { FileMode::REG };
    a.size = Some(m.size);
    a.permissions = Some(m.mode | kind.bits());
    a.mtime = Some(m.mtime);
    a.atime = Some(m.mtime);
    a.uid = Some(m.uid);
    a.gid = Some(m.gid);
    a
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".into(),
        language_tag: "en-US".into(),
    }
}

impl SftpSession {
    pub fn new(fs: Fs, home: Home, log: SessionLog, setstat_no_op: bool) -> Self {
        Self {
            fs,
            cwd: home.start(),
            home,
            handles: HashMap::new(),
            next_handle: 0,
            log,
            setstat_no_op,
        }
    }

    async fn set_attrs(&self, id: u32, storage: &str, attrs: &FileAttributes) -> Result<Status, Fail> {
        let wanted = SetAttrs {
            mode: attrs.permissions,
            uid: attrs.uid,
            gid: attrs.gid,
            atime: attrs.atime,
            mtime: attrs.mtime,
        };
        self.fs.set_attrs(storage, wanted, self.setstat_no_op).await?;
        self.log.event("SETSTAT", json!({"path": storage}));
        Ok(ok(id))
    }

    /// The virtual path `path` names, and what it resolves to.
    fn resolve(&self, path: &str) -> Result<(String, Resolved), Fail> {
        let virt = normalize(&self.cwd, path).ok_or_else(|| Fail(StatusCode::BadMessage, "Bad path".into()))?;
        let r = self.home.resolve(&virt);
        Ok((virt, r))
    }

    /// The storage path behind `path`, which must be inside the home.
    fn storage(&self, path: &str) -> Result<String, Fail> {
        match self.resolve(path)? {
            (_, Resolved::Storage(s)) => Ok(s),
            _ => Err(denied()),
        }
    }

    async fn attrs_of(&self, path: &str) -> Result<FileAttributes, Fail> {
        match self.resolve(path)? {
            (_, Resolved::Storage(s)) => Ok(file_attrs(&self.fs.stat(&s).await?)),
            (_, Resolved::Virtual(_)) => Ok(file_attrs(&Meta::dir())),
            (_, Resolved::Denied) => Err(denied()),
        }
    }

    fn add(&mut self, open: Open) -> String {
        self.next_handle += 1;
        let h = format!("h{}", self.next_handle);
        self.handles.insert(h.clone(), open);
        h
    }
}

impl russh_sftp::server::Handler for SftpSession {
    type Error = Fail;

    fn unimplemented(&self) -> Self::Error {
        Fail(StatusCode::OpUnsupported, "Operation not supported".into())
    }

    async fn init(&mut self, _version: u32, _extensions: HashMap<String, String>) -> Result<Version, Self::Error> {
        Ok(Version::new())
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let (virt, _) = self.resolve(&path)?;
        Ok(Name {
            id,
            files: vec![File::dummy(virt)],
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        Ok(Attrs {
            id,
            attrs: self.attrs_of(&path).await?,
        })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.stat(id, path).await
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        let attrs = match self.handles.get(&handle) {
            Some(Open::Read { path, .. } | Open::Write { path, .. }) => {
                let path = path.clone();
                let meta = self.fs.stat(&path).await.unwrap_or(Meta {
                    dir: false,
                    ..Meta::dir()
                });
                file_attrs(&meta)
            }
            Some(Open::Dir(_)) => file_attrs(&Meta::dir()),
            None => return Err(Fail(StatusCode::Failure, "Bad handle".into())),
        };
        Ok(Attrs { id, attrs })
    }

    /// Mode, owner and times: kept on EFS; on S3 refused, or accepted and
    /// ignored with SetStatOption ENABLE_NO_OP (`Fs::set_attrs`).
    async fn setstat(&mut self, id: u32, path: String, attrs: FileAttributes) -> Result<Status, Self::Error> {
        let storage = self.storage(&path)?;
        self.set_attrs(id, &storage, &attrs).await
    }

    async fn fsetstat(&mut self, id: u32, handle: String, attrs: FileAttributes) -> Result<Status, Self::Error> {
        let storage = match self.handles.get_mut(&handle) {
            Some(Open::Read { path, .. }) => path.clone(),
            Some(Open::Write { writer, path }) => {
                // `put -p` sets the times after its last write: that write
                // must be in the file first, or it would move them.
                writer.flush().await?;
                path.clone()
            }
            Some(Open::Dir(_)) => return Err(Fail(StatusCode::OpUnsupported, "not on a directory handle".into())),
            None => return Err(Fail(StatusCode::Failure, "Bad handle".into())),
        };
        self.set_attrs(id, &storage, &attrs).await
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        let files = match self.resolve(&path)? {
            (_, Resolved::Storage(s)) => self
                .fs
                .list(&s)
                .await?
                .into_iter()
                .map(|(name, meta)| File::new(name, file_attrs(&meta)))
                .collect(),
            (_, Resolved::Virtual(names)) => names
                .into_iter()
                .map(|n| File::new(n, file_attrs(&Meta::dir())))
                .collect(),
            (_, Resolved::Denied) => return Err(denied()),
        };
        Ok(Handle {
            id,
            handle: self.add(Open::Dir(files)),
        })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        match self.handles.get_mut(&handle) {
            Some(Open::Dir(files)) if !files.is_empty() => {
                let n = files.len().min(NAMES_PER_REPLY);
                Ok(Name {
                    id,
                    files: files.drain(..n).collect(),
                })
            }
            Some(Open::Dir(_)) => Err(Fail(StatusCode::Eof, "End of directory".into())),
            _ => Err(Fail(StatusCode::Failure, "Bad handle".into())),
        }
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        let storage = self.storage(&filename)?;
        let writing = pflags.intersects(OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE | OpenFlags::APPEND);
        let open = if writing {
            // Without TRUNCATE a client may write into what is there (a
            // resumed upload); S3 can only start afresh.
            let keep = !pflags.contains(OpenFlags::TRUNCATE)
                && (pflags.contains(OpenFlags::APPEND) || matches!(self.fs, Fs::Efs(_)));
            let writer = self.fs.create(&storage, keep).await?;
            self.log
                .event("OPEN", json!({"path": storage, "mode": "CREATE|TRUNCATE|WRITE"}));
            Open::Write { writer, path: storage }
        } else {
            let (reader, size) = self.fs.open_read(&storage).await?;
            self.log.event("OPEN", json!({"path": storage, "mode": "READ"}));
            Open::Read {
                reader: Box::new(reader),
                size,
                path: storage,
                sent: 0,
            }
        };
        Ok(Handle {
            id,
            handle: self.add(open),
        })
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<Data, Self::Error> {
        let Some(Open::Read { reader, size, sent, .. }) = self.handles.get_mut(&handle) else {
            return Err(Fail(StatusCode::Failure, "Bad handle".into()));
        };
        if offset >= *size {
            return Err(Fail(StatusCode::Eof, "End of file".into()));
        }
        let data = reader.read(offset, len as usize).await?;
        if data.is_empty() {
            return Err(Fail(StatusCode::Eof, "End of file".into()));
        }
        *sent += data.len() as u64;
        Ok(Data {
            id,
            data: data.to_vec(),
        })
    }

    async fn write(&mut self, id: u32, handle: String, offset: u64, data: Vec<u8>) -> Result<Status, Self::Error> {
        let Some(Open::Write { writer, .. }) = self.handles.get_mut(&handle) else {
            return Err(Fail(StatusCode::Failure, "Bad handle".into()));
        };
        writer.write(offset, Bytes::from(data)).await?;
        Ok(ok(id))
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        match self.handles.remove(&handle) {
            Some(Open::Write { writer, path }) => {
                let written = writer.written();
                match writer.finish().await {
                    Ok(()) => {
                        self.log.event("CLOSE", json!({"path": path, "bytes-in": written}));
                        Ok(ok(id))
                    }
                    Err(e) => {
                        self.log
                            .event("ERROR", json!({"path": path, "message": format!("{e:?}")}));
                        Err(e.into())
                    }
                }
            }
            Some(Open::Read { path, sent, .. }) => {
                self.log.event("CLOSE", json!({"path": path, "bytes-out": sent}));
                Ok(ok(id))
            }
            Some(Open::Dir(_)) => Ok(ok(id)),
            None => Err(Fail(StatusCode::Failure, "Bad handle".into())),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        let storage = self.storage(&filename)?;
        self.fs.remove(&storage).await?;
        self.log.event("DELETE", json!({"path": storage}));
        Ok(ok(id))
    }

    async fn mkdir(&mut self, id: u32, path: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        let storage = self.storage(&path)?;
        self.fs.mkdir(&storage).await?;
        self.log.event("MKDIR", json!({"path": storage}));
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<Status, Self::Error> {
        let storage = self.storage(&path)?;
        self.fs.rmdir(&storage).await?;
        self.log.event("RMDIR", json!({"path": storage}));
        Ok(ok(id))
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Result<Status, Self::Error> {
        let from = self.storage(&oldpath)?;
        let to = self.storage(&newpath)?;
        self.fs.rename(&from, &to).await?;
        self.log.event("RENAME", json!({"path": from, "new-path": to}));
        Ok(ok(id))
    }
}

impl Drop for SftpSession {
    /// Files still open when the session ends are abandoned: an S3 upload
    /// that was never closed is never written.
    fn drop(&mut self) {
        for (_, open) in self.handles.drain() {
            if let Open::Write { writer, path } = open {
                self.log
                    .event("ERROR", json!({"path": path, "message": "closed before the file was"}));
                tokio::spawn(writer.abort());
            }
        }
    }
}
