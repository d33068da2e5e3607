//! The routes of a transit gateway route table, computed from its static
//! routes and the attachments propagating into it (never stored, so they
//! cannot go stale), with AWS's route evaluation order; and the calls that
//! change static routes or search the table.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError};

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};

use crate::cidr::Ipv4Cidr;
use crate::filter::Filters;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{RegionState, Tx};
use crate::transit_gateways::{live_attachment, live_route_table};
use crate::tunnel_status::{self, Learned, Prefix, prefix_key};
use crate::{Ec2, errors, tgw_attachments, vpn_connections};

/// Computed routes by route table id, with the region generation they were
/// computed at.
pub type RouteCache = HashMap<String, (u64, Arc<TableRoutes>)>;

/// One route as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRoute {
    pub destination: Ipv4Cidr,
    pub propagated: bool,
    /// Attachments the route sends traffic to: none for a blackhole, several
    /// for equal-cost VPN routes.
    pub attachments: Vec<String>,
    pub active: bool,
}

/// A usable attachment propagating a prefix, with what orders it.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    rank: u8,
    /// What orders BGP routes of the same rank (zero for others).
    learned: Learned,
    created_ms: i64,
    id: String,
    kind: AttachmentKind,
}

impl Candidate {
    fn order(&self) -> (u8, Learned, i64, &str) {
        (self.rank, self.learned, self.created_ms, &self.id)
    }
}

/// A table's routes, and what they were chosen from, so that one
/// propagation change updates only its own prefixes.
#[derive(Debug, Clone, Default)]
pub struct TableRoutes {
    routes: BTreeMap<Prefix, TableRoute>,
    /// Prefixes with a static route (which always wins).
    statics: BTreeMap<Prefix, TableRoute>,
    /// Propagated candidates by prefix, best first.
    candidates: HashMap<Prefix, Vec<Candidate>>,
    ecmp: bool,
}

impl TableRoutes {
    pub fn all(&self) -> impl Iterator<Item = &TableRoute> {
        self.routes.values()
    }

    /// Re-chooses the route to one prefix: the static route, else the best
    /// candidate (with every equal-cost VPN candidate when ECMP is on).
    fn choose(&mut self, key: Prefix, destination: Ipv4Cidr) {
        if let Some(r) = self.statics.get(&key) {
            self.routes.insert(key, r.clone());
            return;
        }
        let Some(list) = self.candidates.get(&key).filter(|l| !l.is_empty()) else {
            self.routes.remove(&key);
            return;
        };
        let best = &list[0];
        let attachments = if best.kind == AttachmentKind::Vpn && self.ecmp {
            list.iter()
                .filter(|c| c.kind == AttachmentKind::Vpn && (c.rank, c.learned) == (best.rank, best.learned))
                .map(|c| c.id.clone())
                .collect()
        } else {
            vec![best.id.clone()]
        };
        self.routes.insert(
            key,
            TableRoute {
                destination,
                propagated: true,
                attachments,
                active: true,
            },
        );
    }

    fn add_candidate(&mut self, destination: Ipv4Cidr, c: Candidate) {
        let key = prefix_key(destination);
        let list = self.candidates.entry(key).or_default();
        list.retain(|x| x.id != c.id);
        let at = list.partition_point(|x| x.order() < c.order());
        list.insert(at, c);
        self.choose(key, destination);
    }

    fn remove_candidate(&mut self, destination: Ipv4Cidr, id: &str) {
        let key = prefix_key(destination);
        if let Some(list) = self.candidates.get_mut(&key) {
            list.retain(|x| x.id != id);
            if list.is_empty() {
                self.candidates.remove(&key);
            }
        }
        self.choose(key, destination);
    }
}

/// AWS's order among propagated routes to the same prefix: VPC, then
/// (Direct Connect gateway, Connect,) VPN static, VPN BGP (by AS path
/// length, then MED), then peering.
fn propagation_rank(kind: AttachmentKind, learned: Option<Learned>) -> u8 {
    match (kind, learned) {
        (AttachmentKind::Vpc, _) => 0,
        (AttachmentKind::Vpn, None) => 3,
        (AttachmentKind::Vpn, Some(_)) => 4,
        (AttachmentKind::Peering, _) => 5,
    }
}

fn candidate(a: &TgwAttachmentRec, learned: Option<Learned>) -> Candidate {
    Candidate {
        rank: propagation_rank(a.kind, learned),
        learned: learned.unwrap_or(Learned { as_path_len: 0, med: 0 }),
        created_ms: a.created_ms,
        id: a.id.clone(),
        kind: a.kind,
    }
}

/// The prefixes an attachment propagates: a VPC's IPv4 CIDR blocks; a VPN
/// connection's static routes and the prefixes its tunnels learned over
/// BGP (with their path), while it is available.
fn propagated_prefixes(
    state: &RegionState,
    a: &TgwAttachmentRec,
    at: &At,
    settled: &mut bool,
) -> Vec<(Ipv4Cidr, Option<Learned>)> {
    match a.kind {
        AttachmentKind::Vpc => state
            .vpcs
            .get(&a.resource_id)
            .map(|v| {
                v.cidrs
                    .iter()
                    .filter_map(|c| Ipv4Cidr::parse(&c.cidr))
                    .map(|c| (c, None))
                    .collect()
            })
            .unwrap_or_default(),
        AttachmentKind::Vpn => {
            let Some(c) = state.vpn_connections.get(&a.resource_id).filter(|c| {
                let st = vpn_connections::state_of(c, at);
                if st != VpnState::Available && st != VpnState::Deleted {
                    *settled = false;
                }
                st == VpnState::Available
            }) else {
                return Vec::new();
            };
            let statics: Vec<Ipv4Cidr> = c.routes.iter().filter_map(|r| Ipv4Cidr::parse(r)).collect();
            let learned = tunnel_status::learned(&state.tunnels, c)
                .into_iter()
                .filter_map(|(p, l)| Some((tunnel_status::prefix_cidr(p)?, Some(l))))
                // A static route to the same prefix wins within the connection.
                .filter(|(p, _)| !statics.contains(p));
            statics.iter().map(|p| (*p, None)).chain(learned).collect()
        }
        // Peerings carry static routes only.
        AttachmentKind::Peering => Vec::new(),
    }
}

/// Every route of `t`, by destination: a static route wins over propagated
/// ones to the same prefix; among propagated ones the attachment type's
/// rank, then the earliest attachment; VPN routes share the prefix (ECMP)
/// when the gateway supports it.
///
/// The answer is cached per table until any change is applied to the
/// region (`RegionState::generation`), unless it depended on a resource in
/// a passing state (pending, deleting), whose state moves with time alone;
/// a propagation change updates the cached answer in place
/// (`after_propagation`).
pub fn routes(state: &RegionState, t: &TgwRouteTableRec, at: &At) -> Arc<TableRoutes> {
    if let Some(hit) = cached(state, &t.id) {
        return hit;
    }
    let mut settled = true;
    let computed = Arc::new(compute(state, t, at, &mut settled));
    if settled {
        state
            .tgw_route_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(t.id.clone(), (state.generation, computed.clone()));
    }
    computed
}

fn cached(state: &RegionState, table: &str) -> Option<Arc<TableRoutes>> {
    state
        .tgw_route_cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(table)
        .filter(|(generation, _)| *generation == state.generation)
        .map(|(_, routes)| routes.clone())
}

/// The table's routes once attachment `a` starts (`on`) or stops
/// propagating into it, from the cached ones; `None` when there is nothing
/// current to start from or `a`'s state is still passing. The caller stores
/// it under the generation its one-change commit produces.
pub fn after_propagation(
    state: &RegionState,
    t: &TgwRouteTableRec,
    a: &TgwAttachmentRec,
    on: bool,
    at: &At,
) -> Option<TableRoutes> {
    // Taken out of the cache, the routes are usually not shared any more
    // and change in place instead of being copied.
    let current = {
        let mut cache = state.tgw_route_cache.lock().unwrap_or_else(PoisonError::into_inner);
        match cache.remove(&t.id) {
            Some((generation, routes)) if generation == state.generation => routes,
            _ => return None,
        }
    };
    let mut settled = true;
    let usable = usable(a, at, &mut settled);
    let prefixes = if usable {
        propagated_prefixes(state, a, at, &mut settled)
    } else {
        Vec::new()
    };
    if !settled {
        return None;
    }
    let mut next = Arc::try_unwrap(current).unwrap_or_else(|shared| (*shared).clone());
    for (p, learned) in prefixes {
        if on {
            next.add_candidate(p, candidate(a, learned));
        } else {
            next.remove_candidate(p, &a.id);
        }
    }
    Some(next)
}

/// Stores routes computed by `after_propagation` under `generation`.
pub fn remember(state: &RegionState, table: &str, generation: u64, routes: TableRoutes) {
    state
        .tgw_route_cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(table.to_string(), (generation, Arc::new(routes)));
}

/// Whether `a` carries traffic, noting in `settled` when its state could
/// still change with time alone.
fn usable(a: &TgwAttachmentRec, at: &At, settled: &mut bool) -> bool {
    let st = tgw_attachments::state_name(a, at);
    // These change only with a request, which moves the generation.
    if !matches!(st, "available" | "deleted" | "pendingAcceptance" | "rejected") {
        *settled = false;
    }
    st == "available"
}

fn compute(state: &RegionState, t: &TgwRouteTableRec, at: &At, settled: &mut bool) -> TableRoutes {
    let mut out = TableRoutes {
        ecmp: state
            .transit_gateways
            .get(&t.transit_gateway_id)
            .is_some_and(|g| g.vpn_ecmp_support),
        ..Default::default()
    };
    for r in RegionState::of_table(&state.tgw_routes, &t.id) {
        let Some(destination) = Ipv4Cidr::parse(&r.destination) else {
            continue;
        };
        let target = r.attachment_id.as_ref().and_then(|id| state.tgw_attachments.get(id));
        let active = target.is_some_and(|a| usable(a, at, settled));
        out.statics.insert(
            prefix_key(destination),
            TableRoute {
                destination,
                propagated: false,
                attachments: r.attachment_id.iter().cloned().collect(),
                active,
            },
        );
    }
    let mut destinations: HashMap<Prefix, Ipv4Cidr> = HashMap::new();
    for p in RegionState::of_table(&state.tgw_propagations, &t.id) {
        let Some(a) = state.tgw_attachments.get(&p.attachment_id) else {
            continue;
        };
        if !usable(a, at, settled) {
            continue;
        }
        for (c, learned) in propagated_prefixes(state, a, at, settled) {
            destinations.insert(prefix_key(c), c);
            out.candidates
                .entry(prefix_key(c))
                .or_default()
                .push(candidate(a, learned));
        }
    }
    for list in out.candidates.values_mut() {
        list.sort_by(|x, y| x.order().cmp(&y.order()));
    }
    let statics: Vec<(Prefix, Ipv4Cidr)> = out.statics.iter().map(|(k, r)| (*k, r.destination)).collect();
    for (key, destination) in statics.into_iter().chain(destinations) {
        out.choose(key, destination);
    }
    out
}

pub fn route_view(state: &RegionState, r: &TableRoute) -> TransitGatewayRoute {
    TransitGatewayRoute {
        destination_cidr_block: Some(format!("{}/{}", r.destination.network(), r.destination.prefix())),
        transit_gateway_attachments: (!r.attachments.is_empty()).then(|| {
            r.attachments
                .iter()
                .map(|id| {
                    let a = state.tgw_attachments.get(id);
                    TransitGatewayRouteAttachment {
                        resource_id: a.map(|a| a.resource_id.clone()),
                        transit_gateway_attachment_id: Some(id.clone()),
                        resource_type: a.and_then(|a| TransitGatewayAttachmentResourceType::parse(a.kind.as_str())),
                    }
                })
                .collect()
        }),
        r#type: Some(if r.propagated {
            TransitGatewayRouteType::Propagated
        } else {
            TransitGatewayRouteType::Static
        }),
        state: Some(if r.active {
            TransitGatewayRouteState::Active
        } else {
            TransitGatewayRouteState::Blackhole
        }),
        ..Default::default()
    }
}

fn destination(text: &str) -> Result<Ipv4Cidr, ApiError> {
    Ipv4Cidr::parse(text)
        .ok_or_else(|| errors::invalid_value(text, "DestinationCidrBlock", "It must be an IPv4 CIDR block."))
}

/// The static route a Create/ReplaceTransitGatewayRoute asks for.
fn static_route(
    state: &RegionState,
    t: &TgwRouteTableRec,
    cidr: Ipv4Cidr,
    attachment: Option<String>,
    blackhole: Option<bool>,
) -> Result<TgwRouteRec, ApiError> {
    let attachment_id = match (attachment, blackhole.unwrap_or(false)) {
        (Some(_), true) => {
            return Err(errors::combination(
                "Specify either a transit gateway attachment or a blackhole, not both.",
            ));
        }
        (None, false) => return Err(errors::missing("TransitGatewayAttachmentId")),
        (Some(id), false) => {
            let a = live_attachment(state, &id)?;
            if a.transit_gateway_id != t.transit_gateway_id {
                return Err(errors::invalid(format!(
                    "{id} is not an attachment of {}.",
                    t.transit_gateway_id
                )));
            }
            Some(id)
        }
        (None, true) => None,
    };
    let destination = format!("{}/{}", cidr.network(), cidr.prefix());
    Ok(TgwRouteRec {
        id: table_child_id(&t.id, &destination),
        route_table_id: t.id.clone(),
        destination,
        attachment_id,
    })
}

/// Creates (`replace` false) or replaces a static route; answers with the
/// route as the table now shows it.
pub async fn put_route(
    ec2: &Ec2,
    ctx: &RequestContext,
    table_id: &str,
    cidr_text: &str,
    attachment: Option<String>,
    blackhole: Option<bool>,
    replace: bool,
) -> Result<TransitGatewayRoute, ApiError> {
    let cidr = destination(cidr_text)?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let t = live_route_table(&state, table_id)?;
    let route = static_route(&state, t, cidr, attachment, blackhole)?;
    let existing = state.tgw_routes.contains_key(&route.id);
    match (existing, replace) {
        (true, false) => {
            return Err(ApiError::client(
                "RouteAlreadyExists",
                format!(
                    "Route {} already exists in Transit Gateway Route Table {table_id}.",
                    route.destination
                ),
            ));
        }
        (false, true) => {
            return Err(ApiError::client(
                "InvalidRoute.NotFound",
                format!(
                    "No route with destination-cidr-block {} in {table_id}.",
                    route.destination
                ),
            ));
        }
        _ => {}
    }
    let active = route
        .attachment_id
        .as_ref()
        .and_then(|id| state.tgw_attachments.get(id))
        .is_some_and(|a| a.deleted_ms.is_none() && tgw_attachments::is_available(a, &at));
    let shown = route_view(
        &state,
        &TableRoute {
            destination: cidr,
            propagated: false,
            attachments: route.attachment_id.iter().cloned().collect(),
            active,
        },
    );
    let mut tx = Tx::default();
    tx.put(Resource::TgwRoute(route));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(shown)
}

pub async fn delete_route(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteTransitGatewayRouteRequest,
) -> Result<DeleteTransitGatewayRouteResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let cidr = destination(&input.destination_cidr_block)?;
    let canonical = format!("{}/{}", cidr.network(), cidr.prefix());
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let t = live_route_table(&state, &input.transit_gateway_route_table_id)?;
    let id = table_child_id(&t.id, &canonical);
    let Some(route) = state.tgw_routes.get(&id) else {
        return Err(ApiError::client(
            "InvalidRoute.NotFound",
            format!("No route with destination-cidr-block {canonical} in {}.", t.id),
        ));
    };
    let mut shown = route_view(
        &state,
        &TableRoute {
            destination: cidr,
            propagated: false,
            attachments: route.attachment_id.iter().cloned().collect(),
            active: false,
        },
    );
    shown.state = Some(TransitGatewayRouteState::Deleted);
    let mut tx = Tx::default();
    tx.delete("transit-gateway-route", &id);
    tx.commit(ec2.store(), &region, state).await?;
    Ok(DeleteTransitGatewayRouteResult { route: Some(shown) })
}

/// SearchTransitGatewayRoutes' route-search filters, which compare blocks
/// rather than match text.
enum Search {
    Exact(Ipv4Cidr),
    LongestPrefix(Ipv4Cidr),
    SubnetOf(Ipv4Cidr),
    SupernetOf(Ipv4Cidr),
}

const SEARCH_FILTERS: &[&str] = &[
    "attachment.transit-gateway-attachment-id",
    "attachment.resource-id",
    "attachment.resource-type",
    "prefix-list-id",
    "state",
    "type",
];

pub async fn search(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: SearchTransitGatewayRoutesRequest,
) -> Result<SearchTransitGatewayRoutesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    if input.filters.is_empty() {
        return Err(errors::missing("Filters"));
    }
    let mut searches: Vec<Vec<Search>> = Vec::new();
    let mut plain = Vec::new();
    for f in input.filters {
        let name = f.name.clone().unwrap_or_default();
        let make: Option<fn(Ipv4Cidr) -> Search> = match name.as_str() {
            "route-search.exact-match" => Some(Search::Exact),
            "route-search.longest-prefix-match" => Some(Search::LongestPrefix),
            "route-search.subnet-of-match" => Some(Search::SubnetOf),
            "route-search.supernet-of-match" => Some(Search::SupernetOf),
            _ => None,
        };
        match make {
            Some(make) => searches.push(
                f.values
                    .unwrap_or_default()
                    .iter()
                    .map(|v| destination(v).map(make))
                    .collect::<Result<_, _>>()?,
            ),
            None => plain.push(f),
        }
    }
    let filters = Filters::new(Some(plain), SEARCH_FILTERS)?;
    let max = input.max_results.unwrap_or(1000).clamp(5, 1000) as usize;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let t = live_route_table(&state, &input.transit_gateway_route_table_id)?;
    let table_routes = routes(&state, t, &at);
    let all: Vec<&TableRoute> = table_routes.all().collect();
    // For a longest-prefix search, the most specific route covering the
    // block, found once.
    let best: Vec<Vec<Option<Ipv4Cidr>>> = searches
        .iter()
        .map(|any_of| {
            any_of
                .iter()
                .map(|s| match s {
                    Search::LongestPrefix(c) => all
                        .iter()
                        .filter(|x| x.destination.contains(*c))
                        .max_by_key(|x| x.destination.prefix())
                        .map(|x| x.destination),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let found: Vec<&TableRoute> = all
        .iter()
        .copied()
        .filter(|r| {
            searches.iter().zip(&best).all(|(any_of, best)| {
                any_of.iter().zip(best).any(|(s, best)| match s {
                    Search::Exact(c) => r.destination == *c,
                    Search::SubnetOf(c) => c.contains(r.destination),
                    Search::SupernetOf(c) => r.destination.contains(*c),
                    Search::LongestPrefix(_) => *best == Some(r.destination),
                })
            })
        })
        .filter(|r| {
            let ids: Vec<&str> = r.attachments.iter().map(String::as_str).collect();
            let resources: Vec<&str> = r
                .attachments
                .iter()
                .filter_map(|id| state.tgw_attachments.get(id))
                .map(|a| a.resource_id.as_str())
                .collect();
            let kinds: Vec<&str> = r
                .attachments
                .iter()
                .filter_map(|id| state.tgw_attachments.get(id))
                .map(|a| a.kind.as_str())
                .collect();
            let st = if r.active { "active" } else { "blackhole" };
            let kind = if r.propagated { "propagated" } else { "static" };
            filters.matches(|f| match f {
                "attachment.transit-gateway-attachment-id" => ids.clone(),
                "attachment.resource-id" => resources.clone(),
                "attachment.resource-type" => kinds.clone(),
                "state" => vec![st],
                "type" => vec![kind],
                _ => Vec::new(),
            })
        })
        .collect();
    let more = found.len() > max;
    Ok(SearchTransitGatewayRoutesResult {
        routes: Some(found.into_iter().take(max).map(|r| route_view(&state, r)).collect()),
        additional_routes_available: Some(more),
        next_token: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Ipv4Cidr {
        Ipv4Cidr::parse(s).unwrap()
    }

    fn cand(id: &str, kind: AttachmentKind, created_ms: i64) -> Candidate {
        learned(id, kind, created_ms, None)
    }

    fn learned(id: &str, kind: AttachmentKind, created_ms: i64, path: Option<(u32, u32)>) -> Candidate {
        let learned = path.map(|(as_path_len, med)| Learned { as_path_len, med });
        Candidate {
            rank: propagation_rank(kind, learned),
            learned: learned.unwrap_or(Learned { as_path_len: 0, med: 0 }),
            created_ms,
            id: id.to_string(),
            kind,
        }
    }

    fn shown(t: &TableRoutes) -> Vec<(String, bool, Vec<String>)> {
        t.all()
            .map(|r| {
                (
                    format!("{}/{}", r.destination.network(), r.destination.prefix()),
                    r.propagated,
                    r.attachments.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn one_propagation_change_rechooses_only_its_prefix() {
        let mut t = TableRoutes {
            ecmp: true,
            ..Default::default()
        };
        let p = cidr("10.0.0.0/16");
        t.add_candidate(p, cand("vpn-b", AttachmentKind::Vpn, 2));
        t.add_candidate(p, cand("vpn-a", AttachmentKind::Vpn, 1));
        // Equal-cost VPN routes share the prefix, earliest first.
        assert_eq!(
            shown(&t),
            [("10.0.0.0/16".into(), true, vec!["vpn-a".into(), "vpn-b".into()])]
        );
        // A VPC propagating the same prefix wins over VPN.
        t.add_candidate(p, cand("vpc", AttachmentKind::Vpc, 9));
        assert_eq!(shown(&t), [("10.0.0.0/16".into(), true, vec!["vpc".into()])]);
        t.remove_candidate(p, "vpc");
        t.remove_candidate(p, "vpn-a");
        assert_eq!(shown(&t), [("10.0.0.0/16".into(), true, vec!["vpn-b".into()])]);
        t.remove_candidate(p, "vpn-b");
        assert!(shown(&t).is_empty());
    }

    #[test]
    fn vpn_static_beats_bgp_then_shorter_as_path_then_lower_med() {
        let mut t = TableRoutes {
            ecmp: true,
            ..Default::default()
        };
        let p = cidr("172.16.0.0/12");
        t.add_candidate(p, learned("vpn-long", AttachmentKind::Vpn, 1, Some((3, 0))));
        t.add_candidate(p, learned("vpn-med", AttachmentKind::Vpn, 2, Some((1, 50))));
        t.add_candidate(p, learned("vpn-best", AttachmentKind::Vpn, 3, Some((1, 10))));
        // Equal cost means equal AS path and MED: no ECMP with worse paths.
        assert_eq!(shown(&t)[0].2, vec!["vpn-best".to_string()]);
        t.add_candidate(p, learned("vpn-twin", AttachmentKind::Vpn, 4, Some((1, 10))));
        assert_eq!(shown(&t)[0].2, vec!["vpn-best".to_string(), "vpn-twin".into()]);
        t.add_candidate(p, learned("vpn-static", AttachmentKind::Vpn, 9, None));
        assert_eq!(shown(&t)[0].2, vec!["vpn-static".to_string()]);
        // A new path from the same attachment replaces its old one.
        t.remove_candidate(p, "vpn-static");
        t.add_candidate(p, learned("vpn-best", AttachmentKind::Vpn, 3, Some((2, 10))));
        assert_eq!(shown(&t)[0].2, vec!["vpn-twin".to_string()]);
    }

    #[test]
    fn a_static_route_hides_propagated_ones() {
        let p = cidr("10.1.0.0/16");
        let mut t = TableRoutes::default();
        t.statics.insert(
            prefix_key(p),
            TableRoute {
                destination: p,
                propagated: false,
                attachments: Vec::new(),
                active: false,
            },
        );
        t.add_candidate(p, cand("vpc", AttachmentKind::Vpc, 1));
        assert_eq!(shown(&t), [("10.1.0.0/16".into(), false, vec![])]);
        t.remove_candidate(p, "vpc");
        assert_eq!(shown(&t), [("10.1.0.0/16".into(), false, vec![])]);
    }
}
