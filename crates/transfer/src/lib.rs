//! AWS Transfer Family: servers and users whose SFTP endpoints are real.
//!
//! An ONLINE server listens on its own loopback-fabric address (port 22
//! when it may be bound, else a free port) with a real SSH server
//! (`ssh.rs`, russh); service-managed users sign in with the public keys
//! imported for them, and their SFTP session (`sftp.rs`, russh-sftp) reads
//! and writes the emulated S3 (`s3fs.rs`) inside their home (`landbridge-homes`).
//! Session events go to JSON-lines logs (`logs.rs`).
//!
//! Layout follows the DataSync crate: `model.rs` records, one module per
//! resource family (`servers.rs`, `users.rs`), `policies.rs` the security
//! policies, `tags.rs`.

mod accesses;
mod efsfs;
mod errors;
mod ftp;
mod host_key;
mod host_keys;
mod idp;
mod logs;
pub mod model;
mod policies;
mod s3fs;
mod servers;
mod sftp;
mod ssh;
mod storage;
mod tags;
mod users;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, BoxFuture, RequestContext, Stateful};
use landbridge_fabric::Fabric;
use landbridge_objects::Objects;
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::RwLock;

use model::{ServerRec, UserRec};

pub const SERVICE: &str = "transfer";

#[derive(Debug, Default)]
pub(crate) struct State {
    /// By server id.
    pub servers: BTreeMap<String, ServerRec>,
    /// By (server id, user name).
    pub users: BTreeMap<(String, String), UserRec>,
    /// Accesses of directory groups, by (server id, group SID), kept as
    /// user records named by the SID.
    pub accesses: BTreeMap<(String, String), UserRec>,
}

/// A data-plane listener, for `/_landbridge/endpoints`.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub server_id: String,
    pub protocol: &'static str,
    pub address: String,
    pub port: u16,
}

/// Where Transfer Family keeps files and finds what it calls out to.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// `<data-dir>`: session logs, EFS file systems, FTPS certificates.
    pub data_dir: Option<PathBuf>,
    /// The Lambda Invoke endpoint for AWS_LAMBDA identity providers.
    pub lambda_endpoint: Option<String>,
}

/// A server's running listeners on its address.
pub(crate) struct Listeners {
    pub address: String,
    pub sftp: Option<ssh::Listening>,
    pub ftp: Option<ftp::FtpListening>,
}

impl Listeners {
    /// Closes them and ends their sessions.
    pub async fn stop(self) {
        if let Some(s) = self.sftp {
            s.stop().await;
        }
        if let Some(f) = self.ftp {
            f.stop().await;
        }
    }
}

/// Transfer Family. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Transfer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Transfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transfer")
    }
}

struct Inner {
    store: Store,
    objects: Objects,
    state: RwLock<State>,
    fabric: Arc<Fabric>,
    /// Where session logs go (`None`: tracing only).
    logs_dir: Option<PathBuf>,
    /// Where EFS file systems keep their files (`<data-dir>/efs`).
    efs_root: Option<PathBuf>,
    /// Where FTPS certificates are kept (`<data-dir>/transfer-certs`).
    certs_dir: Option<PathBuf>,
    /// The Lambda Invoke endpoint AWS_LAMBDA providers are called at.
    lambda_endpoint: Option<String>,
    /// One HTTP client (and connection pool) for every identity provider.
    http: reqwest::Client,
    /// Listening servers, by id.
    running: Mutex<HashMap<String, Listeners>>,
}

impl Transfer {
    pub fn new(
        store: Store,
        records: &[Record],
        objects: Objects,
        fabric: Arc<Fabric>,
        places: Places,
    ) -> Result<Self, String> {
        let data_dir = places.data_dir;
        let mut state = State::default();
        for r in records.iter().filter(|r| r.key.service == SERVICE) {
            let bad = |e: serde_json::Error| format!("{:?}: {e}", r.key);
            match r.key.kind.as_str() {
                "server" => {
                    let s: ServerRec = serde_json::from_value(r.body.clone()).map_err(bad)?;
                    fabric.claim(s.address.parse().ok());
                    state.servers.insert(s.id.clone(), s);
                }
                "user" => {
                    let u: UserRec = serde_json::from_value(r.body.clone()).map_err(bad)?;
                    state.users.insert((u.server_id.clone(), u.user_name.clone()), u);
                }
                "access" => {
                    let a: UserRec = serde_json::from_value(r.body.clone()).map_err(bad)?;
                    state.accesses.insert((a.server_id.clone(), a.user_name.clone()), a);
                }
                _ => {}
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                objects,
                state: RwLock::new(state),
                fabric,
                logs_dir: data_dir.as_ref().map(|d| d.join("transfer-logs")),
                efs_root: data_dir.as_ref().map(|d| d.join("efs")),
                certs_dir: data_dir.as_ref().map(|d| d.join("transfer-certs")),
                lambda_endpoint: places.lambda_endpoint,
                http: reqwest::Client::builder()
                    .timeout(idp::TIMEOUT)
                    .build()
                    .map_err(|e| format!("the identity providers' HTTP client: {e}"))?,
                running: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub(crate) fn state(&self) -> &RwLock<State> {
        &self.inner.state
    }

    pub(crate) fn objects(&self) -> &Objects {
        &self.inner.objects
    }

    pub(crate) fn fabric(&self) -> &Fabric {
        &self.inner.fabric
    }

    pub(crate) fn logs_dir(&self) -> Option<&PathBuf> {
        self.inner.logs_dir.as_ref()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn lambda_endpoint(&self) -> Option<&str> {
        self.inner.lambda_endpoint.as_deref()
    }

    pub(crate) fn certs_dir(&self) -> Option<&PathBuf> {
        self.inner.certs_dir.as_ref()
    }

    pub(crate) fn efs_root(&self) -> Option<&PathBuf> {
        self.inner.efs_root.as_ref()
    }

    pub(crate) fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Listeners>> {
        self.inner.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) async fn user(&self, server_id: &str, name: &str) -> Option<UserRec> {
        self.state()
            .read()
            .await
            .users
            .get(&(server_id.to_string(), name.to_string()))
            .cloned()
    }

    pub(crate) async fn server(&self, server_id: &str) -> Option<ServerRec> {
        self.state().read().await.servers.get(server_id).cloned()
    }

    pub(crate) async fn banner(&self, server_id: &str) -> Option<String> {
        self.state()
            .read()
            .await
            .servers
            .get(server_id)
            .and_then(|s| s.pre_auth_banner.clone())
    }

    /// Starts the servers that were ONLINE when Landbridge stopped.
    pub async fn start_data_planes(&self) {
        let online: Vec<String> = self
            .state()
            .read()
            .await
            .servers
            .values()
            .filter(|s| s.state == "ONLINE")
            .map(|s| s.id.clone())
            .collect();
        for id in online {
            servers::bring_online(self, &id).await;
        }
    }

    /// The listeners of ONLINE servers.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let mut out = Vec::new();
        for (id, l) in self.running().iter() {
            let mut add = |protocol: &'static str, port: u16| {
                out.push(Endpoint {
                    server_id: id.clone(),
                    protocol,
                    address: l.address.clone(),
                    port,
                })
            };
            if let Some(s) = &l.sftp {
                add("sftp", s.port);
            }
            if let Some(f) = &l.ftp {
                add("ftp", f.port);
            }
        }
        out.sort_by(|a, b| a.server_id.cmp(&b.server_id));
        out
    }

    pub(crate) fn mutation<T: serde::Serialize>(
        &self,
        kind: &str,
        account: &str,
        region: &str,
        id: &str,
        value: &T,
    ) -> Option<Mutation> {
        Mutation::put_json(Key::new(SERVICE, account, region, kind, id), value)
    }

    /// Commits records together (`None`: one could not be encoded).
    pub(crate) async fn commit(&self, mutations: Vec<Option<Mutation>>) -> Result<(), ApiError> {
        let batch: Option<Vec<Mutation>> = mutations.into_iter().collect();
        let batch = batch.ok_or_else(|| errors::internal("could not encode a record"))?;
        self.inner
            .store
            .commit(batch)
            .await
            .map_err(|e| errors::internal(e.to_string()))
    }

    pub(crate) fn save_server(&self, s: &ServerRec) -> Option<Mutation> {
        self.mutation("server", &s.account, &s.region, &s.id, s)
    }

    pub(crate) fn save_user(&self, u: &UserRec) -> Option<Mutation> {
        self.mutation(
            "user",
            &u.account,
            &u.region,
            &format!("{}/{}", u.server_id, u.user_name),
            u,
        )
    }

    pub(crate) fn forget(kind: &str, account: &str, region: &str, id: &str) -> Option<Mutation> {
        Some(Mutation::Delete(Key::new(SERVICE, account, region, kind, id)))
    }

    /// Forgets everything, durably: listeners stop and give their
    /// addresses back.
    pub async fn reset(&self) -> Result<(), ApiError> {
        let running: Vec<Listeners> = self.running().drain().map(|(_, r)| r).collect();
        for l in running {
            l.stop().await;
        }
        let addresses: Vec<std::net::Ipv4Addr> = self
            .state()
            .read()
            .await
            .servers
            .values()
            .filter_map(|s| s.address.parse().ok())
            .collect();
        self.fabric().release(addresses);
        self.inner
            .store
            .commit(vec![Mutation::Clear {
                service: Some(SERVICE.to_string()),
            }])
            .await
            .map_err(|e| errors::internal(e.to_string()))?;
        *self.inner.state.write().await = State::default();
        Ok(())
    }
}

/// A user's home, as `landbridge-homes` resolves it.
pub(crate) fn home_of(user: &UserRec) -> landbridge_homes::Home {
    if user.home_directory_type == "LOGICAL" {
        landbridge_homes::Home::logical(user.mappings.iter().map(|m| (m.entry.as_str(), m.target.as_str())))
    } else {
        landbridge_homes::Home::path(user.home_directory.as_deref())
    }
}

pub(crate) use landbridge_store::new_id;

pub(crate) fn now_ms() -> i64 {
    landbridge_api::Timestamp::now().millis()
}

impl Stateful for Transfer {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(Transfer::reset(self))
    }
}

impl TransferApi for Transfer {
    async fn create_server(
        &self,
        ctx: &RequestContext,
        input: CreateServerRequest,
    ) -> Result<CreateServerResponse, ApiError> {
        servers::create(self, ctx, input).await
    }

    async fn describe_server(
        &self,
        ctx: &RequestContext,
        input: DescribeServerRequest,
    ) -> Result<DescribeServerResponse, ApiError> {
        servers::describe(self, ctx, input).await
    }

    async fn list_servers(
        &self,
        ctx: &RequestContext,
        input: ListServersRequest,
    ) -> Result<ListServersResponse, ApiError> {
        servers::list(self, ctx, input).await
    }

    async fn update_server(
        &self,
        ctx: &RequestContext,
        input: UpdateServerRequest,
    ) -> Result<UpdateServerResponse, ApiError> {
        servers::update(self, ctx, input).await
    }

    async fn delete_server(&self, ctx: &RequestContext, input: DeleteServerRequest) -> Result<(), ApiError> {
        servers::delete(self, ctx, input).await
    }

    async fn start_server(&self, ctx: &RequestContext, input: StartServerRequest) -> Result<(), ApiError> {
        servers::start(self, ctx, input).await
    }

    async fn stop_server(&self, ctx: &RequestContext, input: StopServerRequest) -> Result<(), ApiError> {
        servers::stop(self, ctx, input).await
    }

    async fn create_user(
        &self,
        ctx: &RequestContext,
        input: CreateUserRequest,
    ) -> Result<CreateUserResponse, ApiError> {
        users::create(self, ctx, input).await
    }

    async fn describe_user(
        &self,
        ctx: &RequestContext,
        input: DescribeUserRequest,
    ) -> Result<DescribeUserResponse, ApiError> {
        users::describe(self, ctx, input).await
    }

    async fn list_users(&self, ctx: &RequestContext, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
        users::list(self, ctx, input).await
    }

    async fn update_user(
        &self,
        ctx: &RequestContext,
        input: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, ApiError> {
        users::update(self, ctx, input).await
    }

    async fn delete_user(&self, ctx: &RequestContext, input: DeleteUserRequest) -> Result<(), ApiError> {
        users::delete(self, ctx, input).await
    }

    async fn import_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: ImportSshPublicKeyRequest,
    ) -> Result<ImportSshPublicKeyResponse, ApiError> {
        users::import_key(self, ctx, input).await
    }

    async fn delete_ssh_public_key(
        &self,
        ctx: &RequestContext,
        input: DeleteSshPublicKeyRequest,
    ) -> Result<(), ApiError> {
        users::delete_key(self, ctx, input).await
    }

    async fn describe_security_policy(
        &self,
        _ctx: &RequestContext,
        input: DescribeSecurityPolicyRequest,
    ) -> Result<DescribeSecurityPolicyResponse, ApiError> {
        policies::describe(input)
    }

    async fn list_security_policies(
        &self,
        _ctx: &RequestContext,
        input: ListSecurityPoliciesRequest,
    ) -> Result<ListSecurityPoliciesResponse, ApiError> {
        policies::list(input)
    }

    async fn test_identity_provider(
        &self,
        ctx: &RequestContext,
        input: TestIdentityProviderRequest,
    ) -> Result<TestIdentityProviderResponse, ApiError> {
        servers::test_identity_provider(self, ctx, input).await
    }

    async fn create_access(
        &self,
        ctx: &RequestContext,
        input: CreateAccessRequest,
    ) -> Result<CreateAccessResponse, ApiError> {
        accesses::create(self, ctx, input).await
    }

    async fn describe_access(
        &self,
        ctx: &RequestContext,
        input: DescribeAccessRequest,
    ) -> Result<DescribeAccessResponse, ApiError> {
        accesses::describe(self, ctx, input).await
    }

    async fn list_accesses(
        &self,
        ctx: &RequestContext,
        input: ListAccessesRequest,
    ) -> Result<ListAccessesResponse, ApiError> {
        accesses::list(self, ctx, input).await
    }

    async fn update_access(
        &self,
        ctx: &RequestContext,
        input: UpdateAccessRequest,
    ) -> Result<UpdateAccessResponse, ApiError> {
        accesses::update(self, ctx, input).await
    }

    async fn delete_access(&self, ctx: &RequestContext, input: DeleteAccessRequest) -> Result<(), ApiError> {
        accesses::delete(self, ctx, input).await
    }

    async fn import_host_key(
        &self,
        ctx: &RequestContext,
        input: ImportHostKeyRequest,
    ) -> Result<ImportHostKeyResponse, ApiError> {
        host_keys::import(self, ctx, input).await
    }

    async fn describe_host_key(
        &self,
        ctx: &RequestContext,
        input: DescribeHostKeyRequest,
    ) -> Result<DescribeHostKeyResponse, ApiError> {
        host_keys::describe(self, ctx, input).await
    }

    async fn list_host_keys(
        &self,
        ctx: &RequestContext,
        input: ListHostKeysRequest,
    ) -> Result<ListHostKeysResponse, ApiError> {
        host_keys::list(self, ctx, input).await
    }

    async fn update_host_key(
        &self,
        ctx: &RequestContext,
        input: UpdateHostKeyRequest,
    ) -> Result<UpdateHostKeyResponse, ApiError> {
        host_keys::update(self, ctx, input).await
    }

    async fn delete_host_key(&self, ctx: &RequestContext, input: DeleteHostKeyRequest) -> Result<(), ApiError> {
        host_keys::delete(self, ctx, input).await
    }

    async fn tag_resource(&self, ctx: &RequestContext, input: TagResourceRequest) -> Result<(), ApiError> {
        tags::tag(self, ctx, input).await
    }

    async fn untag_resource(&self, ctx: &RequestContext, input: UntagResourceRequest) -> Result<(), ApiError> {
        tags::untag(self, ctx, input).await
    }

    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ApiError> {
        tags::list(self, ctx, input).await
    }
}
