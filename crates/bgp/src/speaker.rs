//! A speaker: one session with one peer, restarted after every loss, with
//! what its owner advertises and whether the owner wants it up.

use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::fsm::{Fsm, Input, Params};
use crate::session::{Connection, Control, Ended};
use crate::{Config, Event, md5};

/// How long `stop` waits for the session to close by itself.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// How a speaker reaches its peer.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    /// Wait for the peer to connect to this address.
    Listen(SocketAddr),
    /// Connect to the peer, from `local` when given.
    Connect {
        remote: SocketAddr,
        local: Option<SocketAddr>,
    },
}

/// A running session. Dropping it stops the session (Cease, "Peer
/// De-configured") and closes its listener.
pub struct Speaker {
    local: Option<SocketAddr>,
    advert: watch::Sender<Arc<BTreeSet<IpNet>>>,
    enabled: watch::Sender<bool>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Speaker {
    /// Starts the session. A listening speaker has bound its address when
    /// this returns.
    pub async fn start(transport: Transport, cfg: Config, events: mpsc::Sender<Event>) -> io::Result<Speaker> {
        let listener = match transport {
            Transport::Listen(addr) => Some(listen(addr, cfg.md5_key.as_deref())?),
            Transport::Connect { .. } => None,
        };
        let local = match &listener {
            Some(l) => Some(l.local_addr()?),
            None => None,
        };
        let (advert, advert_rx) = watch::channel(Arc::new(BTreeSet::new()));
        let (enabled, enabled_rx) = watch::channel(true);
        let (stop, stop_rx) = watch::channel(false);
        let ctl = Control {
            advert: advert_rx,
            enabled: enabled_rx,
            stop: stop_rx,
            events,
        };
        let task = tokio::spawn(run(listener, transport, cfg, ctl));
        Ok(Speaker {
            local,
            advert,
            enabled,
            stop,
            task,
        })
    }

    /// The address a listening speaker bound.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }

    /// Sets the prefixes to advertise; the session sends what changed.
    pub fn advertise(&self, prefixes: BTreeSet<IpNet>) {
        self.advert.send_if_modified(|current| {
            if **current == prefixes {
                false
            } else {
                *current = Arc::new(prefixes);
                true
            }
        });
    }

    /// Takes the session down (Cease, "Administrative Shutdown") and keeps
    /// it down, or lets it come up again.
    pub fn set_enabled(&self, on: bool) {
        self.enabled
            .send_if_modified(|current| std::mem::replace(current, on) != on);
    }

    /// Stops the session and waits until it is closed.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        // A session stuck on a peer that does not read is cut short.
        if tokio::time::timeout(STOP_TIMEOUT, &mut task).await.is_err() {
            task.abort();
            let _ = task.await;
        }
    }
}

fn listen(addr: SocketAddr, md5_key: Option<&[u8]>) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    if let Some(key) = md5_key {
        // Every peer of the address family must sign with the key.
        md5::set_key(&socket, addr, Some(0), key)?;
    }
    socket.bind(addr)?;
    socket.listen(16)
}

async fn connect(remote: SocketAddr, local: Option<SocketAddr>, md5_key: Option<&[u8]>) -> io::Result<TcpStream> {
    let socket = if remote.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(key) = md5_key {
        md5::set_key(&socket, remote, None, key)?;
    }
    if let Some(local) = local {
        socket.set_reuseaddr(true)?;
        socket.bind(local)?;
    }
    socket.connect(remote).await
}

async fn run(listener: Option<TcpListener>, transport: Transport, cfg: Config, mut ctl: Control) {
    let mut fsm = Fsm::new(Params {
        peer_asn: cfg.peer_asn,
        router_id: cfg.router_id,
        hold_time: cfg.hold_time,
        passive: listener.is_some(),
    });
    let retry = Duration::from_secs(cfg.connect_retry_secs.max(1).into());
    loop {
        while !*ctl.enabled.borrow_and_update() {
            tokio::select! {
                r = ctl.enabled.changed() => if r.is_err() { return },
                _ = ctl.stop.changed() => return,
            }
        }
        fsm.handle(Input::Start);
        let stream = match (&listener, transport) {
            (Some(l), _) => tokio::select! {
                r = l.accept() => match r {
                    Ok((s, _)) => s,
                    Err(e) => {
                        // Out of descriptors and the like: try again later.
                        tracing::warn!(error = %e, "BGP accept failed");
                        fsm.handle(Input::TcpFailed);
                        if pause(&mut ctl, retry).await { return }
                        continue;
                    }
                },
                r = ctl.enabled.changed() => {
                    if r.is_err() { return }
                    fsm.handle(Input::Stop);
                    continue;
                }
                _ = ctl.stop.changed() => return,
            },
            (None, Transport::Connect { remote, local }) => {
                let attempt = tokio::select! {
                    // An unanswered SYN waits no longer than the retry time.
                    r = tokio::time::timeout(retry, connect(remote, local, cfg.md5_key.as_deref())) => {
                        r.unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")))
                    }
                    _ = ctl.stop.changed() => return,
                };
                match attempt {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::debug!(%remote, error = %e, "BGP connect failed");
                        fsm.handle(Input::TcpFailed);
                        if pause(&mut ctl, retry).await {
                            return;
                        }
                        fsm.handle(Input::ConnectRetryExpired);
                        continue;
                    }
                }
            }
            (None, Transport::Listen(_)) => return,
        };
        match Connection::run(stream, &cfg, &mut fsm, &mut ctl, listener.as_ref()).await {
            Ended::Stopped => return,
            Ended::Idle => {
                // An active speaker waits before it connects again.
                if listener.is_none() && pause(&mut ctl, retry).await {
                    return;
                }
            }
        }
    }
}

/// Waits `d` unless the speaker is stopped meanwhile (then `true`).
async fn pause(ctl: &mut Control, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = ctl.stop.changed() => true,
    }
}
