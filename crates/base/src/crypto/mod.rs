//! Key hierarchy and the primitives built on RustCrypto crates.
//!
//! ```text
//! password ─Argon2id─┐
//! recovery key ─HKDF─┼─> key slot KEK ─XChaCha20-Poly1305─> DEK (256-bit, random)
//! key file ─HKDF─────┘                                        │
//!                          HKDF labels: data, blind index, patient wrap
//!                                                              │
//!                 patient key (random, wrapped by the patient-wrap key) seals that
//!                 patient's records: deleting it shreds them
//! ```
//!
//! A rotation makes a new DEK (generation + 1) and seals it to each slot's X25519
//! public key (`grant`), so every slot can take it up without the rotation knowing
//! the slot's secret.
//!
//! The hashes, MACs, ciphers and grants are those of the store's suite (`suite`):
//! the standard one above, or 国密 (SM4-GCM, SM3, HMAC-SM3, HKDF-SM3, SM2), chosen at
//! `init` and recorded in the store.
//!
//! Nothing in this module is hand-written cryptography: it composes `chacha20poly1305`,
//! `argon2`, `hkdf`, `hmac`, `sha2`, `crypto_box`, `sm4` (with `aes-gcm`'s GCM), `sm3`
//! and `sm2`.

pub mod blind;
pub mod detail;
pub mod envelope;
pub mod grant;
pub mod keys;
pub mod keyslot;
pub mod secret;
pub mod suite;
pub mod token;

pub use blind::{BlindIndexKey, IndexKind};
pub use envelope::{Aad, EnvelopeError};
pub use keys::DataKeys;
pub use keyslot::{KdfParams, KeySlot, SlotKind, UnlockError};
pub use secret::{SecretKey, random_array};
pub use suite::Suite;
