//! A BGP-4 speaker that knows nothing of AWS.
//!
//! A [`Speaker`] is one session with one peer: it listens for the peer
//! (passive) or connects to it (active), runs the RFC 4271 state machine
//! (`fsm.rs`, no I/O) over a TCP connection (`session.rs`), advertises the
//! prefixes its owner sets, and reports what the peer announces and
//! withdraws as [`Event`]s. Messages are read and written by
//! `netgauze-bgp-pkt`; UPDATE errors are handled as RFC 7606 says
//! (`update.rs`), everything else unreadable gets a NOTIFICATION
//! (`notification.rs`) and a new session.

mod framing;
mod fsm;
pub mod md5;
mod notification;
mod session;
mod speaker;
mod update;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

pub use framing::read_all;
pub use fsm::State;
pub use ipnet::IpNet;
pub use notification::Notification;
pub use speaker::{Speaker, Transport};
pub use update::{Path, RouteChanges};

/// The 2-byte AS a 4-byte AS is written as where only 2 bytes fit
/// (RFC 6793).
pub const AS_TRANS: u16 = 23456;

/// The BGP port.
pub const PORT: u16 = 179;

/// One session's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub local_asn: u32,
    pub peer_asn: u32,
    pub router_id: Ipv4Addr,
    /// The hold time offered; keepalives go every third of the agreed one.
    pub hold_time: u16,
    /// The session is brought down (Cease, "Maximum Number of Prefixes
    /// Reached") when the peer announces more.
    pub max_prefixes: Option<u32>,
    /// TCP-MD5 key (RFC 2385).
    pub md5_key: Option<Vec<u8>>,
    /// The next hop of the IPv4 routes we advertise.
    pub next_hop: Ipv4Addr,
    /// The next hop of IPv6 routes; without one, none are advertised.
    pub next_hop_v6: Option<Ipv6Addr>,
    pub med: Option<u32>,
    /// Seconds between connection attempts of an active speaker.
    pub connect_retry_secs: u16,
}

/// What a speaker reports to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The session reached Established.
    Established { remote: SocketAddr },
    /// The peer announced or withdrew routes.
    Routes(RouteChanges),
    /// The session left Established: every route it brought is gone.
    Down { reason: String },
}
