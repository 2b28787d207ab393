//! Everything held on one patient, for the patient's right of access: as caredesk's
//! own JSON, or as a FHIR R4 Bundle (assembled here from `export_patient`,
//! `export_fhir`, `export_care` and `export_calls`). Audited as a disclosure.

use crate::text;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::crypto::IndexKind;
use crate::domain::amendment::Amendment;
use crate::domain::card::Card;
use crate::domain::consent::ConsentRecord;
use crate::domain::health::HealthRecord;
use crate::domain::patient::{Patient, PatientId};

/// The whole record of one patient. `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientExport {
    pub format: String,
    pub id: PatientId,
    pub patient: Patient,
    pub cards: Vec<Card>,
    pub consent: ConsentRecord,
    pub health: HealthRecord,
    /// Every change to the record, with the values before and after.
    pub amendments: Vec<Amendment>,
    /// Every result, oldest first.
    #[serde(default)]
    pub observations: Vec<crate::domain::observation::Observation>,
    /// Every filled questionnaire.
    #[serde(default)]
    pub questionnaires: Vec<crate::domain::questionnaire::Response>,
    /// Every risk assessment, with its inputs and model version.
    #[serde(default)]
    pub assessments: Vec<crate::domain::assessment::Assessment>,
    /// The automatic tags in force, with the rule that set each and since when.
    #[serde(default)]
    pub auto_tags: Vec<crate::domain::tag_rules::AutoTag>,
    /// Advice approved and given, oldest first.
    #[serde(default)]
    pub advice: Vec<crate::domain::advice::Approved>,
    /// Every version of the intervention plan, oldest first.
    #[serde(default)]
    pub plans: Vec<crate::domain::plan::PlanVersion>,
    /// Every version of every stage summary.
    #[serde(default)]
    pub summaries: Vec<crate::domain::summary::SummaryVersion>,
    /// The follow-up plans.
    #[serde(default)]
    pub followup_plans: Vec<crate::domain::followup::FollowUpPlan>,
    /// Every follow-up call or visit, oldest first: how it was made (phone, clinic,
    /// home), what was reported and ticked, its class and any referral with reasons.
    #[serde(default)]
    pub calls: Vec<crate::domain::followup::Call>,
    /// What is known of each call recording (not its sound: ask the clinic for that).
    #[serde(default)]
    pub recordings: Vec<crate::domain::followup::RecordingMeta>,
    /// When the export was made (unix seconds; 0 in exports made before it was kept).
    #[serde(default)]
    pub exported_at: i64,
}

impl std::fmt::Debug for PatientExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PatientExport(..)")
    }
}

pub const FORMAT: &str = "caredesk-patient-export/2";

/// A card number, a 健康档案编号, an ID number or a phone number → the one patient
/// it names.
pub(crate) fn resolve(ctx: &Ctx<'_>, key: &str) -> Result<PatientId, ServiceError> {
    if let Some((id, _)) = ctx.vault.card_by_number(key)? {
        return Ok(id);
    }
    for kind in [
        IndexKind::RecordNumber,
        IndexKind::IdNumber,
        IndexKind::Phone,
    ] {
        let found = ctx.vault.find(kind, key)?;
        match found.len() {
            0 => continue,
            1 => return Ok(found[0]),
            n => {
                return Err(ServiceError::Conflict(text!(
                    "msg.export.shared_phone",
                    count = n
                )));
            }
        }
    }
    Err(ServiceError::NotFound(
        "patient with this card, ID or phone number".into(),
    ))
}

pub(crate) fn export(ctx: &Ctx<'_>, key: &str) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, key)?;
    Ok(
        Reply::new(Response::PatientExport(Box::new(gather(ctx, id)?)))
            .subject(id.to_string())
            .detail("disclosure: the whole record"),
    )
}

/// The whole record for another processor: only with the patient's separate consent
/// to provision in force, the recipient and purpose named (and kept in the accounting
/// of disclosures).
pub(crate) fn provide(
    ctx: &Ctx<'_>,
    key: &str,
    recipient: &str,
    purpose: &str,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, key)?;
    let (recipient, purpose) = (recipient.trim(), purpose.trim());
    for (field, value) in [("recipient", recipient), ("purpose", purpose)] {
        // `;` would run into the purpose in the audit record's detail.
        if value.is_empty()
            || value.chars().count() > 120
            || !crate::domain::text::is_plain_line(value)
            || (field == "recipient" && value.contains(';'))
        {
            return Err(ServiceError::Field {
                field: field.into(),
                message: text!("msg.consent.provision_named"),
            });
        }
    }
    crate::clinic::desk::consent::require_provision(ctx, &id)?;
    Ok(
        Reply::new(Response::PatientExport(Box::new(gather(ctx, id)?)))
            .subject(id.to_string())
            .detail(format!(
                "disclosure: the whole record to {recipient}; purpose={purpose}"
            )),
    )
}

fn gather(ctx: &Ctx<'_>, id: PatientId) -> Result<PatientExport, ServiceError> {
    Ok(PatientExport {
        format: FORMAT.into(),
        id,
        patient: ctx.vault.patient(&id)?,
        cards: ctx.vault.cards(&id)?,
        consent: crate::clinic::desk::consent::record(ctx.vault, &id)?,
        health: ctx.vault.health(&id)?,
        amendments: ctx.vault.amendments(&id)?,
        observations: ctx.vault.observations(&id)?,
        questionnaires: ctx.vault.questionnaire_responses(&id)?,
        assessments: ctx.vault.assessments(&id)?,
        auto_tags: ctx.vault.auto_tags(&id)?.0,
        advice: ctx.vault.advice(&id)?,
        plans: ctx.vault.plans(&id)?,
        summaries: ctx.vault.summaries(&id)?,
        followup_plans: ctx.vault.followup_plans(&id)?,
        calls: ctx.vault.calls(&id)?,
        recordings: ctx.vault.recordings_of(&id)?,
        exported_at: ctx.now,
    })
}

/// The export as a FHIR R4 `collection` Bundle: the Patient, the health record's
/// resources (`export_fhir`), results, questionnaires and risk assessments, what care
/// added (`export_care`), follow-up calls (`export_calls`) and a Consent per decision.
/// Every entry has a deterministic `urn:uuid:` fullUrl and every reference points at
/// one; empty elements are pruned.
pub fn to_fhir(export: &PatientExport) -> Value {
    let mut ids = super::bundle::Ids::new(export.id);
    let patient_url = ids.url("Patient", "");
    let subject = super::bundle::reference(&patient_url);
    let mut entries = vec![super::fhir_patient::patient(export, &patient_url)];
    entries.extend(super::fhir::clinical(
        &export.health,
        &export.amendments,
        &mut ids,
        &subject,
    ));
    for o in &export.observations {
        entries.push(super::fhir::observation(o, &mut ids, &subject));
    }
    for q in &export.questionnaires {
        entries.push(super::fhir::questionnaire_response(q, &mut ids, &subject));
    }
    entries.extend(super::basic_info::basic_info(export, &mut ids, &subject));
    for a in &export.assessments {
        entries.extend(super::fhir::risk_assessment(a, &mut ids, &subject));
    }
    if let Some(plan) = export.plans.last() {
        entries.extend(super::fhir_care::care_plan(plan, &mut ids, &subject));
    }
    for a in &export.advice {
        entries.push(super::fhir_care::advice(a, &mut ids, &subject));
    }
    entries.extend(super::fhir_care::summaries(
        &export.summaries,
        export.plans.last(),
        &export.calls,
        &mut ids,
        &subject,
    ));
    for t in &export.auto_tags {
        entries.push(super::fhir_care::flag(t, &mut ids, &subject));
    }
    entries.extend(super::fhir_calls::calls(
        &export.calls,
        &export.recordings,
        &mut ids,
        &subject,
    ));
    entries.extend(super::fhir_patient::consents(export, &mut ids, &subject));
    let at = if export.exported_at > 0 {
        export.exported_at
    } else {
        chrono::Utc::now().timestamp()
    };
    let bundle_id = super::bundle::uuid_for(&export.id, &format!("Bundle/{at}"));
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": bundle_id.to_string(),
        "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{bundle_id}") },
        "type": "collection",
        "timestamp": super::bundle::instant(at),
        "entry": entries,
    });
    super::bundle::prune(&mut bundle);
    bundle
}
