//! The unlocked store: typed records sealed in envelopes, per-patient keys, blind
//! indexes. Every write goes through one `WriteSet` committed with its audit record.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::StoreError;
use super::codec::{self, Versioned};
use super::db::{KEYSLOT_TREE, Store};
use super::keyring::{self, SlotOpening};
use super::writes::WriteSet;
use crate::audit::AuditEvent;
use crate::audit::detail::{self, FREE_TEXT_AAD, SealedText, TextOpener};
use crate::auth::User;
use crate::crypto::detail::DetailKeys;
use crate::crypto::keyslot::RecoveryKey;
use crate::crypto::{Aad, DataKeys, KdfParams, KeySlot, SecretKey, SlotKind, envelope};
use crate::domain::patient::{Patient, PatientId};

pub const USERS_TREE: &str = "users";
pub const PATIENT_KEYS_TREE: &str = "patient_keys";
pub const PATIENTS_TREE: &str = "patients";
pub const INDEX_TREE: &str = "index";

/// A stored type and the tree it lives in.
pub trait Record: Versioned {
    const TREE: &'static str;
}

impl Record for User {
    const TREE: &'static str = USERS_TREE;
}

impl Record for Patient {
    const TREE: &'static str = PATIENTS_TREE;
}

impl Record for crate::domain::consent::ConsentRecord {
    const TREE: &'static str = "consent";
}

/// Which key seals a record.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Clinic-wide records (users, settings): the data key.
    Clinic,
    /// A patient's records: that patient's own key, so erasing it shreds them all.
    Patient(PatientId),
}

/// How to open the store's data key.
pub enum Unlock<'a> {
    Password { user: &'a str, password: &'a [u8] },
    RecoveryKey(&'a RecoveryKey),
    KeyFile { label: &'a str, key: &'a [u8; 32] },
}

impl Unlock<'_> {
    fn opens(&self, kind: &SlotKind) -> bool {
        match (self, kind) {
            (Unlock::Password { user, .. }, SlotKind::Password { user: slot_user }) => {
                user == slot_user
            }
            (Unlock::RecoveryKey(_), SlotKind::Recovery) => true,
            (Unlock::KeyFile { label, .. }, kind) => kind.unattended_label() == Some(*label),
            _ => false,
        }
    }

    fn secret(&self) -> &[u8] {
        match self {
            Unlock::Password { password, .. } => password,
            Unlock::RecoveryKey(key) => key.bytes(),
            Unlock::KeyFile { key, .. } => key.as_slice(),
        }
    }

    /// One error for every failure, never saying whether the user exists.
    fn refusal(&self) -> StoreError {
        match self {
            Unlock::Password { .. } => StoreError::WrongPassword,
            _ => StoreError::WrongKey,
        }
    }
}

impl Store {
    /// Opens the data key through a key slot. A wrong or unknown user costs the same
    /// Argon2id work as a right one, so timing does not tell which it was. A slot that
    /// opens through a rotation's grant is re-wrapped under the new key there and then.
    pub fn unlock(&self, how: Unlock<'_>) -> Result<DataKeys, StoreError> {
        let slots = self.key_slots()?;
        let grants = self.key_grants()?;
        let keyring = self.keyring()?;
        let opening = unlock_slots(
            &slots,
            &grants,
            keyring.generation,
            &how,
            self.options.password_kdf,
        )?;
        let keys = keyring::keys_for(opening.dek.clone(), &keyring)?;
        if opening.via_grant {
            self.renew_slot(opening.slot, &how, &keys)?;
        }
        self.finish_upgrade(&keys)?;
        self.finish_phone_tails(&keys)?;
        self.finish_card_tails(&keys)?;
        Ok(keys)
    }

    /// Re-wraps a slot under the current data key and drops its grant, audited.
    fn renew_slot(
        &self,
        slot: &KeySlot,
        how: &Unlock<'_>,
        keys: &DataKeys,
    ) -> Result<(), StoreError> {
        let renewed = KeySlot::create(
            slot.id,
            slot.kind.clone(),
            slot.kdf,
            how.secret(),
            keys.dek(),
            keys.generation,
            slot.created_unix,
        )
        .map_err(|e| StoreError::corrupt(&self.dir, e.to_string()))?;
        let mut writes = WriteSet::new();
        let id = slot.id.to_be_bytes();
        writes.put(
            &self.tree(KEYSLOT_TREE)?,
            id,
            codec::encode(&renewed).to_vec(),
        );
        writes.delete(&self.tree(keyring::GRANTS_TREE)?, id);
        let mut actor = crate::audit::context::process_actor();
        actor.user = Some(keyring::slot_owner(&slot.kind));
        let event = AuditEvent::new(actor, "key.slot_renew", crate::audit::Outcome::Ok)
            .subject(format!("keyslot:{}", slot.id))
            .detail(format!(
                "re-wrapped under data key generation {}",
                keys.generation
            ));
        self.audit.commit(event, writes)?;
        Ok(())
    }

    /// Stages the removal of a key slot and of any grant waiting for it.
    pub fn stage_slot_removal(&self, writes: &mut WriteSet, id: u64) -> Result<(), StoreError> {
        writes.delete(&self.tree(KEYSLOT_TREE)?, id.to_be_bytes());
        writes.delete(&self.tree(keyring::GRANTS_TREE)?, id.to_be_bytes());
        Ok(())
    }

    /// Stages a new key slot wrapping the current DEK.
    pub fn stage_slot(
        &self,
        writes: &mut WriteSet,
        keys: &DataKeys,
        kind: SlotKind,
        kdf: KdfParams,
        secret: &[u8],
    ) -> Result<u64, StoreError> {
        let tree = self.tree(KEYSLOT_TREE)?;
        // sled's id generator is monotonic across restarts, so two slots staged in one
        // write set never share an id.
        let next_id = self
            .db
            .generate_id()
            .map_err(|e| StoreError::from_sled(&self.dir, e))?
            + 1;
        let now = (self.options.clock)().timestamp();
        let slot = KeySlot::create(next_id, kind, kdf, secret, keys.dek(), keys.generation, now)
            .map_err(|e| StoreError::corrupt(&self.dir, e.to_string()))?;
        writes.put(&tree, next_id.to_be_bytes(), codec::encode(&slot).to_vec());
        Ok(next_id)
    }
}

/// Opens the data key of generation `current` through one of `slots` (the store's
/// own, or those a backup carries), taking up a rotation's grant where the slot still
/// wraps an older generation. A wrong or unknown user costs the same Argon2id work as
/// a right one.
pub fn unlock_slots<'a>(
    slots: &'a [KeySlot],
    grants: &BTreeMap<u64, Vec<u8>>,
    current: u32,
    how: &Unlock<'_>,
    decoy_kdf: KdfParams,
) -> Result<SlotOpening<'a>, StoreError> {
    let secret = how.secret();
    let candidates: Vec<&KeySlot> = slots.iter().filter(|s| how.opens(&s.kind)).collect();
    if candidates.is_empty() {
        // Same cost as a real attempt: one key derivation against a slot that
        // opens nothing.
        let decoy = KeySlot {
            id: 0,
            kind: SlotKind::Recovery,
            kdf: decoy_kdf,
            salt: [0; 16],
            wrapped_dek: Vec::new(),
            created_unix: 0,
            grant_public: None,
            grant_secret: None,
        };
        let _ = decoy.open(secret);
        return Err(how.refusal());
    }
    keyring::open_current(&candidates, grants, current, secret)?.ok_or_else(|| how.refusal())
}

/// An unlocked store. Dropping it zeroises every key it holds.
pub struct Vault {
    store: Store,
    keys: DataKeys,
    /// Boxed: two generations of maps would make every `Vault` value large.
    patient_keys: Box<Mutex<super::key_cache::KeyCache>>,
}

impl Vault {
    pub fn new(store: Store, keys: DataKeys) -> Self {
        Self {
            store,
            keys,
            patient_keys: Box::default(),
        }
    }

    /// Gives the store back, dropping (and zeroising) the keys: to change them.
    pub fn into_store(self) -> Store {
        self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn keys(&self) -> &DataKeys {
        &self.keys
    }

    pub(crate) fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.store.tree(name)
    }

    pub(crate) fn sled_err(&self, e: sled::Error) -> StoreError {
        StoreError::from_sled(&self.store.dir, e)
    }

    /// Seals `value` for its tree and record key under the key its scope names.
    pub fn seal<R: Record>(
        &self,
        scope: Scope,
        key: &[u8],
        value: &R,
    ) -> Result<Vec<u8>, StoreError> {
        let plain = codec::encode(value);
        let sealing_key = self.scope_key(scope)?;
        Ok(envelope::seal(
            &sealing_key,
            self.keys.generation,
            Aad::new(R::TREE, key),
            &plain,
        ))
    }

    pub fn open_sealed<R: Record>(
        &self,
        scope: Scope,
        key: &[u8],
        sealed: &[u8],
    ) -> Result<R, StoreError> {
        let opening_key = match scope {
            // Mid-rotation, a clinic record may still be under the previous generation.
            Scope::Clinic => {
                let generation = envelope::key_id(sealed)
                    .map_err(|e| StoreError::from_envelope(&self.store.dir, e))?;
                self.keys
                    .for_generation(generation)
                    .unwrap_or(&self.keys)
                    .data
                    .clone()
            }
            Scope::Patient(id) => self.patient_key(&id)?,
        };
        let plain = envelope::open(&opening_key, Aad::new(R::TREE, key), sealed)
            .map_err(|e| StoreError::from_envelope(&self.store.dir, e))?;
        codec::decode(&plain).map_err(|e| StoreError::from_codec(&self.store.dir, e))
    }

    fn scope_key(&self, scope: Scope) -> Result<SecretKey, StoreError> {
        match scope {
            Scope::Clinic => Ok(self.keys.data.clone()),
            Scope::Patient(id) => self.patient_key(&id),
        }
    }

    /// Stages `value` under `key` in its tree.
    pub fn stage_put<R: Record>(
        &self,
        writes: &mut WriteSet,
        scope: Scope,
        key: &[u8],
        value: &R,
    ) -> Result<(), StoreError> {
        let sealed = self.seal(scope, key, value)?;
        writes.put(&self.tree(R::TREE)?, key, sealed);
        Ok(())
    }

    pub fn get<R: Record>(&self, scope: Scope, key: &[u8]) -> Result<Option<R>, StoreError> {
        match self.tree(R::TREE)?.get(key).map_err(|e| self.sled_err(e))? {
            Some(sealed) => Ok(Some(self.open_sealed(scope, key, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Writes many records of one tree and their audit record in one transaction.
    pub fn put_many<'a, R: Record + 'a>(
        &self,
        scope: Scope,
        items: impl IntoIterator<Item = (&'a [u8], &'a R)>,
        event: AuditEvent,
    ) -> Result<u64, StoreError> {
        let mut writes = WriteSet::new();
        for (key, value) in items {
            self.stage_put(&mut writes, scope, key, value)?;
        }
        self.commit(event, writes)
    }

    /// Commits staged writes together with their audit record.
    pub fn commit(&self, event: AuditEvent, writes: WriteSet) -> Result<u64, StoreError> {
        self.commit_all(vec![event], writes)
    }

    /// Commits staged writes with several audit records, in order, in one transaction.
    pub fn commit_all(
        &self,
        mut events: Vec<AuditEvent>,
        writes: WriteSet,
    ) -> Result<u64, StoreError> {
        for event in &mut events {
            self.seal_detail(event);
        }
        Ok(self.store.audit.commit_many(events, writes)?)
    }

    /// The clinic's free-text keys (derived when needed: two HKDF expansions).
    pub fn text_keys(&self) -> DetailKeys {
        DetailKeys::from_blind(&self.keys.blind)
    }

    /// Seals free text: with the patient's key when it is about one patient whose key
    /// is there (erasing the patient shreds it), else with the clinic's.
    pub fn seal_text(&self, patient: Option<&PatientId>, text: &str) -> SealedText {
        if let Some(id) = patient
            && let Ok(key) = self.patient_key(id)
        {
            return SealedText::Patient {
                patient: id.0,
                sealed: envelope::seal(
                    &key,
                    self.keys.generation,
                    Aad::new(FREE_TEXT_AAD, &id.0),
                    text.as_bytes(),
                ),
            };
        }
        SealedText::clinic(&self.text_keys(), text)
    }

    /// Moves an event's detail into its sealed form (`audit::detail`): with the key of
    /// the one patient it names, or the clinic's.
    pub fn seal_detail(&self, event: &mut AuditEvent) {
        let Some(text) = event.detail.take() else {
            return;
        };
        let mut patients = event.subjects.iter().filter_map(|s| PatientId::parse(s));
        let first = patients.next();
        let one = first.filter(|p| patients.all(|other| other == *p));
        event.sealed = Some(self.seal_text(one.as_ref(), &text));
    }

    pub(crate) fn patient_key(&self, id: &PatientId) -> Result<SecretKey, StoreError> {
        if let Some(key) = self.cache().get(id) {
            return Ok(key);
        }
        let Some(key) = super::upgrade::unwrap_patient_key(&self.store, &self.keys, id)? else {
            let exists = self
                .tree(PATIENTS_TREE)?
                .contains_key(id.0)
                .map_err(|e| self.sled_err(e))?;
            return Err(if exists {
                StoreError::Erased
            } else {
                StoreError::Missing("patient")
            });
        };
        self.cache().insert(*id, key.clone());
        Ok(key)
    }

    /// Drops the patient's key from memory (after it was shredded on disk).
    pub fn forget_patient_key(&self, id: &PatientId) {
        self.cache().remove(id);
    }

    pub(crate) fn cache(&self) -> std::sync::MutexGuard<'_, super::key_cache::KeyCache> {
        self.patient_keys.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TextOpener for Vault {
    fn open_text(&self, text: &SealedText) -> String {
        detail::open_with(&self.text_keys(), text, |id| {
            self.patient_key(&PatientId(*id)).ok()
        })
    }
}
