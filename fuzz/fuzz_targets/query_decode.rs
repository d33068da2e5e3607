//! Form bodies (ec2 and query protocols): routing, decoding and validation
//! of any bytes must end in a value or an AWS error, never a panic.
#![no_main]

use http::{HeaderMap, HeaderValue, Method};
use landbridge_api::ALL_SPECS;
use landbridge_wire::protocol::decode_input;
use landbridge_wire::request::{WireRequest, route};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(((spec, op), body)) = landbridge_fuzz::pick(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded"));
    // The operation comes in the query string so the fuzzer spends its
    // effort on the parameters.
    let query = format!("Action={}&Version={}", op.name, spec.api_version);
    let method = Method::POST;
    let req = WireRequest {
        method: &method,
        path: "/",
        query: Some(&query),
        headers: &headers,
        body,
    };
    // Also route the raw bytes as a whole request body.
    let raw = WireRequest {
        method: &method,
        path: "/",
        query: None,
        headers: &headers,
        body,
    };
    for r in [&req, &raw] {
        if let Ok(call) = route(ALL_SPECS, r) {
            if let Some(op) = call.spec.operation(&call.operation) {
                let _ = decode_input(&call, op, r);
            }
        }
    }
});
