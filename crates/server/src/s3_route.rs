//! Which requests are S3's, and handing them to s3s.
//!
//! S3 speaks REST-XML on arbitrary paths, so it is recognised by elimination:
//! a request signed for `s3` is S3's; an unsigned one is S3's unless it
//! carries another protocol's marks (`X-Amz-Target`, `smithy-protocol`, or an
//! `Action` parameter) or is a form POST.

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, Uri};
use landbridge_wire::CredentialScope;

/// `Some` (with the SigV4 scope, if signed) when the request is S3's.
pub fn s3_request(headers: &HeaderMap, method: &Method, uri: &Uri) -> Option<Option<CredentialScope>> {
    if let Some(scope) = CredentialScope::from_request(headers, uri.query()) {
        return (scope.service == "s3").then_some(Some(scope));
    }
    if headers.contains_key("x-amz-target") || headers.contains_key("smithy-protocol") {
        return None;
    }
    let has_action = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("Action=")));
    let form_post = method == Method::POST
        && headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    (!has_action && !form_post && uri.path() != "/").then_some(None)
}

/// Query parameters of a presigned URL's signature.
const PRESIGN_PARAMS: &[&str] = &[
    // Signature version 2 (the AWS CLI's `s3 presign` still makes these).
    "AWSAccessKeyId",
    "Signature",
    "Expires",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// Landbridge accepts any credentials (like other emulators): the caller's
/// scope goes into the request's extensions, then the signature is removed
/// so s3s serves the request without verifying it. Chunk-signed and
/// trailer-checksummed (`aws-chunked`) bodies are unframed here for the
/// same reason.
fn unsign(req: Request, scope: Option<CredentialScope>) -> Request {
    let scope = scope.or_else(|| v2_scope(&req));
    let (mut parts, body) = req.into_parts();
    if let Some(scope) = scope {
        parts.extensions.insert(landbridge_s3::CallerScope(scope));
    }
    parts.headers.remove(http::header::AUTHORIZATION);
    if let Some(q) = parts.uri.query()
        && (q.contains("X-Amz-Signature") || q.contains("Signature="))
    {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| !PRESIGN_PARAMS.iter().any(|n| p.split('=').next() == Some(*n)))
            .collect();
        let path_and_query = if kept.is_empty() {
            parts.uri.path().to_string()
        } else {
            format!("{}?{}", parts.uri.path(), kept.join("&"))
        };
        if let Ok(pq) = path_and_query.parse::<http::uri::PathAndQuery>() {
            let mut uri = parts.uri.clone().into_parts();
            uri.path_and_query = Some(pq);
            if let Ok(u) = Uri::from_parts(uri) {
                parts.uri = u;
            }
        }
    }
    let streaming = parts
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("STREAMING-"));
    if !streaming {
        return Request::from_parts(parts, body);
    }
    if let Some(len) = parts.headers.remove("x-amz-decoded-content-length") {
        parts.headers.insert(http::header::CONTENT_LENGTH, len);
    } else {
        parts.headers.remove(http::header::CONTENT_LENGTH);
    }
    parts.headers.insert(
        "x-amz-content-sha256",
        http::HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    parts.headers.remove("x-amz-trailer");
    if let Some(enc) = parts
        .headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    {
        let rest: Vec<&str> = enc
            .split(',')
            .map(str::trim)
            .filter(|e| *e != "aws-chunked" && !e.is_empty())
            .collect();
        if rest.is_empty() {
            parts.headers.remove(http::header::CONTENT_ENCODING);
        } else if let Ok(v) = http::HeaderValue::from_str(&rest.join(",")) {
            parts.headers.insert(http::header::CONTENT_ENCODING, v);
        }
    }
    let decoded = landbridge_s3::chunked::decode(body.into_data_stream());
    Request::from_parts(parts, Body::from_stream(decoded))
}

/// The caller of a signature-version-2 request (`Authorization: AWS
/// key:signature` or a `?AWSAccessKeyId=` presigned URL).
fn v2_scope(req: &Request) -> Option<CredentialScope> {
    let from_header = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.strip_prefix("AWS "))
        .and_then(|a| a.split(':').next())
        .map(str::to_string);
    let from_query = || {
        req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|p| p.strip_prefix("AWSAccessKeyId="))
                .map(str::to_string)
        })
    };
    let key = from_header.or_else(from_query)?;
    Some(CredentialScope {
        access_key_id: key,
        date: String::new(),
        region: "us-east-1".to_string(),
        service: "s3".to_string(),
    })
}

/// What decides whether an `Expect: 100-continue` request's connection must
/// close after the answer.
struct Expectation {
    expects: bool,
    empty: bool,
}

/// An `Expect: 100-continue` request can get its final answer without a
/// `100 Continue` first: when its body is empty, or when the answer is an
/// error decided before the body was read. The client then never sends the
/// body, so the connection cannot carry another request; and botocore keeps
/// parsing later responses on it with this answer's status line (its
/// AWSConnection resets that only for requests without `Expect`), so the
/// next upload hangs. Such connections are closed after the answer, saying so.
fn expectation(req: &Request) -> Expectation {
    let expects = req
        .headers()
        .get(http::header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let empty = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() == "0");
    Expectation { expects, empty }
}

pub async fn serve(
    s3: &landbridge_s3::Endpoint,
    req: Request,
    scope: Option<CredentialScope>,
    enforce_sigv4: bool,
) -> Response {
    let request_id = crate::dispatch::new_request_id();
    let expect = expectation(&req);
    let caller = scope.clone().or_else(|| v2_scope(&req));
    if let Some(bucket) = s3
        .s3
        .foreign_bucket(req.method(), req.uri(), req.headers(), caller.as_ref())
        .await
    {
        tracing::debug!(%bucket, "request for another account's bucket");
        let mut resp = error_response(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied", &request_id);
        // The body the client may be about to send is never read.
        if expect.expects || !expect.empty {
            resp.headers_mut()
                .insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
        }
        return resp;
    }
    let req = if enforce_sigv4 { req } else { unsign(req, scope) };
    let req = req.map(s3s::Body::http_body_unsync);
    match s3.service.call(req).await {
        Ok(resp) => {
            let mut resp = resp.map(Body::new);
            if let Ok(v) = http::HeaderValue::from_str(&request_id) {
                resp.headers_mut().insert("x-amz-request-id", v);
            }
            if expect.expects && (expect.empty || !resp.status().is_success()) {
                resp.headers_mut()
                    .insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = ?e, "S3 request failed");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
                &request_id,
            )
        }
    }
}

/// An S3 error document decided before s3s sees the request.
fn error_response(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    );
    let mut resp = (status, [("content-type", "application/xml")], body).into_response();
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amz-request-id", v);
    }
    resp
}
