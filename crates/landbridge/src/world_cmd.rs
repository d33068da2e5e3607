//! `landbridge world ...`: tells a running Landbridge about an event of the
//! physical world through its control API (`/_landbridge/world/...`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::cli::WorldCommand;

pub fn run(endpoint: &str, account: &str, region: &str, command: WorldCommand) -> Result<()> {
    let (path, body) = match command {
        WorldCommand::VpnTunnel {
            vpn_connection_id,
            outside_ip,
            state,
        } => (
            "/_landbridge/world/vpn-tunnel",
            json!({
                "vpnConnectionId": vpn_connection_id,
                "outsideIpAddress": outside_ip,
                "state": state,
                "account": account,
                "region": region,
            }),
        ),
    };
    let (status, answer) = post(endpoint, path, &body.to_string())?;
    println!("{answer}");
    if !(200..300).contains(&status) {
        bail!("Landbridge answered HTTP {status}");
    }
    Ok(())
}

/// One HTTP/1.1 POST to a plain `http://host:port` endpoint.
fn post(endpoint: &str, path: &str, body: &str) -> Result<(u16, String)> {
    let authority = endpoint
        .strip_prefix("http://")
        .with_context(|| format!("{endpoint} is not an http:// URL"))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).with_context(|| format!("connecting to {authority}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
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
