//! The HTTP side of Landbridge: one listener for every AWS service and the
//! `/_landbridge/` control API.
//!
//! Like mini-redis, `run` takes a listener that is already bound (tests bind
//! port 0) and a shutdown future; on shutdown it stops accepting, lets
//! in-flight requests finish and returns. All AWS semantics live in the wire
//! layer and the service crates; this crate only moves bytes and owns
//! process-wide state.

pub mod control;
pub mod dispatch;
pub mod endpoints;
pub mod registry;
mod s3_route;
mod world_datasync;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use tokio::net::TcpListener;

use endpoints::Endpoints;
use registry::Registry;

/// Largest request body the API accepts. The AWS query and JSON APIs served
/// here take kilobytes; S3 (which streams) will have its own path.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// The account for requests whose access key is not a 12-digit id.
    pub default_account: String,
    /// Where state and objects live.
    pub data_dir: PathBuf,
    pub lifecycle: landbridge_lifecycle::Lifecycle,
}

/// What every request handler can reach.
pub struct AppState {
    pub config: Config,
    pub registry: Registry,
    /// S3's REST-XML service (s3s over the object layer).
    pub s3: landbridge_s3::Endpoint,
    /// Whether S3 requests must carry valid signatures (`--enforce-sigv4`).
    pub enforce_sigv4: bool,
    pub endpoints: Endpoints,
    pub started: Instant,
}

impl AppState {
    pub fn new(config: Config, registry: Registry, s3: landbridge_s3::Endpoint, enforce_sigv4: bool) -> Self {
        Self {
            config,
            registry,
            s3,
            enforce_sigv4,
            endpoints: Endpoints::default(),
            started: Instant::now(),
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/_landbridge/health", get(control::health))
        .route("/_landbridge/endpoints", get(control::endpoints))
        .route("/_landbridge/reset", post(control::reset))
        .route("/_landbridge/clock", get(control::clock).post(control::advance_clock))
        .route("/_landbridge/next-hop", get(control::next_hop))
        .route("/_landbridge/world/vpn-tunnel", post(control::world_vpn_tunnel))
        .route(
            "/_landbridge/world/datasync-agents",
            post(world_datasync::start_appliance).get(world_datasync::list_appliances),
        )
        .route(
            "/_landbridge/world/datasync-agents/{address}",
            post(world_datasync::set_appliance),
        )
        .route(
            "/_landbridge/world/shares",
            post(world_datasync::add_share)
                .get(world_datasync::list_shares)
                .delete(world_datasync::remove_share),
        )
        .route("/moto-api/reset", post(control::reset))
        .route("/_landbridge/{*rest}", any(control::not_found))
        .fallback(aws)
        .with_state(state)
}

/// Serves until `shutdown` completes, then drains in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn aws(State(state): State<Arc<AppState>>, req: Request) -> Response {
    if let Some(scope) = s3_route::s3_request(req.headers(), req.method(), req.uri()) {
        return s3_route::serve(&state.s3, req, scope, state.enforce_sigv4).await;
    }
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().map(str::to_string);
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return to_response(dispatch::too_large(&parts.headers, query.as_deref(), MAX_BODY_BYTES)),
    };
    let incoming = dispatch::Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body,
    };
    to_response(dispatch::handle(state, incoming).await)
}

fn to_response(wire: landbridge_wire::WireResponse) -> Response {
    let mut builder = Response::builder().status(wire.status);
    for (name, value) in wire.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Body::from(wire.body))
        .unwrap_or_else(|_| http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
