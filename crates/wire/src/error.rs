//! `ApiError`: what a handler or the wire layer answers instead of an output.
//! It carries the AWS error code and HTTP status; each protocol wraps it in
//! its own envelope (see `protocol::encode_error`).

use crate::schema::{Protocol, ServiceSpec};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub status: u16,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>, status: u16) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status,
        }
    }

    /// A client error (HTTP 400) with the given code.
    pub fn client(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, message, 400)
    }

    /// The error a service's model declares, with the status it declares.
    pub fn modelled(spec: &ServiceSpec, code: &str, message: impl Into<String>) -> Self {
        let status = spec.error(code).map_or(400, |e| e.status);
        Self::new(code, message, status)
    }

    /// An operation Landbridge does not (yet) implement, in the protocol's
    /// own words: EC2 and query answer `InvalidAction`, JSON and CBOR
    /// `UnknownOperationException`.
    pub fn not_implemented(spec: &ServiceSpec, protocol: Protocol, operation: &str) -> Self {
        let in_model = spec.has_operation_in_model(operation);
        let message = match (protocol, in_model) {
            (Protocol::Ec2 | Protocol::Query, true) => format!(
                "The action {operation} is not valid for this web service: Landbridge does not implement it yet."
            ),
            (Protocol::Ec2 | Protocol::Query, false) => {
                format!("The action {operation} is not valid for this web service.")
            }
            (_, true) => format!(
                "Operation {operation} of service {} is not implemented by Landbridge yet.",
                spec.id
            ),
            (_, false) => format!("Operation {operation} is not known to service {}.", spec.id),
        };
        let code = match protocol {
            Protocol::Ec2 | Protocol::Query => "InvalidAction",
            Protocol::Json | Protocol::RpcV2Cbor => "UnknownOperationException",
        };
        Self::client(code, message)
    }

    /// A failure inside Landbridge. Answers 500 with the protocol's generic
    /// server error code, never a panic or an HTML page.
    pub fn internal(protocol: Protocol, message: impl Into<String>) -> Self {
        let code = match protocol {
            Protocol::Ec2 => "InternalError",
            Protocol::Query => "InternalFailure",
            Protocol::Json | Protocol::RpcV2Cbor => "InternalFailure",
        };
        Self::new(code, message, 500)
    }

    pub fn is_sender_fault(&self) -> bool {
        self.status < 500
    }
}
