//! Next hops: the route a packet to an address takes from a VPC route table
//! or a transit gateway route table, by AWS's evaluation order. Route tables
//! already hold their effective routes (a VPC table's own plus those its
//! virtual private gateways propagate, `views.rs`; a transit gateway table's
//! static and propagated routes, `tgw_routes.rs`); this module chooses among
//! them for one destination. The Reachability Analyzer walks paths with it.

use std::net::Ipv4Addr;

use crate::cidr::Ipv4Cidr;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::RegionState;
use crate::tgw_routes::{self, TableRoute};

/// AWS's order in a VPC route table: the local route wins whenever it
/// covers the destination, even over a more specific route; otherwise the
/// longest prefix; for one prefix, a route of the table itself before a
/// propagated one.
pub fn best_vpc_route(routes: &[RouteRec], dest: Ipv4Addr) -> Option<&RouteRec> {
    let covering = || {
        routes.iter().filter_map(move |r| {
            let block = Ipv4Cidr::parse(&r.destination)?;
            block.contains_addr(dest).then_some((r, block))
        })
    };
    if let Some((local, _)) = covering().find(|(r, _)| r.target == Target::Local) {
        return Some(local);
    }
    covering()
        .max_by_key(|(r, block)| (block.prefix(), r.origin != Origin::EnableVgwRoutePropagation))
        .map(|(r, _)| r)
}

/// The longest prefix covering `dest` among a transit gateway table's
/// routes (each prefix appears once: the table already chose among static
/// and propagated routes to it).
pub fn best_tgw_route<'a>(routes: impl Iterator<Item = &'a TableRoute>, dest: Ipv4Addr) -> Option<&'a TableRoute> {
    routes
        .filter(|r| r.destination.contains_addr(dest))
        .max_by_key(|r| r.destination.prefix())
}

/// The next hop for `dest` from VPC route table `t`.
pub fn vpc_next_hop(state: &RegionState, t: &RouteTableRec, dest: Ipv4Addr, at: &At) -> Option<RouteRec> {
    let routes = crate::views::routes_with_propagated(t, state, at);
    best_vpc_route(&routes, dest).cloned()
}

/// The next hop for `dest` from transit gateway route table `t`.
pub fn tgw_next_hop(state: &RegionState, t: &TgwRouteTableRec, dest: Ipv4Addr, at: &At) -> Option<TableRoute> {
    let routes = tgw_routes::routes(state, t, at);
    best_tgw_route(routes.all(), dest).cloned()
}

/// Where a packet to an address goes from a route table, as the control
/// API reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextHop {
    pub route_table_id: String,
    /// The chosen route's destination block.
    pub destination_cidr_block: String,
    /// The gateway, interface or transit gateway of a VPC route, or the
    /// attachments of a transit gateway route (several for ECMP, none for a
    /// blackhole).
    pub targets: Vec<String>,
    /// `local`, `static` or `propagated`.
    pub kind: &'static str,
    /// `active` or `blackhole`.
    pub state: &'static str,
}

impl crate::Ec2 {
    /// The next hop for `dest` from route table `table` (a VPC route table
    /// or a transit gateway route table) of `account` in `region`: `Ok(None)`
    /// when no route covers it, `Err` when there is no such table.
    pub async fn next_hop(
        &self,
        account: &str,
        region: &str,
        table: &str,
        dest: Ipv4Addr,
    ) -> Result<Option<NextHop>, String> {
        let at = self.at();
        let region = self.region_of(account, region).await.map_err(|e| e.message)?;
        let state = region.state.read().await;
        if let Some(t) = state.route_tables.get(table) {
            return Ok(vpc_next_hop(&state, t, dest, &at).map(|r| NextHop {
                route_table_id: t.id.clone(),
                destination_cidr_block: r.destination.clone(),
                kind: r.kind(),
                state: match crate::views::route_state(&r, &t.vpc_id, &state) {
                    landbridge_api::ec2::RouteState::Blackhole => "blackhole",
                    _ => "active",
                },
                targets: vec![r.target_id().to_string()],
            }));
        }
        let t = state
            .tgw_route_tables
            .get(table)
            .filter(|t| t.deleted_ms.is_none())
            .ok_or_else(|| format!("no route table {table} in {account} {}", region.region))?;
        Ok(tgw_next_hop(&state, t, dest, &at).map(|r| NextHop {
            route_table_id: t.id.clone(),
            destination_cidr_block: format!("{}/{}", r.destination.network(), r.destination.prefix()),
            targets: r.attachments.clone(),
            kind: if r.propagated { "propagated" } else { "static" },
            state: if r.active { "active" } else { "blackhole" },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(dest: &str, target: Target, origin: Origin) -> RouteRec {
        RouteRec {
            destination: dest.to_string(),
            target,
            origin,
        }
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn the_local_route_wins_even_over_a_more_specific_one() {
        let routes = [
            route("10.0.0.0/16", Target::Local, Origin::CreateRouteTable),
            route(
                "10.0.1.0/24",
                Target::Gateway("vgw-1".into()),
                Origin::EnableVgwRoutePropagation,
            ),
            route("0.0.0.0/0", Target::Gateway("igw-1".into()), Origin::CreateRoute),
        ];
        assert_eq!(
            best_vpc_route(&routes, ip("10.0.1.5")).map(|r| &r.target),
            Some(&Target::Local)
        );
        assert_eq!(
            best_vpc_route(&routes, ip("8.8.8.8")).map(|r| &r.target),
            Some(&Target::Gateway("igw-1".into()))
        );
    }

    #[test]
    fn longest_prefix_then_static_before_propagated() {
        let routes = [
            route("10.0.0.0/16", Target::Local, Origin::CreateRouteTable),
            route(
                "172.16.0.0/12",
                Target::TransitGateway("tgw-1".into()),
                Origin::CreateRoute,
            ),
            route(
                "172.16.5.0/24",
                Target::Gateway("vgw-1".into()),
                Origin::EnableVgwRoutePropagation,
            ),
            route(
                "192.168.0.0/16",
                Target::Gateway("vgw-1".into()),
                Origin::EnableVgwRoutePropagation,
            ),
            route(
                "192.168.0.0/16",
                Target::TransitGateway("tgw-1".into()),
                Origin::CreateRoute,
            ),
        ];
        assert_eq!(
            best_vpc_route(&routes, ip("172.16.5.9")).map(|r| &r.target),
            Some(&Target::Gateway("vgw-1".into()))
        );
        assert_eq!(
            best_vpc_route(&routes, ip("172.17.0.1")).map(|r| &r.target),
            Some(&Target::TransitGateway("tgw-1".into()))
        );
        assert_eq!(
            best_vpc_route(&routes, ip("192.168.3.3")).map(|r| &r.target),
            Some(&Target::TransitGateway("tgw-1".into()))
        );
        assert!(best_vpc_route(&routes, ip("100.64.0.1")).is_none());
    }

    #[test]
    fn transit_gateway_tables_take_the_longest_prefix() {
        let route = |c: &str, id: &str| TableRoute {
            destination: Ipv4Cidr::parse(c).unwrap(),
            propagated: false,
            attachments: vec![id.to_string()],
            active: true,
        };
        let routes = [
            route("10.0.0.0/8", "a"),
            route("10.1.0.0/16", "b"),
            route("0.0.0.0/0", "c"),
        ];
        let hop = |d| best_tgw_route(routes.iter(), ip(d)).map(|r| r.attachments[0].clone());
        assert_eq!(hop("10.1.2.3").as_deref(), Some("b"));
        assert_eq!(hop("10.2.2.3").as_deref(), Some("a"));
        assert_eq!(hop("9.9.9.9").as_deref(), Some("c"));
    }
}
