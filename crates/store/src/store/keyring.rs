//! The keyring: which generation of the data key is current, the blind-index key once
//! the data key has been rotated, the state of a rotation under way, and the grants a
//! rotation left for key slots to take up at their next use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::{self, Versioned};
use super::db::Store;
use super::meta::META_TREE;
use super::writes::WriteSet;
use crate::crypto::envelope::{self, Aad};
use crate::crypto::{BlindIndexKey, DataKeys, KeySlot, SecretKey, SlotKind};

/// The keyring's key in the meta tree (absent: generation 1, nothing rotated yet).
pub const KEYRING_KEY: &[u8] = b"keyring";
/// Slot id → the current data key sealed to that slot's grant public key.
pub const GRANTS_TREE: &str = "key_grants";

const BLIND_LABEL: &[u8] = b"keyring/blind";
const PREVIOUS_LABEL: &[u8] = b"keyring/previous";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    /// The generation every new value is sealed under.
    pub generation: u32,
    /// The blind-index key sealed under the current data key; `None` until the first
    /// rotation (it is derived from the generation-1 data key until then).
    pub blind_sealed: Option<Vec<u8>>,
    pub rotation: Option<Rotation>,
}

impl Default for Keyring {
    fn default() -> Self {
        Self {
            generation: 1,
            blind_sealed: None,
            rotation: None,
        }
    }
}

impl Versioned for Keyring {
    const VERSION: u16 = 1;
}

/// A rotation under way: where the re-sealing has got to, and the previous data key
/// (sealed under the new one) for the values not re-sealed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub from: u32,
    pub previous_sealed: Vec<u8>,
    pub started_unix: i64,
    pub started_by: String,
    /// The tree and the last key done; the scan goes on after it.
    pub cursor_tree: String,
    pub cursor_key: Option<Vec<u8>>,
    pub scanned: u64,
    pub resealed: u64,
    /// Values in the store when the rotation began (for progress only).
    pub total: u64,
}

impl Store {
    pub fn keyring(&self) -> Result<Keyring, StoreError> {
        let tree = self.tree(META_TREE)?;
        match tree
            .get(KEYRING_KEY)
            .map_err(|e| StoreError::from_sled(self.dir(), e))?
        {
            Some(bytes) => codec::decode(&bytes).map_err(|e| StoreError::from_codec(self.dir(), e)),
            None => Ok(Keyring::default()),
        }
    }

    pub fn stage_keyring(
        &self,
        writes: &mut WriteSet,
        keyring: &Keyring,
    ) -> Result<(), StoreError> {
        writes.put(
            &self.tree(META_TREE)?,
            KEYRING_KEY,
            codec::encode(keyring).to_vec(),
        );
        Ok(())
    }

    /// The grants waiting for their slots, by slot id.
    pub fn key_grants(&self) -> Result<BTreeMap<u64, Vec<u8>>, StoreError> {
        let mut grants = BTreeMap::new();
        for item in self.tree(GRANTS_TREE)?.iter() {
            let (key, value) = item.map_err(|e| StoreError::from_sled(self.dir(), e))?;
            let id: [u8; 8] = key
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::corrupt(self.dir(), "a key grant has a malformed id"))?;
            grants.insert(u64::from_be_bytes(id), value.to_vec());
        }
        Ok(grants)
    }
}

/// The working keys for `dek`, the keyring's current generation.
pub fn keys_for(dek: SecretKey, keyring: &Keyring) -> Result<DataKeys, StoreError> {
    let keys = DataKeys::from_dek(dek, keyring.generation);
    let keys = match &keyring.blind_sealed {
        Some(sealed) => {
            let blind = open_key(&keys, BLIND_LABEL, sealed)?;
            keys.with_blind(BlindIndexKey::new(blind))
        }
        None => keys,
    };
    let mut keys = keys;
    if let Some(rotation) = &keyring.rotation {
        let previous = open_key(&keys, PREVIOUS_LABEL, &rotation.previous_sealed)?;
        let previous = DataKeys::from_dek(previous, rotation.from).with_blind(keys.blind.clone());
        keys.previous = Some(Box::new(previous));
    }
    Ok(keys)
}

/// Seals the blind-index key and (while rotating) the previous data key under `keys`.
pub fn seal_key(keys: &DataKeys, what: KeyringEntry, key: &SecretKey) -> Vec<u8> {
    let label = match what {
        KeyringEntry::Blind => BLIND_LABEL,
        KeyringEntry::Previous => PREVIOUS_LABEL,
    };
    envelope::seal(
        &keys.data,
        keys.generation,
        Aad::new(META_TREE, label),
        key.expose(),
    )
}

/// What the keyring keeps sealed.
#[derive(Debug, Clone, Copy)]
pub enum KeyringEntry {
    Blind,
    Previous,
}

fn open_key(keys: &DataKeys, label: &[u8], sealed: &[u8]) -> Result<SecretKey, StoreError> {
    let plain = envelope::open(&keys.data, Aad::new(META_TREE, label), sealed).map_err(|_| {
        StoreError::Invalid(
            "the keyring does not open with this data key: the store's key slots and keyring disagree; restore from a backup".into(),
        )
    })?;
    SecretKey::from_slice(&plain)
        .ok_or_else(|| StoreError::Invalid("the keyring holds a malformed key".into()))
}

/// Which slot opened, with what, and whether it still wraps an older generation.
pub struct SlotOpening<'a> {
    pub slot: &'a KeySlot,
    pub dek: SecretKey,
    /// The key came from a rotation's grant: the slot should be re-wrapped now.
    pub via_grant: bool,
}

/// Opens the data key of generation `current` through one of `candidates` with
/// `secret`: directly when the slot wraps the current generation, else through the
/// grant a rotation left for it. `Ok(None)` when no slot opens with the secret;
/// `SlotOutdated` when one opens but was left out of a rotation.
pub fn open_current<'a>(
    candidates: &[&'a KeySlot],
    grants: &BTreeMap<u64, Vec<u8>>,
    current: u32,
    secret: &[u8],
) -> Result<Option<SlotOpening<'a>>, StoreError> {
    let mut outdated = false;
    for slot in candidates {
        let Ok(opened) = slot.open(secret) else {
            continue;
        };
        if opened.generation == current {
            return Ok(Some(SlotOpening {
                slot,
                dek: opened.dek,
                via_grant: false,
            }));
        }
        let granted = match (grants.get(&slot.id), &opened.grant_keys) {
            (Some(sealed), Some(pair)) => pair.open(sealed).ok(),
            _ => None,
        };
        match granted {
            Some((dek, generation)) if generation == current => {
                return Ok(Some(SlotOpening {
                    slot,
                    dek,
                    via_grant: true,
                }));
            }
            _ => outdated = true,
        }
    }
    if outdated {
        Err(StoreError::SlotOutdated)
    } else {
        Ok(None)
    }
}

/// Who a slot belongs to, for the audit trail.
pub fn slot_owner(kind: &SlotKind) -> String {
    match kind {
        SlotKind::Password { user } => user.clone(),
        SlotKind::Recovery => "recovery-key".into(),
        SlotKind::KeyFile { label } | SlotKind::Token { label, .. } => format!("system:{label}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{KdfParams, grant};

    fn slot(id: u64, dek: &SecretKey, generation: u32) -> KeySlot {
        KeySlot::create(
            id,
            SlotKind::Recovery,
            KdfParams::Hkdf,
            b"secret",
            dek,
            generation,
            0,
        )
        .unwrap()
    }

    #[test]
    fn a_slot_opens_its_generation_directly_and_a_later_one_through_its_grant() {
        let (old, new) = (SecretKey::random(), SecretKey::random());
        let s = slot(4, &old, 1);
        let none = BTreeMap::new();
        let direct = open_current(&[&s], &none, 1, b"secret").unwrap().unwrap();
        assert!(direct.dek == old && !direct.via_grant);
        assert!(open_current(&[&s], &none, 1, b"wrong").unwrap().is_none());
        // Generation 2 without a grant: the slot was left out.
        assert!(matches!(
            open_current(&[&s], &none, 2, b"secret"),
            Err(StoreError::SlotOutdated)
        ));
        let mut grants = BTreeMap::new();
        grants.insert(4, grant::seal(&s.grant_public.unwrap(), &new, 2).unwrap());
        let granted = open_current(&[&s], &grants, 2, b"secret").unwrap().unwrap();
        assert!(granted.dek == new && granted.via_grant);
        // A grant made for another slot opens nothing here.
        let other = slot(5, &old, 1);
        let mut misplaced = BTreeMap::new();
        misplaced.insert(
            4,
            grant::seal(&other.grant_public.unwrap(), &new, 2).unwrap(),
        );
        assert!(open_current(&[&s], &misplaced, 2, b"secret").is_err());
    }

    #[test]
    fn a_slot_stored_before_rotation_existed_still_opens_but_takes_no_grant() {
        #[derive(Serialize)]
        struct SlotV1<'a> {
            id: u64,
            kind: &'a SlotKind,
            kdf: KdfParams,
            salt: [u8; 16],
            wrapped_dek: &'a [u8],
            created_unix: i64,
        }
        let dek = SecretKey::random();
        let current = slot(9, &dek, 1);
        let mut stored = 1u16.to_be_bytes().to_vec();
        stored.extend(
            bincode::serde::encode_to_vec(
                SlotV1 {
                    id: current.id,
                    kind: &current.kind,
                    kdf: current.kdf,
                    salt: current.salt,
                    wrapped_dek: &current.wrapped_dek,
                    created_unix: 0,
                },
                bincode::config::standard(),
            )
            .unwrap(),
        );
        let old: KeySlot = codec::decode(&stored).unwrap();
        assert_eq!(old.grant_public, None);
        let opened = old.open(b"secret").unwrap();
        assert!(opened.dek == dek && opened.grant_keys.is_none());
    }

    #[test]
    fn keys_for_a_rotated_keyring_keep_the_blind_key_and_open_the_previous_generation() {
        let first = DataKeys::from_dek(SecretKey::random(), 1);
        let second = DataKeys::from_dek(SecretKey::random(), 2);
        let keyring = Keyring {
            generation: 2,
            blind_sealed: Some(seal_key(&second, KeyringEntry::Blind, first.blind.key())),
            rotation: Some(Rotation {
                from: 1,
                previous_sealed: seal_key(&second, KeyringEntry::Previous, first.dek()),
                started_unix: 0,
                started_by: "admin".into(),
                cursor_tree: String::new(),
                cursor_key: None,
                scanned: 0,
                resealed: 0,
                total: 0,
            }),
        };
        let keys = keys_for(second.dek().clone(), &keyring).unwrap();
        assert_eq!(keys.blind.key(), first.blind.key());
        assert_eq!(keys.for_generation(1).unwrap().data, first.data);
        assert_eq!(keys.for_generation(2).unwrap().data, second.data);
        assert!(keys.for_generation(3).is_none());
        // The wrong data key opens nothing of the keyring.
        assert!(keys_for(first.dek().clone(), &keyring).is_err());
    }
}
