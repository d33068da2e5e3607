//! An object-storage location's side: S3 spoken over the network to the
//! location's server, signed with its keys (unsigned without them).
//!
//! POSIX metadata travels in user metadata as on an S3 location; listing
//! fetches it with one HEAD per object, as DataSync does. Directories are
//! implied by keys: S3 clients cannot all write `dir/` markers, so none are
//! written, and a marker whose metadata says directory lists as one.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use landbridge_objects::object_store::aws::AmazonS3Builder;
use landbridge_objects::object_store::path::Path;
use landbridge_objects::object_store::{
    Attribute, AttributeValue, Attributes, BackoffConfig, Certificate, ClientOptions, GetOptions, ObjectStore,
    ObjectStoreExt, RetryConfig,
};
use landbridge_objects::{ByteStream, upload_to_s3};

use super::posix::{Kind, Posix};
use super::sides::{Entry, SideError};
use super::walk::{Walk, with_implied_dirs};
use crate::model::ObjectStorageLocation;

/// HEAD requests in flight while listing.
const HEADS_IN_FLIGHT: usize = 16;

pub struct Remote {
    store: Arc<dyn ObjectStore>,
    /// Empty, or ends with `/`.
    prefix: String,
}

impl Remote {
    pub fn connect(o: &ObjectStorageLocation) -> Result<Self, SideError> {
        let http = o.protocol == "HTTP";
        let mut options = ClientOptions::new().with_allow_http(http).with_timeout_disabled();
        if let Some(pem) = &o.certificate {
            let cert = Certificate::from_pem(pem).map_err(|e| format!("the server certificate: {e}"))?;
            options = options.with_root_certificate(cert);
        }
        let scheme = if http { "http" } else { "https" };
        let mut builder = AmazonS3Builder::new()
            .with_client_options(options)
            .with_endpoint(format!("{scheme}://{}:{}", o.server, o.port))
            .with_bucket_name(&o.bucket)
            .with_region(region_of(&o.server))
            .with_virtual_hosted_style_request(false)
            // The engine retries each file itself (three tries); the
            // client's own retries stay short so that an endpoint that
            // cannot be reached fails the execution in seconds, not minutes.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 2,
                retry_timeout: std::time::Duration::from_secs(20),
            });
        builder = match (&o.access_key, &o.secret_key) {
            (Some(id), Some(secret)) => builder.with_access_key_id(id).with_secret_access_key(secret),
            _ => builder.with_skip_signature(true),
        };
        let store = builder.build().map_err(|e| e.to_string())?;
        Ok(Self {
            store: Arc::new(store),
            prefix: o.subdirectory.clone(),
        })
    }

    fn path(&self, rel: &str) -> Result<Path, SideError> {
        let key = format!("{}{}", self.prefix, rel.trim_end_matches('/'));
        Path::parse(&key).map_err(|e| format!("{key}: {e}"))
    }

    /// Every object under the prefix in key order, with its metadata (one
    /// HEAD each, several in flight, order kept) and the directories keys
    /// imply.
    pub fn walk(&self) -> Walk<'static> {
        let prefix = match self.prefix.trim_end_matches('/') {
            "" => None,
            p => match Path::parse(p) {
                Ok(p) => Some(p),
                Err(e) => return futures::stream::once(async move { Err(e.to_string()) }).boxed(),
            },
        };
        let store = self.store.clone();
        let strip = self.prefix.clone();
        let listed = self.store.list(prefix.as_ref());
        let heads = listed
            .map(move |meta| {
                let store = store.clone();
                let strip = strip.clone();
                async move {
                    let meta = meta.map_err(|e| format!("listing: {e}"))?;
                    let opts = GetOptions {
                        head: true,
                        ..Default::default()
                    };
                    let got = store
                        .get_opts(&meta.location, opts)
                        .await
                        .map_err(|e| format!("reading {}: {e}", meta.location))?;
                    let posix = Posix::from_metadata(&user_metadata(&got.attributes));
                    let kind = posix.map_or(Kind::File, |p| p.kind());
                    let key = meta.location.as_ref();
                    let rel = key.strip_prefix(&strip).unwrap_or(key);
                    let rel = if kind == Kind::Dir {
                        format!("{rel}/")
                    } else {
                        rel.to_string()
                    };
                    Ok((
                        rel,
                        Entry {
                            kind,
                            size: meta.size,
                            posix,
                            object: None,
                        },
                    ))
                }
            })
            .buffered(HEADS_IN_FLIGHT)
            .filter(|item| std::future::ready(!matches!(item, Ok((rel, _)) if rel.is_empty() || rel == "/")));
        with_implied_dirs(heads.boxed())
    }

    pub async fn read(&self, rel: &str) -> Result<ByteStream, SideError> {
        let path = self.path(rel)?;
        let got = self
            .store
            .get(&path)
            .await
            .map_err(|e| format!("reading {path}: {e}"))?;
        let stream = got.into_stream().map_err(std::io::Error::other);
        Ok(Box::pin(sync_stream(stream)))
    }

    /// Writes a file or symlink with its metadata; directories are implied.
    pub async fn write(&self, rel: &str, kind: Kind, body: ByteStream, posix: Option<Posix>) -> Result<(), SideError> {
        if kind == Kind::Dir {
            return Ok(());
        }
        let path = self.path(rel)?;
        let mut metadata = BTreeMap::new();
        if let Some(p) = posix {
            p.to_metadata(&mut metadata);
        }
        let mut attributes = Attributes::new();
        for (k, v) in metadata {
            attributes.insert(Attribute::Metadata(k.into()), AttributeValue::from(v));
        }
        upload_to_s3(self.store.as_ref(), &path, body, attributes)
            .await
            .map(|_| ())
            .map_err(|e| format!("writing {path}: {e}"))
    }

    pub async fn delete(&self, rel: &str, kind: Kind) -> Result<(), SideError> {
        if kind == Kind::Dir {
            // Everything under it, then a marker if there is one.
            let prefix = self.path(rel)?;
            let under: Vec<Path> = self
                .store
                .list(Some(&prefix))
                .map_ok(|m| m.location)
                .try_collect()
                .await
                .map_err(|e| format!("listing {prefix}: {e}"))?;
            for p in under {
                self.delete_path(&p).await?;
            }
        }
        self.delete_path(&self.path(rel)?).await
    }

    async fn delete_path(&self, path: &Path) -> Result<(), SideError> {
        match self.store.delete(path).await {
            Ok(()) | Err(landbridge_objects::object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(format!("deleting {path}: {e}")),
        }
    }
}

/// The region an AWS S3 host name names (`s3.eu-west-1.amazonaws.com`,
/// `s3-eu-west-1.amazonaws.com`), which its signatures must carry; any
/// other server is signed for us-east-1, as S3-compatible servers expect.
fn region_of(host: &str) -> &str {
    let labels: Vec<&str> = host.split('.').collect();
    labels
        .iter()
        .position(|l| *l == "amazonaws")
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| labels.get(i))
        .map(|l| l.strip_prefix("s3-").unwrap_or(l))
        .filter(|l| *l != "s3" && *l != "s3-external-1")
        .unwrap_or("us-east-1")
}

fn user_metadata(attributes: &Attributes) -> BTreeMap<String, String> {
    attributes
        .iter()
        .filter_map(|(k, v)| match k {
            Attribute::Metadata(name) => Some((name.to_string(), v.to_string())),
            _ => None,
        })
        .collect()
}

/// The object layer's streams are `Sync`; a download is polled by one task
/// at a time anyway.
fn sync_stream<S>(s: S) -> impl futures::Stream<Item = S::Item> + Send + Sync
where
    S: futures::Stream + Send,
{
    sync_wrapper::SyncStream::new(s)
}

#[cfg(test)]
mod tests {
    use super::region_of;

    #[test]
    fn aws_host_names_give_their_region() {
        assert_eq!(region_of("s3.eu-west-1.amazonaws.com"), "eu-west-1");
        assert_eq!(region_of("s3-ap-southeast-2.amazonaws.com"), "ap-southeast-2");
        assert_eq!(region_of("s3.dualstack.us-west-2.amazonaws.com"), "us-west-2");
        assert_eq!(region_of("s3.amazonaws.com"), "us-east-1");
        assert_eq!(region_of("127.0.0.1"), "us-east-1");
        assert_eq!(region_of("minio.example"), "us-east-1");
    }
}
