//! A VPN tunnel's options: AWS's allowed values and defaults, inside CIDRs
//! and pre-shared keys generated when absent and validated when given.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use landbridge_api::ApiError;
use landbridge_api::ec2::{ModifyVpnTunnelOptionsSpecification, VpnTunnelOptionsSpecification};
use rand::Rng;

use crate::cidr::Ipv4Cidr;
use crate::errors;
use crate::model::TunnelRec;

pub const PHASE1_ENCRYPTION: &[&str] = &["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"];
pub const PHASE2_ENCRYPTION: &[&str] = PHASE1_ENCRYPTION;
pub const INTEGRITY: &[&str] = &["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"];
pub const PHASE1_DH_GROUPS: &[i32] = &[2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
pub const PHASE2_DH_GROUPS: &[i32] = &[2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
pub const IKE_VERSIONS: &[&str] = &["ikev1", "ikev2"];
const DPD_ACTIONS: &[&str] = &["clear", "none", "restart"];
const STARTUP_ACTIONS: &[&str] = &["add", "start"];

/// /30s of 169.254.0.0/16 AWS keeps for itself.
const RESERVED_INSIDE: &[&str] = &[
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.169.252/30",
];

fn link_local() -> Ipv4Cidr {
    Ipv4Cidr::new(Ipv4Addr::new(169, 254, 0, 0), 16).expect("169.254.0.0/16 is a valid block")
}

/// Whether `text` is a tunnel inside CIDR AWS accepts: a /30 in
/// 169.254.0.0/16 that AWS does not reserve.
fn check_inside_cidr(text: &str) -> Result<Ipv4Cidr, ApiError> {
    let block = Ipv4Cidr::parse(text).filter(|c| c.prefix() == 30 && link_local().contains(*c));
    let Some(block) = block else {
        return Err(errors::invalid(format!(
            "The tunnel inside CIDR {text} is not valid. Specify a size /30 CIDR block from the 169.254.0.0/16 range."
        )));
    };
    if RESERVED_INSIDE.iter().any(|r| Ipv4Cidr::parse(r) == Some(block)) {
        return Err(errors::invalid(format!(
            "The tunnel inside CIDR {text} is reserved and cannot be used."
        )));
    }
    Ok(block)
}

/// A free inside /30 (random, as AWS picks them), not in `taken`.
fn pick_inside_cidr(taken: &BTreeSet<String>) -> String {
    let mut rng = rand::rng();
    loop {
        // The third and fourth octets of a /30's network address.
        let third: u8 = rng.random();
        let fourth: u8 = rng.random_range(0..64) * 4;
        let text = format!("169.254.{third}.{fourth}/30");
        if !taken.contains(&text) && check_inside_cidr(&text).is_ok() {
            return text;
        }
    }
}

/// AWS's key rules: 8 to 64 characters of letters, digits, `.` and `_`,
/// not starting with 0.
fn check_psk(key: &str) -> Result<(), ApiError> {
    let ok = (8..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        && !key.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(errors::invalid(
            "The pre-shared key must be 8 to 64 characters long, contain only letters, digits, periods (.) and underscores (_), and not start with zero (0).",
        ))
    }
}

fn new_psk() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
    let mut rng = rand::rng();
    loop {
        let key: String = (0..32)
            .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
            .collect();
        if !key.starts_with('0') {
            return key;
        }
    }
}

fn in_range(value: Option<i32>, current: i32, min: i32, max: i32, name: &str) -> Result<i32, ApiError> {
    match value {
        None if (min..=max).contains(&current) => Ok(current),
        None => Err(errors::invalid_value(
            &current.to_string(),
            name,
            &format!("It must be between {min} and {max}."),
        )),
        Some(v) if (min..=max).contains(&v) => Ok(v),
        Some(v) => Err(errors::invalid_value(
            &v.to_string(),
            name,
            &format!("It must be between {min} and {max}."),
        )),
    }
}

fn one_of(value: Option<String>, current: String, allowed: &[&str], name: &str) -> Result<String, ApiError> {
    match value {
        None => Ok(current),
        Some(v) if allowed.contains(&v.as_str()) => Ok(v),
        Some(v) => Err(errors::invalid_value(
            &v,
            name,
            &format!("Valid values are {}.", allowed.join(", ")),
        )),
    }
}

/// The requested values of a list option, each one allowed; the current
/// ones when none is requested (AWS permits every value by default).
fn subset<T, A>(requested: Vec<T>, current: Vec<T>, allowed: &[A], name: &str) -> Result<Vec<T>, ApiError>
where
    T: Clone + PartialEq + ToString + PartialEq<A>,
    A: ToString,
{
    if requested.is_empty() {
        return Ok(current);
    }
    if let Some(bad) = requested.iter().find(|v| !allowed.iter().any(|a| *v == a)) {
        return Err(errors::invalid_value(
            &bad.to_string(),
            name,
            &format!(
                "Valid values are {}.",
                allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let mut out: Vec<T> = Vec::new();
    for v in requested {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

fn strings(values: impl IntoIterator<Item = Option<String>>) -> Vec<String> {
    values.into_iter().flatten().collect()
}

fn owned(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// The options a request names (CreateVpnConnection's and
/// ModifyVpnTunnelOptions' specifications carry the same ones); `None`
/// keeps the current (or default) value.
#[derive(Debug, Default)]
pub struct Requested {
    pub inside_cidr: Option<String>,
    pub pre_shared_key: Option<String>,
    pub phase1_lifetime_seconds: Option<i32>,
    pub phase2_lifetime_seconds: Option<i32>,
    pub rekey_margin_time_seconds: Option<i32>,
    pub rekey_fuzz_percentage: Option<i32>,
    pub replay_window_size: Option<i32>,
    pub dpd_timeout_seconds: Option<i32>,
    pub dpd_timeout_action: Option<String>,
    pub phase1_encryption: Vec<String>,
    pub phase2_encryption: Vec<String>,
    pub phase1_integrity: Vec<String>,
    pub phase2_integrity: Vec<String>,
    pub phase1_dh_groups: Vec<i32>,
    pub phase2_dh_groups: Vec<i32>,
    pub ike_versions: Vec<String>,
    pub startup_action: Option<String>,
    pub enable_tunnel_lifecycle_control: Option<bool>,
}

/// Both specifications have the same fields under different type names.
macro_rules! requested_from {
    ($spec:ty) => {
        impl From<$spec> for Requested {
            fn from(s: $spec) -> Self {
                Self {
                    inside_cidr: s.tunnel_inside_cidr,
                    pre_shared_key: s.pre_shared_key,
                    phase1_lifetime_seconds: s.phase1_lifetime_seconds,
                    phase2_lifetime_seconds: s.phase2_lifetime_seconds,
                    rekey_margin_time_seconds: s.rekey_margin_time_seconds,
                    rekey_fuzz_percentage: s.rekey_fuzz_percentage,
                    replay_window_size: s.replay_window_size,
                    dpd_timeout_seconds: s.dpd_timeout_seconds,
                    dpd_timeout_action: s.dpd_timeout_action,
                    phase1_encryption: strings(
                        s.phase1_encryption_algorithms
                            .unwrap_or_default()
                            .into_iter()
                            .map(|v| v.value),
                    ),
                    phase2_encryption: strings(
                        s.phase2_encryption_algorithms
                            .unwrap_or_default()
                            .into_iter()
                            .map(|v| v.value),
                    ),
                    phase1_integrity: strings(
                        s.phase1_integrity_algorithms
                            .unwrap_or_default()
                            .into_iter()
                            .map(|v| v.value),
                    ),
                    phase2_integrity: strings(
                        s.phase2_integrity_algorithms
                            .unwrap_or_default()
                            .into_iter()
                            .map(|v| v.value),
                    ),
                    phase1_dh_groups: s
                        .phase1_dh_group_numbers
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|v| v.value)
                        .collect(),
                    phase2_dh_groups: s
                        .phase2_dh_group_numbers
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|v| v.value)
                        .collect(),
                    ike_versions: strings(s.ike_versions.unwrap_or_default().into_iter().map(|v| v.value)),
                    startup_action: s.startup_action,
                    enable_tunnel_lifecycle_control: s.enable_tunnel_lifecycle_control,
                }
            }
        }
    };
}

requested_from!(VpnTunnelOptionsSpecification);
requested_from!(ModifyVpnTunnelOptionsSpecification);

/// A new tunnel on `outside_ip`: AWS's defaults, a fresh inside CIDR (not
/// in `taken`, the gateway's other tunnels) and key, then what `spec` asks.
pub fn tunnel(
    spec: Requested,
    outside_ip: Ipv4Addr,
    taken: &BTreeSet<String>,
    now_ms: i64,
) -> Result<TunnelRec, ApiError> {
    let defaults = TunnelRec {
        outside_ip: outside_ip.to_string(),
        inside_cidr: pick_inside_cidr(taken),
        pre_shared_key: new_psk(),
        phase1_encryption: owned(PHASE1_ENCRYPTION),
        phase2_encryption: owned(PHASE2_ENCRYPTION),
        phase1_integrity: owned(INTEGRITY),
        phase2_integrity: owned(INTEGRITY),
        phase1_dh_groups: PHASE1_DH_GROUPS.to_vec(),
        phase2_dh_groups: PHASE2_DH_GROUPS.to_vec(),
        ike_versions: owned(IKE_VERSIONS),
        phase1_lifetime_seconds: 28800,
        phase2_lifetime_seconds: 3600,
        rekey_margin_time_seconds: 270,
        rekey_fuzz_percentage: 100,
        replay_window_size: 1024,
        dpd_timeout_seconds: 30,
        dpd_timeout_action: "clear".to_string(),
        startup_action: "add".to_string(),
        enable_tunnel_lifecycle_control: false,
        status_changed_ms: now_ms,
    };
    apply(defaults, spec, taken)
}

/// `base` with what `spec` names changed, each value checked as AWS
/// checks it; an inside CIDR must not be in `taken`.
pub fn apply(base: TunnelRec, spec: Requested, taken: &BTreeSet<String>) -> Result<TunnelRec, ApiError> {
    let inside_cidr = match spec.inside_cidr {
        Some(text) => {
            let block = check_inside_cidr(&text)?;
            let canonical = format!("{}/30", block.network());
            if taken.contains(&canonical) {
                return Err(errors::invalid(format!(
                    "The tunnel inside CIDR {text} is already in use by another VPN tunnel on this gateway."
                )));
            }
            canonical
        }
        None => base.inside_cidr,
    };
    let pre_shared_key = match spec.pre_shared_key {
        Some(key) => {
            check_psk(&key)?;
            key
        }
        None => base.pre_shared_key,
    };
    let phase2_lifetime_seconds = in_range(
        spec.phase2_lifetime_seconds,
        base.phase2_lifetime_seconds,
        900,
        3600,
        "Phase2LifetimeSeconds",
    )?;
    // At most half of phase 2's lifetime.
    let rekey_margin_time_seconds = in_range(
        spec.rekey_margin_time_seconds,
        base.rekey_margin_time_seconds,
        60,
        phase2_lifetime_seconds / 2,
        "RekeyMarginTimeSeconds",
    )?;
    Ok(TunnelRec {
        inside_cidr,
        pre_shared_key,
        phase1_encryption: subset(
            spec.phase1_encryption,
            base.phase1_encryption,
            PHASE1_ENCRYPTION,
            "Phase1EncryptionAlgorithms",
        )?,
        phase2_encryption: subset(
            spec.phase2_encryption,
            base.phase2_encryption,
            PHASE2_ENCRYPTION,
            "Phase2EncryptionAlgorithms",
        )?,
        phase1_integrity: subset(
            spec.phase1_integrity,
            base.phase1_integrity,
            INTEGRITY,
            "Phase1IntegrityAlgorithms",
        )?,
        phase2_integrity: subset(
            spec.phase2_integrity,
            base.phase2_integrity,
            INTEGRITY,
            "Phase2IntegrityAlgorithms",
        )?,
        phase1_dh_groups: subset(
            spec.phase1_dh_groups,
            base.phase1_dh_groups,
            PHASE1_DH_GROUPS,
            "Phase1DHGroupNumbers",
        )?,
        phase2_dh_groups: subset(
            spec.phase2_dh_groups,
            base.phase2_dh_groups,
            PHASE2_DH_GROUPS,
            "Phase2DHGroupNumbers",
        )?,
        ike_versions: subset(spec.ike_versions, base.ike_versions, IKE_VERSIONS, "IKEVersions")?,
        phase1_lifetime_seconds: in_range(
            spec.phase1_lifetime_seconds,
            base.phase1_lifetime_seconds,
            900,
            28800,
            "Phase1LifetimeSeconds",
        )?,
        phase2_lifetime_seconds,
        rekey_margin_time_seconds,
        rekey_fuzz_percentage: in_range(
            spec.rekey_fuzz_percentage,
            base.rekey_fuzz_percentage,
            0,
            100,
            "RekeyFuzzPercentage",
        )?,
        replay_window_size: in_range(
            spec.replay_window_size,
            base.replay_window_size,
            64,
            2048,
            "ReplayWindowSize",
        )?,
        dpd_timeout_seconds: in_range(
            spec.dpd_timeout_seconds,
            base.dpd_timeout_seconds,
            30,
            i32::MAX,
            "DPDTimeoutSeconds",
        )?,
        dpd_timeout_action: one_of(
            spec.dpd_timeout_action,
            base.dpd_timeout_action,
            DPD_ACTIONS,
            "DPDTimeoutAction",
        )?,
        startup_action: one_of(
            spec.startup_action,
            base.startup_action,
            STARTUP_ACTIONS,
            "StartupAction",
        )?,
        enable_tunnel_lifecycle_control: spec
            .enable_tunnel_lifecycle_control
            .unwrap_or(base.enable_tunnel_lifecycle_control),
        ..base
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_cidrs_are_link_local_slash_30s_aws_does_not_reserve() {
        assert!(check_inside_cidr("169.254.10.0/30").is_ok());
        for bad in [
            "169.254.10.0/29",
            "10.0.0.0/30",
            "169.254.5.0/30",
            "169.254.169.252/30",
            "x",
        ] {
            assert!(check_inside_cidr(bad).is_err(), "{bad}");
        }
        let taken: BTreeSet<String> = ["169.254.10.0/30".to_string()].into();
        for _ in 0..100 {
            let picked = pick_inside_cidr(&taken);
            assert!(
                check_inside_cidr(&picked).is_ok() && !taken.contains(&picked),
                "{picked}"
            );
        }
    }

    #[test]
    fn pre_shared_keys_follow_aws_rules() {
        assert!(check_psk("abc.def_123").is_ok());
        for bad in ["short", "0starts.with.zero", "has-dash-inside", &"a".repeat(65)] {
            assert!(check_psk(bad).is_err(), "{bad}");
        }
        for _ in 0..100 {
            assert!(check_psk(&new_psk()).is_ok());
        }
    }

    #[test]
    fn defaults_are_aws_defaults() {
        let t = tunnel(Requested::default(), Ipv4Addr::new(127, 100, 0, 1), &BTreeSet::new(), 0).unwrap();
        assert_eq!(
            (
                t.phase1_lifetime_seconds,
                t.phase2_lifetime_seconds,
                t.rekey_margin_time_seconds
            ),
            (28800, 3600, 270)
        );
        assert_eq!(
            (t.rekey_fuzz_percentage, t.replay_window_size, t.dpd_timeout_seconds),
            (100, 1024, 30)
        );
        assert_eq!(
            (t.dpd_timeout_action.as_str(), t.startup_action.as_str()),
            ("clear", "add")
        );
        assert_eq!(t.phase1_dh_groups, PHASE1_DH_GROUPS);
        assert_eq!(t.ike_versions, IKE_VERSIONS);
    }
}
