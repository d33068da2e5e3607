//! Buckets belong to the account that created them: a request naming a
//! bucket another account owns is refused with `AccessDenied`, as S3 does
//! when no bucket policy or ACL grants that account access (Landbridge
//! stores policies but does not evaluate them).

use http::{HeaderMap, Method, Uri};
use landbridge_wire::CredentialScope;
use s3s::host::S3Host;

use crate::{Hosts, S3};

impl S3 {
    /// The bucket `uri` (and the `Host` header) names, when its owner is not
    /// the caller `scope` identifies. CreateBucket is left to the object
    /// layer, which answers `BucketAlreadyExists`.
    pub async fn foreign_bucket(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        scope: Option<&CredentialScope>,
    ) -> Option<String> {
        let (bucket, key) = bucket_and_key(uri, headers)?;
        let creates = method == Method::PUT && key.is_empty() && uri.query().is_none_or(str::is_empty);
        if creates {
            return None;
        }
        let owner = self.objects.bucket_owner(&bucket).await?;
        let caller = landbridge_api::account_for(
            &*self.identities,
            scope.map(|s| s.access_key_id.as_str()),
            &self.default_account,
        );
        (owner != caller).then_some(bucket)
    }
}

/// The bucket and key a request addresses, virtual-hosted or path-style.
fn bucket_and_key(uri: &Uri, headers: &HeaderMap) -> Option<(String, String)> {
    let path = uri.path().trim_start_matches('/');
    let host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok());
    if let Some(bucket) = host
        .and_then(|h| Hosts.parse_host_header(h).ok())
        .and_then(|v| v.bucket().map(str::to_string))
    {
        return Some((bucket, path.to_string()));
    }
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    (!bucket.is_empty()).then(|| (bucket.to_string(), key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, host: &str) -> Option<(String, String)> {
        let mut h = HeaderMap::new();
        h.insert(http::header::HOST, host.parse().unwrap());
        bucket_and_key(&uri.parse().unwrap(), &h)
    }

    #[test]
    fn finds_the_bucket_either_way() {
        assert_eq!(parts("/b/k/x", "127.0.0.1:4566"), Some(("b".into(), "k/x".into())));
        assert_eq!(parts("/b", "localhost"), Some(("b".into(), "".into())));
        assert_eq!(parts("/k", "b.localhost:4566"), Some(("b".into(), "k".into())));
        assert_eq!(parts("/", "127.0.0.1"), None);
    }
}
