//! Which BGP sessions the stored state asks for, and what each advertises.

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;

use landbridge_bgp::IpNet;

use crate::cidr::Ipv4Cidr;
use crate::gateway_config::inside_addresses;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{Region, RegionState};
use crate::{tgw_attachments, tgw_routes};

/// What a tunnel's session is; a change restarts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub vpn_connection_id: String,
    pub outside_ip: Ipv4Addr,
    pub local_asn: u32,
    pub peer_asn: u32,
    /// AWS's inside address: the router id and the next hop advertised.
    pub aws_inside: Ipv4Addr,
    pub provisioned_ms: i64,
}

pub struct Desired {
    pub spec: Spec,
    pub region: Arc<Region>,
    pub advertise: BTreeSet<IpNet>,
}

/// Adds a session for each tunnel of each VPN connection of `state` that
/// routes dynamically and is not deleted, by outside address.
pub fn collect(state: &RegionState, region: &Arc<Region>, at: &At, out: &mut HashMap<Ipv4Addr, Desired>) {
    for c in state.vpn_connections.values() {
        if c.static_routes_only || c.deleted_ms.is_some() {
            continue;
        }
        let Some(peer_asn) = state.customer_gateways.get(&c.customer_gateway_id).map(|g| g.bgp_asn) else {
            continue;
        };
        let (local_asn, advertise) =
            if let Some(vgw) = c.vpn_gateway_id.as_ref().and_then(|id| state.vpn_gateways.get(id)) {
                (vgw.amazon_side_asn, vgw_prefixes(state, vgw))
            } else if let Some(tgw) = c
                .transit_gateway_id
                .as_ref()
                .and_then(|id| state.transit_gateways.get(id))
            {
                (tgw.amazon_side_asn, tgw_prefixes(state, c, at))
            } else {
                continue;
            };
        let Ok(local_asn) = u32::try_from(local_asn) else {
            continue;
        };
        for t in &c.tunnels {
            let (Ok(outside_ip), Some(aws_inside)) = (
                t.outside_ip.parse::<Ipv4Addr>(),
                inside_addresses(t).and_then(|(aws, _)| aws.parse().ok()),
            ) else {
                continue;
            };
            out.insert(
                outside_ip,
                Desired {
                    spec: Spec {
                        vpn_connection_id: c.id.clone(),
                        outside_ip,
                        local_asn,
                        peer_asn,
                        aws_inside,
                        provisioned_ms: t.status_changed_ms,
                    },
                    region: region.clone(),
                    advertise: advertise.clone(),
                },
            );
        }
    }
}

/// A virtual private gateway advertises the CIDR blocks of the VPC it is
/// attached to.
fn vgw_prefixes(state: &RegionState, vgw: &VpnGatewayRec) -> BTreeSet<IpNet> {
    vgw.attached_vpc
        .as_ref()
        .and_then(|id| state.vpcs.get(id))
        .map(|v| {
            v.cidrs
                .iter()
                .filter_map(|c| Ipv4Cidr::parse(&c.cidr))
                .map(to_net)
                .collect()
        })
        .unwrap_or_default()
}

/// A transit gateway advertises the routes of the route table the VPN
/// attachment is associated with, except blackholes and the routes that
/// lead back into this same attachment.
fn tgw_prefixes(state: &RegionState, c: &VpnConnectionRec, at: &At) -> BTreeSet<IpNet> {
    let Some(a) = tgw_attachments::of_vpn(state, &c.id) else {
        return BTreeSet::new();
    };
    let Some(table) = a.association.as_ref().and_then(|t| state.tgw_route_tables.get(t)) else {
        return BTreeSet::new();
    };
    tgw_routes::routes(state, table, at)
        .all()
        .filter(|r| r.active && !r.attachments.is_empty() && r.attachments.iter().any(|x| *x != a.id))
        .map(|r| to_net(r.destination))
        .collect()
}

fn to_net(c: Ipv4Cidr) -> IpNet {
    IpNet::V4(ipnet::Ipv4Net::new(c.network(), c.prefix()).unwrap_or_default())
}
