//! The little HTTP/1.1 client the subcommands that talk to a running
//! Landbridge use (`world`, `datasync watch`): one request per connection
//! to a plain `http://host:port` endpoint.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result};

/// `host:port` of an `http://` endpoint.
pub fn authority(endpoint: &str) -> Result<&str> {
    Ok(endpoint
        .strip_prefix("http://")
        .with_context(|| format!("{endpoint} is not an http:// URL"))?
        .trim_end_matches('/'))
}

/// Sends one request; its status and body.
pub fn request(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Result<(u16, String)> {
    let authority = authority(endpoint)?;
    let mut stream = TcpStream::connect(authority).with_context(|| format!("connecting to {authority}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| "not an HTTP response".to_string())?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    Ok((status, body))
}
