//! Transit gateways and their route tables: creation with AWS's options and
//! defaults (a default route table that new attachments associate with and
//! propagate to), modification, deletion, associations and propagations.
//! Attachments are in `tgw_attachments.rs`, routes in `tgw_routes.rs`.

use std::time::Duration;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use landbridge_lifecycle::Step;

use crate::cidr::Ipv4Cidr;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{RegionState, Tx};
use crate::{Ec2, errors, paging, tags};

const CREATING: &[Step<&str>] = &[
    Step::new("pending", Duration::from_secs(60)),
    Step::new("available", Duration::ZERO),
];

const DELETING: &[Step<&str>] = &[
    Step::new("deleting", Duration::from_secs(30)),
    Step::new("deleted", Duration::ZERO),
];

/// The state of a resource created at `created_ms` and deleted at
/// `deleted_ms`, as AWS names it.
pub fn lifecycle_state(created_ms: i64, deleted_ms: Option<i64>, at: &At) -> &'static str {
    match deleted_ms {
        Some(ms) => at.state(DELETING, ms),
        None => at.state(CREATING, created_ms),
    }
}

/// `enable` or `disable`, the way transit gateway options are spelled.
pub fn switch(on: bool) -> &'static str {
    if on { "enable" } else { "disable" }
}

/// Whether a requested `enable`/`disable` value is `enable`.
pub fn enabled(value: &str) -> bool {
    value == "enable"
}

fn arn(ctx_region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{ctx_region}:{account}:transit-gateway/{id}")
}

pub fn view(g: &TransitGatewayRec, region: &str, account: &str, at: &At) -> TransitGateway {
    TransitGateway {
        transit_gateway_id: Some(g.id.clone()),
        transit_gateway_arn: Some(arn(region, account, &g.id)),
        state: TransitGatewayState::parse(lifecycle_state(g.created_ms, g.deleted_ms, at)),
        owner_id: Some(account.to_string()),
        description: g.description.clone(),
        creation_time: Some(Timestamp::from_millis(g.created_ms)),
        options: Some(TransitGatewayOptions {
            amazon_side_asn: Some(g.amazon_side_asn),
            transit_gateway_cidr_blocks: (!g.cidr_blocks.is_empty()).then(|| g.cidr_blocks.clone()),
            auto_accept_shared_attachments: AutoAcceptSharedAttachmentsValue::parse(switch(
                g.auto_accept_shared_attachments,
            )),
            default_route_table_association: DefaultRouteTableAssociationValue::parse(switch(
                g.default_route_table_association,
            )),
            association_default_route_table_id: g.association_default_route_table_id.clone(),
            default_route_table_propagation: DefaultRouteTablePropagationValue::parse(switch(
                g.default_route_table_propagation,
            )),
            propagation_default_route_table_id: g.propagation_default_route_table_id.clone(),
            vpn_ecmp_support: VpnEcmpSupportValue::parse(switch(g.vpn_ecmp_support)),
            dns_support: DnsSupportValue::parse(switch(g.dns_support)),
            security_group_referencing_support: SecurityGroupReferencingSupportValue::parse(switch(
                g.security_group_referencing_support,
            )),
            multicast_support: MulticastSupportValue::parse(switch(g.multicast_support)),
            ..Default::default()
        }),
        tags: crate::views::tags(&g.tags),
    }
}

pub fn route_table_view(t: &TgwRouteTableRec, at: &At) -> TransitGatewayRouteTable {
    TransitGatewayRouteTable {
        transit_gateway_route_table_id: Some(t.id.clone()),
        transit_gateway_id: Some(t.transit_gateway_id.clone()),
        state: TransitGatewayRouteTableState::parse(lifecycle_state(t.created_ms, t.deleted_ms, at)),
        default_association_route_table: Some(t.default_association),
        default_propagation_route_table: Some(t.default_propagation),
        creation_time: Some(Timestamp::from_millis(t.created_ms)),
        tags: crate::views::tags(&t.tags),
    }
}

/// AWS's rules for a transit gateway's ASN: private 64512–65534 or
/// 4200000000–4294967294.
fn check_asn(asn: i64) -> Result<(), ApiError> {
    if (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn) {
        Ok(())
    } else {
        Err(errors::invalid_value(
            &asn.to_string(),
            "AmazonSideAsn",
            "The ASN must be in the private ranges 64512-65534 or 4200000000-4294967294.",
        ))
    }
}

/// A transit gateway CIDR block: IPv4 /24 or larger (IPv6 /64 or larger).
fn check_cidr_block(text: &str) -> Result<String, ApiError> {
    match Ipv4Cidr::parse(text) {
        Some(c) if c.prefix() <= 24 => Ok(format!("{}/{}", c.network(), c.prefix())),
        _ => match crate::cidr::Ipv6Cidr::parse(text) {
            Some(c) if c.prefix() <= 64 => Ok(text.to_string()),
            _ => Err(errors::invalid_value(
                text,
                "TransitGatewayCidrBlocks",
                "Specify an IPv4 CIDR block of /24 or larger, or an IPv6 CIDR block of /64 or larger.",
            )),
        },
    }
}

pub fn live_tgw<'a>(state: &'a RegionState, id: &str) -> Result<&'a TransitGatewayRec, ApiError> {
    state
        .transit_gateways
        .get(id)
        .filter(|g| g.deleted_ms.is_none())
        .ok_or_else(|| errors::tgw_not_found(id))
}

pub fn live_route_table<'a>(state: &'a RegionState, id: &str) -> Result<&'a TgwRouteTableRec, ApiError> {
    state
        .tgw_route_tables
        .get(id)
        .filter(|t| t.deleted_ms.is_none())
        .ok_or_else(|| errors::tgw_route_table_not_found(id))
}

pub fn live_attachment<'a>(state: &'a RegionState, id: &str) -> Result<&'a TgwAttachmentRec, ApiError> {
    state
        .tgw_attachments
        .get(id)
        .filter(|a| a.deleted_ms.is_none())
        .ok_or_else(|| errors::tgw_attachment_not_found(id))
}

fn new_route_table(tgw: &str, default: bool, tags: Tags, now_ms: i64) -> TgwRouteTableRec {
    TgwRouteTableRec {
        id: new_id("tgw-rtb"),
        created_ms: now_ms,
        deleted_ms: None,
        transit_gateway_id: tgw.to_string(),
        default_association: default,
        default_propagation: default,
        tags,
    }
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateTransitGatewayRequest,
) -> Result<CreateTransitGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let o = input.options.unwrap_or_default();
    let asn = o.amazon_side_asn.unwrap_or(64512);
    check_asn(asn)?;
    let cidr_blocks = o
        .transit_gateway_cidr_blocks
        .unwrap_or_default()
        .iter()
        .map(|c| check_cidr_block(c))
        .collect::<Result<Vec<_>, _>>()?;
    let tags = tags::from_specifications(input.tag_specifications, "transit-gateway")?;
    let on = |v: Option<&str>, default: bool| v.map_or(default, enabled);
    let at = ec2.at();
    let id = new_id("tgw");
    let association = on(o.default_route_table_association.map(|v| v.as_str()), true);
    let propagation = on(o.default_route_table_propagation.map(|v| v.as_str()), true);
    let mut tx = Tx::default();
    // One default table serves both defaults, as in AWS.
    let default_table = (association || propagation).then(|| new_route_table(&id, true, Tags::new(), at.now_ms));
    let default_id = default_table.as_ref().map(|t| t.id.clone());
    let g = TransitGatewayRec {
        id,
        created_ms: at.now_ms,
        deleted_ms: None,
        description: input.description,
        amazon_side_asn: asn,
        auto_accept_shared_attachments: on(o.auto_accept_shared_attachments.map(|v| v.as_str()), false),
        default_route_table_association: association,
        default_route_table_propagation: propagation,
        association_default_route_table_id: default_id.clone().filter(|_| association),
        propagation_default_route_table_id: default_id.filter(|_| propagation),
        vpn_ecmp_support: on(o.vpn_ecmp_support.map(|v| v.as_str()), true),
        dns_support: on(o.dns_support.map(|v| v.as_str()), true),
        security_group_referencing_support: on(o.security_group_referencing_support.map(|v| v.as_str()), false),
        multicast_support: on(o.multicast_support.map(|v| v.as_str()), false),
        cidr_blocks,
        tags,
    };
    let result = view(&g, &ctx.region, &ctx.account_id, &at);
    if let Some(t) = default_table {
        tx.put(Resource::TgwRouteTable(t));
    }
    tx.put(Resource::TransitGateway(g));
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateTransitGatewayResult {
        transit_gateway: Some(result),
    })
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTransitGatewaysRequest,
) -> Result<DescribeTransitGatewaysResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "options.propagation-default-route-table-id",
            "options.amazon-side-asn",
            "options.association-default-route-table-id",
            "options.auto-accept-shared-attachments",
            "options.default-route-table-association",
            "options.default-route-table-propagation",
            "options.dns-support",
            "options.vpn-ecmp-support",
            "owner-id",
            "state",
            "transit-gateway-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.transit_gateway_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.transit_gateways.contains_key(*id)) {
        return Err(errors::tgw_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, TransitGateway)> =
        filter::select(&state.transit_gateways, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|g| {
                let asn = g.amazon_side_asn.to_string();
                let st = lifecycle_state(g.created_ms, g.deleted_ms, &at);
                filters.matches(|f| match f {
                    "options.propagation-default-route-table-id" => g
                        .propagation_default_route_table_id
                        .iter()
                        .map(String::as_str)
                        .collect(),
                    "options.association-default-route-table-id" => g
                        .association_default_route_table_id
                        .iter()
                        .map(String::as_str)
                        .collect(),
                    "options.amazon-side-asn" => vec![asn.as_str()],
                    "options.auto-accept-shared-attachments" => vec![switch(g.auto_accept_shared_attachments)],
                    "options.default-route-table-association" => vec![switch(g.default_route_table_association)],
                    "options.default-route-table-propagation" => vec![switch(g.default_route_table_propagation)],
                    "options.dns-support" => vec![switch(g.dns_support)],
                    "options.vpn-ecmp-support" => vec![switch(g.vpn_ecmp_support)],
                    "owner-id" => vec![account],
                    "state" => vec![st],
                    "transit-gateway-id" => vec![g.id.as_str()],
                    other => filter::tag_values(&g.tags, other).unwrap_or_default(),
                })
            })
            .map(|g| (g.id.clone(), view(g, &ctx.region, account, &at)))
            .collect();
    let (transit_gateways, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeTransitGatewaysResult {
        transit_gateways: Some(transit_gateways),
        next_token,
    })
}

pub async fn modify(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyTransitGatewayRequest,
) -> Result<ModifyTransitGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = live_tgw(&state, &input.transit_gateway_id)?.clone();
    if let Some(d) = input.description {
        g.description = Some(d);
    }
    let o = input.options.unwrap_or_default();
    if let Some(asn) = o.amazon_side_asn {
        check_asn(asn)?;
        if state
            .tgw_attachments
            .values()
            .any(|a| a.transit_gateway_id == g.id && a.deleted_ms.is_none())
        {
            return Err(errors::incorrect_state(format!(
                "The Amazon side ASN of {} cannot change while it has attachments.",
                g.id
            )));
        }
        g.amazon_side_asn = asn;
    }
    for c in o.add_transit_gateway_cidr_blocks.unwrap_or_default() {
        let c = check_cidr_block(&c)?;
        if !g.cidr_blocks.contains(&c) {
            g.cidr_blocks.push(c);
        }
    }
    for c in o.remove_transit_gateway_cidr_blocks.unwrap_or_default() {
        g.cidr_blocks.retain(|x| *x != c);
    }
    let set = |field: &mut bool, v: Option<&str>| {
        if let Some(v) = v {
            *field = enabled(v);
        }
    };
    set(&mut g.vpn_ecmp_support, o.vpn_ecmp_support.map(|v| v.as_str()));
    set(&mut g.dns_support, o.dns_support.map(|v| v.as_str()));
    set(
        &mut g.security_group_referencing_support,
        o.security_group_referencing_support.map(|v| v.as_str()),
    );
    set(
        &mut g.auto_accept_shared_attachments,
        o.auto_accept_shared_attachments.map(|v| v.as_str()),
    );
    set(
        &mut g.default_route_table_association,
        o.default_route_table_association.map(|v| v.as_str()),
    );
    set(
        &mut g.default_route_table_propagation,
        o.default_route_table_propagation.map(|v| v.as_str()),
    );
    for (given, field) in [
        (
            o.association_default_route_table_id,
            &mut g.association_default_route_table_id,
        ),
        (
            o.propagation_default_route_table_id,
            &mut g.propagation_default_route_table_id,
        ),
    ] {
        if let Some(id) = given {
            let t = live_route_table(&state, &id)?;
            if t.transit_gateway_id != g.id {
                return Err(errors::invalid(format!("{id} is not a route table of {}", g.id)));
            }
            *field = Some(id);
        }
    }
    if !g.default_route_table_association {
        g.association_default_route_table_id = None;
    }
    if !g.default_route_table_propagation {
        g.propagation_default_route_table_id = None;
    }
    let result = view(&g, &ctx.region, &ctx.account_id, &at);
    let mut tx = Tx::default();
    tx.put(Resource::TransitGateway(g));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(ModifyTransitGatewayResult {
        transit_gateway: Some(result),
    })
}

pub async fn delete(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteTransitGatewayRequest,
) -> Result<DeleteTransitGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = live_tgw(&state, &input.transit_gateway_id)?.clone();
    if state
        .tgw_attachments
        .values()
        .any(|a| a.transit_gateway_id == g.id && a.deleted_ms.is_none())
    {
        return Err(errors::incorrect_state(format!(
            "{} has attachments; delete them first.",
            g.id
        )));
    }
    let mut tx = Tx::default();
    for t in state
        .tgw_route_tables
        .values()
        .filter(|t| t.transit_gateway_id == g.id && t.deleted_ms.is_none())
    {
        let mut t = t.clone();
        t.deleted_ms = Some(at.now_ms);
        tx.put(Resource::TgwRouteTable(t));
    }
    g.deleted_ms = Some(at.now_ms);
    let result = view(&g, &ctx.region, &ctx.account_id, &at);
    tx.put(Resource::TransitGateway(g));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteTransitGatewayResult {
        transit_gateway: Some(result),
    })
}

pub async fn create_route_table(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateTransitGatewayRouteTableRequest,
) -> Result<CreateTransitGatewayRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "transit-gateway-route-table")?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    live_tgw(&state, &input.transit_gateway_id)?;
    let t = new_route_table(&input.transit_gateway_id, false, tags, at.now_ms);
    let result = route_table_view(&t, &at);
    let mut tx = Tx::default();
    tx.put(Resource::TgwRouteTable(t));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateTransitGatewayRouteTableResult {
        transit_gateway_route_table: Some(result),
    })
}

pub async fn describe_route_tables(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTransitGatewayRouteTablesRequest,
) -> Result<DescribeTransitGatewayRouteTablesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "default-association-route-table",
            "default-propagation-route-table",
            "state",
            "transit-gateway-id",
            "transit-gateway-route-table-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.transit_gateway_route_table_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.tgw_route_tables.contains_key(*id)) {
        return Err(errors::tgw_route_table_not_found(missing));
    }
    let matching: Vec<(String, TransitGatewayRouteTable)> =
        filter::select(&state.tgw_route_tables, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|t| {
                let st = lifecycle_state(t.created_ms, t.deleted_ms, &at);
                filters.matches(|f| match f {
                    "default-association-route-table" => vec![filter::bool_str(t.default_association)],
                    "default-propagation-route-table" => vec![filter::bool_str(t.default_propagation)],
                    "state" => vec![st],
                    "transit-gateway-id" => vec![t.transit_gateway_id.as_str()],
                    "transit-gateway-route-table-id" => vec![t.id.as_str()],
                    other => filter::tag_values(&t.tags, other).unwrap_or_default(),
                })
            })
            .map(|t| (t.id.clone(), route_table_view(t, &at)))
            .collect();
    let (tables, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeTransitGatewayRouteTablesResult {
        transit_gateway_route_tables: Some(tables),
        next_token,
    })
}

pub async fn delete_route_table(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteTransitGatewayRouteTableRequest,
) -> Result<DeleteTransitGatewayRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = live_route_table(&state, &input.transit_gateway_route_table_id)?.clone();
    if state
        .tgw_attachments
        .values()
        .any(|a| a.association.as_deref() == Some(t.id.as_str()) && a.deleted_ms.is_none())
    {
        return Err(errors::incorrect_state(format!(
            "{} has associations; disassociate them first.",
            t.id
        )));
    }
    let mut tx = Tx::default();
    // A transit gateway whose default table goes has no default any more.
    if let Some(g) = state.transit_gateways.get(&t.transit_gateway_id) {
        let mut g = g.clone();
        let mut changed = false;
        for field in [
            &mut g.association_default_route_table_id,
            &mut g.propagation_default_route_table_id,
        ] {
            if field.as_deref() == Some(t.id.as_str()) {
                *field = None;
                changed = true;
            }
        }
        if changed {
            tx.put(Resource::TransitGateway(g));
        }
    }
    for r in RegionState::of_table(&state.tgw_routes, &t.id) {
        tx.delete("transit-gateway-route", &r.id);
    }
    for p in RegionState::of_table(&state.tgw_propagations, &t.id) {
        tx.delete("transit-gateway-propagation", &p.id);
    }
    t.deleted_ms = Some(at.now_ms);
    let result = route_table_view(&t, &at);
    tx.put(Resource::TgwRouteTable(t));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteTransitGatewayRouteTableResult {
        transit_gateway_route_table: Some(result),
    })
}

/// The table and attachment of an association or propagation request,
/// which must belong to the same transit gateway.
fn table_and_attachment<'a>(
    state: &'a RegionState,
    table_id: &str,
    attachment_id: &str,
) -> Result<(&'a TgwRouteTableRec, &'a TgwAttachmentRec), ApiError> {
    let t = live_route_table(state, table_id)?;
    let a = live_attachment(state, attachment_id)?;
    if a.transit_gateway_id != t.transit_gateway_id {
        return Err(errors::invalid(format!(
            "{attachment_id} and {table_id} belong to different transit gateways."
        )));
    }
    Ok((t, a))
}

fn association_view(t: &str, a: &TgwAttachmentRec, state: TransitGatewayAssociationState) -> TransitGatewayAssociation {
    TransitGatewayAssociation {
        transit_gateway_route_table_id: Some(t.to_string()),
        transit_gateway_attachment_id: Some(a.id.clone()),
        resource_id: Some(a.resource_id.clone()),
        resource_type: TransitGatewayAttachmentResourceType::parse(a.kind.as_str()),
        state: Some(state),
    }
}

fn propagation_view(t: &str, a: &TgwAttachmentRec, state: TransitGatewayPropagationState) -> TransitGatewayPropagation {
    TransitGatewayPropagation {
        transit_gateway_attachment_id: Some(a.id.clone()),
        resource_id: Some(a.resource_id.clone()),
        resource_type: TransitGatewayAttachmentResourceType::parse(a.kind.as_str()),
        transit_gateway_route_table_id: Some(t.to_string()),
        state: Some(state),
        transit_gateway_route_table_announcement_id: None,
    }
}

pub async fn associate(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: AssociateTransitGatewayRouteTableRequest,
) -> Result<AssociateTransitGatewayRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let (t, a) = table_and_attachment(
        &state,
        &input.transit_gateway_route_table_id,
        &input.transit_gateway_attachment_id,
    )?;
    if let Some(current) = &a.association {
        return Err(ApiError::client(
            "Resource.AlreadyAssociated",
            format!(
                "Transit Gateway Attachment {} is already associated to a route table {current}.",
                a.id
            ),
        ));
    }
    let mut a = a.clone();
    a.association = Some(t.id.clone());
    let result = association_view(&t.id, &a, TransitGatewayAssociationState::Associated);
    let mut tx = Tx::default();
    tx.put(Resource::TgwAttachment(a));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(AssociateTransitGatewayRouteTableResult {
        association: Some(result),
    })
}

pub async fn disassociate(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DisassociateTransitGatewayRouteTableRequest,
) -> Result<DisassociateTransitGatewayRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let (t, a) = table_and_attachment(
        &state,
        &input.transit_gateway_route_table_id,
        &input.transit_gateway_attachment_id,
    )?;
    if a.association.as_deref() != Some(t.id.as_str()) {
        return Err(ApiError::client(
            "InvalidAssociation.NotFound",
            format!("{} is not associated with {}.", a.id, t.id),
        ));
    }
    let mut a = a.clone();
    a.association = None;
    let result = association_view(&t.id, &a, TransitGatewayAssociationState::Disassociated);
    let mut tx = Tx::default();
    tx.put(Resource::TgwAttachment(a));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DisassociateTransitGatewayRouteTableResult {
        association: Some(result),
    })
}

/// Enables (`on`) or disables propagation of an attachment's routes into a
/// route table.
pub async fn set_propagation(
    ec2: &Ec2,
    ctx: &RequestContext,
    dry_run: Option<bool>,
    table_id: &str,
    attachment_id: Option<&str>,
    on: bool,
) -> Result<TransitGatewayPropagation, ApiError> {
    errors::dry_run(dry_run)?;
    let Some(attachment_id) = attachment_id else {
        return Err(errors::missing("TransitGatewayAttachmentId"));
    };
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let (t, a) = table_and_attachment(&state, table_id, attachment_id)?;
    if a.kind == AttachmentKind::Peering {
        return Err(errors::invalid(format!(
            "{attachment_id} is a peering attachment; peering attachments do not propagate routes."
        )));
    }
    let id = table_child_id(&t.id, attachment_id);
    let present = state.tgw_propagations.contains_key(&id);
    let mut tx = Tx::default();
    match (on, present) {
        (true, true) => {
            return Err(ApiError::client(
                "TransitGatewayRouteTablePropagation.Duplicate",
                format!("Propagation of {attachment_id} into {table_id} is already enabled."),
            ));
        }
        (false, false) => {
            return Err(ApiError::client(
                "InvalidRouteTableId.NotFound",
                format!("Propagation of {attachment_id} into {table_id} is not enabled."),
            ));
        }
        (true, false) => tx.put(Resource::TgwPropagation(TgwPropagationRec {
            id,
            route_table_id: t.id.clone(),
            attachment_id: attachment_id.to_string(),
        })),
        (false, true) => tx.delete("transit-gateway-propagation", &id),
    }
    let result = propagation_view(
        table_id,
        a,
        if on {
            TransitGatewayPropagationState::Enabled
        } else {
            TransitGatewayPropagationState::Disabled
        },
    );
    // The table's routes change only at this attachment's prefixes: update
    // the cached ones rather than recompute them all at the next read. The
    // commit applies exactly one change, hence one generation.
    let updated = crate::tgw_routes::after_propagation(&state, t, a, on, &ec2.at());
    let generation = state.generation + 1;
    let table = t.id.clone();
    tx.commit(ec2.store(), &region, state).await?;
    if let Some(routes) = updated {
        crate::tgw_routes::remember(&*region.state.read().await, &table, generation, routes);
    }
    Ok(result)
}

pub async fn table_associations(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: GetTransitGatewayRouteTableAssociationsRequest,
) -> Result<GetTransitGatewayRouteTableAssociationsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &["resource-id", "resource-type", "transit-gateway-attachment-id"],
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let t = live_route_table(&state, &input.transit_gateway_route_table_id)?;
    let matching: Vec<(String, TransitGatewayRouteTableAssociation)> = state
        .tgw_attachments
        .values()
        .filter(|a| a.deleted_ms.is_none() && a.association.as_deref() == Some(t.id.as_str()))
        .filter(|a| attachment_filter(&filters, a))
        .map(|a| {
            (
                a.id.clone(),
                TransitGatewayRouteTableAssociation {
                    transit_gateway_attachment_id: Some(a.id.clone()),
                    resource_id: Some(a.resource_id.clone()),
                    resource_type: TransitGatewayAttachmentResourceType::parse(a.kind.as_str()),
                    state: Some(TransitGatewayAssociationState::Associated),
                },
            )
        })
        .collect();
    let (associations, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(GetTransitGatewayRouteTableAssociationsResult {
        associations: Some(associations),
        next_token,
    })
}

fn attachment_filter(filters: &Filters, a: &TgwAttachmentRec) -> bool {
    filters.matches(|f| match f {
        "resource-id" => vec![a.resource_id.as_str()],
        "resource-type" => vec![a.kind.as_str()],
        "transit-gateway-attachment-id" => vec![a.id.as_str()],
        _ => Vec::new(),
    })
}

pub async fn table_propagations(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: GetTransitGatewayRouteTablePropagationsRequest,
) -> Result<GetTransitGatewayRouteTablePropagationsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &["resource-id", "resource-type", "transit-gateway-attachment-id"],
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let t = live_route_table(&state, &input.transit_gateway_route_table_id)?;
    let matching: Vec<(String, TransitGatewayRouteTablePropagation)> =
        RegionState::of_table(&state.tgw_propagations, &t.id)
            .filter_map(|p| state.tgw_attachments.get(&p.attachment_id))
            .filter(|a| a.deleted_ms.is_none() && attachment_filter(&filters, a))
            .map(|a| {
                (
                    a.id.clone(),
                    TransitGatewayRouteTablePropagation {
                        transit_gateway_attachment_id: Some(a.id.clone()),
                        resource_id: Some(a.resource_id.clone()),
                        resource_type: TransitGatewayAttachmentResourceType::parse(a.kind.as_str()),
                        state: Some(TransitGatewayPropagationState::Enabled),
                        transit_gateway_route_table_announcement_id: None,
                    },
                )
            })
            .collect();
    let (propagations, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(GetTransitGatewayRouteTablePropagationsResult {
        transit_gateway_route_table_propagations: Some(propagations),
        next_token,
    })
}

pub async fn attachment_propagations(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: GetTransitGatewayAttachmentPropagationsRequest,
) -> Result<GetTransitGatewayAttachmentPropagationsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &["transit-gateway-route-table-id"])?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let a = live_attachment(&state, &input.transit_gateway_attachment_id)?;
    let matching: Vec<(String, TransitGatewayAttachmentPropagation)> = state
        .tgw_propagations
        .values()
        .filter(|p| p.attachment_id == a.id)
        .filter_map(|p| state.tgw_route_tables.get(&p.route_table_id))
        .filter(|t| t.deleted_ms.is_none())
        .filter(|t| {
            filters.matches(|f| {
                if f == "transit-gateway-route-table-id" {
                    vec![t.id.as_str()]
                } else {
                    Vec::new()
                }
            })
        })
        .map(|t| {
            (
                t.id.clone(),
                TransitGatewayAttachmentPropagation {
                    transit_gateway_route_table_id: Some(t.id.clone()),
                    state: Some(TransitGatewayPropagationState::Enabled),
                },
            )
        })
        .collect();
    let (propagations, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(GetTransitGatewayAttachmentPropagationsResult {
        transit_gateway_attachment_propagations: Some(propagations),
        next_token,
    })
}
