//! Keys for free text kept outside patient records: audit details (reasons, file and
//! printer names, counts) and alert details.
//!
//! Both keys come from the blind-index key, which outlives data-key rotations: an audit
//! record can never be re-sealed (it is inside the hash chain), so its key must not go
//! when the data key is rotated. The symmetric key seals what an unlocked process
//! writes; an X25519 key pair lets a process that holds no key yet (a failed sign-in on
//! a locked store, an account lockout) seal to the public half, which is kept in the
//! clear. Only the unlocked store opens either.

use crypto_box::aead::OsRng;
use zeroize::Zeroizing;

use super::blind::BlindIndexKey;
use super::keys::hkdf_key;
use super::secret::SecretKey;

const SALT: &[u8] = b"caredesk free-text keys";

/// The unlocked store's keys for free text.
pub struct DetailKeys {
    /// XChaCha20-Poly1305 key for envelopes.
    pub symmetric: SecretKey,
    boxed: crypto_box::SecretKey,
}

impl DetailKeys {
    pub fn from_blind(blind: &BlindIndexKey) -> Self {
        let symmetric = hkdf_key(blind.key().expose(), SALT, "caredesk/v1/free-text");
        let boxed = hkdf_key(blind.key().expose(), SALT, "caredesk/v1/free-text-box");
        Self {
            symmetric,
            boxed: crypto_box::SecretKey::from_bytes(*boxed.expose()),
        }
    }

    /// The public half, kept in the clear for processes that hold no key.
    pub fn public(&self) -> [u8; 32] {
        self.boxed.public_key().to_bytes()
    }

    /// Opens a value sealed by `seal_to`; `None` when it was sealed to another key.
    pub fn open_boxed(&self, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.boxed.unseal(sealed).ok().map(Zeroizing::new)
    }
}

/// Seals `plain` to a public key (a libsodium sealed box): anyone may seal, only the
/// holder of the private half opens.
pub fn seal_to(public: &[u8; 32], plain: &[u8]) -> Vec<u8> {
    // Sealing fails only when the system's random source does.
    #[allow(clippy::expect_used)]
    crypto_box::PublicKey::from_bytes(*public)
        .seal(&mut OsRng, plain)
        .expect("sealing to a public key")
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
        let sealed = seal_to(&keys.public(), b"printer=ward-3");
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
