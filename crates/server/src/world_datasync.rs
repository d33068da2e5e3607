//! The DataSync side of the world: agent appliances and file shares.
//!
//! - `POST /_landbridge/world/datasync-agents` (`{}` or `{"port": N}`):
//!   starts an appliance on a fabric address and answers with it.
//! - `GET /_landbridge/world/datasync-agents`: every appliance.
//! - `POST /_landbridge/world/datasync-agents/{address}` with
//!   `{"state": "stopped"|"running"}`: stops or restarts one.
//! - `POST /_landbridge/world/shares` with `{"server","export","localDir"}`,
//!   `GET /_landbridge/world/shares`, and `DELETE
//!   /_landbridge/world/shares?server=S&export=E`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;

type Answer = (StatusCode, Json<Value>);

fn bad(status: StatusCode, error: &str, message: impl Into<String>) -> Answer {
    (status, Json(json!({ "error": error, "message": message.into() })))
}

fn datasync(state: &AppState) -> Result<&landbridge_datasync::DataSync, Answer> {
    state
        .registry
        .datasync()
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, "NotFound", "DataSync is not running"))
}

fn body_json(body: &[u8]) -> Result<Value, Answer> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| bad(StatusCode::BAD_REQUEST, "BadRequest", "the body must be JSON"))
}

fn appliance_json(a: &landbridge_datasync::model::ApplianceRec, running: bool) -> Value {
    json!({
        "address": a.address,
        "port": a.port,
        "url": format!("http://{}:{}/", a.address, a.port),
        "state": if running { "running" } else { "stopped" },
        "keysIssued": a.keys.len(),
    })
}

pub async fn start_appliance(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Answer {
    let run = async {
        let ds = datasync(&state)?;
        let req = body_json(&body)?;
        let port = match req.get("port") {
            None | Some(Value::Null) => 0,
            Some(p) => p
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| bad(StatusCode::BAD_REQUEST, "BadRequest", "port must be a port number"))?,
        };
        let rec = ds
            .start_appliance(port)
            .await
            .map_err(|m| bad(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", m))?;
        Ok::<_, Answer>((StatusCode::OK, Json(appliance_json(&rec, true))))
    };
    run.await.unwrap_or_else(|e| e)
}

pub async fn list_appliances(State(state): State<Arc<AppState>>) -> Answer {
    match datasync(&state) {
        Ok(ds) => {
            let running: std::collections::HashSet<String> = ds.endpoints().into_iter().map(|e| e.address).collect();
            let list: Vec<Value> = ds
                .appliances()
                .await
                .iter()
                .map(|a| appliance_json(a, running.contains(&a.address)))
                .collect();
            (StatusCode::OK, Json(json!({ "appliances": list })))
        }
        Err(e) => e,
    }
}

pub async fn set_appliance(
    State(state): State<Arc<AppState>>,
    Path(address): Path<String>,
    body: axum::body::Bytes,
) -> Answer {
    let run = async {
        let ds = datasync(&state)?;
        let req = body_json(&body)?;
        let run = match req.get("state").and_then(Value::as_str) {
            Some("running") => true,
            Some("stopped") => false,
            _ => {
                return Err(bad(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "state must be running or stopped",
                ));
            }
        };
        let rec = ds
            .set_appliance_running(&address, run)
            .await
            .map_err(|m| bad(StatusCode::NOT_FOUND, "NotFound", m))?;
        Ok((StatusCode::OK, Json(appliance_json(&rec, run))))
    };
    run.await.unwrap_or_else(|e| e)
}

pub async fn add_share(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Answer {
    let run = async {
        let ds = datasync(&state)?;
        let req = body_json(&body)?;
        let field = |n: &str| req.get(n).and_then(Value::as_str);
        let (Some(server), Some(export), Some(dir)) = (field("server"), field("export"), field("localDir")) else {
            return Err(bad(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "server, export and localDir are required",
            ));
        };
        let rec = ds
            .add_share(server, export, std::path::Path::new(dir))
            .await
            .map_err(|m| bad(StatusCode::BAD_REQUEST, "BadRequest", m))?;
        Ok((
            StatusCode::OK,
            Json(json!({ "server": rec.server, "export": rec.export, "localDir": rec.local_dir })),
        ))
    };
    run.await.unwrap_or_else(|e| e)
}

pub async fn list_shares(State(state): State<Arc<AppState>>) -> Answer {
    match datasync(&state) {
        Ok(ds) => {
            let list: Vec<Value> = ds
                .shares()
                .await
                .into_iter()
                .map(|s| json!({ "server": s.server, "export": s.export, "localDir": s.local_dir }))
                .collect();
            (StatusCode::OK, Json(json!({ "shares": list })))
        }
        Err(e) => e,
    }
}

pub async fn remove_share(State(state): State<Arc<AppState>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let run = async {
        let ds = datasync(&state)?;
        let (Some(server), Some(export)) = (q.get("server"), q.get("export")) else {
            return Err(bad(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "server and export are required",
            ));
        };
        ds.remove_share(server, export)
            .await
            .map_err(|m| bad(StatusCode::NOT_FOUND, "NotFound", m))?;
        Ok((StatusCode::OK, Json(json!({ "server": server, "export": export }))))
    };
    run.await.unwrap_or_else(|e| e)
}
