//! DescribeRegions and DescribeAvailabilityZones: answered from the static
//! tables in `regions.rs`, the same for every account.

use landbridge_api::ec2::{
    AvailabilityZone, AvailabilityZoneOptInStatus, AvailabilityZoneState, DescribeAvailabilityZonesRequest,
    DescribeAvailabilityZonesResult, DescribeRegionsRequest, DescribeRegionsResult, Region,
};
use landbridge_api::{ApiError, RequestContext};

use crate::filter::Filters;
use crate::regions::{self, REGIONS, RegionInfo};

pub fn describe_regions(
    ctx: &RequestContext,
    input: DescribeRegionsRequest,
) -> Result<DescribeRegionsResult, ApiError> {
    let _ = ctx;
    crate::errors::dry_run(input.dry_run)?;
    let filters = Filters::new(input.filters, &["endpoint", "opt-in-status", "region-name"])?;
    let named = input.region_names.unwrap_or_default();
    for name in &named {
        if regions::find(name).is_none() {
            return Err(ApiError::client(
                "InvalidParameterValue",
                format!("Invalid region: {name}"),
            ));
        }
    }
    let all = input.all_regions.unwrap_or(false);
    let regions = REGIONS
        .iter()
        .filter(|r| {
            if named.is_empty() {
                all || !r.opt_in_required
            } else {
                named.iter().any(|n| n == r.name)
            }
        })
        .filter(|r| {
            let endpoint = endpoint(r);
            filters.matches(|f| match f {
                "endpoint" => vec![endpoint.as_str()],
                "opt-in-status" => vec![opt_in_status(r)],
                "region-name" => vec![r.name],
                _ => vec![],
            })
        })
        .map(|r| Region {
            region_name: Some(r.name.to_string()),
            endpoint: Some(endpoint(r)),
            opt_in_status: Some(opt_in_status(r).to_string()),
            ..Default::default()
        })
        .collect();
    Ok(DescribeRegionsResult { regions: Some(regions) })
}

pub fn describe_availability_zones(
    ctx: &RequestContext,
    input: DescribeAvailabilityZonesRequest,
) -> Result<DescribeAvailabilityZonesResult, ApiError> {
    crate::errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &[
            "group-long-name",
            "group-name",
            "message",
            "opt-in-status",
            "region-name",
            "state",
            "zone-id",
            "zone-name",
            "zone-type",
        ],
    )?;
    let zones: &[(&str, &str)] = regions::find(&ctx.region).map_or(&[], |r| r.zones);
    let names = input.zone_names.unwrap_or_default();
    let ids = input.zone_ids.unwrap_or_default();
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !zones.iter().any(|(z, _)| z == n))
        .chain(ids.iter().filter(|i| !zones.iter().any(|(_, z)| z == i)))
        .collect();
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::client(
            "InvalidParameterValue",
            format!("Invalid availability zone: [{}]", list.join(", ")),
        ));
    }
    let out = zones
        .iter()
        .enumerate()
        .filter(|(_, (name, id))| {
            (names.is_empty() && ids.is_empty()) || names.iter().any(|n| n == name) || ids.iter().any(|i| i == id)
        })
        .filter_map(|(i, (name, id))| {
            let group = zone_group(&ctx.region, i);
            let keep = filters.matches(|f| match f {
                "group-name" => vec![group.as_str()],
                "opt-in-status" => vec![AvailabilityZoneOptInStatus::OptInNotRequired.as_str()],
                "region-name" => vec![ctx.region.as_str()],
                "state" => vec![AvailabilityZoneState::Available.as_str()],
                "zone-id" => vec![*id],
                "zone-name" => vec![*name],
                "zone-type" => vec!["availability-zone"],
                _ => vec![],
            });
            keep.then(|| AvailabilityZone {
                opt_in_status: Some(AvailabilityZoneOptInStatus::OptInNotRequired),
                messages: Some(Vec::new()),
                region_name: Some(ctx.region.clone()),
                zone_name: Some((*name).to_string()),
                zone_id: Some((*id).to_string()),
                group_name: Some(group.clone()),
                network_border_group: Some(ctx.region.clone()),
                zone_type: Some("availability-zone".to_string()),
                state: Some(AvailabilityZoneState::Available),
                ..Default::default()
            })
        })
        .collect();
    Ok(DescribeAvailabilityZonesResult {
        availability_zones: Some(out),
    })
}

fn endpoint(r: &RegionInfo) -> String {
    format!("ec2.{}.amazonaws.com", r.name)
}

fn opt_in_status(r: &RegionInfo) -> &'static str {
    if r.opt_in_required {
        "not-opted-in"
    } else {
        "opt-in-not-required"
    }
}

/// AWS names each zone's group `<region>-zg-<n>`.
fn zone_group(region: &str, index: usize) -> String {
    format!("{region}-zg-{}", index + 1)
}
