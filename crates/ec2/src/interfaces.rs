//! Network interfaces: an address in a subnet. Later issues trace paths and
//! attach data planes to them.

use std::net::Ipv4Addr;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};

use crate::cidr::{self, Ipv4Cidr};
use crate::errors;
use crate::filter::{self, Filters};
use crate::ids::{new_id, new_mac};
use crate::model::*;
use crate::paging;
use crate::state::{RegionState, Tx};
use crate::views;
use crate::{Ec2, tags};

fn used_addresses(state: &RegionState, subnet_id: &str) -> Vec<Ipv4Addr> {
    state
        .network_interfaces
        .values()
        .filter(|e| e.subnet_id == subnet_id)
        .filter_map(|e| e.private_ip.parse().ok())
        .collect()
}

/// The address asked for, after checking it, or the lowest free one.
fn pick_address(block: Ipv4Cidr, used: &[Ipv4Addr], wanted: Option<&str>) -> Result<Ipv4Addr, ApiError> {
    if let Some(text) = wanted {
        let addr: Ipv4Addr = text
            .parse()
            .map_err(|_| errors::invalid_value(text, "privateIpAddress", "This is not a valid IPv4 address."))?;
        if !block.contains_addr(addr) || cidr::is_reserved_in_subnet(block, addr) {
            return Err(ApiError::client(
                "InvalidParameterValue",
                format!("Address {addr} does not fall within the subnet's address range or is reserved"),
            ));
        }
        if used.contains(&addr) {
            return Err(ApiError::client(
                "InvalidIPAddress.InUse",
                format!("The specified address {addr} is already in use."),
            ));
        }
        return Ok(addr);
    }
    // The first four addresses and the last are AWS's.
    (4..block.size().saturating_sub(1))
        .filter_map(|n| block.nth(n))
        .find(|a| !used.contains(a))
        .ok_or_else(|| {
            ApiError::client(
                "InsufficientFreeAddressesInSubnet",
                format!("The specified subnet {block} does not have enough free addresses to satisfy the request."),
            )
        })
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateNetworkInterfaceRequest,
) -> Result<CreateNetworkInterfaceResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "network-interface")?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let s = state
        .subnets
        .get(&input.subnet_id)
        .ok_or_else(|| errors::subnet_not_found(&input.subnet_id))?
        .clone();
    let block = Ipv4Cidr::parse(&s.cidr).ok_or_else(|| errors::invalid("corrupt subnet CIDR"))?;
    let addr = pick_address(
        block,
        &used_addresses(&state, &s.id),
        input.private_ip_address.as_deref(),
    )?;
    let groups = match input.groups {
        Some(g) if !g.is_empty() => {
            for id in &g {
                let ok = state.security_groups.get(id).is_some_and(|sg| sg.vpc_id == s.vpc_id);
                if !ok {
                    return Err(errors::not_found("InvalidGroup.NotFound", "security group", id));
                }
            }
            g
        }
        _ => state
            .vpcs
            .get(&s.vpc_id)
            .map(|v| vec![v.default_security_group.clone()])
            .unwrap_or_default(),
    };
    let e = NetworkInterfaceRec {
        id: new_id("eni"),
        subnet_id: s.id.clone(),
        vpc_id: s.vpc_id.clone(),
        availability_zone: s.availability_zone.clone(),
        availability_zone_id: s.availability_zone_id.clone(),
        private_ip: addr.to_string(),
        mac_address: new_mac(),
        description: input.description.unwrap_or_default(),
        security_groups: groups,
        source_dest_check: true,
        interface_type: input
            .interface_type
            .map_or("interface", NetworkInterfaceCreationType::as_str)
            .to_string(),
        tags,
    };
    let view = views::network_interface(&e, &state, &ctx.account_id);
    let mut tx = Tx::default();
    tx.put(Resource::NetworkInterface(e));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateNetworkInterfaceResult {
        network_interface: Some(view),
        client_token: input.client_token,
    })
}

const ENI_FILTERS: &[&str] = &[
    "addresses.private-ip-address",
    "availability-zone",
    "description",
    "group-id",
    "group-name",
    "interface-type",
    "mac-address",
    "network-interface-id",
    "owner-id",
    "private-ip-address",
    "source-dest-check",
    "status",
    "subnet-id",
    "vpc-id",
];

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeNetworkInterfacesRequest,
) -> Result<DescribeNetworkInterfacesResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &filter::with_tags(ENI_FILTERS))?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.network_interface_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.network_interfaces.contains_key(*id)) {
        return Err(errors::eni_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &NetworkInterfaceRec)> =
        filter::select(&state.network_interfaces, &ids, filters.candidates(&state.index, true))
            .into_iter()
            .filter(|e| {
                filters.matches(|f| match f {
                    "addresses.private-ip-address" | "private-ip-address" => vec![e.private_ip.as_str()],
                    "availability-zone" => vec![e.availability_zone.as_str()],
                    "description" => vec![e.description.as_str()],
                    "group-id" => e.security_groups.iter().map(String::as_str).collect(),
                    "group-name" => e
                        .security_groups
                        .iter()
                        .filter_map(|id| state.security_groups.get(id).map(|g| g.name.as_str()))
                        .collect(),
                    "interface-type" => vec![e.interface_type.as_str()],
                    "mac-address" => vec![e.mac_address.as_str()],
                    "network-interface-id" => vec![e.id.as_str()],
                    "owner-id" => vec![account],
                    "source-dest-check" => vec![filter::bool_str(e.source_dest_check)],
                    "status" => vec!["available"],
                    "subnet-id" => vec![e.subnet_id.as_str()],
                    "vpc-id" => vec![e.vpc_id.as_str()],
                    other => filter::tag_values(&e.tags, other).unwrap_or_default(),
                })
            })
            .map(|r| (r.id.clone(), r))
            .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let interfaces: Vec<NetworkInterface> = page
        .into_iter()
        .map(|r| views::network_interface(r, &state, account))
        .collect();
    Ok(DescribeNetworkInterfacesResult {
        network_interfaces: Some(interfaces),
        next_token,
    })
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteNetworkInterfaceRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    if !state.network_interfaces.contains_key(&input.network_interface_id) {
        return Err(errors::eni_not_found(&input.network_interface_id));
    }
    let mut tx = Tx::default();
    tx.delete("network-interface", &input.network_interface_id);
    tx.commit(ec2.store(), &region, state).await
}
