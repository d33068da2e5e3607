//! File locations: NFS and SMB servers reached through agents, and EFS file
//! systems (FSx and HDFS in `fsx_locations.rs` and `hdfs_location.rs`). What they name is resolved to a local directory by `world
//! share` when a task runs, as an agent mounts a share when it runs.

use std::collections::BTreeMap;

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use serde_json::{Value, json};

use crate::model::{FileLocation, FileProtocol, LocationKind, LocationRec};
use crate::{DataSync, State, errors, locations, new_arn, now_ms, tags, world};

/// An absolute subdirectory in DataSync's form.
pub(crate) fn subdirectory(given: &str) -> Result<String, ApiError> {
    world::normalise_path(given).ok_or_else(|| {
        errors::invalid(format!(
            "Invalid subdirectory {given}: it must be an absolute path without . or .. components"
        ))
    })
}

/// Every agent must be the caller's.
fn check_agents(state: &State, ctx: &RequestContext, agents: &[String]) -> Result<(), ApiError> {
    if agents.is_empty() {
        return Err(errors::invalid("At least one agent ARN is required"));
    }
    for a in agents {
        crate::agents::find(state, ctx, a)?;
    }
    Ok(())
}

pub(crate) async fn insert(
    ds: &DataSync,
    ctx: &RequestContext,
    file: FileLocation,
    tags: crate::model::Tags,
) -> Result<String, ApiError> {
    let rec = LocationRec {
        arn: new_arn(ctx, "location", "loc"),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        kind: LocationKind::Files(file),
        tags,
    };
    let mut state = ds.state().write().await;
    if let LocationKind::Files(f) = &rec.kind
        && f.protocol.uses_agents()
    {
        check_agents(&state, ctx, &f.agents)?;
    }
    ds.save("location", &rec.account, &rec.region, &rec.arn, &rec).await?;
    let arn = rec.arn.clone();
    state.locations.insert(arn.clone(), rec);
    Ok(arn)
}

/// The caller's file location `arn` of `protocol`.
pub(crate) fn find_files<'a>(
    state: &'a State,
    ctx: &RequestContext,
    arn: &str,
    protocol: FileProtocol,
) -> Result<(&'a LocationRec, &'a FileLocation), ApiError> {
    let l = locations::find(state, ctx, arn)?;
    match &l.kind {
        LocationKind::Files(f) if f.protocol == protocol => Ok((l, f)),
        _ => Err(errors::invalid(format!("{arn} is not a location of this type"))),
    }
}

/// Changes the caller's file location `arn` with `change`, then stores it.
pub(crate) async fn update(
    ds: &DataSync,
    ctx: &RequestContext,
    arn: &str,
    protocol: FileProtocol,
    change: impl FnOnce(&State, &mut FileLocation) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut state = ds.state().write().await;
    let (l, _) = find_files(&state, ctx, arn, protocol)?;
    let mut l = l.clone();
    if let LocationKind::Files(f) = &mut l.kind {
        change(&state, f)?;
        if protocol.uses_agents() {
            check_agents(&state, ctx, &f.agents)?;
        }
    }
    ds.save("location", &l.account, &l.region, &l.arn, &l).await?;
    state.locations.insert(l.arn.clone(), l);
    Ok(())
}

pub(crate) fn detail(f: &FileLocation, name: &str) -> Option<String> {
    f.details.get(name).and_then(Value::as_str).map(str::to_string)
}

pub async fn create_nfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationNfsRequest,
) -> Result<CreateLocationNfsResponse, ApiError> {
    let file = FileLocation {
        protocol: FileProtocol::Nfs,
        server: input.server_hostname,
        subdirectory: subdirectory(&input.subdirectory)?,
        agents: input.on_prem_config.agent_arns,
        mount_version: input
            .mount_options
            .and_then(|m| m.version)
            .map(|v| v.as_str().to_string()),
        details: BTreeMap::new(),
    };
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationNfsResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_nfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationNfsRequest,
) -> Result<DescribeLocationNfsResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::Nfs)?;
    Ok(DescribeLocationNfsResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        on_prem_config: Some(OnPremConfig {
            agent_arns: f.agents.clone(),
        }),
        mount_options: Some(NfsMountOptions {
            version: NfsVersion::parse(f.mount_version.as_deref().unwrap_or("AUTOMATIC")),
        }),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
    })
}

pub async fn update_nfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationNfsRequest,
) -> Result<UpdateLocationNfsResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::Nfs, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(h) = input.server_hostname {
            f.server = h;
        }
        if let Some(c) = input.on_prem_config {
            f.agents = c.agent_arns;
        }
        if let Some(v) = input.mount_options.and_then(|m| m.version) {
            f.mount_version = Some(v.as_str().to_string());
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationNfsResponse {})
}

pub async fn create_smb(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationSmbRequest,
) -> Result<CreateLocationSmbResponse, ApiError> {
    let kerberos = input.authentication_type == Some(SmbAuthenticationType::Kerberos);
    if !kerberos && (input.user.is_none() || input.password.is_none()) {
        return Err(errors::invalid(
            "User and Password are required for NTLM authentication",
        ));
    }
    let mut details = BTreeMap::new();
    details.insert("user".to_string(), json!(input.user));
    details.insert("domain".to_string(), json!(input.domain));
    details.insert(
        "authenticationType".to_string(),
        json!(input.authentication_type.map_or("NTLM", |a| a.as_str())),
    );
    let file = FileLocation {
        protocol: FileProtocol::Smb,
        server: input.server_hostname,
        subdirectory: subdirectory(&input.subdirectory)?,
        agents: input.agent_arns,
        mount_version: input
            .mount_options
            .and_then(|m| m.version)
            .map(|v| v.as_str().to_string()),
        details,
    };
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationSmbResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_smb(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationSmbRequest,
) -> Result<DescribeLocationSmbResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::Smb)?;
    Ok(DescribeLocationSmbResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        agent_arns: Some(f.agents.clone()),
        user: detail(f, "user"),
        domain: detail(f, "domain"),
        mount_options: Some(SmbMountOptions {
            version: SmbVersion::parse(f.mount_version.as_deref().unwrap_or("AUTOMATIC")),
        }),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        authentication_type: detail(f, "authenticationType").and_then(|a| SmbAuthenticationType::parse(&a)),
        ..Default::default()
    })
}

pub async fn update_smb(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationSmbRequest,
) -> Result<UpdateLocationSmbResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::Smb, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(h) = input.server_hostname {
            f.server = h;
        }
        if let Some(a) = input.agent_arns {
            f.agents = a;
        }
        if let Some(u) = input.user {
            f.details.insert("user".into(), json!(u));
        }
        if let Some(d) = input.domain {
            f.details.insert("domain".into(), json!(d));
        }
        if let Some(v) = input.mount_options.and_then(|m| m.version) {
            f.mount_version = Some(v.as_str().to_string());
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationSmbResponse {})
}

/// `arn:aws:elasticfilesystem:region:account:file-system/fs-...` gives
/// the file system id, which `world share` maps like a server name.
fn efs_id(arn: &str) -> Result<String, ApiError> {
    arn.split_once(":elasticfilesystem:")
        .and_then(|(_, rest)| rest.rsplit_once(":file-system/"))
        .map(|(_, id)| id.to_string())
        .filter(|id| id.starts_with("fs-") && id.len() > 3)
        .ok_or_else(|| errors::invalid(format!("Invalid EFS file system ARN: {arn}")))
}

pub async fn create_efs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationEfsRequest,
) -> Result<CreateLocationEfsResponse, ApiError> {
    let id = efs_id(&input.efs_filesystem_arn)?;
    if input.access_point_arn.is_some() && input.in_transit_encryption != Some(EfsInTransitEncryption::Tls12) {
        return Err(errors::invalid(
            "InTransitEncryption must be TLS1_2 when an access point is specified",
        ));
    }
    let mut details = BTreeMap::new();
    details.insert("fileSystemArn".to_string(), json!(input.efs_filesystem_arn));
    details.insert("subnetArn".to_string(), json!(input.ec2_config.subnet_arn));
    details.insert(
        "securityGroupArns".to_string(),
        json!(input.ec2_config.security_group_arns),
    );
    details.insert("accessPointArn".to_string(), json!(input.access_point_arn));
    details.insert(
        "fileSystemAccessRoleArn".to_string(),
        json!(input.file_system_access_role_arn),
    );
    details.insert(
        "inTransitEncryption".to_string(),
        json!(input.in_transit_encryption.map_or("NONE", |e| e.as_str())),
    );
    let file = FileLocation {
        protocol: FileProtocol::Efs,
        server: id,
        subdirectory: subdirectory(input.subdirectory.as_deref().unwrap_or("/"))?,
        agents: Vec::new(),
        mount_version: None,
        details,
    };
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationEfsResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_efs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationEfsRequest,
) -> Result<DescribeLocationEfsResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::Efs)?;
    let groups: Vec<String> = f
        .details
        .get("securityGroupArns")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    Ok(DescribeLocationEfsResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        ec2_config: Some(Ec2Config {
            subnet_arn: detail(f, "subnetArn").unwrap_or_default(),
            security_group_arns: groups,
        }),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        access_point_arn: detail(f, "accessPointArn"),
        file_system_access_role_arn: detail(f, "fileSystemAccessRoleArn"),
        in_transit_encryption: detail(f, "inTransitEncryption").and_then(|e| EfsInTransitEncryption::parse(&e)),
    })
}

pub async fn update_efs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationEfsRequest,
) -> Result<UpdateLocationEfsResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::Efs, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(a) = input.access_point_arn {
            f.details.insert("accessPointArn".into(), json!(a));
        }
        if let Some(r) = input.file_system_access_role_arn {
            f.details.insert("fileSystemAccessRoleArn".into(), json!(r));
        }
        if let Some(e) = input.in_transit_encryption {
            f.details.insert("inTransitEncryption".into(), json!(e.as_str()));
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationEfsResponse {})
}
