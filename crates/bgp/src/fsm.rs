//! The session state machine of RFC 4271 §8, apart from any I/O.
//!
//! The session task (`session.rs`) turns sockets, messages and timers into
//! `Input`s and carries out the `Output`s; everything that decides what a
//! session does next is here, so it can be tested without a socket.

use std::net::Ipv4Addr;

use crate::notification::Notification;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}

/// What the peer said in its OPEN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerOpen {
    /// The 4-byte AS when the peer advertised the capability, else `my_as`.
    pub asn: u32,
    pub hold_time: u16,
    pub router_id: Ipv4Addr,
}

/// The fixed parameters of one session.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub peer_asn: u32,
    pub router_id: Ipv4Addr,
    /// The hold time we offer; the session uses the smaller of both offers.
    pub hold_time: u16,
    /// Whether we wait for the peer to connect instead of connecting.
    pub passive: bool,
}

/// Hold time while waiting for the peer's OPEN (RFC 4271 §8: "a large
/// value", suggested 4 minutes).
pub const OPEN_HOLD_SECS: u16 = 240;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// ManualStart or, after `Idle`, the automatic restart.
    Start,
    /// ManualStop.
    Stop,
    ConnectRetryExpired,
    HoldExpired,
    KeepaliveDue,
    /// A TCP connection is up (we connected, or we accepted the peer's).
    TcpEstablished,
    /// Connecting failed, or the connection closed.
    TcpFailed,
    Open(PeerOpen),
    Keepalive,
    Update,
    RouteRefresh,
    /// The peer sent a NOTIFICATION.
    Notification,
    /// A message could not be accepted; the error to send back.
    MessageError(Notification),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Connect,
    SendOpen,
    SendKeepalive,
    SendNotification(Notification),
    Close,
    ArmConnectRetry,
    DisarmConnectRetry,
    ArmHold(u16),
    DisarmHold,
    ArmKeepalive(u16),
    DisarmKeepalive,
    /// The session reached Established with this hold time.
    Established {
        hold_time: u16,
    },
    /// Hand the UPDATE just received to the Adj-RIB-In.
    ProcessUpdate,
    /// Send the whole Adj-RIB-Out again (the peer asked for a refresh).
    Resend,
    /// The session left Established: every route learned on it is gone.
    Down,
}

#[derive(Debug)]
pub struct Fsm {
    params: Params,
    state: State,
    /// The hold time both sides agreed on (0: no keepalives, no hold timer).
    hold_time: u16,
}

impl Fsm {
    pub fn new(params: Params) -> Self {
        Self {
            params,
            state: State::Idle,
            hold_time: 0,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    #[cfg(test)]
    pub fn hold_time(&self) -> u16 {
        self.hold_time
    }

    /// Moves the machine on by one input and says what to do.
    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        use Output::*;
        let was_established = self.state == State::Established;
        match (self.state, input) {
            (State::Idle, Input::Start) => {
                if self.params.passive {
                    self.state = State::Active;
                    vec![]
                } else {
                    self.state = State::Connect;
                    vec![ArmConnectRetry, Connect]
                }
            }
            (State::Idle, _) => vec![],

            (_, Input::Stop) => {
                let mut out = Vec::new();
                if self.connected() {
                    out.push(SendNotification(Notification::admin_shutdown()));
                }
                out.extend(self.go_idle(was_established));
                out
            }

            (State::Connect | State::Active, Input::TcpEstablished) => {
                self.state = State::OpenSent;
                vec![DisarmConnectRetry, SendOpen, ArmHold(OPEN_HOLD_SECS)]
            }
            (State::Connect | State::Active, Input::TcpFailed) => {
                self.state = State::Active;
                if self.params.passive {
                    vec![]
                } else {
                    vec![ArmConnectRetry]
                }
            }
            (State::Connect | State::Active, Input::ConnectRetryExpired) => {
                if self.params.passive {
                    vec![]
                } else {
                    self.state = State::Connect;
                    vec![ArmConnectRetry, Connect]
                }
            }
            // Messages cannot arrive without a connection; anything else
            // (timers of a closed connection) changes nothing.
            (State::Connect | State::Active, _) => vec![],

            (State::OpenSent, Input::Open(open)) => match self.check_open(&open) {
                Err(n) => {
                    let mut out = vec![SendNotification(n)];
                    out.extend(self.go_idle(false));
                    out
                }
                Ok(()) => {
                    self.hold_time = open.hold_time.min(self.params.hold_time);
                    self.state = State::OpenConfirm;
                    let mut out = vec![SendKeepalive];
                    out.extend(self.arm_timers());
                    out
                }
            },
            (State::OpenConfirm, Input::Keepalive) => {
                self.state = State::Established;
                let mut out = self.arm_hold();
                out.push(Established {
                    hold_time: self.hold_time,
                });
                out
            }
            (State::OpenConfirm | State::Established, Input::KeepaliveDue) => {
                let mut out = vec![SendKeepalive];
                if self.hold_time > 0 {
                    out.push(ArmKeepalive(keepalive_secs(self.hold_time)));
                }
                out
            }
            (State::Established, Input::Keepalive) => self.arm_hold(),
            (State::Established, Input::Update) => {
                let mut out = vec![ProcessUpdate];
                out.extend(self.arm_hold());
                out
            }
            (State::Established, Input::RouteRefresh) => {
                let mut out = vec![Resend];
                out.extend(self.arm_hold());
                out
            }

            (_, Input::HoldExpired) => {
                let mut out = vec![SendNotification(Notification::hold_timer_expired())];
                out.extend(self.go_idle(was_established));
                out
            }
            (_, Input::MessageError(n)) => {
                let mut out = vec![SendNotification(n)];
                out.extend(self.go_idle(was_established));
                out
            }
            (_, Input::Notification | Input::TcpFailed) => self.go_idle(was_established),
            (state, Input::Open(_) | Input::Keepalive | Input::Update | Input::RouteRefresh) => {
                let mut out = vec![SendNotification(Notification::unexpected_message(state))];
                out.extend(self.go_idle(was_established));
                out
            }
            (_, Input::Start | Input::TcpEstablished | Input::ConnectRetryExpired | Input::KeepaliveDue) => vec![],
        }
    }

    fn connected(&self) -> bool {
        matches!(self.state, State::OpenSent | State::OpenConfirm | State::Established)
    }

    /// Checks the peer's OPEN against the session (RFC 4271 §6.2): the
    /// version and hold time are checked by the decoder already.
    fn check_open(&self, open: &PeerOpen) -> Result<(), Notification> {
        if open.asn != self.params.peer_asn {
            return Err(Notification::bad_peer_as());
        }
        if open.router_id.is_unspecified() || open.router_id == self.params.router_id {
            return Err(Notification::bad_bgp_identifier());
        }
        if matches!(open.hold_time, 1 | 2) {
            return Err(Notification::unacceptable_hold_time());
        }
        Ok(())
    }

    fn arm_timers(&self) -> Vec<Output> {
        if self.hold_time == 0 {
            vec![Output::DisarmHold, Output::DisarmKeepalive]
        } else {
            vec![
                Output::ArmHold(self.hold_time),
                Output::ArmKeepalive(keepalive_secs(self.hold_time)),
            ]
        }
    }

    fn arm_hold(&self) -> Vec<Output> {
        if self.hold_time == 0 {
            vec![]
        } else {
            vec![Output::ArmHold(self.hold_time)]
        }
    }

    fn go_idle(&mut self, was_established: bool) -> Vec<Output> {
        self.state = State::Idle;
        self.hold_time = 0;
        let mut out = vec![
            Output::Close,
            Output::DisarmConnectRetry,
            Output::DisarmHold,
            Output::DisarmKeepalive,
        ];
        if was_established {
            out.push(Output::Down);
        }
        out
    }
}

/// One third of the hold time (RFC 4271 §10), at least a second.
pub fn keepalive_secs(hold_time: u16) -> u16 {
    (hold_time / 3).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(passive: bool) -> Params {
        Params {
            peer_asn: 65000,
            router_id: Ipv4Addr::new(169, 254, 10, 1),
            hold_time: 30,
            passive,
        }
    }

    fn open(asn: u32, hold_time: u16) -> Input {
        Input::Open(PeerOpen {
            asn,
            hold_time,
            router_id: Ipv4Addr::new(10, 0, 0, 2),
        })
    }

    fn established(passive: bool, peer_hold: u16) -> Fsm {
        let mut f = Fsm::new(params(passive));
        f.handle(Input::Start);
        f.handle(Input::TcpEstablished);
        f.handle(open(65000, peer_hold));
        f.handle(Input::Keepalive);
        assert_eq!(f.state(), State::Established);
        f
    }

    #[test]
    fn a_passive_session_waits_then_opens_and_establishes() {
        let mut f = Fsm::new(params(true));
        assert!(f.handle(Input::Start).is_empty());
        assert_eq!(f.state(), State::Active);
        assert_eq!(
            f.handle(Input::TcpEstablished),
            vec![
                Output::DisarmConnectRetry,
                Output::SendOpen,
                Output::ArmHold(OPEN_HOLD_SECS)
            ]
        );
        assert_eq!(
            f.handle(open(65000, 90)),
            vec![Output::SendKeepalive, Output::ArmHold(30), Output::ArmKeepalive(10)]
        );
        assert_eq!(f.state(), State::OpenConfirm);
        assert_eq!(
            f.handle(Input::Keepalive),
            vec![Output::ArmHold(30), Output::Established { hold_time: 30 }]
        );
    }

    #[test]
    fn an_active_session_connects_and_retries() {
        let mut f = Fsm::new(params(false));
        assert_eq!(f.handle(Input::Start), vec![Output::ArmConnectRetry, Output::Connect]);
        assert_eq!(f.handle(Input::TcpFailed), vec![Output::ArmConnectRetry]);
        assert_eq!(f.state(), State::Active);
        assert_eq!(
            f.handle(Input::ConnectRetryExpired),
            vec![Output::ArmConnectRetry, Output::Connect]
        );
        assert_eq!(f.state(), State::Connect);
    }

    #[test]
    fn the_smaller_hold_time_wins_and_zero_means_no_keepalives() {
        let mut f = established(true, 9);
        assert_eq!(f.hold_time(), 9);
        assert_eq!(
            f.handle(Input::KeepaliveDue),
            vec![Output::SendKeepalive, Output::ArmKeepalive(3)]
        );
        let f = established(true, 0);
        assert_eq!(f.hold_time(), 0);
    }

    #[test]
    fn a_wrong_peer_as_gets_bad_peer_as() {
        let mut f = Fsm::new(params(true));
        f.handle(Input::Start);
        f.handle(Input::TcpEstablished);
        let out = f.handle(open(65001, 90));
        assert_eq!(out[0], Output::SendNotification(Notification::bad_peer_as()));
        assert!(out.contains(&Output::Close));
        assert!(!out.contains(&Output::Down));
        assert_eq!(f.state(), State::Idle);
    }

    #[test]
    fn our_own_router_id_is_refused() {
        let mut f = Fsm::new(params(true));
        f.handle(Input::Start);
        f.handle(Input::TcpEstablished);
        let out = f.handle(Input::Open(PeerOpen {
            asn: 65000,
            hold_time: 90,
            router_id: Ipv4Addr::new(169, 254, 10, 1),
        }));
        assert_eq!(out[0], Output::SendNotification(Notification::bad_bgp_identifier()));
    }

    #[test]
    fn an_update_before_established_is_an_fsm_error() {
        let mut f = Fsm::new(params(true));
        f.handle(Input::Start);
        f.handle(Input::TcpEstablished);
        let out = f.handle(Input::Update);
        assert_eq!(
            out[0],
            Output::SendNotification(Notification::unexpected_message(State::OpenSent))
        );
        assert_eq!(f.state(), State::Idle);
    }

    #[test]
    fn losing_an_established_session_reports_down() {
        let mut f = established(true, 90);
        assert_eq!(f.handle(Input::Update)[0], Output::ProcessUpdate);
        let out = f.handle(Input::HoldExpired);
        assert_eq!(out[0], Output::SendNotification(Notification::hold_timer_expired()));
        assert!(out.contains(&Output::Down));

        let mut f = established(true, 90);
        assert!(f.handle(Input::TcpFailed).contains(&Output::Down));
        let mut f = established(true, 90);
        let out = f.handle(Input::Stop);
        assert_eq!(out[0], Output::SendNotification(Notification::admin_shutdown()));
        assert!(out.contains(&Output::Down));
    }

    #[test]
    fn a_route_refresh_resends_the_adj_rib_out() {
        let mut f = established(true, 90);
        assert_eq!(f.handle(Input::RouteRefresh)[0], Output::Resend);
    }
}
