//! Everything held on one patient, for the patient's right of access: as caredesk's
//! own JSON, or as a FHIR R4 Bundle. Audited as a disclosure.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api::{Response, ServiceError};
use super::service::{Ctx, Reply};
use crate::crypto::IndexKind;
use crate::domain::amendment::Amendment;
use crate::domain::card::Card;
use crate::domain::consent::ConsentRecord;
use crate::domain::health::HealthRecord;
use crate::domain::patient::{IdType, Patient, PatientId, Sex};

/// The whole record of one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

pub const FORMAT: &str = "caredesk-patient-export/2";

/// A card number, an ID number or a phone number → the one patient it names.
pub(crate) fn resolve(ctx: &Ctx<'_>, key: &str) -> Result<PatientId, ServiceError> {
    if let Some((id, _)) = ctx.vault.card_by_number(key)? {
        return Ok(id);
    }
    for kind in [IndexKind::IdNumber, IndexKind::Phone] {
        let found = ctx.vault.find(kind, key)?;
        match found.len() {
            0 => continue,
            1 => return Ok(found[0]),
            n => {
                return Err(ServiceError::Conflict(format!(
                    "{n} patients share this phone number: give a card or ID number instead"
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
    let export = PatientExport {
        format: FORMAT.into(),
        id,
        patient: ctx.vault.patient(&id)?,
        cards: ctx.vault.cards(&id)?,
        consent: super::consent::record(ctx.vault, &id)?,
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
    };
    Ok(Reply::new(Response::PatientExport(Box::new(export)))
        .subject(id.to_string())
        .detail("disclosure: the whole record"))
}

fn gender(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::Other => "other",
        Sex::Unknown => "unknown",
    }
}

/// The export as a FHIR R4 `collection` Bundle: the Patient (identifiers: ID number and
/// card numbers), the health record's resources (`export_fhir`), what care added
/// (`export_care`: CarePlan and Goals, Communications, Compositions, Flags), and a
/// Consent per decision in force.
pub fn to_fhir(export: &PatientExport) -> Value {
    let p = &export.patient;
    let patient_ref = format!("Patient/{}", export.id);
    let mut identifiers = Vec::new();
    if let Some(number) = &p.id_number {
        let system = match p.id_type {
            IdType::ResidentId => "urn:caredesk:cn-resident-id",
            IdType::Passport => "urn:caredesk:passport",
            IdType::Other => "urn:caredesk:id-document",
        };
        identifiers.push(json!({ "system": system, "value": number }));
    }
    for card in &export.cards {
        identifiers.push(json!({ "system": "urn:caredesk:member-card", "value": card.number, "use": if card.status == crate::domain::card::CardStatus::Active { "usual" } else { "old" } }));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "id": export.id.to_string(),
        "identifier": identifiers,
        "name": [{ "text": p.name }],
        "gender": gender(p.sex),
    });
    if let Some(birth) = p.birth_date {
        patient["birthDate"] = json!(birth.to_string());
    }
    if let Some(phone) = &p.phone {
        patient["telecom"] = json!([{ "system": "phone", "value": phone, "use": "mobile" }]);
    }
    if let Some(address) = &p.address {
        patient["address"] = json!([{ "text": address }]);
    }
    if let Some(contact) = &p.emergency_contact {
        patient["contact"] =
            json!([{ "relationship": [{ "text": "emergency" }], "name": { "text": contact } }]);
    }
    let mut entries =
        vec![json!({ "fullUrl": format!("urn:uuid:patient-{}", export.id), "resource": patient })];
    let subject = json!({ "reference": patient_ref });
    entries.extend(super::export_fhir::clinical(&export.health, &subject));
    entries.extend(
        export
            .observations
            .iter()
            .map(|o| super::export_fhir::observation(o, &subject)),
    );
    entries.extend(
        export
            .questionnaires
            .iter()
            .map(|q| super::export_fhir::questionnaire_response(q, &subject)),
    );
    entries.extend(
        export
            .assessments
            .iter()
            .filter_map(|a| super::export_fhir::risk_assessment(a, &subject)),
    );
    if let Some(plan) = export.plans.last() {
        entries.extend(super::export_care::care_plan(plan, &subject));
    }
    entries.extend(
        export
            .advice
            .iter()
            .map(|a| super::export_care::advice(a, &subject)),
    );
    entries.extend(super::export_care::summaries(&export.summaries, &subject));
    entries.extend(
        export
            .auto_tags
            .iter()
            .map(|t| super::export_care::flag(t, &subject)),
    );
    for entry in &export.consent.entries {
        let granted = entry.decision == crate::domain::consent::Decision::Granted;
        entries.push(json!({ "resource": {
            "resourceType": "Consent",
            "status": "active",
            "patient": subject,
            "dateTime": chrono::DateTime::from_timestamp(entry.at, 0).map(|t| t.to_rfc3339()).unwrap_or_default(),
            "category": [{ "text": format!("{} via {}", entry.purpose.name(), entry.channel.name()) }],
            "provision": { "type": if granted { "permit" } else { "deny" } },
        } }));
    }
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
}
