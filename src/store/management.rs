//! What care adds to the record: approved advice, intervention plan versions and stage
//! summary versions, each sealed with the patient's key and kept in time order.

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::domain::patient::PatientId;

pub const ADVICE_TREE: &str = "advice";

impl Record for crate::domain::advice::Approved {
    const TREE: &'static str = ADVICE_TREE;
}

impl Vault {
    /// Keeps approved advice with the patient's record (patient key), in time order.
    pub fn stage_advice(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        advice: &crate::domain::advice::Approved,
    ) -> Result<(), StoreError> {
        let mut key = id.0.to_vec();
        key.extend_from_slice(&self.next_id()?.to_be_bytes());
        self.stage_put(writes, Scope::Patient(*id), &key, advice)
    }

    /// The patient's approved advice, oldest first.
    pub fn advice(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::advice::Approved>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(ADVICE_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Patient(*id), &key, &sealed)?);
        }
        Ok(out)
    }
}

pub const PLANS_TREE: &str = "plans";

impl Record for crate::domain::plan::PlanVersion {
    const TREE: &'static str = PLANS_TREE;
}

impl Vault {
    /// Keeps a version of the patient's plan (patient key), in time order.
    pub fn stage_plan(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        plan: &crate::domain::plan::PlanVersion,
    ) -> Result<(), StoreError> {
        let mut key = id.0.to_vec();
        key.extend_from_slice(&self.next_id()?.to_be_bytes());
        self.stage_put(writes, Scope::Patient(*id), &key, plan)
    }

    /// Every version of the patient's plan, oldest first.
    pub fn plans(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::plan::PlanVersion>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(PLANS_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Patient(*id), &key, &sealed)?);
        }
        Ok(out)
    }
}

pub const SUMMARIES_TREE: &str = "summaries";

impl Record for crate::domain::summary::SummaryVersion {
    const TREE: &'static str = SUMMARIES_TREE;
}

impl Vault {
    /// Keeps a version of one of the patient's stage summaries (patient key), keyed by
    /// the summary's number then time, so its versions come back together in order.
    pub fn stage_summary(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        version: &crate::domain::summary::SummaryVersion,
    ) -> Result<(), StoreError> {
        let mut key = id.0.to_vec();
        key.extend_from_slice(&version.number.to_be_bytes());
        key.extend_from_slice(&self.next_id()?.to_be_bytes());
        self.stage_put(writes, Scope::Patient(*id), &key, version)
    }

    /// Every version of every summary of the patient: by number, then oldest first.
    pub fn summaries(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::summary::SummaryVersion>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(SUMMARIES_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Patient(*id), &key, &sealed)?);
        }
        Ok(out)
    }
}
