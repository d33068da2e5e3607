//! Server host keys: generated (Ed25519) when CreateServer gives none,
//! else parsed from what it gives (OpenSSH, PKCS#8 or PEM RSA); shown as
//! AWS shows them, by SHA-256 fingerprint.

use landbridge_api::ApiError;
use russh::keys::{HashAlg, PrivateKey};

use crate::errors;

pub fn generate() -> Result<PrivateKey, ApiError> {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let pair = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed);
    Ok(PrivateKey::from(pair))
}

pub fn parse(text: &str) -> Result<PrivateKey, ApiError> {
    russh::keys::decode_secret_key(text.trim(), None)
        .map_err(|_| errors::invalid("Unsupported or invalid host key: give an RSA, ECDSA or ED25519 private key"))
}

pub fn to_openssh(key: &PrivateKey) -> Result<String, ApiError> {
    key.to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .map(|z| z.to_string())
        .map_err(|e| errors::internal(format!("encoding a host key: {e}")))
}

/// `SHA256:<base64>`, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}
