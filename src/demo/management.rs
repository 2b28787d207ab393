//! Demo health management: risk assessments and automatic tags computed from the demo
//! results as the service would, and approved advice for some patients.

use crate::domain::advice::{Approved, Library};
use crate::domain::assessment;
use crate::domain::health::HealthRecord;
use crate::domain::observation::Observation;
use crate::domain::patient::{Patient, PatientId};
use crate::domain::questionnaire::Response;
use crate::domain::tag_rules::{AutoTags, Facts, Rules};
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

// One call per patient with everything the models and rules read.
#[allow(clippy::too_many_arguments)]
pub fn stage(
    vault: &Vault,
    writes: &mut WriteSet,
    id: &PatientId,
    patient: &Patient,
    record: &HealthRecord,
    observations: &[Observation],
    questionnaires: &[Response],
    advised: bool,
    (today, now): (chrono::NaiveDate, i64),
) -> Result<(), StoreError> {
    let findrisc = questionnaires
        .iter()
        .find(|r| r.key == "findrisc")
        .map(|r| (r.scored.total, r.scored.band.clone()));
    let assessments = assessment::assess_all(patient, record, observations, findrisc, today, now);
    for a in &assessments {
        vault.stage_assessment(writes, id, a)?;
    }
    let rules =
        Rules::parse(crate::domain::tag_rules::BUILT_IN).unwrap_or(Rules { rules: Vec::new() });
    let facts = Facts {
        patient,
        record,
        observations,
        questionnaires,
        assessments: &assessments,
        now,
        today,
    };
    let tags = AutoTags::default().update(rules.evaluate(&facts), now);
    if !tags.0.is_empty() {
        vault.stage_auto_tags(writes, id, &tags)?;
    }
    if advised {
        let mut all_tags = patient.tags.clone();
        all_tags.extend(tags.0.iter().map(|t| t.tag.clone()));
        let items = Library::built_in().draft(&all_tags, &facts, true);
        if !items.is_empty() {
            vault.stage_advice(
                writes,
                id,
                &Approved {
                    items,
                    by: "dr.zhou".into(),
                    at: now - 86_400 * 7,
                },
            )?;
        }
    }
    Ok(())
}
