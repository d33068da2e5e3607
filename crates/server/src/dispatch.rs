//! One AWS request, start to finish: route it to a service and operation,
//! decode and validate the input, run the handler, encode the answer. Every
//! failure on the way becomes the protocol's own error envelope.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method};
use landbridge_api::RequestContext;
use landbridge_wire::protocol::{decode_input, encode_error, encode_output};
use landbridge_wire::request::{WireRequest, WireResponse, route};
use landbridge_wire::{ApiError, Protocol};

use crate::AppState;

/// The region when a request is unsigned.
pub const DEFAULT_REGION: &str = "us-east-1";

pub struct Incoming {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub async fn handle(state: Arc<AppState>, req: Incoming) -> WireResponse {
    let request_id = new_request_id();
    let wire = WireRequest {
        method: &req.method,
        path: &req.path,
        query: req.query.as_deref(),
        headers: &req.headers,
        body: &req.body,
    };
    let call = match route(state.registry.specs(), &wire) {
        Ok(call) => call,
        Err(rejection) => {
            tracing::debug!(code = %rejection.error.code, message = %rejection.error.message, "request not routed");
            return encode_error(rejection.spec, rejection.protocol, &rejection.error, &request_id);
        }
    };
    let spec = call.spec;
    let protocol = call.protocol;
    let Some(op) = spec.operation(&call.operation) else {
        let err = ApiError::not_implemented(spec, protocol, &call.operation);
        tracing::info!(service = spec.id, operation = %call.operation, "operation not implemented");
        return encode_error(Some(spec), protocol, &err, &request_id);
    };
    let input = match decode_input(&call, op, &wire) {
        Ok(v) => v,
        Err(err) => return encode_error(Some(spec), protocol, &err, &request_id),
    };
    let scope = call.scope;
    let ctx = RequestContext {
        account_id: landbridge_api::account_for(
            state.registry.identities(),
            scope.as_ref().map(|s| s.access_key_id.as_str()),
            &state.config.default_account,
        ),
        region: scope
            .as_ref()
            .map_or_else(|| DEFAULT_REGION.to_string(), |s| s.region.clone()),
        request_id: request_id.clone(),
        access_key_id: scope.map(|s| s.access_key_id),
        protocol,
    };
    let Some(service) = state.registry.get(spec).cloned() else {
        let err = ApiError::internal(protocol, format!("no handler registered for {}", spec.id));
        return encode_error(Some(spec), protocol, &err, &request_id);
    };
    // The handler runs as its own task so that a panic in it becomes a 500
    // answer instead of a dropped connection.
    let task_ctx = ctx.clone();
    let result = tokio::spawn(async move { service.call(&task_ctx, op, input).await }).await;
    match result {
        Ok(Ok(output)) => {
            tracing::debug!(service = spec.id, operation = op.name, account = %ctx.account_id, region = %ctx.region, "ok");
            encode_output(spec, protocol, op, &output, &request_id)
        }
        Ok(Err(err)) => {
            tracing::debug!(service = spec.id, operation = op.name, code = %err.code, "error");
            encode_error(Some(spec), protocol, &err, &request_id)
        }
        Err(join_error) => {
            tracing::error!(service = spec.id, operation = op.name, error = %join_error, "handler failed");
            let err = ApiError::internal(protocol, "Landbridge hit an internal error handling this request");
            encode_error(Some(spec), protocol, &err, &request_id)
        }
    }
}

/// The answer to a body over the size limit, in the envelope its headers
/// point at.
pub fn too_large(headers: &HeaderMap, query: Option<&str>, limit: usize) -> WireResponse {
    let protocol = landbridge_wire::request::guess_protocol(headers, query);
    let code = match protocol {
        Protocol::Ec2 | Protocol::Query => "RequestEntityTooLarge",
        Protocol::Json | Protocol::RpcV2Cbor => "RequestEntityTooLargeException",
    };
    let err = ApiError::new(
        code,
        format!("Request body is larger than the {limit} bytes this endpoint accepts"),
        413,
    );
    encode_error(None, protocol, &err, &new_request_id())
}
