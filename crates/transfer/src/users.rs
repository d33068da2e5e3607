//! Users of service-managed servers: home directory (PATH, or LOGICAL with
//! mappings), POSIX profile, role and policy, and the SSH public keys they
//! sign in with.

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::model::{Mapping, PosixProfile as PosixRec, SshKeyRec, UserRec};
use crate::{Transfer, errors, new_id, now_ms, servers, tags};

/// AWS's limit of keys per user.
const MAX_KEYS: usize = 50;

/// A public key as OpenSSH writes it, checked.
fn ssh_key(body: &str) -> Result<SshKeyRec, ApiError> {
    let body = body.trim();
    russh::keys::PublicKey::from_openssh(body)
        .map_err(|_| errors::invalid("Unsupported or invalid SSH public key format"))?;
    Ok(SshKeyRec {
        id: new_id("key"),
        body: body.to_string(),
        imported_ms: now_ms(),
    })
}

fn same_key(a: &str, b: &str) -> bool {
    match (
        russh::keys::PublicKey::from_openssh(a),
        russh::keys::PublicKey::from_openssh(b),
    ) {
        (Ok(x), Ok(y)) => x.key_data() == y.key_data(),
        _ => false,
    }
}

pub(crate) fn mappings(given: Option<Vec<HomeDirectoryMapEntry>>) -> Vec<Mapping> {
    given
        .unwrap_or_default()
        .into_iter()
        .map(|m| Mapping {
            entry: m.entry,
            target: m.target,
            kind: m.r#type.map(|t| t.as_str().to_string()),
        })
        .collect()
}

/// AWS's rules on homes: LOGICAL needs mappings, PATH takes none; an S3
/// home names a bucket.
pub(crate) fn check_home(u: &UserRec) -> Result<(), ApiError> {
    match u.home_directory_type.as_str() {
        "LOGICAL" if u.mappings.is_empty() => Err(errors::invalid(
            "HomeDirectoryMappings are required when HomeDirectoryType is LOGICAL",
        )),
        "PATH" if !u.mappings.is_empty() => Err(errors::invalid(
            "HomeDirectoryMappings can only be used when HomeDirectoryType is LOGICAL",
        )),
        _ => Ok(()),
    }
}

/// A POSIX profile as kept.
pub(crate) fn posix(p: PosixProfile) -> PosixRec {
    PosixRec {
        uid: p.uid,
        gid: p.gid,
        secondary_gids: p.secondary_gids.unwrap_or_default(),
    }
}

/// What UpdateUser and UpdateAccess may change: given fields replace,
/// empty strings clear, a PATH home drops its mappings.
pub(crate) struct HomeChange {
    pub home_directory_type: Option<HomeDirectoryType>,
    pub home_directory: Option<String>,
    pub mappings: Option<Vec<HomeDirectoryMapEntry>>,
    pub role: Option<String>,
    pub policy: Option<String>,
    pub posix_profile: Option<PosixProfile>,
}

impl HomeChange {
    pub(crate) fn apply(self, u: &mut UserRec) -> Result<(), ApiError> {
        if let Some(h) = self.home_directory_type {
            u.home_directory_type = h.as_str().to_string();
            if h == HomeDirectoryType::Path && self.mappings.is_none() {
                u.mappings.clear();
            }
        }
        if let Some(h) = self.home_directory {
            u.home_directory = (!h.is_empty()).then_some(h);
        }
        if self.mappings.is_some() {
            u.mappings = mappings(self.mappings);
        }
        if let Some(r) = self.role {
            u.role = r;
        }
        if let Some(p) = self.policy {
            u.policy = (!p.is_empty()).then_some(p);
        }
        if let Some(p) = self.posix_profile {
            u.posix_profile = Some(posix(p));
        }
        check_home(u)
    }
}

fn find<'a>(state: &'a crate::State, ctx: &RequestContext, server: &str, name: &str) -> Result<&'a UserRec, ApiError> {
    servers::find(state, ctx, server)?;
    state
        .users
        .get(&(server.to_string(), name.to_string()))
        .ok_or_else(|| errors::not_found("user", name))
}

pub async fn create(
    t: &Transfer,
    ctx: &RequestContext,
    input: CreateUserRequest,
) -> Result<CreateUserResponse, ApiError> {
    let mut state = t.state().write().await;
    let server = servers::find(&state, ctx, &input.server_id)?.clone();
    if server.identity_provider_type != "SERVICE_MANAGED" {
        return Err(errors::invalid(
            "Users can be created only on servers whose identity provider is SERVICE_MANAGED",
        ));
    }
    let key = (server.id.clone(), input.user_name.clone());
    if state.users.contains_key(&key) {
        return Err(errors::exists(format!(
            "User already exists: {} on server {}",
            input.user_name, server.id
        )));
    }
    let rec = UserRec {
        arn: format!(
            "arn:aws:transfer:{}:{}:user/{}/{}",
            ctx.region, ctx.account_id, server.id, input.user_name
        ),
        server_id: server.id.clone(),
        user_name: input.user_name.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        role: input.role,
        policy: input.policy,
        home_directory_type: input.home_directory_type.map_or("PATH", |h| h.as_str()).to_string(),
        home_directory: input.home_directory.filter(|h| !h.is_empty()),
        mappings: mappings(input.home_directory_mappings),
        posix_profile: input.posix_profile.map(posix),
        ssh_keys: match input.ssh_public_key_body.as_deref() {
            Some(body) if !body.trim().is_empty() => vec![ssh_key(body)?],
            _ => Vec::new(),
        },
        tags: tags::from_input(input.tags)?,
    };
    check_home(&rec)?;
    t.commit(vec![t.save_user(&rec)]).await?;
    state.users.insert(key, rec);
    Ok(CreateUserResponse {
        server_id: server.id,
        user_name: input.user_name,
    })
}

pub async fn describe(
    t: &Transfer,
    ctx: &RequestContext,
    input: DescribeUserRequest,
) -> Result<DescribeUserResponse, ApiError> {
    let state = t.state().read().await;
    let u = find(&state, ctx, &input.server_id, &input.user_name)?;
    Ok(DescribeUserResponse {
        server_id: u.server_id.clone(),
        user: described(u),
    })
}

/// A user as DescribeUser shows it.
pub(crate) fn described(u: &UserRec) -> DescribedUser {
    DescribedUser {
        arn: u.arn.clone(),
        home_directory: u.home_directory.clone(),
        home_directory_mappings: (!u.mappings.is_empty()).then(|| {
            u.mappings
                .iter()
                .map(|m| HomeDirectoryMapEntry {
                    entry: m.entry.clone(),
                    target: m.target.clone(),
                    r#type: m.kind.as_deref().and_then(MapType::parse),
                })
                .collect()
        }),
        home_directory_type: HomeDirectoryType::parse(&u.home_directory_type),
        policy: u.policy.clone(),
        posix_profile: u.posix_profile.as_ref().map(|p| PosixProfile {
            uid: p.uid,
            gid: p.gid,
            secondary_gids: (!p.secondary_gids.is_empty()).then(|| p.secondary_gids.clone()),
        }),
        role: Some(u.role.clone()),
        ssh_public_keys: Some(
            u.ssh_keys
                .iter()
                .map(|k| SshPublicKey {
                    date_imported: Timestamp::from_millis(k.imported_ms),
                    ssh_public_key_body: k.body.clone(),
                    ssh_public_key_id: k.id.clone(),
                })
                .collect(),
        ),
        tags: tags::view(&u.tags),
        user_name: Some(u.user_name.clone()),
    }
}

pub async fn list(t: &Transfer, ctx: &RequestContext, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
    let state = t.state().read().await;
    servers::find(&state, ctx, &input.server_id)?;
    let all: Vec<ListedUser> = state
        .users
        .values()
        .filter(|u| u.server_id == input.server_id)
        .map(|u| ListedUser {
            arn: u.arn.clone(),
            home_directory: u.home_directory.clone(),
            home_directory_type: HomeDirectoryType::parse(&u.home_directory_type),
            role: Some(u.role.clone()),
            ssh_public_key_count: Some(u.ssh_keys.len() as i32),
            user_name: Some(u.user_name.clone()),
        })
        .collect();
    let (users, next_token) = tags::page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListUsersResponse {
        next_token,
        server_id: input.server_id,
        users,
    })
}

pub async fn update(
    t: &Transfer,
    ctx: &RequestContext,
    input: UpdateUserRequest,
) -> Result<UpdateUserResponse, ApiError> {
    let mut state = t.state().write().await;
    let mut u = find(&state, ctx, &input.server_id, &input.user_name)?.clone();
    HomeChange {
        home_directory_type: input.home_directory_type,
        home_directory: input.home_directory,
        mappings: input.home_directory_mappings,
        role: input.role,
        policy: input.policy,
        posix_profile: input.posix_profile,
    }
    .apply(&mut u)?;
    t.commit(vec![t.save_user(&u)]).await?;
    let out = UpdateUserResponse {
        server_id: u.server_id.clone(),
        user_name: u.user_name.clone(),
    };
    state.users.insert((u.server_id.clone(), u.user_name.clone()), u);
    Ok(out)
}

pub async fn delete(t: &Transfer, ctx: &RequestContext, input: DeleteUserRequest) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    let u = find(&state, ctx, &input.server_id, &input.user_name)?.clone();
    t.commit(vec![Transfer::forget(
        "user",
        &u.account,
        &u.region,
        &format!("{}/{}", u.server_id, u.user_name),
    )])
    .await?;
    state.users.remove(&(u.server_id, u.user_name));
    Ok(())
}

pub async fn import_key(
    t: &Transfer,
    ctx: &RequestContext,
    input: ImportSshPublicKeyRequest,
) -> Result<ImportSshPublicKeyResponse, ApiError> {
    let mut state = t.state().write().await;
    let mut u = find(&state, ctx, &input.server_id, &input.user_name)?.clone();
    let key = ssh_key(&input.ssh_public_key_body)?;
    if u.ssh_keys.iter().any(|k| same_key(&k.body, &key.body)) {
        return Err(errors::exists("The SSH public key already exists for this user"));
    }
    if u.ssh_keys.len() >= MAX_KEYS {
        return Err(ApiError::client(
            "ResourceExistsException",
            format!("A user can have at most {MAX_KEYS} SSH public keys"),
        ));
    }
    let id = key.id.clone();
    u.ssh_keys.push(key);
    t.commit(vec![t.save_user(&u)]).await?;
    state.users.insert((u.server_id.clone(), u.user_name.clone()), u);
    Ok(ImportSshPublicKeyResponse {
        server_id: input.server_id,
        ssh_public_key_id: id,
        user_name: input.user_name,
    })
}

pub async fn delete_key(t: &Transfer, ctx: &RequestContext, input: DeleteSshPublicKeyRequest) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    let mut u = find(&state, ctx, &input.server_id, &input.user_name)?.clone();
    let before = u.ssh_keys.len();
    u.ssh_keys.retain(|k| k.id != input.ssh_public_key_id);
    if u.ssh_keys.len() == before {
        return Err(errors::not_found("SSH public key", &input.ssh_public_key_id));
    }
    t.commit(vec![t.save_user(&u)]).await?;
    state.users.insert((u.server_id.clone(), u.user_name.clone()), u);
    Ok(())
}
