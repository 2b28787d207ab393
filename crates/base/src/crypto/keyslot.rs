//! Key slots, LUKS-style: each slot wraps the same DEK under a key-encryption key (KEK)
//! derived from one secret (a user's password, the recovery key, a key file). Adding
//! or removing a slot never re-encrypts data.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::envelope::{self, Aad};
use super::grant::GrantKeyPair;
use super::keys::hkdf_key;
use super::secret::{SecretKey, grouped_base32, parse_grouped_base32, random_array};

/// Tree name bound into each slot's ciphertext.
pub const SLOT_TREE: &str = "keyslots";
/// Bound into the ciphertext of a slot's grant private key.
const GRANT_LABEL: &str = "keyslots/grant";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlotKind {
    /// Opened by this staff user's password.
    Password { user: String },
    /// Opened by the recovery key printed once at `init`.
    Recovery,
    /// Opened by a 32-byte key file (daemon, unattended jobs).
    KeyFile { label: String },
    /// Opened like a key file whose key is kept only encrypted by a key inside a
    /// PKCS#11 token (`token.rs`): the daemon asks the token, with its PIN, at start.
    Token {
        label: String,
        /// The token's label and the label of its AES key.
        token: String,
        key: String,
        /// The slot's key as the token encrypted it.
        wrapped: Vec<u8>,
    },
}

impl SlotKind {
    /// The label a key file or token slot is opened by.
    pub fn unattended_label(&self) -> Option<&str> {
        match self {
            SlotKind::KeyFile { label } | SlotKind::Token { label, .. } => Some(label),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KdfParams {
    /// For passwords: memory-hard, parameters stored with the slot so they can grow.
    Argon2id {
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    },
    /// For 256-bit random secrets, which need no stretching.
    Hkdf,
}

impl KdfParams {
    /// Above every OWASP Argon2id recommendation (the strongest being 46 MiB, t=1):
    /// 64 MiB, t=2, p=1. docs/performance.md states the measured time per hash.
    pub const PASSWORD_DEFAULT: KdfParams = KdfParams::Argon2id {
        memory_kib: 64 * 1024,
        iterations: 2,
        parallelism: 1,
    };
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeySlot {
    pub id: u64,
    pub kind: SlotKind,
    pub kdf: KdfParams,
    pub salt: [u8; 16],
    /// The DEK sealed under the KEK; the envelope header records the DEK generation.
    pub wrapped_dek: Vec<u8>,
    pub created_unix: i64,
    /// The public half of the slot's grant key pair, to which a key rotation seals the
    /// new DEK. `None` for slots made before rotation existed: they cannot take one up.
    pub grant_public: Option<[u8; 32]>,
    /// The private half, sealed under the KEK like the DEK.
    pub grant_secret: Option<Vec<u8>>,
}

/// What a slot's secret opens.
pub struct OpenedSlot {
    pub dek: SecretKey,
    pub generation: u32,
    /// The grant key pair, for opening a grant made by a rotation since.
    pub grant_keys: Option<GrantKeyPair>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnlockError {
    #[error("the secret does not open this key slot")]
    WrongSecret,
    #[error("the key slot's parameters are invalid: {0}")]
    BadParams(String),
}

impl KeySlot {
    /// Wraps `dek` into a new slot opened by `secret`.
    pub fn create(
        id: u64,
        kind: SlotKind,
        kdf: KdfParams,
        secret: &[u8],
        dek: &SecretKey,
        dek_generation: u32,
        created_unix: i64,
    ) -> Result<Self, UnlockError> {
        let salt: [u8; 16] = random_array();
        let kek = derive_kek(kdf, secret, &salt)?;
        let wrapped_dek = envelope::seal(
            &kek,
            dek_generation,
            Aad::new(SLOT_TREE, &id.to_be_bytes()),
            dek.expose(),
        );
        let pair = GrantKeyPair::generate();
        let grant_secret = envelope::seal(
            &kek,
            dek_generation,
            Aad::new(GRANT_LABEL, &id.to_be_bytes()),
            pair.secret_bytes().as_ref(),
        );
        Ok(Self {
            id,
            kind,
            kdf,
            salt,
            wrapped_dek,
            created_unix,
            grant_public: Some(pair.public()),
            grant_secret: Some(grant_secret),
        })
    }

    /// Unwraps the DEK, its generation and the slot's grant key pair.
    pub fn open(&self, secret: &[u8]) -> Result<OpenedSlot, UnlockError> {
        let kek = derive_kek(self.kdf, secret, &self.salt)?;
        let dek = envelope::open(
            &kek,
            Aad::new(SLOT_TREE, &self.id.to_be_bytes()),
            &self.wrapped_dek,
        )
        .map_err(|_| UnlockError::WrongSecret)?;
        let generation =
            envelope::key_id(&self.wrapped_dek).map_err(|_| UnlockError::WrongSecret)?;
        let dek = SecretKey::from_slice(&dek).ok_or(UnlockError::WrongSecret)?;
        let grant_keys = match &self.grant_secret {
            Some(sealed) => {
                let plain =
                    envelope::open(&kek, Aad::new(GRANT_LABEL, &self.id.to_be_bytes()), sealed)
                        .map_err(|_| UnlockError::WrongSecret)?;
                let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(
                    plain
                        .as_slice()
                        .try_into()
                        .map_err(|_| UnlockError::WrongSecret)?,
                );
                Some(GrantKeyPair::from_secret(&bytes).ok_or(UnlockError::WrongSecret)?)
            }
            None => None,
        };
        Ok(OpenedSlot {
            dek,
            generation,
            grant_keys,
        })
    }
}

fn derive_kek(kdf: KdfParams, secret: &[u8], salt: &[u8; 16]) -> Result<SecretKey, UnlockError> {
    match kdf {
        KdfParams::Argon2id {
            memory_kib,
            iterations,
            parallelism,
        } => {
            let params = Params::new(memory_kib, iterations, parallelism, Some(32))
                .map_err(|e| UnlockError::BadParams(e.to_string()))?;
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            let mut out = Zeroizing::new([0u8; 32]);
            argon
                .hash_password_into(secret, salt, out.as_mut())
                .map_err(|e| UnlockError::BadParams(e.to_string()))?;
            Ok(SecretKey::from_bytes(*out))
        }
        KdfParams::Hkdf => Ok(hkdf_key(secret, salt, "caredesk/v1/key-slot")),
    }
}

/// A recovery key or key-file secret: 256 random bits, shown as Base32 in groups of four.
pub struct RecoveryKey(Zeroizing<[u8; 32]>);

impl RecoveryKey {
    pub fn generate() -> Self {
        Self(Zeroizing::new(random_array()))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key taken back from where it was kept (a token).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// `ABCD-EFGH-…`: 13 groups of 4 characters; easy to read aloud and type.
    pub fn display(&self) -> Zeroizing<String> {
        grouped_base32(self.0.as_ref())
    }

    /// Accepts the displayed form with any case, spaces or dashes.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = parse_grouped_base32(text)?.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(bytes)))
    }
}

impl crate::codec::Versioned for KeySlot {
    /// 2: the grant key pair (data-key rotation).
    const VERSION: u16 = 2;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, crate::codec::CodecError> {
        /// A slot as version 1 stored it: no grant key pair.
        #[derive(serde::Deserialize)]
        struct KeySlotV1 {
            id: u64,
            kind: super::SlotKind,
            kdf: KdfParams,
            salt: [u8; 16],
            wrapped_dek: Vec<u8>,
            created_unix: i64,
        }
        match version {
            1 => {
                let old: KeySlotV1 = crate::codec::decode_payload(payload)?;
                Ok(KeySlot {
                    id: old.id,
                    kind: old.kind,
                    kdf: old.kdf,
                    salt: old.salt,
                    wrapped_dek: old.wrapped_dek,
                    created_unix: old.created_unix,
                    grant_public: None,
                    grant_secret: None,
                })
            }
            other => Err(crate::codec::CodecError::NoMigration(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::Argon2id {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn password_slot_opens_with_password_only() {
        let dek = SecretKey::random();
        let slot = KeySlot::create(
            1,
            SlotKind::Password {
                user: "admin".into(),
            },
            FAST,
            b"correct horse",
            &dek,
            1,
            0,
        )
        .unwrap();
        let opened = slot.open(b"correct horse").unwrap();
        assert_eq!(opened.dek, dek);
        assert_eq!(opened.generation, 1);
        let pair = opened.grant_keys.unwrap();
        assert_eq!(Some(pair.public()), slot.grant_public);
        assert_eq!(
            slot.open(b"wrong horse").err(),
            Some(UnlockError::WrongSecret)
        );
    }

    #[test]
    fn production_parameters_open() {
        let dek = SecretKey::random();
        let slot = KeySlot::create(
            2,
            SlotKind::Password { user: "a".into() },
            KdfParams::PASSWORD_DEFAULT,
            b"pw-123456",
            &dek,
            1,
            0,
        )
        .unwrap();
        assert_eq!(slot.open(b"pw-123456").unwrap().dek, dek);
    }

    #[test]
    fn slot_bound_to_its_id() {
        let dek = SecretKey::random();
        let mut slot =
            KeySlot::create(1, SlotKind::Recovery, KdfParams::Hkdf, b"k", &dek, 1, 0).unwrap();
        slot.id = 2;
        assert!(slot.open(b"k").is_err());
    }

    #[test]
    fn recovery_key_display_round_trips() {
        let key = RecoveryKey::generate();
        let shown = key.display();
        assert_eq!(shown.split('-').count(), 13);
        let parsed = RecoveryKey::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(parsed.bytes(), key.bytes());
        assert!(RecoveryKey::parse("not a key").is_none());
    }
}
