//! The data plane of VPN tunnels that route dynamically: a BGP speaker on
//! each tunnel, with the gateway's Amazon side ASN, that the customer
//! gateway peers with.
//!
//! The controller reconciles the running speakers with the stored state
//! whenever a region changes (and every second, for states that move with
//! time alone): it starts and stops speakers and hands each the prefixes
//! it advertises (`desired.rs`). What the speakers report (session up or
//! down, prefixes learned) lands in `RegionState::tunnels` (`reports.rs`),
//! where the routing engine reads it.
//!
//! Until IPsec tunnels run, a session is reached directly on the tunnel's
//! outside address; the speaker already uses AWS's inside address as its
//! router id and next hop, so it can move inside the tunnel unchanged.

mod desired;
mod reports;

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use landbridge_bgp::{Config, Speaker, Transport};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::Ec2;
use desired::{Desired, Spec};

/// How sessions are run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The port speakers listen on; when it cannot be bound (no privilege
    /// for 179), the system picks one, listed in the endpoints.
    pub port: u16,
    /// AWS brings a session down when the customer gateway announces more
    /// than 100 prefixes.
    pub max_prefixes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: landbridge_bgp::PORT,
            max_prefixes: 100,
        }
    }
}

/// How long a tunnel whose speaker could not start waits for another try.
const RETRY: Duration = Duration::from_secs(10);

/// AWS's timers for VPN BGP sessions.
const HOLD_TIME: u16 = 30;

/// A running speaker.
struct Running {
    spec: Spec,
    speaker: Speaker,
    reports: JoinHandle<()>,
    bound: SocketAddr,
}

/// One data-plane listener, for `/_landbridge/endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub resource_id: String,
    pub protocol: &'static str,
    pub address: String,
    pub port: u16,
}

#[derive(Default)]
struct Sessions {
    running: HashMap<Ipv4Addr, Running>,
    /// Tunnels whose speaker could not start (address taken), with when:
    /// the reason is reported once, and a start is tried again after
    /// `RETRY`.
    failed: HashMap<Ipv4Addr, (Spec, Instant)>,
}

pub struct Controller {
    ec2: Ec2,
    settings: Settings,
    sessions: tokio::sync::Mutex<Sessions>,
    /// Tunnels cut with `landbridge world vpn-tunnel ... down`.
    cut: Mutex<HashSet<Ipv4Addr>>,
    /// What `running` listens on, readable without waiting.
    endpoints: Mutex<Vec<Endpoint>>,
}

impl Controller {
    pub fn new(ec2: Ec2, settings: Settings) -> Arc<Self> {
        Arc::new(Self {
            ec2,
            settings,
            sessions: tokio::sync::Mutex::new(Sessions::default()),
            cut: Mutex::new(HashSet::new()),
            endpoints: Mutex::new(Vec::new()),
        })
    }

    /// Reconciles until the process ends.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.reconcile().await;
            tokio::select! {
                _ = self.ec2.inner.regions.changed() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    pub fn endpoints(&self) -> Vec<Endpoint> {
        self.endpoints.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Cuts (`up` false) or restores a tunnel: a cut tunnel's session is
    /// closed and nothing answers on its address until it is restored.
    pub async fn set_tunnel(&self, outside_ip: Ipv4Addr, up: bool) {
        {
            let mut cut = self.cut.lock().unwrap_or_else(PoisonError::into_inner);
            if up {
                cut.remove(&outside_ip);
            } else {
                cut.insert(outside_ip);
            }
        }
        self.reconcile().await;
    }

    async fn reconcile(&self) {
        // Taken first, so that reconciles (the loop's, `set_tunnel`'s) act
        // in turn, each on what it read under the lock.
        let mut sessions = self.sessions.lock().await;
        let at = self.ec2.at();
        let mut desired: HashMap<Ipv4Addr, Desired> = HashMap::new();
        for region in self.ec2.inner.regions.all() {
            let state = region.state.read().await;
            desired::collect(&state, &region, &at, &mut desired);
        }
        let cut = self.cut.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let Sessions { running, failed } = &mut *sessions;

        failed.retain(|ip, (spec, _)| desired.get(ip).is_some_and(|d| d.spec == *spec));
        let stale: Vec<Ipv4Addr> = running
            .iter()
            .filter(|(ip, r)| cut.contains(ip) || desired.get(ip).is_none_or(|d| d.spec != r.spec))
            .map(|(ip, _)| *ip)
            .collect();
        for ip in stale {
            if let Some(r) = running.remove(&ip) {
                let why = if cut.contains(&ip) {
                    "tunnel cut"
                } else {
                    "tunnel reprovisioned"
                };
                r.speaker.stop().await;
                let _ = r.reports.await;
                if let Some(d) = desired.get(&ip) {
                    reports::stopped(&d.region, &ip.to_string(), why).await;
                }
            }
        }
        for (ip, d) in desired {
            if cut.contains(&ip) {
                continue;
            }
            if let Some(r) = running.get(&ip) {
                r.speaker.advertise(d.advertise);
                continue;
            }
            let earlier = failed.get(&ip).map(|(_, at)| *at);
            if earlier.is_some_and(|at| at.elapsed() < RETRY) {
                continue;
            }
            match self.start(&d).await {
                Ok(r) => {
                    r.speaker.advertise(d.advertise);
                    failed.remove(&ip);
                    running.insert(ip, r);
                }
                Err(e) => {
                    if earlier.is_none() {
                        tracing::warn!(tunnel = %ip, error = %e, "could not start a BGP speaker");
                        let why = format!("cannot listen on {ip}:{}: {e}", self.settings.port);
                        reports::stopped(&d.region, &ip.to_string(), &why).await;
                    }
                    failed.insert(ip, (d.spec, Instant::now()));
                }
            }
        }
        let list = running
            .values()
            .map(|r| Endpoint {
                resource_id: r.spec.vpn_connection_id.clone(),
                protocol: "bgp",
                address: r.bound.ip().to_string(),
                port: r.bound.port(),
            })
            .collect();
        *self.endpoints.lock().unwrap_or_else(PoisonError::into_inner) = list;
    }

    async fn start(&self, d: &Desired) -> std::io::Result<Running> {
        let s = &d.spec;
        let cfg = Config {
            local_asn: s.local_asn,
            peer_asn: s.peer_asn,
            router_id: s.aws_inside,
            hold_time: HOLD_TIME,
            max_prefixes: Some(self.settings.max_prefixes),
            md5_key: None,
            next_hop: s.aws_inside,
            next_hop_v6: None,
            med: None,
            connect_retry_secs: 10,
        };
        let (tx, rx) = mpsc::channel(64);
        let addr = SocketAddr::from((s.outside_ip, self.settings.port));
        let speaker = match Speaker::start(Transport::Listen(addr), cfg.clone(), tx.clone()).await {
            Ok(sp) => sp,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && self.settings.port != 0 => {
                Speaker::start(Transport::Listen(SocketAddr::from((s.outside_ip, 0))), cfg, tx).await?
            }
            Err(e) => return Err(e),
        };
        let bound = speaker.local_addr().unwrap_or(addr);
        tracing::info!(vpn = %s.vpn_connection_id, %bound, "BGP speaker listening");
        let reports = tokio::spawn(reports::forward(d.region.clone(), s.outside_ip.to_string(), rx));
        Ok(Running {
            spec: s.clone(),
            speaker,
            reports,
            bound,
        })
    }
}
