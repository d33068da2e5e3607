//! Amazon S3. The `s3s` crate speaks S3's REST-XML (routing, header and XML
//! codecs, error documents); this crate maps each operation onto the object
//! layer (`landbridge-objects`), which owns durability. Requests are S3's
//! when their SigV4 scope says `s3` (the server decides, see
//! `landbridge-server`).

pub mod chunked;
mod convert;
mod ops;

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
}

impl S3 {
    pub fn new(objects: Objects, default_account: &str) -> Self {
        Self {
            objects,
            default_account: default_account.into(),
        }
    }

    /// The HTTP service: `call` it with any request the server routes to S3.
    pub fn service(self) -> S3Service {
        S3ServiceBuilder::new(self).build()
    }
}
