//! Network ACLs and security groups. For now the defaults every VPC gets,
//! describable with their AWS rules; creating and editing them comes with
//! the Reachability Analyzer.

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};

use crate::Ec2;
use crate::errors;
use crate::filter::{self, Filters};
use crate::model::{NetworkAclRec, SecurityGroupRec};
use crate::paging;
use crate::views;

pub async fn describe_network_acls(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeNetworkAclsRequest,
) -> Result<DescribeNetworkAclsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "association.association-id",
            "association.network-acl-id",
            "association.subnet-id",
            "default",
            "network-acl-id",
            "owner-id",
            "vpc-id",
        ]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.network_acl_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.network_acls.contains_key(*id)) {
        return Err(errors::not_found(
            "InvalidNetworkAclID.NotFound",
            "network ACL",
            missing,
        ));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &NetworkAclRec)> =
        filter::select(&state.network_acls, &ids, filters.candidates(&state.index, true))
            .into_iter()
            .filter(|a| {
                filters.matches(|f| match f {
                    "association.association-id" => views::acl_subnets(a, &state)
                        .map(|s| s.network_acl.id.as_str())
                        .collect(),
                    "association.network-acl-id" => views::acl_subnets(a, &state).map(|_| a.id.as_str()).collect(),
                    "association.subnet-id" => views::acl_subnets(a, &state).map(|s| s.id.as_str()).collect(),
                    "default" => vec![filter::bool_str(a.is_default)],
                    "network-acl-id" => vec![a.id.as_str()],
                    "owner-id" => vec![account],
                    "vpc-id" => vec![a.vpc_id.as_str()],
                    other => filter::tag_values(&a.tags, other).unwrap_or_default(),
                })
            })
            .map(|r| (r.id.clone(), r))
            .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let acls: Vec<NetworkAcl> = page
        .into_iter()
        .map(|r| views::network_acl(r, &state, account))
        .collect();
    Ok(DescribeNetworkAclsResult {
        network_acls: Some(acls),
        next_token,
    })
}

pub async fn describe_security_groups(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeSecurityGroupsRequest,
) -> Result<DescribeSecurityGroupsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&["description", "group-id", "group-name", "owner-id", "vpc-id"]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.group_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.security_groups.contains_key(*id)) {
        return Err(errors::not_found("InvalidGroup.NotFound", "security group", missing));
    }
    let names = input.group_names.unwrap_or_default();
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &SecurityGroupRec)> =
        filter::select(&state.security_groups, &ids, filters.candidates(&state.index, true))
            .into_iter()
            .filter(|g| names.is_empty() || names.contains(&g.name))
            .filter(|g| {
                filters.matches(|f| match f {
                    "description" => vec![g.description.as_str()],
                    "group-id" => vec![g.id.as_str()],
                    "group-name" => vec![g.name.as_str()],
                    "owner-id" => vec![account],
                    "vpc-id" => vec![g.vpc_id.as_str()],
                    other => filter::tag_values(&g.tags, other).unwrap_or_default(),
                })
            })
            .map(|r| (r.id.clone(), r))
            .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let groups: Vec<SecurityGroup> = page
        .into_iter()
        .map(|r| views::security_group(r, account, &ctx.region))
        .collect();
    Ok(DescribeSecurityGroupsResult {
        security_groups: Some(groups),
        next_token,
    })
}
