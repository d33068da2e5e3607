//! The Reachability Analyzer: network insights paths, and analyses that walk
//! the configuration hop by hop from a network interface (subnet route table
//! → internet, virtual private or transit gateway → transit gateway route
//! table → attachment → VPC or VPN connection), using `routing.rs` for each
//! choice. As in AWS it reads configuration only and sends no packets, so a
//! VPN tunnel's status does not matter, a connection's state does. Security
//! groups and network ACLs are not evaluated (Landbridge has only their
//! defaults).

use std::net::Ipv4Addr;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::cidr::Ipv4Cidr;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::routing::{tgw_next_hop, vpc_next_hop};
use crate::state::{RegionState, Tx};
use crate::{Ec2, errors, paging, tags, tgw_attachments, tunnel_status, vpn_connections};

/// Where a walk ended: found, or blocked with AWS's explanation code at a
/// component.
struct Walk {
    hops: Vec<HopRec>,
    blockers: Vec<BlockerRec>,
}

impl Walk {
    fn hop(&mut self, component: &str) {
        self.hops.push(HopRec {
            component: component.to_string(),
            route: None,
        });
    }

    fn routed(&mut self, component: &str, destination: &str, target: &str, origin: &str) {
        self.hops.push(HopRec {
            component: component.to_string(),
            route: Some((destination.to_string(), target.to_string(), origin.to_string())),
        });
    }

    fn block(mut self, code: &str, component: &str) -> Self {
        self.blockers.push(BlockerRec {
            code: code.to_string(),
            component: component.to_string(),
        });
        self
    }
}

/// What the destination of a path is.
struct Target<'a> {
    id: Option<&'a str>,
    ip: Ipv4Addr,
}

impl Target<'_> {
    fn is(&self, id: &str) -> bool {
        self.id == Some(id)
    }

    /// Reached by arriving at a VPC: the destination interface is in it, or
    /// there is no destination resource and the address is in its blocks.
    fn in_vpc(&self, state: &RegionState, vpc: &str) -> bool {
        match self.id {
            Some(id) => state.network_interfaces.get(id).is_some_and(|e| e.vpc_id == vpc),
            None => state.vpcs.get(vpc).is_some_and(|v| {
                v.cidrs
                    .iter()
                    .filter_map(|c| Ipv4Cidr::parse(&c.cidr))
                    .any(|c| c.contains_addr(self.ip))
            }),
        }
    }
}

fn subnet_route_table<'a>(state: &'a RegionState, subnet: &SubnetRec) -> Option<&'a RouteTableRec> {
    let explicit = state.route_tables.values().find(|t| {
        t.associations
            .iter()
            .any(|a| a.subnet_id.as_deref() == Some(subnet.id.as_str()))
    });
    explicit.or_else(|| {
        state
            .route_tables
            .values()
            .find(|t| t.vpc_id == subnet.vpc_id && t.is_main())
    })
}

/// Arriving at VPN connection `id`: reached when the connection is
/// available and is what the path asked for (or the path names no
/// resource).
fn at_vpn(mut w: Walk, state: &RegionState, id: &str, dest: &Target<'_>, at: &At, via: Option<&str>) -> Walk {
    let Some(c) = state.vpn_connections.get(id) else {
        return w.block("BAD_STATE_VPN", id);
    };
    w.hop(id);
    if !vpn_connections::is_available(c, at) {
        return w.block("BAD_STATE_VPN", id);
    }
    if dest.id.is_none() || dest.is(id) || via.is_some_and(|a| dest.is(a)) {
        w
    } else {
        w.block("CANNOT_ROUTE", id)
    }
}

fn through_transit_gateway(mut w: Walk, state: &RegionState, vpc: &str, tgw: &str, dest: &Target<'_>, at: &At) -> Walk {
    w.hop(tgw);
    let Some(attachment) = state
        .tgw_attachments
        .values()
        .find(|a| a.transit_gateway_id == tgw && a.resource_id == vpc && a.deleted_ms.is_none())
    else {
        return w.block("BAD_STATE_ATTACHMENT", tgw);
    };
    from_attachment(w, state, attachment, dest, at)
}

/// Traffic entering a transit gateway through `attachment`: its route
/// table, the route for the destination, and where that leads.
fn from_attachment(
    mut w: Walk,
    state: &RegionState,
    attachment: &TgwAttachmentRec,
    dest: &Target<'_>,
    at: &At,
) -> Walk {
    w.hop(&attachment.id);
    if !tgw_attachments::is_available(attachment, at) {
        return w.block("BAD_STATE_ATTACHMENT", &attachment.id);
    }
    let Some(table) = attachment
        .association
        .as_ref()
        .and_then(|t| state.tgw_route_tables.get(t))
        .filter(|t| t.deleted_ms.is_none())
    else {
        // An attachment with no route table has nowhere to send traffic.
        return w.block("BAD_STATE_ATTACHMENT", &attachment.id);
    };
    let Some(route) = tgw_next_hop(state, table, dest.ip, at) else {
        w.hop(&table.id);
        return w.block("NO_ROUTE_TO_DESTINATION", &table.id);
    };
    let destination = format!("{}/{}", route.destination.network(), route.destination.prefix());
    let egress = route.attachments.first().cloned().unwrap_or_default();
    w.routed(
        &table.id,
        &destination,
        &egress,
        if route.propagated { "propagated" } else { "static" },
    );
    if !route.active {
        return w.block("BAD_STATE_ROUTE", &table.id);
    }
    let Some(out) = state.tgw_attachments.get(&egress) else {
        return w.block("BAD_STATE_ROUTE", &table.id);
    };
    w.hop(&out.id);
    match out.kind {
        AttachmentKind::Vpc => arrive_in_vpc(w, state, &out.resource_id, dest),
        AttachmentKind::Vpn => at_vpn(w, state, &out.resource_id, dest, at, Some(&out.id)),
        // Peerings lead to another region's configuration, not walked here.
        AttachmentKind::Peering => w.block("CANNOT_ROUTE", &out.id),
    }
}

/// Traffic arriving in `vpc` from outside: reached when the destination is
/// in it.
fn arrive_in_vpc(mut w: Walk, state: &RegionState, vpc: &str, dest: &Target<'_>) -> Walk {
    w.hop(vpc);
    if dest.in_vpc(state, vpc) {
        if let Some(id) = dest.id {
            w.hop(id);
        }
        w
    } else {
        w.block("CANNOT_ROUTE", vpc)
    }
}

/// Walks from any supported source: a network interface, an internet or
/// virtual private gateway (into its VPC), a VPN connection (through its
/// gateway), or a transit gateway attachment (through its route table).
fn walk_from(state: &RegionState, source: &str, dest: &Target<'_>, at: &At) -> Walk {
    let mut w = Walk {
        hops: Vec::new(),
        blockers: Vec::new(),
    };
    if let Some(eni) = state.network_interfaces.get(source) {
        return walk(state, eni, dest, at);
    }
    if let Some(igw) = state.internet_gateways.get(source) {
        w.hop(source);
        return match &igw.attached_vpc {
            Some(vpc) => arrive_in_vpc(w, state, vpc, dest),
            None => w.block("BAD_STATE", source),
        };
    }
    if let Some(vgw) = state.vpn_gateways.get(source) {
        w.hop(source);
        return match vgw.attached_vpc.as_ref().filter(|_| !vgw.deleted) {
            Some(vpc) => arrive_in_vpc(w, state, vpc, dest),
            None => w.block("BAD_STATE", source),
        };
    }
    if let Some(c) = state.vpn_connections.get(source) {
        w.hop(source);
        if !vpn_connections::is_available(c, at) {
            return w.block("BAD_STATE_VPN", source);
        }
        if let Some(vgw) = c.vpn_gateway_id.as_ref().and_then(|g| state.vpn_gateways.get(g)) {
            w.hop(&vgw.id);
            return match vgw.attached_vpc.as_ref().filter(|_| !vgw.deleted) {
                Some(vpc) => arrive_in_vpc(w, state, vpc, dest),
                None => w.block("BAD_STATE", &vgw.id),
            };
        }
        return match tgw_attachments::of_vpn(state, &c.id) {
            Some(a) => from_attachment(w, state, a, dest, at),
            None => w.block("BAD_STATE_ATTACHMENT", source),
        };
    }
    match state.tgw_attachments.get(source).filter(|a| a.deleted_ms.is_none()) {
        Some(a) => from_attachment(w, state, a, dest, at),
        None => w.block("BAD_STATE", source),
    }
}

/// Walks from network interface `source` towards `dest`.
fn walk(state: &RegionState, source: &NetworkInterfaceRec, dest: &Target<'_>, at: &At) -> Walk {
    let mut w = Walk {
        hops: Vec::new(),
        blockers: Vec::new(),
    };
    w.hop(&source.id);
    let Some(table) = state
        .subnets
        .get(&source.subnet_id)
        .and_then(|s| subnet_route_table(state, s))
    else {
        return w.block("NO_ROUTE_TO_DESTINATION", &source.subnet_id);
    };
    let Some(route) = vpc_next_hop(state, table, dest.ip, at) else {
        w.hop(&table.id);
        return w.block("NO_ROUTE_TO_DESTINATION", &table.id);
    };
    w.routed(&table.id, &route.destination, route.target_id(), route.kind());
    if crate::views::route_state(&route, &table.vpc_id, state) == RouteState::Blackhole {
        return w.block("BAD_STATE_ROUTE", &table.id);
    }
    match &route.target {
        crate::model::Target::Local => {
            if dest.in_vpc(state, &table.vpc_id) {
                if let Some(id) = dest.id {
                    w.hop(id);
                }
                w
            } else {
                w.block("CANNOT_ROUTE", &table.id)
            }
        }
        crate::model::Target::Gateway(igw) if igw.starts_with("igw-") => {
            w.hop(igw);
            if dest.id.is_none() || dest.is(igw) {
                w
            } else {
                w.block("CANNOT_ROUTE", igw)
            }
        }
        crate::model::Target::Gateway(vgw) => {
            w.hop(vgw);
            if dest.is(vgw) {
                return w;
            }
            // The connection on this gateway whose static routes or BGP
            // routes cover the address, or the one the path names.
            let connection = state.vpn_connections.values().find(|c| {
                c.vpn_gateway_id.as_deref() == Some(vgw.as_str())
                    && c.deleted_ms.is_none()
                    && (dest.is(&c.id)
                        || dest.id.is_none()
                            && c.routes
                                .iter()
                                .filter_map(|r| Ipv4Cidr::parse(r))
                                .chain(
                                    tunnel_status::learned(&state.tunnels, c)
                                        .into_keys()
                                        .filter_map(tunnel_status::prefix_cidr),
                                )
                                .any(|r| r.contains_addr(dest.ip)))
            });
            match connection {
                Some(c) => at_vpn(w, state, &c.id.clone(), dest, at, None),
                None => w.block("CANNOT_ROUTE", vgw),
            }
        }
        crate::model::Target::TransitGateway(tgw) => through_transit_gateway(w, state, &table.vpc_id, tgw, dest, at),
        _ => w.block("CANNOT_ROUTE", &table.id),
    }
}

fn component(id: &str, region: &str, account: &str) -> AnalysisComponent {
    let kind = crate::ids::resource_type(id).unwrap_or("resource");
    AnalysisComponent {
        id: Some(id.to_string()),
        arn: Some(format!("arn:aws:ec2:{region}:{account}:{kind}/{id}")),
        name: None,
    }
}

fn path_view(p: &InsightsPathRec, region: &str, account: &str) -> NetworkInsightsPath {
    NetworkInsightsPath {
        network_insights_path_id: Some(p.id.clone()),
        network_insights_path_arn: Some(format!("arn:aws:ec2:{region}:{account}:network-insights-path/{}", p.id)),
        created_date: Some(Timestamp::from_millis(p.created_ms)),
        source: Some(p.source.clone()),
        destination: p.destination.clone(),
        source_arn: component(&p.source, region, account).arn,
        destination_arn: p.destination.as_ref().and_then(|d| component(d, region, account).arn),
        source_ip: p.source_ip.clone(),
        destination_ip: p.destination_ip.clone(),
        protocol: ProtocolShape::parse(&p.protocol),
        destination_port: p.destination_port,
        tags: crate::views::tags(&p.tags),
        ..Default::default()
    }
}

fn analysis_view(a: &InsightsAnalysisRec, region: &str, account: &str) -> NetworkInsightsAnalysis {
    let hops = a
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut c = PathComponent {
                sequence_number: Some(i as i32 + 1),
                component: Some(component(&h.component, region, account)),
                ..Default::default()
            };
            if let Some((destination, target, origin)) = &h.route {
                if h.component.starts_with("tgw-rtb-") {
                    c.transit_gateway_route_table_route = Some(TransitGatewayRouteTableRoute {
                        destination_cidr: Some(destination.clone()),
                        state: Some("active".to_string()),
                        route_origin: Some(origin.clone()),
                        attachment_id: (!target.is_empty()).then(|| target.clone()),
                        ..Default::default()
                    });
                } else {
                    let mut r = AnalysisRouteTableRoute {
                        destination_cidr: Some(destination.clone()),
                        origin: Some(origin.clone()),
                        state: Some("active".to_string()),
                        ..Default::default()
                    };
                    if target.starts_with("tgw-") {
                        r.transit_gateway_id = Some(target.clone());
                    } else {
                        r.gateway_id = Some(target.clone());
                    }
                    c.route_table_route = Some(r);
                }
            }
            c
        })
        .collect();
    NetworkInsightsAnalysis {
        network_insights_analysis_id: Some(a.id.clone()),
        network_insights_analysis_arn: Some(format!(
            "arn:aws:ec2:{region}:{account}:network-insights-analysis/{}",
            a.id
        )),
        network_insights_path_id: Some(a.path_id.clone()),
        start_date: Some(Timestamp::from_millis(a.started_ms)),
        status: Some(AnalysisStatus::Succeeded),
        network_path_found: Some(a.found),
        forward_path_components: Some(hops),
        explanations: (!a.blockers.is_empty()).then(|| {
            a.blockers
                .iter()
                .map(|b| Explanation {
                    explanation_code: Some(b.code.clone()),
                    component: Some(component(&b.component, region, account)),
                    ..Default::default()
                })
                .collect()
        }),
        tags: crate::views::tags(&a.tags),
        ..Default::default()
    }
}

pub async fn create_path(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateNetworkInsightsPathRequest,
) -> Result<CreateNetworkInsightsPathResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "network-insights-path")?;
    for (ip, name) in [(&input.source_ip, "SourceIp"), (&input.destination_ip, "DestinationIp")] {
        if let Some(ip) = ip
            && ip.parse::<Ipv4Addr>().is_err()
        {
            return Err(errors::invalid_value(ip, name, "It must be an IPv4 address."));
        }
    }
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let known = |id: &str| {
        state.network_interfaces.contains_key(id)
            || state.internet_gateways.contains_key(id)
            || state.vpn_gateways.contains_key(id)
            || state.vpn_connections.contains_key(id)
            || state.tgw_attachments.contains_key(id)
    };
    if !known(&input.source) {
        return Err(match crate::ids::resource_type(&input.source) {
            Some("network-interface") => errors::eni_not_found(&input.source),
            Some(_) => ApiError::client(
                "InvalidParameterValue",
                format!("The source {} does not exist", input.source),
            ),
            None => errors::invalid_value(
                &input.source,
                "Source",
                "Landbridge analyses paths from network interfaces, internet and virtual private gateways, VPN connections and transit gateway attachments.",
            ),
        });
    }
    if let Some(d) = &input.destination
        && state.resource(d).is_none()
        && !state.internet_gateways.contains_key(d)
        && !state.tgw_attachments.contains_key(d)
    {
        return Err(ApiError::client(
            "InvalidParameterValue",
            format!("The destination {d} does not exist"),
        ));
    }
    let destination_is_eni = input.destination.as_deref().is_some_and(|d| d.starts_with("eni-"));
    if input.destination_ip.is_none() && !destination_is_eni {
        return Err(errors::missing("DestinationIp"));
    }
    let p = InsightsPathRec {
        id: new_id("nip"),
        created_ms: Timestamp::now().millis(),
        source: input.source,
        destination: input.destination,
        source_ip: input.source_ip,
        destination_ip: input.destination_ip,
        protocol: input.protocol.as_str().to_string(),
        destination_port: input.destination_port,
        tags,
    };
    let result = path_view(&p, &ctx.region, &ctx.account_id);
    let mut tx = Tx::default();
    tx.put(Resource::InsightsPath(p));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateNetworkInsightsPathResult {
        network_insights_path: Some(result),
    })
}

pub async fn describe_paths(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeNetworkInsightsPathsRequest,
) -> Result<DescribeNetworkInsightsPathsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&["destination", "source", "protocol"]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.network_insights_path_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.insights_paths.contains_key(*id)) {
        return Err(errors::insights_path_not_found(missing));
    }
    let matching: Vec<(String, NetworkInsightsPath)> =
        filter::select(&state.insights_paths, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|p| {
                filters.matches(|f| match f {
                    "destination" => p.destination.iter().map(String::as_str).collect(),
                    "source" => vec![p.source.as_str()],
                    "protocol" => vec![p.protocol.as_str()],
                    other => filter::tag_values(&p.tags, other).unwrap_or_default(),
                })
            })
            .map(|p| (p.id.clone(), path_view(p, &ctx.region, &ctx.account_id)))
            .collect();
    let (paths, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeNetworkInsightsPathsResult {
        network_insights_paths: Some(paths),
        next_token,
    })
}

pub async fn delete_path(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteNetworkInsightsPathRequest,
) -> Result<DeleteNetworkInsightsPathResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let id = input.network_insights_path_id;
    if !state.insights_paths.contains_key(&id) {
        return Err(errors::insights_path_not_found(&id));
    }
    if state.insights_analyses.values().any(|a| a.path_id == id) {
        return Err(errors::dependency("network insights path", &id));
    }
    let mut tx = Tx::default();
    tx.delete("network-insights-path", &id);
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteNetworkInsightsPathResult {
        network_insights_path_id: Some(id),
    })
}

pub async fn start_analysis(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: StartNetworkInsightsAnalysisRequest,
) -> Result<StartNetworkInsightsAnalysisResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "network-insights-analysis")?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let p = state
        .insights_paths
        .get(&input.network_insights_path_id)
        .ok_or_else(|| errors::insights_path_not_found(&input.network_insights_path_id))?;
    let dest_ip = p
        .destination_ip
        .as_deref()
        .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        .or_else(|| {
            p.destination
                .as_ref()
                .and_then(|d| state.network_interfaces.get(d))
                .and_then(|e| e.private_ip.parse().ok())
        });
    let result = match dest_ip {
        Some(ip) => walk_from(
            &state,
            &p.source,
            &Target {
                id: p.destination.as_deref(),
                ip,
            },
            &at,
        ),
        None => Walk {
            hops: vec![HopRec {
                component: p.source.clone(),
                route: None,
            }],
            blockers: vec![BlockerRec {
                code: "BAD_STATE".to_string(),
                component: p.destination.clone().unwrap_or_default(),
            }],
        },
    };
    let a = InsightsAnalysisRec {
        id: new_id("nia"),
        path_id: p.id.clone(),
        started_ms: at.now_ms,
        found: result.blockers.is_empty(),
        hops: result.hops,
        blockers: result.blockers,
        tags,
    };
    let view = analysis_view(&a, &ctx.region, &ctx.account_id);
    let mut tx = Tx::default();
    tx.put(Resource::InsightsAnalysis(a));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(StartNetworkInsightsAnalysisResult {
        network_insights_analysis: Some(view),
    })
}

pub async fn describe_analyses(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeNetworkInsightsAnalysesRequest,
) -> Result<DescribeNetworkInsightsAnalysesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(&["path-found", "status"]))?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.network_insights_analysis_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.insights_analyses.contains_key(*id)) {
        return Err(errors::insights_analysis_not_found(missing));
    }
    let matching: Vec<(String, NetworkInsightsAnalysis)> =
        filter::select(&state.insights_analyses, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|a| input.network_insights_path_id.as_ref().is_none_or(|p| *p == a.path_id))
            .filter(|a| {
                filters.matches(|f| match f {
                    "path-found" => vec![filter::bool_str(a.found)],
                    "status" => vec!["succeeded"],
                    other => filter::tag_values(&a.tags, other).unwrap_or_default(),
                })
            })
            .map(|a| (a.id.clone(), analysis_view(a, &ctx.region, &ctx.account_id)))
            .collect();
    let (analyses, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeNetworkInsightsAnalysesResult {
        network_insights_analyses: Some(analyses),
        next_token,
    })
}

pub async fn delete_analysis(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteNetworkInsightsAnalysisRequest,
) -> Result<DeleteNetworkInsightsAnalysisResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let id = input.network_insights_analysis_id;
    if !state.insights_analyses.contains_key(&id) {
        return Err(errors::insights_analysis_not_found(&id));
    }
    let mut tx = Tx::default();
    tx.delete("network-insights-analysis", &id);
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteNetworkInsightsAnalysisResult {
        network_insights_analysis_id: Some(id),
    })
}
