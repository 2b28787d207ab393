//! FHIR R4 JSON: a Bundle of any type (collection, transaction, batch, searchset,
//! batch-response, message) or a single resource. Patients are matched by their
//! identifiers (a resident ID, a caredesk card or patient id by their systems; the
//! rest as the sender's numbers); Observations (with their components, such as a
//! blood-pressure panel's systolic and diastolic), Conditions, medication statements
//! and requests, allergies and family history are grouped under the patient they
//! name. Resources caredesk does not keep (Procedure, Immunization, Encounter …) are
//! counted by type for the summary; resources that cannot be read are reported with
//! their place in the file and left out; the rest goes on.

mod basic_info;
mod care;
mod history;
mod patient;
mod record;
mod values;

use crate::i18n::Text;
use crate::text;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use history::{AllergyRead, FamilyRead};
pub use patient::{CARD_SYSTEM, PATIENT_SYSTEM, RESIDENT_ID_SYSTEM, US_CORE_RACE};
pub use values::smoking;
use values::{observations, own_time, text};

use super::{Incoming, Parsed, Rejected, Reported, SenderId};
use crate::domain::health::{Allergy, Condition, FamilyCondition, Medication, Race};
use crate::domain::observation::Observation;
use crate::domain::patient::Patient;

/// A FHIR dateTime, instant or date as unix seconds (a date is its midnight UTC; a
/// time without an offset is read as UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc().timestamp());
    }
    let date = match text.len() {
        4 => NaiveDate::parse_from_str(&format!("{text}-01-01"), "%Y-%m-%d").ok(),
        7 => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok(),
        _ => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
    }?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// Counted, not kept: refuted or entered-in-error allergies.
pub const ALLERGY_WITHDRAWN: &str = "AllergyIntolerance (refuted or entered in error)";
/// Counted, not kept: a family member history entered in error.
pub const FAMILY_WITHDRAWN: &str = "FamilyMemberHistory (entered in error)";
/// Counted, not kept: a family member history that names no condition.
pub const FAMILY_EMPTY: &str = "FamilyMemberHistory (no condition)";

/// Counted, not kept: a follow-up call of a caredesk export (its Encounter, and the
/// Communication with what the nurse wrote).
pub const CALL_ENCOUNTER: &str = "Encounter (caredesk follow-up call)";
pub const CALL_NOTE: &str = "Communication (caredesk follow-up call)";
/// Counted, not kept: health advice of a caredesk export.
pub const ADVICE: &str = "Communication (caredesk health advice)";

/// The key a resource not kept is counted under: its type, or for what a caredesk
/// export holds and an import does not file (calls, advice), what it is.
fn not_kept_kind(kind: &str, resource: &Value) -> String {
    let category = resource["category"][0]["text"].as_str();
    match (kind, category) {
        ("", _) => "(no resourceType)".into(),
        ("Encounter", _)
            if resource["type"][0]["coding"][0]["system"] == "urn:caredesk:followup-kind" =>
        {
            CALL_ENCOUNTER.into()
        }
        ("Communication", Some("follow-up call")) => CALL_NOTE.into(),
        ("Communication", Some("health advice")) => ADVICE.into(),
        _ => kind.into(),
    }
}

/// Why caredesk does not keep a kind of resource (a key of `Parsed::not_kept`).
pub fn not_kept_reason(kind: &str) -> &'static str {
    match kind {
        "Procedure" => {
            "procedures are not part of caredesk's record: type operations into Surgeries"
        }
        "Immunization" | "ImmunizationRecommendation" => {
            "vaccinations are not part of caredesk's record"
        }
        "Encounter" | "EpisodeOfCare" | "Appointment" => "the sender's visits are not kept",
        "Claim" | "ExplanationOfBenefit" | "Coverage" | "ClaimResponse" => {
            "billing and insurance are not kept"
        }
        "Organization" | "Practitioner" | "PractitionerRole" | "Location" | "Device" => {
            "the sender's organisations, staff and devices are not kept"
        }
        "CareTeam" | "CarePlan" | "Goal" | "ServiceRequest" => {
            "the sender's care plans are not kept: plans are made in caredesk (a caredesk export's plan is)"
        }
        "RiskAssessment" => "risks are assessed again from the record by the receiving clinic",
        "Flag" => "automatic tags are set again by the receiving clinic's own rules",
        "DiagnosticReport" => "the report itself is not kept; its results are imported",
        "Medication" => "a medicine description no statement in the file refers to",
        "Provenance" | "DocumentReference" | "Composition" | "ImagingStudy" | "Media" => {
            "documents and their history are not kept"
        }
        ALLERGY_WITHDRAWN => "ruled out or recorded by mistake",
        FAMILY_WITHDRAWN => "recorded by mistake",
        FAMILY_EMPTY => "a relative without a condition says nothing to keep",
        CALL_ENCOUNTER | CALL_NOTE => {
            "follow-up calls stay with the follow-up plans of the clinic that made them: ask it for its export"
        }
        ADVICE => "advice is approved by the clinic that gives it: it is not filed here",
        care::QUESTIONNAIRE_OTHER => {
            "only caredesk's own questionnaires can be scored: enter the answers in caredesk"
        }
        care::CONSENT_OTHER => {
            "only caredesk's contact decisions are kept: record the patient's consent in caredesk"
        }
        _ => "caredesk does not keep this kind of resource",
    }
}

/// "7 Procedure (why), 11 Immunization (why)": the resources not kept, for a summary.
pub fn not_kept_summary(not_kept: &BTreeMap<String, u64>) -> Option<String> {
    if not_kept.is_empty() {
        return None;
    }
    let mut kinds: Vec<(&String, &u64)> = not_kept.iter().collect();
    // The clinical kinds people look for first, then the most numerous.
    kinds.sort_by_key(|(k, n)| {
        (
            !matches!(k.as_str(), "Procedure" | "Immunization"),
            u64::MAX - **n,
        )
    });
    Some(
        kinds
            .iter()
            .map(|(kind, n)| format!("{n} {kind} ({})", not_kept_reason(kind)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Extension of caredesk's export: a result's HL7 v2 status (OBX-11) where FHIR's
/// status says less (R, entered but not verified, is exported as preliminary).
pub const V2_RESULT_STATUS: &str = "urn:caredesk:fhir:v2-result-status";

/// The tag a caredesk export puts on Observations made from the record.
pub const SOURCE_TAG: &str = "urn:caredesk:fhir:source";

/// Where a resource sits in the file, for messages.
fn place(index: usize, resource: &Value) -> String {
    let kind = resource["resourceType"].as_str().unwrap_or("resource");
    match resource["id"].as_str() {
        Some(id) => format!("entry {index} ({kind}/{id})"),
        None => format!("entry {index} ({kind})"),
    }
}

/// The patient a resource is about: its `subject` (or `patient`) reference, or an
/// identifier given in place of one.
fn subject(resource: &Value) -> Option<SubjectRef> {
    let s = resource
        .get("subject")
        .or_else(|| resource.get("patient"))?;
    if let Some(r) = text(&s["reference"]) {
        return Some(SubjectRef::Reference(r));
    }
    text(&s["identifier"]["value"]).map(SubjectRef::Identifier)
}

enum SubjectRef {
    Reference(String),
    Identifier(String),
}

/// What the bundle says about one patient, as it is gathered.
#[derive(Default)]
struct Gathered {
    ids: Vec<String>,
    kinds: Vec<SenderId>,
    patient: Option<Patient>,
    race: Vec<Race>,
    observations: Vec<Observation>,
    conditions: Vec<Condition>,
    medications: Vec<Medication>,
    allergies: Vec<Allergy>,
    family: Vec<FamilyCondition>,
    record: Vec<Observation>,
    questionnaires: Vec<crate::domain::questionnaire::Response>,
    consent: Vec<crate::domain::consent::ConsentEntry>,
    processing: Vec<crate::domain::consent::ProcessingEntry>,
    plan: Option<crate::domain::plan::PlanVersion>,
    surgeries: Vec<crate::domain::health::Surgery>,
    basic_info: Option<crate::domain::basic_info::BasicInfo>,
}

impl Gathered {
    fn is_empty(&self) -> bool {
        self.observations.is_empty()
            && self.conditions.is_empty()
            && self.medications.is_empty()
            && self.allergies.is_empty()
            && self.family.is_empty()
            && self.race.is_empty()
            && self.record.is_empty()
            && self.questionnaires.is_empty()
            && self.consent.is_empty()
            && self.plan.is_none()
            && self.surgeries.is_empty()
            && self.basic_info.is_none()
    }
}

/// The resource types read into a patient's results or record.
const READ: &[&str] = &[
    "Observation",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "AllergyIntolerance",
    "FamilyMemberHistory",
    "QuestionnaireResponse",
    "Consent",
    "CarePlan",
    "Procedure",
];

fn count(parsed: &mut Parsed, kind: &str) {
    *parsed.not_kept.entry(kind.to_string()).or_default() += 1;
}

pub fn parse(text_in: &str, name: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let body = text_in.trim_start_matches('\u{feff}');
    let root: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: format!("line {}, column {}", e.line(), e.column()),
                reason: text!("msg.ingest.fhir_not_json"),
            });
            return parsed;
        }
    };
    let entries: Vec<(Option<String>, Value)> = match root["resourceType"].as_str() {
        Some("Bundle") => root["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["resource"].is_object())
            .map(|e| (text(&e["fullUrl"]), e["resource"].clone()))
            .collect(),
        Some(_) => vec![(None, root.clone())],
        None => {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: String::new(),
                reason: text!("msg.ingest.fhir_no_type"),
            });
            return parsed;
        }
    };
    let bundle_time = root["timestamp"].as_str().and_then(parse_time);
    // References that name each Patient ("Patient/id", its fullUrl), and each
    // Medication a statement may point to.
    let mut patients: HashMap<String, usize> = HashMap::new();
    let mut medicines: HashMap<String, Value> = HashMap::new();
    let mut goals: HashMap<String, Value> = HashMap::new();
    let mut gathered: Vec<Gathered> = Vec::new();
    for (full_url, resource) in &entries {
        let mut names = Vec::new();
        if let (Some(kind), Some(id)) = (resource["resourceType"].as_str(), resource["id"].as_str())
        {
            names.push(format!("{kind}/{id}"));
        }
        names.extend(full_url.clone());
        match resource["resourceType"].as_str() {
            Some("Patient") => {
                let read = patient::patient(resource);
                let slot = gathered.len();
                gathered.push(Gathered {
                    ids: read.ids,
                    kinds: read.kinds,
                    patient: Some(read.patient),
                    race: read.race,
                    ..Gathered::default()
                });
                for n in names {
                    patients.insert(n, slot);
                }
            }
            Some("Medication") => {
                for n in names {
                    medicines.insert(n, resource.clone());
                }
            }
            Some("Goal") => {
                for n in names {
                    goals.insert(n, resource.clone());
                }
            }
            _ => {}
        }
    }
    // When a DiagnosticReport lists an Observation, the report's time is its time.
    let mut report_times: HashMap<String, i64> = HashMap::new();
    for (_, resource) in &entries {
        if resource["resourceType"] == "DiagnosticReport"
            && let Some(time) = own_time(resource)
        {
            for r in resource["result"].as_array().into_iter().flatten() {
                if let Some(reference) = text(&r["reference"]) {
                    report_times.insert(reference, time);
                }
            }
        }
    }
    let single_patient = (gathered.len() == 1).then_some(0);
    let mut medicines_used: HashSet<String> = HashSet::new();
    let mut goals_used: HashSet<String> = HashSet::new();
    for (index, (full_url, resource)) in entries.iter().enumerate() {
        let kind = resource["resourceType"].as_str().unwrap_or("");
        if matches!(kind, "Patient" | "Medication" | "Goal") {
            continue;
        }
        // Care plans and procedures are read only from caredesk's own export.
        let own = match kind {
            "CarePlan" => care::tagged(resource, "plan"),
            "Procedure" => care::tagged(resource, "record"),
            _ => true,
        };
        if !READ.contains(&kind) || !own {
            count(&mut parsed, &not_kept_kind(kind, resource));
            continue;
        }
        let origin = format!("{name} {}", place(index, resource));
        let reject = |parsed: &mut Parsed, reason: Text| {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: place(index, resource),
                reason,
            })
        };
        let slot = match subject(resource) {
            Some(SubjectRef::Reference(r)) => patients.get(&r).copied(),
            Some(SubjectRef::Identifier(value)) => {
                let found = gathered.iter().position(|g| g.ids.contains(&value));
                Some(found.unwrap_or_else(|| {
                    gathered.push(Gathered {
                        ids: vec![value],
                        ..Gathered::default()
                    });
                    gathered.len() - 1
                }))
            }
            None => single_patient,
        };
        let Some(slot) = slot else {
            reject(&mut parsed, text!("msg.ingest.fhir_no_subject"));
            continue;
        };
        let birth = gathered[slot].patient.as_ref().and_then(|p| p.birth_date);
        let g = &mut gathered[slot];
        match kind {
            "Observation" => {
                let own_id = resource["id"]
                    .as_str()
                    .map(|id| format!("Observation/{id}"));
                let taken_at = own_time(resource)
                    .or_else(|| own_id.and_then(|r| report_times.get(&r).copied()))
                    .or_else(|| full_url.as_ref().and_then(|u| report_times.get(u).copied()))
                    .or(bundle_time);
                match observations(resource, taken_at, &origin, &mut parsed.skipped) {
                    Ok(list) if care::tagged(resource, "record") => g.record.extend(list),
                    Ok(list) => g.observations.extend(list),
                    Err(reason) => reject(&mut parsed, reason),
                }
            }
            "Condition" => match record::condition(resource, birth) {
                Ok(c) => g.conditions.push(c),
                Err(reason) => reject(&mut parsed, reason),
            },
            "AllergyIntolerance" => match history::allergy(resource) {
                Ok(AllergyRead::Kept(a)) => g.allergies.push(a),
                Ok(AllergyRead::Withdrawn) => count(&mut parsed, ALLERGY_WITHDRAWN),
                Err(reason) => reject(&mut parsed, reason),
            },
            "QuestionnaireResponse" => match basic_info::basic_info(resource) {
                Ok(Some(info)) => g.basic_info = Some(info),
                Err(reason) => reject(&mut parsed, reason),
                Ok(None) => match care::questionnaire_response(resource) {
                    Ok(Some(q)) => g.questionnaires.push(q),
                    Ok(None) => count(&mut parsed, care::QUESTIONNAIRE_OTHER),
                    Err(reason) => reject(&mut parsed, reason),
                },
            },
            "CarePlan" => match care::care_plan(resource, &goals) {
                Some(plan) => {
                    for r in resource["goal"].as_array().into_iter().flatten() {
                        goals_used.extend(text(&r["reference"]));
                    }
                    g.plan = Some(plan);
                }
                _ => count(&mut parsed, "CarePlan"),
            },
            "Procedure" => match care::surgery(resource) {
                Some(s) => g.surgeries.push(s),
                _ => count(&mut parsed, "Procedure"),
            },
            "Consent" => match (care::consent(resource), care::processing_consent(resource)) {
                (Some(c), _) => g.consent.push(c),
                (None, Some(p)) => g.processing.push(p),
                (None, None) => count(&mut parsed, care::CONSENT_OTHER),
            },
            "FamilyMemberHistory" => match history::family(resource) {
                FamilyRead::Kept(list) => g.family.extend(list),
                FamilyRead::EnteredInError => count(&mut parsed, FAMILY_WITHDRAWN),
                FamilyRead::NoCondition => count(&mut parsed, FAMILY_EMPTY),
            },
            _ => {
                if let Some(r) = text(&resource["medicationReference"]["reference"]) {
                    medicines_used.insert(r);
                }
                match record::medication(resource, &medicines) {
                    Ok(m) => g.medications.push(m),
                    Err(reason) => reject(&mut parsed, reason),
                }
            }
        }
    }
    // A Medication no statement points to says nothing about the patient; a Goal of
    // no plan kept is not kept either.
    for (full_url, resource) in &entries {
        for (kind, used) in [("Medication", &medicines_used), ("Goal", &goals_used)] {
            if resource["resourceType"] == kind {
                let by_id = resource["id"].as_str().map(|id| format!("{kind}/{id}"));
                let found = [by_id, full_url.clone()]
                    .into_iter()
                    .flatten()
                    .any(|n| used.contains(&n));
                if !found {
                    count(&mut parsed, kind);
                }
            }
        }
    }
    for (i, g) in gathered.into_iter().enumerate() {
        if g.is_empty() {
            continue;
        }
        if g.ids.is_empty() {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: format!("patient {}", i + 1),
                reason: text!("msg.ingest.fhir_no_identifier"),
            });
            continue;
        }
        parsed.incoming.push(Incoming {
            origin: format!("{name} patient {}", i + 1),
            patient_ids: g.ids,
            patient: g.patient,
            observations: g.observations,
            conditions: g.conditions,
            medications: g.medications,
            reported: Reported {
                allergies: g.allergies,
                family_history: g.family,
                race: g.race,
                identifiers: g.kinds,
                record: g.record,
                questionnaires: g.questionnaires,
                consent: g.consent,
                plan: g.plan,
                surgeries: g.surgeries,
                processing: g.processing,
                basic_info: g.basic_info,
            },
            ..Incoming::default()
        });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &str = r#"{
      "resourceType": "Bundle", "type": "transaction", "timestamp": "2026-03-01T08:00:00+08:00",
      "entry": [
        {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1",
          "identifier": [{"value": "110105196804120017"}], "name": [{"text": "张伟"}],
          "gender": "male", "birthDate": "1968-04-12"}},
        {"resource": {"resourceType": "Observation", "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
          "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": "2026-03-01T08:10:00+08:00",
          "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": 142, "unit": "mmHg", "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
             "valueQuantity": {"value": 91, "unit": "mmHg", "code": "mm[Hg]"}}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "14771-0"}]},
          "subject": {"reference": "Patient/p1"},
          "valueQuantity": {"value": 6.80, "unit": "mmol/L"},
          "referenceRange": [{"low": {"value": 3.9}, "high": {"value": 6.1}}],
          "interpretation": [{"coding": [{"code": "H"}]}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]},
          "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-03-01",
          "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "8517006", "display": "Ex-smoker"}]}}},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/p1"},
          "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10", "display": "Essential hypertension"}]},
          "onsetDateTime": "2019-06-01"}},
        {"resource": {"resourceType": "MedicationStatement", "subject": {"reference": "Patient/p1"},
          "medicationCodeableConcept": {"text": "Amlodipine 5 mg"}, "dosage": [{"text": "once daily"}]}},
        {"resource": {"resourceType": "Observation", "code": {"coding": [{"code": "x"}]},
          "subject": {"reference": "Patient/nobody"}, "valueString": "lost"}},
        {"resource": {"resourceType": "Observation", "code": {"coding": [{"system": "http://loinc.org", "code": "2093-3"}]},
          "subject": {"reference": "Patient/p1"}, "valueQuantity": {"value": "abc"}}}
      ]}"#;

    #[test]
    fn a_bundle_becomes_one_patient_s_results_conditions_and_medicines() {
        let parsed = parse(BUNDLE, "b.json");
        assert_eq!(parsed.incoming.len(), 1);
        let m = &parsed.incoming[0];
        assert_eq!(m.patient_ids, ["110105196804120017"]);
        assert_eq!(m.patient.as_ref().unwrap().name, "张伟");
        let codes: Vec<&str> = m.observations.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, ["8480-6", "8462-4", "14771-0", "72166-2"]);
        assert_eq!(m.observations[0].value.text(), "142");
        assert_eq!(m.observations[0].unit.as_deref(), Some("mm[Hg]"));
        // No effective time of its own: the bundle's timestamp.
        assert_eq!(
            m.observations[2].taken_at,
            parse_time("2026-03-01T08:00:00+08:00").unwrap()
        );
        assert_eq!(m.observations[2].value.text(), "6.8");
        assert_eq!(m.observations[2].flags, ["H"]);
        assert_eq!(
            smoking(&m.observations[3]),
            Some(crate::domain::health::Smoking::Former)
        );
        assert_eq!(m.conditions[0].code.as_deref(), Some("I10"));
        assert_eq!(m.conditions[0].since.as_deref(), Some("2019-06-01"));
        assert_eq!(m.medications[0].dose.as_deref(), Some("once daily"));
        let places: Vec<String> = parsed.rejected.iter().map(|r| r.to_string()).collect();
        assert_eq!(places.len(), 2, "{places:?}");
        assert!(places[0].contains("entry 6") && places[0].contains("not a Patient"));
        assert!(places[1].contains("entry 7") && places[1].contains("not a number"));
    }

    #[test]
    fn damaged_files_are_refused_with_where() {
        let parsed = parse("{\"resourceType\": \"Bundle\", ", "bad.json");
        assert_eq!(parsed.rejected.len(), 1);
        assert!(parsed.rejected[0].place.starts_with("line 1"));
        let parsed = parse("[1, 2]", "list.json");
        assert!(
            parsed.rejected[0]
                .reason
                .to_string()
                .contains("resourceType")
        );
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("2026-03-01"), parse_time("2026-03-01T00:00:00Z"));
        assert_eq!(parse_time("2026"), parse_time("2026-01-01"));
        assert!(parse_time("2026-03-01T08:10:00.123+08:00").is_some());
        assert_eq!(parse_time("yesterday"), None);
    }

    proptest::proptest! {
        #[test]
        fn no_json_panics_the_parser(text in "[\\[\\]{}:,\"a-zA-Z0-9 .-]{0,120}") {
            let _ = parse(&text, "fuzz");
        }
    }
}
