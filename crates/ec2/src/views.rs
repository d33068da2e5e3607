//! Records as the API reports them. Everything derived — route states,
//! free addresses, default rules — is computed here from current state.

use landbridge_api::ec2::*;

use crate::cidr::{self, Ipv4Cidr};
use crate::lifecycles::{self, At};
use crate::model::*;
use crate::state::RegionState;

pub fn tags(tags: &Tags) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect(),
    )
}

fn cidr_state(a: &CidrAssoc, at: &At) -> Option<VpcCidrBlockState> {
    Some(VpcCidrBlockState {
        state: VpcCidrBlockStateCode::parse(at.state(lifecycles::CIDR_ASSOCIATION, a.created_ms)),
        status_message: None,
    })
}

pub fn vpc(v: &VpcRec, account: &str, region: &str, at: &At) -> Vpc {
    Vpc {
        owner_id: Some(account.to_string()),
        instance_tenancy: Tenancy::parse(&v.instance_tenancy),
        ipv6_cidr_block_association_set: (!v.ipv6.is_empty()).then(|| {
            v.ipv6
                .iter()
                .map(|a| VpcIpv6CidrBlockAssociation {
                    association_id: Some(a.id.clone()),
                    ipv6_cidr_block: Some(a.cidr.clone()),
                    ipv6_cidr_block_state: cidr_state(a, at),
                    network_border_group: Some(region.to_string()),
                    ipv6_pool: Some("Amazon".to_string()),
                    ..Default::default()
                })
                .collect()
        }),
        cidr_block_association_set: Some(
            v.cidrs
                .iter()
                .map(|a| VpcCidrBlockAssociation {
                    association_id: Some(a.id.clone()),
                    cidr_block: Some(a.cidr.clone()),
                    cidr_block_state: cidr_state(a, at),
                })
                .collect(),
        ),
        is_default: Some(v.is_default),
        tags: tags(&v.tags),
        vpc_id: Some(v.id.clone()),
        state: VpcState::parse(at.state(lifecycles::VPC, v.created_ms)),
        cidr_block: Some(v.primary_cidr().to_string()),
        dhcp_options_id: Some("default".to_string()),
        ..Default::default()
    }
}

/// Free addresses: the block less AWS's five reserved ones and the
/// addresses network interfaces hold.
pub fn available_ips(s: &SubnetRec, state: &RegionState) -> i32 {
    let total = Ipv4Cidr::parse(&s.cidr).map_or(0, cidr::subnet_usable_addresses);
    let used = state
        .network_interfaces
        .values()
        .filter(|e| e.subnet_id == s.id)
        .count() as u64;
    i32::try_from(total.saturating_sub(used)).unwrap_or(i32::MAX)
}

pub fn subnet(s: &SubnetRec, state: &RegionState, account: &str, region: &str, at: &At) -> Subnet {
    Subnet {
        availability_zone_id: Some(s.availability_zone_id.clone()),
        map_customer_owned_ip_on_launch: Some(false),
        owner_id: Some(account.to_string()),
        assign_ipv6_address_on_creation: Some(s.assign_ipv6_address_on_creation),
        ipv6_cidr_block_association_set: Some(
            s.ipv6
                .iter()
                .map(|a| SubnetIpv6CidrBlockAssociation {
                    association_id: Some(a.id.clone()),
                    ipv6_cidr_block: Some(a.cidr.clone()),
                    ipv6_cidr_block_state: Some(SubnetCidrBlockState {
                        state: Some(SubnetCidrBlockStateCode::Associated),
                        status_message: None,
                    }),
                    ..Default::default()
                })
                .collect(),
        ),
        tags: tags(&s.tags),
        subnet_arn: Some(format!("arn:aws:ec2:{region}:{account}:subnet/{}", s.id)),
        enable_dns64: Some(false),
        ipv6_native: Some(false),
        private_dns_name_options_on_launch: Some(PrivateDnsNameOptionsOnLaunch {
            hostname_type: Some(HostnameType::IpName),
            enable_resource_name_dns_a_record: Some(false),
            enable_resource_name_dns_aaaa_record: Some(false),
        }),
        subnet_id: Some(s.id.clone()),
        state: SubnetState::parse(at.state(lifecycles::SUBNET, s.created_ms)),
        vpc_id: Some(s.vpc_id.clone()),
        cidr_block: Some(s.cidr.clone()),
        available_ip_address_count: Some(available_ips(s, state)),
        availability_zone: Some(s.availability_zone.clone()),
        default_for_az: Some(s.default_for_az),
        map_public_ip_on_launch: Some(s.map_public_ip_on_launch),
        ..Default::default()
    }
}

/// A route is a blackhole when its target no longer exists (or an internet
/// gateway is no longer attached to the table's VPC).
pub fn route_state(r: &RouteRec, vpc_id: &str, state: &RegionState) -> RouteState {
    let alive = match &r.target {
        Target::Local => true,
        Target::Gateway(id) if id.starts_with("igw-") => state
            .internet_gateways
            .get(id)
            .is_some_and(|g| g.attached_vpc.as_deref() == Some(vpc_id)),
        Target::Gateway(id) if id.starts_with("vgw-") => state
            .vpn_gateways
            .get(id)
            .is_some_and(|g| !g.deleted && g.attached_vpc.as_deref() == Some(vpc_id)),
        Target::NetworkInterface(id) => state.network_interfaces.contains_key(id),
        // Traffic reaches a transit gateway through its attachment to the VPC.
        Target::TransitGateway(id) => state
            .tgw_attachments
            .values()
            .any(|a| a.transit_gateway_id == *id && a.resource_id == vpc_id && a.deleted_ms.is_none()),
        // Gateways of services that arrive later are taken as they are.
        _ => true,
    };
    if alive {
        RouteState::Active
    } else {
        RouteState::Blackhole
    }
}

pub fn route(r: &RouteRec, vpc_id: &str, state: &RegionState) -> Route {
    let mut out = Route {
        origin: Some(match r.origin {
            Origin::CreateRouteTable => RouteOrigin::CreateRouteTable,
            Origin::CreateRoute => RouteOrigin::CreateRoute,
            Origin::EnableVgwRoutePropagation => RouteOrigin::EnableVgwRoutePropagation,
        }),
        state: Some(route_state(r, vpc_id, state)),
        ..Default::default()
    };
    if r.is_ipv6() {
        out.destination_ipv6_cidr_block = Some(r.destination.clone());
    } else {
        out.destination_cidr_block = Some(r.destination.clone());
    }
    match &r.target {
        Target::Local => out.gateway_id = Some("local".to_string()),
        Target::Gateway(id) => out.gateway_id = Some(id.clone()),
        Target::TransitGateway(id) => out.transit_gateway_id = Some(id.clone()),
        Target::NatGateway(id) => out.nat_gateway_id = Some(id.clone()),
        Target::NetworkInterface(id) => out.network_interface_id = Some(id.clone()),
        Target::VpcPeeringConnection(id) => out.vpc_peering_connection_id = Some(id.clone()),
        Target::Instance(id) => out.instance_id = Some(id.clone()),
    }
    out
}

pub fn association_state() -> RouteTableAssociationState {
    RouteTableAssociationState {
        state: Some(RouteTableAssociationStateCode::Associated),
        status_message: None,
    }
}

/// The routes a table shows: its own, then those its propagating virtual
/// private gateways bring (a VPN connection's static routes while it is
/// available), unless the table already routes that destination itself.
pub(crate) fn routes_with_propagated(t: &RouteTableRec, state: &RegionState, at: &At) -> Vec<RouteRec> {
    let mut routes = t.routes.clone();
    // A VPN can bring thousands of prefixes: look destinations up, not scan.
    let mut taken: std::collections::HashSet<String> = routes.iter().map(|r| r.destination.clone()).collect();
    for vgw in &t.propagating_vgws {
        for destination in crate::vpn_connections::propagated_routes(state, vgw, at) {
            if !taken.insert(destination.clone()) {
                continue;
            }
            routes.push(RouteRec {
                destination,
                target: Target::Gateway(vgw.clone()),
                origin: Origin::EnableVgwRoutePropagation,
            });
        }
    }
    routes
}

pub fn route_table(t: &RouteTableRec, state: &RegionState, account: &str, at: &At) -> RouteTable {
    RouteTable {
        associations: Some(
            t.associations
                .iter()
                .map(|a| RouteTableAssociation {
                    main: Some(a.main),
                    route_table_association_id: Some(a.id.clone()),
                    route_table_id: Some(t.id.clone()),
                    subnet_id: a.subnet_id.clone(),
                    gateway_id: a.gateway_id.clone(),
                    association_state: Some(association_state()),
                    ..Default::default()
                })
                .collect(),
        ),
        propagating_vgws: Some(
            t.propagating_vgws
                .iter()
                .map(|g| PropagatingVgw {
                    gateway_id: Some(g.clone()),
                })
                .collect(),
        ),
        route_table_id: Some(t.id.clone()),
        routes: Some(
            routes_with_propagated(t, state, at)
                .iter()
                .map(|r| route(r, &t.vpc_id, state))
                .collect(),
        ),
        tags: tags(&t.tags),
        vpc_id: Some(t.vpc_id.clone()),
        owner_id: Some(account.to_string()),
    }
}

pub fn internet_gateway(g: &InternetGatewayRec, account: &str) -> InternetGateway {
    InternetGateway {
        attachments: Some(
            g.attached_vpc
                .iter()
                .map(|v| InternetGatewayAttachment {
                    state: Some(AttachmentStatus::Available),
                    vpc_id: Some(v.clone()),
                })
                .collect(),
        ),
        internet_gateway_id: Some(g.id.clone()),
        owner_id: Some(account.to_string()),
        tags: tags(&g.tags),
    }
}

pub fn network_interface(e: &NetworkInterfaceRec, state: &RegionState, account: &str) -> NetworkInterface {
    let groups = e
        .security_groups
        .iter()
        .map(|id| GroupIdentifier {
            group_id: Some(id.clone()),
            group_name: state.security_groups.get(id).map(|g| g.name.clone()),
        })
        .collect();
    let dns = private_dns_name(&e.private_ip, &e.availability_zone);
    NetworkInterface {
        availability_zone: Some(e.availability_zone.clone()),
        availability_zone_id: Some(e.availability_zone_id.clone()),
        description: Some(e.description.clone()),
        groups: Some(groups),
        interface_type: NetworkInterfaceType::parse(&e.interface_type),
        ipv6_addresses: Some(Vec::new()),
        mac_address: Some(e.mac_address.clone()),
        network_interface_id: Some(e.id.clone()),
        owner_id: Some(account.to_string()),
        private_dns_name: Some(dns.clone()),
        private_ip_address: Some(e.private_ip.clone()),
        private_ip_addresses: Some(vec![NetworkInterfacePrivateIpAddress {
            primary: Some(true),
            private_dns_name: Some(dns),
            private_ip_address: Some(e.private_ip.clone()),
            ..Default::default()
        }]),
        requester_managed: Some(false),
        source_dest_check: Some(e.source_dest_check),
        status: Some(NetworkInterfaceStatus::Available),
        subnet_id: Some(e.subnet_id.clone()),
        tag_set: tags(&e.tags),
        vpc_id: Some(e.vpc_id.clone()),
        ..Default::default()
    }
}

/// `ip-10-0-1-5.ec2.internal` in us-east-1, `ip-10-0-1-5.<region>.compute.internal` elsewhere.
fn private_dns_name(ip: &str, zone: &str) -> String {
    let region = zone.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let host = format!("ip-{}", ip.replace('.', "-"));
    if region == "us-east-1" {
        format!("{host}.ec2.internal")
    } else {
        format!("{host}.{region}.compute.internal")
    }
}

fn acl_entry(rule: i32, egress: bool, action: RuleAction) -> NetworkAclEntry {
    NetworkAclEntry {
        cidr_block: Some("0.0.0.0/0".to_string()),
        egress: Some(egress),
        protocol: Some("-1".to_string()),
        rule_action: Some(action),
        rule_number: Some(rule),
        ..Default::default()
    }
}

pub fn network_acl(a: &NetworkAclRec, state: &RegionState, account: &str) -> NetworkAcl {
    // A default ACL allows everything (rule 100) before the final deny.
    let mut entries = Vec::new();
    for egress in [true, false] {
        if a.is_default {
            entries.push(acl_entry(100, egress, RuleAction::Allow));
        }
        entries.push(acl_entry(32767, egress, RuleAction::Deny));
    }
    NetworkAcl {
        associations: Some(
            acl_subnets(a, state)
                .map(|s| NetworkAclAssociation {
                    network_acl_association_id: Some(s.network_acl.id.clone()),
                    network_acl_id: Some(a.id.clone()),
                    subnet_id: Some(s.id.clone()),
                })
                .collect(),
        ),
        entries: Some(entries),
        is_default: Some(a.is_default),
        network_acl_id: Some(a.id.clone()),
        tags: tags(&a.tags),
        vpc_id: Some(a.vpc_id.clone()),
        owner_id: Some(account.to_string()),
    }
}

pub fn security_group(g: &SecurityGroupRec, account: &str, region: &str) -> SecurityGroup {
    // The default group lets its members talk to each other and lets
    // everything out.
    let ingress = if g.name == "default" {
        vec![IpPermission {
            ip_protocol: Some("-1".to_string()),
            user_id_group_pairs: Some(vec![UserIdGroupPair {
                group_id: Some(g.id.clone()),
                user_id: Some(account.to_string()),
                ..Default::default()
            }]),
            ip_ranges: Some(Vec::new()),
            ipv6_ranges: Some(Vec::new()),
            prefix_list_ids: Some(Vec::new()),
            ..Default::default()
        }]
    } else {
        Vec::new()
    };
    let egress = vec![IpPermission {
        ip_protocol: Some("-1".to_string()),
        user_id_group_pairs: Some(Vec::new()),
        ip_ranges: Some(vec![IpRange {
            cidr_ip: Some("0.0.0.0/0".to_string()),
            description: None,
        }]),
        ipv6_ranges: Some(Vec::new()),
        prefix_list_ids: Some(Vec::new()),
        ..Default::default()
    }];
    SecurityGroup {
        group_id: Some(g.id.clone()),
        ip_permissions_egress: Some(egress),
        tags: tags(&g.tags),
        vpc_id: Some(g.vpc_id.clone()),
        security_group_arn: Some(format!("arn:aws:ec2:{region}:{account}:security-group/{}", g.id)),
        owner_id: Some(account.to_string()),
        group_name: Some(g.name.clone()),
        description: Some(g.description.clone()),
        ip_permissions: Some(ingress),
    }
}

/// The subnets associated with a network ACL.
pub fn acl_subnets<'a>(a: &'a NetworkAclRec, state: &'a RegionState) -> impl Iterator<Item = &'a SubnetRec> {
    state
        .subnets
        .values()
        .filter(move |s| s.network_acl.network_acl_id == a.id)
}
