//! Subnets: a block inside one of the VPC's blocks, overlapping no other
//! subnet, in one availability zone of the region.

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::errors;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles;
use crate::model::*;
use crate::paging;
use crate::regions;
use crate::state::{RegionState, Tx};
use crate::views;
use crate::{Ec2, tags};

fn range_error(text: &str) -> ApiError {
    ApiError::client("InvalidSubnet.Range", format!("The CIDR '{text}' is invalid."))
}

/// The zone a subnet goes in: the one named (by name or id), else the
/// region's first.
fn zone(region: &str, name: Option<&str>, id: Option<&str>) -> Result<(String, String), ApiError> {
    let zones: Vec<(String, String)> = match regions::find(region) {
        Some(r) => r
            .zones
            .iter()
            .map(|(n, i)| ((*n).to_string(), (*i).to_string()))
            .collect(),
        None => vec![(format!("{region}a"), format!("{region}-az1"))],
    };
    let found = match (name, id) {
        (Some(n), _) => zones.iter().find(|(zn, _)| zn == n).ok_or(("availabilityZone", n)),
        (None, Some(i)) => zones.iter().find(|(_, zi)| zi == i).ok_or(("availabilityZoneId", i)),
        (None, None) => zones.first().ok_or(("availabilityZone", "")),
    };
    match found {
        Ok(z) => Ok(z.clone()),
        Err((param, value)) => {
            let names: Vec<&str> = zones.iter().map(|(n, _)| n.as_str()).collect();
            Err(errors::invalid_value(
                value,
                param,
                &format!(
                    "Subnets can currently only be created in the following availability zones: {}.",
                    names.join(", ")
                ),
            ))
        }
    }
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateSubnetRequest,
) -> Result<CreateSubnetResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    if input.ipv4_ipam_pool_id.is_some() || input.ipv6_ipam_pool_id.is_some() {
        return Err(errors::invalid(
            "IPAM pools are not supported by Landbridge yet; give CidrBlock",
        ));
    }
    let Some(text) = input.cidr_block else {
        return Err(errors::missing("CidrBlock"));
    };
    let block = Ipv4Cidr::parse(&text)
        .ok_or_else(|| errors::invalid_value(&text, "cidrBlock", "This is not a valid CIDR block."))?;
    if !(16..=28).contains(&block.prefix()) {
        return Err(range_error(&text));
    }
    let tags = tags::from_specifications(input.tag_specifications, "subnet")?;
    let (az, az_id) = zone(
        &ctx.region,
        input.availability_zone.as_deref(),
        input.availability_zone_id.as_deref(),
    )?;

    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let vpc = state
        .vpcs
        .get(&input.vpc_id)
        .ok_or_else(|| errors::vpc_not_found(&input.vpc_id))?
        .clone();
    let inside = vpc
        .cidrs
        .iter()
        .filter_map(|c| Ipv4Cidr::parse(&c.cidr))
        .any(|c| c.contains(block));
    if !inside {
        return Err(range_error(&text));
    }
    let conflict = state.index.overlaps_subnet(&vpc.id, block);
    if conflict {
        return Err(ApiError::client(
            "InvalidSubnet.Conflict",
            format!("The CIDR '{text}' conflicts with another subnet"),
        ));
    }
    let mut ipv6 = Vec::new();
    if let Some(v6) = input.ipv6_cidr_block {
        let b = Ipv6Cidr::parse(&v6)
            .ok_or_else(|| errors::invalid_value(&v6, "ipv6CidrBlock", "This is not a valid CIDR block."))?;
        let ok = b.prefix() == 64
            && vpc
                .ipv6
                .iter()
                .filter_map(|c| Ipv6Cidr::parse(&c.cidr))
                .any(|c| c.contains(b));
        if !ok {
            return Err(range_error(&v6));
        }
        ipv6.push(CidrAssoc {
            id: new_id("subnet-cidr-assoc"),
            cidr: b.to_string(),
            created_ms: Timestamp::now().millis(),
        });
    }
    let subnet = SubnetRec {
        id: new_id("subnet"),
        created_ms: Timestamp::now().millis(),
        vpc_id: vpc.id.clone(),
        cidr: block.to_string(),
        availability_zone: az,
        availability_zone_id: az_id,
        default_for_az: false,
        map_public_ip_on_launch: false,
        assign_ipv6_address_on_creation: false,
        ipv6,
        // New subnets join the VPC's default network ACL.
        network_acl: AclAssociationRec {
            id: new_id("aclassoc"),
            network_acl_id: vpc.default_network_acl.clone(),
        },
        tags,
    };
    let mut tx = Tx::default();
    let view = views::subnet(&subnet, &state, &ctx.account_id, &ctx.region, &ec2.at());
    tx.put(Resource::Subnet(subnet));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateSubnetResult { subnet: Some(view) })
}

const SUBNET_FILTERS: &[&str] = &[
    "availability-zone",
    "availability-zone-id",
    "available-ip-address-count",
    "cidr",
    "cidr-block",
    "cidrBlock",
    "default-for-az",
    "defaultForAz",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "map-public-ip-on-launch",
    "owner-id",
    "state",
    "subnet-arn",
    "subnet-id",
    "vpc-id",
];

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeSubnetsRequest,
) -> Result<DescribeSubnetsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(SUBNET_FILTERS))?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.subnet_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.subnets.contains_key(*id)) {
        return Err(errors::subnet_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &SubnetRec)> =
        filter::select(&state.subnets, &ids, filters.candidates(&state.index, true))
            .into_iter()
            .filter(|s| {
                // Derived values are computed only when a filter asks for them.
                let count = std::cell::OnceCell::new();
                let arn = std::cell::OnceCell::new();
                filters.matches(|f| match f {
                    "availability-zone" => vec![s.availability_zone.as_str()],
                    "availability-zone-id" => vec![s.availability_zone_id.as_str()],
                    "available-ip-address-count" => {
                        vec![
                            count
                                .get_or_init(|| views::available_ips(s, &state).to_string())
                                .as_str(),
                        ]
                    }
                    "cidr" | "cidr-block" | "cidrBlock" => vec![s.cidr.as_str()],
                    "default-for-az" | "defaultForAz" => vec![filter::bool_str(s.default_for_az)],
                    "ipv6-cidr-block-association.ipv6-cidr-block" => s.ipv6.iter().map(|c| c.cidr.as_str()).collect(),
                    "ipv6-cidr-block-association.association-id" => s.ipv6.iter().map(|c| c.id.as_str()).collect(),
                    "ipv6-cidr-block-association.state" => s.ipv6.iter().map(|_| "associated").collect(),
                    "map-public-ip-on-launch" => vec![filter::bool_str(s.map_public_ip_on_launch)],
                    "owner-id" => vec![account],
                    "state" => vec![at.state(lifecycles::SUBNET, s.created_ms)],
                    "subnet-arn" => vec![
                        arn.get_or_init(|| format!("arn:aws:ec2:{}:{account}:subnet/{}", ctx.region, s.id))
                            .as_str(),
                    ],
                    "subnet-id" => vec![s.id.as_str()],
                    "vpc-id" => vec![s.vpc_id.as_str()],
                    other => filter::tag_values(&s.tags, other).unwrap_or_default(),
                })
            })
            .map(|r| (r.id.clone(), r))
            .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let subnets: Vec<Subnet> = page
        .into_iter()
        .map(|r| views::subnet(r, &state, account, &ctx.region, &at))
        .collect();
    Ok(DescribeSubnetsResult {
        next_token,
        subnets: Some(subnets),
    })
}

fn subnet<'a>(state: &'a RegionState, id: &str) -> Result<&'a SubnetRec, ApiError> {
    state.subnets.get(id).ok_or_else(|| errors::subnet_not_found(id))
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteSubnetRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let s = subnet(&state, &input.subnet_id)?.clone();
    if state.network_interfaces.values().any(|e| e.subnet_id == s.id) {
        return Err(errors::dependency("subnet", &s.id));
    }
    let mut tx = Tx::default();
    // Route table associations go with the subnet (its ACL association lives on it).
    for t in state.route_tables.values() {
        if t.associations
            .iter()
            .any(|a| a.subnet_id.as_deref() == Some(s.id.as_str()))
        {
            let mut t = t.clone();
            t.associations.retain(|a| a.subnet_id.as_deref() != Some(s.id.as_str()));
            tx.put(Resource::RouteTable(t));
        }
    }
    tx.delete("subnet", &s.id);
    tx.commit(ec2.store(), &region, state).await
}

pub async fn modify_attribute(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: ModifySubnetAttributeRequest,
) -> Result<(), ApiError> {
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut s = subnet(&state, &input.subnet_id)?.clone();
    if let Some(v) = input.map_public_ip_on_launch.and_then(|a| a.value) {
        s.map_public_ip_on_launch = v;
    }
    if let Some(v) = input.assign_ipv6_address_on_creation.and_then(|a| a.value) {
        s.assign_ipv6_address_on_creation = v;
    }
    let mut tx = Tx::default();
    tx.put(Resource::Subnet(s));
    tx.commit(ec2.store(), &region, state).await
}
