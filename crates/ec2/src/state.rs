//! EC2 state per account and region, and how it changes.
//!
//! Reads take the region's read lock and look at memory. A change is staged
//! in a `Tx`, committed to the store, and only then applied to memory, all
//! under the region's write lock: what a reader sees is always durable, and
//! a failed commit changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use landbridge_api::ApiError;
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::RwLock;

use crate::errors;
use crate::model::*;

pub const SERVICE: &str = "ec2";

#[derive(Debug, Default)]
pub struct RegionState {
    pub vpcs: BTreeMap<String, VpcRec>,
    pub subnets: BTreeMap<String, SubnetRec>,
    pub route_tables: BTreeMap<String, RouteTableRec>,
    pub internet_gateways: BTreeMap<String, InternetGatewayRec>,
    pub network_interfaces: BTreeMap<String, NetworkInterfaceRec>,
    pub network_acls: BTreeMap<String, NetworkAclRec>,
    pub security_groups: BTreeMap<String, SecurityGroupRec>,
    pub meta: MetaRec,
}

impl RegionState {
    fn apply(&mut self, change: Change) {
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
                    _ => None,
                };
            }
        }
    }

    /// The tags of any taggable resource, by id.
    pub fn tags_of(&self, id: &str) -> Option<&Tags> {
        self.vpcs
            .get(id)
            .map(|r| &r.tags)
            .or_else(|| self.subnets.get(id).map(|r| &r.tags))
            .or_else(|| self.route_tables.get(id).map(|r| &r.tags))
            .or_else(|| self.internet_gateways.get(id).map(|r| &r.tags))
            .or_else(|| self.network_interfaces.get(id).map(|r| &r.tags))
            .or_else(|| self.network_acls.get(id).map(|r| &r.tags))
            .or_else(|| self.security_groups.get(id).map(|r| &r.tags))
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

    /// Makes the changes durable, then applies them to `state`.
    pub async fn commit(self, store: &Store, region: &Region, state: &mut RegionState) -> Result<(), ApiError> {
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
        store.commit(batch).await.map_err(errors::storage)?;
        for change in self.changes {
            state.apply(change);
        }
        Ok(())
    }
}

/// One account's resources in one region.
pub struct Region {
    pub account: String,
    pub region: String,
    pub state: RwLock<RegionState>,
}

/// Every account and region that has EC2 state.
#[derive(Default)]
pub struct Regions {
    map: Mutex<HashMap<(String, String), Arc<Region>>>,
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
        let map = grouped
            .into_iter()
            .map(|((account, region), state)| {
                let r = Region {
                    account: account.clone(),
                    region: region.clone(),
                    state: RwLock::new(state),
                };
                ((account, region), Arc::new(r))
            })
            .collect();
        Ok(Self { map: Mutex::new(map) })
    }

    pub fn get(&self, account: &str, region: &str) -> Arc<Region> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((account.to_string(), region.to_string()))
            .or_insert_with(|| {
                Arc::new(Region {
                    account: account.to_string(),
                    region: region.to_string(),
                    state: RwLock::new(RegionState::default()),
                })
            })
            .clone()
    }

    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
