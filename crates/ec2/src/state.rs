//! EC2 state per account and region, and how it changes.
//!
//! Reads take the region's read lock and look at memory. A change is staged
//! in a `Tx`, committed to the store, and only then applied to memory, all
//! under the region's write lock: what a reader sees is always durable, and
//! a failed commit changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use landbridge_api::ApiError;
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::{Notify, RwLock, RwLockWriteGuard};

use crate::cidr::Ipv4Cidr;
use crate::errors;
use crate::model::*;

pub const SERVICE: &str = "ec2";

/// The kinds of resource transit gateway routes are computed from.
const ROUTING_KINDS: &[&str] = &[
    "vpc",
    "vpn-connection",
    "transit-gateway",
    "transit-gateway-attachment",
    "transit-gateway-route-table",
    "transit-gateway-route",
    "transit-gateway-propagation",
];

#[derive(Debug, Default)]
pub struct RegionState {
    pub vpcs: BTreeMap<String, VpcRec>,
    pub subnets: BTreeMap<String, SubnetRec>,
    pub route_tables: BTreeMap<String, RouteTableRec>,
    pub internet_gateways: BTreeMap<String, InternetGatewayRec>,
    pub network_interfaces: BTreeMap<String, NetworkInterfaceRec>,
    pub network_acls: BTreeMap<String, NetworkAclRec>,
    pub security_groups: BTreeMap<String, SecurityGroupRec>,
    pub customer_gateways: BTreeMap<String, CustomerGatewayRec>,
    pub vpn_gateways: BTreeMap<String, VpnGatewayRec>,
    pub vpn_connections: BTreeMap<String, VpnConnectionRec>,
    pub transit_gateways: BTreeMap<String, TransitGatewayRec>,
    pub tgw_attachments: BTreeMap<String, TgwAttachmentRec>,
    pub tgw_route_tables: BTreeMap<String, TgwRouteTableRec>,
    /// Static routes and propagations by `<route table id>|...`.
    pub tgw_routes: BTreeMap<String, TgwRouteRec>,
    pub tgw_propagations: BTreeMap<String, TgwPropagationRec>,
    pub insights_paths: BTreeMap<String, InsightsPathRec>,
    pub insights_analyses: BTreeMap<String, InsightsAnalysisRec>,
    pub meta: MetaRec,
    /// Bumped by every applied change to a resource routes are computed
    /// from (`ROUTING_KINDS`): routes cached under an older generation are
    /// stale.
    pub generation: u64,
    /// Transit gateway route tables' computed routes, by table, with the
    /// generation they were computed at (see `tgw_routes::routes`).
    pub tgw_route_cache: std::sync::Mutex<crate::tgw_routes::RouteCache>,
    pub index: Index,
    /// What tunnels' data planes report (memory only). A change bumps
    /// `generation`: routes depend on it.
    pub tunnels: crate::tunnel_status::Tunnels,
}

/// Secondary indexes, so that Describe calls filtered by VPC or by an exact
/// tag look at the matching resources only, however many there are.
#[derive(Debug, Default)]
pub struct Index {
    by_vpc: HashMap<String, BTreeSet<String>>,
    by_tag: HashMap<(String, String), BTreeSet<String>>,
    /// Each VPC's subnet blocks as `first address -> last address`: subnets
    /// never overlap, so one range lookup answers "does this block overlap
    /// a subnet?" however many subnets the VPC has.
    subnet_blocks: HashMap<String, BTreeMap<u32, u32>>,
}

static EMPTY: BTreeSet<String> = BTreeSet::new();

fn bounds(block: Ipv4Cidr) -> (u32, u32) {
    (u32::from(block.network()), u32::from(block.last()))
}

impl Index {
    /// Resources (subnets, route tables, interfaces, ACLs, security groups)
    /// that belong to `vpc_id`.
    pub fn in_vpc(&self, vpc_id: &str) -> &BTreeSet<String> {
        self.by_vpc.get(vpc_id).unwrap_or(&EMPTY)
    }

    /// Resources tagged `key` = `value`.
    pub fn tagged(&self, key: &str, value: &str) -> &BTreeSet<String> {
        self.by_tag.get(&(key.to_string(), value.to_string())).unwrap_or(&EMPTY)
    }

    /// Whether `block` overlaps a subnet of `vpc_id`.
    pub fn overlaps_subnet(&self, vpc_id: &str, block: Ipv4Cidr) -> bool {
        let (first, last) = bounds(block);
        self.subnet_blocks
            .get(vpc_id)
            .and_then(|m| m.range(..=last).next_back())
            .is_some_and(|(_, end)| *end >= first)
    }

    fn add(&mut self, r: &Resource) {
        let id = r.id().to_string();
        if let Resource::Subnet(s) = r
            && let Some(block) = Ipv4Cidr::parse(&s.cidr)
        {
            let (first, last) = bounds(block);
            self.subnet_blocks
                .entry(s.vpc_id.clone())
                .or_default()
                .insert(first, last);
        }
        if let Some(vpc) = r.vpc_id() {
            self.by_vpc.entry(vpc.to_string()).or_default().insert(id.clone());
        }
        for (k, v) in r.tags().into_iter().flatten() {
            self.by_tag
                .entry((k.clone(), v.clone()))
                .or_default()
                .insert(id.clone());
        }
    }

    fn remove(&mut self, r: &Resource) {
        let id = r.id();
        if let Resource::Subnet(s) = r
            && let Some(block) = Ipv4Cidr::parse(&s.cidr)
            && let Some(m) = self.subnet_blocks.get_mut(&s.vpc_id)
        {
            m.remove(&bounds(block).0);
            if m.is_empty() {
                self.subnet_blocks.remove(&s.vpc_id);
            }
        }
        if let Some(vpc) = r.vpc_id()
            && let Some(set) = self.by_vpc.get_mut(vpc)
        {
            set.remove(id);
            if set.is_empty() {
                self.by_vpc.remove(vpc);
            }
        }
        for (k, v) in r.tags().into_iter().flatten() {
            let key = (k.clone(), v.clone());
            if let Some(set) = self.by_tag.get_mut(&key) {
                set.remove(id);
                if set.is_empty() {
                    self.by_tag.remove(&key);
                }
            }
        }
    }
}

impl RegionState {
    fn apply(&mut self, change: Change) {
        let kind = match &change {
            Change::Put(r) => r.kind(),
            Change::Delete(kind, _) => kind,
        };
        if ROUTING_KINDS.contains(&kind) {
            self.generation += 1;
        }
        // Keep the indexes in step: out with the old version, in with the new.
        let id = match &change {
            Change::Put(r) => r.id().to_string(),
            Change::Delete(_, id) => id.clone(),
        };
        if let Some(old) = self.resource(&id) {
            self.index.remove(&old);
        }
        if let Change::Put(r) = &change {
            self.index.add(r);
        }
        match change {
            Change::Put(r) => match *r {
                Resource::Vpc(v) => {
                    self.vpcs.insert(v.id.clone(), v);
                }
                Resource::Subnet(v) => {
                    self.subnets.insert(v.id.clone(), v);
                }
                Resource::RouteTable(v) => {
                    self.route_tables.insert(v.id.clone(), v);
                }
                Resource::InternetGateway(v) => {
                    self.internet_gateways.insert(v.id.clone(), v);
                }
                Resource::NetworkInterface(v) => {
                    self.network_interfaces.insert(v.id.clone(), v);
                }
                Resource::NetworkAcl(v) => {
                    self.network_acls.insert(v.id.clone(), v);
                }
                Resource::SecurityGroup(v) => {
                    self.security_groups.insert(v.id.clone(), v);
                }
                Resource::CustomerGateway(v) => {
                    self.customer_gateways.insert(v.id.clone(), v);
                }
                Resource::VpnGateway(v) => {
                    self.vpn_gateways.insert(v.id.clone(), v);
                }
                Resource::VpnConnection(v) => {
                    self.vpn_connections.insert(v.id.clone(), v);
                }
                Resource::TransitGateway(v) => {
                    self.transit_gateways.insert(v.id.clone(), v);
                }
                Resource::TgwAttachment(v) => {
                    self.tgw_attachments.insert(v.id.clone(), v);
                }
                Resource::TgwRouteTable(v) => {
                    self.tgw_route_tables.insert(v.id.clone(), v);
                }
                Resource::TgwRoute(v) => {
                    self.tgw_routes.insert(v.id.clone(), v);
                }
                Resource::TgwPropagation(v) => {
                    self.tgw_propagations.insert(v.id.clone(), v);
                }
                Resource::InsightsPath(v) => {
                    self.insights_paths.insert(v.id.clone(), v);
                }
                Resource::InsightsAnalysis(v) => {
                    self.insights_analyses.insert(v.id.clone(), v);
                }
                Resource::Meta(m) => self.meta = m,
            },
            Change::Delete(kind, id) => {
                match kind {
                    "vpc" => self.vpcs.remove(&id).map(|_| ()),
                    "subnet" => self.subnets.remove(&id).map(|_| ()),
                    "route-table" => self.route_tables.remove(&id).map(|_| ()),
                    "internet-gateway" => self.internet_gateways.remove(&id).map(|_| ()),
                    "network-interface" => self.network_interfaces.remove(&id).map(|_| ()),
                    "network-acl" => self.network_acls.remove(&id).map(|_| ()),
                    "security-group" => self.security_groups.remove(&id).map(|_| ()),
                    "customer-gateway" => self.customer_gateways.remove(&id).map(|_| ()),
                    "vpn-gateway" => self.vpn_gateways.remove(&id).map(|_| ()),
                    "vpn-connection" => self.vpn_connections.remove(&id).map(|_| ()),
                    "transit-gateway" => self.transit_gateways.remove(&id).map(|_| ()),
                    "transit-gateway-attachment" => self.tgw_attachments.remove(&id).map(|_| ()),
                    "transit-gateway-route-table" => self.tgw_route_tables.remove(&id).map(|_| ()),
                    "transit-gateway-route" => self.tgw_routes.remove(&id).map(|_| ()),
                    "transit-gateway-propagation" => self.tgw_propagations.remove(&id).map(|_| ()),
                    "network-insights-path" => self.insights_paths.remove(&id).map(|_| ()),
                    "network-insights-analysis" => self.insights_analyses.remove(&id).map(|_| ()),
                    _ => None,
                };
            }
        }
    }

    /// The records of route table `table` in `map` (static routes or
    /// propagations), by their `<table>|...` ids.
    pub fn of_table<'a, T>(map: &'a BTreeMap<String, T>, table: &str) -> impl Iterator<Item = &'a T> + 'a {
        let prefix = format!("{table}|");
        map.range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v)
    }

    /// Every taggable resource's id and tags.
    pub fn tagged(&self) -> impl Iterator<Item = (&str, &Tags)> {
        fn pairs<T>(map: &BTreeMap<String, T>, tags: fn(&T) -> &Tags) -> impl Iterator<Item = (&str, &Tags)> {
            map.iter().map(move |(id, r)| (id.as_str(), tags(r)))
        }
        pairs(&self.vpcs, |r| &r.tags)
            .chain(pairs(&self.subnets, |r| &r.tags))
            .chain(pairs(&self.route_tables, |r| &r.tags))
            .chain(pairs(&self.internet_gateways, |r| &r.tags))
            .chain(pairs(&self.network_interfaces, |r| &r.tags))
            .chain(pairs(&self.network_acls, |r| &r.tags))
            .chain(pairs(&self.security_groups, |r| &r.tags))
            .chain(pairs(&self.customer_gateways, |r| &r.tags))
            .chain(pairs(&self.vpn_gateways, |r| &r.tags))
            .chain(pairs(&self.vpn_connections, |r| &r.tags))
            .chain(pairs(&self.transit_gateways, |r| &r.tags))
            .chain(pairs(&self.tgw_attachments, |r| &r.tags))
            .chain(pairs(&self.tgw_route_tables, |r| &r.tags))
            .chain(pairs(&self.insights_paths, |r| &r.tags))
            .chain(pairs(&self.insights_analyses, |r| &r.tags))
    }

    /// A copy of a taggable resource, to change its tags and put it back.
    pub fn resource(&self, id: &str) -> Option<Resource> {
        if let Some(r) = self.vpcs.get(id) {
            return Some(Resource::Vpc(r.clone()));
        }
        if let Some(r) = self.subnets.get(id) {
            return Some(Resource::Subnet(r.clone()));
        }
        if let Some(r) = self.route_tables.get(id) {
            return Some(Resource::RouteTable(r.clone()));
        }
        if let Some(r) = self.internet_gateways.get(id) {
            return Some(Resource::InternetGateway(r.clone()));
        }
        if let Some(r) = self.network_interfaces.get(id) {
            return Some(Resource::NetworkInterface(r.clone()));
        }
        if let Some(r) = self.network_acls.get(id) {
            return Some(Resource::NetworkAcl(r.clone()));
        }
        if let Some(r) = self.customer_gateways.get(id) {
            return Some(Resource::CustomerGateway(r.clone()));
        }
        if let Some(r) = self.vpn_gateways.get(id) {
            return Some(Resource::VpnGateway(r.clone()));
        }
        if let Some(r) = self.vpn_connections.get(id) {
            return Some(Resource::VpnConnection(r.clone()));
        }
        if let Some(r) = self.transit_gateways.get(id) {
            return Some(Resource::TransitGateway(r.clone()));
        }
        if let Some(r) = self.tgw_attachments.get(id) {
            return Some(Resource::TgwAttachment(r.clone()));
        }
        if let Some(r) = self.tgw_route_tables.get(id) {
            return Some(Resource::TgwRouteTable(r.clone()));
        }
        if let Some(r) = self.insights_paths.get(id) {
            return Some(Resource::InsightsPath(r.clone()));
        }
        if let Some(r) = self.insights_analyses.get(id) {
            return Some(Resource::InsightsAnalysis(r.clone()));
        }
        self.security_groups.get(id).map(|r| Resource::SecurityGroup(r.clone()))
    }
}

/// A staged change.
#[derive(Debug, Clone)]
pub enum Change {
    Put(Box<Resource>),
    Delete(&'static str, String),
}

/// Changes that commit together or not at all.
#[derive(Debug, Default)]
pub struct Tx {
    changes: Vec<Change>,
}

impl Tx {
    pub fn put(&mut self, resource: Resource) {
        self.changes.push(Change::Put(Box::new(resource)));
    }

    pub fn delete(&mut self, kind: &'static str, id: &str) {
        self.changes.push(Change::Delete(kind, id.to_string()));
    }

    /// Queues the changes for the store and applies them to `state`, then
    /// releases the region and waits until they are durable.
    ///
    /// Applying before the commit returns (but after it is queued) lets the
    /// next writer validate against these changes without waiting for the
    /// disk; the store's single writer commits in queue order, so nothing
    /// that builds on them can be durable before they are. The caller
    /// answers only after this returns, so what was acknowledged is durable.
    pub async fn commit(
        self,
        store: &Store,
        region: &Region,
        mut state: RwLockWriteGuard<'_, RegionState>,
    ) -> Result<(), ApiError> {
        let mut batch = Vec::with_capacity(self.changes.len());
        for change in &self.changes {
            batch.push(match change {
                Change::Put(r) => Mutation::Put(Record {
                    key: Key::new(SERVICE, &region.account, &region.region, r.kind(), r.id()),
                    body: r.to_json().map_err(|e| errors::storage(e.into()))?,
                }),
                Change::Delete(kind, id) => {
                    Mutation::Delete(Key::new(SERVICE, &region.account, &region.region, kind, id))
                }
            });
        }
        let pending = store.enqueue(batch).map_err(errors::storage)?;
        for change in self.changes {
            state.apply(change);
        }
        drop(state);
        region.changed.notify_one();
        pending.await.map_err(errors::storage)
    }
}

/// One account's resources in one region.
pub struct Region {
    pub account: String,
    pub region: String,
    pub state: RwLock<RegionState>,
    /// Woken after every change, for the data planes' controller (shared
    /// by all regions).
    pub changed: Arc<Notify>,
}

/// Every account and region that has EC2 state.
#[derive(Default)]
pub struct Regions {
    map: Mutex<HashMap<(String, String), Arc<Region>>>,
    changed: Arc<Notify>,
}

impl Regions {
    /// Rebuilds memory from the records the store kept.
    pub fn load(records: Vec<Record>) -> Result<Self, String> {
        let mut grouped: HashMap<(String, String), RegionState> = HashMap::new();
        for r in records.into_iter().filter(|r| r.key.service == SERVICE) {
            let resource = Resource::from_json(&r.key.kind, r.body).map_err(|e| format!("{:?}: {e}", r.key))?;
            grouped
                .entry((r.key.account, r.key.region))
                .or_default()
                .apply(Change::Put(Box::new(resource)));
        }
        let changed = Arc::new(Notify::new());
        let map = grouped
            .into_iter()
            .map(|((account, region), state)| {
                let r = Region {
                    account: account.clone(),
                    region: region.clone(),
                    state: RwLock::new(state),
                    changed: changed.clone(),
                };
                ((account, region), Arc::new(r))
            })
            .collect();
        Ok(Self {
            map: Mutex::new(map),
            changed,
        })
    }

    /// Waits until some region changed (or had changed since the last
    /// wait).
    pub async fn changed(&self) {
        self.changed.notified().await
    }

    /// Every region that has state.
    pub fn all(&self) -> Vec<Arc<Region>> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub fn get(&self, account: &str, region: &str) -> Arc<Region> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((account.to_string(), region.to_string()))
            .or_insert_with(|| {
                Arc::new(Region {
                    account: account.to_string(),
                    region: region.to_string(),
                    state: RwLock::new(RegionState::default()),
                    changed: self.changed.clone(),
                })
            })
            .clone()
    }

    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.changed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, vpc: &str, tag: Option<(&str, &str)>) -> Resource {
        let mut tags = Tags::new();
        if let Some((k, v)) = tag {
            tags.insert(k.into(), v.into());
        }
        Resource::Subnet(SubnetRec {
            id: id.into(),
            created_ms: 0,
            vpc_id: vpc.into(),
            cidr: "10.0.0.0/24".into(),
            availability_zone: "us-east-1a".into(),
            availability_zone_id: "use1-az1".into(),
            default_for_az: false,
            map_public_ip_on_launch: false,
            assign_ipv6_address_on_creation: false,
            ipv6: Vec::new(),
            network_acl: AclAssociationRec {
                id: "aclassoc-1".into(),
                network_acl_id: "acl-1".into(),
            },
            tags,
        })
    }

    #[test]
    fn indexes_follow_puts_and_deletes() {
        let mut s = RegionState::default();
        s.apply(Change::Put(Box::new(subnet(
            "subnet-1",
            "vpc-a",
            Some(("Tier", "web")),
        ))));
        s.apply(Change::Put(Box::new(subnet("subnet-2", "vpc-a", None))));
        assert_eq!(s.index.in_vpc("vpc-a").len(), 2);
        assert!(s.index.tagged("Tier", "web").contains("subnet-1"));

        // Re-tagging moves the entry; the old tag no longer finds it.
        s.apply(Change::Put(Box::new(subnet("subnet-1", "vpc-a", Some(("Tier", "db"))))));
        assert!(s.index.tagged("Tier", "web").is_empty());
        assert!(s.index.tagged("Tier", "db").contains("subnet-1"));

        let block = |t: &str| Ipv4Cidr::parse(t).unwrap();
        assert!(s.index.overlaps_subnet("vpc-a", block("10.0.0.128/25")));
        assert!(s.index.overlaps_subnet("vpc-a", block("10.0.0.0/16")));
        assert!(!s.index.overlaps_subnet("vpc-a", block("10.0.1.0/24")));
        assert!(!s.index.overlaps_subnet("vpc-b", block("10.0.0.0/24")));

        s.apply(Change::Delete("subnet", "subnet-1".into()));
        assert_eq!(s.index.in_vpc("vpc-a").iter().collect::<Vec<_>>(), vec!["subnet-2"]);
        assert!(s.index.tagged("Tier", "db").is_empty());
    }
}
