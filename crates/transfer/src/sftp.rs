//! One SFTP session (the `sftp` subsystem of an SSH connection) over the S3
//! domain: every path goes through the user's home (`landbridge-homes`) before the
//! file system (`s3fs.rs`) sees it; each open, close, delete, rename and
//! mkdir is logged.

use std::collections::HashMap;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use landbridge_objects::{ByteStream, ObjectRec};
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, FileMode, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;
use serde_json::json;

use crate::logs::SessionLog;
use crate::s3fs::{FsError, Node, S3Fs, Upload};
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
            FsError::Failure(why) => Fail(StatusCode::Failure, why),
        }
    }
}

fn denied() -> Fail {
    Fail(StatusCode::PermissionDenied, "Permission denied".into())
}

enum Open {
    Dir(Vec<File>),
    Read(Box<Reader>),
    Write { upload: Upload, path: String },
}

/// A download: a stream from the object, reopened when the client reads
/// somewhere else than where it stopped.
struct Reader {
    rec: ObjectRec,
    path: String,
    pos: u64,
    stream: Option<ByteStream>,
    buf: BytesMut,
    sent: u64,
}

pub struct SftpSession {
    fs: S3Fs,
    home: Home,
    cwd: String,
    handles: HashMap<String, Open>,
    next_handle: u64,
    log: SessionLog,
}

fn file_attrs(node: &Node) -> FileAttributes {
    let mut a = FileAttributes::empty();
    match node {
        Node::File(rec) => {
            a.size = Some(rec.size);
            a.permissions = Some(0o644 | FileMode::REG.bits());
            let secs = u32::try_from(rec.last_modified_ms / 1000).unwrap_or(0);
            a.mtime = Some(secs);
            a.atime = Some(secs);
        }
        Node::Dir => {
            a.size = Some(0);
            a.permissions = Some(0o755 | FileMode::DIR.bits());
            a.mtime = Some(0);
            a.atime = Some(0);
        }
    }
    a.uid = Some(0);
    a.gid = Some(0);
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
    pub fn new(fs: S3Fs, home: Home, log: SessionLog) -> Self {
        Self {
            fs,
            cwd: home.start(),
            home,
            handles: HashMap::new(),
            next_handle: 0,
            log,
        }
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
            (_, Resolved::Virtual(_)) => Ok(file_attrs(&Node::Dir)),
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
            Some(Open::Read(r)) => file_attrs(&Node::File(Box::new(r.rec.clone()))),
            Some(Open::Write { upload, .. }) => {
                let mut a = FileAttributes::empty();
                a.size = Some(upload.written);
                a.permissions = Some(0o644 | FileMode::REG.bits());
                a
            }
            Some(Open::Dir(_)) => file_attrs(&Node::Dir),
            None => return Err(Fail(StatusCode::Failure, "Bad handle".into())),
        };
        Ok(Attrs { id, attrs })
    }

    /// S3 keeps no owner, mode or times of its own: accepted and ignored,
    /// as Transfer Family's SetStatOption ENABLE_NO_OP does.
    async fn setstat(&mut self, id: u32, path: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        self.storage(&path)?;
        Ok(ok(id))
    }

    async fn fsetstat(&mut self, id: u32, _handle: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        let files = match self.resolve(&path)? {
            (_, Resolved::Storage(s)) => self
                .fs
                .list(&s)
                .await?
                .into_iter()
                .map(|(name, node)| File::new(name, file_attrs(&node)))
                .collect(),
            (_, Resolved::Virtual(names)) => names
                .into_iter()
                .map(|n| File::new(n, file_attrs(&Node::Dir)))
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
        let writing = pflags.intersects(OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE);
        let open = if writing {
            if pflags.contains(OpenFlags::APPEND) {
                return Err(Fail(
                    StatusCode::OpUnsupported,
                    "Appending to an S3 object is not supported".into(),
                ));
            }
            let upload = self.fs.create(&storage).await?;
            self.log
                .event("OPEN", json!({"path": storage, "mode": "CREATE|TRUNCATE|WRITE"}));
            Open::Write { upload, path: storage }
        } else {
            let Node::File(rec) = self.fs.stat(&storage).await? else {
                return Err(Fail(StatusCode::Failure, "Is a directory".into()));
            };
            self.log.event("OPEN", json!({"path": storage, "mode": "READ"}));
            Open::Read(Box::new(Reader {
                rec: *rec,
                path: storage,
                pos: 0,
                stream: None,
                buf: BytesMut::new(),
                sent: 0,
            }))
        };
        Ok(Handle {
            id,
            handle: self.add(open),
        })
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<Data, Self::Error> {
        let fs = self.fs.clone();
        let Some(Open::Read(r)) = self.handles.get_mut(&handle) else {
            return Err(Fail(StatusCode::Failure, "Bad handle".into()));
        };
        if offset >= r.rec.size {
            return Err(Fail(StatusCode::Eof, "End of file".into()));
        }
        if offset != r.pos || r.stream.is_none() {
            r.stream = Some(fs.read(&r.rec, offset).await?);
            r.buf.clear();
            r.pos = offset;
        }
        let want = (len as usize).min((r.rec.size - offset) as usize);
        while r.buf.len() < want {
            let Some(stream) = r.stream.as_mut() else { break };
            match stream.next().await {
                Some(Ok(chunk)) => r.buf.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(Fail(StatusCode::Failure, e.to_string())),
                None => break,
            }
        }
        if r.buf.is_empty() {
            return Err(Fail(StatusCode::Eof, "End of file".into()));
        }
        let data = r.buf.split_to(want.min(r.buf.len()));
        r.pos += data.len() as u64;
        r.sent += data.len() as u64;
        Ok(Data {
            id,
            data: data.to_vec(),
        })
    }

    async fn write(&mut self, id: u32, handle: String, offset: u64, data: Vec<u8>) -> Result<Status, Self::Error> {
        let Some(Open::Write { upload, .. }) = self.handles.get_mut(&handle) else {
            return Err(Fail(StatusCode::Failure, "Bad handle".into()));
        };
        if offset != upload.written {
            return Err(Fail(
                StatusCode::OpUnsupported,
                "S3 objects are written front to back: random writes are not supported".into(),
            ));
        }
        upload.write(Bytes::from(data)).await?;
        Ok(ok(id))
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        match self.handles.remove(&handle) {
            Some(Open::Write { upload, path }) => {
                let written = upload.written;
                match upload.finish().await {
                    Ok(_) => {
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
            Some(Open::Read(r)) => {
                self.log.event("CLOSE", json!({"path": r.path, "bytes-out": r.sent}));
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
    /// Files still open when the session ends are abandoned: an upload
    /// that was never closed is never written.
    fn drop(&mut self) {
        for (_, open) in self.handles.drain() {
            if let Open::Write { upload, path } = open {
                self.log
                    .event("ERROR", json!({"path": path, "message": "closed before the file was"}));
                tokio::spawn(upload.abort());
            }
        }
    }
}
