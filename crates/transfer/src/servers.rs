//! Servers: created ONLINE (their SFTP listener started on a fabric
//! address), stopped and started, updated, deleted; the rules AWS applies
//! to protocols and identity providers.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, RequestContext};
use serde_json::json;
use tokio::net::TcpListener;

use crate::model::ServerRec;
use crate::{Transfer, errors, host_key, host_keys, new_id, now_ms, policies, ssh, tags};

/// The SFTP port a server listens on when the process may bind it.
const SFTP_PORT: u16 = 22;

fn identity_details(d: Option<&IdentityProviderDetails>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(d) = d {
        for (k, v) in [
            ("Url", &d.url),
            ("InvocationRole", &d.invocation_role),
            ("DirectoryId", &d.directory_id),
            ("Function", &d.function),
        ] {
            if let Some(v) = v {
                out.insert(k.to_string(), v.clone());
            }
        }
        if let Some(m) = d.sftp_authentication_methods {
            out.insert("SftpAuthenticationMethods".into(), m.as_str().to_string());
        }
    }
    out
}

/// ProtocolDetails as stored: what is given over what was. The passive IP
/// is shown as given; the FTP server always advertises its own address.
fn protocol_details(given: Option<&ProtocolDetails>, before: &serde_json::Value) -> serde_json::Value {
    let mut out = before.clone();
    if !out.is_object() {
        out = json!({});
    }
    if let Some(d) = given {
        if let Some(ip) = &d.passive_ip {
            out["PassiveIp"] = json!(ip);
        }
        if let Some(m) = d.tls_session_resumption_mode {
            out["TlsSessionResumptionMode"] = json!(m.as_str());
        }
        if let Some(o) = d.set_stat_option {
            out["SetStatOption"] = json!(o.as_str());
        }
    }
    out
}

/// AWS's rules on protocols, identity providers and endpoints.
fn check(s: &ServerRec) -> Result<(), ApiError> {
    if s.protocols.is_empty() {
        return Err(errors::invalid("Protocols must contain at least one protocol"));
    }
    let has = |p: &str| s.protocols.iter().any(|x| x == p);
    let managed = s.identity_provider_type == "SERVICE_MANAGED";
    if (has("FTP") || has("FTPS")) && managed {
        return Err(errors::invalid(
            "FTP and FTPS protocols are not supported with the SERVICE_MANAGED identity provider type",
        ));
    }
    if has("FTPS") && s.certificate.is_none() {
        return Err(errors::invalid("A certificate is required when FTPS is a protocol"));
    }
    if has("FTP") && s.endpoint_type != "VPC" {
        return Err(errors::invalid("The FTP protocol requires the VPC endpoint type"));
    }
    if has("AS2") && (s.endpoint_type != "VPC" || has("SFTP") || has("FTP") || has("FTPS")) {
        return Err(errors::invalid("AS2 must be the only protocol, on a VPC endpoint"));
    }
    let need = |key: &str| {
        if s.identity_provider.contains_key(key) {
            Ok(())
        } else {
            Err(errors::invalid(format!(
                "IdentityProviderDetails.{key} is required for the {} identity provider type",
                s.identity_provider_type
            )))
        }
    };
    match s.identity_provider_type.as_str() {
        "API_GATEWAY" => {
            need("Url")?;
            need("InvocationRole")
        }
        "AWS_DIRECTORY_SERVICE" => need("DirectoryId"),
        "AWS_LAMBDA" => need("Function"),
        _ => Ok(()),
    }
}

pub async fn create(
    t: &Transfer,
    ctx: &RequestContext,
    input: CreateServerRequest,
) -> Result<CreateServerResponse, ApiError> {
    let id = new_id("s");
    let key = match input.host_key.as_deref() {
        Some(pem) if !pem.is_empty() => host_key::parse(pem)?,
        _ => host_key::generate()?,
    };
    let policy = input
        .security_policy_name
        .unwrap_or_else(|| policies::DEFAULT.to_string());
    policies::find(&policy)?;
    let address = t
        .fabric()
        .allocate(1)
        .and_then(|a| a.first().copied())
        .ok_or_else(|| errors::internal("the loopback fabric has no free address"))?;
    let rec = ServerRec {
        address: address.to_string(),
        arn: format!("arn:aws:transfer:{}:{}:server/{id}", ctx.region, ctx.account_id),
        id: id.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        protocols: input
            .protocols
            .map(|p| p.iter().map(|p| p.as_str().to_string()).collect())
            .unwrap_or_else(|| vec!["SFTP".to_string()]),
        identity_provider_type: input
            .identity_provider_type
            .map_or("SERVICE_MANAGED", |t| t.as_str())
            .to_string(),
        identity_provider: identity_details(input.identity_provider_details.as_ref()),
        domain: input.domain.map_or("S3", |d| d.as_str()).to_string(),
        endpoint_type: input.endpoint_type.map_or("PUBLIC", |e| e.as_str()).to_string(),
        endpoint_details: input.endpoint_details.map_or(json!(null), |d| {
            json!({"VpcId": d.vpc_id, "SubnetIds": d.subnet_ids, "VpcEndpointId": d.vpc_endpoint_id,
                   "SecurityGroupIds": d.security_group_ids, "AddressAllocationIds": d.address_allocation_ids})
        }),
        host_keys: vec![host_keys::record(&key, None)?],
        security_policy: policy,
        pre_auth_banner: input.pre_authentication_login_banner,
        post_auth_banner: input.post_authentication_login_banner,
        logging_role: input.logging_role,
        certificate: input.certificate,
        protocol_details: protocol_details(input.protocol_details.as_ref(), &json!({})),
        state: "ONLINE".into(),
        tags: tags::from_input(input.tags)?,
    };
    if let Err(e) = check(&rec) {
        t.fabric().release([address]);
        return Err(e);
    }
    {
        let mut state = t.state().write().await;
        t.commit(vec![t.save_server(&rec)]).await?;
        state.servers.insert(id.clone(), rec);
    }
    bring_online(t, &id).await;
    Ok(CreateServerResponse { server_id: id })
}

/// Binds the server's listeners on its fabric address (SFTP on 22, FTP and
/// FTPS on 21, or free ports when those cannot be bound); START_FAILED if
/// they cannot.
pub async fn bring_online(t: &Transfer, id: &str) {
    let Some(rec) = t.state().read().await.servers.get(id).cloned() else {
        return;
    };
    if t.running().contains_key(id) {
        return;
    }
    let has = |p: &str| rec.protocols.iter().any(|x| x == p);
    let started = async {
        let ip: Ipv4Addr = rec
            .address
            .parse()
            .map_err(|_| format!("bad address {}", rec.address))?;
        let sftp = if has("SFTP") {
            let keys = host_keys::served(&rec);
            if keys.is_empty() {
                return Err("the server has no usable host key".to_string());
            }
            let listener = match TcpListener::bind(SocketAddr::from((ip, SFTP_PORT))).await {
                Ok(l) => l,
                Err(_) => TcpListener::bind(SocketAddr::from((ip, 0)))
                    .await
                    .map_err(|e| e.to_string())?,
            };
            Some(ssh::serve(
                t.clone(),
                rec.id.clone(),
                keys,
                policies::preferred(&rec.security_policy),
                listener,
            ))
        } else {
            None
        };
        let ftp = if has("FTP") || has("FTPS") {
            Some(crate::ftp::listen(t.clone(), &rec, ip).await?)
        } else {
            None
        };
        Ok::<_, String>(crate::Listeners {
            address: ip.to_string(),
            sftp,
            ftp,
        })
    }
    .await;
    let state_now = match started {
        Ok(listeners) => {
            tracing::info!(server = %rec.id, address = %listeners.address, "Transfer server listening");
            t.running().insert(rec.id.clone(), listeners);
            "ONLINE"
        }
        Err(e) => {
            tracing::warn!(server = %rec.id, error = %e, "Transfer server could not start");
            "START_FAILED"
        }
    };
    if state_now != rec.state {
        set_state(t, id, state_now).await;
    }
}

async fn set_state(t: &Transfer, id: &str, new: &str) {
    let mut state = t.state().write().await;
    if let Some(s) = state.servers.get_mut(id) {
        s.state = new.to_string();
        let m = t.save_server(s);
        if let Err(e) = t.commit(vec![m]).await {
            tracing::warn!(server = %id, error = %e.message, "could not store a server's state");
        }
    }
}

/// Stops the listener and its sessions; the server keeps its address.
async fn take_offline(t: &Transfer, id: &str) {
    let running = t.running().remove(id);
    if let Some(listeners) = running {
        listeners.stop().await;
    }
}

pub(crate) fn find<'a>(state: &'a crate::State, ctx: &RequestContext, id: &str) -> Result<&'a ServerRec, ApiError> {
    state
        .servers
        .get(id)
        .filter(|s| s.account == ctx.account_id && s.region == ctx.region)
        .ok_or_else(|| errors::not_found("server", id))
}

fn describe_one(state: &crate::State, s: &ServerRec) -> DescribedServer {
    let users = state.users.keys().filter(|(sid, _)| *sid == s.id).count();
    let details = |k: &str| s.identity_provider.get(k).cloned();
    DescribedServer {
        arn: s.arn.clone(),
        server_id: Some(s.id.clone()),
        state: State::parse(&s.state),
        protocols: Some(s.protocols.iter().filter_map(|p| ProtocolShape::parse(p)).collect()),
        identity_provider_type: IdentityProviderType::parse(&s.identity_provider_type),
        identity_provider_details: (!s.identity_provider.is_empty()).then(|| IdentityProviderDetails {
            url: details("Url"),
            invocation_role: details("InvocationRole"),
            directory_id: details("DirectoryId"),
            function: details("Function"),
            sftp_authentication_methods: details("SftpAuthenticationMethods")
                .and_then(|m| SftpAuthenticationMethods::parse(&m)),
        }),
        domain: Domain::parse(&s.domain),
        endpoint_type: EndpointType::parse(&s.endpoint_type),
        host_key_fingerprint: host_keys::primary(s).map(|k| k.fingerprint.clone()),
        security_policy_name: Some(s.security_policy.clone()),
        pre_authentication_login_banner: s.pre_auth_banner.clone(),
        post_authentication_login_banner: s.post_auth_banner.clone(),
        logging_role: s.logging_role.clone(),
        certificate: s.certificate.clone(),
        tags: tags::view(&s.tags),
        user_count: Some(users as i32),
        protocol_details: Some(ProtocolDetails {
            passive_ip: s.protocol_details["PassiveIp"].as_str().map(str::to_string),
            tls_session_resumption_mode: s.protocol_details["TlsSessionResumptionMode"]
                .as_str()
                .and_then(TlsSessionResumptionMode::parse),
            set_stat_option: Some(
                s.protocol_details["SetStatOption"]
                    .as_str()
                    .and_then(SetStatOption::parse)
                    .unwrap_or(SetStatOption::EnableNoOp),
            ),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub async fn describe(
    t: &Transfer,
    ctx: &RequestContext,
    input: DescribeServerRequest,
) -> Result<DescribeServerResponse, ApiError> {
    let state = t.state().read().await;
    let s = find(&state, ctx, &input.server_id)?;
    Ok(DescribeServerResponse {
        server: describe_one(&state, s),
    })
}

pub async fn list(
    t: &Transfer,
    ctx: &RequestContext,
    input: ListServersRequest,
) -> Result<ListServersResponse, ApiError> {
    let state = t.state().read().await;
    let all: Vec<ListedServer> = state
        .servers
        .values()
        .filter(|s| s.account == ctx.account_id && s.region == ctx.region)
        .map(|s| ListedServer {
            arn: s.arn.clone(),
            domain: Domain::parse(&s.domain),
            identity_provider_type: IdentityProviderType::parse(&s.identity_provider_type),
            endpoint_type: EndpointType::parse(&s.endpoint_type),
            logging_role: s.logging_role.clone(),
            server_id: Some(s.id.clone()),
            state: State::parse(&s.state),
            user_count: Some(state.users.keys().filter(|(sid, _)| *sid == s.id).count() as i32),
        })
        .collect();
    let (servers, next_token) = tags::page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListServersResponse { servers, next_token })
}

pub async fn update(
    t: &Transfer,
    ctx: &RequestContext,
    input: UpdateServerRequest,
) -> Result<UpdateServerResponse, ApiError> {
    let mut state = t.state().write().await;
    let mut s = find(&state, ctx, &input.server_id)?.clone();
    let protocols_before = s.protocols.clone();
    let banner_before = s.pre_auth_banner.clone();
    let policy_before = s.security_policy.clone();
    if let Some(p) = input.protocols {
        s.protocols = p.iter().map(|p| p.as_str().to_string()).collect();
    }
    if let Some(k) = input.identity_provider_type {
        s.identity_provider_type = k.as_str().to_string();
    }
    if let Some(d) = input.identity_provider_details.as_ref() {
        s.identity_provider = identity_details(Some(d));
    }
    if let Some(e) = input.endpoint_type {
        s.endpoint_type = e.as_str().to_string();
    }
    if input.protocol_details.is_some() {
        s.protocol_details = protocol_details(input.protocol_details.as_ref(), &s.protocol_details);
    }
    if let Some(c) = input.certificate {
        s.certificate = Some(c);
    }
    if let Some(p) = input.security_policy_name {
        policies::find(&p)?;
        if let Some(sftp) = t.running().get(&s.id).and_then(|l| l.sftp.as_ref()) {
            sftp.set_preferred(policies::preferred(&p));
        }
        s.security_policy = p;
    }
    // An empty banner removes it.
    if let Some(b) = input.pre_authentication_login_banner {
        s.pre_auth_banner = (!b.is_empty()).then_some(b);
    }
    if let Some(b) = input.post_authentication_login_banner {
        s.post_auth_banner = (!b.is_empty()).then_some(b);
    }
    if let Some(r) = input.logging_role {
        s.logging_role = (!r.is_empty()).then_some(r);
    }
    let new_key = match input.host_key.as_deref() {
        Some(pem) if !pem.is_empty() => Some(host_key::parse(pem)?),
        _ => None,
    };
    if let Some(key) = &new_key {
        // The new key replaces the primary one, keeping its id.
        let mut fresh = host_keys::record(key, None)?;
        match s.host_keys.iter_mut().min_by_key(|k| k.imported_ms) {
            Some(primary) => {
                fresh.id = primary.id.clone();
                fresh.imported_ms = primary.imported_ms;
                *primary = fresh;
            }
            None => s.host_keys.push(fresh),
        }
    }
    check(&s)?;
    t.commit(vec![t.save_server(&s)]).await?;
    let id = s.id.clone();
    if new_key.is_some()
        && let Some(sftp) = t.running().get(&id).and_then(|l| l.sftp.as_ref())
    {
        sftp.set_keys(host_keys::served(&s));
    }
    // Other protocols mean other listeners, and FTP keeps the banner and
    // TLS suites it was started with: an ONLINE server restarts them.
    let ftp = s.protocols.iter().any(|p| p.starts_with("FTP"));
    let ftp_changed = ftp && (s.pre_auth_banner != banner_before || s.security_policy != policy_before);
    let relisten = (s.protocols != protocols_before || ftp_changed) && s.state == "ONLINE";
    state.servers.insert(id.clone(), s);
    drop(state);
    if relisten {
        take_offline(t, &id).await;
        bring_online(t, &id).await;
    }
    Ok(UpdateServerResponse { server_id: id })
}

pub async fn delete(t: &Transfer, ctx: &RequestContext, input: DeleteServerRequest) -> Result<(), ApiError> {
    let s = {
        let state = t.state().read().await;
        find(&state, ctx, &input.server_id)?.clone()
    };
    take_offline(t, &s.id).await;
    let mut state = t.state().write().await;
    let users: Vec<(String, String)> = state.users.keys().filter(|(sid, _)| *sid == s.id).cloned().collect();
    let mut batch = vec![Transfer::forget("server", &s.account, &s.region, &s.id)];
    for (sid, name) in &users {
        batch.push(Transfer::forget(
            "user",
            &s.account,
            &s.region,
            &format!("{sid}/{name}"),
        ));
    }
    t.commit(batch).await?;
    for k in users {
        state.users.remove(&k);
    }
    let accesses: Vec<(String, String)> = state.accesses.keys().filter(|(sid, _)| *sid == s.id).cloned().collect();
    if !accesses.is_empty() {
        let batch = accesses
            .iter()
            .map(|(sid, ext)| Transfer::forget("access", &s.account, &s.region, &format!("{sid}/{ext}")))
            .collect();
        t.commit(batch).await?;
        for k in accesses {
            state.accesses.remove(&k);
        }
    }
    state.servers.remove(&s.id);
    if let Ok(ip) = s.address.parse::<Ipv4Addr>() {
        t.fabric().release([ip]);
    }
    Ok(())
}

pub async fn start(t: &Transfer, ctx: &RequestContext, input: StartServerRequest) -> Result<(), ApiError> {
    {
        let state = t.state().read().await;
        let s = find(&state, ctx, &input.server_id)?;
        if s.state == "ONLINE" {
            return Err(errors::invalid(format!("Server {} is already ONLINE", s.id)));
        }
    }
    set_state(t, &input.server_id, "STARTING").await;
    bring_online(t, &input.server_id).await;
    let failed = t
        .state()
        .read()
        .await
        .servers
        .get(&input.server_id)
        .is_some_and(|s| s.state == "START_FAILED");
    if !failed {
        set_state(t, &input.server_id, "ONLINE").await;
    }
    Ok(())
}

pub async fn stop(t: &Transfer, ctx: &RequestContext, input: StopServerRequest) -> Result<(), ApiError> {
    {
        let state = t.state().read().await;
        let s = find(&state, ctx, &input.server_id)?;
        if s.state == "OFFLINE" {
            return Err(errors::invalid(format!("Server {} is already OFFLINE", s.id)));
        }
    }
    set_state(t, &input.server_id, "STOPPING").await;
    take_offline(t, &input.server_id).await;
    set_state(t, &input.server_id, "OFFLINE").await;
    Ok(())
}

/// Asks the server's identity provider about a user, as a sign-in would.
pub async fn test_identity_provider(
    t: &Transfer,
    ctx: &RequestContext,
    input: TestIdentityProviderRequest,
) -> Result<TestIdentityProviderResponse, ApiError> {
    let server = {
        let state = t.state().read().await;
        find(&state, ctx, &input.server_id)?.clone()
    };
    if server.identity_provider_type == "SERVICE_MANAGED" {
        return Err(errors::invalid(
            "TestIdentityProvider needs a server with a custom identity provider, not SERVICE_MANAGED",
        ));
    }
    let protocol = input.server_protocol.map_or("SFTP", |p| p.as_str());
    let ip = input.source_ip.as_deref().unwrap_or("127.0.0.1");
    match crate::idp::ask(
        t,
        &server,
        &input.user_name,
        input.user_password.as_deref(),
        protocol,
        ip,
    )
    .await
    {
        Ok(answer) => Ok(TestIdentityProviderResponse {
            message: Some(if answer.user.is_some() {
                String::new()
            } else {
                "The identity provider did not authenticate the user".to_string()
            }),
            response: Some(answer.body),
            status_code: i32::from(answer.status),
            url: answer.url,
        }),
        Err(detail) => Ok(TestIdentityProviderResponse {
            message: Some(detail),
            response: None,
            status_code: 500,
            url: server.identity_provider.get("Url").cloned().unwrap_or_default(),
        }),
    }
}
