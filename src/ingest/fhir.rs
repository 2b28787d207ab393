//! FHIR R4 JSON: a Bundle of any type (collection, transaction, batch, searchset,
//! batch-response, message) or a single resource. Patients are matched by their
//! `identifier.value`s; Observations (with their components, such as a blood-pressure
//! panel's systolic and diastolic), Conditions and medication statements and requests
//! are grouped under the patient they name. Resources that cannot be read are reported
//! with their place in the file and left out; the rest goes on.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

pub use super::fhir_values::smoking;
use super::fhir_values::{concept_text, observations, own_time, text};
use super::{Incoming, Parsed, Rejected};
use crate::domain::health::{Condition, Medication};
use crate::domain::observation::Observation;
use crate::domain::patient::{IdType, Patient, Sex};

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

fn patient(resource: &Value) -> (Vec<String>, Patient) {
    let ids = resource["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| text(&i["value"]))
        .collect();
    let names = resource["name"].as_array().cloned().unwrap_or_default();
    let name = names
        .iter()
        .find(|n| n["use"] == "official")
        .or(names.first())
        .map(|n| {
            if let Some(t) = text(&n["text"]) {
                return t;
            }
            let family = text(&n["family"]).unwrap_or_default();
            let given: Vec<String> = n["given"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(text)
                .collect();
            if !family.is_ascii() {
                format!("{family}{}", given.join(""))
            } else {
                format!("{} {family}", given.join(" ")).trim().to_string()
            }
        })
        .unwrap_or_default();
    let sex = match resource["gender"].as_str() {
        Some("female") => Sex::Female,
        Some("male") => Sex::Male,
        Some("other") => Sex::Other,
        _ => Sex::Unknown,
    };
    let phone = resource["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["system"] == "phone" || t["system"].is_null())
        .find_map(|t| text(&t["value"]));
    let address = resource["address"]
        .as_array()
        .and_then(|a| a.first())
        .map(|a| {
            text(&a["text"]).unwrap_or_else(|| {
                let mut parts: Vec<String> = a["line"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(text)
                    .collect();
                parts.extend(
                    ["city", "state", "postalCode"]
                        .iter()
                        .filter_map(|k| text(&a[*k])),
                );
                parts.join(", ")
            })
        });
    let patient = Patient {
        name,
        sex,
        birth_date: resource["birthDate"]
            .as_str()
            .and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()),
        phone,
        id_type: IdType::Other,
        address: address.filter(|a| !a.is_empty()),
        ..Patient::default()
    };
    (ids, patient)
}

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
    patient: Option<Patient>,
    observations: Vec<Observation>,
    conditions: Vec<Condition>,
    medications: Vec<Medication>,
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
                reason: "not JSON: the file is damaged or not a FHIR JSON file".into(),
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
                reason: "no resourceType: not a FHIR resource or Bundle".into(),
            });
            return parsed;
        }
    };
    let bundle_time = root["timestamp"].as_str().and_then(parse_time);
    // References that name each Patient: "Patient/id", its fullUrl.
    let mut patients: HashMap<String, usize> = HashMap::new();
    let mut gathered: Vec<Gathered> = Vec::new();
    for (full_url, resource) in &entries {
        if resource["resourceType"] == "Patient" {
            let (ids, p) = patient(resource);
            let slot = gathered.len();
            gathered.push(Gathered {
                ids,
                patient: Some(p),
                ..Gathered::default()
            });
            if let Some(id) = resource["id"].as_str() {
                patients.insert(format!("Patient/{id}"), slot);
            }
            if let Some(url) = full_url {
                patients.insert(url.clone(), slot);
            }
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
    for (index, (full_url, resource)) in entries.iter().enumerate() {
        let kind = resource["resourceType"].as_str().unwrap_or("");
        if !matches!(
            kind,
            "Observation" | "Condition" | "MedicationStatement" | "MedicationRequest"
        ) {
            continue;
        }
        let origin = format!("{name} {}", place(index, resource));
        let reject = |parsed: &mut Parsed, reason: String| {
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
            reject(
                &mut parsed,
                "its subject is not a Patient in this file: whose is it?".into(),
            );
            continue;
        };
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
                    Ok(list) => gathered[slot].observations.extend(list),
                    Err(reason) => reject(&mut parsed, reason),
                }
            }
            "Condition" => match concept_text(&resource["code"]) {
                Some(condition) => {
                    let code = resource["code"]["coding"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|c| {
                            c["system"]
                                .as_str()
                                .is_some_and(|s| s.contains("icd-10") || s.contains("icd10"))
                        })
                        .and_then(|c| text(&c["code"]));
                    let since = ["onsetDateTime", "recordedDate"]
                        .iter()
                        .find_map(|k| text(&resource[*k]))
                        .and_then(|t| t.get(0..4).map(str::to_string));
                    gathered[slot].conditions.push(Condition {
                        name: condition.replace(';', ","),
                        code,
                        since,
                        ..Condition::default()
                    });
                }
                None => reject(&mut parsed, "the Condition has no code or text".into()),
            },
            _ => {
                let concept = &resource["medicationCodeableConcept"];
                match concept_text(concept) {
                    Some(medicine) => {
                        let dosage = resource
                            .get("dosage")
                            .or_else(|| resource.get("dosageInstruction"))
                            .and_then(|d| d.as_array())
                            .and_then(|d| d.first())
                            .and_then(|d| text(&d["text"]));
                        gathered[slot].medications.push(Medication {
                            name: medicine.replace(';', ","),
                            dose: dosage.map(|d| d.replace(';', ",")),
                            ..Medication::default()
                        });
                    }
                    None => reject(
                        &mut parsed,
                        "the medication is given by reference only: caredesk needs medicationCodeableConcept"
                            .into(),
                    ),
                }
            }
        }
    }
    for (i, g) in gathered.into_iter().enumerate() {
        if g.observations.is_empty() && g.conditions.is_empty() && g.medications.is_empty() {
            continue;
        }
        if g.ids.is_empty() {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: format!("patient {}", i + 1),
                reason: "the Patient has no identifier to match by".into(),
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
        assert_eq!(m.conditions[0].since.as_deref(), Some("2019"));
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
        assert!(parsed.rejected[0].reason.contains("resourceType"));
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
