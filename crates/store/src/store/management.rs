//! What care adds to the record: approved advice, intervention plan versions and stage
//! summary versions, each sealed with the patient's key and kept in time order.

use super::StoreError;
use super::vault::{Record, Vault};
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
        self.stage_in_history(writes, id, &[], advice)
    }

    /// The patient's approved advice, oldest first.
    pub fn advice(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::advice::Approved>, StoreError> {
        self.history(id)
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
        self.stage_in_history(writes, id, &[], plan)
    }

    /// Every version of the patient's plan, oldest first.
    pub fn plans(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::plan::PlanVersion>, StoreError> {
        self.history(id)
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
        self.stage_in_history(writes, id, &version.number.to_be_bytes(), version)
    }

    /// Every version of every summary of the patient: by number, then oldest first.
    pub fn summaries(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::summary::SummaryVersion>, StoreError> {
        self.history(id)
    }
}

pub const EXAMS_TREE: &str = "exams";

impl Record for crate::domain::exam_form::ExamVersion {
    const TREE: &'static str = EXAMS_TREE;
}

impl Vault {
    /// Keeps a version of one of the patient's examination forms (patient key), keyed
    /// by the exam's number then time, so its versions come back together in order.
    pub fn stage_exam(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        version: &crate::domain::exam_form::ExamVersion,
    ) -> Result<(), StoreError> {
        self.stage_in_history(writes, id, &version.number.to_be_bytes(), version)
    }

    /// Every version of every examination form of the patient: by number, oldest first.
    pub fn exams(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::exam_form::ExamVersion>, StoreError> {
        self.history(id)
    }
}
