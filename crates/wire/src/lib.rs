//! The AWS wire layer: everything between HTTP bytes and typed values.
//!
//! The central decision: each AWS protocol (`ec2`, `query`, `json`,
//! `smithy-rpc-v2-cbor`) is implemented once, generically, and driven by
//! static model data (`schema`) that the generator emits. A request is
//! routed (`request::route`), decoded into a protocol-neutral `Value`
//! (`protocol::decode_input`), validated against the model
//! (`validate`), converted to typed Rust by generated code (`convert`), and
//! the typed output travels back the same way. This crate knows no service
//! and does no I/O; the server reads sockets and the service crates decide
//! what happens.

pub mod convert;
pub mod error;
pub mod protocol;
pub mod request;
pub mod schema;
pub mod validate;
pub mod value;

pub use convert::{ConvertError, FromValue, IntoValue};
pub use error::ApiError;
pub use request::{Call, CredentialScope, Rejection, WireRequest, WireResponse};
pub use schema::{Protocol, ServiceSpec};
pub use value::{Timestamp, Value};
