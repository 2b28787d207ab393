//! Key grants: how a data-key rotation hands the new data key to key slots whose
//! secrets it does not know (every staff member's password).
//!
//! Each key slot holds a key pair of the store's suite; its private half is sealed
//! under the slot's own key-encryption key, so only the slot's secret opens it. A
//! rotation seals the new data key to each slot's public half — a libsodium sealed box
//! (X25519, `crypto_box`), or SM2 public-key encryption (GM/T 0003.4, `sm2`) under 国密
//! — and the slot's owner opens it at their next sign-on, when the slot is re-wrapped.
//! Knowing the old data key therefore gives no way to the new one.
//!
//! Both public halves are 32 bytes as stored: an SM2 key pair is made with an even-y
//! public point (the secret negated when it is not), so its x-coordinate names it.

use crypto_box::aead::OsRng;
use sm2::elliptic_curve::sec1::ToSec1Point;
use zeroize::Zeroizing;

use super::secret::{SecretKey, random_array};
use super::suite::{self, Suite};

/// Bytes of a grant public key as stored.
pub const PUBLIC_LEN: usize = 32;

/// A slot's grant key pair. The private key is zeroised when dropped (by the crates).
pub enum GrantKeyPair {
    X25519(crypto_box::SecretKey),
    Sm2(sm2::SecretKey),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrantError {
    #[error("the key grant does not open with this key slot (it was made for another)")]
    WrongSlot,
    #[error("the key grant is malformed")]
    Malformed,
}

/// An SM2 secret whose public point has an even y (negated if it had not).
fn sm2_even(secret: sm2::SecretKey) -> sm2::SecretKey {
    let odd = secret.public_key().to_sec1_point(true).as_bytes()[0] == 0x03;
    if odd {
        sm2::SecretKey::from(-secret.to_nonzero_scalar())
    } else {
        secret
    }
}

impl GrantKeyPair {
    /// A new pair of this process's suite.
    pub fn generate() -> Self {
        loop {
            let bytes = Zeroizing::new(random_array::<32>());
            if let Some(pair) = Self::from_secret_as(suite::current(), &bytes) {
                return pair;
            }
        }
    }

    /// The pair of this process's suite from its stored secret; `None` for bytes that
    /// are no SM2 scalar (never what `generate` made).
    pub fn from_secret(bytes: &[u8; 32]) -> Option<Self> {
        Self::from_secret_as(suite::current(), bytes)
    }

    /// `None` for bytes that are no SM2 scalar (zero or past the group order: for
    /// random bytes about one chance in 2^32).
    pub fn from_secret_as(suite: Suite, bytes: &[u8; 32]) -> Option<Self> {
        match suite {
            Suite::Standard => Some(Self::X25519(crypto_box::SecretKey::from_bytes(*bytes))),
            Suite::Sm => sm2::SecretKey::from_slice(bytes)
                .ok()
                .map(|s| Self::Sm2(sm2_even(s))),
        }
    }

    pub fn public(&self) -> [u8; PUBLIC_LEN] {
        match self {
            Self::X25519(secret) => secret.public_key().to_bytes(),
            Self::Sm2(secret) => {
                let point = secret.public_key().to_sec1_point(true);
                let mut x = [0u8; PUBLIC_LEN];
                x.copy_from_slice(&point.as_bytes()[1..]);
                x
            }
        }
    }

    /// The private key's bytes, to be sealed into the slot.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        match self {
            Self::X25519(secret) => Zeroizing::new(secret.to_bytes()),
            Self::Sm2(secret) => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                bytes.copy_from_slice(&secret.to_bytes());
                bytes
            }
        }
    }

    /// Opens bytes sealed to this pair's public key (`seal_bytes`).
    pub fn open_bytes(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, GrantError> {
        Ok(Zeroizing::new(match self {
            Self::X25519(secret) => secret.unseal(sealed).map_err(|_| GrantError::WrongSlot)?,
            Self::Sm2(secret) => sm2::pke::DecryptingKey::new(secret.clone())
                .decrypt(sealed)
                .map_err(|_| GrantError::WrongSlot)?,
        }))
    }

    /// Opens a grant sealed to this pair's public key: the data key and its generation.
    pub fn open(&self, sealed: &[u8]) -> Result<(SecretKey, u32), GrantError> {
        let plain = self.open_bytes(sealed)?;
        if plain.len() != 4 + 32 {
            return Err(GrantError::Malformed);
        }
        let generation = u32::from_be_bytes([plain[0], plain[1], plain[2], plain[3]]);
        let dek = SecretKey::from_slice(&plain[4..]).ok_or(GrantError::Malformed)?;
        Ok((dek, generation))
    }
}

/// Seals `dek` of `generation` to a slot's public key with this process's suite; only
/// that slot's secret opens it. A stored public key that is no point (a damaged or
/// altered slot) is refused, never a panic.
pub fn seal(
    public: &[u8; PUBLIC_LEN],
    dek: &SecretKey,
    generation: u32,
) -> Result<Vec<u8>, GrantError> {
    seal_as(suite::current(), public, dek, generation)
}

fn seal_as(
    suite: Suite,
    public: &[u8; PUBLIC_LEN],
    dek: &SecretKey,
    generation: u32,
) -> Result<Vec<u8>, GrantError> {
    let mut plain = Zeroizing::new(Vec::with_capacity(36));
    plain.extend_from_slice(&generation.to_be_bytes());
    plain.extend_from_slice(dek.expose());
    seal_bytes_as(suite, public, &plain)
}

/// Seals any bytes to a public key of this process's suite (a sealed box, or SM2).
pub fn seal_bytes(public: &[u8; PUBLIC_LEN], plain: &[u8]) -> Result<Vec<u8>, GrantError> {
    seal_bytes_as(suite::current(), public, plain)
}

fn seal_bytes_as(
    suite: Suite,
    public: &[u8; PUBLIC_LEN],
    plain: &[u8],
) -> Result<Vec<u8>, GrantError> {
    match suite {
        Suite::Standard => crypto_box::PublicKey::from_bytes(*public)
            .seal(&mut OsRng, plain)
            .map_err(|_| GrantError::Malformed),
        Suite::Sm => {
            let mut point = [0u8; 1 + PUBLIC_LEN];
            point[0] = 0x02;
            point[1..].copy_from_slice(public);
            sm2::pke::EncryptingKey::from_sec1_bytes(&point)
                .map_err(|_| GrantError::Malformed)?
                .encrypt(&mut getrandom04::SysRng, plain)
                .map_err(|_| GrantError::Malformed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_pair(suite: Suite) -> GrantKeyPair {
        loop {
            if let Some(pair) = GrantKeyPair::from_secret_as(suite, &random_array()) {
                return pair;
            }
        }
    }

    #[test]
    fn a_grant_opens_with_its_pair_only_in_both_suites() {
        for suite in [Suite::Standard, Suite::Sm] {
            let pair = new_pair(suite);
            let other = new_pair(suite);
            let dek = SecretKey::random();
            let sealed = seal_as(suite, &pair.public(), &dek, 7).unwrap();
            let (opened, generation) = pair.open(&sealed).unwrap();
            assert_eq!(opened, dek);
            assert_eq!(generation, 7);
            assert_eq!(other.open(&sealed).unwrap_err(), GrantError::WrongSlot);
            let again = GrantKeyPair::from_secret_as(suite, &pair.secret_bytes()).unwrap();
            assert_eq!(again.public(), pair.public());
            assert!(again.open(&sealed).is_ok());
        }
    }

    #[test]
    fn an_sm2_grant_is_sm2_encryption_to_the_even_point_of_the_stored_x() {
        let pair = new_pair(Suite::Sm);
        let GrantKeyPair::Sm2(secret) = &pair else {
            panic!("an SM2 pair")
        };
        assert_eq!(secret.public_key().to_sec1_point(true).as_bytes()[0], 0x02);
        let sealed = seal_as(Suite::Sm, &pair.public(), &SecretKey::random(), 1).unwrap();
        // A stored x that is no curve point is refused, not a panic.
        assert_eq!(
            seal_as(Suite::Sm, &[0xff; 32], &SecretKey::random(), 1),
            Err(GrantError::Malformed)
        );
        // C1 (65-byte point) ‖ C3 (SM3, 32) ‖ C2 (36): GM/T 0003.4's C1C3C2.
        assert_eq!(sealed.len(), 65 + 32 + 36);
        assert_eq!(sealed[0], 0x04);
    }
}
