//! Security policies: the algorithms a server offers. For the policies
//! whose algorithms AWS's documentation tabulates (2018-11, 2020-06,
//! FIPS-2020-06, 2022-03) the SSH listener offers exactly those that russh
//! implements; the newer ones are accepted and described, and the listener
//! offers russh's defaults for them.

use std::borrow::Cow;

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
    /// Whether the algorithms are AWS's documented ones, and enforced.
    enforced: bool,
}

const AES_CTR_GCM: &[&str] = &[
    "aes128-ctr",
    "aes128-gcm@openssh.com",
    "aes192-ctr",
    "aes256-ctr",
    "aes256-gcm@openssh.com",
];
const AES_CTR_GCM_CHACHA: &[&str] = &[
    "aes128-ctr",
    "aes128-gcm@openssh.com",
    "aes192-ctr",
    "aes256-ctr",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
];
const SHA2_MACS: &[&str] = &[
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-512",
];
const KEX_2020: &[&str] = &[
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "ecdh-sha2-nistp256",
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
        ciphers: AES_CTR_GCM_CHACHA,
        kexs: &[
            "curve25519-sha256",
            "curve25519-sha256@libssh.org",
            "diffie-hellman-group14-sha256",
            "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512",
            "ecdh-sha2-nistp384",
            "ecdh-sha2-nistp521",
            "diffie-hellman-group-exchange-sha256",
            "ecdh-sha2-nistp256",
            "diffie-hellman-group14-sha1",
        ],
        macs: &[
            "hmac-sha2-256-etm@openssh.com",
            "hmac-sha2-256",
            "hmac-sha2-512-etm@openssh.com",
            "hmac-sha2-512",
            "hmac-sha1-etm@openssh.com",
            "hmac-sha1",
        ],
        enforced: true,
    },
    Policy {
        name: "TransferSecurityPolicy-2020-06",
        fips: false,
        ciphers: AES_CTR_GCM_CHACHA,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: true,
    },
    Policy {
        name: "TransferSecurityPolicy-FIPS-2020-06",
        fips: true,
        ciphers: AES_CTR_GCM,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: true,
    },
    Policy {
        name: "TransferSecurityPolicy-2022-03",
        fips: false,
        ciphers: &[
            "aes128-gcm@openssh.com",
            "aes192-ctr",
            "aes256-ctr",
            "aes256-gcm@openssh.com",
        ],
        kexs: &[
            "curve25519-sha256",
            "curve25519-sha256@libssh.org",
            "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512",
            "diffie-hellman-group-exchange-sha256",
        ],
        macs: SHA2_MACS,
        enforced: true,
    },
    // Newer policies: named and described; their exact algorithms are not
    // reproduced, so the listener offers its defaults.
    Policy {
        name: "TransferSecurityPolicy-2023-05",
        fips: false,
        ciphers: AES_CTR_GCM,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: false,
    },
    Policy {
        name: "TransferSecurityPolicy-2024-01",
        fips: false,
        ciphers: AES_CTR_GCM,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: false,
    },
    Policy {
        name: "TransferSecurityPolicy-FIPS-2023-05",
        fips: true,
        ciphers: AES_CTR_GCM,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: false,
    },
    Policy {
        name: "TransferSecurityPolicy-FIPS-2024-01",
        fips: true,
        ciphers: AES_CTR_GCM,
        kexs: KEX_2020,
        macs: SHA2_MACS,
        enforced: false,
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

/// The algorithms the SSH listener offers under policy `name`: the
/// policy's, those russh implements, in the policy's order.
pub fn preferred(name: &str) -> russh::Preferred {
    let Some(p) = named(name).filter(|p| p.enforced) else {
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
            tls_ciphers: list(TLS),
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

    #[test]
    fn documented_policies_offer_their_algorithms_that_russh_has() {
        let p = preferred("TransferSecurityPolicy-2022-03");
        let ciphers: Vec<&str> = p.cipher.iter().map(|c| c.as_ref()).collect();
        assert_eq!(
            ciphers,
            [
                "aes128-gcm@openssh.com",
                "aes192-ctr",
                "aes256-ctr",
                "aes256-gcm@openssh.com"
            ]
        );
        let p2020 = preferred("TransferSecurityPolicy-2020-06");
        let kex: Vec<&str> = p2020.kex.iter().map(|k| k.as_ref()).collect();
        assert!(
            !kex.contains(&"curve25519-sha256") && kex.contains(&"ecdh-sha2-nistp256"),
            "{kex:?}"
        );
        // Every algorithm of every enforced policy is one russh implements,
        // so nothing documented is silently dropped.
        for p in POLICIES.iter().filter(|p| p.enforced) {
            let offered = preferred(p.name);
            assert_eq!(offered.cipher.len(), p.ciphers.len(), "{}", p.name);
            assert_eq!(offered.kex.len(), p.kexs.len() + 2, "{}", p.name);
            assert_eq!(offered.mac.len(), p.macs.len(), "{}", p.name);
        }
    }
}
