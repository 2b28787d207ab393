//! A patient's histories: what is kept with a patient (advice, plan and summary
//! versions, calls, results, amendments …), sealed with the patient's key, in the
//! order it was kept. One way to add to one and read it back, for every kind.

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::domain::patient::PatientId;

impl Vault {
    /// Stages `value` at the end of the patient's history of its kind (`T::TREE`).
    /// `group` sorts first when versions of one thing must come back together (a
    /// summary's number); empty otherwise.
    pub(crate) fn stage_in_history<T: Record>(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        group: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        let mut key = id.0.to_vec();
        key.extend_from_slice(group);
        key.extend_from_slice(&self.next_id()?.to_be_bytes());
        self.stage_put(writes, Scope::Patient(*id), &key, value)
    }

    /// The patient's history of one kind, in the order it was kept (by group first).
    pub(crate) fn history<T: Record>(&self, id: &PatientId) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(T::TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Patient(*id), &key, &sealed)?);
        }
        Ok(out)
    }
}
