//! Amazon S3. The `s3s` crate speaks S3's REST-XML (routing, header and XML
//! codecs, error documents); this crate maps each operation onto the object
//! layer (`landbridge-objects`), which owns durability. Requests are S3's
//! when their SigV4 scope says `s3` (the server decides, see
//! `landbridge-server`).

mod checksums;
pub mod chunked;
mod convert;
mod ops;
mod owner;
mod versions;

use std::sync::Arc;

use landbridge_objects::Objects;
use s3s::service::{S3Service, S3ServiceBuilder};

/// The SigV4 scope of the request, put in the request's extensions by the
/// server before it strips the signature (Landbridge does not verify
/// signatures unless asked to).
#[derive(Debug, Clone)]
pub struct CallerScope(pub landbridge_wire::CredentialScope);

/// Who is calling: the account (a 12-digit access key selects its own) and
/// the region from the request's signature.
#[derive(Clone)]
pub struct S3 {
    objects: Objects,
    default_account: Arc<str>,
    identities: Arc<dyn landbridge_api::Identities>,
}

impl S3 {
    pub fn new(objects: Objects, default_account: &str, identities: Arc<dyn landbridge_api::Identities>) -> Self {
        Self {
            objects,
            default_account: default_account.into(),
            identities,
        }
    }

    /// The HTTP service: `call` it with any request the server routes to S3.
    /// With `credentials`, every request must carry a valid SigV4 signature
    /// (header, presigned URL or signed chunks) by one of those key pairs;
    /// without, the server strips signatures and s3s serves requests as
    /// anonymous.
    pub fn service(self, credentials: Option<&[(String, String)]>) -> Endpoint {
        let mut builder = S3ServiceBuilder::new(self.clone());
        builder.set_host(Hosts);
        if let Some(pairs) = credentials {
            builder.set_auth(KeyPairs(pairs.iter().cloned().collect()));
        }
        Endpoint {
            service: builder.build(),
            s3: self,
        }
    }
}

/// What the server holds: the s3s service, and the checks made before it
/// (`S3::foreign_bucket`).
pub struct Endpoint {
    pub service: S3Service,
    pub s3: S3,
}

/// The key pairs `--enforce-sigv4` checks against; an unknown key gets S3's
/// own `InvalidAccessKeyId`.
struct KeyPairs(std::collections::HashMap<String, String>);

#[async_trait::async_trait]
impl s3s::auth::S3Auth for KeyPairs {
    async fn get_secret_key(&self, access_key: &str) -> s3s::S3Result<s3s::auth::SecretKey> {
        match self.0.get(access_key) {
            Some(secret) => Ok(secret.clone().into()),
            None => Err(s3s::s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

/// Virtual-hosted-style requests: `<bucket>.localhost[:port]` and
/// `<bucket>.s3.localhost.localstack.cloud[:port]` (the names existing
/// tooling uses); any other host (an IP address, `localhost`) is path-style.
struct Hosts;

const BASE_DOMAINS: &[&str] = &["s3.localhost.localstack.cloud", "localhost"];

impl s3s::host::S3Host for Hosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> s3s::S3Result<s3s::host::VirtualHost<'a>> {
        let name = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        for base in BASE_DOMAINS {
            if let Some(bucket) = name.strip_suffix(base).and_then(|r| r.strip_suffix('.'))
                && !bucket.is_empty()
            {
                return Ok(s3s::host::VirtualHost::new(host).with_bucket(bucket.to_ascii_lowercase()));
            }
        }
        Ok(s3s::host::VirtualHost::new(host))
    }
}
