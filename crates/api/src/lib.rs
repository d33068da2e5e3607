//! Typed AWS APIs, generated from the vendored models.
//!
//! Each module under `generated/` holds one service: shape statics that the
//! wire layer walks, Rust structs and enums for the allowlisted operations,
//! a `<Service>Api` trait whose methods default to "not implemented", and a
//! `<Service>Service` adapter that turns untyped calls into typed ones.
//! Service crates implement the trait; the server holds the adapters as
//! `dyn Service`. Nothing here is written by hand except this file.

use std::future::Future;
use std::pin::Pin;

pub use landbridge_wire::schema::{Operation, Protocol, ServiceSpec};
pub use landbridge_wire::{ApiError, ConvertError, Timestamp, Value};

mod generated;

pub use generated::*;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Who is calling, where, and how: what every handler may need besides its
/// input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The 12-digit account the request acts in.
    pub account_id: String,
    pub region: String,
    pub request_id: String,
    /// The access key id the request was signed with, if it was signed.
    pub access_key_id: Option<String>,
    pub protocol: Protocol,
}

/// A service as the server sees it: its spec and an untyped entry point.
pub trait Service: Send + Sync + 'static {
    fn spec(&self) -> &'static ServiceSpec;

    /// Runs `op` on an input that the wire layer has decoded and validated.
    fn call<'a>(
        &'a self,
        ctx: &'a RequestContext,
        op: &'static Operation,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, ApiError>>;
}

/// A service that keeps state: the control API can wipe it (`POST
/// /_landbridge/reset`, and moto's `POST /moto-api/reset`).
pub trait Stateful: Send + Sync + 'static {
    /// The service id, as in `ServiceSpec::id`.
    fn service(&self) -> &'static str;

    /// Forgets everything, durably.
    fn reset(&self) -> BoxFuture<'_, Result<(), ApiError>>;
}

/// Which account an access key acts in, for keys this Landbridge issued
/// (STS temporary credentials act in their role's account).
pub trait Identities: Send + Sync + 'static {
    fn account_of(&self, access_key_id: &str) -> Option<String>;
}

/// The account a request acts in: a 12-digit access key id is that
/// account; temporary credentials from AssumeRole act in the role's
/// account; any other key (or none) in `default_account`.
pub fn account_for(identities: &dyn Identities, access_key_id: Option<&str>, default_account: &str) -> String {
    match access_key_id {
        Some(k) if k.len() == 12 && k.bytes().all(|b| b.is_ascii_digit()) => k.to_string(),
        Some(k) => identities.account_of(k).unwrap_or_else(|| default_account.to_string()),
        None => default_account.to_string(),
    }
}

/// A validated input that still does not fit the generated types means the
/// model and the code disagree; answer it as invalid input, never a panic.
pub fn convert_error(spec: &ServiceSpec, ctx: &RequestContext, err: ConvertError) -> ApiError {
    let message = format!("Invalid value for {}: {}", err.member, err.reason);
    match ctx.protocol {
        Protocol::Ec2 => ApiError::client("InvalidParameterValue", message),
        _ => ApiError::modelled(spec, spec.validation_error, message),
    }
}
