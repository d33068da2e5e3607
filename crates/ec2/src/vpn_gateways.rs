//! Customer gateways (the on-premises side of a VPN), virtual private
//! gateways (the AWS side) and their attachment to VPCs, and route
//! propagation from a virtual private gateway into route tables.

use std::net::Ipv4Addr;
use std::time::Duration;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use landbridge_lifecycle::Step;

use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{RegionState, Tx};
use crate::{Ec2, errors, tags};

/// Default ASN of a customer gateway when none is given, as in AWS.
const DEFAULT_CUSTOMER_ASN: u32 = 65000;
/// Default Amazon-side ASN of a virtual private gateway, as in AWS.
const DEFAULT_AMAZON_ASN: i64 = 64512;
/// ASNs AWS reserves and refuses for a gateway.
const RESERVED_ASNS: &[i64] = &[7224, 9059, 10124, 17493, 23456, 65535];

const ATTACHMENT: &[Step<&str>] = &[
    Step::new("attaching", Duration::from_secs(5)),
    Step::new("attached", Duration::ZERO),
];

fn customer_gateway_view(g: &CustomerGatewayRec) -> CustomerGateway {
    CustomerGateway {
        bgp_asn: Some(g.bgp_asn.to_string()),
        bgp_asn_extended: (g.bgp_asn > i32::MAX as u32).then(|| g.bgp_asn.to_string()),
        customer_gateway_id: Some(g.id.clone()),
        ip_address: g.ip_address.clone(),
        certificate_arn: g.certificate_arn.clone(),
        device_name: g.device_name.clone(),
        state: Some(if g.deleted { "deleted" } else { "available" }.to_string()),
        r#type: Some(GatewayType::Ipsec1.as_str().to_string()),
        tags: crate::views::tags(&g.tags),
    }
}

fn attachment_state(g: &VpnGatewayRec, at: &At) -> AttachmentStatus {
    AttachmentStatus::parse(at.state(ATTACHMENT, g.attached_ms)).unwrap_or(AttachmentStatus::Attached)
}

fn vpn_gateway_view(g: &VpnGatewayRec, at: &At) -> VpnGateway {
    let mut attachments: Vec<VpcAttachment> = g
        .detached_from
        .iter()
        .filter(|v| g.attached_vpc.as_ref() != Some(*v))
        .map(|v| VpcAttachment {
            vpc_id: Some(v.clone()),
            state: Some(AttachmentStatus::Detached),
        })
        .collect();
    if let Some(v) = &g.attached_vpc {
        attachments.push(VpcAttachment {
            vpc_id: Some(v.clone()),
            state: Some(attachment_state(g, at)),
        });
    }
    VpnGateway {
        amazon_side_asn: Some(g.amazon_side_asn),
        tags: crate::views::tags(&g.tags),
        vpn_gateway_id: Some(g.id.clone()),
        state: Some(if g.deleted {
            VpnState::Deleted
        } else {
            VpnState::Available
        }),
        r#type: Some(GatewayType::Ipsec1),
        availability_zone: g.availability_zone.clone(),
        vpc_attachments: Some(attachments),
    }
}

pub async fn create_customer_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateCustomerGatewayRequest,
) -> Result<CreateCustomerGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let asn: u32 = match (input.bgp_asn, input.bgp_asn_extended) {
        (Some(_), Some(_)) => return Err(errors::combination("Specify either BgpAsn or BgpAsnExtended, not both")),
        (Some(a), None) if a >= 1 => a as u32,
        (None, Some(a)) if (2_147_483_648..=4_294_967_295).contains(&a) => a as u32,
        (Some(a), None) => {
            return Err(errors::invalid_value(
                &a.to_string(),
                "bgpAsn",
                "The ASN must be 1 to 2147483647.",
            ));
        }
        (None, Some(a)) => {
            return Err(errors::invalid_value(
                &a.to_string(),
                "bgpAsnExtended",
                "The ASN must be 2147483648 to 4294967295.",
            ));
        }
        (None, None) => DEFAULT_CUSTOMER_ASN,
    };
    let ip = input.ip_address.or(input.public_ip);
    if let Some(text) = &ip
        && text.parse::<Ipv4Addr>().is_err()
    {
        return Err(errors::invalid_value(
            text,
            "ipAddress",
            "This is not a valid IPv4 address.",
        ));
    }
    if ip.is_none() && input.certificate_arn.is_none() {
        return Err(errors::missing("IpAddress"));
    }
    let tags = tags::from_specifications(input.tag_specifications, "customer-gateway")?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    // AWS answers a repeated request with the gateway it already has.
    if let Some(existing) = state
        .customer_gateways
        .values()
        .find(|g| !g.deleted && g.ip_address == ip && g.bgp_asn == asn && g.certificate_arn == input.certificate_arn)
    {
        return Ok(CreateCustomerGatewayResult {
            customer_gateway: Some(customer_gateway_view(existing)),
        });
    }
    let g = CustomerGatewayRec {
        id: new_id("cgw"),
        bgp_asn: asn,
        ip_address: ip,
        certificate_arn: input.certificate_arn,
        device_name: input.device_name,
        deleted: false,
        tags,
    };
    let view = customer_gateway_view(&g);
    let mut tx = Tx::default();
    tx.put(Resource::CustomerGateway(g));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateCustomerGatewayResult {
        customer_gateway: Some(view),
    })
}

pub async fn describe_customer_gateways(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeCustomerGatewaysRequest,
) -> Result<DescribeCustomerGatewaysResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&["bgp-asn", "customer-gateway-id", "ip-address", "state", "type"]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.customer_gateway_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.customer_gateways.contains_key(*id)) {
        return Err(errors::cgw_not_found(missing));
    }
    let gateways = filter::select(&state.customer_gateways, &ids, filters.candidates(&state.index, false))
        .into_iter()
        .filter(|g| {
            let asn = g.bgp_asn.to_string();
            filters.matches(|f| match f {
                "bgp-asn" => vec![asn.as_str()],
                "customer-gateway-id" => vec![g.id.as_str()],
                "ip-address" => g.ip_address.iter().map(String::as_str).collect(),
                "state" => vec![if g.deleted { "deleted" } else { "available" }],
                "type" => vec!["ipsec.1"],
                other => filter::tag_values(&g.tags, other).unwrap_or_default(),
            })
        })
        .map(customer_gateway_view)
        .collect();
    Ok(DescribeCustomerGatewaysResult {
        customer_gateways: Some(gateways),
    })
}

pub async fn delete_customer_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteCustomerGatewayRequest,
) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = state
        .customer_gateways
        .get(&input.customer_gateway_id)
        .ok_or_else(|| errors::cgw_not_found(&input.customer_gateway_id))?
        .clone();
    if state
        .vpn_connections
        .values()
        .any(|c| c.customer_gateway_id == g.id && c.deleted_ms.is_none())
    {
        return Err(ApiError::client(
            "IncorrectState",
            format!("The customer gateway '{}' is in use by a VPN connection.", g.id),
        ));
    }
    g.deleted = true;
    let mut tx = Tx::default();
    tx.put(Resource::CustomerGateway(g));
    tx.commit(ec2.store(), &region, state).await
}

fn check_amazon_asn(asn: i64) -> Result<(), ApiError> {
    let valid = (1..=4_294_967_294).contains(&asn) && !RESERVED_ASNS.contains(&asn);
    if valid {
        Ok(())
    } else {
        Err(errors::invalid_value(
            &asn.to_string(),
            "amazonSideAsn",
            "Use a private ASN (64512 to 65534, or 4200000000 to 4294967294) or a public ASN you own.",
        ))
    }
}

pub async fn create_vpn_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateVpnGatewayRequest,
) -> Result<CreateVpnGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let asn = input.amazon_side_asn.unwrap_or(DEFAULT_AMAZON_ASN);
    check_amazon_asn(asn)?;
    let tags = tags::from_specifications(input.tag_specifications, "vpn-gateway")?;
    let g = VpnGatewayRec {
        id: new_id("vgw"),
        amazon_side_asn: asn,
        availability_zone: input.availability_zone,
        attached_vpc: None,
        attached_ms: 0,
        detached_from: Vec::new(),
        deleted: false,
        tags,
    };
    let view = vpn_gateway_view(&g, &ec2.at());
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut tx = Tx::default();
    tx.put(Resource::VpnGateway(g));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateVpnGatewayResult {
        vpn_gateway: Some(view),
    })
}

pub async fn describe_vpn_gateways(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeVpnGatewaysRequest,
) -> Result<DescribeVpnGatewaysResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "amazon-side-asn",
            "attachment.state",
            "attachment.vpc-id",
            "availability-zone",
            "state",
            "type",
            "vpn-gateway-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.vpn_gateway_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.vpn_gateways.contains_key(*id)) {
        return Err(errors::vgw_not_found(missing));
    }
    let gateways = filter::select(&state.vpn_gateways, &ids, filters.candidates(&state.index, false))
        .into_iter()
        .filter(|g| {
            let view = vpn_gateway_view(g, &at);
            let asn = g.amazon_side_asn.to_string();
            let attachments = view.vpc_attachments.unwrap_or_default();
            filters.matches(|f| match f {
                "amazon-side-asn" => vec![asn.as_str()],
                "attachment.state" => attachments
                    .iter()
                    .filter_map(|a| a.state.map(AttachmentStatus::as_str))
                    .collect(),
                "attachment.vpc-id" => g.attached_vpc.iter().map(String::as_str).collect(),
                "availability-zone" => g.availability_zone.iter().map(String::as_str).collect(),
                "state" => vec![if g.deleted { "deleted" } else { "available" }],
                "type" => vec!["ipsec.1"],
                "vpn-gateway-id" => vec![g.id.as_str()],
                other => filter::tag_values(&g.tags, other).unwrap_or_default(),
            })
        })
        .map(|g| vpn_gateway_view(g, &at))
        .collect();
    Ok(DescribeVpnGatewaysResult {
        vpn_gateways: Some(gateways),
    })
}

/// A gateway that can still be used: a deleted one (AWS keeps describing
/// it) answers `InvalidVpnGatewayState`, an unknown one `NotFound`.
pub fn live_vpn_gateway<'a>(state: &'a RegionState, id: &str) -> Result<&'a VpnGatewayRec, ApiError> {
    match state.vpn_gateways.get(id) {
        Some(g) if !g.deleted => Ok(g),
        Some(_) => Err(ApiError::client(
            "InvalidVpnGatewayState",
            format!("The VPN gateway {id} is in the deleted state."),
        )),
        None => Err(errors::vgw_not_found(id)),
    }
}

pub async fn attach_vpn_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: AttachVpnGatewayRequest,
) -> Result<AttachVpnGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = live_vpn_gateway(&state, &input.vpn_gateway_id)?.clone();
    if !state.vpcs.contains_key(&input.vpc_id) {
        return Err(errors::vpc_not_found(&input.vpc_id));
    }
    match &g.attached_vpc {
        Some(v) if *v == input.vpc_id => {
            let at = ec2.at();
            return Ok(AttachVpnGatewayResult {
                vpc_attachment: Some(VpcAttachment {
                    vpc_id: Some(v.clone()),
                    state: Some(attachment_state(&g, &at)),
                }),
            });
        }
        Some(v) => {
            return Err(ApiError::client(
                "VpnGatewayAttachmentLimitExceeded",
                format!("The VPN gateway {} is already attached to {v}", g.id),
            ));
        }
        None => {}
    }
    if let Some(other) = state
        .vpn_gateways
        .values()
        .find(|o| o.attached_vpc.as_deref() == Some(input.vpc_id.as_str()))
    {
        return Err(ApiError::client(
            "VpnGatewayAttachmentLimitExceeded",
            format!("The VPC {} already has VPN gateway {} attached", input.vpc_id, other.id),
        ));
    }
    g.attached_vpc = Some(input.vpc_id.clone());
    g.attached_ms = Timestamp::now().millis();
    let view = VpcAttachment {
        vpc_id: Some(input.vpc_id),
        state: Some(attachment_state(&g, &ec2.at())),
    };
    let mut tx = Tx::default();
    tx.put(Resource::VpnGateway(g));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(AttachVpnGatewayResult {
        vpc_attachment: Some(view),
    })
}

pub async fn detach_vpn_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DetachVpnGatewayRequest,
) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = live_vpn_gateway(&state, &input.vpn_gateway_id)?.clone();
    if g.attached_vpc.as_deref() != Some(input.vpc_id.as_str()) {
        return Err(ApiError::client(
            "InvalidVpnGatewayAttachment.NotFound",
            format!(
                "The attachment with vpn gateway ID '{}' and vpc ID '{}' does not exist",
                g.id, input.vpc_id
            ),
        ));
    }
    let mut tx = Tx::default();
    // Propagation from the gateway stops with the attachment.
    for t in state.route_tables.values().filter(|t| t.vpc_id == input.vpc_id) {
        if t.propagating_vgws.contains(&g.id) {
            let mut t = t.clone();
            t.propagating_vgws.retain(|v| *v != g.id);
            tx.put(Resource::RouteTable(t));
        }
    }
    g.attached_vpc = None;
    if !g.detached_from.contains(&input.vpc_id) {
        g.detached_from.push(input.vpc_id);
    }
    tx.put(Resource::VpnGateway(g));
    tx.commit(ec2.store(), &region, state).await
}

pub async fn delete_vpn_gateway(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteVpnGatewayRequest,
) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = live_vpn_gateway(&state, &input.vpn_gateway_id)?.clone();
    if let Some(v) = &g.attached_vpc {
        return Err(ApiError::client(
            "IncorrectState",
            format!("The VPN gateway {} is attached to {v}; detach it first", g.id),
        ));
    }
    if state
        .vpn_connections
        .values()
        .any(|c| c.vpn_gateway_id.as_deref() == Some(g.id.as_str()) && c.deleted_ms.is_none())
    {
        return Err(ApiError::client(
            "IncorrectState",
            format!("The VPN gateway '{}' is in use by a VPN connection.", g.id),
        ));
    }
    g.deleted = true;
    let mut tx = Tx::default();
    tx.put(Resource::VpnGateway(g));
    tx.commit(ec2.store(), &region, state).await
}

/// Enable (`on`) or disable route propagation from a VPN gateway into a table.
pub async fn set_propagation(
    ec2: &Ec2,
    ctx: &RequestContext,
    dry_run: Option<bool>,
    gateway_id: &str,
    route_table_id: &str,
    on: bool,
) -> Result<(), ApiError> {
    errors::dry_run(dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = state
        .route_tables
        .get(route_table_id)
        .ok_or_else(|| errors::route_table_not_found(route_table_id))?
        .clone();
    let g = state
        .vpn_gateways
        .get(gateway_id)
        .filter(|g| !g.deleted)
        .ok_or_else(|| errors::not_found("InvalidGatewayID.NotFound", "gateway", gateway_id))?;
    if on {
        if g.attached_vpc.as_deref() != Some(t.vpc_id.as_str()) {
            return Err(ApiError::client(
                "Gateway.NotAttached",
                format!("resource {gateway_id} is not attached to network {}", t.vpc_id),
            ));
        }
        if !t.propagating_vgws.iter().any(|v| v == gateway_id) {
            t.propagating_vgws.push(gateway_id.to_string());
        }
    } else {
        t.propagating_vgws.retain(|v| v != gateway_id);
    }
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await
}
