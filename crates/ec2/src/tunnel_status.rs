//! What VPN tunnels' data planes report: whether each tunnel's BGP session
//! is up and which prefixes it learned.
//!
//! Kept in memory only, never in the store: after a restart the sessions
//! come back and learn again, and a tunnel with no session is down.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::cidr::Ipv4Cidr;
use crate::model::VpnConnectionRec;

/// An IPv4 prefix as `(network, length)`.
pub type Prefix = (u32, u8);

pub fn prefix_key(c: Ipv4Cidr) -> Prefix {
    (u32::from(c.network()), c.prefix())
}

pub fn net_key(n: ipnet::Ipv4Net) -> Prefix {
    (u32::from(n.network()), n.prefix_len())
}

pub fn prefix_cidr((network, len): Prefix) -> Option<Ipv4Cidr> {
    Ipv4Cidr::new(std::net::Ipv4Addr::from(network), len)
}

/// How good a learned path is: AWS prefers the shorter AS path, then the
/// lower MED (a missing MED counts as 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Learned {
    pub as_path_len: u32,
    pub med: u32,
}

#[derive(Debug, Clone, Default)]
pub struct TunnelStatus {
    pub up: bool,
    /// When `up` last changed (ms since the epoch).
    pub changed_ms: i64,
    /// IPv4 prefixes the session accepted.
    pub routes: BTreeMap<Prefix, Learned>,
    /// Other prefixes it accepted (IPv6), counted but not routed.
    pub other_routes: BTreeSet<String>,
    /// Why the session last went down.
    pub last_error: Option<String>,
}

impl TunnelStatus {
    pub fn accepted(&self) -> usize {
        self.routes.len() + self.other_routes.len()
    }
}

/// Tunnel statuses by outside address (unique in the process: the fabric
/// hands each out once).
pub type Tunnels = HashMap<String, TunnelStatus>;

/// The prefixes a VPN connection learned over BGP, each with its best path
/// over the tunnels that are up: when one tunnel goes, the other's paths
/// take over at once.
pub fn learned(tunnels: &Tunnels, c: &VpnConnectionRec) -> BTreeMap<Prefix, Learned> {
    let mut out: BTreeMap<Prefix, Learned> = BTreeMap::new();
    for t in &c.tunnels {
        let Some(s) = tunnels.get(&t.outside_ip).filter(|s| s.up) else {
            continue;
        };
        for (p, l) in &s.routes {
            out.entry(*p).and_modify(|best| *best = (*best).min(*l)).or_insert(*l);
        }
    }
    out
}
