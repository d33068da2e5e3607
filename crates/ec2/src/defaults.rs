//! What AWS creates on its own: the resources that come with every VPC
//! (main route table, default network ACL, default security group) and the
//! default VPC of each account and region.

use landbridge_api::Timestamp;

use crate::cidr::Ipv4Cidr;
use crate::ids::new_id;
use crate::model::*;
use crate::regions;
use crate::state::Tx;

/// The block of every default VPC.
pub const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

/// A VPC with its main route table (holding the local route), default
/// network ACL and default security group.
pub struct NewVpc {
    pub vpc: VpcRec,
    pub main_route_table: RouteTableRec,
    pub network_acl: NetworkAclRec,
    pub security_group: SecurityGroupRec,
}

pub fn new_vpc(cidr: &str, is_default: bool, instance_tenancy: &str, tags: Tags) -> NewVpc {
    // The default VPC exists before anyone asks: it is never pending.
    let now = if is_default { 0 } else { Timestamp::now().millis() };
    let vpc_id = new_id("vpc");
    let rtb_id = new_id("rtb");
    let acl_id = new_id("acl");
    let sg_id = new_id("sg");
    NewVpc {
        vpc: VpcRec {
            id: vpc_id.clone(),
            created_ms: now,
            cidrs: vec![CidrAssoc {
                id: new_id("vpc-cidr-assoc"),
                cidr: cidr.to_string(),
                created_ms: now,
            }],
            ipv6: Vec::new(),
            is_default,
            instance_tenancy: instance_tenancy.to_string(),
            dns_support: true,
            // AWS turns DNS hostnames on only for default VPCs.
            dns_hostnames: is_default,
            network_address_usage_metrics: false,
            main_route_table: rtb_id.clone(),
            default_network_acl: acl_id.clone(),
            default_security_group: sg_id.clone(),
            tags,
        },
        main_route_table: RouteTableRec {
            id: rtb_id,
            vpc_id: vpc_id.clone(),
            routes: vec![RouteRec {
                destination: cidr.to_string(),
                target: Target::Local,
                origin: Origin::CreateRouteTable,
            }],
            associations: vec![AssociationRec {
                id: new_id("rtbassoc"),
                main: true,
                subnet_id: None,
                gateway_id: None,
            }],
            propagating_vgws: Vec::new(),
            tags: Tags::new(),
        },
        network_acl: NetworkAclRec {
            id: acl_id,
            vpc_id: vpc_id.clone(),
            is_default: true,
            tags: Tags::new(),
        },
        security_group: SecurityGroupRec {
            id: sg_id,
            vpc_id,
            name: "default".to_string(),
            description: "default VPC security group".to_string(),
            tags: Tags::new(),
        },
    }
}

impl NewVpc {
    pub fn stage(self, tx: &mut Tx) {
        tx.put(Resource::Vpc(self.vpc));
        tx.put(Resource::RouteTable(self.main_route_table));
        tx.put(Resource::NetworkAcl(self.network_acl));
        tx.put(Resource::SecurityGroup(self.security_group));
    }
}

/// The changes that give a fresh account and region its default VPC: a /20
/// default subnet per availability zone, an attached internet gateway and a
/// default route to it. Regions Landbridge does not know get none.
pub fn default_vpc(_account: &str, region: &str) -> Tx {
    let mut tx = Tx::default();
    tx.put(Resource::Meta(MetaRec { initialized: true }));
    let Some(info) = regions::find(region) else {
        return tx;
    };
    let Some(block) = Ipv4Cidr::parse(DEFAULT_VPC_CIDR) else {
        return tx;
    };
    let mut new = new_vpc(DEFAULT_VPC_CIDR, true, "default", Tags::new());
    let igw = InternetGatewayRec {
        id: new_id("igw"),
        attached_vpc: Some(new.vpc.id.clone()),
        tags: Tags::new(),
    };
    new.main_route_table.routes.push(RouteRec {
        destination: "0.0.0.0/0".to_string(),
        target: Target::Gateway(igw.id.clone()),
        origin: Origin::CreateRoute,
    });
    for ((zone, zone_id), cidr) in info.zones.iter().zip(block.subnets(20)) {
        let subnet = SubnetRec {
            id: new_id("subnet"),
            created_ms: 0,
            vpc_id: new.vpc.id.clone(),
            cidr: cidr.to_string(),
            availability_zone: (*zone).to_string(),
            availability_zone_id: (*zone_id).to_string(),
            default_for_az: true,
            map_public_ip_on_launch: true,
            assign_ipv6_address_on_creation: false,
            ipv6: Vec::new(),
            network_acl: AclAssociationRec {
                id: new_id("aclassoc"),
                network_acl_id: new.network_acl.id.clone(),
            },
            tags: Tags::new(),
        };
        tx.put(Resource::Subnet(subnet));
    }
    tx.put(Resource::InternetGateway(igw));
    new.stage(&mut tx);
    tx
}
