//! Security policies: the algorithms a server offers, as AWS's "Security
//! policies for AWS Transfer Family servers" lists them, in its order.
//! DescribeSecurityPolicy returns those lists whole; the SSH listener
//! offers the ones russh implements (all but the UMAC MACs and the two
//! NIST ML-KEM hybrids), so a client that wants anything else is refused.
//! FTPS offers the policy's TLS 1.2 suites that rustls has (the ECDHE
//! AES-GCM ones; not the CBC or static-RSA ones), and TLS 1.2 only, as the
//! policies name no TLS 1.3 suite.

use std::borrow::Cow;

use landbridge_api::ApiError;
use landbridge_api::transfer::*;

use crate::errors;

/// What CreateServer attaches when no policy is named (through the API;
/// CloudFormation's default is 2018-11).
pub const DEFAULT: &str = "TransferSecurityPolicy-2024-01";

struct Policy {
    name: &'static str,
    fips: bool,
    ciphers: &'static [&'static str],
    kexs: &'static [&'static str],
    macs: &'static [&'static str],
    tls: &'static [&'static str],
}

const CHACHA: &str = "chacha20-poly1305@openssh.com";
const CIPHERS_2018: &[&str] = &[
    CHACHA,
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
];
const CIPHERS_2018_RESTRICTED: &[&str] = &[
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
];
const CIPHERS_2022: &[&str] = &[
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
];
const CIPHERS_2024: &[&str] = &[
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes256-ctr",
    "aes192-ctr",
];
const CIPHERS_2025: &[&str] = &[
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes128-ctr",
    "aes256-ctr",
    "aes192-ctr",
];
const CIPHERS_FIPS_2025: &[&str] = &[
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
];

const KEX_2018: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
];
const KEX_2020: &[&str] = &[
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
];
const KEX_2022: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_2024: &[&str] = &[
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_AUDIT_2025: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_2025: &[&str] = &[
    "mlkem768x25519-sha256",
    "mlkem768nistp256-sha256",
    "mlkem1024nistp384-sha384",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_FIPS_2023: &[&str] = &[
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_FIPS_2024: &[&str] = &[
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
];
const KEX_FIPS_2025: &[&str] = &[
    "mlkem768x25519-sha256",
    "mlkem768nistp256-sha256",
    "mlkem1024nistp384-sha384",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
];

const MACS_2018: &[&str] = &[
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
];
const MACS_2020: &[&str] = &[
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
];
const MACS_2022: &[&str] = &[
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512",
    "hmac-sha2-256",
];
const MACS_FIPS_2020: &[&str] = &[
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
];
const MACS_ETM: &[&str] = &["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"];
const MACS_ETM_512_FIRST: &[&str] = &["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"];

const TLS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
];
const TLS_2018: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
];

const fn policy(
    name: &'static str,
    fips: bool,
    ciphers: &'static [&'static str],
    kexs: &'static [&'static str],
    macs: &'static [&'static str],
) -> Policy {
    Policy {
        name,
        fips,
        ciphers,
        kexs,
        macs,
        tls: TLS,
    }
}

/// AWS's server policies. The Restricted ones are their parents without
/// chacha20-poly1305; FIPS-2024-05 is FIPS-2024-01 without `ssh-rsa` host
/// keys, which Landbridge's host keys never use.
const POLICIES: &[Policy] = &[
    Policy {
        tls: TLS_2018,
        ..policy(
            "TransferSecurityPolicy-2018-11",
            false,
            CIPHERS_2018,
            KEX_2018,
            MACS_2018,
        )
    },
    policy(
        "TransferSecurityPolicy-2020-06",
        false,
        CIPHERS_2018,
        KEX_2020,
        MACS_2020,
    ),
    policy(
        "TransferSecurityPolicy-2022-03",
        false,
        CIPHERS_2022,
        KEX_2022,
        MACS_2022,
    ),
    policy(
        "TransferSecurityPolicy-2023-05",
        false,
        CIPHERS_2022,
        KEX_2022,
        MACS_ETM_512_FIRST,
    ),
    policy(
        "TransferSecurityPolicy-2024-01",
        false,
        CIPHERS_2024,
        KEX_2024,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-SshAuditCompliant-2025-02",
        false,
        CIPHERS_2024,
        KEX_AUDIT_2025,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-2025-03",
        false,
        CIPHERS_2025,
        KEX_2025,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-FIPS-2020-06",
        true,
        CIPHERS_2018_RESTRICTED,
        KEX_2020,
        MACS_FIPS_2020,
    ),
    policy(
        "TransferSecurityPolicy-FIPS-2023-05",
        true,
        CIPHERS_2022,
        KEX_FIPS_2023,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-FIPS-2024-01",
        true,
        CIPHERS_2024,
        KEX_FIPS_2024,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-FIPS-2024-05",
        true,
        CIPHERS_2024,
        KEX_FIPS_2024,
        MACS_ETM,
    ),
    policy(
        "TransferSecurityPolicy-FIPS-2025-03",
        true,
        CIPHERS_FIPS_2025,
        KEX_FIPS_2025,
        MACS_ETM_512_FIRST,
    ),
    Policy {
        tls: TLS_2018,
        ..policy(
            "TransferSecurityPolicy-Restricted-2018-11",
            false,
            CIPHERS_2018_RESTRICTED,
            KEX_2018,
            MACS_2018,
        )
    },
    policy(
        "TransferSecurityPolicy-Restricted-2020-06",
        false,
        CIPHERS_2018_RESTRICTED,
        KEX_2020,
        MACS_2020,
    ),
];

fn named(name: &str) -> Option<&'static Policy> {
    POLICIES.iter().find(|p| p.name == name)
}

pub fn find(name: &str) -> Result<(), ApiError> {
    named(name)
        .map(|_| ())
        .ok_or_else(|| errors::invalid(format!("Unknown security policy: {name}")))
}

/// The algorithms the SSH listener offers under policy `name`: the
/// policy's, those russh implements, in the policy's order.
pub fn preferred(name: &str) -> russh::Preferred {
    let Some(p) = named(name) else {
        return russh::Preferred::default();
    };
    let mut kex: Vec<russh::kex::Name> = p
        .kexs
        .iter()
        .filter_map(|k| russh::kex::Name::try_from(*k).ok())
        .collect();
    // The protocol extensions a server advertises alongside its key
    // exchanges (RFC 8308, and OpenSSH's strict key exchange).
    kex.extend([
        russh::kex::EXTENSION_SUPPORT_AS_SERVER,
        russh::kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER,
    ]);
    let cipher: Vec<russh::cipher::Name> = p
        .ciphers
        .iter()
        .filter_map(|c| russh::cipher::Name::try_from(*c).ok())
        .collect();
    let mac: Vec<russh::mac::Name> = p
        .macs
        .iter()
        .filter_map(|m| russh::mac::Name::try_from(*m).ok())
        .collect();
    russh::Preferred {
        kex: Cow::Owned(kex),
        cipher: Cow::Owned(cipher),
        mac: Cow::Owned(mac),
        ..russh::Preferred::default()
    }
}

/// The TLS cipher suites (IANA names) policy `name` allows for FTPS.
pub fn tls_ciphers(name: &str) -> &'static [&'static str] {
    named(name).map_or(TLS, |p| p.tls)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: AsRef<str>>(v: &[T]) -> Vec<&str> {
        v.iter().map(|x| x.as_ref()).collect()
    }

    #[test]
    fn policies_offer_their_algorithms_in_their_order() {
        let p = preferred("TransferSecurityPolicy-2022-03");
        assert_eq!(names(&p.cipher), CIPHERS_2022);
        let p2020 = preferred("TransferSecurityPolicy-2020-06");
        let kex = names(&p2020.kex);
        assert!(
            !kex.contains(&"curve25519-sha256") && kex.contains(&"ecdh-sha2-nistp256"),
            "{kex:?}"
        );
        assert!(!names(&preferred(DEFAULT).cipher).contains(&CHACHA));
    }

    #[test]
    fn only_what_russh_lacks_is_left_out() {
        let lacking = [
            "umac-64-etm@openssh.com",
            "umac-128-etm@openssh.com",
            "umac-64@openssh.com",
            "umac-128@openssh.com",
            "mlkem768nistp256-sha256",
            "mlkem1024nistp384-sha384",
        ];
        for p in POLICIES {
            let offered = preferred(p.name);
            let kept = |all: &[&str]| -> Vec<String> {
                all.iter()
                    .filter(|a| !lacking.contains(a))
                    .map(|a| a.to_string())
                    .collect()
            };
            assert_eq!(names(&offered.cipher), kept(p.ciphers), "{}", p.name);
            assert_eq!(names(&offered.mac), kept(p.macs), "{}", p.name);
            // The key exchanges, then the two extensions a server advertises.
            assert_eq!(names(&offered.kex[..offered.kex.len() - 2]), kept(p.kexs), "{}", p.name);
        }
    }
}
