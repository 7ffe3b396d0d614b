//! Keys: Ed25519 key pairs (PKCS#8 / SPKI PEM) for local signing, AWS KMS ECDSA P-256
//! keys for KMS signing, and the public keys a verifier trusts. A key id is the
//! lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo DER.

use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer as _, SigningKey};
use p256::pkcs8::LineEnding;
use zeroize::Zeroizing;

use crate::digest::sha256_hex;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("cannot create random key material: {0}")]
    Random(String),
    #[error("{0}")]
    Invalid(String),
}

fn file_err(path: &Path, message: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// A public key a verifier trusts.
#[derive(Debug, Clone, PartialEq)]
pub enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    EcdsaP256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(text) {
            return Ok(PublicKey::Ed25519(k));
        }
        p256::PublicKey::from_public_key_pem(text)
            .map(|k| PublicKey::EcdsaP256(k.into()))
            .map_err(|_| {
                KeyError::Invalid("not an Ed25519 or ECDSA P-256 public key (SPKI PEM)".into())
            })
    }

    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
            return Ok(PublicKey::Ed25519(k));
        }
        p256::PublicKey::from_public_key_der(der)
            .map(|k| PublicKey::EcdsaP256(k.into()))
            .map_err(|_| {
                KeyError::Invalid("not an Ed25519 or ECDSA P-256 public key (SPKI DER)".into())
            })
    }

    pub fn load(path: &Path) -> Result<PublicKey, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|e| file_err(path, e))?;
        PublicKey::from_pem(&text).map_err(|e| file_err(path, e))
    }

    pub fn spki_der(&self) -> Vec<u8> {
        let der = match self {
            PublicKey::Ed25519(k) => k.to_public_key_der(),
            PublicKey::EcdsaP256(k) => p256::PublicKey::from(k).to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    pub fn to_pem(&self) -> String {
        match self {
            PublicKey::Ed25519(k) => k.to_public_key_pem(LineEnding::LF).unwrap_or_default(),
            PublicKey::EcdsaP256(k) => p256::PublicKey::from(k)
                .to_public_key_pem(LineEnding::LF)
                .unwrap_or_default(),
        }
    }

    pub fn keyid(&self) -> String {
        sha256_hex(&self.spki_der())
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::EcdsaP256(_) => "ecdsa-p256-sha256",
        }
    }

    /// Checks `sig` over `message` (Ed25519; or ECDSA P-256 with SHA-256, DER signature).
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        use ed25519_dalek::Verifier as _;
        match self {
            PublicKey::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify(message, &s).is_ok()),
            PublicKey::EcdsaP256(k) => {
                use p256::ecdsa::signature::Verifier as _;
                p256::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
        }
    }
}

/// A local Ed25519 signing key; its secret is zeroised when dropped.
pub struct LocalKey {
    key: SigningKey,
}

impl LocalKey {
    pub fn generate() -> Result<LocalKey, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(LocalKey {
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn load(path: &Path) -> Result<LocalKey, KeyError> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| file_err(path, e))?);
        SigningKey::from_pkcs8_pem(&text)
            .map(|key| LocalKey { key })
            .map_err(|_| file_err(path, "not an Ed25519 private key (PKCS#8 PEM); create one with `dms-evidence keygen`"))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey::Ed25519(self.key.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).to_bytes().to_vec()
    }

    /// Writes the private key (PKCS#8 v1 PEM as RFC 8410 gives it, which OpenSSL and
    /// pyca/cryptography read; mode 0600) and the public key (SPKI PEM). Both or
    /// neither: never overwrites, and leaves nothing behind on any error (full disk).
    pub fn write(&self, private: &Path, public: &Path) -> Result<(), KeyError> {
        for path in [private, public] {
            if path.symlink_metadata().is_ok() {
                return Err(file_err(path, "exists (keys are never overwritten)"));
            }
        }
        let pem = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Invalid(e.to_string()))?;
        write_new(private, pem.as_bytes(), 0o600)?;
        if let Err(e) = write_new(public, self.public().to_pem().as_bytes(), 0o644) {
            let _ = std::fs::remove_file(private);
            return Err(e);
        }
        Ok(())
    }
}

/// Writes a new file atomically: to a temporary file in the same folder, then linked
/// into place only if nothing is there yet; the temporary file is removed whatever
/// happens, so a failure leaves nothing behind.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    crate::files::write(path, bytes, mode, crate::files::Existing::Keep).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            file_err(path, format!("{e} (keys are never overwritten)"))
        } else {
            file_err(path, e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_writes_0600_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let (private, public) = (dir.path().join("k.pem"), dir.path().join("k.pub.pem"));
        let key = LocalKey::generate().expect("key");
        key.write(&private, &public).expect("write");
        assert_eq!(
            std::fs::metadata(&private)
                .expect("meta")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        assert!(key.write(&private, &public).is_err(), "never overwrites");
        let pem = std::fs::read_to_string(&private).expect("pem");
        // PKCS#8 v1 (RFC 8410): 48 bytes of DER, no public key inside.
        assert_eq!(pem.lines().nth(1).map(str::len), Some(64));
        let der = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            pem.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .expect("base64");
        assert_eq!(der.len(), 48);
        // Both or neither: a public-key path that exists leaves no private key behind.
        let fresh = dir.path().join("new.pem");
        let other = LocalKey::generate().expect("key");
        assert!(other.write(&fresh, &public).is_err());
        assert!(!fresh.exists(), "no private key left behind");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            2,
            "no temporary files"
        );
        let loaded = LocalKey::load(&private).expect("load");
        let trusted = PublicKey::load(&public).expect("public");
        assert_eq!(trusted, key.public());
        assert_eq!(trusted.keyid().len(), 64);
        let sig = loaded.sign(b"message");
        assert!(trusted.verify(b"message", &sig));
        assert!(!trusted.verify(b"massage", &sig));
        assert!(
            PublicKey::load(&private).is_err(),
            "a private key is not a public key"
        );
        assert!(LocalKey::load(&public).is_err());
    }
}
