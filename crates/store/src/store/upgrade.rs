//! The steps of a schema upgrade that need the keys, run at the first unlock after the
//! keyless migration (`migrate.rs`) marked them pending.
//!
//! Schema 2 keeps no identifier and no typed text in the clear: card records move from
//! `patient id || card number` to `patient id || blind token` (re-sealed, since the
//! record key is the envelope's associated data; an erased patient's cards, which no
//! key opens any more, are deleted), alert details are sealed, and the clinic's
//! free-text public key is published for processes that hold no key. Everything is one
//! transaction with its audit record, so a crash leaves the step pending to run again.
//! Audit records written before the upgrade keep their clear details: they are inside
//! the hash chain and cannot be rewritten.

use super::StoreError;
use super::alerts::{ALERTS_TREE, Alert};
use super::cards::{CARD_KEY_LEN, CARDS_TREE, card_key};
use super::codec;
use super::db::Store;
use super::meta::META_TREE;
use super::vault::PATIENT_KEYS_TREE;
use super::writes::WriteSet;
use crate::audit::detail::SealedText;
use crate::audit::log::TEXT_PUBLIC_KEY;
use crate::audit::{AuditEvent, Outcome};
use crate::crypto::detail::DetailKeys;
use crate::crypto::envelope::{self, Aad};
use crate::crypto::{DataKeys, SecretKey};
use crate::domain::card::Card;
use crate::domain::patient::PatientId;

/// Set in the meta tree by the keyless migration to schema 2; removed when done.
pub const PENDING_KEY: &[u8] = b"upgrade_pending";

/// Opens a patient's key with `keys` (either generation mid-rotation); `None` when it
/// is gone (erased).
pub(crate) fn unwrap_patient_key(
    store: &Store,
    keys: &DataKeys,
    id: &PatientId,
) -> Result<Option<SecretKey>, StoreError> {
    let Some(sealed) = store
        .tree(PATIENT_KEYS_TREE)?
        .get(id.0)
        .map_err(|e| StoreError::from_sled(store.dir(), e))?
    else {
        return Ok(None);
    };
    let generation =
        envelope::key_id(&sealed).map_err(|e| StoreError::from_envelope(store.dir(), e))?;
    let wrap = &keys.for_generation(generation).unwrap_or(keys).patient_wrap;
    let plain = envelope::open(wrap, Aad::new(PATIENT_KEYS_TREE, &id.0), &sealed)
        .map_err(|e| StoreError::from_envelope(store.dir(), e))?;
    SecretKey::from_slice(&plain)
        .map(Some)
        .ok_or_else(|| StoreError::corrupt(store.dir(), "malformed patient key"))
}

impl Store {
    /// Publishes the free-text public key if it is missing and runs the pending keyed
    /// upgrade steps (see the module comment).
    pub(crate) fn finish_upgrade(&self, keys: &DataKeys) -> Result<(), StoreError> {
        let sled_err = |e| StoreError::from_sled(self.dir(), e);
        let meta = self.tree(META_TREE)?;
        let text = DetailKeys::from_blind(&keys.blind);
        let published = meta.get(TEXT_PUBLIC_KEY).map_err(sled_err)?.is_some();
        let pending = meta.get(PENDING_KEY).map_err(sled_err)?.is_some();
        if published && !pending {
            return Ok(());
        }
        let mut writes = WriteSet::new();
        writes.put(&meta, TEXT_PUBLIC_KEY, text.public().to_vec());
        let (mut cards, mut dropped, mut alerts) = (0u64, 0u64, 0u64);
        if pending {
            (cards, dropped) = self.stage_card_rekeying(&mut writes, keys)?;
            alerts = self.stage_alert_sealing(&mut writes, &text)?;
            writes.delete(&meta, PENDING_KEY);
        }
        let event = AuditEvent::new(
            crate::audit::context::process_actor(),
            "store.upgrade",
            Outcome::Ok,
        )
        .detail(format!(
            "schema 2: cards re-keyed={cards} erased patients' cards removed={dropped} alert details sealed={alerts}"
        ));
        self.audit.commit(event, writes)?;
        self.audit.set_text_public(text.public());
        Ok(())
    }

    /// Cards under `patient id || number` move under `patient id || token`.
    fn stage_card_rekeying(
        &self,
        writes: &mut WriteSet,
        keys: &DataKeys,
    ) -> Result<(u64, u64), StoreError> {
        let tree = self.tree(CARDS_TREE)?;
        let (mut moved, mut dropped) = (0, 0);
        for item in tree.iter() {
            let (key, sealed) = item.map_err(|e| StoreError::from_sled(self.dir(), e))?;
            let old = key.len() != CARD_KEY_LEN || key[16..].iter().all(u8::is_ascii_digit);
            if !old || key.len() < 16 {
                continue;
            }
            let id = PatientId(key[..16].try_into().unwrap_or_default());
            writes.delete(&tree, key.to_vec());
            let Some(patient_key) = unwrap_patient_key(self, keys, &id)? else {
                dropped += 1;
                continue;
            };
            let plain = envelope::open(&patient_key, Aad::new(CARDS_TREE, &key), &sealed)
                .map_err(|e| StoreError::from_envelope(self.dir(), e))?;
            let card: Card =
                codec::decode(&plain).map_err(|e| StoreError::from_codec(self.dir(), e))?;
            let new_key = card_key(&keys.blind, &id, &card.number);
            let generation =
                envelope::key_id(&sealed).map_err(|e| StoreError::from_envelope(self.dir(), e))?;
            let resealed = envelope::seal(
                &patient_key,
                generation,
                Aad::new(CARDS_TREE, &new_key),
                &plain,
            );
            writes.put(&tree, new_key, resealed);
            moved += 1;
        }
        Ok((moved, dropped))
    }

    /// Alert details kept in the clear are sealed under the clinic's free-text key.
    fn stage_alert_sealing(
        &self,
        writes: &mut WriteSet,
        text: &DetailKeys,
    ) -> Result<u64, StoreError> {
        let tree = self.tree(ALERTS_TREE)?;
        let mut sealed = 0;
        let clear = self.alerts_where(usize::MAX, |a| matches!(a.detail, SealedText::Clear(_)))?;
        for mut alert in clear {
            if let SealedText::Clear(clear) = &alert.detail {
                alert.detail = SealedText::clinic(text, clear);
            }
            writes.put(
                &tree,
                alert.id.to_be_bytes(),
                codec::encode::<Alert>(&alert).to_vec(),
            );
            sealed += 1;
        }
        Ok(sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::audit::detail::TextOpener;
    use crate::domain::card::CardStatus;
    use crate::domain::patient::Patient;
    use crate::store::meta::{META_KEY, StoreMeta};
    use crate::store::{StoreOptions, Unlock, Vault};

    const PASSWORD: &str = "correct horse battery staple";

    /// A schema-1 store: a card under `patient id || number`, an alert with its detail
    /// in the clear (format version 1), no free-text public key.
    fn schema_one(dir: &std::path::Path) -> (PatientId, String) {
        let (vault, _) = crate::store::init(
            dir,
            "admin",
            PASSWORD,
            StoreOptions::default(),
            Actor::default(),
        )
        .unwrap();
        let event = || AuditEvent::new(Actor::default(), "test", Outcome::Ok);
        let id = vault.create_patient(&Patient::default(), event()).unwrap();
        let number = "88600000017".to_string();
        let card = Card {
            number: number.clone(),
            card_type: "basic".into(),
            status: CardStatus::Active,
            issued: chrono::NaiveDate::default(),
            valid_until: chrono::NaiveDate::default(),
            replaces: None,
            replaced_by: None,
        };
        let mut old_key = id.0.to_vec();
        old_key.extend_from_slice(number.as_bytes());
        let key = vault.patient_key(&id).unwrap();
        let sealed = envelope::seal(
            &key,
            1,
            Aad::new(CARDS_TREE, &old_key),
            &codec::encode(&card),
        );
        let store = vault.store();
        let mut v1 = 1u16.to_be_bytes().to_vec();
        v1.extend(
            bincode::serde::encode_to_vec(
                (
                    7u64,
                    5i64,
                    super::super::alerts::AlertKind::BreakGlass,
                    vec![id.to_string()],
                    "reason: Qzxclear",
                ),
                bincode::config::standard(),
            )
            .unwrap(),
        );
        let meta = store.tree(META_TREE).unwrap();
        let mut old_meta: StoreMeta = codec::decode(&meta.get(META_KEY).unwrap().unwrap()).unwrap();
        old_meta.schema_version = 1;
        store
            .tree(CARDS_TREE)
            .unwrap()
            .insert(old_key, sealed)
            .unwrap();
        let mut index = vec![crate::crypto::IndexKind::CardNumber.tag()];
        index.extend(
            vault
                .keys()
                .blind
                .token(crate::crypto::IndexKind::CardNumber, &number),
        );
        index.extend(id.0);
        let index_tree = store.tree(crate::store::vault::INDEX_TREE).unwrap();
        index_tree.insert(index, Vec::new()).unwrap();
        store
            .tree(ALERTS_TREE)
            .unwrap()
            .insert(7u64.to_be_bytes(), v1)
            .unwrap();
        meta.insert(META_KEY, codec::encode(&old_meta).to_vec())
            .unwrap();
        meta.remove(TEXT_PUBLIC_KEY).unwrap();
        store.db.flush().unwrap();
        (id, number)
    }

    #[test]
    fn a_schema_one_store_is_upgraded_at_its_first_unlock() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let (id, number) = schema_one(&dir);
        let store = Store::open(&dir, StoreOptions::default()).unwrap();
        assert_eq!(
            store.meta().schema_version,
            crate::store::meta::SCHEMA_VERSION
        );
        let keys = store
            .unlock(Unlock::Password {
                user: "admin",
                password: PASSWORD.as_bytes(),
            })
            .unwrap();
        let vault = Vault::new(store, keys);
        // The card is found by number and kept under its token only.
        let (holder, card) = vault.card_by_number(&number).unwrap().unwrap();
        assert_eq!((holder, card.number.as_str()), (id, number.as_str()));
        for item in vault.store().tree(CARDS_TREE).unwrap().iter() {
            let (key, _) = item.unwrap();
            assert_eq!(key.len(), CARD_KEY_LEN);
            assert!(!key.windows(number.len()).any(|w| w == number.as_bytes()));
        }
        // The alert's detail is sealed, and opens for the auditor.
        let alert = vault.store().alert(7).unwrap().unwrap();
        assert!(matches!(alert.detail, SealedText::Clinic(_)), "{alert:?}");
        assert_eq!(vault.open_text(&alert.detail), "reason: Qzxclear");
        // Done once: the marker is gone and the public key published.
        let meta = vault.store().tree(META_TREE).unwrap();
        assert!(meta.get(PENDING_KEY).unwrap().is_none());
        assert!(vault.store().audit().text_public().is_some());
    }
}
