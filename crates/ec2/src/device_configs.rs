//! Sample configurations for the customer's device
//! (GetVpnConnectionDeviceTypes, GetVpnConnectionDeviceSampleConfiguration):
//! strongSwan's swanctl.conf with a BIRD or an FRR BGP section, and a
//! vendor-agnostic listing, all written from the connection's real values.

use std::fmt::Write;

use crate::gateway_config::inside_addresses;
use crate::model::{TunnelRec, VpnConnectionRec};

pub struct DeviceType {
    pub id: &'static str,
    pub vendor: &'static str,
    pub platform: &'static str,
    pub software: &'static str,
    render: fn(&Sample<'_>) -> String,
}

pub const DEVICE_TYPES: &[DeviceType] = &[
    DeviceType {
        id: "9005b6c1",
        vendor: "Generic",
        platform: "Generic",
        software: "Vendor Agnostic",
        render: generic,
    },
    DeviceType {
        id: "7125681a",
        vendor: "Strongswan",
        platform: "Linux",
        software: "strongSwan 5.9 (swanctl) with BIRD 2",
        render: strongswan_bird,
    },
    DeviceType {
        id: "3b9f41d2",
        vendor: "Strongswan",
        platform: "Linux",
        software: "strongSwan 5.9 (swanctl) with FRR",
        render: strongswan_frr,
    },
];

pub fn device_type(id: &str) -> Option<&'static DeviceType> {
    DEVICE_TYPES.iter().find(|d| d.id == id)
}

/// What a sample configuration is written from.
pub struct Sample<'a> {
    pub connection: &'a VpnConnectionRec,
    pub customer_ip: &'a str,
    pub customer_asn: u32,
    pub amazon_asn: i64,
    /// `ikev1` or `ikev2`, as asked for (else the highest the tunnels allow).
    pub ike_version: &'a str,
}

impl DeviceType {
    pub fn render(&self, sample: &Sample<'_>) -> String {
        (self.render)(sample)
    }
}

fn first<'a>(values: &'a [String], default: &'a str) -> &'a str {
    values.first().map_or(default, String::as_str)
}

/// strongSwan's name for an AWS algorithm, DH group or integrity.
fn cipher(name: &str) -> &'static str {
    match name {
        "AES256" => "aes256",
        "AES128-GCM-16" => "aes128gcm16",
        "AES256-GCM-16" => "aes256gcm16",
        _ => "aes128",
    }
}

fn integrity(name: &str) -> &'static str {
    match name {
        "SHA2-256" => "sha256",
        "SHA2-384" => "sha384",
        "SHA2-512" => "sha512",
        _ => "sha1",
    }
}

fn dh(group: i32) -> String {
    match group {
        2 => "modp1024".into(),
        5 => "modp1536".into(),
        14 => "modp2048".into(),
        15 => "modp3072".into(),
        16 => "modp4096".into(),
        17 => "modp6144".into(),
        18 => "modp8192".into(),
        19 => "ecp256".into(),
        20 => "ecp384".into(),
        21 => "ecp521".into(),
        22 => "modp1024s160".into(),
        23 => "modp2048s224".into(),
        24 => "modp2048s256".into(),
        other => format!("modp{other}"),
    }
}

/// One proposal: the first value the tunnel permits of each kind (AEAD
/// ciphers carry no separate integrity algorithm).
fn proposal(encryption: &[String], integ: &[String], groups: &[i32]) -> String {
    let enc = cipher(first(encryption, "AES128"));
    let group = dh(groups.first().copied().unwrap_or(2));
    if enc.contains("gcm") {
        format!("{enc}-{group}")
    } else {
        format!("{enc}-{}-{group}", integrity(first(integ, "SHA1")))
    }
}

fn dpd_action(aws: &str) -> &'static str {
    match aws {
        "restart" => "restart",
        "none" => "none",
        _ => "clear",
    }
}

fn header(out: &mut String, s: &Sample<'_>, comment: &str) {
    let c = s.connection;
    let _ = writeln!(
        out,
        "{comment} Site-to-Site VPN connection {} ({} routing), for the customer gateway {}.",
        c.id,
        if c.static_routes_only { "static" } else { "BGP" },
        s.customer_ip
    );
    let _ = writeln!(
        out,
        "{comment} Written by Landbridge from the connection's own values; two tunnels, use both."
    );
}

fn swanctl(out: &mut String, s: &Sample<'_>) {
    let c = s.connection;
    let version = if s.ike_version == "ikev1" { 1 } else { 2 };
    out.push_str("# /etc/swanctl/conf.d/");
    out.push_str(&c.id);
    out.push_str(".conf, then `swanctl --load-all`.\n");
    if !c.static_routes_only {
        out.push_str("# Route-based: each tunnel is an XFRM interface carrying its inside /30, one per tunnel:\n");
        for (i, t) in c.tunnels.iter().enumerate() {
            let (_, customer_inside) = inside_addresses(t).unwrap_or_default();
            let _ = writeln!(
                out,
                "#   ip link add xfrm-{c_id}-{n} type xfrm dev lo if_id {if_id} && ip addr add {customer_inside}/30 dev xfrm-{c_id}-{n} && ip link set xfrm-{c_id}-{n} up",
                c_id = short(&c.id),
                n = i + 1,
                if_id = 100 + i + 1,
            );
        }
    }
    out.push_str("connections {\n");
    for (i, t) in c.tunnels.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            out,
            "  {id}-tunnel{n} {{\n    version = {version}\n    local_addrs = {local}\n    remote_addrs = {remote}\n    proposals = {ike}\n    rekey_time = {p1}s\n    dpd_delay = 10s\n    dpd_timeout = {dpd}s\n    local {{\n      auth = psk\n      id = {local}\n    }}\n    remote {{\n      auth = psk\n      id = {remote}\n    }}\n    children {{\n      {id}-tunnel{n} {{\n        local_ts = {local_ts}\n        remote_ts = {remote_ts}\n        esp_proposals = {esp}\n        rekey_time = {p2}s\n        replay_window = {replay}\n        dpd_action = {action}\n        start_action = start\n        mode = tunnel\n",
            id = c.id,
            local = s.customer_ip,
            remote = t.outside_ip,
            ike = proposal(&t.phase1_encryption, &t.phase1_integrity, &t.phase1_dh_groups),
            p1 = t.phase1_lifetime_seconds,
            dpd = t.dpd_timeout_seconds,
            local_ts = if c.static_routes_only {
                c.local_ipv4_network_cidr.as_str()
            } else {
                "0.0.0.0/0"
            },
            remote_ts = if c.static_routes_only {
                c.remote_ipv4_network_cidr.as_str()
            } else {
                "0.0.0.0/0"
            },
            esp = proposal(&t.phase2_encryption, &t.phase2_integrity, &t.phase2_dh_groups),
            p2 = t.phase2_lifetime_seconds,
            replay = t.replay_window_size,
            action = dpd_action(&t.dpd_timeout_action),
        );
        if !c.static_routes_only {
            let _ = writeln!(out, "        if_id_in = {id}\n        if_id_out = {id}", id = 100 + n);
        }
        out.push_str("      }\n    }\n  }\n");
    }
    out.push_str("}\nsecrets {\n");
    for (i, t) in c.tunnels.iter().enumerate() {
        let _ = write!(
            out,
            "  ike-{id}-tunnel{n} {{\n    id-1 = {local}\n    id-2 = {remote}\n    secret = \"{psk}\"\n  }}\n",
            id = c.id,
            n = i + 1,
            local = s.customer_ip,
            remote = t.outside_ip,
            psk = t.pre_shared_key,
        );
    }
    out.push_str("}\n");
}

/// The id's hex part, short enough for an interface name.
fn short(id: &str) -> &str {
    let hex = id.rsplit('-').next().unwrap_or(id);
    &hex[..hex.len().min(6)]
}

/// Until Landbridge runs the IPsec tunnels, its BGP speakers answer on the
/// tunnels' outside addresses (port 179), so the samples say how to reach
/// them directly.
const WITHOUT_IPSEC: &str = "Landbridge without the IPsec tunnel: the session is reached directly,";

fn neighbors(c: &VpnConnectionRec) -> Vec<(usize, &TunnelRec, String, String)> {
    c.tunnels
        .iter()
        .enumerate()
        .filter_map(|(i, t)| inside_addresses(t).map(|(aws, customer)| (i + 1, t, aws, customer)))
        .collect()
}

fn strongswan_bird(s: &Sample<'_>) -> String {
    let mut out = String::new();
    header(&mut out, s, "#");
    swanctl(&mut out, s);
    if s.connection.static_routes_only {
        return out;
    }
    out.push_str("\n# BIRD 2 (bird.conf): one BGP session per tunnel, on its inside addresses.\n");
    for (n, t, aws, customer) in neighbors(s.connection) {
        let _ = write!(
            out,
            "protocol bgp aws_tunnel{n} {{\n  local {customer} as {local_asn};\n  neighbor {aws} as {amazon_asn};\n  # {direct}\n  #   local <an address of yours> as {local_asn}; neighbor {outside} as {amazon_asn}; multihop 2; strict bind yes;\n  hold time 30;\n  keepalive time 10;\n  ipv4 {{\n    import all;\n    export where source = RTS_STATIC;\n  }};\n}}\n",
            local_asn = s.customer_asn,
            amazon_asn = s.amazon_asn,
            direct = WITHOUT_IPSEC,
            outside = t.outside_ip,
        );
    }
    out
}

fn strongswan_frr(s: &Sample<'_>) -> String {
    let mut out = String::new();
    header(&mut out, s, "#");
    swanctl(&mut out, s);
    if s.connection.static_routes_only {
        return out;
    }
    out.push_str("\n! FRR (frr.conf): one BGP session per tunnel, on its inside addresses.\n");
    let _ = writeln!(out, "router bgp {}", s.customer_asn);
    let tunnels = neighbors(s.connection);
    for (_, t, aws, _) in &tunnels {
        let _ = writeln!(
            out,
            " neighbor {aws} remote-as {asn}\n neighbor {aws} timers 10 30\n ! {direct}\n !   neighbor {outside} remote-as {asn}, update-source <an address of yours>, disable-connected-check",
            asn = s.amazon_asn,
            direct = WITHOUT_IPSEC,
            outside = t.outside_ip,
        );
    }
    out.push_str(" address-family ipv4 unicast\n  redistribute static\n");
    for (_, _, aws, _) in &tunnels {
        let _ = writeln!(out, "  neighbor {aws} activate");
    }
    out.push_str(" exit-address-family\n");
    out
}

fn generic(s: &Sample<'_>) -> String {
    let c = s.connection;
    let mut out = String::new();
    header(&mut out, s, "#");
    for (n, t, aws, customer) in neighbors(c) {
        let _ = write!(
            out,
            "\n# Tunnel {n}\nIKE version ............ {ike}\nPre-shared key ......... {psk}\nPhase 1 ................ {p1} ({p1_life} s)\nPhase 2 ................ ESP {p2} ({p2_life} s), tunnel mode\nDPD .................... {dpd} s, action {action}\nCustomer outside ....... {local}\nAWS outside ............ {remote}\nCustomer inside ........ {customer}/30\nAWS inside ............. {aws}/30\n",
            ike = s.ike_version,
            psk = t.pre_shared_key,
            p1 = proposal(&t.phase1_encryption, &t.phase1_integrity, &t.phase1_dh_groups),
            p1_life = t.phase1_lifetime_seconds,
            p2 = proposal(&t.phase2_encryption, &t.phase2_integrity, &t.phase2_dh_groups),
            p2_life = t.phase2_lifetime_seconds,
            dpd = t.dpd_timeout_seconds,
            action = t.dpd_timeout_action,
            local = s.customer_ip,
            remote = t.outside_ip,
        );
        if c.static_routes_only {
            let _ = writeln!(
                out,
                "Routing ................ static, {} behind AWS",
                c.remote_ipv4_network_cidr
            );
        } else {
            let _ = writeln!(
                out,
                "BGP .................... customer AS {} at {customer}, AWS AS {} at {aws}, hold time 30 s",
                s.customer_asn, s.amazon_asn
            );
        }
    }
    out
}
