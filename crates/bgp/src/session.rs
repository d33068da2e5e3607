//! One TCP connection of a session: reads messages, runs the timers, feeds
//! the state machine and carries out what it says, and keeps the
//! Adj-RIB-In (what the peer announced) and Adj-RIB-Out (what it was sent).

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::{FutureExt, StreamExt};
use ipnet::IpNet;
use netgauze_bgp_pkt::BgpMessage;
use netgauze_bgp_pkt::capabilities::{BgpCapability, FourOctetAsCapability, MultiProtocolExtensionsCapability};
use netgauze_bgp_pkt::codec::BgpCodec;
use netgauze_bgp_pkt::open::{BgpOpenMessage, BgpOpenMessageParameter};
use netgauze_iana::address_family::AddressType;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};
use tokio_util::codec::{Encoder, FramedRead};

use crate::framing::{Frame, FrameError, Framing};
use crate::fsm::{Fsm, Input, Output, PeerOpen, State};
use crate::notification::Notification;
use crate::update::{self, Advertised, Path, RouteChanges};
use crate::{AS_TRANS, Config, Event};

/// How many messages already received are read before what they changed
/// is reported, so that a large announcement reaches the owner in a few
/// batches rather than one event per UPDATE.
const BATCH: usize = 256;

/// How long a write may wait for the peer to read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the connection loop returned.
pub(crate) enum Ended {
    /// The state machine went back to Idle.
    Idle,
    /// The speaker is being stopped.
    Stopped,
}

/// What stops or disables a running session from outside.
pub(crate) struct Control {
    pub advert: watch::Receiver<Arc<BTreeSet<IpNet>>>,
    pub enabled: watch::Receiver<bool>,
    pub stop: watch::Receiver<bool>,
    pub events: mpsc::Sender<Event>,
}

pub(crate) struct Connection<'a> {
    cfg: &'a Config,
    fsm: &'a mut Fsm,
    ctl: &'a mut Control,
    remote: SocketAddr,
    writer: OwnedWriteHalf,
    encoder: BgpCodec,
    hold: Option<Instant>,
    keepalive: Option<Instant>,
    /// The peer reads 4-byte AS numbers / takes IPv6 unicast routes.
    peer_asn4: bool,
    peer_ipv6: bool,
    adj_rib_in: HashMap<IpNet, Path>,
    adj_rib_out: BTreeSet<IpNet>,
    /// Route changes read but not yet reported, as each prefix's latest
    /// state (`None`: withdrawn): within a batch only the last word on a
    /// prefix counts, whatever came before it.
    pending: HashMap<IpNet, Option<Path>>,
    /// Why the session ends: the first cause noted wins.
    reason: Option<String>,
    close: bool,
    write_failed: bool,
}

impl<'a> Connection<'a> {
    /// Runs one connection until the session is Idle again or the speaker
    /// stops. `accept` yields connections that arrive meanwhile (passive
    /// speakers), which are refused while this one lasts.
    pub(crate) async fn run(
        stream: TcpStream,
        cfg: &'a Config,
        fsm: &'a mut Fsm,
        ctl: &'a mut Control,
        accept: Option<&tokio::net::TcpListener>,
    ) -> Ended {
        let remote = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let _ = stream.set_nodelay(true);
        // With a hold time of 0 nothing else would notice a peer that
        // vanished without closing the connection.
        let keepalive = socket2::TcpKeepalive::new()
            .with_time(Duration::from_secs(30))
            .with_interval(Duration::from_secs(10));
        let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive);
        let (read, writer) = stream.into_split();
        let mut reader = FramedRead::new(read, Framing::default());
        let mut conn = Connection {
            cfg,
            fsm,
            ctl,
            remote,
            writer,
            encoder: BgpCodec::new(true),
            hold: None,
            keepalive: None,
            peer_asn4: false,
            peer_ipv6: false,
            adj_rib_in: HashMap::new(),
            adj_rib_out: BTreeSet::new(),
            pending: HashMap::new(),
            reason: None,
            close: false,
            write_failed: false,
        };
        conn.feed(Input::TcpEstablished, None).await;
        let far = Instant::now() + Duration::from_secs(86400 * 365);
        while !conn.close {
            // In this order: what already arrived on this connection (a
            // close included) comes before a new connection is considered,
            // so a peer that reconnects is not refused for an old one.
            tokio::select! {
                biased;
                frame = reader.next() => {
                    conn.frame(frame).await;
                    // Read what else has already arrived before reporting.
                    for _ in 0..BATCH {
                        if conn.close {
                            break;
                        }
                        match reader.next().now_or_never() {
                            Some(frame) => conn.frame(frame).await,
                            None => break,
                        }
                    }
                    conn.flush().await;
                }
                _ = sleep_until(conn.hold.unwrap_or(far)), if conn.hold.is_some() => {
                    conn.note("hold timer expired");
                    conn.feed(Input::HoldExpired, None).await;
                }
                _ = sleep_until(conn.keepalive.unwrap_or(far)), if conn.keepalive.is_some() => {
                    conn.feed(Input::KeepaliveDue, None).await;
                }
                changed = conn.ctl.advert.changed() => {
                    if changed.is_ok() && conn.fsm.state() == State::Established {
                        conn.send_advertisement_changes().await;
                    }
                }
                changed = conn.ctl.enabled.changed() => {
                    if changed.is_err() || !*conn.ctl.enabled.borrow_and_update() {
                        conn.note("administratively down");
                        conn.feed(Input::Stop, None).await;
                    }
                }
                _ = conn.ctl.stop.changed() => {
                    conn.note("peer de-configured");
                    conn.feed(Input::MessageError(Notification::peer_deconfigured()), None).await;
                    return Ended::Stopped;
                }
                Some(Ok((mut other, _))) = async {
                    match accept {
                        Some(l) => Some(l.accept().await),
                        None => None,
                    }
                } => {
                    tracing::debug!(remote = %conn.remote, "refusing a second connection");
                    let refusal = Notification::connection_rejected().encode();
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, other.write_all(&refusal)).await;
                }
            }
            if conn.write_failed && conn.fsm.state() != State::Idle {
                conn.write_failed = false;
                conn.note("connection lost while sending");
                conn.feed(Input::TcpFailed, None).await;
            }
        }
        Ended::Idle
    }

    async fn frame(&mut self, frame: Option<Result<Frame, FrameError>>) {
        match frame {
            None => {
                self.note("connection closed by the peer");
                self.feed(Input::TcpFailed, None).await;
            }
            Some(Err(FrameError::Refused(n, e))) => {
                tracing::info!(remote = %self.remote, error = %e, "malformed BGP message");
                self.note(&format!("sent {}: {e}", n.describe()));
                self.feed(Input::MessageError(n), None).await;
            }
            Some(Err(e)) => {
                self.note(&format!("connection error: {e}"));
                self.feed(Input::TcpFailed, None).await;
            }
            Some(Ok(Frame::Notification(n))) => {
                self.note(&format!("the peer sent {}", n.describe()));
                self.feed(Input::Notification, None).await;
            }
            Some(Ok(Frame::Message(msg, ignored))) => match msg {
                BgpMessage::Open(open) => {
                    let caps = open.capabilities();
                    self.peer_asn4 = caps.iter().any(|c| matches!(c, BgpCapability::FourOctetAs(_)));
                    self.peer_ipv6 = caps.iter().any(|c| {
                        matches!(c, BgpCapability::MultiProtocolExtensions(m) if m.address_type() == AddressType::Ipv6Unicast)
                    });
                    let peer = PeerOpen {
                        asn: open.my_asn4(),
                        hold_time: open.hold_time(),
                        router_id: open.bgp_id(),
                    };
                    self.feed(Input::Open(peer), None).await;
                }
                BgpMessage::KeepAlive => self.feed(Input::Keepalive, None).await,
                // `framing.rs` reads NOTIFICATIONs itself; the codec sees
                // none it could decode.
                BgpMessage::Notification(_) => {
                    self.note("the peer sent a NOTIFICATION");
                    self.feed(Input::Notification, None).await;
                }
                BgpMessage::RouteRefresh(_) => self.feed(Input::RouteRefresh, None).await,
                BgpMessage::Update(u) => {
                    let read = update::read(&u, &ignored, self.cfg.peer_asn, self.cfg.local_asn);
                    self.feed(Input::Update, Some(read)).await;
                }
            },
        }
    }

    /// Feeds one input and carries out the outputs; `update` is what the
    /// UPDATE being fed says, for `ProcessUpdate`.
    async fn feed(&mut self, input: Input, mut update: Option<Result<RouteChanges, Notification>>) {
        let mut queue: std::collections::VecDeque<Output> = self.fsm.handle(input).into();
        while let Some(out) = queue.pop_front() {
            match out {
                Output::SendOpen => {
                    let open = self.open_message();
                    self.send(vec![open]).await;
                }
                Output::SendKeepalive => self.send(vec![BgpMessage::KeepAlive]).await,
                Output::SendNotification(n) => {
                    self.note(&format!("sent {}", n.describe()));
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, self.writer.write_all(&n.encode())).await;
                }
                Output::Close => {
                    let _ = self.writer.shutdown().await;
                    self.close = true;
                }
                Output::ArmHold(s) => self.hold = Some(Instant::now() + Duration::from_secs(s.into())),
                Output::DisarmHold => self.hold = None,
                Output::ArmKeepalive(s) => self.keepalive = Some(Instant::now() + Duration::from_secs(s.into())),
                Output::DisarmKeepalive => self.keepalive = None,
                Output::Connect | Output::ArmConnectRetry | Output::DisarmConnectRetry => {}
                Output::Established { .. } => {
                    self.emit(Event::Established { remote: self.remote }).await;
                    self.send_advertisement_changes().await;
                    self.send(vec![update::end_of_rib()]).await;
                }
                Output::ProcessUpdate => match update.take() {
                    Some(Ok(changes)) => {
                        if let Some(n) = self.apply(changes) {
                            queue.extend(self.fsm.handle(Input::MessageError(n)));
                        }
                    }
                    Some(Err(n)) => queue.extend(self.fsm.handle(Input::MessageError(n))),
                    None => {}
                },
                Output::Resend => {
                    let all: Vec<IpNet> = self.adj_rib_out.iter().copied().collect();
                    let msgs = update::build(&self.advertised(), &all, &[], self.peer_ipv6);
                    self.send(msgs).await;
                }
                Output::Down => {
                    self.pending.clear();
                    self.adj_rib_in.clear();
                    let reason = self.reason.clone().unwrap_or_else(|| "connection closed".into());
                    self.emit(Event::Down { reason }).await;
                }
            }
        }
    }

    /// Applies an UPDATE's changes to the Adj-RIB-In; the NOTIFICATION to
    /// send when the peer went over its prefix limit.
    fn apply(&mut self, changes: RouteChanges) -> Option<Notification> {
        for p in changes.withdrawn {
            if self.adj_rib_in.remove(&p).is_some() {
                self.pending.insert(p, None);
            }
        }
        for (p, path) in changes.announced {
            if self.adj_rib_in.get(&p) != Some(&path) {
                self.adj_rib_in.insert(p, path.clone());
                self.pending.insert(p, Some(path));
            }
        }
        match self.cfg.max_prefixes {
            Some(max) if self.adj_rib_in.len() > max as usize => {
                self.note(&format!("the peer sent more than {max} prefixes"));
                Some(Notification::max_prefixes(1, 1, max))
            }
            _ => None,
        }
    }

    /// Reports route changes read since the last report.
    async fn flush(&mut self) {
        if self.pending.is_empty() || self.fsm.state() != State::Established {
            return;
        }
        let mut changes = RouteChanges::default();
        for (p, path) in self.pending.drain() {
            match path {
                Some(path) => changes.announced.push((p, path)),
                None => changes.withdrawn.push(p),
            }
        }
        self.emit(Event::Routes(changes)).await;
    }

    async fn emit(&mut self, event: Event) {
        // A speaker whose owner is gone has nobody to tell.
        let _ = self.ctl.events.send(event).await;
    }

    async fn send_advertisement_changes(&mut self) {
        let wanted = self.ctl.advert.borrow_and_update().clone();
        let announce: Vec<IpNet> = wanted.difference(&self.adj_rib_out).copied().collect();
        let withdraw: Vec<IpNet> = self.adj_rib_out.difference(&wanted).copied().collect();
        if announce.is_empty() && withdraw.is_empty() {
            return;
        }
        let msgs = update::build(&self.advertised(), &announce, &withdraw, self.peer_ipv6);
        self.adj_rib_out = (*wanted).clone();
        self.send(msgs).await;
    }

    fn advertised(&self) -> Advertised {
        Advertised {
            local_asn: self.cfg.local_asn,
            asn4: self.peer_asn4,
            next_hop: self.cfg.next_hop,
            next_hop_v6: self.cfg.next_hop_v6,
            med: self.cfg.med,
        }
    }

    fn open_message(&self) -> BgpMessage {
        let cfg = self.cfg;
        let my_as = u16::try_from(cfg.local_asn).unwrap_or(AS_TRANS);
        let caps = vec![
            BgpCapability::MultiProtocolExtensions(MultiProtocolExtensionsCapability::new(AddressType::Ipv4Unicast)),
            BgpCapability::MultiProtocolExtensions(MultiProtocolExtensionsCapability::new(AddressType::Ipv6Unicast)),
            BgpCapability::RouteRefresh,
            BgpCapability::FourOctetAs(FourOctetAsCapability::new(cfg.local_asn)),
        ];
        BgpMessage::Open(BgpOpenMessage::new(
            my_as,
            cfg.hold_time,
            cfg.router_id,
            vec![BgpOpenMessageParameter::new_capabilities(caps)],
        ))
    }

    async fn send(&mut self, msgs: Vec<BgpMessage>) {
        let mut buf = BytesMut::new();
        for m in msgs {
            if let Err(e) = self.encoder.encode(m, &mut buf) {
                tracing::warn!(error = ?e, "could not encode a BGP message");
            }
        }
        // A peer that stops reading must not hold the session (and its
        // timers) forever.
        let written = tokio::time::timeout(WRITE_TIMEOUT, self.writer.write_all(&buf)).await;
        if !matches!(written, Ok(Ok(()))) {
            self.write_failed = true;
        }
    }

    /// Notes why the session ends, unless an earlier cause was noted.
    fn note(&mut self, reason: &str) {
        if self.reason.is_none() {
            self.reason = Some(reason.to_string());
        }
    }
}
