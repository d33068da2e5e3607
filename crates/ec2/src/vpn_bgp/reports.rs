//! What speakers report, written into the region's tunnel statuses.

use std::sync::Arc;

use landbridge_api::Timestamp;
use landbridge_bgp::{Event, IpNet};
use tokio::sync::mpsc;

use crate::state::{Region, RegionState};
use crate::tunnel_status::{Learned, TunnelStatus, net_key};

/// Applies a speaker's events to the status of the tunnel at `outside_ip`
/// until the speaker stops.
pub async fn forward(region: Arc<Region>, outside_ip: String, mut events: mpsc::Receiver<Event>) {
    while let Some(event) = events.recv().await {
        let mut state = region.state.write().await;
        apply(&mut state, &outside_ip, event);
        drop(state);
        region.changed.notify_one();
    }
}

/// Marks a stopped speaker's tunnel down, saying why.
pub async fn stopped(region: &Region, outside_ip: &str, why: &str) {
    let mut state = region.state.write().await;
    apply(
        &mut state,
        outside_ip,
        Event::Down {
            reason: why.to_string(),
        },
    );
    drop(state);
    region.changed.notify_one();
}

fn apply(state: &mut RegionState, outside_ip: &str, event: Event) {
    let now = Timestamp::now().millis();
    let s = state.tunnels.entry(outside_ip.to_string()).or_default();
    match event {
        Event::Established { remote } => {
            tracing::info!(tunnel = outside_ip, %remote, "BGP session established");
            *s = TunnelStatus {
                up: true,
                changed_ms: now,
                ..TunnelStatus::default()
            };
        }
        Event::Down { reason } => {
            if s.up {
                tracing::info!(tunnel = outside_ip, %reason, "BGP session down");
                s.changed_ms = now;
            }
            s.up = false;
            s.routes.clear();
            s.other_routes.clear();
            s.last_error = Some(reason);
        }
        Event::Routes(changes) => {
            for p in changes.withdrawn {
                match p {
                    IpNet::V4(n) => {
                        s.routes.remove(&net_key(n));
                    }
                    IpNet::V6(n) => {
                        s.other_routes.remove(&n.to_string());
                    }
                }
            }
            for (p, path) in changes.announced {
                match p {
                    IpNet::V4(n) => {
                        s.routes.insert(
                            net_key(n),
                            Learned {
                                as_path_len: path.as_path_len,
                                med: path.med.unwrap_or(0),
                            },
                        );
                    }
                    IpNet::V6(n) => {
                        s.other_routes.insert(n.to_string());
                    }
                }
            }
        }
    }
    // Routes depend on tunnel statuses.
    state.generation += 1;
}
