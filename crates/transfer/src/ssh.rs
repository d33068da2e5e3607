//! A server's SSH listener: accepts connections on its fabric address,
//! authenticates service-managed users by their imported public keys, and
//! runs the `sftp` subsystem (`sftp.rs`). Stopping it closes the listener
//! and disconnects every session.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use russh::keys::{PrivateKey, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, Disconnect, MethodKind, MethodSet};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::Transfer;
use crate::idp;
use crate::logs::SessionLog;
use crate::model::{ServerRec, UserRec};
use crate::sftp::SftpSession;
use crate::storage;

/// A listening server.
pub struct Listening {
    pub port: u16,
    accept: JoinHandle<()>,
    sessions: Arc<Mutex<HashMap<u64, russh::server::Handle>>>,
    /// What new connections are served with; host keys change in place.
    config: Arc<Mutex<Arc<russh::server::Config>>>,
}

fn config(keys: Vec<PrivateKey>, preferred: russh::Preferred) -> Arc<russh::server::Config> {
    with_methods(keys, preferred, russh::MethodSet::server_supported())
}

fn with_methods(keys: Vec<PrivateKey>, preferred: russh::Preferred, methods: MethodSet) -> Arc<russh::server::Config> {
    Arc::new(russh::server::Config {
        keys,
        preferred,
        methods,
        auth_rejection_time: std::time::Duration::from_millis(200),
        auth_rejection_time_initial: Some(std::time::Duration::ZERO),
        max_auth_attempts: 6,
        ..Default::default()
    })
}

impl Listening {
    /// The host keys offered from the next connection on.
    pub fn set_keys(&self, keys: Vec<PrivateKey>) {
        let mut current = self.config.lock().unwrap_or_else(PoisonError::into_inner);
        *current = config(keys, current.preferred.clone());
    }

    /// The algorithms offered from the next connection on.
    pub fn set_preferred(&self, preferred: russh::Preferred) {
        let mut current = self.config.lock().unwrap_or_else(PoisonError::into_inner);
        *current = config(current.keys.clone(), preferred);
    }

    /// Closes the listener and ends every session.
    pub async fn stop(self) {
        self.accept.abort();
        let handles: Vec<russh::server::Handle> = self
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, h)| h)
            .collect();
        for h in handles {
            let _ = h
                .disconnect(Disconnect::ByApplication, "the server stopped".into(), "en".into())
                .await;
        }
    }
}

/// Starts the SSH listener of server `server_id` on `listener`.
pub fn serve(
    transfer: Transfer,
    server_id: String,
    host_keys: Vec<PrivateKey>,
    preferred: russh::Preferred,
    listener: TcpListener,
) -> Listening {
    let port = listener.local_addr().map_or(0, |a| a.port());
    let shared = Arc::new(Mutex::new(config(host_keys, preferred)));
    let sessions: Arc<Mutex<HashMap<u64, russh::server::Handle>>> = Arc::default();
    let ids = Arc::new(AtomicU64::new(0));
    let accept = {
        let sessions = sessions.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "SFTP accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let n = ids.fetch_add(1, Ordering::Relaxed);
                let log = SessionLog::open(
                    transfer.logs_dir(),
                    &server_id,
                    format!("{server_id}-{n:08x}"),
                    peer.to_string(),
                );
                log.event("CONNECTED", json!({"protocol": "SFTP"}));
                let handler = SshSession {
                    transfer: transfer.clone(),
                    server_id: server_id.clone(),
                    user: None,
                    vouched: None,
                    key_signed: None,
                    channels: HashMap::new(),
                    log,
                    peer,
                };
                let sessions = sessions.clone();
                let base = shared.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let transfer = transfer.clone();
                let server_id = server_id.clone();
                tokio::spawn(async move {
                    // What the client is told it may try: the server's methods
                    // as they are now, not russh's whole list.
                    let server = transfer.server(&server_id).await;
                    let config = with_methods(
                        base.keys.clone(),
                        base.preferred.clone(),
                        methods_left(server.as_ref(), false),
                    );
                    match russh::server::run_stream(config, stream, handler).await {
                        Ok(running) => {
                            sessions
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .insert(n, running.handle());
                            if let Err(e) = running.await {
                                tracing::debug!(error = %e, "SFTP session ended");
                            }
                        }
                        Err(e) => tracing::debug!(error = %e, "SSH handshake failed"),
                    }
                    sessions.lock().unwrap_or_else(PoisonError::into_inner).remove(&n);
                });
            }
        })
    };
    Listening {
        port,
        accept,
        sessions,
        config: shared,
    }
}

struct SshSession {
    transfer: Transfer,
    server_id: String,
    user: Option<UserRec>,
    /// What a custom provider said of a user when their key was offered,
    /// kept for the signed attempt that follows: one call per sign-in.
    vouched: Option<UserRec>,
    /// The user whose key has signed, on a server that wants a password
    /// too (PUBLIC_KEY_AND_PASSWORD).
    key_signed: Option<String>,
    channels: HashMap<ChannelId, Channel<Msg>>,
    log: SessionLog,
    peer: SocketAddr,
}

/// A custom provider's SftpAuthenticationMethods (AWS's default is
/// PUBLIC_KEY_OR_PASSWORD).
fn methods(server: &ServerRec) -> &str {
    server
        .identity_provider
        .get("SftpAuthenticationMethods")
        .map_or("PUBLIC_KEY_OR_PASSWORD", String::as_str)
}

/// Whether a server's users may use `method` (`PASSWORD` or `PUBLIC_KEY`)
/// at all.
fn allows(server: &ServerRec, method: &str) -> bool {
    match methods(server) {
        "PASSWORD" => method == "PASSWORD",
        "PUBLIC_KEY" => method == "PUBLIC_KEY",
        _ => true,
    }
}

/// The sign-in methods a client may still try: keys for service-managed
/// users; a custom provider's SftpAuthenticationMethods; with
/// PUBLIC_KEY_AND_PASSWORD the key first, then (`key_signed`) the password.
fn methods_left(server: Option<&ServerRec>, key_signed: bool) -> MethodSet {
    let mut left = MethodSet::empty();
    match server {
        Some(s) if wants_both(s) => left.push(if key_signed {
            MethodKind::Password
        } else {
            MethodKind::PublicKey
        }),
        Some(s) if s.identity_provider_type != "SERVICE_MANAGED" => {
            if allows(s, "PUBLIC_KEY") {
                left.push(MethodKind::PublicKey);
            }
            if allows(s, "PASSWORD") {
                left.push(MethodKind::Password);
            }
        }
        _ => left.push(MethodKind::PublicKey),
    }
    left
}

/// Whether a signed key must be followed by a password.
fn wants_both(server: &ServerRec) -> bool {
    server.identity_provider_type != "SERVICE_MANAGED" && methods(server) == "PUBLIC_KEY_AND_PASSWORD"
}

fn has_key(user: &UserRec, key: &PublicKey) -> bool {
    user.ssh_keys
        .iter()
        .any(|k| PublicKey::from_openssh(&k.body).is_ok_and(|p| p.key_data() == key.key_data()))
}

impl SshSession {
    /// The user `name` if `key` is one of their keys: imported for a
    /// service-managed server, listed by the provider for a custom one.
    async fn user_with_key(&mut self, name: &str, key: &PublicKey) -> Option<UserRec> {
        let server = self.transfer.server(&self.server_id).await?;
        let user = if server.identity_provider_type == "SERVICE_MANAGED" {
            self.transfer.user(&self.server_id, name).await?
        } else {
            if !allows(&server, "PUBLIC_KEY") {
                return None;
            }
            match self.vouched.take().filter(|u| u.user_name == name) {
                Some(u) => u,
                None => self.ask(&server, name, None).await?,
            }
        };
        let user = has_key(&user, key).then_some(user)?;
        if server.identity_provider_type != "SERVICE_MANAGED" {
            self.vouched = Some(user.clone());
        }
        Some(user)
    }

    async fn ask(&self, server: &ServerRec, name: &str, password: Option<&str>) -> Option<UserRec> {
        match idp::ask(
            &self.transfer,
            server,
            name,
            password,
            "SFTP",
            &self.peer.ip().to_string(),
        )
        .await
        {
            Ok(answer) => answer.user,
            Err(detail) => {
                self.log.event("ERROR", json!({"message": detail}));
                None
            }
        }
    }
}

impl russh::server::Handler for SshSession {
    type Error = russh::Error;

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self.transfer.banner(&self.server_id).await)
    }

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        Ok(match self.user_with_key(user, offer.public_key).await {
            Some(_) => Auth::Accept,
            None => Auth::reject(),
        })
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        match self.user_with_key(user, key.public_key).await {
            Some(_)
                if self
                    .transfer
                    .server(&self.server_id)
                    .await
                    .is_some_and(|s| wants_both(&s)) =>
            {
                // Half way: the client is told the key was right and that
                // a password must follow (RFC 4252 partial success).
                self.key_signed = Some(user.to_string());
                self.log
                    .event("AUTH_PARTIAL", json!({"method": "publickey", "user": user}));
                Ok(Auth::Reject {
                    proceed_with_methods: Some(MethodSet::from(&[MethodKind::Password][..])),
                    partial_success: true,
                })
            }
            Some(u) => {
                self.log.set_user(user);
                self.log.event("AUTH_SUCCESS", json!({"method": "publickey"}));
                self.user = Some(u);
                Ok(Auth::Accept)
            }
            None => {
                self.log
                    .event("AUTH_FAILURE", json!({"method": "publickey", "user": user}));
                Ok(Auth::reject())
            }
        }
    }

    /// Service-managed users sign in with keys only; a custom provider
    /// decides on passwords, after the user's key where the server wants
    /// both.
    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let server = self.transfer.server(&self.server_id).await;
        let found = match &server {
            Some(s) if wants_both(s) && self.key_signed.as_deref() != Some(user) => None,
            Some(s) if s.identity_provider_type != "SERVICE_MANAGED" && allows(s, "PASSWORD") => {
                self.ask(s, user, Some(password)).await
            }
            _ => None,
        };
        match found {
            Some(u) => {
                self.log.set_user(user);
                self.log.event("AUTH_SUCCESS", json!({"method": "password"}));
                self.user = Some(u);
                Ok(Auth::Accept)
            }
            None => {
                self.log
                    .event("AUTH_FAILURE", json!({"method": "password", "user": user}));
                // A mistyped password may be tried again (russh would
                // otherwise strike passwords off the methods left); the
                // failures still count towards max_auth_attempts.
                let key_signed = self.key_signed.as_deref() == Some(user);
                Ok(Auth::Reject {
                    proceed_with_methods: Some(methods_left(server.as_ref(), key_signed)),
                    partial_success: false,
                })
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn channel_eof(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        session.close(channel)?;
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel_id: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some(user), Some(channel), "sftp") = (self.user.clone(), self.channels.remove(&channel_id), name) else {
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        let Some(server) = self.transfer.server(&self.server_id).await else {
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        let Some((fs, home)) = storage::session(&self.transfer, &server, &user, &self.log).await else {
            session.channel_failure(channel_id)?;
            return Ok(());
        };
        session.channel_success(channel_id)?;
        let no_op = server.protocol_details["SetStatOption"].as_str() == Some("ENABLE_NO_OP");
        let sftp = SftpSession::new(fs, home, self.log.clone(), no_op);
        russh_sftp::server::run(channel.into_stream(), sftp).await;
        Ok(())
    }
}

impl Drop for SshSession {
    fn drop(&mut self) {
        self.log.event("EXIT", json!({"client": self.peer.to_string()}));
    }
}
