//! Patients on the unlocked store: their keys, records, blind indexes and erasure.
//! Each operation has a `stage_` form that adds to a caller's `WriteSet` (the service
//! commits it with the audit record) and a convenience form that commits at once.

use super::StoreError;
use super::vault::{INDEX_TREE, PATIENT_KEYS_TREE, Scope, Vault};
use super::writes::WriteSet;
use crate::audit::AuditEvent;
use crate::crypto::{Aad, IndexKind, SecretKey, envelope};
use crate::domain::patient::{Patient, PatientId};

pub(crate) fn index_key(kind: IndexKind, token: &[u8; 32], id: &PatientId) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + 32 + 16);
    key.push(kind.tag());
    key.extend_from_slice(token);
    key.extend_from_slice(&id.0);
    key
}

impl Vault {
    fn stage_index(
        &self,
        writes: &mut WriteSet,
        patient: &Patient,
        id: &PatientId,
        remove: bool,
    ) -> Result<(), StoreError> {
        let tree = self.tree(INDEX_TREE)?;
        let entries = [
            (IndexKind::Phone, patient.phone.as_deref()),
            (IndexKind::PhoneTail, patient.phone.as_deref()),
            (IndexKind::IdNumber, patient.id_number.as_deref()),
            (IndexKind::RecordNumber, patient.record_number.as_deref()),
        ];
        for (kind, value) in entries {
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                self.stage_index_entry(writes, &tree, kind, value, id, remove);
            }
        }
        Ok(())
    }

    /// Adds (or removes) one blind-index entry pointing `value` at patient `id`.
    pub(crate) fn stage_index_entry(
        &self,
        writes: &mut WriteSet,
        tree: &sled::Tree,
        kind: IndexKind,
        value: &str,
        id: &PatientId,
        remove: bool,
    ) {
        let key = index_key(kind, &self.keys().blind.token(kind, value), id);
        if remove {
            writes.delete(tree, key);
        } else {
            writes.put(tree, key, Vec::new());
        }
    }

    /// Creates a patient with a fresh key, their record and index entries, and the
    /// audit record, in one transaction. The event gets the new id as its subject.
    pub fn create_patient(
        &self,
        patient: &Patient,
        event: AuditEvent,
    ) -> Result<PatientId, StoreError> {
        let mut writes = WriteSet::new();
        let id = self.stage_create_patient(&mut writes, patient)?;
        let committed = self.commit(event.subject(id.to_string()), writes);
        if committed.is_err() {
            self.cache().remove(&id);
        }
        committed.map(|_| id)
    }

    /// Reads a patient's demographics (the caller audits the read).
    pub fn patient(&self, id: &PatientId) -> Result<Patient, StoreError> {
        self.get(Scope::Patient(*id), &id.0)?
            .ok_or(StoreError::Missing("patient"))
    }

    /// Reads a patient and writes `event` (with the patient's id) before returning:
    /// when the audit record cannot be written, the caller gets the error and no data.
    pub fn read_patient(&self, id: &PatientId, event: AuditEvent) -> Result<Patient, StoreError> {
        let patient = self.patient(id)?;
        self.commit(event.subject(id.to_string()), WriteSet::new())?;
        Ok(patient)
    }

    /// Replaces a patient's demographics, moving their index entries.
    pub fn update_patient(
        &self,
        id: &PatientId,
        patient: &Patient,
        event: AuditEvent,
    ) -> Result<(), StoreError> {
        let mut writes = WriteSet::new();
        self.stage_update_patient(&mut writes, id, patient)?;
        self.commit(event.subject(id.to_string()), writes)?;
        Ok(())
    }

    /// Patients whose phone, ID number or card number is exactly `value`.
    pub fn find(&self, kind: IndexKind, value: &str) -> Result<Vec<PatientId>, StoreError> {
        let mut prefix = vec![kind.tag()];
        prefix.extend_from_slice(&self.keys().blind.token(kind, value));
        self.tree(INDEX_TREE)?
            .scan_prefix(&prefix)
            .keys()
            .map(|k| {
                let k = k.map_err(|e| self.sled_err(e))?;
                k.get(33..49)
                    .and_then(|b| b.try_into().ok())
                    .map(PatientId)
                    .ok_or_else(|| StoreError::corrupt(&self.store().dir, "malformed index entry"))
            })
            .collect()
    }

    /// Crypto-shredding: deletes the patient's key and index entries. Their records stay
    /// on disk as ciphertext nobody can open; the audit keeps the id only.
    pub fn erase_patient(&self, id: &PatientId, event: AuditEvent) -> Result<(), StoreError> {
        let mut writes = WriteSet::new();
        self.stage_erase_patient(&mut writes, id)?;
        self.commit(event.subject(id.to_string()), writes)?;
        self.cache().remove(id);
        Ok(())
    }

    /// Stages a new patient: a fresh key, the record, the index entries.
    pub fn stage_create_patient(
        &self,
        writes: &mut WriteSet,
        patient: &Patient,
    ) -> Result<PatientId, StoreError> {
        let id = PatientId::random();
        let key = SecretKey::random();
        let wrapped = envelope::seal(
            &self.keys().patient_wrap,
            self.keys().generation,
            Aad::new(PATIENT_KEYS_TREE, &id.0),
            key.expose(),
        );
        writes.put(&self.tree(PATIENT_KEYS_TREE)?, id.0, wrapped);
        self.cache().insert(id, key);
        self.stage_put(writes, Scope::Patient(id), &id.0, patient)?;
        self.stage_index(writes, patient, &id, false)?;
        Ok(id)
    }

    /// Stages new demographics, moving the index entries.
    pub fn stage_update_patient(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        patient: &Patient,
    ) -> Result<(), StoreError> {
        let old = self.patient(id)?;
        self.stage_index(writes, &old, id, true)?;
        self.stage_index(writes, patient, id, false)?;
        self.stage_put(writes, Scope::Patient(*id), &id.0, patient)
    }

    /// Stages crypto-shredding: the patient's key and index entries go.
    pub fn stage_erase_patient(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
    ) -> Result<(), StoreError> {
        let patient = self.patient(id)?;
        self.stage_index(writes, &patient, id, true)?;
        writes.delete(&self.tree(PATIENT_KEYS_TREE)?, id.0);
        Ok(())
    }

    /// Every patient id, erased ones included (their key is gone, their record stays).
    pub fn patient_ids(&self) -> Result<Vec<PatientId>, StoreError> {
        self.tree(super::vault::PATIENTS_TREE)?
            .iter()
            .keys()
            .map(|k| {
                let k = k.map_err(|e| self.sled_err(e))?;
                k.as_ref()
                    .try_into()
                    .map(PatientId)
                    .map_err(|_| StoreError::corrupt(&self.store().dir, "malformed patient id"))
            })
            .collect()
    }

    /// How many patients have a key (erased ones do not).
    pub fn patient_count(&self) -> Result<usize, StoreError> {
        Ok(self.tree(PATIENT_KEYS_TREE)?.len())
    }
}
