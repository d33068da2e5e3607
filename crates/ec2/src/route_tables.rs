//! Route tables, their routes and their associations.

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::errors;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::paging;
use crate::state::{RegionState, Tx};
use crate::views;
use crate::{Ec2, tags};

fn table<'a>(state: &'a RegionState, id: &str) -> Result<&'a RouteTableRec, ApiError> {
    state
        .route_tables
        .get(id)
        .ok_or_else(|| errors::route_table_not_found(id))
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateRouteTableRequest,
) -> Result<CreateRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "route-table")?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let vpc = state
        .vpcs
        .get(&input.vpc_id)
        .ok_or_else(|| errors::vpc_not_found(&input.vpc_id))?;
    // Every table of a VPC routes the VPC's own blocks locally.
    let routes = vpc
        .cidrs
        .iter()
        .chain(vpc.ipv6.iter())
        .map(|c| RouteRec {
            destination: c.cidr.clone(),
            target: Target::Local,
            origin: Origin::CreateRouteTable,
        })
        .collect();
    let t = RouteTableRec {
        id: new_id("rtb"),
        vpc_id: vpc.id.clone(),
        routes,
        associations: Vec::new(),
        propagating_vgws: Vec::new(),
        tags,
    };
    let view = views::route_table(&t, &state, &ctx.account_id, &ec2.at());
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateRouteTableResult {
        route_table: Some(view),
        client_token: input.client_token,
    })
}

const TABLE_FILTERS: &[&str] = &[
    "association.gateway-id",
    "association.route-table-association-id",
    "association.route-table-id",
    "association.subnet-id",
    "association.main",
    "owner-id",
    "route-table-id",
    "route.destination-cidr-block",
    "route.destination-ipv6-cidr-block",
    "route.gateway-id",
    "route.instance-id",
    "route.nat-gateway-id",
    "route.network-interface-id",
    "route.transit-gateway-id",
    "route.vpc-peering-connection-id",
    "route.origin",
    "route.state",
    "vpc-id",
];

fn table_values<'a>(
    t: &'a RouteTableRec,
    name: &str,
    view: &'a std::cell::OnceCell<RouteTable>,
    state: &RegionState,
    account: &'a str,
    at: &At,
) -> Vec<&'a str> {
    let route_field = |get: fn(&Route) -> Option<&str>| {
        let view = view.get_or_init(|| views::route_table(t, state, account, at));
        view.routes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(get)
            .collect::<Vec<&str>>()
    };
    match name {
        "association.gateway-id" => t.associations.iter().filter_map(|a| a.gateway_id.as_deref()).collect(),
        "association.route-table-association-id" => t.associations.iter().map(|a| a.id.as_str()).collect(),
        "association.route-table-id" => t.associations.iter().map(|_| t.id.as_str()).collect(),
        "association.subnet-id" => t.associations.iter().filter_map(|a| a.subnet_id.as_deref()).collect(),
        "association.main" => {
            // A table with no associations matches neither true nor false.
            t.associations.iter().map(|a| filter::bool_str(a.main)).collect()
        }
        "owner-id" => vec![account],
        "route-table-id" => vec![t.id.as_str()],
        "route.destination-cidr-block" => route_field(|r| r.destination_cidr_block.as_deref()),
        "route.destination-ipv6-cidr-block" => route_field(|r| r.destination_ipv6_cidr_block.as_deref()),
        "route.gateway-id" => route_field(|r| r.gateway_id.as_deref()),
        "route.instance-id" => route_field(|r| r.instance_id.as_deref()),
        "route.nat-gateway-id" => route_field(|r| r.nat_gateway_id.as_deref()),
        "route.network-interface-id" => route_field(|r| r.network_interface_id.as_deref()),
        "route.transit-gateway-id" => route_field(|r| r.transit_gateway_id.as_deref()),
        "route.vpc-peering-connection-id" => route_field(|r| r.vpc_peering_connection_id.as_deref()),
        "route.origin" => route_field(|r| r.origin.map(RouteOrigin::as_str)),
        "route.state" => route_field(|r| r.state.map(RouteState::as_str)),
        "vpc-id" => vec![t.vpc_id.as_str()],
        other => filter::tag_values(&t.tags, other).unwrap_or_default(),
    }
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeRouteTablesRequest,
) -> Result<DescribeRouteTablesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(TABLE_FILTERS))?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.route_table_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.route_tables.contains_key(*id)) {
        return Err(errors::route_table_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let at = ec2.at();
    let matching: Vec<(String, RouteTable)> =
        filter::select(&state.route_tables, &ids, filters.candidates(&state.index, true))
            .into_iter()
            .filter_map(|t| {
                // The full view is built once, and only when a route filter needs it
                // or the table is kept.
                let view = std::cell::OnceCell::new();
                let keep = filters.matches(|f| table_values(t, f, &view, &state, account, &at));
                keep.then(|| {
                    let view = view
                        .into_inner()
                        .unwrap_or_else(|| views::route_table(t, &state, account, &at));
                    (t.id.clone(), view)
                })
            })
            .collect();
    let (route_tables, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeRouteTablesResult {
        route_tables: Some(route_tables),
        next_token,
    })
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteRouteTableRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let t = table(&state, &input.route_table_id)?;
    if !t.associations.is_empty() {
        return Err(errors::dependency("routeTable", &t.id));
    }
    let mut tx = Tx::default();
    tx.delete("route-table", &input.route_table_id);
    tx.commit(ec2.store(), &region, state).await
}

/// The destination and target of a CreateRoute or ReplaceRoute call.
struct RouteSpec {
    destination: String,
    target: Target,
}

/// What CreateRoute and ReplaceRoute say about a route: both requests carry
/// the same members, so `route_args!` reads either.
struct RouteArgs {
    dest_v4: Option<String>,
    dest_v6: Option<String>,
    prefix_list: Option<String>,
    gateway: Option<String>,
    transit_gateway: Option<String>,
    nat_gateway: Option<String>,
    network_interface: Option<String>,
    vpc_peering: Option<String>,
    instance: Option<String>,
    /// Targets of services Landbridge does not have, and whether each was given.
    unsupported: [(&'static str, bool); 6],
}

macro_rules! route_args {
    ($input:expr) => {
        RouteArgs {
            dest_v4: $input.destination_cidr_block,
            dest_v6: $input.destination_ipv6_cidr_block,
            prefix_list: $input.destination_prefix_list_id,
            gateway: $input.gateway_id,
            transit_gateway: $input.transit_gateway_id,
            nat_gateway: $input.nat_gateway_id,
            network_interface: $input.network_interface_id,
            vpc_peering: $input.vpc_peering_connection_id,
            instance: $input.instance_id,
            unsupported: [
                ("VPC endpoint", $input.vpc_endpoint_id.is_some()),
                ("local gateway", $input.local_gateway_id.is_some()),
                ("carrier gateway", $input.carrier_gateway_id.is_some()),
                ("core network", $input.core_network_arn.is_some()),
                (
                    "egress-only internet gateway",
                    $input.egress_only_internet_gateway_id.is_some(),
                ),
                ("ODB network", $input.odb_network_arn.is_some()),
            ],
        }
    };
}

fn route_spec(state: &RegionState, table: &RouteTableRec, args: RouteArgs) -> Result<RouteSpec, ApiError> {
    let RouteArgs {
        dest_v4,
        dest_v6,
        prefix_list,
        gateway,
        transit_gateway,
        nat_gateway,
        network_interface,
        vpc_peering,
        instance,
        unsupported,
    } = args;
    if prefix_list.is_some() {
        return Err(errors::invalid(
            "Prefix-list routes are not supported by Landbridge yet",
        ));
    }
    let destination = match (dest_v4, dest_v6) {
        (Some(d), None) => Ipv4Cidr::parse(&d)
            .map(|c| c.to_string())
            .ok_or_else(|| errors::invalid_value(&d, "destinationCidrBlock", "This is not a valid CIDR block."))?,
        (None, Some(d)) => Ipv6Cidr::parse(&d)
            .map(|c| c.to_string())
            .ok_or_else(|| errors::invalid_value(&d, "destinationIpv6CidrBlock", "This is not a valid CIDR block."))?,
        (None, None) => return Err(errors::missing("destinationCidrBlock")),
        (Some(_), Some(_)) => {
            return Err(errors::combination(
                "Only one of destinationCidrBlock and destinationIpv6CidrBlock may be given",
            ));
        }
    };
    if let Some((name, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(errors::invalid(format!(
            "Routes to a {name} are not supported by Landbridge yet"
        )));
    }
    let targets = [
        gateway.map(|g| {
            if g == "local" {
                Target::Local
            } else {
                Target::Gateway(g)
            }
        }),
        transit_gateway.map(Target::TransitGateway),
        nat_gateway.map(Target::NatGateway),
        network_interface.map(Target::NetworkInterface),
        vpc_peering.map(Target::VpcPeeringConnection),
        instance.map(Target::Instance),
    ];
    let mut given = targets.into_iter().flatten();
    let (Some(target), None) = (given.next(), given.next()) else {
        return Err(errors::combination(
            "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, transitGatewayId, vpcPeeringConnectionId or instanceId",
        ));
    };
    match &target {
        Target::Gateway(id) if id.starts_with("igw-") => {
            let g = state
                .internet_gateways
                .get(id)
                .ok_or_else(|| errors::igw_not_found(id))?;
            if g.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
                return Err(errors::invalid(format!(
                    "route table {} and network gateway {id} belong to different networks",
                    table.id
                )));
            }
        }
        Target::Gateway(id) if id.starts_with("vgw-") => {
            let g = state
                .vpn_gateways
                .get(id)
                .filter(|g| !g.deleted)
                .ok_or_else(|| errors::not_found("InvalidGatewayID.NotFound", "gateway", id))?;
            if g.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
                return Err(errors::invalid(format!(
                    "route table {} and network gateway {id} belong to different networks",
                    table.id
                )));
            }
        }
        Target::Gateway(id) => {
            return Err(errors::not_found("InvalidGatewayID.NotFound", "gateway", id));
        }
        Target::TransitGateway(id) => {
            crate::transit_gateways::live_tgw(state, id)?;
        }
        Target::NetworkInterface(id) => {
            let e = state
                .network_interfaces
                .get(id)
                .ok_or_else(|| errors::eni_not_found(id))?;
            if e.vpc_id != table.vpc_id {
                return Err(errors::invalid(format!(
                    "route table {} and interface {id} belong to different networks",
                    table.id
                )));
            }
        }
        _ => {}
    }
    Ok(RouteSpec { destination, target })
}

pub async fn create_route(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateRouteRequest,
) -> Result<CreateRouteResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = table(&state, &input.route_table_id)?.clone();
    let spec = route_spec(&state, &t, route_args!(input))?;
    if spec.target == Target::Local {
        return Err(errors::invalid("Local routes are created by AWS, not by CreateRoute"));
    }
    if t.routes.iter().any(|r| r.destination == spec.destination) {
        return Err(ApiError::client(
            "RouteAlreadyExists",
            format!("The route identified by {} already exists.", spec.destination),
        ));
    }
    t.routes.push(RouteRec {
        destination: spec.destination,
        target: spec.target,
        origin: Origin::CreateRoute,
    });
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateRouteResult { r#return: Some(true) })
}

pub async fn replace_route(ec2: &Ec2, ctx: &RequestContext, input: ReplaceRouteRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = table(&state, &input.route_table_id)?.clone();
    let spec = route_spec(&state, &t, route_args!(input))?;
    let Some(route) = t.routes.iter_mut().find(|r| r.destination == spec.destination) else {
        return Err(ApiError::client(
            "InvalidRoute.NotFound",
            format!(
                "There is no route defined for '{}' in the route table. Use CreateRoute instead.",
                spec.destination
            ),
        ));
    };
    if route.target == Target::Local || spec.target == Target::Local {
        return Err(errors::invalid(format!(
            "cannot replace local route {} in route table {}",
            spec.destination, t.id
        )));
    }
    route.target = spec.target;
    route.origin = Origin::CreateRoute;
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await
}

pub async fn delete_route(ec2: &Ec2, ctx: &RequestContext, input: DeleteRouteRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let (field, dest) = match (input.destination_cidr_block, input.destination_ipv6_cidr_block) {
        (Some(d), _) => (
            "destination-cidr-block",
            Ipv4Cidr::parse(&d).map_or(d, |c| c.to_string()),
        ),
        (None, Some(d)) => (
            "destination-ipv6-cidr-block",
            Ipv6Cidr::parse(&d).map_or(d, |c| c.to_string()),
        ),
        (None, None) => return Err(errors::missing("destinationCidrBlock")),
    };
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = table(&state, &input.route_table_id)?.clone();
    let Some(pos) = t.routes.iter().position(|r| r.destination == dest) else {
        return Err(ApiError::client(
            "InvalidRoute.NotFound",
            format!("no route with {field} {dest} in route table {}", t.id),
        ));
    };
    if t.routes[pos].target == Target::Local {
        return Err(errors::invalid(format!(
            "cannot remove local route {dest} in route table {}",
            t.id
        )));
    }
    t.routes.remove(pos);
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await
}

fn conflict(table_id: &str) -> ApiError {
    ApiError::client(
        "Resource.AlreadyAssociated",
        format!("the specified association for route table {table_id} conflicts with an existing association"),
    )
}

pub async fn associate(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: AssociateRouteTableRequest,
) -> Result<AssociateRouteTableResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut t = table(&state, &input.route_table_id)?.clone();
    let assoc = match (input.subnet_id, input.gateway_id) {
        (Some(subnet_id), None) => {
            let s = state
                .subnets
                .get(&subnet_id)
                .ok_or_else(|| errors::subnet_not_found(&subnet_id))?;
            if s.vpc_id != t.vpc_id {
                return Err(errors::invalid(format!(
                    "Route table {} and subnet {subnet_id} belong to different networks",
                    t.id
                )));
            }
            // A subnet has at most one explicit association.
            let taken = state.route_tables.values().any(|o| {
                o.associations
                    .iter()
                    .any(|a| a.subnet_id.as_deref() == Some(subnet_id.as_str()))
            });
            if taken {
                return Err(conflict(&t.id));
            }
            AssociationRec {
                id: new_id("rtbassoc"),
                main: false,
                subnet_id: Some(subnet_id),
                gateway_id: None,
            }
        }
        (None, Some(gateway_id)) => {
            let g = state
                .internet_gateways
                .get(&gateway_id)
                .ok_or_else(|| errors::igw_not_found(&gateway_id))?;
            if g.attached_vpc.as_deref() != Some(t.vpc_id.as_str()) {
                return Err(errors::invalid(format!(
                    "route table {} and network gateway {gateway_id} belong to different networks",
                    t.id
                )));
            }
            let taken = state.route_tables.values().any(|o| {
                o.associations
                    .iter()
                    .any(|a| a.gateway_id.as_deref() == Some(gateway_id.as_str()))
            });
            if taken {
                return Err(conflict(&t.id));
            }
            AssociationRec {
                id: new_id("rtbassoc"),
                main: false,
                subnet_id: None,
                gateway_id: Some(gateway_id),
            }
        }
        (None, None) => return Err(errors::missing("subnetId")),
        (Some(_), Some(_)) => return Err(errors::combination("Give either subnetId or gatewayId, not both")),
    };
    let id = assoc.id.clone();
    t.associations.push(assoc);
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(AssociateRouteTableResult {
        association_id: Some(id),
        association_state: Some(views::association_state()),
    })
}

fn find_association(state: &RegionState, id: &str) -> Result<(RouteTableRec, AssociationRec), ApiError> {
    state
        .route_tables
        .values()
        .find_map(|t| {
            t.associations
                .iter()
                .find(|a| a.id == id)
                .map(|a| (t.clone(), a.clone()))
        })
        .ok_or_else(|| errors::association_not_found(id))
}

pub async fn disassociate(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DisassociateRouteTableRequest,
) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let (mut t, a) = find_association(&state, &input.association_id)?;
    if a.main {
        return Err(errors::invalid(format!(
            "cannot disassociate the main route table association {}",
            a.id
        )));
    }
    t.associations.retain(|x| x.id != a.id);
    let mut tx = Tx::default();
    tx.put(Resource::RouteTable(t));
    tx.commit(ec2.store(), &region, state).await
}

pub async fn replace_association(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ReplaceRouteTableAssociationRequest,
) -> Result<ReplaceRouteTableAssociationResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let (mut old, a) = find_association(&state, &input.association_id)?;
    let mut new = table(&state, &input.route_table_id)?.clone();
    if new.vpc_id != old.vpc_id {
        return Err(errors::invalid(format!(
            "Route table {} belongs to a different network",
            new.id
        )));
    }
    let fresh = AssociationRec {
        id: new_id("rtbassoc"),
        ..a.clone()
    };
    let mut tx = Tx::default();
    if old.id == new.id {
        new.associations.retain(|x| x.id != a.id);
    } else {
        old.associations.retain(|x| x.id != a.id);
        tx.put(Resource::RouteTable(old));
    }
    if a.main {
        // The VPC remembers its main table for DeleteVpc.
        if let Some(v) = state.vpcs.get(&new.vpc_id) {
            let mut v = v.clone();
            v.main_route_table = new.id.clone();
            tx.put(Resource::Vpc(v));
        }
    }
    let id = fresh.id.clone();
    new.associations.push(fresh);
    tx.put(Resource::RouteTable(new));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(ReplaceRouteTableAssociationResult {
        new_association_id: Some(id),
        association_state: Some(views::association_state()),
    })
}
