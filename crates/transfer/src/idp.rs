//! Custom identity providers. An API_GATEWAY server's users are whoever its
//! URL says they are: Landbridge sends what Transfer Family sends
//! (`GET <Url>/servers/<server-id>/users/<user>/config?protocol=SFTP&sourceIp=…`
//! with the password, if any, in a `Password` header) and reads the same
//! answer (`Role`, `HomeDirectory`, `HomeDirectoryType`,
//! `HomeDirectoryDetails` as a JSON string, `PublicKeys`, `PosixProfile`);
//! an answer without a `Role` refuses the sign-in.

use std::time::Duration;

use serde_json::Value;

use crate::Transfer;
use crate::model::{Mapping, PosixProfile, ServerRec, SshKeyRec, UserRec};

/// How long a provider may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What the provider was asked and what it said.
pub struct Answer {
    pub url: String,
    pub status: u16,
    pub body: String,
    /// The user it describes, if it let them in.
    pub user: Option<UserRec>,
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Asks the server's provider about `user`: an API_GATEWAY provider at
/// its URL, an AWS_LAMBDA provider through the Lambda Invoke API at
/// `lambda` (`--lambda-endpoint`) with the event a function receives.
pub async fn ask(
    transfer: &Transfer,
    server: &ServerRec,
    user: &str,
    password: Option<&str>,
    protocol: &str,
    source_ip: &str,
) -> Result<Answer, String> {
    let client = transfer.http();
    let (url, request) = match server.identity_provider_type.as_str() {
        "API_GATEWAY" => {
            let base = server
                .identity_provider
                .get("Url")
                .ok_or("the server has no identity provider URL")?;
            let url = format!(
                "{}/servers/{}/users/{}/config?protocol={}&sourceIp={}",
                base.trim_end_matches('/'),
                server.id,
                encode(user),
                encode(protocol),
                encode(source_ip)
            );
            let mut request = client.get(&url);
            if let Some(p) = password {
                request = request.header("Password", p);
            }
            (url, request)
        }
        "AWS_LAMBDA" => {
            let endpoint = transfer
                .lambda_endpoint()
                .ok_or("no Lambda endpoint is configured (--lambda-endpoint)")?;
            let function = server
                .identity_provider
                .get("Function")
                .ok_or("the server has no identity provider function")?;
            let url = format!(
                "{}/2015-03-31/functions/{}/invocations",
                endpoint.trim_end_matches('/'),
                encode(function)
            );
            let mut event = serde_json::json!({
                "username": user,
                "protocol": protocol,
                "serverId": server.id,
                "sourceIp": source_ip,
            });
            if let Some(p) = password {
                event["password"] = Value::from(p);
            }
            (url.clone(), client.post(&url).json(&event))
        }
        other => return Err(format!("the {other} identity provider type is not emulated yet")),
    };
    let response = request.send().await.map_err(|e| format!("calling {url}: {e}"))?;
    let status = response.status().as_u16();
    // A function that failed answers 200 with this header set.
    let failed = response.headers().contains_key("x-amz-function-error");
    let body = response.text().await.map_err(|e| format!("reading {url}: {e}"))?;
    let user = (status == 200 && !failed)
        .then(|| serde_json::from_str::<Value>(&body).ok())
        .flatten()
        .and_then(|v| user_from(server, user, &v));
    Ok(Answer {
        url,
        status,
        body,
        user,
    })
}

/// The user an answer describes; `None` without a `Role`.
fn user_from(server: &ServerRec, name: &str, v: &Value) -> Option<UserRec> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let role = text("Role").filter(|r| !r.is_empty())?;
    let mappings: Vec<Mapping> = text("HomeDirectoryDetails")
        .and_then(|d| serde_json::from_str::<Vec<Value>>(&d).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            Some(Mapping {
                entry: m.get("Entry")?.as_str()?.to_string(),
                target: m.get("Target")?.as_str()?.to_string(),
                kind: m.get("Type").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect();
    let keys = v
        .get("PublicKeys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(|k| SshKeyRec {
                    id: String::new(),
                    body: k.to_string(),
                    imported_ms: 0,
                })
                .collect()
        })
        .unwrap_or_default();
    let posix = v.get("PosixProfile").and_then(|p| {
        Some(PosixProfile {
            uid: p.get("Uid")?.as_i64()?,
            gid: p.get("Gid")?.as_i64()?,
            secondary_gids: Vec::new(),
        })
    });
    Some(UserRec {
        server_id: server.id.clone(),
        user_name: name.to_string(),
        arn: String::new(),
        account: server.account.clone(),
        region: server.region.clone(),
        role,
        policy: text("Policy"),
        home_directory_type: text("HomeDirectoryType")
            .unwrap_or_else(|| if mappings.is_empty() { "PATH" } else { "LOGICAL" }.to_string()),
        home_directory: text("HomeDirectory"),
        mappings,
        posix_profile: posix,
        ssh_keys: keys,
        tags: Default::default(),
    })
}
