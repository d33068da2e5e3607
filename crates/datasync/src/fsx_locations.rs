//! FSx locations: Windows File Server, Lustre, OpenZFS and NetApp ONTAP
//! file systems, named by ARN and reached without agents. Until FSx itself
//! is emulated they are file locations like EFS: the file system's id is
//! the server that `world share` maps (`world share add fs-0123:/share DIR`).

use std::collections::BTreeMap;

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use serde_json::{Value, json};

use crate::file_locations::{detail, find_files, insert, subdirectory, update};
use crate::model::{FileLocation, FileProtocol};
use crate::{DataSync, errors, tags};

/// `arn:aws:fsx:region:account:file-system/fs-...` gives `fs-...`.
fn file_system_id(arn: &str) -> Result<String, ApiError> {
    arn.rsplit_once(":file-system/")
        .map(|(_, id)| id.to_string())
        .filter(|id| id.starts_with("fs-") && !id.contains('/'))
        .ok_or_else(|| errors::invalid(format!("Invalid FSx file system ARN: {arn}")))
}

/// `arn:aws:fsx:region:account:storage-virtual-machine/fs-.../svm-...`
/// gives the file system's id and ARN.
fn svm_file_system(arn: &str) -> Result<(String, String), ApiError> {
    let bad = || errors::invalid(format!("Invalid storage virtual machine ARN: {arn}"));
    let (head, rest) = arn.split_once(":storage-virtual-machine/").ok_or_else(bad)?;
    let (fs, svm) = rest.split_once('/').ok_or_else(bad)?;
    if !fs.starts_with("fs-") || !svm.starts_with("svm-") {
        return Err(bad());
    }
    Ok((fs.to_string(), format!("{head}:file-system/{fs}")))
}

fn security_groups(groups: Vec<String>) -> Result<Value, ApiError> {
    if groups.is_empty() {
        return Err(errors::invalid("At least one security group ARN is required"));
    }
    Ok(json!(groups))
}

fn groups_of(f: &FileLocation) -> Option<Vec<String>> {
    f.details
        .get("securityGroupArns")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn location(
    protocol: FileProtocol,
    id: String,
    sub: Option<&str>,
    details: BTreeMap<String, Value>,
) -> Result<FileLocation, ApiError> {
    Ok(FileLocation {
        protocol,
        server: id,
        subdirectory: subdirectory(sub.unwrap_or("/"))?,
        agents: Vec::new(),
        mount_version: None,
        details,
    })
}

/// An SMB password must come from somewhere: given, or kept in a secret.
fn require_password(password: &Option<String>, secrets: bool) -> Result<(), ApiError> {
    if password.is_none() && !secrets {
        return Err(errors::invalid(
            "Password is required unless CmkSecretConfig or CustomSecretConfig is specified",
        ));
    }
    Ok(())
}

pub async fn create_windows(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationFsxWindowsRequest,
) -> Result<CreateLocationFsxWindowsResponse, ApiError> {
    let id = file_system_id(&input.fsx_filesystem_arn)?;
    require_password(
        &input.password,
        input.cmk_secret_config.is_some() || input.custom_secret_config.is_some(),
    )?;
    let mut details = BTreeMap::new();
    details.insert("fileSystemArn".into(), json!(input.fsx_filesystem_arn));
    details.insert("securityGroupArns".into(), security_groups(input.security_group_arns)?);
    details.insert("user".into(), json!(input.user));
    details.insert("domain".into(), json!(input.domain));
    let file = location(FileProtocol::FsxWindows, id, input.subdirectory.as_deref(), details)?;
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationFsxWindowsResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_windows(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationFsxWindowsRequest,
) -> Result<DescribeLocationFsxWindowsResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::FsxWindows)?;
    Ok(DescribeLocationFsxWindowsResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        security_group_arns: groups_of(f),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        user: detail(f, "user"),
        domain: detail(f, "domain"),
        ..Default::default()
    })
}

pub async fn update_windows(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationFsxWindowsRequest,
) -> Result<UpdateLocationFsxWindowsResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::FsxWindows, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(u) = input.user {
            f.details.insert("user".into(), json!(u));
        }
        if let Some(d) = input.domain {
            f.details.insert("domain".into(), json!(d));
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationFsxWindowsResponse {})
}

pub async fn create_lustre(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationFsxLustreRequest,
) -> Result<CreateLocationFsxLustreResponse, ApiError> {
    let id = file_system_id(&input.fsx_filesystem_arn)?;
    let mut details = BTreeMap::new();
    details.insert("fileSystemArn".into(), json!(input.fsx_filesystem_arn));
    details.insert("securityGroupArns".into(), security_groups(input.security_group_arns)?);
    let file = location(FileProtocol::FsxLustre, id, input.subdirectory.as_deref(), details)?;
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationFsxLustreResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_lustre(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationFsxLustreRequest,
) -> Result<DescribeLocationFsxLustreResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::FsxLustre)?;
    Ok(DescribeLocationFsxLustreResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        security_group_arns: groups_of(f),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
    })
}

pub async fn update_lustre(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationFsxLustreRequest,
) -> Result<UpdateLocationFsxLustreResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::FsxLustre, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationFsxLustreResponse {})
}

/// OpenZFS volumes are mounted under `/fsx`.
fn openzfs_subdirectory(given: Option<&str>) -> Result<String, ApiError> {
    let sub = subdirectory(given.unwrap_or("/fsx"))?;
    if sub != "/fsx" && !sub.starts_with("/fsx/") {
        return Err(errors::invalid(format!(
            "Invalid subdirectory {sub}: an FSx for OpenZFS subdirectory must begin with /fsx"
        )));
    }
    Ok(sub)
}

/// The NFS mount options of an FSx protocol, as stored.
fn nfs_version(p: &FsxProtocolNfs) -> Value {
    json!(p.mount_options.as_ref().and_then(|m| m.version).map(|v| v.as_str()))
}

pub async fn create_openzfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationFsxOpenZfsRequest,
) -> Result<CreateLocationFsxOpenZfsResponse, ApiError> {
    let id = file_system_id(&input.fsx_filesystem_arn)?;
    if input.protocol.smb.is_some() {
        return Err(errors::invalid(
            "FSx for OpenZFS locations support only the NFS protocol",
        ));
    }
    let nfs = input
        .protocol
        .nfs
        .ok_or_else(|| errors::invalid("Protocol must specify NFS"))?;
    let mut details = BTreeMap::new();
    details.insert("fileSystemArn".into(), json!(input.fsx_filesystem_arn));
    details.insert("securityGroupArns".into(), security_groups(input.security_group_arns)?);
    details.insert("nfsVersion".into(), nfs_version(&nfs));
    let mut file = location(FileProtocol::FsxOpenZfs, id, None, details)?;
    file.subdirectory = openzfs_subdirectory(input.subdirectory.as_deref())?;
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationFsxOpenZfsResponse {
        location_arn: Some(arn),
    })
}

fn nfs_protocol(f: &FileLocation) -> FsxProtocolNfs {
    FsxProtocolNfs {
        mount_options: Some(NfsMountOptions {
            version: NfsVersion::parse(detail(f, "nfsVersion").as_deref().unwrap_or("AUTOMATIC")),
        }),
    }
}

pub async fn describe_openzfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationFsxOpenZfsRequest,
) -> Result<DescribeLocationFsxOpenZfsResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::FsxOpenZfs)?;
    Ok(DescribeLocationFsxOpenZfsResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        security_group_arns: groups_of(f),
        protocol: Some(FsxProtocol {
            nfs: Some(nfs_protocol(f)),
            smb: None,
        }),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
    })
}

pub async fn update_openzfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationFsxOpenZfsRequest,
) -> Result<UpdateLocationFsxOpenZfsResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::FsxOpenZfs, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = openzfs_subdirectory(Some(s))?;
        }
        if let Some(p) = &input.protocol {
            if p.smb.is_some() {
                return Err(errors::invalid(
                    "FSx for OpenZFS locations support only the NFS protocol",
                ));
            }
            if let Some(nfs) = &p.nfs {
                f.details.insert("nfsVersion".into(), nfs_version(nfs));
            }
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationFsxOpenZfsResponse {})
}

/// ONTAP speaks NFS or SMB, exactly one; SMB needs a user and password.
fn ontap_protocol(p: &FsxProtocol, details: &mut BTreeMap<String, Value>) -> Result<(), ApiError> {
    match (&p.nfs, &p.smb) {
        (Some(nfs), None) => {
            details.insert("protocol".into(), json!("NFS"));
            details.insert("nfsVersion".into(), nfs_version(nfs));
        }
        (None, Some(smb)) => {
            require_password(
                &smb.password,
                smb.cmk_secret_config.is_some() || smb.custom_secret_config.is_some(),
            )?;
            details.insert("protocol".into(), json!("SMB"));
            details.insert("user".into(), json!(smb.user));
            details.insert("domain".into(), json!(smb.domain));
            details.insert(
                "smbVersion".into(),
                json!(smb.mount_options.as_ref().and_then(|m| m.version).map(|v| v.as_str())),
            );
        }
        _ => return Err(errors::invalid("Protocol must specify exactly one of NFS or SMB")),
    }
    Ok(())
}

pub async fn create_ontap(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationFsxOntapRequest,
) -> Result<CreateLocationFsxOntapResponse, ApiError> {
    let (id, fs_arn) = svm_file_system(&input.storage_virtual_machine_arn)?;
    let mut details = BTreeMap::new();
    details.insert("fileSystemArn".into(), json!(fs_arn));
    details.insert("svmArn".into(), json!(input.storage_virtual_machine_arn));
    details.insert("securityGroupArns".into(), security_groups(input.security_group_arns)?);
    ontap_protocol(&input.protocol, &mut details)?;
    let file = location(FileProtocol::FsxOntap, id, input.subdirectory.as_deref(), details)?;
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationFsxOntapResponse {
        location_arn: Some(arn),
    })
}

pub async fn describe_ontap(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationFsxOntapRequest,
) -> Result<DescribeLocationFsxOntapResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::FsxOntap)?;
    let protocol = if detail(f, "protocol").as_deref() == Some("SMB") {
        FsxProtocol {
            nfs: None,
            smb: Some(FsxProtocolSmb {
                domain: detail(f, "domain"),
                mount_options: Some(SmbMountOptions {
                    version: SmbVersion::parse(detail(f, "smbVersion").as_deref().unwrap_or("AUTOMATIC")),
                }),
                user: detail(f, "user").unwrap_or_default(),
                ..Default::default()
            }),
        }
    } else {
        FsxProtocol {
            nfs: Some(nfs_protocol(f)),
            smb: None,
        }
    };
    Ok(DescribeLocationFsxOntapResponse {
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        protocol: Some(protocol),
        security_group_arns: groups_of(f),
        storage_virtual_machine_arn: detail(f, "svmArn"),
        fsx_filesystem_arn: detail(f, "fileSystemArn"),
    })
}

pub async fn update_ontap(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationFsxOntapRequest,
) -> Result<UpdateLocationFsxOntapResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::FsxOntap, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(p) = &input.protocol {
            let smb = detail(f, "protocol").as_deref() == Some("SMB");
            match (&p.nfs, &p.smb) {
                (Some(nfs), None) if !smb => {
                    f.details.insert("nfsVersion".into(), nfs_version(nfs));
                }
                (None, Some(s)) if smb => {
                    if let Some(u) = &s.user {
                        f.details.insert("user".into(), json!(u));
                    }
                    if let Some(d) = &s.domain {
                        f.details.insert("domain".into(), json!(d));
                    }
                    if let Some(v) = s.mount_options.as_ref().and_then(|m| m.version) {
                        f.details.insert("smbVersion".into(), json!(v.as_str()));
                    }
                }
                _ => {
                    return Err(errors::invalid(
                        "Protocol can update only the protocol the location was created with",
                    ));
                }
            }
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationFsxOntapResponse {})
}
