//! Key grants: how a data-key rotation hands the new data key to key slots whose
//! secrets it does not know (every staff member's password).
//!
//! Each key slot holds an X25519 key pair; its private half is sealed under the slot's
//! own key-encryption key, so only the slot's secret opens it. A rotation seals the new
//! data key to each slot's public half (a libsodium sealed box, `crypto_box`); the
//! slot's owner opens it at their next sign-on, and the slot is re-wrapped then.
//! Knowing the old data key therefore gives no way to the new one.

use crypto_box::aead::OsRng;
use zeroize::Zeroizing;

use super::secret::{SecretKey, random_array};

/// Bytes of an X25519 public key.
pub const PUBLIC_LEN: usize = 32;

/// A slot's grant key pair. The private key is zeroised when dropped (by `crypto_box`).
pub struct GrantKeyPair {
    secret: crypto_box::SecretKey,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrantError {
    #[error("the key grant does not open with this key slot (it was made for another)")]
    WrongSlot,
    #[error("the key grant is malformed")]
    Malformed,
}

impl GrantKeyPair {
    pub fn generate() -> Self {
        let bytes = Zeroizing::new(random_array::<32>());
        Self {
            secret: crypto_box::SecretKey::from_bytes(*bytes),
        }
    }

    pub fn from_secret(bytes: &[u8; 32]) -> Self {
        Self {
            secret: crypto_box::SecretKey::from_bytes(*bytes),
        }
    }

    pub fn public(&self) -> [u8; PUBLIC_LEN] {
        self.secret.public_key().to_bytes()
    }

    /// The private key's bytes, to be sealed into the slot.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// Opens a grant sealed to this pair's public key: the data key and its generation.
    pub fn open(&self, sealed: &[u8]) -> Result<(SecretKey, u32), GrantError> {
        let plain = Zeroizing::new(
            self.secret
                .unseal(sealed)
                .map_err(|_| GrantError::WrongSlot)?,
        );
        if plain.len() != 4 + 32 {
            return Err(GrantError::Malformed);
        }
        let generation = u32::from_be_bytes([plain[0], plain[1], plain[2], plain[3]]);
        let dek = SecretKey::from_slice(&plain[4..]).ok_or(GrantError::Malformed)?;
        Ok((dek, generation))
    }
}

/// Seals `dek` of `generation` to a slot's public key; only that slot's secret opens it.
pub fn seal(public: &[u8; PUBLIC_LEN], dek: &SecretKey, generation: u32) -> Vec<u8> {
    let mut plain = Zeroizing::new(Vec::with_capacity(36));
    plain.extend_from_slice(&generation.to_be_bytes());
    plain.extend_from_slice(dek.expose());
    // Sealing fails only when the system's random source does.
    #[allow(clippy::expect_used)]
    crypto_box::PublicKey::from_bytes(*public)
        .seal(&mut OsRng, &plain)
        .expect("sealing a key grant")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_opens_with_its_pair_only() {
        let pair = GrantKeyPair::generate();
        let other = GrantKeyPair::generate();
        let dek = SecretKey::random();
        let sealed = seal(&pair.public(), &dek, 7);
        let (opened, generation) = pair.open(&sealed).unwrap();
        assert_eq!(opened, dek);
        assert_eq!(generation, 7);
        assert_eq!(other.open(&sealed).unwrap_err(), GrantError::WrongSlot);
        let again = GrantKeyPair::from_secret(&pair.secret_bytes());
        assert_eq!(again.public(), pair.public());
        assert!(again.open(&sealed).is_ok());
    }
}
