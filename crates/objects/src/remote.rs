//! Object bytes on another S3 (`--object-store s3://bucket/prefix`): a real
//! cluster, AWS itself, or another Landbridge. Each blob is one object,
//! `<prefix>/blobs/<name>`; records stay in the state store, so names,
//! versions and listings are Landbridge's and the remote holds only bytes.
//!
//! Nothing half-written is visible there either: a body up to one part long
//! is one PUT, a longer one a multipart upload that S3 makes visible only
//! when it completes. Memory per transfer is bounded by `PART` times
//! `PARTS_IN_FLIGHT + 1`.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use md5::{Digest, Md5};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{
    Attributes, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions,
    PutPayload, WriteMultipart,
};

use crate::ObjectError;
use crate::blobs::Blob;
use crate::files::hex;

/// Part size of remote multipart uploads: 10,000 parts make 78 GiB.
const PART: usize = 8 * 1024 * 1024;
/// Parts uploading at once, per transfer.
const PARTS_IN_FLIGHT: usize = 2;

/// Where blobs go: `s3://bucket[/prefix]`, and the endpoint to reach it
/// (AWS when `None`). Credentials come from the usual `AWS_*` variables.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Target {
    pub bucket: String,
    /// Empty, or ends with `/`.
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: String,
}

impl S3Target {
    /// Parses `s3://bucket[/prefix]`.
    pub fn parse(url: &str, endpoint: Option<String>, region: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?}: an object store is named s3://bucket[/prefix]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{url:?} names no bucket"));
        }
        let prefix = prefix.trim_matches('/');
        Ok(Self {
            bucket: bucket.to_string(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
            endpoint,
            region: region.to_string(),
        })
    }
}

pub struct Remote {
    store: Arc<dyn ObjectStore>,
    blobs: String,
}

fn remote(e: object_store::Error) -> ObjectError {
    ObjectError::Remote(e.to_string())
}

impl Remote {
    pub fn new(target: &S3Target) -> Result<Self, ObjectError> {
        let plain_http = target.endpoint.as_deref().is_some_and(|e| e.starts_with("http://"));
        // A GET streams as fast as the S3 client downloads: no whole-request
        // timeout (the connect timeout and retries still apply).
        let options = ClientOptions::new().with_allow_http(plain_http).with_timeout_disabled();
        let mut builder = AmazonS3Builder::from_env()
            .with_client_options(options)
            .with_bucket_name(&target.bucket)
            .with_region(&target.region);
        if let Some(endpoint) = &target.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(remote)?;
        Ok(Self {
            store: Arc::new(store),
            blobs: format!("{}blobs/", target.prefix),
        })
    }

    fn path(&self, name: &str) -> Path {
        Path::from(format!("{}{name}", self.blobs))
    }

    /// Streams `body` to a new remote object, hashing it.
    pub async fn write<S, E>(&self, body: S) -> Result<Blob, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let name = uuid::Uuid::new_v4().simple().to_string();
        let (size, md5_hex) = upload(self.store.as_ref(), &self.path(&name), body, Attributes::new()).await?;
        Ok(Blob {
            name,
            size,
            md5_hex,
            inline: None,
        })
    }

    /// The bytes of blob `name` in `range`.
    pub async fn read(
        &self,
        name: &str,
        range: Range<u64>,
    ) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static, ObjectError> {
        let stream = if range.is_empty() {
            futures::stream::empty().boxed()
        } else {
            let opts = GetOptions {
                range: Some(GetRange::Bounded(range)),
                ..Default::default()
            };
            let got = self.store.get_opts(&self.path(name), opts).await.map_err(remote)?;
            got.into_stream().map_err(std::io::Error::from).boxed()
        };
        // The object layer's streams are Sync (s3s needs it); a remote body
        // is polled by one task at a time anyway.
        Ok(sync_wrapper::SyncStream::new(stream))
    }

    /// A new blob with the bytes of `names`, in order (streamed through
    /// Landbridge, which hashes them for the copy's ETag).
    pub async fn remove_all(&self, names: &[String]) {
        for n in names {
            if let Err(e) = self.store.delete(&self.path(n)).await {
                tracing::warn!(blob = %n, error = %e, "could not remove remote blob");
            }
        }
    }

    /// Removes every remote blob not in `live`.
    pub async fn sweep(&self, live: &HashSet<String>) -> Result<(), ObjectError> {
        let prefix = Path::from(self.blobs.as_str());
        let listed: Vec<object_store::ObjectMeta> =
            self.store.list(Some(&prefix)).try_collect().await.map_err(remote)?;
        let mut removed = 0usize;
        for meta in listed {
            let Some(name) = meta.location.filename() else { continue };
            if live.contains(name) {
                continue;
            }
            match self.store.delete(&meta.location).await {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(blob = %meta.location, error = %e, "could not remove remote blob"),
            }
        }
        if removed > 0 {
            tracing::info!(removed, "swept leftover remote blobs");
        }
        Ok(())
    }
}

/// Streams `body` to object `path` of `store` with `attributes` (user
/// metadata among them), hashing it: one PUT when it fits a part, else a
/// multipart upload that S3 shows only once complete. Gives its size and
/// MD5 (hex).
pub async fn upload<S, E>(
    store: &dyn ObjectStore,
    path: &Path,
    mut body: S,
    attributes: Attributes,
) -> Result<(u64, String), ObjectError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut md5 = Md5::new();
    let mut size = 0u64;
    // Until a part's worth has arrived the body may still fit one PUT.
    let mut head: Vec<Bytes> = Vec::new();
    let mut head_len = 0usize;
    let mut upload: Option<WriteMultipart> = None;
    let streamed: Result<(), ObjectError> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ObjectError::Body(e.to_string()))?;
            md5.update(&chunk);
            size += chunk.len() as u64;
            match upload.as_mut() {
                Some(w) => {
                    w.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(remote)?;
                    w.put(chunk);
                }
                None => {
                    head_len += chunk.len();
                    head.push(chunk);
                    if head_len >= PART {
                        let opts = PutMultipartOptions {
                            attributes: attributes.clone(),
                            ..Default::default()
                        };
                        let parts = store.put_multipart_opts(path, opts).await.map_err(remote)?;
                        let mut w = WriteMultipart::new_with_chunk_size(parts, PART);
                        head.drain(..).for_each(|c| w.put(c));
                        upload = Some(w);
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = streamed {
        if let Some(w) = upload
            && let Err(abort) = w.abort().await
        {
            tracing::warn!(error = %abort, "could not abort a remote multipart upload");
        }
        return Err(e);
    }
    match upload {
        Some(w) => w.finish().await.map_err(remote)?,
        None => {
            let opts = PutOptions {
                attributes,
                ..Default::default()
            };
            store
                .put_opts(path, head.into_iter().collect::<PutPayload>(), opts)
                .await
                .map_err(remote)?
        }
    };
    Ok((size, hex(&md5.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = S3Target::parse("s3://bucket/some/prefix/", None, "eu-west-1").unwrap();
        assert_eq!((t.bucket.as_str(), t.prefix.as_str()), ("bucket", "some/prefix/"));
        assert_eq!(S3Target::parse("s3://bucket", None, "r").unwrap().prefix, "");
        assert!(S3Target::parse("http://bucket", None, "r").is_err());
        assert!(S3Target::parse("s3:///x", None, "r").is_err());
    }
}
