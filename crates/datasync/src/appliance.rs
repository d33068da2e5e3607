//! The emulated agent appliance: what a DataSync agent VM does before it is
//! an agent. It answers on its HTTP port with an activation key, exactly as
//! AWS documents for activating an agent without the console:
//!
//! ```text
//! curl "http://<agent-address>/?gatewayType=SYNC&activationRegion=<region>&no_redirect"
//! ```
//!
//! Without `no_redirect` it answers with a redirect carrying the key, as the
//! real appliance redirects a browser to the console. Each key is stored
//! (`ApplianceRec::keys`) so that `CreateAgent` accepts it once, in its
//! region, even after a restart.

use std::net::{Ipv4Addr, SocketAddr};

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

use crate::DataSync;

/// The port real appliances answer on; used when this process may bind it.
pub const HTTP_PORT: u16 = 80;

/// A running appliance's listener; dropping it does not stop it, `stop` does.
pub struct Running {
    pub port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `address` on `port`, or on HTTP's port when `port` is 0 and that
/// is allowed, else on a port the system picks.
pub async fn bind(address: Ipv4Addr, port: u16) -> std::io::Result<TcpListener> {
    if port != 0 {
        return TcpListener::bind(SocketAddr::from((address, port))).await;
    }
    match TcpListener::bind(SocketAddr::from((address, HTTP_PORT))).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied || e.kind() == std::io::ErrorKind::AddrInUse => {
            TcpListener::bind(SocketAddr::from((address, 0))).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Clone)]
struct Ctx {
    ds: DataSync,
    address: String,
}

/// Serves activation on `listener` until stopped.
pub fn serve(listener: TcpListener, ds: DataSync, address: String) -> std::io::Result<Running> {
    let port = listener.local_addr()?.port();
    let app = axum::Router::new()
        .route("/", axum::routing::get(activate))
        .with_state(Ctx { ds, address });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = served.await {
            tracing::warn!(error = %e, "DataSync agent appliance stopped");
        }
    });
    Ok(Running { port, stop, task })
}

#[derive(serde::Deserialize)]
struct ActivationQuery {
    #[serde(rename = "gatewayType")]
    gateway_type: Option<String>,
    #[serde(rename = "activationRegion")]
    activation_region: Option<String>,
    no_redirect: Option<String>,
}

async fn activate(State(ctx): State<Ctx>, Query(q): Query<ActivationQuery>) -> Response {
    let bad = |message: &str| (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response();
    if q.gateway_type.as_deref() != Some("SYNC") {
        return bad("this appliance is a DataSync agent: ask with gatewayType=SYNC");
    }
    let Some(region) = q.activation_region.filter(|r| looks_like_region(r)) else {
        return bad("activationRegion must name an AWS Region");
    };
    let key = match ctx.ds.issue_activation_key(&ctx.address, &region).await {
        Ok(k) => k,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", e.message)).into_response(),
    };
    if q.no_redirect.is_some() {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], key).into_response();
    }
    let location = format!("https://console.aws.amazon.com/datasync/home?region={region}&activationKey={key}");
    (StatusCode::FOUND, [(header::LOCATION, location)], "").into_response()
}

/// A fresh activation key in AWS's shape: five groups of five characters.
pub fn new_key() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: lowercase words and a
/// number, joined by dashes.
fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_regions_look_like_aws() {
        let k = new_key();
        assert_eq!(k.len(), 29);
        assert!(
            k.split('-')
                .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_alphanumeric()))
        );
        assert!(looks_like_region("us-east-1") && looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("us-east") && !looks_like_region("US-EAST-1") && !looks_like_region(""));
    }
}
