//! The sealed envelope every stored value travels in.
//!
//! Layout (all integers big-endian):
//!
//! ```text
//! [format version: u8 = 1][key id: u32][nonce: 24 bytes][XChaCha20-Poly1305 ciphertext + tag]
//! ```
//!
//! The associated data binds the ciphertext to where it lives: the tree name and the
//! record key, plus the header itself. A ciphertext copied to another record, another
//! tree, or relabelled with another key id fails to open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::secret::{SecretKey, random_array};

pub const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
const TAG_LEN: usize = 16;

/// Where a sealed value lives; becomes the AEAD associated data.
#[derive(Debug, Clone, Copy)]
pub struct Aad<'a> {
    pub tree: &'a str,
    pub key: &'a [u8],
}

impl<'a> Aad<'a> {
    pub fn new(tree: &'a str, key: &'a [u8]) -> Self {
        Self { tree, key }
    }

    fn bytes(&self, header: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(16 + self.tree.len() + self.key.len() + header.len());
        aad.extend_from_slice(b"caredesk/env1");
        aad.extend_from_slice(&(self.tree.len() as u32).to_be_bytes());
        aad.extend_from_slice(self.tree.as_bytes());
        aad.extend_from_slice(&(self.key.len() as u32).to_be_bytes());
        aad.extend_from_slice(self.key);
        aad.extend_from_slice(&header[..1 + 4]);
        aad
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("sealed value is truncated ({0} bytes)")]
    Truncated(usize),
    #[error("sealed value has format version {0}, which this caredesk does not know")]
    UnknownVersion(u8),
    #[error("sealed value failed authentication (wrong key, or the data was altered or moved)")]
    Authentication,
}

/// Seals `plaintext` under `key`, recording `key_id` in the header.
pub fn seal(key: &SecretKey, key_id: u32, aad: Aad<'_>, plaintext: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = random_array();
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(&nonce);
    let aad_bytes = aad.bytes(&out);
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    // Encryption only fails for inputs beyond 256 GiB; our records are bytes to kilobytes.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad_bytes,
            },
        )
        .expect("XChaCha20-Poly1305 encryption of a bounded record");
    out.extend_from_slice(&ciphertext);
    out
}

/// The key id recorded in a sealed value's header, read without opening it.
pub fn key_id(sealed: &[u8]) -> Result<u32, EnvelopeError> {
    check_header(sealed)?;
    Ok(u32::from_be_bytes([
        sealed[1], sealed[2], sealed[3], sealed[4],
    ]))
}

fn check_header(sealed: &[u8]) -> Result<(), EnvelopeError> {
    if sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(EnvelopeError::Truncated(sealed.len()));
    }
    if sealed[0] != FORMAT_VERSION {
        return Err(EnvelopeError::UnknownVersion(sealed[0]));
    }
    Ok(())
}

/// Opens a sealed value; the plaintext is zeroised when dropped.
pub fn open(
    key: &SecretKey,
    aad: Aad<'_>,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    check_header(sealed)?;
    let (header, ciphertext) = sealed.split_at(HEADER_LEN);
    let aad_bytes = aad.bytes(header);
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    cipher
        .decrypt(
            XNonce::from_slice(&header[5..]),
            Payload {
                msg: ciphertext,
                aad: &aad_bytes,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| EnvelopeError::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> SecretKey {
        SecretKey::from_bytes([7; 32])
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..2048),
                      tree in "[a-z]{1,12}", rkey in proptest::collection::vec(any::<u8>(), 0..40),
                      key_id in any::<u32>()) {
            let sealed = seal(&key(), key_id, Aad::new(&tree, &rkey), &data);
            prop_assert_eq!(super::key_id(&sealed).unwrap(), key_id);
            let opened = open(&key(), Aad::new(&tree, &rkey), &sealed).unwrap();
            prop_assert_eq!(&opened[..], &data[..]);
        }

        #[test]
        fn any_flipped_bit_is_refused(data in proptest::collection::vec(any::<u8>(), 1..256),
                                      position in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut sealed = seal(&key(), 1, Aad::new("t", b"k"), &data);
            let i = position.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(open(&key(), Aad::new("t", b"k"), &sealed).is_err());
        }
    }

    #[test]
    fn bound_to_tree_and_record_key() {
        let sealed = seal(&key(), 1, Aad::new("patients", b"p1"), b"secret");
        assert_eq!(
            open(&key(), Aad::new("patients", b"p2"), &sealed),
            Err(EnvelopeError::Authentication)
        );
        assert_eq!(
            open(&key(), Aad::new("notes", b"p1"), &sealed),
            Err(EnvelopeError::Authentication)
        );
        assert!(open(&key(), Aad::new("patients", b"p1"), &sealed).is_ok());
    }

    #[test]
    fn relabelled_key_id_is_refused() {
        let mut sealed = seal(&key(), 1, Aad::new("t", b"k"), b"x");
        sealed[4] = 2;
        assert_eq!(
            open(&key(), Aad::new("t", b"k"), &sealed),
            Err(EnvelopeError::Authentication)
        );
    }

    #[test]
    fn wrong_key_and_truncation() {
        let sealed = seal(&key(), 1, Aad::new("t", b"k"), b"x");
        let other = SecretKey::from_bytes([8; 32]);
        assert_eq!(
            open(&other, Aad::new("t", b"k"), &sealed),
            Err(EnvelopeError::Authentication)
        );
        assert_eq!(
            open(&key(), Aad::new("t", b"k"), &sealed[..10]),
            Err(EnvelopeError::Truncated(10))
        );
        let mut future = sealed.clone();
        future[0] = 9;
        assert_eq!(
            open(&key(), Aad::new("t", b"k"), &future),
            Err(EnvelopeError::UnknownVersion(9))
        );
    }

    #[test]
    fn nonces_are_fresh() {
        let a = seal(&key(), 1, Aad::new("t", b"k"), b"same");
        let b = seal(&key(), 1, Aad::new("t", b"k"), b"same");
        assert_ne!(a, b);
    }
}
