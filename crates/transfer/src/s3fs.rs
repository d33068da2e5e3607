//! The S3 domain as a file system, the way Transfer Family shows a bucket:
//! `/bucket/dir/file` is object `dir/file`; a directory is a prefix (or a
//! `dir/` marker that `mkdir` writes); a rename is a copy and a delete;
//! a file is written once, front to back (no append, no random writes).

use bytes::Bytes;
use landbridge_objects::{ByteStream, ListQuery, ObjectError, ObjectRec, Objects, PutOptions};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use landbridge_homes::split;

#[derive(Debug, Clone, PartialEq)]
pub enum FsError {
    NotFound,
    /// A directory that still holds something.
    NotEmpty,
    Unsupported(&'static str),
    /// What the user's POSIX identity may not do (EFS).
    Denied,
    Failure(String),
}

impl From<ObjectError> for FsError {
    fn from(e: ObjectError) -> Self {
        match e {
            ObjectError::NoSuchBucket | ObjectError::NoSuchKey => FsError::NotFound,
            other => FsError::Failure(other.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    File(Box<ObjectRec>),
    Dir,
}

/// Bytes of an upload in flight, waiting for the object layer.
const UPLOAD_QUEUE: usize = 16;

/// A file being written: bytes go to a PUT that completes on `finish`.
pub struct Upload {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    done: JoinHandle<Result<ObjectRec, ObjectError>>,
    pub written: u64,
}

impl Upload {
    pub async fn write(&mut self, data: Bytes) -> Result<(), FsError> {
        let len = data.len() as u64;
        self.tx
            .send(Ok(data))
            .await
            .map_err(|_| FsError::Failure("the upload stopped".into()))?;
        self.written += len;
        Ok(())
    }

    /// Ends the body; the object exists once this returns.
    pub async fn finish(self) -> Result<ObjectRec, FsError> {
        drop(self.tx);
        match self.done.await {
            Ok(r) => r.map_err(FsError::from),
            Err(e) => Err(FsError::Failure(e.to_string())),
        }
    }

    /// Abandons the body: the PUT fails and nothing is written.
    pub async fn abort(self) {
        let _ = self
            .tx
            .send(Err(std::io::Error::other("the client closed the file unfinished")))
            .await;
        drop(self.tx);
        let _ = self.done.await;
    }
}

#[derive(Clone)]
pub struct S3Fs {
    pub objects: Objects,
    /// Whose buckets `/` lists.
    pub account: String,
}

impl S3Fs {
    pub async fn stat(&self, storage: &str) -> Result<Node, FsError> {
        let Some((bucket, key)) = split(storage) else {
            return Ok(Node::Dir);
        };
        if self.objects.bucket(bucket).await.is_none() {
            return Err(FsError::NotFound);
        }
        if key.is_empty() {
            return Ok(Node::Dir);
        }
        match self.objects.head(bucket, key).await {
            Ok(rec) => return Ok(Node::File(Box::new(rec))),
            Err(ObjectError::NoSuchKey) => {}
            Err(e) => return Err(e.into()),
        }
        let query = ListQuery {
            prefix: format!("{key}/"),
            delimiter: None,
            after: None,
            max_keys: 1,
        };
        if self.objects.list(bucket, &query).await?.objects.is_empty() {
            Err(FsError::NotFound)
        } else {
            Ok(Node::Dir)
        }
    }

    /// A directory's entries (one level), or the account's buckets at `/`.
    pub async fn list(&self, storage: &str) -> Result<Vec<(String, Node)>, FsError> {
        let Some((bucket, key)) = split(storage) else {
            let buckets = self.objects.list_buckets(&self.account).await;
            return Ok(buckets.into_iter().map(|b| (b.name, Node::Dir)).collect());
        };
        if let Node::File(_) = self.stat(storage).await? {
            return Err(FsError::Unsupported("not a directory"));
        }
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let query = ListQuery {
                prefix: prefix.clone(),
                delimiter: Some("/".into()),
                after: after.clone(),
                max_keys: 1000,
            };
            let page = self.objects.list(bucket, &query).await?;
            for o in page.objects {
                let name = o.key[prefix.len()..].to_string();
                if !name.is_empty() {
                    out.push((name, Node::File(Box::new(o))));
                }
            }
            for p in page.common_prefixes {
                let name = p[prefix.len()..].trim_end_matches('/').to_string();
                if !name.is_empty() {
                    out.push((name, Node::Dir));
                }
            }
            if !page.is_truncated {
                break;
            }
            after = page.last;
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn file_key(storage: &str) -> Result<(&str, &str), FsError> {
        match split(storage) {
            Some((b, k)) if !k.is_empty() => Ok((b, k)),
            _ => Err(FsError::Unsupported("a bucket is not a file")),
        }
    }

    pub async fn read(&self, rec: &ObjectRec, from: u64) -> Result<ByteStream, FsError> {
        Ok(self.objects.read(rec, from.min(rec.size)..rec.size).await?)
    }

    /// Starts writing the file at `storage`.
    pub async fn create(&self, storage: &str) -> Result<Upload, FsError> {
        let (bucket, key) = Self::file_key(storage)?;
        if self.objects.bucket(bucket).await.is_none() {
            return Err(FsError::NotFound);
        }
        let (tx, mut rx) = mpsc::channel::<std::io::Result<Bytes>>(UPLOAD_QUEUE);
        let body = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let objects = self.objects.clone();
        let (bucket, key) = (bucket.to_string(), key.to_string());
        let done = tokio::spawn(async move { objects.put(&bucket, &key, body, PutOptions::default()).await });
        Ok(Upload { tx, done, written: 0 })
    }

    pub async fn mkdir(&self, storage: &str) -> Result<(), FsError> {
        let (bucket, key) = Self::file_key(storage)?;
        if self.stat(storage).await.is_ok() {
            return Err(FsError::Failure(format!("{storage} exists")));
        }
        let empty: ByteStream = Box::pin(futures::stream::empty());
        self.objects
            .put(bucket, &format!("{key}/"), empty, PutOptions::default())
            .await?;
        Ok(())
    }

    pub async fn rmdir(&self, storage: &str) -> Result<(), FsError> {
        let (bucket, key) = Self::file_key(storage)?;
        let query = ListQuery {
            prefix: format!("{key}/"),
            delimiter: None,
            after: None,
            max_keys: 2,
        };
        let inside = self.objects.list(bucket, &query).await?.objects;
        let marker = format!("{key}/");
        if inside.is_empty() {
            return Err(FsError::NotFound);
        }
        if inside.iter().any(|o| o.key != marker) {
            return Err(FsError::NotEmpty);
        }
        self.objects.delete(bucket, &marker, None).await?;
        Ok(())
    }

    pub async fn remove(&self, storage: &str) -> Result<(), FsError> {
        let (bucket, key) = Self::file_key(storage)?;
        self.objects.head(bucket, key).await?;
        self.objects.delete(bucket, key, None).await?;
        Ok(())
    }

    /// Moves a file: a copy, then the original deleted. Directories do not
    /// move, as in Transfer Family.
    pub async fn rename(&self, from: &str, to: &str) -> Result<(), FsError> {
        let (fb, fk) = Self::file_key(from)?;
        let (tb, tk) = Self::file_key(to)?;
        let src = match self.stat(from).await? {
            Node::File(rec) => *rec,
            Node::Dir => return Err(FsError::Unsupported("directories cannot be renamed")),
        };
        if self.stat(to).await.is_ok() {
            return Err(FsError::Failure(format!("{to} exists")));
        }
        self.objects
            .copy(&src, tb, tk, None, landbridge_objects::Attrs::default())
            .await?;
        self.objects.delete(fb, fk, None).await?;
        Ok(())
    }
}
