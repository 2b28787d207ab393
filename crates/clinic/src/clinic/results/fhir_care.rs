//! The questionnaires, consent decisions and intervention plan a FHIR message brings
//! back (caredesk's own export, read by `ingest::fhir`), filed with the patient on
//! import: each questionnaire scored again by this clinic's definition of the same key
//! and version (one it does not hold is left out and counted), each consent decision
//! kept as it was recorded (who, when, how), the plan kept as the version exported when
//! the patient has no plan here (a plan made here is not replaced by an import). An
//! entry already held is not added again, so importing the same file twice changes
//! nothing.

use std::collections::HashMap;

use crate::clinic::api::ServiceError;
use crate::clinic::service::Ctx;
use crate::domain::consent::ConsentRecord;
use crate::domain::patient::PatientId;
use crate::domain::plan::PlanVersion;
use crate::domain::questionnaire::{Definition, Response};
use crate::ingest::Incoming;
use crate::store::Scope;
use crate::store::writes::WriteSet;

/// What one import adds, per patient, before it is staged.
#[derive(Default)]
pub(crate) struct Filed {
    definitions: Option<Vec<Definition>>,
    consent: HashMap<PatientId, (ConsentRecord, bool)>,
    questionnaires: HashMap<PatientId, (Vec<Response>, Vec<Response>)>,
    plans: HashMap<PatientId, PlanVersion>,
    /// Entries added (questionnaires and consent decisions).
    pub added: u64,
    /// Questionnaires left out: this clinic has no such questionnaire (key and
    /// version), or the answers do not fit it.
    pub not_scored: u64,
    /// Plans left out: the patient has a plan here already, or it fails the checks.
    pub plans_not_kept: u64,
}

impl Filed {
    /// Takes what `message` reports for patient `id`.
    pub fn take(
        &mut self,
        ctx: &Ctx<'_>,
        id: &PatientId,
        message: &Incoming,
    ) -> Result<(), ServiceError> {
        let reported = &message.reported;
        if !reported.consent.is_empty() || !reported.processing.is_empty() {
            if !self.consent.contains_key(id) {
                // Read directly: a patient created by this import is not stored yet.
                let held: ConsentRecord = ctx
                    .vault
                    .get(Scope::Patient(*id), &id.0)?
                    .unwrap_or_default();
                self.consent.insert(*id, (held, false));
            }
            if let Some((record, changed)) = self.consent.get_mut(id) {
                for entry in &reported.consent {
                    if !record.entries.contains(entry) {
                        record.entries.push(entry.clone());
                        *changed = true;
                        self.added += 1;
                    }
                }
                for entry in &reported.processing {
                    if !record.processing.contains(entry) {
                        record.processing.push(entry.clone());
                        *changed = true;
                        self.added += 1;
                    }
                }
                // Oldest first, as decisions are kept: a later one supersedes.
                record.entries.sort_by_key(|e| e.at);
                record.processing.sort_by_key(|e| e.at);
            }
        }
        if let Some(plan) = &reported.plan {
            let held = ctx.vault.plans(id)?;
            if held.last() == Some(plan) || self.plans.get(id) == Some(plan) {
                // Already here.
            } else if held.is_empty() && !self.plans.contains_key(id) && plan.plan.check().is_ok() {
                self.plans.insert(*id, plan.clone());
                self.added += 1;
            } else {
                self.plans_not_kept += 1;
            }
        }
        if reported.questionnaires.is_empty() {
            return Ok(());
        }
        let definitions = self.definitions.get_or_insert_with(|| {
            crate::clinic::care::questionnaires::definitions(ctx.clinic.dir()).0
        });
        if !self.questionnaires.contains_key(id) {
            let held = ctx.vault.questionnaire_responses(id)?;
            self.questionnaires.insert(*id, (held, Vec::new()));
        }
        let Some((held, new)) = self.questionnaires.get_mut(id) else {
            return Ok(());
        };
        for response in &reported.questionnaires {
            let scored = definitions
                .iter()
                .find(|d| d.key == response.key && d.version == response.version)
                .and_then(|d| d.score(&response.answers).ok());
            let Some(scored) = scored else {
                self.not_scored += 1;
                continue;
            };
            let response = Response {
                scored,
                ..response.clone()
            };
            let same = |r: &Response| {
                r.key == response.key && r.at == response.at && r.answers == response.answers
            };
            if !held.iter().chain(new.iter()).any(same) {
                new.push(response);
                self.added += 1;
            }
        }
        Ok(())
    }

    /// Stages everything taken.
    pub fn stage(&self, ctx: &Ctx<'_>, writes: &mut WriteSet) -> Result<(), ServiceError> {
        for (id, (record, changed)) in &self.consent {
            if *changed {
                ctx.vault
                    .stage_put(writes, Scope::Patient(*id), &id.0, record)?;
            }
        }
        for (id, plan) in &self.plans {
            ctx.vault.stage_plan(writes, id, plan)?;
        }
        for (id, (_, new)) in &self.questionnaires {
            for response in new {
                ctx.vault
                    .stage_questionnaire_response(writes, id, response)?;
            }
        }
        Ok(())
    }
}
