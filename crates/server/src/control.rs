//! `/_landbridge/*`: Landbridge's own control API (not AWS).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Map, Value, json};

use crate::AppState;

/// `GET /_landbridge/health`
pub async fn health(State(state): State<Arc<AppState>>) -> Json<Value> {
    let mut services: Map<String, Value> = state
        .registry
        .iter()
        .map(|s| (s.spec().id.to_string(), Value::String("running".into())))
        .collect();
    services.insert("s3".to_string(), Value::String("running".into()));
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs_f64(),
        "data_dir": state.config.data_dir.display().to_string(),
        "lifecycle": {
            "mode": match state.config.lifecycle.mode {
                landbridge_lifecycle::Mode::Instant => "instant",
                landbridge_lifecycle::Mode::Realistic => "realistic",
            },
            "time_scale": state.config.lifecycle.time_scale,
        },
        "services": services,
    }))
}

/// `GET /_landbridge/endpoints`: every data-plane listener.
pub async fn endpoints(State(state): State<Arc<AppState>>) -> Json<Value> {
    let mut list = state.endpoints.list();
    if let Some(ec2) = state.registry.ec2() {
        list.extend(ec2.endpoints().into_iter().map(|e| crate::endpoints::Endpoint {
            resource_id: e.resource_id,
            protocol: e.protocol.to_string(),
            address: e.address,
            port: e.port,
        }));
    }
    if let Some(ds) = state.registry.datasync() {
        list.extend(ds.endpoints().into_iter().map(|e| crate::endpoints::Endpoint {
            resource_id: "datasync-agent-appliance".to_string(),
            protocol: "http".to_string(),
            address: e.address,
            port: e.port,
        }));
    }
    if let Some(t) = state.registry.transfer() {
        list.extend(t.endpoints().into_iter().map(|e| crate::endpoints::Endpoint {
            resource_id: e.server_id,
            protocol: e.protocol.to_string(),
            address: e.address,
            port: e.port,
        }));
    }
    Json(json!({ "endpoints": list }))
}

/// `POST /_landbridge/world/vpn-tunnel` with `{"vpnConnectionId",
/// "outsideIpAddress", "state": "up"|"down"[, "account"][, "region"]}`:
/// cuts or restores a VPN tunnel, as a fiber cut or its repair would.
pub async fn world_vpn_tunnel(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> (http::StatusCode, Json<Value>) {
    let bad = |status: http::StatusCode, error: &str, message: String| {
        (status, Json(json!({ "error": error, "message": message })))
    };
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return bad(
            http::StatusCode::BAD_REQUEST,
            "BadRequest",
            "the body must be JSON".into(),
        );
    };
    let field = |name: &str| req.get(name).and_then(Value::as_str);
    let (Some(vpn), Some(ip), Some(wanted)) = (field("vpnConnectionId"), field("outsideIpAddress"), field("state"))
    else {
        return bad(
            http::StatusCode::BAD_REQUEST,
            "BadRequest",
            "vpnConnectionId, outsideIpAddress and state are required".into(),
        );
    };
    let up = match wanted {
        "up" => true,
        "down" => false,
        other => {
            return bad(
                http::StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("state must be up or down, not {other:?}"),
            );
        }
    };
    let account = field("account").unwrap_or(&state.config.default_account);
    let region = field("region").unwrap_or("us-east-1");
    let Some(ec2) = state.registry.ec2() else {
        return bad(http::StatusCode::NOT_FOUND, "NotFound", "EC2 is not running".into());
    };
    match ec2.set_tunnel(account, region, vpn, ip, up).await {
        Ok(()) => (
            http::StatusCode::OK,
            Json(json!({ "vpnConnectionId": vpn, "outsideIpAddress": ip, "state": wanted })),
        ),
        Err(message) => bad(http::StatusCode::NOT_FOUND, "NotFound", message),
    }
}

/// `GET /_landbridge/next-hop?routeTableId=ID&destination=IP[&account=ID][&region=R]`:
/// the route a packet to IP takes from a VPC or transit gateway route table
/// (`nextHop` null when no route covers it).
pub async fn next_hop(
    State(state): State<Arc<AppState>>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> (http::StatusCode, Json<Value>) {
    let bad = |status: http::StatusCode, message: String| {
        (status, Json(json!({ "error": "BadRequest", "message": message })))
    };
    let Some(table) = params.get("routeTableId") else {
        return bad(http::StatusCode::BAD_REQUEST, "routeTableId is required".into());
    };
    let Some(dest) = params
        .get("destination")
        .and_then(|d| d.parse::<std::net::Ipv4Addr>().ok())
    else {
        return bad(
            http::StatusCode::BAD_REQUEST,
            "destination must be an IPv4 address".into(),
        );
    };
    let account = params.get("account").unwrap_or(&state.config.default_account);
    let region = params.get("region").map_or("us-east-1", String::as_str);
    let Some(ec2) = state.registry.ec2() else {
        return bad(http::StatusCode::NOT_FOUND, "EC2 is not running".into());
    };
    match ec2.next_hop(account, region, table, dest).await {
        Ok(hop) => (http::StatusCode::OK, Json(json!({ "nextHop": hop }))),
        Err(message) => (
            http::StatusCode::NOT_FOUND,
            Json(json!({ "error": "NotFound", "message": message })),
        ),
    }
}

/// Any other `/_landbridge/` path.
pub async fn not_found() -> (http::StatusCode, Json<Value>) {
    (
        http::StatusCode::NOT_FOUND,
        Json(json!({ "error": "NotFound", "message": "No such Landbridge control endpoint" })),
    )
}

/// `POST /_landbridge/reset[?service=ID]` and `POST /moto-api/reset`: forget
/// the state of one service or of all, durably. Existing moto-style test
/// suites call the second between tests.
pub async fn reset(
    State(state): State<Arc<AppState>>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> (http::StatusCode, Json<Value>) {
    let wanted = params.get("service").map(String::as_str);
    if let Some(s) = wanted
        && !state.registry.stateful().iter().any(|svc| svc.service() == s)
        && !state.registry.specs().iter().any(|spec| spec.id == s)
    {
        return (
            http::StatusCode::BAD_REQUEST,
            Json(json!({ "error": "UnknownService", "message": format!("No service {s}") })),
        );
    }
    let mut done = Vec::new();
    for svc in state.registry.stateful() {
        if wanted.is_some_and(|w| w != svc.service()) {
            continue;
        }
        if let Err(e) = svc.reset().await {
            return (
                http::StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": e.code, "message": e.message })),
            );
        }
        done.push(svc.service());
    }
    tracing::info!(services = ?done, "state reset");
    (http::StatusCode::OK, Json(json!({ "status": "ok", "reset": done })))
}

fn clock_view() -> Value {
    let now = time::OffsetDateTime::from(landbridge_clock::now());
    json!({
        "now": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "offsetSeconds": landbridge_clock::offset().as_secs_f64(),
    })
}

/// `GET /_landbridge/clock`: Landbridge's time and how far ahead of the
/// wall clock a test has moved it.
pub async fn clock() -> Json<Value> {
    Json(clock_view())
}

/// `POST /_landbridge/clock` with `{"advanceSeconds": N}`: moves the clock
/// forward (never back), so schedules fall due without waiting for them.
pub async fn advance_clock(body: axum::body::Bytes) -> (http::StatusCode, Json<Value>) {
    let seconds = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("advanceSeconds").and_then(Value::as_f64))
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 100.0 * 365.0 * 86_400.0);
    let Some(seconds) = seconds else {
        return (
            http::StatusCode::BAD_REQUEST,
            Json(json!({
                "error": "InvalidClockAdvance",
                "message": "Body must be {\"advanceSeconds\": N} with N > 0 (at most a hundred years): the clock only moves forward",
            })),
        );
    };
    if landbridge_clock::advance(std::time::Duration::from_secs_f64(seconds)).is_none() {
        return (
            http::StatusCode::BAD_REQUEST,
            Json(json!({
                "error": "InvalidClockAdvance",
                "message": "The clock runs at most a hundred years ahead of the wall clock",
            })),
        );
    }
    (http::StatusCode::OK, Json(clock_view()))
}
