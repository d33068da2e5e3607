//! `CustomerGatewayConfiguration`: the XML document AWS attaches to a VPN
//! connection, with the real values of both tunnels (outside and inside
//! addresses, keys, the first proposal each phase permits, BGP ASNs when
//! the connection routes dynamically).

use std::fmt::Write;

use crate::cidr::Ipv4Cidr;
use crate::model::{TunnelRec, VpnConnectionRec};

/// What the document needs besides the connection.
pub struct Peers<'a> {
    pub customer_ip: &'a str,
    pub customer_asn: u32,
    pub amazon_asn: i64,
}

/// The inside addresses of a tunnel's /30: AWS's end and the customer's.
pub fn inside_addresses(tunnel: &TunnelRec) -> Option<(String, String)> {
    let block = Ipv4Cidr::parse(&tunnel.inside_cidr)?;
    Some((block.nth(1)?.to_string(), block.nth(2)?.to_string()))
}

fn encryption(name: &str) -> &'static str {
    match name {
        "AES256" => "aes-256-cbc",
        "AES128-GCM-16" => "aes-128-gcm-16",
        "AES256-GCM-16" => "aes-256-gcm-16",
        _ => "aes-128-cbc",
    }
}

fn ike_integrity(name: &str) -> &'static str {
    match name {
        "SHA2-256" => "sha256",
        "SHA2-384" => "sha384",
        "SHA2-512" => "sha512",
        _ => "sha1",
    }
}

fn esp_integrity(name: &str) -> &'static str {
    match name {
        "SHA2-256" => "hmac-sha256-128",
        "SHA2-384" => "hmac-sha384-192",
        "SHA2-512" => "hmac-sha512-256",
        _ => "hmac-sha1-96",
    }
}

fn first<'a>(values: &'a [String], default: &'a str) -> &'a str {
    values.first().map_or(default, String::as_str)
}

fn address(out: &mut String, tag: &str, ip: &str, inside: bool) {
    let _ = write!(out, "      <{tag}>\n        <ip_address>{ip}</ip_address>\n");
    if inside {
        out.push_str("        <network_mask>255.255.255.252</network_mask>\n        <network_cidr>30</network_cidr>\n");
    }
    let _ = writeln!(out, "      </{tag}>");
}

fn bgp(out: &mut String, asn: i64) {
    let _ = write!(
        out,
        "      <bgp>\n        <asn>{asn}</asn>\n        <hold_time>30</hold_time>\n      </bgp>\n"
    );
}

fn tunnel(out: &mut String, c: &VpnConnectionRec, t: &TunnelRec, peers: &Peers<'_>) {
    let (aws_inside, customer_inside) = inside_addresses(t).unwrap_or_default();
    out.push_str("  <ipsec_tunnel>\n    <customer_gateway>\n");
    address(out, "tunnel_outside_address", peers.customer_ip, false);
    address(out, "tunnel_inside_address", &customer_inside, true);
    if !c.static_routes_only {
        bgp(out, i64::from(peers.customer_asn));
    }
    out.push_str("    </customer_gateway>\n    <vpn_gateway>\n");
    address(out, "tunnel_outside_address", &t.outside_ip, false);
    address(out, "tunnel_inside_address", &aws_inside, true);
    if !c.static_routes_only {
        bgp(out, peers.amazon_asn);
    }
    out.push_str("    </vpn_gateway>\n");
    let phase1_dh = t.phase1_dh_groups.first().copied().unwrap_or(2);
    let phase2_dh = t.phase2_dh_groups.first().copied().unwrap_or(2);
    let _ = write!(
        out,
        "    <ike>\n      <authentication_protocol>{}</authentication_protocol>\n      <encryption_protocol>{}</encryption_protocol>\n      <lifetime>{}</lifetime>\n      <perfect_forward_secrecy>group{phase1_dh}</perfect_forward_secrecy>\n      <mode>main</mode>\n      <pre_shared_key>{}</pre_shared_key>\n    </ike>\n",
        ike_integrity(first(&t.phase1_integrity, "SHA1")),
        encryption(first(&t.phase1_encryption, "AES128")),
        t.phase1_lifetime_seconds,
        t.pre_shared_key,
    );
    let _ = write!(
        out,
        "    <ipsec>\n      <protocol>esp</protocol>\n      <authentication_protocol>{}</authentication_protocol>\n      <encryption_protocol>{}</encryption_protocol>\n      <lifetime>{}</lifetime>\n      <perfect_forward_secrecy>group{phase2_dh}</perfect_forward_secrecy>\n      <mode>tunnel</mode>\n      <clear_df_bit>true</clear_df_bit>\n      <fragmentation_before_encryption>true</fragmentation_before_encryption>\n      <tcp_mss_adjustment>1379</tcp_mss_adjustment>\n      <dead_peer_detection>\n        <delay>10</delay>\n        <retries>3</retries>\n      </dead_peer_detection>\n    </ipsec>\n  </ipsec_tunnel>\n",
        esp_integrity(first(&t.phase2_integrity, "SHA1")),
        encryption(first(&t.phase2_encryption, "AES128")),
        t.phase2_lifetime_seconds,
    );
}

/// The document for `c`. Every value in it is an id, an address, a number
/// or a key of `[A-Za-z0-9._]`, so nothing needs escaping.
pub fn document(c: &VpnConnectionRec, peers: &Peers<'_>) -> String {
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vpn_connection id=\"{}\">\n  <customer_gateway_id>{}</customer_gateway_id>\n  <vpn_gateway_id>{}</vpn_gateway_id>\n  <vpn_connection_type>ipsec.1</vpn_connection_type>\n",
        c.id,
        c.customer_gateway_id,
        c.vpn_gateway_id.as_deref().unwrap_or_default(),
    );
    for t in &c.tunnels {
        tunnel(&mut out, c, t, peers);
    }
    out.push_str("</vpn_connection>\n");
    out
}
