//! The four request/response protocols. Each is written once, for every
//! service, and driven by the model's shapes.

pub mod cbor;
pub mod form;
pub mod json;
pub mod xml;

use crate::error::ApiError;
use crate::request::{Call, WireRequest, WireResponse};
use crate::schema::{Operation, Protocol, ServiceSpec, Shape, ShapeKind};
use crate::validate::{self, Violation};
use crate::value::Value;

/// The input of operations whose model has none.
static NO_INPUT: Shape = Shape {
    name: "Unit",
    kind: ShapeKind::Structure {
        members: &[],
        union: false,
    },
};

/// Decodes and validates an operation's input.
pub fn decode_input(call: &Call, op: &Operation, req: &WireRequest<'_>) -> Result<Value, ApiError> {
    let spec = call.spec;
    // JSON and CBOR bodies of input-less operations must still be empty or
    // an empty-able object: garbage is refused, not ignored.
    let shape = match (op.input, call.protocol) {
        (Some(shape), _) => shape,
        (None, Protocol::Json | Protocol::RpcV2Cbor) => &NO_INPUT,
        (None, Protocol::Ec2 | Protocol::Query) => return Ok(Value::empty_struct()),
    };
    let invalid = |v: Violation| validate::to_api_error(spec, call.protocol, &[v]);
    let body_error = |e: json::BodyError| match e {
        json::BodyError::Malformed(msg) => ApiError::client("SerializationException", msg),
        json::BodyError::Invalid(v) => invalid(v),
    };
    let value = match call.protocol {
        Protocol::Ec2 | Protocol::Query => {
            let dialect = if call.protocol == Protocol::Ec2 {
                form::Dialect::Ec2
            } else {
                form::Dialect::Query
            };
            let empty = form::FormTree::default();
            let tree = call.form.as_ref().unwrap_or(&empty);
            if dialect == form::Dialect::Ec2 {
                reject_unknown_ec2_parameters(shape, tree)?;
            }
            form::decode(dialect, shape, tree).map_err(invalid)?
        }
        Protocol::Json => json::decode(shape, req.body).map_err(body_error)?,
        Protocol::RpcV2Cbor => cbor::decode(shape, req.body).map_err(body_error)?,
    };
    let violations = validate::validate(shape, &value);
    if violations.is_empty() {
        Ok(value)
    } else {
        Err(validate::to_api_error(spec, call.protocol, &violations))
    }
}

/// EC2 refuses top-level parameters its API does not have (a misspelt
/// `CidrBlok` must not be silently ignored).
fn reject_unknown_ec2_parameters(shape: &Shape, tree: &form::FormTree) -> Result<(), ApiError> {
    let ShapeKind::Structure { members, .. } = &shape.kind else {
        return Ok(());
    };
    for key in tree.children.keys() {
        let protocol_param = matches!(
            key.as_str(),
            "Action"
                | "Version"
                | "AWSAccessKeyId"
                | "Signature"
                | "SignatureMethod"
                | "SignatureVersion"
                | "Timestamp"
                | "Expires"
        ) || key.starts_with("X-Amz-");
        if protocol_param || members.iter().any(|m| m.ec2_query_key() == *key) {
            continue;
        }
        return Err(ApiError::client(
            "UnknownParameter",
            format!("The parameter {key} is not recognized"),
        ));
    }
    Ok(())
}

/// Encodes a successful output.
pub fn encode_output(
    spec: &ServiceSpec,
    protocol: Protocol,
    op: &Operation,
    output: &Value,
    request_id: &str,
) -> WireResponse {
    let mut headers = vec![("x-amzn-RequestId", request_id.to_string())];
    let body = match protocol {
        Protocol::Ec2 => {
            headers.push(("content-type", "text/xml;charset=UTF-8".to_string()));
            xml::ec2_output(op, spec.xml_namespace.unwrap_or(""), output, request_id).into_bytes()
        }
        Protocol::Query => {
            headers.push(("content-type", "text/xml".to_string()));
            xml::query_output(op, spec.xml_namespace.unwrap_or(""), output, request_id).into_bytes()
        }
        Protocol::Json => {
            headers.push(("content-type", json_content_type(Some(spec))));
            json::encode(output)
        }
        Protocol::RpcV2Cbor => {
            headers.push(("content-type", "application/cbor".to_string()));
            headers.push(("smithy-protocol", "rpc-v2-cbor".to_string()));
            cbor::encode(output)
        }
    };
    WireResponse {
        status: 200,
        headers,
        body,
    }
}

/// Encodes an error in the protocol's own envelope.
pub fn encode_error(spec: Option<&ServiceSpec>, protocol: Protocol, err: &ApiError, request_id: &str) -> WireResponse {
    let mut headers = vec![("x-amzn-RequestId", request_id.to_string())];
    let body = match protocol {
        Protocol::Ec2 => {
            headers.push(("content-type", "text/xml;charset=UTF-8".to_string()));
            xml::ec2_error(err, request_id).into_bytes()
        }
        Protocol::Query => {
            headers.push(("content-type", "text/xml".to_string()));
            xml::query_error(err, spec.and_then(|s| s.xml_namespace), request_id).into_bytes()
        }
        Protocol::Json => {
            headers.push(("content-type", json_content_type(spec)));
            headers.push(("x-amzn-ErrorType", err.code.clone()));
            let body = serde_json::json!({ "__type": err.code, "message": err.message });
            body.to_string().into_bytes()
        }
        Protocol::RpcV2Cbor => {
            headers.push(("content-type", "application/cbor".to_string()));
            headers.push(("smithy-protocol", "rpc-v2-cbor".to_string()));
            cbor::encode_text_map(&[("__type", &err.code), ("message", &err.message)])
        }
    };
    WireResponse {
        status: err.status,
        headers,
        body,
    }
}

fn json_content_type(spec: Option<&ServiceSpec>) -> String {
    format!(
        "application/x-amz-json-{}",
        spec.and_then(|s| s.json_version).unwrap_or("1.1")
    )
}
