//! A patient's health record and its amendments. Both are sealed with the patient's
//! own key; amendments are keyed by patient id and a store-wide increasing id, so a
//! prefix scan returns one patient's history oldest first.

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::domain::amendment::Amendment;
use crate::domain::health::HealthRecord;
use crate::domain::patient::PatientId;

pub const HEALTH_TREE: &str = "health";
pub const AMENDMENTS_TREE: &str = "amendments";

impl Record for HealthRecord {
    const TREE: &'static str = HEALTH_TREE;
}

impl Record for Amendment {
    const TREE: &'static str = AMENDMENTS_TREE;
}

fn amendment_key(id: &PatientId, seq: u64) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

impl Vault {
    /// The patient's health record (empty when nothing was recorded).
    pub fn health(&self, id: &PatientId) -> Result<HealthRecord, StoreError> {
        self.patient_key(id)?;
        Ok(self.get(Scope::Patient(*id), &id.0)?.unwrap_or_default())
    }

    pub fn stage_health(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        health: &HealthRecord,
    ) -> Result<(), StoreError> {
        self.patient_key(id)?;
        self.stage_put(writes, Scope::Patient(*id), &id.0, health)
    }

    /// Every amendment of the patient, oldest first.
    pub fn amendments(&self, id: &PatientId) -> Result<Vec<Amendment>, StoreError> {
        self.history(id)
    }

    pub fn stage_amendment(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        amendment: &Amendment,
    ) -> Result<(), StoreError> {
        let key = amendment_key(id, self.next_id()?);
        self.stage_put(writes, Scope::Patient(*id), &key, amendment)
    }
}
