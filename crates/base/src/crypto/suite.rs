//! The store's cryptographic suite, chosen at `init` and recorded in the store:
//!
//! | | standard (default) | 国密 (`sm`, GB/T 39786) |
//! |---|---|---|
//! | envelopes | XChaCha20-Poly1305 | SM4-GCM |
//! | hashes (audit chain) | SHA-256 | SM3 |
//! | MACs (blind indexes, audit seals) | HMAC-SHA256 | HMAC-SM3 |
//! | key derivation | HKDF-SHA256 | HKDF-SM3 |
//! | key grants (rotation) | X25519 sealed box | SM2 public-key encryption |
//!
//! Passwords stay behind Argon2id in both (the 国密 family has no memory-hard KDF).
//!
//! A process works with one store's suite: the store adopts its suite when it is opened
//! or made, and a process that already works under the other suite refuses it (fail
//! closed, instead of sealing a 国密 store's data with the standard suite or the other
//! way round). Every primitive comes from a RustCrypto crate: `chacha20poly1305`,
//! `sm4` with `aes-gcm`'s generic GCM, `sha2`, `sm3`, `hmac`, `hkdf`, `crypto_box`, `sm2`.

use std::sync::atomic::{AtomicU8, Ordering};

use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// The suites a store can be made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    Standard,
    /// 国密: SM4, SM3, SM2.
    Sm,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SuiteError {
    #[error(
        "this store uses the {store} suite but this process already works with the {process} \
         suite: open it from a process of its own"
    )]
    Mismatch {
        store: &'static str,
        process: &'static str,
    },
    #[error("unknown crypto suite {0:?}: choose standard or sm (国密)")]
    Unknown(String),
}

const UNSET: u8 = 0;
static CURRENT: AtomicU8 = AtomicU8::new(UNSET);

impl Suite {
    /// How the store records it and `--crypto-suite` names it.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Standard => "standard",
            Suite::Sm => "sm",
        }
    }

    pub fn parse(text: &str) -> Result<Suite, SuiteError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(Suite::Standard),
            "sm" | "guomi" | "国密" => Ok(Suite::Sm),
            other => Err(SuiteError::Unknown(other.to_string())),
        }
    }

    /// The algorithms in words, for `caredesk status` and the documents.
    pub fn describe(self) -> &'static str {
        match self {
            Suite::Standard => "XChaCha20-Poly1305, SHA-256, HMAC-SHA256, HKDF-SHA256, X25519",
            Suite::Sm => "SM4-GCM, SM3, HMAC-SM3, HKDF-SM3, SM2 (国密)",
        }
    }

    fn code(self) -> u8 {
        match self {
            Suite::Standard => 1,
            Suite::Sm => 2,
        }
    }
}

/// The suite this process works with: the one its store adopted, standard before that.
pub fn current() -> Suite {
    match CURRENT.load(Ordering::Acquire) {
        2 => Suite::Sm,
        _ => Suite::Standard,
    }
}

/// Makes `suite` this process's suite; refused when it already works with the other.
pub fn adopt(suite: Suite) -> Result<(), SuiteError> {
    match CURRENT.compare_exchange(UNSET, suite.code(), Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Ok(()),
        Err(held) if held == suite.code() => Ok(()),
        Err(_) => Err(SuiteError::Mismatch {
            store: suite.name(),
            process: current().name(),
        }),
    }
}

/// The suite's hash of the parts, one after the other.
pub fn digest(suite: Suite, parts: &[&[u8]]) -> [u8; 32] {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = D::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    let out = match suite {
        Suite::Standard => run::<Sha256>(parts),
        Suite::Sm => run::<Sm3>(parts),
    };
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&out);
    bytes
}

/// A running hash of the suite, for input that comes in pieces.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sm3(Sm3),
}

impl Hasher {
    pub fn new(suite: Suite) -> Self {
        match suite {
            Suite::Standard => Hasher::Sha256(Sha256::new()),
            Suite::Sm => Hasher::Sm3(Sm3::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sm3(h) => h.update(data),
        }
    }

    pub fn finalize(self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        match self {
            Hasher::Sha256(h) => bytes.copy_from_slice(&h.finalize()),
            Hasher::Sm3(h) => bytes.copy_from_slice(&h.finalize()),
        }
        bytes
    }
}

/// HMAC with the suite's hash.
#[derive(Clone)]
pub enum Mac {
    Sha256(Hmac<Sha256>),
    Sm3(Hmac<Sm3>),
}

impl Mac {
    /// HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    pub fn new(suite: Suite, key: &[u8]) -> Self {
        match suite {
            Suite::Standard => {
                Mac::Sha256(Hmac::new_from_slice(key).expect("HMAC takes any key length"))
            }
            Suite::Sm => Mac::Sm3(Hmac::new_from_slice(key).expect("HMAC takes any key length")),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Mac::Sha256(m) => m.update(data),
            Mac::Sm3(m) => m.update(data),
        }
    }

    pub fn finalize(self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        match self {
            Mac::Sha256(m) => bytes.copy_from_slice(&m.finalize().into_bytes()),
            Mac::Sm3(m) => bytes.copy_from_slice(&m.finalize().into_bytes()),
        }
        bytes
    }

    /// Whether `tag` is this MAC's, compared in constant time.
    pub fn verify(self, tag: &[u8]) -> bool {
        match self {
            Mac::Sha256(m) => m.verify_slice(tag).is_ok(),
            Mac::Sm3(m) => m.verify_slice(tag).is_ok(),
        }
    }
}

/// HKDF with the suite's hash: 32 bytes for `label`.
pub fn hkdf(suite: Suite, ikm: &[u8], salt: &[u8], label: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is far below either hash's HKDF output limit (255 × 32 bytes).
    #[allow(clippy::expect_used)]
    match suite {
        Suite::Standard => Hkdf::<Sha256>::new(Some(salt), ikm)
            .expand(label.as_bytes(), &mut out)
            .expect("HKDF output length within limit"),
        Suite::Sm => Hkdf::<Sm3>::new(Some(salt), ikm)
            .expand(label.as_bytes(), &mut out)
            .expect("HKDF output length within limit"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_standard_s_own_examples() {
        // GB/T 32905-2016 Appendix A: "abc" and "abcd" × 16.
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(digest(Suite::Sm, &[b"abc"])),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex(digest(Suite::Sm, &[b"abcd".repeat(16).as_slice()])),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(
            hex(digest(Suite::Standard, &[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn pieces_and_whole_hash_alike_and_the_suites_differ() {
        for suite in [Suite::Standard, Suite::Sm] {
            let mut hasher = Hasher::new(suite);
            hasher.update(b"ab");
            hasher.update(b"c");
            assert_eq!(hasher.finalize(), digest(suite, &[b"a", b"bc"]));
            let mut mac = Mac::new(suite, b"key");
            mac.update(b"message");
            let tag = mac.clone().finalize();
            assert!(mac.verify(&tag));
        }
        assert_ne!(
            hkdf(Suite::Standard, b"ikm", b"salt", "x"),
            hkdf(Suite::Sm, b"ikm", b"salt", "x")
        );
    }

    #[test]
    fn names_read_back() {
        for suite in [Suite::Standard, Suite::Sm] {
            assert_eq!(Suite::parse(suite.name()), Ok(suite));
        }
        assert_eq!(Suite::parse("国密"), Ok(Suite::Sm));
        assert!(Suite::parse("rot13").is_err());
    }
}
