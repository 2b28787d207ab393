//! The sealed envelope every stored value travels in.
//!
//! Layout (all integers big-endian); the first byte names the suite's cipher:
//!
//! ```text
//! [1][key id: u32][nonce: 24 bytes][XChaCha20-Poly1305 ciphertext + tag]   standard
//! [2][key id: u32][nonce: 12 bytes][SM4-GCM ciphertext + tag]              国密
//! ```
//!
//! SM4 takes a 128-bit key: the first half of the 256-bit key (every key here is random
//! or an HKDF output, so its halves are as good as the whole).
//!
//! The associated data binds the ciphertext to where it lives: the tree name and the
//! record key, plus the header itself. A ciphertext copied to another record, another
//! tree, or relabelled with another key id fails to open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::secret::{SecretKey, random_array};
use super::suite::{self, Suite};

/// The standard suite's envelope (XChaCha20-Poly1305).
pub const FORMAT_VERSION: u8 = 1;
/// The 国密 suite's envelope (SM4-GCM).
pub const SM_FORMAT_VERSION: u8 = 2;
const TAG_LEN: usize = 16;

/// SM4 in GCM mode: `aes-gcm`'s generic GCM over the `sm4` block cipher, 96-bit nonces.
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The first byte of a value sealed under `suite`.
fn version_of(suite: Suite) -> u8 {
    match suite {
        Suite::Standard => FORMAT_VERSION,
        Suite::Sm => SM_FORMAT_VERSION,
    }
}

fn nonce_len(version: u8) -> usize {
    if version == SM_FORMAT_VERSION { 12 } else { 24 }
}

fn header_len(version: u8) -> usize {
    1 + 4 + nonce_len(version)
}

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
    #[error("sealed value was sealed under the other crypto suite than this store's")]
    OtherSuite,
}

/// Seals `plaintext` under `key` with this process's suite, recording `key_id` in the
/// header.
pub fn seal(key: &SecretKey, key_id: u32, aad: Aad<'_>, plaintext: &[u8]) -> Vec<u8> {
    seal_as(suite::current(), key, key_id, aad, plaintext)
}

/// Seals under `suite`.
pub fn seal_as(
    suite: Suite,
    key: &SecretKey,
    key_id: u32,
    aad: Aad<'_>,
    plaintext: &[u8],
) -> Vec<u8> {
    let version = version_of(suite);
    let mut out = Vec::with_capacity(header_len(version) + plaintext.len() + TAG_LEN);
    out.push(version);
    out.extend_from_slice(&key_id.to_be_bytes());
    // Encryption only fails for inputs beyond 64 GiB; our records are bytes to kilobytes.
    #[allow(clippy::expect_used)]
    let ciphertext = match suite {
        Suite::Standard => {
            let nonce: [u8; 24] = random_array();
            out.extend_from_slice(&nonce);
            let aad_bytes = aad.bytes(&out);
            XChaCha20Poly1305::new(key.expose().into())
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: plaintext,
                        aad: &aad_bytes,
                    },
                )
                .expect("XChaCha20-Poly1305 encryption of a bounded record")
        }
        Suite::Sm => {
            let nonce: [u8; 12] = random_array();
            out.extend_from_slice(&nonce);
            let aad_bytes = aad.bytes(&out);
            sm4_gcm(key)
                .encrypt(
                    aes_gcm::Nonce::from_slice(&nonce),
                    Payload {
                        msg: plaintext,
                        aad: &aad_bytes,
                    },
                )
                .expect("SM4-GCM encryption of a bounded record")
        }
    };
    out.extend_from_slice(&ciphertext);
    out
}

fn sm4_gcm(key: &SecretKey) -> Sm4Gcm {
    Sm4Gcm::new(aes_gcm::Key::<Sm4Gcm>::from_slice(&key.expose()[..16]))
}

/// The key id recorded in a sealed value's header, read without opening it.
pub fn key_id(sealed: &[u8]) -> Result<u32, EnvelopeError> {
    check_header(sealed)?;
    Ok(u32::from_be_bytes([
        sealed[1], sealed[2], sealed[3], sealed[4],
    ]))
}

fn check_header(sealed: &[u8]) -> Result<(), EnvelopeError> {
    let Some(&version) = sealed.first() else {
        return Err(EnvelopeError::Truncated(0));
    };
    if version != FORMAT_VERSION && version != SM_FORMAT_VERSION {
        return Err(EnvelopeError::UnknownVersion(version));
    }
    if sealed.len() < header_len(version) + TAG_LEN {
        return Err(EnvelopeError::Truncated(sealed.len()));
    }
    Ok(())
}

/// Opens a value sealed under this process's suite; the plaintext is zeroised when
/// dropped.
pub fn open(
    key: &SecretKey,
    aad: Aad<'_>,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    open_as(suite::current(), key, aad, sealed)
}

/// Opens a value sealed under `suite`; one sealed under the other suite is refused (a
/// 国密 store holds only SM4 envelopes).
pub fn open_as(
    suite: Suite,
    key: &SecretKey,
    aad: Aad<'_>,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    check_header(sealed)?;
    let version = sealed[0];
    if version != version_of(suite) {
        return Err(EnvelopeError::OtherSuite);
    }
    let (header, ciphertext) = sealed.split_at(header_len(version));
    let aad_bytes = aad.bytes(header);
    let payload = Payload {
        msg: ciphertext,
        aad: &aad_bytes,
    };
    match suite {
        Suite::Standard => XChaCha20Poly1305::new(key.expose().into())
            .decrypt(XNonce::from_slice(&header[5..]), payload),
        Suite::Sm => sm4_gcm(key).decrypt(aes_gcm::Nonce::from_slice(&header[5..]), payload),
    }
    .map(Zeroizing::new)
    .map_err(|_| EnvelopeError::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SUITES: [Suite; 2] = [Suite::Standard, Suite::Sm];

    fn key() -> SecretKey {
        SecretKey::from_bytes([7; 32])
    }

    fn seal(suite: Suite, key: &SecretKey, key_id: u32, aad: Aad<'_>, data: &[u8]) -> Vec<u8> {
        seal_as(suite, key, key_id, aad, data)
    }

    fn open(
        suite: Suite,
        key: &SecretKey,
        aad: Aad<'_>,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        open_as(suite, key, aad, sealed)
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..2048),
                      tree in "[a-z]{1,12}", rkey in proptest::collection::vec(any::<u8>(), 0..40),
                      key_id in any::<u32>(), sm in any::<bool>()) {
            let suite = if sm { Suite::Sm } else { Suite::Standard };
            let sealed = seal(suite, &key(), key_id, Aad::new(&tree, &rkey), &data);
            prop_assert_eq!(super::key_id(&sealed).unwrap(), key_id);
            let opened = open(suite, &key(), Aad::new(&tree, &rkey), &sealed).unwrap();
            prop_assert_eq!(&opened[..], &data[..]);
        }

        #[test]
        fn any_flipped_bit_is_refused(data in proptest::collection::vec(any::<u8>(), 1..256),
                                      position in any::<prop::sample::Index>(), bit in 0u8..8,
                                      sm in any::<bool>()) {
            let suite = if sm { Suite::Sm } else { Suite::Standard };
            let mut sealed = seal(suite, &key(), 1, Aad::new("t", b"k"), &data);
            let i = position.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(open(suite, &key(), Aad::new("t", b"k"), &sealed).is_err());
        }
    }

    #[test]
    fn bound_to_tree_and_record_key() {
        for suite in SUITES {
            let sealed = seal(suite, &key(), 1, Aad::new("patients", b"p1"), b"secret");
            assert_eq!(
                open(suite, &key(), Aad::new("patients", b"p2"), &sealed),
                Err(EnvelopeError::Authentication)
            );
            assert_eq!(
                open(suite, &key(), Aad::new("notes", b"p1"), &sealed),
                Err(EnvelopeError::Authentication)
            );
            assert!(open(suite, &key(), Aad::new("patients", b"p1"), &sealed).is_ok());
        }
    }

    #[test]
    fn relabelled_key_id_is_refused() {
        for suite in SUITES {
            let mut sealed = seal(suite, &key(), 1, Aad::new("t", b"k"), b"x");
            sealed[4] = 2;
            assert_eq!(
                open(suite, &key(), Aad::new("t", b"k"), &sealed),
                Err(EnvelopeError::Authentication)
            );
        }
    }

    #[test]
    fn wrong_key_and_truncation() {
        for suite in SUITES {
            let sealed = seal(suite, &key(), 1, Aad::new("t", b"k"), b"x");
            let other = SecretKey::from_bytes([8; 32]);
            assert_eq!(
                open(suite, &other, Aad::new("t", b"k"), &sealed),
                Err(EnvelopeError::Authentication)
            );
            assert_eq!(
                open(suite, &key(), Aad::new("t", b"k"), &sealed[..10]),
                Err(EnvelopeError::Truncated(10))
            );
            let mut future = sealed.clone();
            future[0] = 9;
            assert_eq!(
                open(suite, &key(), Aad::new("t", b"k"), &future),
                Err(EnvelopeError::UnknownVersion(9))
            );
        }
    }

    #[test]
    fn a_store_opens_only_its_own_suite_s_envelopes() {
        let standard = seal(Suite::Standard, &key(), 1, Aad::new("t", b"k"), b"x");
        let sm = seal(Suite::Sm, &key(), 1, Aad::new("t", b"k"), b"x");
        assert_eq!((standard[0], sm[0]), (FORMAT_VERSION, SM_FORMAT_VERSION));
        // 1 + 4 + nonce + plaintext + tag.
        assert_eq!(
            (standard.len(), sm.len()),
            (1 + 4 + 24 + 1 + 16, 1 + 4 + 12 + 1 + 16)
        );
        assert_eq!(
            open(Suite::Sm, &key(), Aad::new("t", b"k"), &standard),
            Err(EnvelopeError::OtherSuite)
        );
        assert_eq!(
            open(Suite::Standard, &key(), Aad::new("t", b"k"), &sm),
            Err(EnvelopeError::OtherSuite)
        );
    }

    #[test]
    fn sm4_gcm_is_sm4_in_gcm_mode() {
        // The SM4 block cipher against GB/T 32907-2016 Appendix A (one block).
        use aes_gcm::aead::generic_array::GenericArray;
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let k: [u8; 16] = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        let mut block = GenericArray::clone_from_slice(&k);
        sm4::Sm4::new(GenericArray::from_slice(&k)).encrypt_block(&mut block);
        assert_eq!(
            block.as_slice(),
            [
                0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e,
                0x42, 0x46
            ]
        );
    }

    #[test]
    fn nonces_are_fresh() {
        for suite in SUITES {
            let a = seal(suite, &key(), 1, Aad::new("t", b"k"), b"same");
            let b = seal(suite, &key(), 1, Aad::new("t", b"k"), b"same");
            assert_ne!(a, b);
        }
    }
}
