//! FHIR R4 JSON: a Bundle of any type (collection, transaction, batch, searchset,
//! batch-response, message) or a single resource. Patients are matched by their
//! `identifier.value`s; Observations (with their components, such as a blood-pressure
//! panel's systolic and diastolic), Conditions and medication statements and requests
//! are grouped under the patient they name. Resources that cannot be read are reported
//! with their place in the file and left out; the rest goes on.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use super::{Incoming, Parsed, Rejected};
use crate::domain::decimal::Decimal;
use crate::domain::health::{Condition, Medication};
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{IdType, Patient, Sex};

const SMOKING_STATUS: &str = "72166-2";

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

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The coding to keep from a CodeableConcept: LOINC first, then the first coding.
fn coding(concept: &Value) -> Option<(String, String, Option<String>)> {
    let codings = concept["coding"].as_array()?;
    let pick = codings
        .iter()
        .find(|c| c["system"] == LOINC)
        .or_else(|| codings.iter().find(|c| c["code"].is_string()))?;
    let code = text(&pick["code"])?;
    let system = text(&pick["system"]).unwrap_or_else(|| "urn:caredesk:local".into());
    Some((
        system,
        code,
        text(&pick["display"]).or_else(|| text(&concept["text"])),
    ))
}

fn concept_text(concept: &Value) -> Option<String> {
    text(&concept["text"]).or_else(|| {
        concept["coding"]
            .as_array()?
            .iter()
            .find_map(|c| text(&c["display"]).or_else(|| text(&c["code"])))
    })
}

/// A number as JSON holds it, exactly as written.
fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::parse(&n.to_string()),
        Value::String(s) => Decimal::parse(s),
        _ => None,
    }
}

/// The value[x] of an Observation or component: `Ok(None)` when it has none.
fn value(resource: &Value) -> Result<Option<(ObsValue, Option<String>)>, String> {
    if let Some(q) = resource.get("valueQuantity") {
        let number = decimal(&q["value"]).ok_or("valueQuantity.value is not a number")?;
        let unit = text(&q["code"]).or_else(|| text(&q["unit"]));
        return Ok(Some((
            ObsValue::Quantity {
                value: number,
                comparator: text(&q["comparator"]),
            },
            unit,
        )));
    }
    if let Some(c) = resource.get("valueCodeableConcept") {
        let (system, code, display) = coding(c)
            .or_else(|| concept_text(c).map(|t| ("urn:caredesk:text".into(), t.clone(), Some(t))))
            .ok_or("valueCodeableConcept has neither a coding nor a text")?;
        return Ok(Some((
            ObsValue::Coded {
                system: Some(system),
                code,
                display,
            },
            None,
        )));
    }
    if let Some(s) = resource.get("valueString") {
        return Ok(Some((
            ObsValue::Text(text(s).ok_or("valueString is empty")?),
            None,
        )));
    }
    if let Some(i) = resource.get("valueInteger") {
        let number = decimal(i).ok_or("valueInteger is not a number")?;
        return Ok(Some((
            ObsValue::Quantity {
                value: number,
                comparator: None,
            },
            None,
        )));
    }
    if let Some(b) = resource.get("valueBoolean") {
        let b = b.as_bool().ok_or("valueBoolean is not true or false")?;
        return Ok(Some((ObsValue::Text(b.to_string()), None)));
    }
    Ok(None)
}

fn range(resource: &Value) -> RefRange {
    let Some(first) = resource["referenceRange"]
        .as_array()
        .and_then(|r| r.first())
    else {
        return RefRange::default();
    };
    let mut range = text(&first["text"])
        .map(|t| RefRange::parse(&t))
        .unwrap_or_default();
    if let Some(low) = decimal(&first["low"]["value"]) {
        range.low = Some(low);
    }
    if let Some(high) = decimal(&first["high"]["value"]) {
        range.high = Some(high);
    }
    range
}

fn flags(resource: &Value) -> Vec<String> {
    // R4 has a list; STU3 had a single CodeableConcept.
    let concepts: Vec<&Value> = match &resource["interpretation"] {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&resource["interpretation"]],
        _ => Vec::new(),
    };
    concepts
        .iter()
        .flat_map(|c| c["coding"].as_array().into_iter().flatten())
        .filter_map(|c| text(&c["code"]))
        .collect()
}

fn own_time(resource: &Value) -> Option<i64> {
    ["effectiveDateTime", "effectiveInstant", "issued"]
        .iter()
        .find_map(|k| resource[*k].as_str().and_then(parse_time))
        .or_else(|| {
            resource["effectivePeriod"]["start"]
                .as_str()
                .and_then(parse_time)
        })
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
                            frequency: None,
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

/// One Observation as results: its own value, or one per component.
fn observations(
    resource: &Value,
    taken_at: Option<i64>,
    origin: &str,
    skipped: &mut u64,
) -> Result<Vec<Observation>, String> {
    let (system, code, display) = coding(&resource["code"]).ok_or("the Observation has no code")?;
    let status = text(&resource["status"]);
    let make = |system: String,
                code: String,
                display: Option<String>,
                value: ObsValue,
                unit: Option<String>,
                part: &Value|
     -> Result<Observation, String> {
        Ok(Observation {
            system,
            code,
            display,
            value,
            unit,
            range: range(part),
            flags: flags(part),
            taken_at: taken_at.ok_or("no time: neither effective[x], issued, its report's time nor the bundle's timestamp")?,
            status: status.clone(),
            source: Source {
                kind: SourceKind::Fhir,
                reference: origin.to_string(),
            },
        })
    };
    let mut out = Vec::new();
    if let Some((value, unit)) = value(resource)? {
        let mut o = make(system, code, display, value, unit, resource)?;
        if o.flags.is_empty() {
            o.flags = Vec::new();
        }
        out.push(o);
    }
    for component in resource["component"].as_array().into_iter().flatten() {
        let (system, code, display) =
            coding(&component["code"]).ok_or("a component has no code")?;
        match value(component)? {
            Some((value, unit)) => {
                let mut o = make(system, code, display, value, unit, component)?;
                if o.flags.is_empty() {
                    o.flags = flags(resource);
                }
                out.push(o);
            }
            None => *skipped += 1,
        }
    }
    if out.is_empty() {
        // A result not yet available (dataAbsentReason) or a panel without values.
        *skipped += 1;
    }
    Ok(out)
}

/// The smoking status a result reports, for the record's lifestyle section.
pub fn smoking(observation: &Observation) -> Option<crate::domain::health::Smoking> {
    use crate::domain::health::Smoking;
    if observation.code != SMOKING_STATUS {
        return None;
    }
    let (code, display) = match &observation.value {
        ObsValue::Coded { code, display, .. } => (code.as_str(), display.clone()),
        ObsValue::Text(text) => ("", Some(text.clone())),
        ObsValue::Quantity { .. } => return None,
    };
    match code {
        "266919005" => Some(Smoking::Never),
        "8517006" => Some(Smoking::Former),
        "77176002" | "449868002" | "428041000124106" | "428061000124105" | "428071000124103"
        | "65568007" => Some(Smoking::Current),
        _ => display.as_deref().and_then(|d| {
            let d = d.to_lowercase();
            if d.contains("never") {
                Some(Smoking::Never)
            } else if d.contains("former") || d.contains("ex-smoker") {
                Some(Smoking::Former)
            } else if d.contains("smok") {
                Some(Smoking::Current)
            } else {
                None
            }
        }),
    }
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
