//! EC2 resources as Landbridge keeps them: plain serde structs, one record
//! each in the store. They hold what AWS would remember about a resource;
//! everything derived (route state, free addresses, default rules) is
//! computed when described, so it can never go stale.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CidrAssoc {
    pub id: String,
    pub cidr: String,
    /// When the association started (ms since the epoch); its state follows
    /// from it (see `lifecycles.rs`).
    #[serde(default)]
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcRec {
    pub id: String,
    /// When CreateVpc ran (ms since the epoch).
    #[serde(default)]
    pub created_ms: i64,
    /// Primary block first, then secondary ones in association order.
    pub cidrs: Vec<CidrAssoc>,
    pub ipv6: Vec<CidrAssoc>,
    pub is_default: bool,
    pub instance_tenancy: String,
    pub dns_support: bool,
    pub dns_hostnames: bool,
    pub network_address_usage_metrics: bool,
    pub main_route_table: String,
    pub default_network_acl: String,
    pub default_security_group: String,
    pub tags: Tags,
}

impl VpcRec {
    pub fn primary_cidr(&self) -> &str {
        self.cidrs.first().map_or("", |c| c.cidr.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetRec {
    pub id: String,
    /// When CreateSubnet ran (ms since the epoch).
    #[serde(default)]
    pub created_ms: i64,
    pub vpc_id: String,
    pub cidr: String,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub default_for_az: bool,
    pub map_public_ip_on_launch: bool,
    pub assign_ipv6_address_on_creation: bool,
    pub ipv6: Vec<CidrAssoc>,
    pub network_acl: AclAssociationRec,
    pub tags: Tags,
}

/// Where a route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id")]
pub enum Target {
    Local,
    /// An internet gateway or a virtual private gateway.
    Gateway(String),
    TransitGateway(String),
    NatGateway(String),
    NetworkInterface(String),
    VpcPeeringConnection(String),
    Instance(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    CreateRouteTable,
    CreateRoute,
    EnableVgwRoutePropagation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRec {
    /// An IPv4 or IPv6 CIDR.
    pub destination: String,
    pub target: Target,
    pub origin: Origin,
}

impl RouteRec {
    pub fn is_ipv6(&self) -> bool {
        self.destination.contains(':')
    }

    /// Where the route sends traffic, as one id (`local` for the local
    /// route).
    pub fn target_id(&self) -> &str {
        match &self.target {
            Target::Local => "local",
            Target::Gateway(id)
            | Target::TransitGateway(id)
            | Target::NatGateway(id)
            | Target::NetworkInterface(id)
            | Target::VpcPeeringConnection(id)
            | Target::Instance(id) => id,
        }
    }

    /// `local`, `propagated` (from a virtual private gateway) or `static`.
    pub fn kind(&self) -> &'static str {
        match (&self.target, self.origin) {
            (Target::Local, _) => "local",
            (_, Origin::EnableVgwRoutePropagation) => "propagated",
            _ => "static",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationRec {
    pub id: String,
    pub main: bool,
    pub subnet_id: Option<String>,
    pub gateway_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTableRec {
    pub id: String,
    pub vpc_id: String,
    pub routes: Vec<RouteRec>,
    pub associations: Vec<AssociationRec>,
    pub propagating_vgws: Vec<String>,
    pub tags: Tags,
}

impl RouteTableRec {
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|a| a.main)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InternetGatewayRec {
    pub id: String,
    pub attached_vpc: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterfaceRec {
    pub id: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub private_ip: String,
    pub mac_address: String,
    pub description: String,
    pub security_groups: Vec<String>,
    pub source_dest_check: bool,
    pub interface_type: String,
    pub tags: Tags,
}

/// A subnet's network ACL association. It lives on the subnet (every subnet
/// has exactly one) so that adding a subnet never rewrites a record that
/// grows with the VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AclAssociationRec {
    pub id: String,
    pub network_acl_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAclRec {
    pub id: String,
    pub vpc_id: String,
    pub is_default: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupRec {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    pub description: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerGatewayRec {
    pub id: String,
    /// 16- or 32-bit ASN, as AWS reports it (a string).
    pub bgp_asn: u32,
    pub ip_address: Option<String>,
    pub certificate_arn: Option<String>,
    pub device_name: Option<String>,
    /// `available` until deleted, then `deleted` (AWS keeps describing
    /// deleted gateways for a while).
    pub deleted: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpnGatewayRec {
    pub id: String,
    pub amazon_side_asn: i64,
    pub availability_zone: Option<String>,
    /// The VPC it is attached to, if any.
    pub attached_vpc: Option<String>,
    /// When the current attachment started (ms since the epoch).
    #[serde(default)]
    pub attached_ms: i64,
    /// VPCs it was detached from, so DescribeVpnGateways can say `detached`.
    #[serde(default)]
    pub detached_from: Vec<String>,
    pub deleted: bool,
    pub tags: Tags,
}

/// A Site-to-Site VPN connection: two tunnels between a customer gateway
/// and a virtual private gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpnConnectionRec {
    pub id: String,
    /// When CreateVpnConnection ran (ms since the epoch): `pending` until
    /// the lifecycle says `available`.
    pub created_ms: i64,
    /// When DeleteVpnConnection ran: `deleting`, then `deleted`.
    #[serde(default)]
    pub deleted_ms: Option<i64>,
    pub customer_gateway_id: String,
    pub vpn_gateway_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    pub static_routes_only: bool,
    pub enable_acceleration: bool,
    pub local_ipv4_network_cidr: String,
    pub remote_ipv4_network_cidr: String,
    pub outside_ip_address_type: String,
    pub tunnels: Vec<TunnelRec>,
    /// Static routes (CreateVpnConnectionRoute), in creation order.
    pub routes: Vec<String>,
    pub tags: Tags,
}

/// One tunnel's options, as given or as AWS defaults them, and what the
/// data plane last reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TunnelRec {
    /// Landbridge's end: an address of the loopback fabric.
    pub outside_ip: String,
    /// A /30 in 169.254.0.0/16: AWS's end is its first usable address,
    /// the customer's the second.
    pub inside_cidr: String,
    pub pre_shared_key: String,
    pub phase1_encryption: Vec<String>,
    pub phase2_encryption: Vec<String>,
    pub phase1_integrity: Vec<String>,
    pub phase2_integrity: Vec<String>,
    pub phase1_dh_groups: Vec<i32>,
    pub phase2_dh_groups: Vec<i32>,
    pub ike_versions: Vec<String>,
    pub phase1_lifetime_seconds: i32,
    pub phase2_lifetime_seconds: i32,
    pub rekey_margin_time_seconds: i32,
    pub rekey_fuzz_percentage: i32,
    pub replay_window_size: i32,
    pub dpd_timeout_seconds: i32,
    pub dpd_timeout_action: String,
    pub startup_action: String,
    pub enable_tunnel_lifecycle_control: bool,
    /// When the tunnel was last (re)provisioned; a change restarts its data
    /// plane. What the data plane reports (UP, routes) is kept in memory
    /// (`RegionState::tunnels`).
    #[serde(default)]
    pub status_changed_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGatewayRec {
    pub id: String,
    pub created_ms: i64,
    #[serde(default)]
    pub deleted_ms: Option<i64>,
    pub description: Option<String>,
    pub amazon_side_asn: i64,
    pub auto_accept_shared_attachments: bool,
    pub default_route_table_association: bool,
    pub default_route_table_propagation: bool,
    pub association_default_route_table_id: Option<String>,
    pub propagation_default_route_table_id: Option<String>,
    pub vpn_ecmp_support: bool,
    pub dns_support: bool,
    pub security_group_referencing_support: bool,
    pub multicast_support: bool,
    pub cidr_blocks: Vec<String>,
    pub tags: Tags,
}

/// What a transit gateway attachment connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentKind {
    Vpc,
    Vpn,
    Peering,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Vpc => "vpc",
            AttachmentKind::Vpn => "vpn",
            AttachmentKind::Peering => "peering",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwAttachmentRec {
    pub id: String,
    pub created_ms: i64,
    #[serde(default)]
    pub deleted_ms: Option<i64>,
    pub transit_gateway_id: String,
    pub kind: AttachmentKind,
    /// The VPC or VPN connection.
    pub resource_id: String,
    pub resource_owner: String,
    /// VPC attachments: one subnet per availability zone.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub dns_support: bool,
    #[serde(default)]
    pub ipv6_support: bool,
    #[serde(default)]
    pub appliance_mode_support: bool,
    #[serde(default)]
    pub security_group_referencing_support: bool,
    /// The route table this attachment's traffic is routed by.
    pub association: Option<String>,
    /// Peering attachments: both parties, and how the request stands. The
    /// record exists in both parties' regions, under the same id.
    #[serde(default)]
    pub peering: Option<PeeringRec>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringRec {
    pub requester_account: String,
    pub requester_region: String,
    pub requester_tgw: String,
    pub accepter_account: String,
    pub accepter_region: String,
    pub accepter_tgw: String,
    /// When the accepter accepted; `None` while acceptance is pending.
    pub accepted_ms: Option<i64>,
    pub rejected: bool,
}

/// A static route of a transit gateway route table (one record each, so a
/// table of 10,000 routes is not rewritten for every change); no
/// attachment is a blackhole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRouteRec {
    /// `<route table id>|<destination>`.
    pub id: String,
    pub route_table_id: String,
    pub destination: String,
    pub attachment_id: Option<String>,
}

/// An attachment propagating its routes into a route table (one record
/// each, for the same reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwPropagationRec {
    /// `<route table id>|<attachment id>`.
    pub id: String,
    pub route_table_id: String,
    pub attachment_id: String,
}

/// The id of a record that belongs to route table `table`: range scans by
/// the `<table>|` prefix find a table's routes or propagations.
pub fn table_child_id(table: &str, child: &str) -> String {
    format!("{table}|{child}")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRouteTableRec {
    pub id: String,
    pub created_ms: i64,
    #[serde(default)]
    pub deleted_ms: Option<i64>,
    pub transit_gateway_id: String,
    pub default_association: bool,
    pub default_propagation: bool,
    pub tags: Tags,
}

/// A Reachability Analyzer path: what to analyse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsPathRec {
    pub id: String,
    pub created_ms: i64,
    pub source: String,
    pub destination: Option<String>,
    pub source_ip: Option<String>,
    pub destination_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub destination_port: Option<i32>,
    pub tags: Tags,
}

/// One component of an analysed path, with the route it took there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopRec {
    pub component: String,
    /// A VPC route table's or transit gateway route table's chosen route:
    /// its destination, target and origin (`local`, `static`,
    /// `propagated`).
    #[serde(default)]
    pub route: Option<(String, String, String)>,
}

/// What stopped a path: AWS's explanation code and the component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerRec {
    pub code: String,
    pub component: String,
}

/// A Reachability Analyzer analysis and its result, computed when started
/// (the configuration of that moment, as AWS analyses it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsAnalysisRec {
    pub id: String,
    pub path_id: String,
    pub started_ms: i64,
    pub found: bool,
    pub hops: Vec<HopRec>,
    pub blockers: Vec<BlockerRec>,
    pub tags: Tags,
}

/// Per account and region: whether the default VPC has been made (it is
/// made once; deleting it is final, as in AWS).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetaRec {
    pub initialized: bool,
}

/// Any stored resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    Vpc(VpcRec),
    Subnet(SubnetRec),
    RouteTable(RouteTableRec),
    InternetGateway(InternetGatewayRec),
    NetworkInterface(NetworkInterfaceRec),
    NetworkAcl(NetworkAclRec),
    SecurityGroup(SecurityGroupRec),
    CustomerGateway(CustomerGatewayRec),
    VpnGateway(VpnGatewayRec),
    VpnConnection(VpnConnectionRec),
    TransitGateway(TransitGatewayRec),
    TgwAttachment(TgwAttachmentRec),
    TgwRouteTable(TgwRouteTableRec),
    TgwRoute(TgwRouteRec),
    TgwPropagation(TgwPropagationRec),
    InsightsPath(InsightsPathRec),
    InsightsAnalysis(InsightsAnalysisRec),
    Meta(MetaRec),
}

pub const KIND_META: &str = "meta";
pub const META_ID: &str = "region";

impl Resource {
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Vpc(_) => "vpc",
            Resource::Subnet(_) => "subnet",
            Resource::RouteTable(_) => "route-table",
            Resource::InternetGateway(_) => "internet-gateway",
            Resource::NetworkInterface(_) => "network-interface",
            Resource::NetworkAcl(_) => "network-acl",
            Resource::SecurityGroup(_) => "security-group",
            Resource::CustomerGateway(_) => "customer-gateway",
            Resource::VpnGateway(_) => "vpn-gateway",
            Resource::VpnConnection(_) => "vpn-connection",
            Resource::TgwRouteTable(_) => "transit-gateway-route-table",
            Resource::TgwRoute(_) => "transit-gateway-route",
            Resource::TgwPropagation(_) => "transit-gateway-propagation",
            Resource::InsightsPath(_) => "network-insights-path",
            Resource::InsightsAnalysis(_) => "network-insights-analysis",
            Resource::TgwAttachment(_) => "transit-gateway-attachment",
            Resource::TransitGateway(_) => "transit-gateway",
            Resource::Meta(_) => KIND_META,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Resource::Vpc(r) => &r.id,
            Resource::Subnet(r) => &r.id,
            Resource::RouteTable(r) => &r.id,
            Resource::InternetGateway(r) => &r.id,
            Resource::NetworkInterface(r) => &r.id,
            Resource::NetworkAcl(r) => &r.id,
            Resource::SecurityGroup(r) => &r.id,
            Resource::CustomerGateway(r) => &r.id,
            Resource::VpnGateway(r) => &r.id,
            Resource::VpnConnection(r) => &r.id,
            Resource::TgwRouteTable(r) => &r.id,
            Resource::TgwRoute(r) => &r.id,
            Resource::TgwPropagation(r) => &r.id,
            Resource::InsightsPath(r) => &r.id,
            Resource::InsightsAnalysis(r) => &r.id,
            Resource::TgwAttachment(r) => &r.id,
            Resource::TransitGateway(r) => &r.id,
            Resource::Meta(_) => META_ID,
        }
    }

    /// The VPC a resource belongs to (not a VPC's own id).
    pub fn vpc_id(&self) -> Option<&str> {
        match self {
            Resource::Subnet(r) => Some(&r.vpc_id),
            Resource::RouteTable(r) => Some(&r.vpc_id),
            Resource::NetworkInterface(r) => Some(&r.vpc_id),
            Resource::NetworkAcl(r) => Some(&r.vpc_id),
            Resource::SecurityGroup(r) => Some(&r.vpc_id),
            Resource::Vpc(_)
            | Resource::InternetGateway(_)
            | Resource::CustomerGateway(_)
            | Resource::VpnGateway(_)
            | Resource::VpnConnection(_)
            | Resource::TransitGateway(_)
            | Resource::TgwAttachment(_)
            | Resource::TgwRouteTable(_)
            | Resource::TgwRoute(_)
            | Resource::TgwPropagation(_)
            | Resource::InsightsPath(_)
            | Resource::InsightsAnalysis(_)
            | Resource::Meta(_) => None,
        }
    }

    pub fn tags(&self) -> Option<&Tags> {
        match self {
            Resource::Vpc(r) => Some(&r.tags),
            Resource::Subnet(r) => Some(&r.tags),
            Resource::RouteTable(r) => Some(&r.tags),
            Resource::InternetGateway(r) => Some(&r.tags),
            Resource::NetworkInterface(r) => Some(&r.tags),
            Resource::NetworkAcl(r) => Some(&r.tags),
            Resource::SecurityGroup(r) => Some(&r.tags),
            Resource::CustomerGateway(r) => Some(&r.tags),
            Resource::VpnGateway(r) => Some(&r.tags),
            Resource::VpnConnection(r) => Some(&r.tags),
            Resource::TgwRouteTable(r) => Some(&r.tags),
            Resource::TgwRoute(_) | Resource::TgwPropagation(_) => None,
            Resource::InsightsPath(r) => Some(&r.tags),
            Resource::InsightsAnalysis(r) => Some(&r.tags),
            Resource::TgwAttachment(r) => Some(&r.tags),
            Resource::TransitGateway(r) => Some(&r.tags),
            Resource::Meta(_) => None,
        }
    }

    pub fn tags_mut(&mut self) -> Option<&mut Tags> {
        match self {
            Resource::Vpc(r) => Some(&mut r.tags),
            Resource::Subnet(r) => Some(&mut r.tags),
            Resource::RouteTable(r) => Some(&mut r.tags),
            Resource::InternetGateway(r) => Some(&mut r.tags),
            Resource::NetworkInterface(r) => Some(&mut r.tags),
            Resource::NetworkAcl(r) => Some(&mut r.tags),
            Resource::SecurityGroup(r) => Some(&mut r.tags),
            Resource::CustomerGateway(r) => Some(&mut r.tags),
            Resource::VpnGateway(r) => Some(&mut r.tags),
            Resource::VpnConnection(r) => Some(&mut r.tags),
            Resource::TgwRouteTable(r) => Some(&mut r.tags),
            Resource::TgwRoute(_) | Resource::TgwPropagation(_) => None,
            Resource::InsightsPath(r) => Some(&mut r.tags),
            Resource::InsightsAnalysis(r) => Some(&mut r.tags),
            Resource::TgwAttachment(r) => Some(&mut r.tags),
            Resource::TransitGateway(r) => Some(&mut r.tags),
            Resource::Meta(_) => None,
        }
    }

    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Resource::Vpc(r) => serde_json::to_value(r),
            Resource::Subnet(r) => serde_json::to_value(r),
            Resource::RouteTable(r) => serde_json::to_value(r),
            Resource::InternetGateway(r) => serde_json::to_value(r),
            Resource::NetworkInterface(r) => serde_json::to_value(r),
            Resource::NetworkAcl(r) => serde_json::to_value(r),
            Resource::SecurityGroup(r) => serde_json::to_value(r),
            Resource::CustomerGateway(r) => serde_json::to_value(r),
            Resource::VpnGateway(r) => serde_json::to_value(r),
            Resource::VpnConnection(r) => serde_json::to_value(r),
            Resource::TgwRouteTable(r) => serde_json::to_value(r),
            Resource::TgwRoute(r) => serde_json::to_value(r),
            Resource::TgwPropagation(r) => serde_json::to_value(r),
            Resource::InsightsPath(r) => serde_json::to_value(r),
            Resource::InsightsAnalysis(r) => serde_json::to_value(r),
            Resource::TgwAttachment(r) => serde_json::to_value(r),
            Resource::TransitGateway(r) => serde_json::to_value(r),
            Resource::Meta(r) => serde_json::to_value(r),
        }
    }

    pub fn from_json(kind: &str, body: serde_json::Value) -> Result<Self, String> {
        let err = |e: serde_json::Error| e.to_string();
        Ok(match kind {
            "vpc" => Resource::Vpc(serde_json::from_value(body).map_err(err)?),
            "subnet" => Resource::Subnet(serde_json::from_value(body).map_err(err)?),
            "route-table" => Resource::RouteTable(serde_json::from_value(body).map_err(err)?),
            "internet-gateway" => Resource::InternetGateway(serde_json::from_value(body).map_err(err)?),
            "network-interface" => Resource::NetworkInterface(serde_json::from_value(body).map_err(err)?),
            "network-acl" => Resource::NetworkAcl(serde_json::from_value(body).map_err(err)?),
            "security-group" => Resource::SecurityGroup(serde_json::from_value(body).map_err(err)?),
            "customer-gateway" => Resource::CustomerGateway(serde_json::from_value(body).map_err(err)?),
            "vpn-gateway" => Resource::VpnGateway(serde_json::from_value(body).map_err(err)?),
            "vpn-connection" => Resource::VpnConnection(serde_json::from_value(body).map_err(err)?),
            "transit-gateway-route-table" => Resource::TgwRouteTable(serde_json::from_value(body).map_err(err)?),
            "transit-gateway-route" => Resource::TgwRoute(serde_json::from_value(body).map_err(err)?),
            "transit-gateway-propagation" => Resource::TgwPropagation(serde_json::from_value(body).map_err(err)?),
            "network-insights-path" => Resource::InsightsPath(serde_json::from_value(body).map_err(err)?),
            "network-insights-analysis" => Resource::InsightsAnalysis(serde_json::from_value(body).map_err(err)?),
            "transit-gateway-attachment" => Resource::TgwAttachment(serde_json::from_value(body).map_err(err)?),
            "transit-gateway" => Resource::TransitGateway(serde_json::from_value(body).map_err(err)?),
            KIND_META => Resource::Meta(serde_json::from_value(body).map_err(err)?),
            other => return Err(format!("unknown kind {other}")),
        })
    }
}
