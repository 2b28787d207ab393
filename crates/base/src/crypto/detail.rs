//! Keys for free text kept outside patient records: audit details (reasons, file and
//! printer names, counts) and alert details.
//!
//! Both keys come from the blind-index key, which outlives data-key rotations: an audit
//! record can never be re-sealed (it is inside the hash chain), so its key must not go
//! when the data key is rotated. The symmetric key seals what an unlocked process
//! writes; a key pair of the store's suite (X25519, or SM2 under 国密) lets a process
//! that holds no key yet (a failed sign-in on a locked store, an account lockout) seal
//! to the public half, which is kept in the clear. Only the unlocked store opens either.

use zeroize::Zeroizing;

use super::blind::BlindIndexKey;
use super::grant::GrantKeyPair;
use super::keys::hkdf_key;
use super::secret::SecretKey;

const SALT: &[u8] = b"caredesk free-text keys";

/// The unlocked store's keys for free text.
pub struct DetailKeys {
    /// The key for envelopes.
    pub symmetric: SecretKey,
    boxed: GrantKeyPair,
}

impl DetailKeys {
    pub fn from_blind(blind: &BlindIndexKey) -> Self {
        let symmetric = hkdf_key(blind.key().expose(), SALT, "caredesk/v1/free-text");
        // The first derivation that is a key of the suite (under SM2, all but about one
        // in 2^32 are; X25519 takes any).
        let boxed = (0u32..)
            .find_map(|n| {
                let label = match n {
                    0 => "caredesk/v1/free-text-box".to_string(),
                    n => format!("caredesk/v1/free-text-box/{n}"),
                };
                GrantKeyPair::from_secret(hkdf_key(blind.key().expose(), SALT, &label).expose())
            })
            .unwrap_or_else(GrantKeyPair::generate);
        Self { symmetric, boxed }
    }

    /// The public half, kept in the clear for processes that hold no key.
    pub fn public(&self) -> [u8; 32] {
        self.boxed.public()
    }

    /// Opens a value sealed by `seal_to`; `None` when it was sealed to another key.
    pub fn open_boxed(&self, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.boxed.open_bytes(sealed).ok()
    }
}

/// Seals `plain` to a public key (a libsodium sealed box, or SM2): anyone may seal,
/// only the holder of the private half opens. `None` for a public key that is no key
/// of the suite (a damaged store).
pub fn seal_to(public: &[u8; 32], plain: &[u8]) -> Option<Vec<u8>> {
    super::grant::seal_bytes(public, plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_text_opens_with_the_same_blind_key_only() {
        let blind = BlindIndexKey::new(SecretKey::random());
        let keys = DetailKeys::from_blind(&blind);
        let again = DetailKeys::from_blind(&blind);
        assert_eq!(keys.public(), again.public());
        assert_eq!(keys.symmetric, again.symmetric);
        let sealed = seal_to(&keys.public(), b"printer=ward-3").unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"ward-"));
        assert_eq!(
            again.open_boxed(&sealed).unwrap().as_slice(),
            b"printer=ward-3"
        );
        let other = DetailKeys::from_blind(&BlindIndexKey::new(SecretKey::random()));
        assert!(other.open_boxed(&sealed).is_none());
        assert_ne!(other.symmetric, keys.symmetric);
    }
}
