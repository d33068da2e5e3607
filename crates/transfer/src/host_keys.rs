//! A server's host keys: the one it was created with and those imported
//! since (at most ten). A client is offered the oldest key of each
//! algorithm; changes reach the listener without restarting it.

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use russh::keys::PrivateKey;

use crate::model::{HostKeyRec, ServerRec};
use crate::{Transfer, errors, host_key, new_id, now_ms, servers, tags};

/// AWS's limit of host keys per server.
const MAX_KEYS: usize = 10;

/// A key as stored, from a parsed private key.
pub fn record(key: &PrivateKey, description: Option<String>) -> Result<HostKeyRec, ApiError> {
    Ok(HostKeyRec {
        id: new_id("hostkey"),
        body: host_key::to_openssh(key)?,
        fingerprint: host_key::fingerprint(key),
        key_type: key.algorithm().as_str().to_string(),
        description,
        imported_ms: now_ms(),
        tags: Default::default(),
    })
}

/// The keys a client is offered: the oldest of each algorithm.
pub fn served(server: &ServerRec) -> Vec<PrivateKey> {
    let mut keys: Vec<&HostKeyRec> = server.host_keys.iter().collect();
    keys.sort_by_key(|k| k.imported_ms);
    let mut seen = std::collections::HashSet::new();
    keys.into_iter()
        .filter(|k| seen.insert(k.key_type.clone()))
        .filter_map(|k| host_key::parse(&k.body).ok())
        .collect()
}

/// The server's own key: its oldest.
pub fn primary(server: &ServerRec) -> Option<&HostKeyRec> {
    server.host_keys.iter().min_by_key(|k| k.imported_ms)
}

fn arn(s: &ServerRec, k: &HostKeyRec) -> String {
    format!("arn:aws:transfer:{}:{}:host-key/{}/{}", s.region, s.account, s.id, k.id)
}

fn find<'a>(s: &'a ServerRec, id: &str) -> Result<&'a HostKeyRec, ApiError> {
    s.host_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(|| errors::not_found("host key", id))
}

/// Stores the server and hands its listener the keys to offer.
async fn save(t: &Transfer, s: ServerRec) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    t.commit(vec![t.save_server(&s)]).await?;
    if let Some(sftp) = t.running().get(&s.id).and_then(|l| l.sftp.as_ref()) {
        sftp.set_keys(served(&s));
    }
    state.servers.insert(s.id.clone(), s);
    Ok(())
}

async fn server(t: &Transfer, ctx: &RequestContext, id: &str) -> Result<ServerRec, ApiError> {
    let state = t.state().read().await;
    Ok(servers::find(&state, ctx, id)?.clone())
}

pub async fn import(
    t: &Transfer,
    ctx: &RequestContext,
    input: ImportHostKeyRequest,
) -> Result<ImportHostKeyResponse, ApiError> {
    let mut s = server(t, ctx, &input.server_id).await?;
    let key = host_key::parse(&input.host_key_body)?;
    let mut rec = record(&key, input.description)?;
    rec.tags = tags::from_input(input.tags)?;
    if s.host_keys.iter().any(|k| k.fingerprint == rec.fingerprint) {
        return Err(errors::exists("This host key is already imported for the server"));
    }
    if s.host_keys.len() >= MAX_KEYS {
        return Err(errors::invalid(format!(
            "A server can have at most {MAX_KEYS} host keys"
        )));
    }
    let id = rec.id.clone();
    s.host_keys.push(rec);
    save(t, s).await?;
    Ok(ImportHostKeyResponse {
        server_id: input.server_id,
        host_key_id: id,
    })
}

pub async fn describe(
    t: &Transfer,
    ctx: &RequestContext,
    input: DescribeHostKeyRequest,
) -> Result<DescribeHostKeyResponse, ApiError> {
    let s = server(t, ctx, &input.server_id).await?;
    let k = find(&s, &input.host_key_id)?;
    Ok(DescribeHostKeyResponse {
        host_key: DescribedHostKey {
            arn: arn(&s, k),
            host_key_id: Some(k.id.clone()),
            host_key_fingerprint: Some(k.fingerprint.clone()),
            description: k.description.clone(),
            r#type: Some(k.key_type.clone()),
            date_imported: Some(Timestamp::from_millis(k.imported_ms)),
            tags: tags::view(&k.tags),
            ..Default::default()
        },
    })
}

pub async fn list(
    t: &Transfer,
    ctx: &RequestContext,
    input: ListHostKeysRequest,
) -> Result<ListHostKeysResponse, ApiError> {
    let s = server(t, ctx, &input.server_id).await?;
    let all: Vec<ListedHostKey> = s
        .host_keys
        .iter()
        .map(|k| ListedHostKey {
            arn: arn(&s, k),
            host_key_id: Some(k.id.clone()),
            fingerprint: Some(k.fingerprint.clone()),
            description: k.description.clone(),
            r#type: Some(k.key_type.clone()),
            date_imported: Some(Timestamp::from_millis(k.imported_ms)),
            ..Default::default()
        })
        .collect();
    let (host_keys, next_token) = tags::page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListHostKeysResponse {
        next_token,
        server_id: input.server_id,
        host_keys,
    })
}

pub async fn update(
    t: &Transfer,
    ctx: &RequestContext,
    input: UpdateHostKeyRequest,
) -> Result<UpdateHostKeyResponse, ApiError> {
    let mut s = server(t, ctx, &input.server_id).await?;
    find(&s, &input.host_key_id)?;
    if let Some(k) = s.host_keys.iter_mut().find(|k| k.id == input.host_key_id) {
        k.description = input.description;
    }
    save(t, s).await?;
    Ok(UpdateHostKeyResponse {
        server_id: input.server_id,
        host_key_id: input.host_key_id,
    })
}

pub async fn delete(t: &Transfer, ctx: &RequestContext, input: DeleteHostKeyRequest) -> Result<(), ApiError> {
    let mut s = server(t, ctx, &input.server_id).await?;
    find(&s, &input.host_key_id)?;
    if s.host_keys.len() == 1 {
        return Err(errors::invalid("A server must keep at least one host key"));
    }
    s.host_keys.retain(|k| k.id != input.host_key_id);
    save(t, s).await
}
