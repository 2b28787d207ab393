//! Schema 3: every patient's phone is also indexed by its last four digits (a blind
//! token of its own kind, `IndexKind::PhoneTail`), so the desk finds a caller who
//! gives only those. New and changed patients get the entry as they are written; this
//! step, marked pending by the keyless migration and run at the first unlock, indexes
//! the patients written before, in one transaction with its audit record.

use super::StoreError;
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
use crate::domain::patient::{Patient, PatientId};

/// Set in the meta tree by the keyless migration to schema 3; removed when done.
pub const PHONE_TAILS_PENDING_KEY: &[u8] = b"upgrade_phone_tails";

impl Store {
    /// Indexes the phone tails of the patients written before schema 3, if pending.
    pub(crate) fn finish_phone_tails(&self, keys: &DataKeys) -> Result<(), StoreError> {
        let sled_err = |e| StoreError::from_sled(self.dir(), e);
        let meta = self.tree(META_TREE)?;
        if meta
            .get(PHONE_TAILS_PENDING_KEY)
            .map_err(sled_err)?
            .is_none()
        {
            return Ok(());
        }
        let index = self.tree(INDEX_TREE)?;
        let mut writes = WriteSet::new();
        let mut indexed = 0u64;
        for item in self.tree(PATIENTS_TREE)?.iter() {
            let (key, sealed) = item.map_err(sled_err)?;
            let Ok(bytes) = <[u8; 16]>::try_from(key.as_ref()) else {
                continue;
            };
            let id = PatientId(bytes);
            // An erased patient's record opens for nobody: nothing to index.
            let Some(patient_key) = unwrap_patient_key(self, keys, &id)? else {
                continue;
            };
            let plain = envelope::open(&patient_key, Aad::new(PATIENTS_TREE, &key), &sealed)
                .map_err(|e| StoreError::from_envelope(self.dir(), e))?;
            let patient: Patient =
                codec::decode(&plain).map_err(|e| StoreError::from_codec(self.dir(), e))?;
            if let Some(phone) = patient.phone.as_deref().filter(|p| !p.trim().is_empty()) {
                let token = keys.blind.token(IndexKind::PhoneTail, phone);
                writes.put(
                    &index,
                    index_key(IndexKind::PhoneTail, &token, &id),
                    Vec::new(),
                );
                indexed += 1;
            }
        }
        writes.delete(&meta, PHONE_TAILS_PENDING_KEY);
        let event = AuditEvent::new(
            crate::audit::context::process_actor(),
            "store.upgrade",
            Outcome::Ok,
        )
        .detail(format!("schema 3: phone tails indexed={indexed}"));
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
        {
            let store = vault.store();
            let index = store.tree(INDEX_TREE).unwrap();
            let tails: Vec<_> = index
                .scan_prefix([IndexKind::PhoneTail.tag()])
                .keys()
                .map(Result::unwrap)
                .collect();
            assert_eq!(tails.len(), 1);
            for key in tails {
                index.remove(key).unwrap();
            }
            let meta = store.tree(META_TREE).unwrap();
            let mut old: StoreMeta = codec::decode(&meta.get(META_KEY).unwrap().unwrap()).unwrap();
            old.schema_version = 2;
            meta.insert(META_KEY, codec::encode(&old).to_vec()).unwrap();
            store.db.flush().unwrap();
        }
        drop(vault);

        let store = Store::open(&dir, StoreOptions::default()).unwrap();
        assert_eq!(store.meta().schema_version, SCHEMA_VERSION);
        let keys = store
            .unlock(Unlock::Password {
                user: "admin",
                password: PASSWORD.as_bytes(),
            })
            .unwrap();
        let vault = Vault::new(store, keys);
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
}
