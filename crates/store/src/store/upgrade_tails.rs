//! Schema 3: every patient's phone is also indexed by its last four digits (a blind
//! token of its own kind, `IndexKind::PhoneTail`), so the desk finds a caller who
//! gives only those. Schema 4: every card number likewise (`IndexKind::CardTail`), as
//! the lists show it (8860****1585). New and changed patients and cards get the entry
//! as they are written; each step, marked pending by the keyless migration and run at
//! the first unlock, indexes what was written before, in one transaction with its
//! audit record.

use super::StoreError;
use super::cards::CARDS_TREE;
use super::codec;
use super::db::Store;
use super::meta::META_TREE;
use super::patients::index_key;
use super::upgrade::unwrap_patient_key;
use super::vault::{INDEX_TREE, PATIENTS_TREE};
use super::writes::WriteSet;
use crate::audit::{AuditEvent, Outcome};
use crate::crypto::envelope::{self, Aad};
use crate::crypto::{DataKeys, IndexKind};
use crate::domain::card::Card;
use crate::domain::patient::{Patient, PatientId};

/// Set in the meta tree by the keyless migration to schema 3; removed when done.
pub const PHONE_TAILS_PENDING_KEY: &[u8] = b"upgrade_phone_tails";

/// Set in the meta tree by the keyless migration to schema 4; removed when done.
pub const CARD_TAILS_PENDING_KEY: &[u8] = b"upgrade_card_tails";

impl Store {
    /// Indexes the phone tails of the patients written before schema 3, if pending.
    pub(crate) fn finish_phone_tails(&self, keys: &DataKeys) -> Result<(), StoreError> {
        self.finish_tails(
            keys,
            (PHONE_TAILS_PENDING_KEY, "schema 3: phone tails"),
            PATIENTS_TREE,
            IndexKind::PhoneTail,
            |patient: Patient| patient.phone.filter(|p| !p.trim().is_empty()),
        )
    }

    /// Indexes the card-number tails of the cards written before schema 4, if pending.
    pub(crate) fn finish_card_tails(&self, keys: &DataKeys) -> Result<(), StoreError> {
        self.finish_tails(
            keys,
            (CARD_TAILS_PENDING_KEY, "schema 4: card tails"),
            CARDS_TREE,
            IndexKind::CardTail,
            |card: Card| Some(card.number),
        )
    }

    /// One pending step: every record of `tree` (keyed by its patient's id first) is
    /// opened with its patient's key and `value` of it indexed as `kind`; the marker
    /// goes in the same transaction as the entries and the audit record.
    fn finish_tails<T: codec::Versioned>(
        &self,
        keys: &DataKeys,
        (pending, step): (&[u8], &str),
        tree: &str,
        kind: IndexKind,
        value: fn(T) -> Option<String>,
    ) -> Result<(), StoreError> {
        let sled_err = |e| StoreError::from_sled(self.dir(), e);
        let meta = self.tree(META_TREE)?;
        if meta.get(pending).map_err(sled_err)?.is_none() {
            return Ok(());
        }
        let index = self.tree(INDEX_TREE)?;
        let mut writes = WriteSet::new();
        let mut indexed = 0u64;
        for item in self.tree(tree)?.iter() {
            let (key, sealed) = item.map_err(sled_err)?;
            let Some(Ok(bytes)) = key.get(..16).map(<[u8; 16]>::try_from) else {
                continue;
            };
            let id = PatientId(bytes);
            // An erased patient's records open for nobody: nothing to index.
            let Some(patient_key) = unwrap_patient_key(self, keys, &id)? else {
                continue;
            };
            let plain = envelope::open(&patient_key, Aad::new(tree, &key), &sealed)
                .map_err(|e| StoreError::from_envelope(self.dir(), e))?;
            let record: T =
                codec::decode(&plain).map_err(|e| StoreError::from_codec(self.dir(), e))?;
            if let Some(value) = value(record) {
                let token = keys.blind.token(kind, &value);
                writes.put(&index, index_key(kind, &token, &id), Vec::new());
                indexed += 1;
            }
        }
        writes.delete(&meta, pending);
        let event = AuditEvent::new(
            crate::audit::context::process_actor(),
            "store.upgrade",
            Outcome::Ok,
        )
        .detail(format!("{step} indexed={indexed}"));
        self.audit.commit(event, writes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::store::meta::{META_KEY, SCHEMA_VERSION, StoreMeta};
    use crate::store::{StoreOptions, Unlock, Vault};

    const PASSWORD: &str = "correct horse battery staple";

    /// Takes the store back to `schema` as it left it (its one `kind` tail entry gone,
    /// the older version in the meta) and opens it again, as the first unlock after an
    /// upgrade does.
    fn reopened_from_schema(
        vault: Vault,
        dir: &std::path::Path,
        kind: IndexKind,
        schema: u32,
    ) -> Vault {
        {
            let store = vault.store();
            let index = store.tree(INDEX_TREE).unwrap();
            let tails: Vec<_> = index
                .scan_prefix([kind.tag()])
                .keys()
                .map(Result::unwrap)
                .collect();
            assert_eq!(tails.len(), 1);
            for key in tails {
                index.remove(key).unwrap();
            }
            let meta = store.tree(META_TREE).unwrap();
            let mut old: StoreMeta = codec::decode(&meta.get(META_KEY).unwrap().unwrap()).unwrap();
            old.schema_version = schema;
            meta.insert(META_KEY, codec::encode(&old).to_vec()).unwrap();
            store.db.flush().unwrap();
        }
        drop(vault);
        let store = Store::open(dir, StoreOptions::default()).unwrap();
        assert_eq!(store.meta().schema_version, SCHEMA_VERSION);
        let keys = store
            .unlock(Unlock::Password {
                user: "admin",
                password: PASSWORD.as_bytes(),
            })
            .unwrap();
        Vault::new(store, keys)
    }

    #[test]
    fn a_schema_two_store_indexes_its_phone_tails_at_the_first_unlock() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let (vault, _) = crate::store::init(
            &dir,
            "admin",
            PASSWORD,
            StoreOptions::default(),
            Actor::default(),
        )
        .unwrap();
        let event = || AuditEvent::new(Actor::default(), "test", Outcome::Ok);
        let with_phone = Patient {
            phone: Some("13912345678".into()),
            ..Patient::default()
        };
        let id = vault.create_patient(&with_phone, event()).unwrap();
        let without = vault.create_patient(&Patient::default(), event()).unwrap();
        assert_eq!(vault.find(IndexKind::PhoneTail, "5678").unwrap(), vec![id]);
        // As schema 2 left it: no tail entries, version 2 (the trees closed after).
        let vault = reopened_from_schema(vault, &dir, IndexKind::PhoneTail, 2);
        assert_eq!(vault.find(IndexKind::PhoneTail, "5678").unwrap(), vec![id]);
        assert_eq!(vault.find(IndexKind::PhoneTail, "0000").unwrap(), vec![]);
        assert!(
            !vault
                .find(IndexKind::PhoneTail, "5678")
                .unwrap()
                .contains(&without)
        );
        let meta = vault.store().tree(META_TREE).unwrap();
        assert!(meta.get(PHONE_TAILS_PENDING_KEY).unwrap().is_none());
    }

    #[test]
    fn a_schema_three_store_indexes_its_card_tails_at_the_first_unlock() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let (vault, _) = crate::store::init(
            &dir,
            "admin",
            PASSWORD,
            StoreOptions::default(),
            Actor::default(),
        )
        .unwrap();
        let event = || AuditEvent::new(Actor::default(), "test", Outcome::Ok);
        let id = vault.create_patient(&Patient::default(), event()).unwrap();
        let card = Card::new(
            "8860000001585".into(),
            "basic",
            12,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        let mut writes = WriteSet::new();
        vault.stage_card(&mut writes, &id, &card, true).unwrap();
        vault.store().audit.commit(event(), writes).unwrap();
        assert_eq!(vault.find(IndexKind::CardTail, "1585").unwrap(), vec![id]);
        // As schema 3 left it: no card-tail entries, version 3.
        let vault = reopened_from_schema(vault, &dir, IndexKind::CardTail, 3);
        assert_eq!(vault.find(IndexKind::CardTail, "1585").unwrap(), vec![id]);
        assert_eq!(vault.find(IndexKind::CardTail, "0000").unwrap(), vec![]);
        let meta = vault.store().tree(META_TREE).unwrap();
        assert!(meta.get(CARD_TAILS_PENDING_KEY).unwrap().is_none());
        // Erased, the patient's tail goes with their cards.
        let mut writes = WriteSet::new();
        vault.stage_cards_removal(&mut writes, &id).unwrap();
        vault.store().audit.commit(event(), writes).unwrap();
        assert_eq!(vault.find(IndexKind::CardTail, "1585").unwrap(), vec![]);
    }
}
