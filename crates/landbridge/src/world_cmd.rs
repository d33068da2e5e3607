//! `landbridge world ...`: tells a running Landbridge about an event of the
//! physical world through its control API (`/_landbridge/world/...`).

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::cli::{ApplianceAction, ClockAction, ShareAction, WorldCommand};
use crate::http_client::request;

/// `SERVER:EXPORT`, split at the first colon.
fn share_parts(share: &str) -> Result<(&str, &str)> {
    share
        .split_once(':')
        .filter(|(s, e)| !s.is_empty() && e.starts_with('/'))
        .with_context(|| format!("{share:?} is not SERVER:/EXPORT"))
}

/// `%`-encodes a query value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn run(endpoint: &str, account: &str, region: &str, command: WorldCommand) -> Result<()> {
    let (method, path, body) = match command {
        WorldCommand::VpnTunnel {
            vpn_connection_id,
            outside_ip,
            state,
        } => (
            "POST",
            "/_landbridge/world/vpn-tunnel".to_string(),
            json!({
                "vpnConnectionId": vpn_connection_id,
                "outsideIpAddress": outside_ip,
                "state": state,
                "account": account,
                "region": region,
            }),
        ),
        WorldCommand::DatasyncAgent { action, port } => match action {
            None => (
                "POST",
                "/_landbridge/world/datasync-agents".to_string(),
                json!({ "port": port }),
            ),
            Some(ApplianceAction::List) => ("GET", "/_landbridge/world/datasync-agents".to_string(), json!({})),
            Some(ApplianceAction::Stop { address }) => (
                "POST",
                format!("/_landbridge/world/datasync-agents/{address}"),
                json!({ "state": "stopped" }),
            ),
            Some(ApplianceAction::Start { address }) => (
                "POST",
                format!("/_landbridge/world/datasync-agents/{address}"),
                json!({ "state": "running" }),
            ),
        },
        WorldCommand::Share { action } => match action {
            ShareAction::Add { share, local_dir } => {
                let (server, export) = share_parts(&share)?;
                let dir = local_dir
                    .canonicalize()
                    .with_context(|| format!("{}", local_dir.display()))?;
                (
                    "POST",
                    "/_landbridge/world/shares".to_string(),
                    json!({ "server": server, "export": export, "localDir": dir }),
                )
            }
            ShareAction::Remove { share } => {
                let (server, export) = share_parts(&share)?;
                (
                    "DELETE",
                    format!(
                        "/_landbridge/world/shares?server={}&export={}",
                        encode(server),
                        encode(export)
                    ),
                    json!({}),
                )
            }
            ShareAction::List => ("GET", "/_landbridge/world/shares".to_string(), json!({})),
        },
        WorldCommand::Clock { action } => match action {
            None => ("GET", "/_landbridge/clock".to_string(), json!({})),
            Some(ClockAction::Advance { by }) => (
                "POST",
                "/_landbridge/clock".to_string(),
                json!({ "advanceSeconds": by }),
            ),
        },
    };
    let headers = [("Content-Type", "application/json".to_string())];
    let (status, answer) = request(endpoint, method, &path, &headers, body.to_string().as_bytes())?;
    println!("{answer}");
    if !(200..300).contains(&status) {
        bail!("Landbridge answered HTTP {status}");
    }
    Ok(())
}
