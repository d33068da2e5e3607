//! Security policies: the algorithms a server offers. Landbridge's SSH
//! server negotiates from its own set whichever policy is named; the
//! policies are kept so that servers name real ones and describe them.

use landbridge_api::ApiError;
use landbridge_api::transfer::*;

use crate::errors;

pub const DEFAULT: &str = "TransferSecurityPolicy-2018-11";

struct Policy {
    name: &'static str,
    fips: bool,
    ciphers: &'static [&'static str],
    kexs: &'static [&'static str],
    macs: &'static [&'static str],
    tls: &'static [&'static str],
}

const MODERN_CIPHERS: &[&str] = &[
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
];
const MODERN_KEXS: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const MODERN_MACS: &[&str] = &[
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
];
const TLS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
];

const POLICIES: &[Policy] = &[
    Policy {
        name: "TransferSecurityPolicy-2018-11",
        fips: false,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-2020-06",
        fips: false,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-2022-03",
        fips: false,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-2023-05",
        fips: false,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-2024-01",
        fips: false,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-FIPS-2020-06",
        fips: true,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
    Policy {
        name: "TransferSecurityPolicy-FIPS-2024-01",
        fips: true,
        ciphers: MODERN_CIPHERS,
        kexs: MODERN_KEXS,
        macs: MODERN_MACS,
        tls: TLS,
    },
];

fn named(name: &str) -> Option<&'static Policy> {
    POLICIES.iter().find(|p| p.name == name)
}

pub fn find(name: &str) -> Result<(), ApiError> {
    named(name)
        .map(|_| ())
        .ok_or_else(|| errors::invalid(format!("Unknown security policy: {name}")))
}

pub fn describe(input: DescribeSecurityPolicyRequest) -> Result<DescribeSecurityPolicyResponse, ApiError> {
    let p = named(&input.security_policy_name)
        .ok_or_else(|| errors::not_found("security policy", &input.security_policy_name))?;
    let list = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
    Ok(DescribeSecurityPolicyResponse {
        security_policy: DescribedSecurityPolicy {
            fips: Some(p.fips),
            security_policy_name: p.name.to_string(),
            ssh_ciphers: list(p.ciphers),
            ssh_kexs: list(p.kexs),
            ssh_macs: list(p.macs),
            tls_ciphers: list(p.tls),
            r#type: Some(SecurityPolicyResourceType::Server),
            protocols: Some(vec![SecurityPolicyProtocol::Sftp, SecurityPolicyProtocol::Ftps]),
            ..Default::default()
        },
    })
}

pub fn list(input: ListSecurityPoliciesRequest) -> Result<ListSecurityPoliciesResponse, ApiError> {
    let names: Vec<String> = POLICIES.iter().map(|p| p.name.to_string()).collect();
    let (security_policy_names, next_token) = crate::tags::page(names, input.max_results, input.next_token.as_deref())?;
    Ok(ListSecurityPoliciesResponse {
        next_token,
        security_policy_names,
    })
}
