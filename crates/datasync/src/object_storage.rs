//! Object-storage locations: a bucket on any server that speaks S3 (another
//! Landbridge, a storage cluster, AWS itself), reached over the network and
//! signed with the location's keys (`engine/remote.rs`).

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::locations::{find, normalise_subdirectory};
use crate::model::{LocationKind, LocationRec, ObjectStorageLocation};
use crate::{DataSync, State, errors, new_arn, now_ms, tags};

fn default_port(protocol: &str) -> u16 {
    if protocol == "HTTP" { 80 } else { 443 }
}

fn port(given: i32) -> Result<u16, ApiError> {
    u16::try_from(given)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| errors::invalid(format!("Invalid ServerPort {given}: it must be between 1 and 65535")))
}

fn subdirectory(given: Option<&str>) -> Result<String, ApiError> {
    let sub = normalise_subdirectory(given);
    if sub.split('/').any(|part| part == "." || part == "..") {
        return Err(errors::invalid("The subdirectory must not contain . or .. components"));
    }
    Ok(sub)
}

/// Keys come as a pair or not at all (anonymous access).
fn check_keys(o: &ObjectStorageLocation) -> Result<(), ApiError> {
    if o.access_key.is_some() != o.secret_key.is_some() {
        return Err(errors::invalid("AccessKey and SecretKey must be specified together"));
    }
    Ok(())
}

fn check_agents(state: &State, ctx: &RequestContext, agents: &[String]) -> Result<(), ApiError> {
    for a in agents {
        crate::agents::find(state, ctx, a)?;
    }
    Ok(())
}

fn certificate(protocol: &str, pem: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, ApiError> {
    match pem {
        Some(_) if protocol != "HTTPS" => Err(errors::invalid(
            "ServerCertificate can be specified only with the HTTPS protocol",
        )),
        Some(p) if !p.starts_with(b"-----BEGIN CERTIFICATE-----") => {
            Err(errors::invalid("ServerCertificate must be a PEM-encoded certificate"))
        }
        other => Ok(other),
    }
}

pub async fn create(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationObjectStorageRequest,
) -> Result<CreateLocationObjectStorageResponse, ApiError> {
    let protocol = input.server_protocol.map_or("HTTPS", |p| p.as_str()).to_string();
    let o = ObjectStorageLocation {
        server: input.server_hostname,
        port: input.server_port.map_or(Ok(default_port(&protocol)), port)?,
        certificate: certificate(&protocol, input.server_certificate)?,
        protocol,
        bucket: input.bucket_name,
        subdirectory: subdirectory(input.subdirectory.as_deref())?,
        access_key: input.access_key,
        secret_key: input.secret_key,
        agents: input.agent_arns.unwrap_or_default(),
    };
    check_keys(&o)?;
    let rec = LocationRec {
        arn: new_arn(ctx, "location", "loc"),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        kind: LocationKind::ObjectStorage(o.clone()),
        tags: tags::from_input(input.tags)?,
    };
    let mut state = ds.state().write().await;
    check_agents(&state, ctx, &o.agents)?;
    ds.save("location", &rec.account, &rec.region, &rec.arn, &rec).await?;
    let arn = rec.arn.clone();
    state.locations.insert(arn.clone(), rec);
    Ok(CreateLocationObjectStorageResponse {
        location_arn: Some(arn),
    })
}

fn object_storage(l: &LocationRec) -> Result<&ObjectStorageLocation, ApiError> {
    match &l.kind {
        LocationKind::ObjectStorage(o) => Ok(o),
        _ => Err(errors::invalid(format!("{} is not a location of this type", l.arn))),
    }
}

pub async fn describe(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationObjectStorageRequest,
) -> Result<DescribeLocationObjectStorageResponse, ApiError> {
    let state = ds.state().read().await;
    let l = find(&state, ctx, &input.location_arn)?;
    let o = object_storage(l)?;
    Ok(DescribeLocationObjectStorageResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        access_key: o.access_key.clone(),
        server_port: Some(i32::from(o.port)),
        server_protocol: ObjectStorageServerProtocol::parse(&o.protocol),
        agent_arns: Some(o.agents.clone()),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        server_certificate: o.certificate.clone(),
        ..Default::default()
    })
}

pub async fn update(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationObjectStorageRequest,
) -> Result<UpdateLocationObjectStorageResponse, ApiError> {
    let mut state = ds.state().write().await;
    let mut l = find(&state, ctx, &input.location_arn)?.clone();
    object_storage(&l)?;
    if let LocationKind::ObjectStorage(o) = &mut l.kind {
        if let Some(p) = input.server_protocol {
            // A port left as the old protocol's default follows the new one.
            if o.port == default_port(&o.protocol) && input.server_port.is_none() {
                o.port = default_port(p.as_str());
            }
            o.protocol = p.as_str().to_string();
        }
        if let Some(p) = input.server_port {
            o.port = port(p)?;
        }
        if let Some(h) = input.server_hostname {
            o.server = h;
        }
        if let Some(s) = input.subdirectory.as_deref() {
            o.subdirectory = subdirectory(Some(s))?;
        }
        if let Some(k) = input.access_key {
            o.access_key = Some(k);
        }
        if let Some(k) = input.secret_key {
            o.secret_key = Some(k);
        }
        if let Some(a) = input.agent_arns {
            check_agents(&state, ctx, &a)?;
            o.agents = a;
        }
        if input.server_certificate.is_some() {
            o.certificate = certificate(&o.protocol, input.server_certificate)?;
        }
        check_keys(o)?;
    }
    ds.save("location", &l.account, &l.region, &l.arn, &l).await?;
    state.locations.insert(l.arn.clone(), l);
    Ok(UpdateLocationObjectStorageResponse {})
}
