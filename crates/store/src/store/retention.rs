//! Where a record put in the stored-only state says so: one value per patient, sealed
//! under the patient's own key (an erasure takes it along), keyed by the patient id.

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::domain::patient::PatientId;
use crate::domain::retention::Restriction;

pub const RESTRICTIONS_TREE: &str = "restrictions";

impl Record for Restriction {
    const TREE: &'static str = RESTRICTIONS_TREE;
}

impl Vault {
    pub fn restriction(&self, id: &PatientId) -> Result<Option<Restriction>, StoreError> {
        self.get(Scope::Patient(*id), &id.0)
    }

    pub fn stage_restriction(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        restriction: &Restriction,
    ) -> Result<(), StoreError> {
        self.stage_put(writes, Scope::Patient(*id), &id.0, restriction)
    }
}
