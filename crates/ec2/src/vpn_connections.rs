//! Site-to-Site VPN connections between a customer gateway and a virtual
//! private gateway: two tunnels each, with outside addresses from the
//! loopback fabric, options as AWS validates and defaults them, static
//! routes, telemetry, and the customer gateway configuration document.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};
use landbridge_lifecycle::Step;

use crate::cidr::Ipv4Cidr;
use crate::filter::{self, Filters};
use crate::gateway_config::{self, Peers};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{RegionState, Tx};
use crate::tunnel_status::{self, Tunnels};
use crate::{Ec2, device_configs, errors, tags, tgw_attachments, tunnel_options};

/// AWS takes minutes to provision a connection.
const CREATING: &[Step<&str>] = &[
    Step::new("pending", Duration::from_secs(120)),
    Step::new("available", Duration::ZERO),
];

const DELETING: &[Step<&str>] = &[
    Step::new("deleting", Duration::from_secs(30)),
    Step::new("deleted", Duration::ZERO),
];

pub fn state_of(c: &VpnConnectionRec, at: &At) -> VpnState {
    let text = match c.deleted_ms {
        Some(ms) => at.state(DELETING, ms),
        None => at.state(CREATING, c.created_ms),
    };
    VpnState::parse(text).unwrap_or(VpnState::Available)
}

/// Whether `c` carries traffic (and its routes propagate).
pub fn is_available(c: &VpnConnectionRec, at: &At) -> bool {
    state_of(c, at) == VpnState::Available
}

/// A tunnel's status as its BGP session reports it: UP while the session
/// is established, with the prefixes it accepted ("2 BGP ROUTES"); DOWN
/// with the reason it last went down.
fn telemetry(t: &TunnelRec, tunnels: &Tunnels) -> VgwTelemetry {
    let s = tunnels.get(&t.outside_ip);
    let up = s.is_some_and(|s| s.up);
    let accepted = s.filter(|s| s.up).map_or(0, |s| s.accepted());
    let changed_ms = s.map_or(t.status_changed_ms, |s| s.changed_ms.max(t.status_changed_ms));
    VgwTelemetry {
        accepted_route_count: Some(i32::try_from(accepted).unwrap_or(i32::MAX)),
        last_status_change: Some(Timestamp::from_millis(changed_ms)),
        outside_ip_address: Some(t.outside_ip.clone()),
        status: Some(if up { TelemetryStatus::Up } else { TelemetryStatus::Down }),
        status_message: Some(if up {
            format!("{accepted} BGP ROUTES")
        } else {
            s.and_then(|s| s.last_error.clone()).unwrap_or_default()
        }),
        certificate_arn: None,
    }
}

fn tunnel_option(t: &TunnelRec) -> TunnelOption {
    TunnelOption {
        outside_ip_address: Some(t.outside_ip.clone()),
        tunnel_inside_cidr: Some(t.inside_cidr.clone()),
        pre_shared_key: Some(t.pre_shared_key.clone()),
        phase1_lifetime_seconds: Some(t.phase1_lifetime_seconds),
        phase2_lifetime_seconds: Some(t.phase2_lifetime_seconds),
        rekey_margin_time_seconds: Some(t.rekey_margin_time_seconds),
        rekey_fuzz_percentage: Some(t.rekey_fuzz_percentage),
        replay_window_size: Some(t.replay_window_size),
        dpd_timeout_seconds: Some(t.dpd_timeout_seconds),
        dpd_timeout_action: Some(t.dpd_timeout_action.clone()),
        phase1_encryption_algorithms: Some(
            t.phase1_encryption
                .iter()
                .map(|v| Phase1EncryptionAlgorithmsListValue { value: Some(v.clone()) })
                .collect(),
        ),
        phase2_encryption_algorithms: Some(
            t.phase2_encryption
                .iter()
                .map(|v| Phase2EncryptionAlgorithmsListValue { value: Some(v.clone()) })
                .collect(),
        ),
        phase1_integrity_algorithms: Some(
            t.phase1_integrity
                .iter()
                .map(|v| Phase1IntegrityAlgorithmsListValue { value: Some(v.clone()) })
                .collect(),
        ),
        phase2_integrity_algorithms: Some(
            t.phase2_integrity
                .iter()
                .map(|v| Phase2IntegrityAlgorithmsListValue { value: Some(v.clone()) })
                .collect(),
        ),
        phase1_dh_group_numbers: Some(
            t.phase1_dh_groups
                .iter()
                .map(|v| Phase1DHGroupNumbersListValue { value: Some(*v) })
                .collect(),
        ),
        phase2_dh_group_numbers: Some(
            t.phase2_dh_groups
                .iter()
                .map(|v| Phase2DHGroupNumbersListValue { value: Some(*v) })
                .collect(),
        ),
        ike_versions: Some(
            t.ike_versions
                .iter()
                .map(|v| IKEVersionsListValue { value: Some(v.clone()) })
                .collect(),
        ),
        startup_action: Some(t.startup_action.clone()),
        enable_tunnel_lifecycle_control: Some(t.enable_tunnel_lifecycle_control),
        ..Default::default()
    }
}

/// The Amazon side's ASN: the virtual private or transit gateway's.
fn amazon_asn(c: &VpnConnectionRec, state: &RegionState) -> Option<i64> {
    let vgw = c.vpn_gateway_id.as_ref().and_then(|id| state.vpn_gateways.get(id));
    let tgw = c
        .transit_gateway_id
        .as_ref()
        .and_then(|id| state.transit_gateways.get(id));
    vgw.map(|g| g.amazon_side_asn).or(tgw.map(|g| g.amazon_side_asn))
}

fn view(c: &VpnConnectionRec, state: &RegionState, at: &At) -> VpnConnection {
    let current = state_of(c, at);
    let route_state = if current == VpnState::Deleted {
        VpnState::Deleted
    } else {
        VpnState::Available
    };
    // AWS stops handing out the configuration once a connection is gone.
    let configuration = match current {
        VpnState::Pending | VpnState::Available => {
            let cgw = state.customer_gateways.get(&c.customer_gateway_id);
            cgw.zip(amazon_asn(c, state)).map(|(cgw, amazon_asn)| {
                gateway_config::document(
                    c,
                    &Peers {
                        customer_ip: cgw.ip_address.as_deref().unwrap_or_default(),
                        customer_asn: cgw.bgp_asn,
                        amazon_asn,
                    },
                )
            })
        }
        _ => None,
    };
    VpnConnection {
        category: Some("VPN".to_string()),
        customer_gateway_configuration: configuration,
        customer_gateway_id: Some(c.customer_gateway_id.clone()),
        vpn_gateway_id: c.vpn_gateway_id.clone(),
        transit_gateway_id: c.transit_gateway_id.clone(),
        vpn_connection_id: Some(c.id.clone()),
        state: Some(current),
        r#type: Some(GatewayType::Ipsec1),
        options: Some(VpnConnectionOptions {
            enable_acceleration: Some(c.enable_acceleration),
            static_routes_only: Some(c.static_routes_only),
            local_ipv4_network_cidr: Some(c.local_ipv4_network_cidr.clone()),
            remote_ipv4_network_cidr: Some(c.remote_ipv4_network_cidr.clone()),
            outside_ip_address_type: Some(c.outside_ip_address_type.clone()),
            tunnel_inside_ip_version: Some(TunnelInsideIpVersion::Ipv4),
            tunnel_options: Some(c.tunnels.iter().map(tunnel_option).collect()),
            ..Default::default()
        }),
        routes: Some(
            c.routes
                .iter()
                .map(|r| VpnStaticRoute {
                    destination_cidr_block: Some(r.clone()),
                    source: Some(VpnStaticRouteSource::Static),
                    state: Some(route_state),
                })
                .collect(),
        ),
        vgw_telemetry: Some(c.tunnels.iter().map(|t| telemetry(t, &state.tunnels)).collect()),
        tags: crate::views::tags(&c.tags),
        ..Default::default()
    }
}

/// Inside CIDRs already used by tunnels on a virtual private or transit
/// gateway, which AWS requires to be unique per gateway.
fn inside_cidrs_on(state: &RegionState, gateway_id: &str, at: &At) -> BTreeSet<String> {
    state
        .vpn_connections
        .values()
        .filter(|c| {
            let on =
                c.vpn_gateway_id.as_deref() == Some(gateway_id) || c.transit_gateway_id.as_deref() == Some(gateway_id);
            on && state_of(c, at) != VpnState::Deleted
        })
        .flat_map(|c| c.tunnels.iter().map(|t| t.inside_cidr.clone()))
        .collect()
}

fn network_cidr(value: Option<String>, name: &str) -> Result<String, ApiError> {
    match value {
        None => Ok("0.0.0.0/0".to_string()),
        Some(text) => match Ipv4Cidr::parse(&text) {
            Some(c) => Ok(format!("{}/{}", c.network(), c.prefix())),
            None => Err(errors::invalid_value(&text, name, "It must be an IPv4 CIDR block.")),
        },
    }
}

/// Stages the transit gateway attachment a connection to `tgw` is.
fn stage_attachment(state: &RegionState, tgw: &TransitGatewayRec, vpn: &str, account: &str, now_ms: i64, tx: &mut Tx) {
    let a = tgw_attachments::attach(state, tgw, AttachmentKind::Vpn, vpn, account, now_ms, tx);
    tx.put(Resource::TgwAttachment(a));
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateVpnConnectionRequest,
) -> Result<CreateVpnConnectionResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    if input.r#type != "ipsec.1" {
        return Err(errors::invalid_value(
            &input.r#type,
            "type",
            "The only supported type is ipsec.1.",
        ));
    }
    let (vpn_gateway_id, transit_gateway_id) = match (input.vpn_gateway_id, input.transit_gateway_id) {
        (Some(_), Some(_)) => {
            return Err(errors::combination(
                "Specify either a virtual private gateway or a transit gateway, not both.",
            ));
        }
        (None, None) => return Err(errors::missing("VpnGatewayId")),
        pair => pair,
    };
    let gateway_id = vpn_gateway_id
        .clone()
        .or(transit_gateway_id.clone())
        .unwrap_or_default();
    let options = input.options.unwrap_or_default();
    if options.tunnel_inside_ip_version == Some(TunnelInsideIpVersion::Ipv6) {
        return Err(errors::invalid(
            "IPv6 tunnel inside addresses are supported only on transit gateway VPN connections.",
        ));
    }
    let specs = options.tunnel_options.unwrap_or_default();
    if specs.len() > 2 {
        return Err(errors::invalid(
            "A VPN connection has two tunnels: specify at most two sets of tunnel options.",
        ));
    }
    let local_ipv4_network_cidr = network_cidr(options.local_ipv4_network_cidr, "LocalIpv4NetworkCidr")?;
    let remote_ipv4_network_cidr = network_cidr(options.remote_ipv4_network_cidr, "RemoteIpv4NetworkCidr")?;
    let tags = tags::from_specifications(input.tag_specifications, "vpn-connection")?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let cgw = state
        .customer_gateways
        .get(&input.customer_gateway_id)
        .filter(|g| !g.deleted)
        .ok_or_else(|| errors::cgw_not_found(&input.customer_gateway_id))?;
    if cgw.ip_address.is_none() {
        return Err(errors::invalid(
            "Certificate-based customer gateways are not supported yet: give the customer gateway an IP address.",
        ));
    }
    let tgw = match (&vpn_gateway_id, &transit_gateway_id) {
        (Some(vgw), _) => {
            crate::vpn_gateways::live_vpn_gateway(&state, vgw)?;
            None
        }
        (None, Some(tgw)) => Some(crate::transit_gateways::live_tgw(&state, tgw)?.clone()),
        (None, None) => None,
    };
    let mut taken = inside_cidrs_on(&state, &gateway_id, &at);
    let outside = ec2.fabric().allocate(2).ok_or_else(|| {
        ApiError::client(
            "VpnConnectionLimitExceeded",
            "The loopback fabric has no free outside addresses.",
        )
    })?;
    let mut specs = specs.into_iter();
    let mut tunnels = Vec::with_capacity(2);
    for ip in &outside {
        let spec = specs.next().map(tunnel_options::Requested::from).unwrap_or_default();
        match tunnel_options::tunnel(spec, *ip, &taken, at.now_ms) {
            Ok(t) => {
                taken.insert(t.inside_cidr.clone());
                tunnels.push(t);
            }
            Err(e) => {
                ec2.fabric().release(outside);
                return Err(e);
            }
        }
    }
    if tunnels[0].inside_cidr == tunnels[1].inside_cidr {
        ec2.fabric().release(outside);
        return Err(errors::invalid(
            "The two tunnels of a VPN connection need different inside CIDRs.",
        ));
    }
    let c = VpnConnectionRec {
        id: new_id("vpn"),
        created_ms: at.now_ms,
        deleted_ms: None,
        customer_gateway_id: input.customer_gateway_id,
        vpn_gateway_id,
        transit_gateway_id,
        static_routes_only: options.static_routes_only.unwrap_or(false),
        enable_acceleration: options.enable_acceleration.unwrap_or(false),
        local_ipv4_network_cidr,
        remote_ipv4_network_cidr,
        outside_ip_address_type: options
            .outside_ip_address_type
            .unwrap_or_else(|| "PublicIpv4".to_string()),
        tunnels,
        routes: Vec::new(),
        tags,
    };
    let result = view(&c, &state, &at);
    let mut tx = Tx::default();
    // A connection to a transit gateway is one of its attachments.
    if let Some(tgw) = &tgw {
        stage_attachment(&state, tgw, &c.id, &ctx.account_id, at.now_ms, &mut tx);
    }
    tx.put(Resource::VpnConnection(c));
    if let Err(e) = tx.commit(ec2.store(), &region, state).await {
        ec2.fabric().release(outside);
        return Err(e);
    }
    Ok(CreateVpnConnectionResult {
        vpn_connection: Some(result),
    })
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeVpnConnectionsRequest,
) -> Result<DescribeVpnConnectionsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "customer-gateway-configuration",
            "customer-gateway-id",
            "state",
            "option.static-routes-only",
            "route.destination-cidr-block",
            "bgp-asn",
            "type",
            "vpn-connection-id",
            "vpn-gateway-id",
            "transit-gateway-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.vpn_connection_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.vpn_connections.contains_key(*id)) {
        return Err(errors::vpn_not_found(missing));
    }
    let connections = filter::select(&state.vpn_connections, &ids, filters.candidates(&state.index, false))
        .into_iter()
        .map(|c| view(c, &state, &at))
        .filter(|v| {
            let static_only = v
                .options
                .as_ref()
                .and_then(|o| o.static_routes_only)
                .unwrap_or(false)
                .to_string();
            let asn = v
                .vpn_gateway_id
                .as_ref()
                .and_then(|g| state.vpn_gateways.get(g))
                .map(|g| g.amazon_side_asn.to_string())
                .unwrap_or_default();
            filters.matches(|f| match f {
                "customer-gateway-configuration" => {
                    v.customer_gateway_configuration.iter().map(String::as_str).collect()
                }
                "customer-gateway-id" => v.customer_gateway_id.iter().map(String::as_str).collect(),
                "state" => v.state.iter().map(|s| s.as_str()).collect(),
                "option.static-routes-only" => vec![static_only.as_str()],
                "route.destination-cidr-block" => v
                    .routes
                    .iter()
                    .flatten()
                    .filter_map(|r| r.destination_cidr_block.as_deref())
                    .collect(),
                "bgp-asn" => vec![asn.as_str()],
                "type" => vec!["ipsec.1"],
                "vpn-connection-id" => v.vpn_connection_id.iter().map(String::as_str).collect(),
                "vpn-gateway-id" => v.vpn_gateway_id.iter().map(String::as_str).collect(),
                "transit-gateway-id" => Vec::new(),
                other => {
                    let id = v.vpn_connection_id.as_deref().unwrap_or_default();
                    state
                        .vpn_connections
                        .get(id)
                        .and_then(|c| filter::tag_values(&c.tags, other))
                        .unwrap_or_default()
                }
            })
        })
        .collect();
    Ok(DescribeVpnConnectionsResult {
        vpn_connections: Some(connections),
    })
}

/// A connection that is not (being) deleted.
fn live<'a>(state: &'a RegionState, id: &str) -> Result<&'a VpnConnectionRec, ApiError> {
    state
        .vpn_connections
        .get(id)
        .filter(|c| c.deleted_ms.is_none())
        .ok_or_else(|| errors::vpn_not_found(id))
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteVpnConnectionRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, &input.vpn_connection_id)?.clone();
    c.deleted_ms = Some(Timestamp::now().millis());
    // The outside addresses go back to the fabric once the deletion is
    // durable; the record stays, described as `deleting` then `deleted`.
    let released: Vec<Ipv4Addr> = c.tunnels.iter().filter_map(|t| t.outside_ip.parse().ok()).collect();
    let mut tx = Tx::default();
    if let Some(a) = tgw_attachments::of_vpn(&state, &c.id) {
        tgw_attachments::detach(&state, a, Timestamp::now().millis(), &mut tx);
    }
    tx.put(Resource::VpnConnection(c));
    tx.commit(ec2.store(), &region, state).await?;
    ec2.fabric().release(released);
    Ok(())
}

/// Adds (`add`) or removes a static route of a connection.
pub async fn set_route(
    ec2: &Ec2,
    ctx: &RequestContext,
    vpn_connection_id: &str,
    destination: &str,
    add: bool,
) -> Result<(), ApiError> {
    let Some(block) = Ipv4Cidr::parse(destination) else {
        return Err(errors::invalid_value(
            destination,
            "destinationCidrBlock",
            "It must be an IPv4 CIDR block.",
        ));
    };
    let canonical = format!("{}/{}", block.network(), block.prefix());
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, vpn_connection_id)?.clone();
    if !c.static_routes_only {
        return Err(ApiError::client(
            "InvalidVpnConnection.InvalidType",
            format!("The VPN connection {vpn_connection_id} does not use static routing."),
        ));
    }
    let exists = c.routes.contains(&canonical);
    match (add, exists) {
        (true, true) => {
            return Err(ApiError::client(
                "RouteAlreadyExists",
                format!("The route {canonical} already exists for {vpn_connection_id}."),
            ));
        }
        (false, false) => {
            return Err(ApiError::client(
                "InvalidRoute.NotFound",
                format!("The route {canonical} does not exist for {vpn_connection_id}."),
            ));
        }
        (true, false) => c.routes.push(canonical),
        (false, true) => c.routes.retain(|r| *r != canonical),
    }
    let mut tx = Tx::default();
    tx.put(Resource::VpnConnection(c));
    tx.commit(ec2.store(), &region, state).await
}

/// Routes a virtual private gateway propagates into route tables: its
/// available connections' static routes and the prefixes their tunnels
/// learned over BGP.
pub fn propagated_routes(state: &RegionState, vpn_gateway_id: &str, at: &At) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for c in state
        .vpn_connections
        .values()
        .filter(|c| c.vpn_gateway_id.as_deref() == Some(vpn_gateway_id) && is_available(c, at))
    {
        out.extend(c.routes.iter().cloned());
        out.extend(
            tunnel_status::learned(&state.tunnels, c)
                .into_keys()
                .filter_map(tunnel_status::prefix_cidr)
                .map(|p| p.to_string()),
        );
    }
    out.into_iter().collect()
}

pub async fn device_types(
    input: GetVpnConnectionDeviceTypesRequest,
) -> Result<GetVpnConnectionDeviceTypesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    Ok(GetVpnConnectionDeviceTypesResult {
        vpn_connection_device_types: Some(
            device_configs::DEVICE_TYPES
                .iter()
                .map(|d| VpnConnectionDeviceType {
                    vpn_connection_device_type_id: Some(d.id.to_string()),
                    vendor: Some(d.vendor.to_string()),
                    platform: Some(d.platform.to_string()),
                    software: Some(d.software.to_string()),
                })
                .collect(),
        ),
        next_token: None,
    })
}

pub async fn sample_configuration(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: GetVpnConnectionDeviceSampleConfigurationRequest,
) -> Result<GetVpnConnectionDeviceSampleConfigurationResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let device = device_configs::device_type(&input.vpn_connection_device_type_id).ok_or_else(|| {
        errors::invalid_value(
            &input.vpn_connection_device_type_id,
            "VpnConnectionDeviceTypeId",
            "GetVpnConnectionDeviceTypes lists the device types.",
        )
    })?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let c = live(&state, &input.vpn_connection_id)?;
    let allowed = |v: &str| c.tunnels.iter().all(|t| t.ike_versions.iter().any(|x| x == v));
    let ike_version = match input.internet_key_exchange_version.as_deref() {
        None if allowed("ikev2") => "ikev2",
        None => "ikev1",
        Some(v @ ("ikev1" | "ikev2")) if allowed(v) => v,
        Some(v) => {
            return Err(errors::invalid_value(
                v,
                "InternetKeyExchangeVersion",
                "The connection's tunnels do not permit this IKE version.",
            ));
        }
    };
    let cgw = state
        .customer_gateways
        .get(&c.customer_gateway_id)
        .ok_or_else(|| errors::cgw_not_found(&c.customer_gateway_id))?;
    let amazon_asn = amazon_asn(c, &state).unwrap_or(64512);
    let text = device.render(&device_configs::Sample {
        connection: c,
        customer_ip: cgw.ip_address.as_deref().unwrap_or_default(),
        customer_asn: cgw.bgp_asn,
        amazon_asn,
        ike_version,
    });
    Ok(GetVpnConnectionDeviceSampleConfigurationResult {
        vpn_connection_device_sample_configuration: Some(text),
    })
}

/// The index of the tunnel whose outside address is `ip`.
fn tunnel_at(c: &VpnConnectionRec, ip: &str) -> Result<usize, ApiError> {
    c.tunnels.iter().position(|t| t.outside_ip == ip).ok_or_else(|| {
        errors::invalid_value(
            ip,
            "VpnTunnelOutsideIpAddress",
            &format!("It is not the outside address of a tunnel of {}.", c.id),
        )
    })
}

/// Commits a changed connection and answers with its description.
async fn save(
    ec2: &Ec2,
    region: &std::sync::Arc<crate::state::Region>,
    state: tokio::sync::RwLockWriteGuard<'_, RegionState>,
    c: VpnConnectionRec,
) -> Result<VpnConnection, ApiError> {
    let result = view(&c, &state, &ec2.at());
    let mut tx = Tx::default();
    tx.put(Resource::VpnConnection(c));
    tx.commit(ec2.store(), region, state).await?;
    Ok(result)
}

pub async fn modify_tunnel_options(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyVpnTunnelOptionsRequest,
) -> Result<ModifyVpnTunnelOptionsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, &input.vpn_connection_id)?.clone();
    let i = tunnel_at(&c, &input.vpn_tunnel_outside_ip_address)?;
    // The tunnel's own inside CIDR may be given again.
    let mut taken = c
        .vpn_gateway_id
        .as_deref()
        .map(|g| inside_cidrs_on(&state, g, &at))
        .unwrap_or_default();
    taken.remove(&c.tunnels[i].inside_cidr);
    let changed = tunnel_options::apply(c.tunnels[i].clone(), input.tunnel_options.into(), &taken)?;
    // Changing options renegotiates the tunnel.
    c.tunnels[i] = TunnelRec {
        status_changed_ms: at.now_ms,
        ..changed
    };
    let result = save(ec2, &region, state, c).await?;
    Ok(ModifyVpnTunnelOptionsResult {
        vpn_connection: Some(result),
    })
}

pub async fn modify_options(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyVpnConnectionOptionsRequest,
) -> Result<ModifyVpnConnectionOptionsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, &input.vpn_connection_id)?.clone();
    if input.local_ipv6_network_cidr.is_some() || input.remote_ipv6_network_cidr.is_some() {
        return Err(errors::invalid(
            "IPv6 network CIDRs apply only to VPN connections with IPv6 tunnel inside addresses.",
        ));
    }
    if let Some(local) = input.local_ipv4_network_cidr {
        c.local_ipv4_network_cidr = network_cidr(Some(local), "LocalIpv4NetworkCidr")?;
    }
    if let Some(remote) = input.remote_ipv4_network_cidr {
        c.remote_ipv4_network_cidr = network_cidr(Some(remote), "RemoteIpv4NetworkCidr")?;
    }
    let result = save(ec2, &region, state, c).await?;
    Ok(ModifyVpnConnectionOptionsResult {
        vpn_connection: Some(result),
    })
}

/// Moves a connection to another virtual private gateway or customer
/// gateway; its tunnels keep their addresses and options, and go down
/// while they renegotiate.
pub async fn modify_connection(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifyVpnConnectionRequest,
) -> Result<ModifyVpnConnectionResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    if input.vpn_gateway_id.is_some() && input.transit_gateway_id.is_some() {
        return Err(errors::combination(
            "Specify either a virtual private gateway or a transit gateway, not both.",
        ));
    }
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, &input.vpn_connection_id)?.clone();
    if let Some(cgw) = input.customer_gateway_id {
        let g = state
            .customer_gateways
            .get(&cgw)
            .filter(|g| !g.deleted)
            .ok_or_else(|| errors::cgw_not_found(&cgw))?;
        if g.ip_address.is_none() {
            return Err(errors::invalid(
                "Certificate-based customer gateways are not supported yet: give the customer gateway an IP address.",
            ));
        }
        c.customer_gateway_id = cgw;
    }
    let mut tx = Tx::default();
    let target = input.vpn_gateway_id.clone().or(input.transit_gateway_id.clone());
    if let Some(gateway) = target {
        let tgw = match &input.transit_gateway_id {
            Some(id) => Some(crate::transit_gateways::live_tgw(&state, id)?.clone()),
            None => {
                crate::vpn_gateways::live_vpn_gateway(&state, &gateway)?;
                None
            }
        };
        let taken = inside_cidrs_on(&state, &gateway, &at);
        let moving = c.vpn_gateway_id.as_deref() != Some(gateway.as_str())
            && c.transit_gateway_id.as_deref() != Some(gateway.as_str());
        if moving && let Some(clash) = c.tunnels.iter().find(|t| taken.contains(&t.inside_cidr)) {
            return Err(errors::invalid(format!(
                "The tunnel inside CIDR {} is already in use by another VPN tunnel on {gateway}.",
                clash.inside_cidr
            )));
        }
        if moving {
            // The old transit gateway attachment ends; a new one begins.
            if let Some(old) = tgw_attachments::of_vpn(&state, &c.id) {
                tgw_attachments::detach(&state, old, at.now_ms, &mut tx);
            }
            if let Some(tgw) = &tgw {
                stage_attachment(&state, tgw, &c.id, &ctx.account_id, at.now_ms, &mut tx);
            }
            c.vpn_gateway_id = input.vpn_gateway_id;
            c.transit_gateway_id = input.transit_gateway_id;
        }
    }
    for t in &mut c.tunnels {
        t.status_changed_ms = at.now_ms;
    }
    let result = view(&c, &state, &at);
    tx.put(Resource::VpnConnection(c));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(ModifyVpnConnectionResult {
        vpn_connection: Some(result),
    })
}

/// The security configuration a tunnel negotiated: nothing is negotiated
/// until a data plane brings the tunnel up.
pub async fn active_tunnel_status(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: GetActiveVpnTunnelStatusRequest,
) -> Result<GetActiveVpnTunnelStatusResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let c = live(&state, &input.vpn_connection_id)?;
    tunnel_at(c, &input.vpn_tunnel_outside_ip_address)?;
    Ok(GetActiveVpnTunnelStatusResult {
        active_vpn_tunnel_status: Some(ActiveVpnTunnelStatus {
            provisioning_status: Some(VpnTunnelProvisioningStatus::Available),
            ..Default::default()
        }),
    })
}

/// Replaces a tunnel's endpoint, as AWS does for maintenance: same address
/// and options, the tunnel goes down and must be negotiated again.
pub async fn replace_tunnel(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ReplaceVpnTunnelRequest,
) -> Result<ReplaceVpnTunnelResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut c = live(&state, &input.vpn_connection_id)?.clone();
    let i = tunnel_at(&c, &input.vpn_tunnel_outside_ip_address)?;
    c.tunnels[i].status_changed_ms = Timestamp::now().millis();
    let mut tx = Tx::default();
    tx.put(Resource::VpnConnection(c));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(ReplaceVpnTunnelResult { r#return: Some(true) })
}
