//! What arrives over HTTP, and how it is routed to a service and operation.
//!
//! AWS multiplexes every service over one endpoint here, so the service is
//! found from, in order: the RPC v2 path (`/service/S/operation/Op` with
//! `smithy-protocol: rpc-v2-cbor`), `X-Amz-Target` (JSON), and for form
//! requests the SigV4 credential scope, then the `Version` parameter.

use http::{HeaderMap, Method};

use crate::error::ApiError;
use crate::protocol::form::FormTree;
use crate::schema::{Protocol, ServiceSpec};

/// A request as the wire layer sees it: the body is already read (and
/// bounded) by the server.
pub struct WireRequest<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What the server writes back.
#[derive(Debug, Clone)]
pub struct WireResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// `Credential=AKID/20261126/us-east-1/sts/aws4_request`, from the
/// `Authorization` header or a presigned URL's `X-Amz-Credential`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl CredentialScope {
    pub fn parse(credential: &str) -> Option<Self> {
        let mut parts = credential.trim().split('/');
        let access_key_id = parts.next()?.to_string();
        let date = parts.next()?.to_string();
        let region = parts.next()?.to_string();
        let service = parts.next()?.to_string();
        if parts.next()? != "aws4_request" || access_key_id.is_empty() {
            return None;
        }
        Some(Self {
            access_key_id,
            date,
            region,
            service,
        })
    }

    /// Reads the scope from the `Authorization` header or, for presigned
    /// URLs, the `X-Amz-Credential` query parameter.
    pub fn from_request(headers: &HeaderMap, query: Option<&str>) -> Option<Self> {
        if let Some(auth) = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let rest = auth.strip_prefix("AWS4-HMAC-SHA256")?;
            let credential = rest
                .split(',')
                .find_map(|part| part.trim().strip_prefix("Credential="))?;
            return Self::parse(credential);
        }
        let query = query?;
        let pairs = crate::protocol::form::parse_urlencoded(query.as_bytes()).ok()?;
        pairs
            .iter()
            .find(|(k, _)| k == "X-Amz-Credential")
            .and_then(|(_, v)| Self::parse(v))
    }
}

/// A request routed to a service and operation, not yet decoded.
pub struct Call {
    pub spec: &'static ServiceSpec,
    pub protocol: Protocol,
    pub operation: String,
    /// Form requests are parsed while routing (`Action` lives in them).
    pub form: Option<FormTree>,
    /// The request's SigV4 scope (account key and region), read once here.
    pub scope: Option<CredentialScope>,
}

/// A request that could not be routed, with the envelope to answer in.
#[derive(Debug)]
pub struct Rejection {
    pub protocol: Protocol,
    pub spec: Option<&'static ServiceSpec>,
    pub error: ApiError,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn content_type(headers: &HeaderMap) -> String {
    header(headers, "content-type")
        .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The envelope to use for an error when the request could not be routed:
/// the protocol its headers point at.
pub fn guess_protocol(headers: &HeaderMap, query: Option<&str>) -> Protocol {
    let ct = content_type(headers);
    if header(headers, "smithy-protocol").is_some() || ct == "application/cbor" {
        Protocol::RpcV2Cbor
    } else if header(headers, "x-amz-target").is_some() || ct.contains("json") {
        Protocol::Json
    } else if CredentialScope::from_request(headers, query).is_some_and(|s| s.service == "ec2") {
        Protocol::Ec2
    } else {
        Protocol::Query
    }
}

fn reject(protocol: Protocol, spec: Option<&'static ServiceSpec>, error: ApiError) -> Rejection {
    Rejection { protocol, spec, error }
}

fn unsupported_media(protocol: Protocol, spec: Option<&'static ServiceSpec>, got: &str, want: &str) -> Rejection {
    let got = if got.is_empty() { "(none)" } else { got };
    reject(
        protocol,
        spec,
        ApiError::new(
            "UnsupportedMediaTypeException",
            format!("Content-Type {got} is not supported here; send {want}"),
            415,
        ),
    )
}

/// Finds the service and operation a request is for.
pub fn route(specs: &[&'static ServiceSpec], req: &WireRequest<'_>) -> Result<Call, Rejection> {
    let ct = content_type(req.headers);
    let scope = CredentialScope::from_request(req.headers, req.query);
    let mut call = if let Some(proto) = header(req.headers, "smithy-protocol") {
        route_cbor(specs, req, proto, &ct)?
    } else if let Some(target) = header(req.headers, "x-amz-target") {
        route_json(specs, req, target, &ct)?
    } else {
        route_form(specs, req, &ct, scope.as_ref())?
    };
    call.scope = scope;
    Ok(call)
}

fn route_cbor(specs: &[&'static ServiceSpec], req: &WireRequest<'_>, proto: &str, ct: &str) -> Result<Call, Rejection> {
    let p = Protocol::RpcV2Cbor;
    if proto != "rpc-v2-cbor" {
        return Err(reject(
            p,
            None,
            ApiError::client(
                "UnknownOperationException",
                format!("Unsupported smithy-protocol {proto}"),
            ),
        ));
    }
    // `/service/{Service}/operation/{Operation}`, possibly under a prefix.
    let segments: Vec<&str> = req.path.trim_end_matches('/').rsplit('/').take(4).collect();
    let (service, operation) = match segments.as_slice() {
        [op, "operation", svc, "service"] => (*svc, *op),
        _ => {
            return Err(reject(
                p,
                None,
                ApiError::client(
                    "UnknownOperationException",
                    format!("{} is not an RPC v2 operation path", req.path),
                ),
            ));
        }
    };
    let Some(spec) = specs
        .iter()
        .copied()
        .find(|s| s.target_prefix == Some(service) && s.speaks(p))
    else {
        return Err(reject(
            p,
            None,
            ApiError::client("UnknownOperationException", format!("Unknown service {service}")),
        ));
    };
    if req.method != Method::POST {
        return Err(reject(
            p,
            Some(spec),
            ApiError::new("UnknownOperationException", "RPC v2 requests must be POST", 405),
        ));
    }
    if !req.body.is_empty() && ct != "application/cbor" {
        return Err(unsupported_media(p, Some(spec), ct, "application/cbor"));
    }
    Ok(Call {
        spec,
        protocol: p,
        operation: operation.to_string(),
        form: None,
        scope: None,
    })
}

fn route_json(
    specs: &[&'static ServiceSpec],
    req: &WireRequest<'_>,
    target: &str,
    ct: &str,
) -> Result<Call, Rejection> {
    let p = Protocol::Json;
    let Some((prefix, operation)) = target.rsplit_once('.') else {
        return Err(reject(
            p,
            None,
            ApiError::client("UnknownOperationException", format!("Malformed X-Amz-Target {target}")),
        ));
    };
    let Some(spec) = specs
        .iter()
        .copied()
        .find(|s| s.target_prefix == Some(prefix) && s.speaks(p))
    else {
        return Err(reject(
            p,
            None,
            ApiError::client("UnknownOperationException", format!("Unknown service target {prefix}")),
        ));
    };
    let ok_ct =
        ct.starts_with("application/x-amz-json-") || ct == "application/json" || (ct.is_empty() && req.body.is_empty());
    if !ok_ct {
        let want = format!("application/x-amz-json-{}", spec.json_version.unwrap_or("1.1"));
        return Err(unsupported_media(p, Some(spec), ct, &want));
    }
    Ok(Call {
        spec,
        protocol: p,
        operation: operation.to_string(),
        form: None,
        scope: None,
    })
}

fn route_form(
    specs: &[&'static ServiceSpec],
    req: &WireRequest<'_>,
    ct: &str,
    scope: Option<&CredentialScope>,
) -> Result<Call, Rejection> {
    let scoped = scope.and_then(|s| specs.iter().copied().find(|spec| spec.signing_name == s.service));
    let guess = scoped.map_or_else(
        || guess_protocol(req.headers, req.query),
        |s| s.protocols.first().copied().unwrap_or(Protocol::Query),
    );

    let mut pairs = match req.query {
        Some(q) => crate::protocol::form::parse_urlencoded(q.as_bytes()).map_err(|e| reject(guess, scoped, e))?,
        None => Vec::new(),
    };
    if !req.body.is_empty() {
        if ct != "application/x-www-form-urlencoded" {
            return Err(unsupported_media(
                guess,
                scoped,
                ct,
                "application/x-www-form-urlencoded",
            ));
        }
        pairs.extend(crate::protocol::form::parse_urlencoded(req.body).map_err(|e| reject(guess, scoped, e))?);
    }
    let tree = FormTree::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let Some(action) = tree.get("Action").filter(|a| !a.is_empty()).map(str::to_string) else {
        let err = match scoped {
            Some(_) => ApiError::client("MissingAction", "The request must contain the parameter Action"),
            None => ApiError::client(
                "UnrecognizedClientException",
                "Could not tell which AWS service this request is for: no X-Amz-Target, no Action and no known SigV4 service",
            ),
        };
        return Err(reject(guess, scoped, err));
    };
    let version = tree.get("Version");
    let form_specs = || {
        specs
            .iter()
            .copied()
            .filter(|s| s.speaks(Protocol::Ec2) || s.speaks(Protocol::Query))
    };
    let spec = scoped
        .filter(|s| s.speaks(Protocol::Ec2) || s.speaks(Protocol::Query))
        .or_else(|| version.and_then(|v| form_specs().find(|s| s.api_version == v)));
    let Some(spec) = spec else {
        let what = match (scope, version) {
            (Some(s), _) => format!("service {}", s.service),
            (None, Some(v)) => format!("API version {v}"),
            (None, None) => "a request without Version".to_string(),
        };
        return Err(reject(
            guess,
            None,
            ApiError::client("InvalidAction", format!("The action {action} is not valid for {what}")),
        ));
    };
    let protocol = if spec.speaks(Protocol::Ec2) {
        Protocol::Ec2
    } else {
        Protocol::Query
    };
    Ok(Call {
        spec,
        protocol,
        operation: action,
        form: Some(tree),
        scope: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_credential_scope() {
        let s = CredentialScope::parse("111122223333/20261126/eu-west-1/ec2/aws4_request");
        assert_eq!(
            s,
            Some(CredentialScope {
                access_key_id: "111122223333".into(),
                date: "20261126".into(),
                region: "eu-west-1".into(),
                service: "ec2".into(),
            })
        );
        assert_eq!(CredentialScope::parse("a/b/c"), None);
        assert_eq!(CredentialScope::parse("a/b/c/d/other"), None);
    }

    #[test]
    fn reads_scope_from_authorization_header() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261126/us-west-2/sts/aws4_request, SignedHeaders=host, Signature=abc"
                .parse()
                .unwrap(),
        );
        let s = CredentialScope::from_request(&h, None).unwrap();
        assert_eq!(s.region, "us-west-2");
        assert_eq!(s.service, "sts");
    }
}
