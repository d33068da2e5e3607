//! VPCs: create, describe, delete, attributes and CIDR blocks, with AWS's
//! rules for which blocks a VPC may hold.

use std::hash::{Hash, Hasher};

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::cidr::{self, Ipv4Cidr};
use crate::defaults::new_vpc;
use crate::errors;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::{self, At};
use crate::model::*;
use crate::paging;
use crate::state::{RegionState, Tx};
use crate::views;
use crate::{Ec2, tags};

/// AWS's default quota of IPv4 blocks per VPC.
const MAX_IPV4_BLOCKS: usize = 5;

fn parse_vpc_block(text: &str) -> Result<Ipv4Cidr, ApiError> {
    let block = Ipv4Cidr::parse(text)
        .ok_or_else(|| errors::invalid_value(text, "cidrBlock", "This is not a valid CIDR block."))?;
    if let Some(reason) = cidr::vpc_block_error(block) {
        return Err(ApiError::client(
            "InvalidVpc.Range",
            format!("The CIDR '{text}' is invalid. {reason}."),
        ));
    }
    Ok(block)
}

fn ipv6_block_for(vpc_id: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    vpc_id.hash(&mut h);
    cidr::amazon_ipv6_block(h.finish()).to_string()
}

pub async fn create(ec2: &Ec2, ctx: &RequestContext, input: CreateVpcRequest) -> Result<CreateVpcResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    if input.ipv4_ipam_pool_id.is_some() || input.ipv6_ipam_pool_id.is_some() {
        return Err(errors::invalid(
            "IPAM pools are not supported by Landbridge yet; give CidrBlock",
        ));
    }
    let Some(cidr_text) = input.cidr_block else {
        return Err(errors::missing("CidrBlock"));
    };
    parse_vpc_block(&cidr_text)?;
    let tags = tags::from_specifications(input.tag_specifications, "vpc")?;
    let tenancy = input.instance_tenancy.map_or("default", Tenancy::as_str);
    let mut new = new_vpc(&cidr_text, false, tenancy, tags);
    if input.amazon_provided_ipv6_cidr_block == Some(true) {
        let block = ipv6_block_for(&new.vpc.id);
        new.main_route_table.routes.push(RouteRec {
            destination: block.clone(),
            target: Target::Local,
            origin: Origin::CreateRouteTable,
        });
        new.vpc.ipv6.push(CidrAssoc {
            id: new_id("vpc-cidr-assoc"),
            cidr: block,
            created_ms: new.vpc.created_ms,
        });
    }
    let vpc = new.vpc.clone();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut tx = Tx::default();
    new.stage(&mut tx);
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateVpcResult {
        vpc: Some(views::vpc(&vpc, &ctx.account_id, &ctx.region, &ec2.at())),
    })
}

const VPC_FILTERS: &[&str] = &[
    "cidr",
    "cidr-block-association.cidr-block",
    "cidr-block-association.association-id",
    "cidr-block-association.state",
    "dhcp-options-id",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.ipv6-pool",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "is-default",
    "owner-id",
    "state",
    "vpc-id",
];

fn vpc_values<'a>(v: &'a VpcRec, name: &str, account: &'a str, at: &At) -> Vec<&'a str> {
    match name {
        "cidr" => vec![v.primary_cidr()],
        "cidr-block-association.cidr-block" => v.cidrs.iter().map(|c| c.cidr.as_str()).collect(),
        "cidr-block-association.association-id" => v.cidrs.iter().map(|c| c.id.as_str()).collect(),
        "cidr-block-association.state" => v
            .cidrs
            .iter()
            .map(|c| at.state(lifecycles::CIDR_ASSOCIATION, c.created_ms))
            .collect(),
        "ipv6-cidr-block-association.state" => v
            .ipv6
            .iter()
            .map(|c| at.state(lifecycles::CIDR_ASSOCIATION, c.created_ms))
            .collect(),
        "dhcp-options-id" => vec!["default"],
        "ipv6-cidr-block-association.ipv6-cidr-block" => v.ipv6.iter().map(|c| c.cidr.as_str()).collect(),
        "ipv6-cidr-block-association.association-id" => v.ipv6.iter().map(|c| c.id.as_str()).collect(),
        "ipv6-cidr-block-association.ipv6-pool" => v.ipv6.iter().map(|_| "Amazon").collect(),
        "is-default" => vec![if v.is_default { "true" } else { "false" }],
        "owner-id" => vec![account],
        "state" => vec![at.state(lifecycles::VPC, v.created_ms)],
        "vpc-id" => vec![v.id.as_str()],
        other => filter::tag_values(&v.tags, other).unwrap_or_default(),
    }
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeVpcsRequest,
) -> Result<DescribeVpcsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(VPC_FILTERS))?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.vpc_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.vpcs.contains_key(*id)) {
        return Err(errors::vpc_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &VpcRec)> = filter::select(&state.vpcs, &ids, filters.candidates(&state.index, false))
        .into_iter()
        .filter(|v| filters.matches(|f| vpc_values(v, f, account, &at)))
        .map(|r| (r.id.clone(), r))
        .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let vpcs: Vec<Vpc> = page
        .into_iter()
        .map(|r| views::vpc(r, account, &ctx.region, &at))
        .collect();
    Ok(DescribeVpcsResult {
        next_token,
        vpcs: Some(vpcs),
    })
}

fn vpc<'a>(state: &'a RegionState, id: &str) -> Result<&'a VpcRec, ApiError> {
    state.vpcs.get(id).ok_or_else(|| errors::vpc_not_found(id))
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteVpcRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let v = vpc(&state, &input.vpc_id)?.clone();
    let id = v.id.as_str();
    let busy = state.subnets.values().any(|s| s.vpc_id == id)
        || state
            .internet_gateways
            .values()
            .any(|g| g.attached_vpc.as_deref() == Some(id))
        || state
            .vpn_gateways
            .values()
            .any(|g| g.attached_vpc.as_deref() == Some(id))
        || state.network_interfaces.values().any(|e| e.vpc_id == id)
        || state
            .route_tables
            .values()
            .any(|t| t.vpc_id == id && t.id != v.main_route_table)
        || state
            .security_groups
            .values()
            .any(|g| g.vpc_id == id && g.id != v.default_security_group)
        || state
            .network_acls
            .values()
            .any(|a| a.vpc_id == id && a.id != v.default_network_acl);
    if busy {
        return Err(errors::dependency("vpc", id));
    }
    let mut tx = Tx::default();
    tx.delete("vpc", id);
    // The main table may have been replaced by another (ReplaceRouteTableAssociation).
    for t in state.route_tables.values().filter(|t| t.vpc_id == id) {
        tx.delete("route-table", &t.id);
    }
    tx.delete("network-acl", &v.default_network_acl);
    tx.delete("security-group", &v.default_security_group);
    tx.commit(ec2.store(), &region, state).await
}

pub async fn modify_attribute(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyVpcAttributeRequest,
) -> Result<(), ApiError> {
    let set: Vec<(&str, bool)> = [
        ("enableDnsHostnames", &input.enable_dns_hostnames),
        ("enableDnsSupport", &input.enable_dns_support),
        (
            "enableNetworkAddressUsageMetrics",
            &input.enable_network_address_usage_metrics,
        ),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.as_ref().and_then(|v| v.value).map(|b| (name, b)))
    .collect();
    match set.as_slice() {
        [] => return Err(errors::combination("No attributes specified.")),
        [_] => {}
        many => {
            let names: Vec<&str> = many.iter().map(|(n, _)| *n).collect();
            return Err(errors::combination(format!(
                "Fields for multiple attribute types specified: {}",
                names.join(", ")
            )));
        }
    }
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut v = vpc(&state, &input.vpc_id)?.clone();
    for (name, value) in set {
        match name {
            "enableDnsHostnames" => v.dns_hostnames = value,
            "enableDnsSupport" => v.dns_support = value,
            _ => v.network_address_usage_metrics = value,
        }
    }
    let mut tx = Tx::default();
    tx.put(Resource::Vpc(v));
    tx.commit(ec2.store(), &region, state).await
}

pub async fn describe_attribute(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeVpcAttributeRequest,
) -> Result<DescribeVpcAttributeResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let v = vpc(&state, &input.vpc_id)?;
    let flag = |b: bool| Some(AttributeBooleanValue { value: Some(b) });
    let mut out = DescribeVpcAttributeResult {
        vpc_id: Some(v.id.clone()),
        ..Default::default()
    };
    match input.attribute {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support = flag(v.dns_support),
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames = flag(v.dns_hostnames),
        VpcAttributeName::EnableNetworkAddressUsageMetrics => {
            out.enable_network_address_usage_metrics = flag(v.network_address_usage_metrics)
        }
    }
    Ok(out)
}

fn add_local_route(state: &RegionState, tx: &mut Tx, vpc_id: &str, destination: &str) {
    for t in state.route_tables.values().filter(|t| t.vpc_id == vpc_id) {
        let mut t = t.clone();
        t.routes.push(RouteRec {
            destination: destination.to_string(),
            target: Target::Local,
            origin: Origin::CreateRouteTable,
        });
        tx.put(Resource::RouteTable(t));
    }
}

pub async fn associate_cidr(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: AssociateVpcCidrBlockRequest,
) -> Result<AssociateVpcCidrBlockResult, ApiError> {
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut v = vpc(&state, &input.vpc_id)?.clone();
    let mut tx = Tx::default();
    let mut out = AssociateVpcCidrBlockResult {
        vpc_id: Some(v.id.clone()),
        ..Default::default()
    };
    match (input.cidr_block, input.amazon_provided_ipv6_cidr_block) {
        (Some(text), None | Some(false)) => {
            let block = parse_vpc_block(&text)?;
            if v.cidrs.len() >= MAX_IPV4_BLOCKS {
                return Err(ApiError::client(
                    "CidrLimitExceeded",
                    format!(
                        "This network '{}' has met its maximum number of allowed CIDRs: {MAX_IPV4_BLOCKS}",
                        v.id
                    ),
                ));
            }
            let primary = Ipv4Cidr::parse(v.primary_cidr()).ok_or_else(|| errors::invalid("corrupt primary CIDR"))?;
            if let Some(reason) = cidr::secondary_block_error(primary, block) {
                return Err(ApiError::client(
                    "InvalidVpc.Range",
                    format!("The CIDR '{text}' is invalid. {reason}"),
                ));
            }
            if v.cidrs
                .iter()
                .filter_map(|c| Ipv4Cidr::parse(&c.cidr))
                .any(|c| c.overlaps(block))
            {
                return Err(ApiError::client(
                    "InvalidVpc.Range",
                    format!("The CIDR '{text}' conflicts with a CIDR block of the VPC."),
                ));
            }
            let assoc = CidrAssoc {
                id: new_id("vpc-cidr-assoc"),
                cidr: block.to_string(),
                created_ms: Timestamp::now().millis(),
            };
            out.cidr_block_association = Some(VpcCidrBlockAssociation {
                association_id: Some(assoc.id.clone()),
                cidr_block: Some(assoc.cidr.clone()),
                cidr_block_state: Some(VpcCidrBlockState {
                    state: Some(VpcCidrBlockStateCode::Associating),
                    status_message: None,
                }),
            });
            add_local_route(&state, &mut tx, &v.id, &assoc.cidr);
            v.cidrs.push(assoc);
        }
        (None, Some(true)) => {
            if !v.ipv6.is_empty() {
                return Err(ApiError::client(
                    "CidrLimitExceeded",
                    format!("This network '{}' already has an Amazon-provided IPv6 CIDR block", v.id),
                ));
            }
            let assoc = CidrAssoc {
                id: new_id("vpc-cidr-assoc"),
                cidr: ipv6_block_for(&v.id),
                created_ms: Timestamp::now().millis(),
            };
            out.ipv6_cidr_block_association = Some(VpcIpv6CidrBlockAssociation {
                association_id: Some(assoc.id.clone()),
                ipv6_cidr_block: Some(assoc.cidr.clone()),
                ipv6_cidr_block_state: Some(VpcCidrBlockState {
                    state: Some(VpcCidrBlockStateCode::Associating),
                    status_message: None,
                }),
                network_border_group: Some(ctx.region.clone()),
                ipv6_pool: Some("Amazon".to_string()),
                ..Default::default()
            });
            add_local_route(&state, &mut tx, &v.id, &assoc.cidr);
            v.ipv6.push(assoc);
        }
        _ => {
            return Err(errors::combination(
                "Give either CidrBlock or AmazonProvidedIpv6CidrBlock (IPAM pools and BYOIP are not supported yet).",
            ));
        }
    }
    // The routes staged above hold copies of the tables; the VPC goes last.
    tx.put(Resource::Vpc(v));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(out)
}

pub async fn disassociate_cidr(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DisassociateVpcCidrBlockRequest,
) -> Result<DisassociateVpcCidrBlockResult, ApiError> {
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let id = input.association_id;
    let Some(mut v) = state
        .vpcs
        .values()
        .find(|v| v.cidrs.iter().chain(v.ipv6.iter()).any(|c| c.id == id))
        .cloned()
    else {
        return Err(errors::association_not_found(&id));
    };
    let mut out = DisassociateVpcCidrBlockResult {
        vpc_id: Some(v.id.clone()),
        ..Default::default()
    };
    let removed: String;
    if let Some(pos) = v.cidrs.iter().position(|c| c.id == id) {
        if pos == 0 {
            return Err(ApiError::client(
                "OperationNotPermitted",
                format!(
                    "The vpc {} primary CIDR block {} cannot be disassociated",
                    v.id, v.cidrs[0].cidr
                ),
            ));
        }
        let block = Ipv4Cidr::parse(&v.cidrs[pos].cidr);
        let in_use = state
            .subnets
            .values()
            .filter(|s| s.vpc_id == v.id)
            .filter_map(|s| Ipv4Cidr::parse(&s.cidr))
            .any(|s| block.is_some_and(|b| b.contains(s)));
        if in_use {
            return Err(ApiError::client(
                "InvalidCidrBlock.InUse",
                format!(
                    "The vpc {} currently has a subnet within CIDR block {}",
                    v.id, v.cidrs[pos].cidr
                ),
            ));
        }
        let assoc = v.cidrs.remove(pos);
        out.cidr_block_association = Some(VpcCidrBlockAssociation {
            association_id: Some(assoc.id),
            cidr_block: Some(assoc.cidr.clone()),
            cidr_block_state: Some(VpcCidrBlockState {
                state: Some(VpcCidrBlockStateCode::Disassociating),
                status_message: None,
            }),
        });
        removed = assoc.cidr;
    } else {
        let pos = v.ipv6.iter().position(|c| c.id == id).unwrap_or(0);
        let assoc = v.ipv6.remove(pos);
        out.ipv6_cidr_block_association = Some(VpcIpv6CidrBlockAssociation {
            association_id: Some(assoc.id),
            ipv6_cidr_block: Some(assoc.cidr.clone()),
            ipv6_cidr_block_state: Some(VpcCidrBlockState {
                state: Some(VpcCidrBlockStateCode::Disassociating),
                status_message: None,
            }),
            network_border_group: Some(ctx.region.clone()),
            ipv6_pool: Some("Amazon".to_string()),
            ..Default::default()
        });
        removed = assoc.cidr;
    }
    let mut tx = Tx::default();
    for t in state.route_tables.values().filter(|t| t.vpc_id == v.id) {
        let mut t = t.clone();
        t.routes
            .retain(|r| !(r.target == Target::Local && r.destination == removed));
        tx.put(Resource::RouteTable(t));
    }
    tx.put(Resource::Vpc(v));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(out)
}
