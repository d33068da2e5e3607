//! A server's FTP and FTPS listener (libunftp): users sign in with a
//! password their custom identity provider vouches for (`idp.rs`), land in
//! their home (the FTP root is where an SFTP session starts), and read and
//! write the server's domain (`storage.rs`) with every path resolved by
//! `landbridge-homes` first. FTPS is explicit (`AUTH TLS`) with a
//! certificate Landbridge makes for the server.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use landbridge_homes::{Resolved, normalize};
use serde_json::json;
use tokio::io::AsyncReadExt;
use unftp_core::auth::{
    AuthenticationError, Authenticator, Credentials, Principal, UserDetail, UserDetailError, UserDetailProvider,
};
use unftp_core::storage::{Error, ErrorKind, Fileinfo, Metadata, StorageBackend};

use crate::logs::SessionLog;
use crate::model::{ServerRec, UserRec};
use crate::s3fs::FsError;
use crate::storage::{self, Fs, Meta};
use crate::{Transfer, idp};

/// Bytes read from a client per write into storage.
const CHUNK: usize = 256 * 1024;

/// A signed-in FTP user and where their files are.
#[derive(Clone)]
pub struct FtpUser {
    user: UserRec,
    fs: Fs,
    home: landbridge_homes::Home,
    log: SessionLog,
    /// Shared by every copy libunftp holds: the session's EXIT is logged
    /// when the last goes, whether the client said QUIT or just left.
    _exit: Arc<ExitOnDrop>,
}

struct ExitOnDrop(SessionLog);

impl Drop for ExitOnDrop {
    fn drop(&mut self) {
        self.0.event("EXIT", json!({}));
    }
}

impl fmt::Debug for FtpUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FtpUser({})", self.user.user_name)
    }
}

impl fmt::Display for FtpUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.user.user_name)
    }
}

impl UserDetail for FtpUser {}

impl FtpUser {
    /// The storage path of FTP path `path`: the FTP root is the home's
    /// starting directory.
    fn storage(&self, path: &Path) -> Result<String, Error> {
        let text = path
            .to_str()
            .ok_or_else(|| Error::from(ErrorKind::FileNameNotAllowedError))?;
        let virt = normalize(&self.home.start(), text.trim_start_matches('/'))
            .ok_or_else(|| Error::from(ErrorKind::FileNameNotAllowedError))?;
        match self.home.resolve(&virt) {
            Resolved::Storage(s) => Ok(s),
            _ => Err(Error::from(ErrorKind::PermissionDenied)),
        }
    }
}

/// Users the authenticator let in, waiting for the detail provider.
type Logins = Arc<Mutex<HashMap<String, FtpUser>>>;

#[derive(Debug)]
struct Auth {
    transfer: Transfer,
    server_id: String,
    logins: Logins,
}

#[async_trait]
impl Authenticator for Auth {
    async fn authenticate(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        let log = SessionLog::open(
            self.transfer.logs_dir(),
            &self.server_id,
            format!("{}-ftp-{}", self.server_id, crate::new_id("s")),
            creds.source_ip.to_string(),
        );
        // The provider is told the protocol the client is using.
        let protocol = match creds.command_channel_security {
            unftp_core::auth::ChannelEncryptionState::Tls => "FTPS",
            unftp_core::auth::ChannelEncryptionState::Plaintext => "FTP",
        };
        log.event("CONNECTED", json!({"protocol": protocol}));
        let server = self
            .transfer
            .server(&self.server_id)
            .await
            .ok_or(AuthenticationError::BadUser)?;
        let answer = idp::ask(
            &self.transfer,
            &server,
            username,
            creds.password.as_deref(),
            protocol,
            &creds.source_ip.to_string(),
        )
        .await
        .map_err(AuthenticationError::new)?;
        let Some(user) = answer.user else {
            log.event("AUTH_FAILURE", json!({"method": "password", "user": username}));
            return Err(AuthenticationError::BadPassword);
        };
        let (fs, home) = storage::session(&self.transfer, &server, &user, &log)
            .await
            .ok_or(AuthenticationError::BadUser)?;
        log.set_user(username);
        log.event("AUTH_SUCCESS", json!({"method": "password"}));
        self.logins.lock().unwrap_or_else(PoisonError::into_inner).insert(
            username.to_string(),
            FtpUser {
                user,
                fs,
                home,
                _exit: Arc::new(ExitOnDrop(log.clone())),
                log,
            },
        );
        Ok(Principal {
            username: username.to_string(),
        })
    }
}

#[derive(Debug)]
struct Details(Logins);

#[async_trait]
impl UserDetailProvider for Details {
    type User = FtpUser;

    async fn provide_user_detail(&self, principal: &Principal) -> Result<FtpUser, UserDetailError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&principal.username)
            .ok_or_else(|| UserDetailError::UserNotFound {
                username: principal.username.clone(),
            })
    }
}

#[derive(Debug, Clone)]
pub struct FtpMeta(Meta);

impl Metadata for FtpMeta {
    fn len(&self) -> u64 {
        self.0.size
    }

    fn is_dir(&self) -> bool {
        self.0.dir
    }

    fn is_file(&self) -> bool {
        !self.0.dir
    }

    fn is_symlink(&self) -> bool {
        false
    }

    fn modified(&self) -> unftp_core::storage::Result<SystemTime> {
        Ok(UNIX_EPOCH + Duration::from_secs(u64::from(self.0.mtime)))
    }

    fn gid(&self) -> u32 {
        self.0.gid
    }

    fn uid(&self) -> u32 {
        self.0.uid
    }
}

fn fs_error(e: FsError) -> Error {
    Error::from(match e {
        FsError::NotFound => ErrorKind::PermanentFileNotAvailable,
        FsError::NotEmpty => ErrorKind::PermanentDirectoryNotEmpty,
        FsError::Unsupported(_) => ErrorKind::CommandNotImplemented,
        FsError::Denied => ErrorKind::PermissionDenied,
        FsError::Failure(_) => ErrorKind::LocalError,
    })
}

/// The storage backend libunftp drives: each call goes to the signed-in
/// user's domain.
#[derive(Debug, Clone)]
struct Backend;

#[async_trait]
impl StorageBackend<FtpUser> for Backend {
    type Metadata = FtpMeta;

    fn supported_features(&self) -> u32 {
        unftp_core::storage::FEATURE_RESTART
    }

    async fn metadata<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<FtpMeta> {
        let s = user.storage(path.as_ref())?;
        user.fs.stat(&s).await.map(FtpMeta).map_err(fs_error)
    }

    async fn list<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<Vec<Fileinfo<PathBuf, FtpMeta>>> {
        let s = user.storage(path.as_ref())?;
        let entries = user.fs.list(&s).await.map_err(fs_error)?;
        Ok(entries
            .into_iter()
            .map(|(name, meta)| Fileinfo {
                path: PathBuf::from(name),
                metadata: FtpMeta(meta),
            })
            .collect())
    }

    async fn get<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
        start_pos: u64,
    ) -> unftp_core::storage::Result<Box<dyn tokio::io::AsyncRead + Send + Sync + Unpin>> {
        let s = user.storage(path.as_ref())?;
        let (reader, size) = user.fs.open_read(&s).await.map_err(fs_error)?;
        user.log.event("OPEN", json!({"path": s, "mode": "READ"}));
        // The reader takes offsets; libunftp wants bytes from start_pos on.
        let chunks = futures::stream::try_unfold((reader, start_pos), move |(mut reader, pos)| async move {
            if pos >= size {
                return Ok(None);
            }
            let data = reader
                .read(pos, CHUNK)
                .await
                .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
            if data.is_empty() {
                return Ok(None);
            }
            let next = pos + data.len() as u64;
            Ok::<_, std::io::Error>(Some((data, (reader, next))))
        });
        let stream = sync_wrapper::SyncStream::new(Box::pin(chunks));
        Ok(Box::new(tokio_util::io::StreamReader::new(stream)))
    }

    async fn put<P: AsRef<Path> + Send + fmt::Debug, R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static>(
        &self,
        user: &FtpUser,
        mut input: R,
        path: P,
        start_pos: u64,
    ) -> unftp_core::storage::Result<u64> {
        let s = user.storage(path.as_ref())?;
        let mut writer = user.fs.create(&s, start_pos > 0).await.map_err(fs_error)?;
        user.log
            .event("OPEN", json!({"path": s, "mode": "CREATE|TRUNCATE|WRITE"}));
        let mut offset = start_pos;
        let mut buf = vec![0u8; CHUNK];
        loop {
            // A chunk is filled before it is written: the data connection
            // yields a few kilobytes per read.
            let mut filled = 0;
            while filled < CHUNK {
                match input.read(&mut buf[filled..]).await {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => {
                        writer.abort().await;
                        return Err(Error::from(e));
                    }
                }
            }
            if filled == 0 {
                break;
            }
            writer
                .write(offset, Bytes::copy_from_slice(&buf[..filled]))
                .await
                .map_err(fs_error)?;
            offset += filled as u64;
        }
        let written = offset - start_pos;
        writer.finish().await.map_err(fs_error)?;
        user.log.event("CLOSE", json!({"path": s, "bytes-in": written}));
        Ok(written)
    }

    async fn del<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        let s = user.storage(path.as_ref())?;
        user.fs.remove(&s).await.map_err(fs_error)?;
        user.log.event("DELETE", json!({"path": s}));
        Ok(())
    }

    async fn mkd<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        let s = user.storage(path.as_ref())?;
        user.fs.mkdir(&s).await.map_err(fs_error)?;
        user.log.event("MKDIR", json!({"path": s}));
        Ok(())
    }

    async fn rename<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        from: P,
        to: P,
    ) -> unftp_core::storage::Result<()> {
        let (a, b) = (user.storage(from.as_ref())?, user.storage(to.as_ref())?);
        user.fs.rename(&a, &b).await.map_err(fs_error)?;
        user.log.event("RENAME", json!({"path": a, "new-path": b}));
        Ok(())
    }

    async fn rmd<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        let s = user.storage(path.as_ref())?;
        user.fs.rmdir(&s).await.map_err(fs_error)?;
        user.log.event("RMDIR", json!({"path": s}));
        Ok(())
    }

    async fn cwd<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &FtpUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        let s = user.storage(path.as_ref())?;
        match user.fs.stat(&s).await.map_err(fs_error)? {
            m if m.dir => Ok(()),
            _ => Err(Error::from(ErrorKind::PermanentDirectoryNotAvailable)),
        }
    }
}

/// A running FTP listener.
pub struct FtpListening {
    pub port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl FtpListening {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Makes (once) the self-signed certificate a server's FTPS presents, for
/// its address, in `dir`: AWS servers present an ACM certificate, which
/// Landbridge does not have.
fn certificate(dir: &Path, server_id: &str, ip: std::net::Ipv4Addr) -> Result<(PathBuf, PathBuf), String> {
    let (cert, key) = (
        dir.join(format!("{server_id}.crt")),
        dir.join(format!("{server_id}.key")),
    );
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let made = rcgen::generate_simple_self_signed(vec![ip.to_string(), format!("{server_id}.server.transfer.local")])
        .map_err(|e| e.to_string())?;
    std::fs::write(&cert, made.cert.pem()).map_err(|e| e.to_string())?;
    std::fs::write(&key, made.signing_key.serialize_pem()).map_err(|e| e.to_string())?;
    Ok((cert, key))
}

/// The `220` line a server greets with: its PreAuthenticationLoginBanner
/// (on one line; libunftp's greeting is a single-line reply), else ours.
/// libunftp keeps the greeting for the life of the process, so each
/// distinct banner is kept once.
fn greeting(banner: Option<&str>) -> &'static str {
    static KEPT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let Some(text) = banner
        .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
    else {
        return "Landbridge Transfer Family FTP server";
    };
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(k) = kept.iter().find(|k| **k == text) {
        return k;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    kept.push(leaked);
    leaked
}

/// The TLS configuration of a server's FTPS: its certificate, TLS 1.2, and
/// the cipher suites its security policy names that rustls implements.
fn tls_config(cert: &Path, key: &Path, policy: &str) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let allowed = crate::policies::tls_ciphers(policy);
    let mut provider = rustls::crypto::ring::default_provider();
    provider
        .cipher_suites
        .retain(|s| s.suite().as_str().is_some_and(|name| allowed.contains(&name)));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

/// The FTP control port a server listens on when the process may bind it.
const FTP_PORT: u16 = 21;
/// Passive data ports, on the server's own address.
const PASSIVE_PORTS: std::ops::RangeInclusive<u16> = 50_000..=50_999;

/// Starts the FTP/FTPS listener of `server` on `ip`.
pub async fn listen(transfer: Transfer, server: &ServerRec, ip: std::net::Ipv4Addr) -> Result<FtpListening, String> {
    let port = match std::net::TcpListener::bind((ip, FTP_PORT)) {
        Ok(_) => FTP_PORT,
        Err(_) => std::net::TcpListener::bind((ip, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| e.to_string())?,
    };
    let has = |p: &str| server.protocols.iter().any(|x| x == p);
    let logins: Logins = Arc::default();
    let auth = Arc::new(Auth {
        transfer: transfer.clone(),
        server_id: server.id.clone(),
        logins: logins.clone(),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut builder =
        libunftp::ServerBuilder::with_user_detail_provider(Box::new(|| Backend), Arc::new(Details(logins)))
            .authenticator(auth)
            .greeting(greeting(server.pre_auth_banner.as_deref()))
            .passive_host(ip)
            .passive_ports(PASSIVE_PORTS)
            .shutdown_indicator(async move {
                let _ = stopped.await;
                libunftp::options::Shutdown::new().grace_period(Duration::from_millis(500))
            });
    if has("FTPS") {
        let dir = transfer
            .certs_dir()
            .cloned()
            .unwrap_or_else(|| std::env::temp_dir().join("landbridge-transfer-certs"));
        let (cert, key) = certificate(&dir, &server.id, ip)?;
        builder = builder.ftps_manual::<PathBuf>(tls_config(&cert, &key, &server.security_policy)?);
        if !has("FTP") {
            builder = builder.ftps_required(
                libunftp::options::FtpsRequired::All,
                libunftp::options::FtpsRequired::All,
            );
        }
    }
    let ftp = builder.build().map_err(|e| e.to_string())?;
    let address = format!("{ip}:{port}");
    let id = server.id.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = ftp.listen(address).await {
            tracing::warn!(server = %id, error = %e, "FTP listener ended");
        }
    });
    Ok(FtpListening { port, stop, task })
}
