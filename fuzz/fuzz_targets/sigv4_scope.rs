//! SigV4 credential scopes, from the `Authorization` header and from a
//! presigned URL's query: any bytes give a scope or nothing, never a panic.
#![no_main]

use http::{HeaderMap, HeaderValue};
use landbridge_wire::CredentialScope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = CredentialScope::parse(&text);
    let _ = CredentialScope::from_request(&HeaderMap::new(), Some(&text));
    if let Ok(v) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", v);
        let _ = CredentialScope::from_request(&headers, None);
    }
});
