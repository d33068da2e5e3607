//! HDFS locations: a Hadoop cluster's NameNode, reached through agents.
//! The agent would speak Hadoop's RPC to it; here, as for NFS, `world share`
//! maps the NameNode's host name and a path to a local directory.

use std::collections::BTreeMap;

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use serde_json::{Value, json};

use crate::file_locations::{detail, find_files, insert, subdirectory, update};
use crate::model::{FileLocation, FileProtocol};
use crate::{DataSync, errors, tags};

/// HDFS's own defaults: 128 MiB blocks, three replicas.
const DEFAULT_BLOCK_SIZE: i32 = 128 * 1024 * 1024;
const DEFAULT_REPLICATION: i32 = 3;

/// What an authentication type needs.
fn check_auth(
    auth: HdfsAuthenticationType,
    simple_user: &Option<String>,
    principal: &Option<String>,
    keytab: bool,
    krb5: bool,
) -> Result<(), ApiError> {
    match auth {
        HdfsAuthenticationType::Simple if simple_user.is_none() => Err(errors::invalid(
            "SimpleUser is required when AuthenticationType is SIMPLE",
        )),
        HdfsAuthenticationType::Kerberos if principal.is_none() || !keytab || !krb5 => Err(errors::invalid(
            "KerberosPrincipal, KerberosKeytab and KerberosKrb5Conf are required when AuthenticationType is KERBEROS",
        )),
        _ => Ok(()),
    }
}

fn set_name_nodes(details: &mut BTreeMap<String, Value>, server: &mut String, nodes: &[HdfsNameNode]) {
    if let Some(first) = nodes.first() {
        *server = first.hostname.clone();
        details.insert("port".into(), json!(first.port));
    }
    let listed: Vec<Value> = nodes
        .iter()
        .map(|n| json!({"hostname": n.hostname, "port": n.port}))
        .collect();
    details.insert("nameNodes".into(), Value::Array(listed));
}

fn set_qop(details: &mut BTreeMap<String, Value>, qop: &QopConfiguration) {
    details.insert(
        "rpcProtection".into(),
        json!(qop.rpc_protection.map_or("PRIVACY", |p| p.as_str())),
    );
    details.insert(
        "dataTransferProtection".into(),
        json!(qop.data_transfer_protection.map_or("PRIVACY", |p| p.as_str())),
    );
}

pub async fn create(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationHdfsRequest,
) -> Result<CreateLocationHdfsResponse, ApiError> {
    if input.name_nodes.is_empty() {
        return Err(errors::invalid("At least one NameNode is required"));
    }
    check_auth(
        input.authentication_type,
        &input.simple_user,
        &input.kerberos_principal,
        input.kerberos_keytab.is_some(),
        input.kerberos_krb5_conf.is_some(),
    )?;
    let mut details = BTreeMap::new();
    let mut server = String::new();
    set_name_nodes(&mut details, &mut server, &input.name_nodes);
    details.insert(
        "blockSize".into(),
        json!(input.block_size.unwrap_or(DEFAULT_BLOCK_SIZE)),
    );
    details.insert(
        "replicationFactor".into(),
        json!(input.replication_factor.unwrap_or(DEFAULT_REPLICATION)),
    );
    details.insert("kmsKeyProviderUri".into(), json!(input.kms_key_provider_uri));
    set_qop(&mut details, &input.qop_configuration.unwrap_or_default());
    details.insert("authenticationType".into(), json!(input.authentication_type.as_str()));
    details.insert("simpleUser".into(), json!(input.simple_user));
    details.insert("kerberosPrincipal".into(), json!(input.kerberos_principal));
    let file = FileLocation {
        protocol: FileProtocol::Hdfs,
        server,
        subdirectory: subdirectory(input.subdirectory.as_deref().unwrap_or("/"))?,
        agents: input.agent_arns,
        mount_version: None,
        details,
    };
    let arn = insert(ds, ctx, file, tags::from_input(input.tags)?).await?;
    Ok(CreateLocationHdfsResponse {
        location_arn: Some(arn),
    })
}

fn int(f: &FileLocation, name: &str) -> Option<i32> {
    f.details
        .get(name)
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

pub async fn describe(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationHdfsRequest,
) -> Result<DescribeLocationHdfsResponse, ApiError> {
    let state = ds.state().read().await;
    let (l, f) = find_files(&state, ctx, &input.location_arn, FileProtocol::Hdfs)?;
    let nodes = f.details.get("nameNodes").and_then(Value::as_array).map(|nodes| {
        nodes
            .iter()
            .map(|n| HdfsNameNode {
                hostname: n["hostname"].as_str().unwrap_or_default().to_string(),
                port: n["port"].as_i64().and_then(|p| i32::try_from(p).ok()).unwrap_or(8020),
            })
            .collect()
    });
    Ok(DescribeLocationHdfsResponse {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        name_nodes: nodes,
        block_size: int(f, "blockSize"),
        replication_factor: int(f, "replicationFactor"),
        kms_key_provider_uri: detail(f, "kmsKeyProviderUri"),
        qop_configuration: Some(QopConfiguration {
            rpc_protection: detail(f, "rpcProtection").and_then(|p| HdfsRpcProtection::parse(&p)),
            data_transfer_protection: detail(f, "dataTransferProtection")
                .and_then(|p| HdfsDataTransferProtection::parse(&p)),
        }),
        authentication_type: detail(f, "authenticationType").and_then(|a| HdfsAuthenticationType::parse(&a)),
        simple_user: detail(f, "simpleUser"),
        kerberos_principal: detail(f, "kerberosPrincipal"),
        agent_arns: Some(f.agents.clone()),
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
        ..Default::default()
    })
}

pub async fn update_hdfs(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationHdfsRequest,
) -> Result<UpdateLocationHdfsResponse, ApiError> {
    update(ds, ctx, &input.location_arn, FileProtocol::Hdfs, |_, f| {
        if let Some(s) = &input.subdirectory {
            f.subdirectory = subdirectory(s)?;
        }
        if let Some(nodes) = &input.name_nodes {
            if nodes.is_empty() {
                return Err(errors::invalid("At least one NameNode is required"));
            }
            set_name_nodes(&mut f.details, &mut f.server, nodes);
        }
        if let Some(b) = input.block_size {
            f.details.insert("blockSize".into(), json!(b));
        }
        if let Some(r) = input.replication_factor {
            f.details.insert("replicationFactor".into(), json!(r));
        }
        if let Some(k) = &input.kms_key_provider_uri {
            f.details.insert("kmsKeyProviderUri".into(), json!(k));
        }
        if let Some(q) = &input.qop_configuration {
            set_qop(&mut f.details, q);
        }
        let auth = input
            .authentication_type
            .or_else(|| detail(f, "authenticationType").and_then(|a| HdfsAuthenticationType::parse(&a)))
            .unwrap_or_default();
        let simple_user = input.simple_user.clone().or_else(|| detail(f, "simpleUser"));
        let principal = input
            .kerberos_principal
            .clone()
            .or_else(|| detail(f, "kerberosPrincipal"));
        let switching = input
            .authentication_type
            .is_some_and(|a| Some(a.as_str()) != detail(f, "authenticationType").as_deref());
        // Kerberos files are never returned; they are asked for again only
        // when switching to Kerberos.
        let files_given = !switching || (input.kerberos_keytab.is_some() && input.kerberos_krb5_conf.is_some());
        check_auth(auth, &simple_user, &principal, files_given, files_given)?;
        f.details.insert("authenticationType".into(), json!(auth.as_str()));
        f.details.insert("simpleUser".into(), json!(simple_user));
        f.details.insert("kerberosPrincipal".into(), json!(principal));
        if let Some(a) = &input.agent_arns {
            f.agents = a.clone();
        }
        Ok(())
    })
    .await?;
    Ok(UpdateLocationHdfsResponse {})
}
