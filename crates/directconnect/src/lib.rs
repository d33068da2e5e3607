//! AWS Direct Connect. For now the location catalogue; connections,
//! virtual interfaces and their BGP sessions build on the state store.

pub mod locations;

use landbridge_api::directconnect::{DirectconnectApi, Location, Locations};
use landbridge_api::{ApiError, RequestContext};

#[derive(Debug, Default)]
pub struct DirectConnect;

impl DirectconnectApi for DirectConnect {
    async fn describe_locations(&self, ctx: &RequestContext) -> Result<Locations, ApiError> {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let locations = locations::in_region(&ctx.region)
            .map(|l| Location {
                location_code: Some(l.code.to_string()),
                location_name: Some(l.name.to_string()),
                region: Some(l.region.to_string()),
                available_port_speeds: Some(strings(l.port_speeds)),
                available_providers: Some(strings(l.providers)),
                available_mac_sec_port_speeds: Some(strings(l.macsec_port_speeds)),
                ..Default::default()
            })
            .collect();
        Ok(Locations {
            locations: Some(locations),
        })
    }
}
