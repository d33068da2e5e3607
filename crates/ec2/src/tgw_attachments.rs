//! Transit gateway attachments: VPC attachments (one subnet per
//! availability zone), VPN attachments (made by CreateVpnConnection with a
//! transit gateway), and DescribeTransitGatewayAttachments over both. A new
//! attachment associates with, and propagates to, the gateway's default
//! route tables when the gateway says so.

use std::collections::BTreeSet;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{RegionState, Tx};
use crate::transit_gateways::{enabled, lifecycle_state, live_attachment, live_tgw, switch};
use crate::{Ec2, errors, paging, tags};

/// An attachment's state as AWS names it; a peering waits for its
/// accepter first.
pub fn state_name(a: &TgwAttachmentRec, at: &At) -> &'static str {
    match &a.peering {
        Some(p) if a.deleted_ms.is_none() && p.rejected => "rejected",
        Some(p) if a.deleted_ms.is_none() && p.accepted_ms.is_none() => "pendingAcceptance",
        Some(p) => lifecycle_state(p.accepted_ms.unwrap_or(a.created_ms), a.deleted_ms, at),
        None => lifecycle_state(a.created_ms, a.deleted_ms, at),
    }
}

pub fn state_of(a: &TgwAttachmentRec, at: &At) -> Option<TransitGatewayAttachmentState> {
    TransitGatewayAttachmentState::parse(state_name(a, at))
}

/// Whether an attachment carries traffic.
pub fn is_available(a: &TgwAttachmentRec, at: &At) -> bool {
    state_of(a, at) == Some(TransitGatewayAttachmentState::Available)
}

pub fn vpc_view(a: &TgwAttachmentRec, at: &At) -> TransitGatewayVpcAttachment {
    TransitGatewayVpcAttachment {
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_id: Some(a.transit_gateway_id.clone()),
        vpc_id: Some(a.resource_id.clone()),
        vpc_owner_id: Some(a.resource_owner.clone()),
        state: state_of(a, at),
        subnet_ids: Some(a.subnet_ids.clone()),
        creation_time: Some(Timestamp::from_millis(a.created_ms)),
        options: Some(TransitGatewayVpcAttachmentOptions {
            dns_support: DnsSupportValue::parse(switch(a.dns_support)),
            security_group_referencing_support: SecurityGroupReferencingSupportValue::parse(switch(
                a.security_group_referencing_support,
            )),
            ipv6_support: Ipv6SupportValue::parse(switch(a.ipv6_support)),
            appliance_mode_support: ApplianceModeSupportValue::parse(switch(a.appliance_mode_support)),
        }),
        tags: crate::views::tags(&a.tags),
    }
}

fn attachment_view(a: &TgwAttachmentRec, account: &str, at: &At) -> TransitGatewayAttachment {
    TransitGatewayAttachment {
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_id: Some(a.transit_gateway_id.clone()),
        transit_gateway_owner_id: Some(account.to_string()),
        resource_owner_id: Some(a.resource_owner.clone()),
        resource_type: TransitGatewayAttachmentResourceType::parse(a.kind.as_str()),
        resource_id: Some(a.resource_id.clone()),
        state: state_of(a, at),
        association: a.association.as_ref().map(|t| TransitGatewayAttachmentAssociation {
            transit_gateway_route_table_id: Some(t.clone()),
            transit_gateway_policy_table_id: None,
            state: Some(TransitGatewayAssociationState::Associated),
        }),
        creation_time: Some(Timestamp::from_millis(a.created_ms)),
        tags: crate::views::tags(&a.tags),
        nat_gateway_support: None,
    }
}

/// A new attachment of `kind` to `tgw`, associated with and propagating to
/// the gateway's default tables as it says; stages the table change.
pub fn attach(
    state: &RegionState,
    tgw: &TransitGatewayRec,
    kind: AttachmentKind,
    resource_id: &str,
    account: &str,
    now_ms: i64,
    tx: &mut Tx,
) -> TgwAttachmentRec {
    let a = TgwAttachmentRec {
        id: new_id("tgw-attach"),
        created_ms: now_ms,
        deleted_ms: None,
        transit_gateway_id: tgw.id.clone(),
        kind,
        resource_id: resource_id.to_string(),
        resource_owner: account.to_string(),
        subnet_ids: Vec::new(),
        dns_support: true,
        ipv6_support: false,
        appliance_mode_support: false,
        security_group_referencing_support: false,
        association: tgw
            .association_default_route_table_id
            .clone()
            .filter(|_| tgw.default_route_table_association),
        peering: None,
        tags: Tags::new(),
    };
    if tgw.default_route_table_propagation
        && let Some(t) = tgw
            .propagation_default_route_table_id
            .as_ref()
            .and_then(|id| state.tgw_route_tables.get(id))
    {
        tx.put(Resource::TgwPropagation(TgwPropagationRec {
            id: table_child_id(&t.id, &a.id),
            route_table_id: t.id.clone(),
            attachment_id: a.id.clone(),
        }));
    }
    a
}

/// Stages the end of an attachment: marked deleted, its propagations gone.
/// The live attachment of VPN connection `vpn_id` to its transit gateway.
pub fn of_vpn<'a>(state: &'a RegionState, vpn_id: &str) -> Option<&'a TgwAttachmentRec> {
    state
        .tgw_attachments
        .values()
        .find(|a| a.resource_id == vpn_id && a.deleted_ms.is_none())
}

pub fn detach(state: &RegionState, a: &TgwAttachmentRec, now_ms: i64, tx: &mut Tx) {
    for p in state.tgw_propagations.values().filter(|p| p.attachment_id == a.id) {
        tx.delete("transit-gateway-propagation", &p.id);
    }
    let mut a = a.clone();
    a.deleted_ms = Some(now_ms);
    a.association = None;
    tx.put(Resource::TgwAttachment(a));
}

/// One subnet per availability zone, all in `vpc_id`.
fn check_subnets(state: &RegionState, vpc_id: &str, subnet_ids: &[String]) -> Result<(), ApiError> {
    if subnet_ids.is_empty() {
        return Err(errors::missing("SubnetIds"));
    }
    let mut zones = BTreeSet::new();
    for id in subnet_ids {
        let s = state.subnets.get(id).ok_or_else(|| errors::subnet_not_found(id))?;
        if s.vpc_id != vpc_id {
            return Err(errors::invalid(format!("The subnet {id} is not in {vpc_id}.")));
        }
        if !zones.insert(s.availability_zone.clone()) {
            return Err(ApiError::client(
                "DuplicateSubnetsInSameZone",
                format!("Duplicate Subnets for same AvailabilityZone: {}", s.availability_zone),
            ));
        }
    }
    Ok(())
}

pub async fn create_vpc_attachment(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateTransitGatewayVpcAttachmentRequest,
) -> Result<CreateTransitGatewayVpcAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "transit-gateway-attachment")?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let tgw = live_tgw(&state, &input.transit_gateway_id)?;
    if !state.vpcs.contains_key(&input.vpc_id) {
        return Err(errors::vpc_not_found(&input.vpc_id));
    }
    if state
        .tgw_attachments
        .values()
        .any(|a| a.deleted_ms.is_none() && a.transit_gateway_id == tgw.id && a.resource_id == input.vpc_id)
    {
        return Err(ApiError::client(
            "DuplicateTransitGatewayAttachment",
            format!(
                "{} has a non-deleted Transit Gateway Attachment for {}.",
                input.vpc_id, tgw.id
            ),
        ));
    }
    check_subnets(&state, &input.vpc_id, &input.subnet_ids)?;
    let o = input.options.unwrap_or_default();
    let mut tx = Tx::default();
    let mut a = attach(
        &state,
        tgw,
        AttachmentKind::Vpc,
        &input.vpc_id,
        &ctx.account_id,
        at.now_ms,
        &mut tx,
    );
    a.subnet_ids = input.subnet_ids;
    a.dns_support = o.dns_support.is_none_or(|v| enabled(v.as_str()));
    a.ipv6_support = o.ipv6_support.is_some_and(|v| enabled(v.as_str()));
    a.appliance_mode_support = o.appliance_mode_support.is_some_and(|v| enabled(v.as_str()));
    a.security_group_referencing_support = o
        .security_group_referencing_support
        .is_some_and(|v| enabled(v.as_str()));
    a.tags = tags;
    let result = vpc_view(&a, &at);
    tx.put(Resource::TgwAttachment(a));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(result),
    })
}

const VPC_ATTACHMENT_FILTERS: &[&str] = &["state", "transit-gateway-attachment-id", "transit-gateway-id", "vpc-id"];

pub async fn describe_vpc_attachments(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTransitGatewayVpcAttachmentsRequest,
) -> Result<DescribeTransitGatewayVpcAttachmentsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(VPC_ATTACHMENT_FILTERS))?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.transit_gateway_attachment_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| {
        state
            .tgw_attachments
            .get(*id)
            .is_none_or(|a| a.kind != AttachmentKind::Vpc)
    }) {
        return Err(errors::tgw_attachment_not_found(missing));
    }
    let matching: Vec<(String, TransitGatewayVpcAttachment)> =
        filter::select(&state.tgw_attachments, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|a| a.kind == AttachmentKind::Vpc)
            .filter(|a| {
                let st = state_name(a, &at);
                filters.matches(|f| match f {
                    "state" => vec![st],
                    "transit-gateway-attachment-id" => vec![a.id.as_str()],
                    "transit-gateway-id" => vec![a.transit_gateway_id.as_str()],
                    "vpc-id" => vec![a.resource_id.as_str()],
                    other => filter::tag_values(&a.tags, other).unwrap_or_default(),
                })
            })
            .map(|a| (a.id.clone(), vpc_view(a, &at)))
            .collect();
    let (attachments, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeTransitGatewayVpcAttachmentsResult {
        transit_gateway_vpc_attachments: Some(attachments),
        next_token,
    })
}

pub async fn modify_vpc_attachment(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyTransitGatewayVpcAttachmentRequest,
) -> Result<ModifyTransitGatewayVpcAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut a = live_attachment(&state, &input.transit_gateway_attachment_id)?.clone();
    if a.kind != AttachmentKind::Vpc {
        return Err(errors::tgw_attachment_not_found(&a.id));
    }
    let remove = input.remove_subnet_ids.unwrap_or_default();
    a.subnet_ids.retain(|s| !remove.contains(s));
    for s in input.add_subnet_ids.unwrap_or_default() {
        if !a.subnet_ids.contains(&s) {
            a.subnet_ids.push(s);
        }
    }
    check_subnets(&state, &a.resource_id, &a.subnet_ids)?;
    let o = input.options.unwrap_or_default();
    if let Some(v) = o.dns_support {
        a.dns_support = enabled(v.as_str());
    }
    if let Some(v) = o.ipv6_support {
        a.ipv6_support = enabled(v.as_str());
    }
    if let Some(v) = o.appliance_mode_support {
        a.appliance_mode_support = enabled(v.as_str());
    }
    if let Some(v) = o.security_group_referencing_support {
        a.security_group_referencing_support = enabled(v.as_str());
    }
    let result = vpc_view(&a, &at);
    let mut tx = Tx::default();
    tx.put(Resource::TgwAttachment(a));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(ModifyTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(result),
    })
}

pub async fn delete_vpc_attachment(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteTransitGatewayVpcAttachmentRequest,
) -> Result<DeleteTransitGatewayVpcAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let a = live_attachment(&state, &input.transit_gateway_attachment_id)?;
    if a.kind != AttachmentKind::Vpc {
        return Err(errors::tgw_attachment_not_found(&a.id));
    }
    let mut tx = Tx::default();
    detach(&state, a, at.now_ms, &mut tx);
    let mut gone = a.clone();
    gone.deleted_ms = Some(at.now_ms);
    let result = vpc_view(&gone, &at);
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(result),
    })
}

pub async fn describe_attachments(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTransitGatewayAttachmentsRequest,
) -> Result<DescribeTransitGatewayAttachmentsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "association.state",
            "association.transit-gateway-route-table-id",
            "resource-id",
            "resource-owner-id",
            "resource-type",
            "state",
            "transit-gateway-attachment-id",
            "transit-gateway-id",
            "transit-gateway-owner-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.transit_gateway_attachment_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.tgw_attachments.contains_key(*id)) {
        return Err(errors::tgw_attachment_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, TransitGatewayAttachment)> =
        filter::select(&state.tgw_attachments, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|a| {
                let st = state_name(a, &at);
                filters.matches(|f| match f {
                    "association.state" => a.association.iter().map(|_| "associated").collect(),
                    "association.transit-gateway-route-table-id" => a.association.iter().map(String::as_str).collect(),
                    "resource-id" => vec![a.resource_id.as_str()],
                    "resource-owner-id" => vec![a.resource_owner.as_str()],
                    "resource-type" => vec![a.kind.as_str()],
                    "state" => vec![st],
                    "transit-gateway-attachment-id" => vec![a.id.as_str()],
                    "transit-gateway-id" => vec![a.transit_gateway_id.as_str()],
                    "transit-gateway-owner-id" => vec![account],
                    other => filter::tag_values(&a.tags, other).unwrap_or_default(),
                })
            })
            .map(|a| (a.id.clone(), attachment_view(a, account, &at)))
            .collect();
    let (attachments, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeTransitGatewayAttachmentsResult {
        transit_gateway_attachments: Some(attachments),
        next_token,
    })
}
