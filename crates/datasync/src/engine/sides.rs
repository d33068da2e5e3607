//! The two ends of a transfer, whatever they are: an S3 location (objects
//! through the object layer), a file location (a local directory that a
//! `world share` maps) or an object-storage location (`remote.rs`). Listing, reading, writing and deleting entries by
//! their path relative to the location; directories end with `/`.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use landbridge_objects::{Attrs, ByteStream, ObjectRec, Objects, PutOptions};
use md5::{Digest, Md5};

use super::posix::{Keep, Kind, Posix};

pub enum Side {
    /// `keep_tags`: whether objects copied here from S3 keep their tags
    /// (the task's ObjectTags option).
    S3 {
        bucket: String,
        prefix: String,
        keep_tags: bool,
    },
    /// `keep`: what metadata files written here take from the source.
    Files {
        root: PathBuf,
        keep: Keep,
    },
    Remote(super::remote::Remote),
}

/// One file, directory or symlink.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub kind: Kind,
    /// Bytes of content: a symlink's are its target path.
    pub size: u64,
    pub posix: Option<Posix>,
    /// The object, for an S3 side.
    pub object: Option<ObjectRec>,
}

/// An I/O failure, with what it was about.
pub type SideError = String;

impl Side {
    /// Whether directories exist there as entries of their own (on object
    /// storage they are implied by keys).
    pub fn keeps_dirs(&self) -> bool {
        !matches!(self, Side::Remote(_))
    }

    /// An entry's content: a file's bytes, a symlink's target, nothing for a
    /// directory.
    pub async fn read(&self, objects: &Objects, rel: &str, e: &Entry) -> Result<ByteStream, SideError> {
        if e.kind == Kind::Dir {
            return Ok(Box::pin(futures::stream::empty()));
        }
        match self {
            Side::S3 { .. } => {
                let obj = e.object.as_ref().ok_or("an S3 entry without its object")?;
                objects
                    .read(obj, 0..obj.size)
                    .await
                    .map_err(|err| format!("reading {}: {err}", obj.key))
            }
            Side::Files { root, .. } => {
                let path = root.join(rel);
                if e.kind == Kind::Symlink {
                    let target = tokio::fs::read_link(&path)
                        .await
                        .map_err(|err| format!("reading the link {}: {err}", path.display()))?;
                    let bytes = Bytes::from(target.into_os_string().into_encoded_bytes());
                    return Ok(Box::pin(futures::stream::once(async move { Ok(bytes) })));
                }
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|err| format!("opening {}: {err}", path.display()))?;
                Ok(Box::pin(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024)))
            }
            Side::Remote(r) => r.read(rel).await,
        }
    }

    /// Writes `body` as entry `rel` with `posix` metadata (for a directory
    /// only the directory). `source` is the object when both sides are S3,
    /// copied inside the object layer with its metadata.
    pub async fn write(
        &self,
        objects: &Objects,
        rel: &str,
        kind: Kind,
        body: ByteStream,
        posix: Option<Posix>,
        source: Option<&ObjectRec>,
    ) -> Result<(), SideError> {
        match self {
            Side::S3 {
                bucket,
                prefix,
                keep_tags,
            } => {
                let key = format!("{prefix}{rel}");
                if let Some(src) = source {
                    // Without options the copy keeps metadata and tags.
                    let untagged = (!keep_tags).then(|| PutOptions {
                        content_type: src.content_type.clone(),
                        metadata: src.metadata.clone(),
                        ..PutOptions::default()
                    });
                    objects
                        .copy(src, bucket, &key, untagged, Attrs::default())
                        .await
                        .map_err(|err| format!("copying {}: {err}", src.key))?;
                    return Ok(());
                }
                let mut opts = PutOptions::default();
                if let Some(p) = posix {
                    p.to_metadata(&mut opts.metadata);
                }
                objects
                    .put(bucket, &key, body, opts)
                    .await
                    .map_err(|err| format!("writing {key}: {err}"))?;
                Ok(())
            }
            Side::Files { root, keep } => write_file(root, rel, kind, body, posix.map(|p| (p, *keep))).await,
            Side::Remote(r) => r.write(rel, kind, body, posix).await,
        }
    }

    /// Sets a directory's metadata once everything inside it is written
    /// (writing into a directory changes its times).
    pub async fn finish_dir(&self, rel: &str, posix: Option<Posix>) -> Result<(), SideError> {
        match (self, posix) {
            (Side::Files { root, keep }, Some(p)) => {
                let (path, keep) = (root.join(rel), *keep);
                tokio::task::spawn_blocking(move || {
                    p.apply(&path, keep).map_err(|e| format!("{}: {e}", path.display()))
                })
                .await
                .map_err(|e| e.to_string())?
            }
            _ => Ok(()),
        }
    }

    pub async fn delete(&self, objects: &Objects, rel: &str, kind: Kind) -> Result<(), SideError> {
        match self {
            Side::S3 { bucket, prefix, .. } => {
                let key = format!("{prefix}{rel}");
                objects
                    .delete(bucket, &key, None)
                    .await
                    .map(|_| ())
                    .map_err(|err| format!("deleting {key}: {err}"))
            }
            Side::Files { root, .. } => {
                let path = root.join(rel);
                let gone = if kind == Kind::Dir {
                    tokio::fs::remove_dir_all(&path).await
                } else {
                    tokio::fs::remove_file(&path).await
                };
                match gone {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(format!("deleting {}: {e}", path.display()))
                    }
                    _ => Ok(()),
                }
            }
            Side::Remote(r) => r.delete(rel, kind).await,
        }
    }

    /// The MD5 of an entry's content, read back in full (an S3 object's
    /// plain ETag is that already).
    pub async fn checksum(&self, objects: &Objects, rel: &str, e: &Entry) -> Result<String, SideError> {
        if let Some(obj) = &e.object
            && !obj.etag.contains('-')
        {
            return Ok(obj.etag.clone());
        }
        let mut stream = self.read(objects, rel, e).await?;
        let mut md5 = Md5::new();
        while let Some(chunk) = stream.try_next().await.map_err(|err| format!("reading {rel}: {err}"))? {
            md5.update(&chunk);
        }
        Ok(md5.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

async fn write_file(
    root: &Path,
    rel: &str,
    kind: Kind,
    mut body: ByteStream,
    posix: Option<(Posix, Keep)>,
) -> Result<(), SideError> {
    let path = root.join(rel.trim_end_matches('/'));
    let parent = path.parent().unwrap_or(root).to_path_buf();
    tokio::fs::create_dir_all(&parent)
        .await
        .map_err(|e| format!("creating {}: {e}", parent.display()))?;
    match kind {
        Kind::Dir => {
            return tokio::fs::create_dir_all(&path)
                .await
                .map_err(|e| format!("creating {}: {e}", path.display()));
        }
        Kind::Symlink => {
            let mut target = Vec::new();
            while let Some(chunk) = body.try_next().await.map_err(|e| e.to_string())? {
                target.extend_from_slice(&chunk);
            }
            let target = PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(
                target,
            ));
            let _ = tokio::fs::remove_file(&path).await;
            tokio::fs::symlink(&target, &path)
                .await
                .map_err(|e| format!("linking {}: {e}", path.display()))?;
        }
        Kind::File => {
            // A temporary name beside it, renamed over it when whole: a
            // reader never sees half a file.
            let tmp = parent.join(format!(".landbridge-{}.tmp", crate::new_id("w")));
            let written = async {
                let mut file = tokio::fs::File::create(&tmp).await?;
                while let Some(chunk) = body.next().await {
                    tokio::io::AsyncWriteExt::write_all(&mut file, &chunk?).await?;
                }
                tokio::io::AsyncWriteExt::flush(&mut file).await?;
                tokio::fs::rename(&tmp, &path).await
            }
            .await;
            if let Err(e) = written {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(format!("writing {}: {e}", path.display()));
            }
        }
    }
    if let Some((p, keep)) = posix {
        let path2 = path.clone();
        tokio::task::spawn_blocking(move || p.apply(&path2, keep))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("setting metadata of {}: {e}", path.display()))?;
    }
    Ok(())
}
