//! Resource ids in EC2's format: a prefix and 17 lowercase hex digits.

use rand::Rng;

pub use landbridge_store::new_id;

/// A random 12-hex-digit MAC address in AWS's locally administered range.
pub fn new_mac() -> String {
    let mut rng = rand::rng();
    let bytes: [u8; 5] = rng.random();
    format!(
        "0e:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]
    )
}

/// The resource type EC2 reports for an id, from its prefix.
pub fn resource_type(id: &str) -> Option<&'static str> {
    let prefix = id.rsplit_once('-').map(|(p, _)| p)?;
    Some(match prefix {
        "vpc" => "vpc",
        "subnet" => "subnet",
        "rtb" => "route-table",
        "igw" => "internet-gateway",
        "eni" => "network-interface",
        "acl" => "network-acl",
        "sg" => "security-group",
        "cgw" => "customer-gateway",
        "vgw" => "vpn-gateway",
        "vpn" => "vpn-connection",
        "tgw" => "transit-gateway",
        "tgw-attach" => "transit-gateway-attachment",
        "tgw-rtb" => "transit-gateway-route-table",
        "nip" => "network-insights-path",
        "nia" => "network-insights-analysis",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_17_hex_digits() {
        let id = new_id("vpc");
        assert_eq!(id.len(), 4 + 17);
        assert!(
            id[4..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(resource_type(&id), Some("vpc"));
        assert_eq!(resource_type(&new_id("rtb")), Some("route-table"));
        assert_eq!(resource_type("nonsense"), None);
    }
}
