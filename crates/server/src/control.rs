//! `/_landbridge/*`: Landbridge's own control API (not AWS).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use crate::AppState;

/// `GET /_landbridge/health`
pub async fn health(State(state): State<Arc<AppState>>) -> Json<Value> {
    let services: Map<String, Value> = state
        .registry
        .iter()
        .map(|s| (s.spec().id.to_string(), Value::String("running".into())))
        .collect();
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs_f64(),
        "data_dir": state.config.data_dir.display().to_string(),
        "services": services,
    }))
}

/// `GET /_landbridge/endpoints`
pub async fn endpoints(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "endpoints": state.endpoints.list() }))
}

/// Any other `/_landbridge/` path.
pub async fn not_found() -> (http::StatusCode, Json<Value>) {
    (
        http::StatusCode::NOT_FOUND,
        Json(json!({ "error": "NotFound", "message": "No such Landbridge control endpoint" })),
    )
}
