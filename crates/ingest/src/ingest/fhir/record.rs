//! What a FHIR message reports for the health record, read by codes and statuses:
//! Condition (its own code, onset and statuses), MedicationStatement and
//! MedicationRequest (status, period, code), and the choice of code shared with
//! `history` (allergies, family history). Text becomes the entry's name; the code
//! decides what it is.

use crate::i18n::Text;
use crate::text;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::values::text;
use crate::domain::health::{
    ClinicalStatus, Condition, Medication, MedicationStatus, Verification,
};
use crate::domain::record_codes::{ATC, ICD10, ICD10_CM, RXNORM, SNOMED};

/// The record editor splits parts on semicolons: none may be inside a value.
pub(super) fn clean(text: &str) -> String {
    text.replace([';', '；'], ",").trim().to_string()
}

/// WHO ICD-10 and its national editions of the same structure (China's GB/T 14396,
/// ICD-10-CN): stored with no system, as the record's own ICD-10 codes are.
fn is_icd10(system: &str) -> bool {
    let s = system.to_ascii_lowercase();
    s == ICD10
        || s == "urn:oid:2.16.840.1.113883.6.3"
        || s.contains("icd-10-cn")
        || s.contains("icd10cn")
        || s.contains("14396")
        || s == "urn:oid:2.16.156.10011.2.3.3.11"
}

fn is_icd10_cm(system: &str) -> bool {
    let s = system.to_ascii_lowercase();
    s == ICD10_CM || s == "urn:oid:2.16.840.1.113883.6.90"
}

/// A letter, two digits, optionally a dot and up to four letters or digits (E11.9,
/// I10.X00): the shape the record editor accepts as a plain ICD-10 code.
fn icd10_shaped(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && match code.get(3..) {
            Some("") | None => true,
            Some(rest) => rest.strip_prefix('.').is_some_and(|d| {
                (1..=4).contains(&d.len()) && d.chars().all(|c| c.is_ascii_alphanumeric())
            }),
        }
}

/// A short name for a system, for an entry that has a code and nothing to read.
fn system_label(system: Option<&str>) -> String {
    match system {
        None => "ICD-10".into(),
        Some(SNOMED) => "SNOMED".into(),
        Some(s) if is_icd10_cm(s) => "ICD-10-CM".into(),
        Some(RXNORM) => "RxNorm".into(),
        Some(ATC) => "ATC".into(),
        Some(s) => s.to_string(),
    }
}

/// A chosen code: (code, system URI or `None` for ICD-10, the coding's display).
type Coded = (String, Option<String>, Option<String>);

/// The coding to keep from a concept, by `rank` (lower first; `None`: not wanted
/// before the others), else the first coding with a code.
fn pick(concept: &Value, rank: fn(&str) -> Option<u8>) -> Option<Coded> {
    let codings: Vec<&Value> = concept["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| text(&c["code"]).is_some())
        .collect();
    let chosen = codings
        .iter()
        .filter_map(|c| text(&c["system"]).and_then(|s| rank(&s)).map(|r| (r, *c)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, c)| c)
        .or(codings.first().copied())?;
    let code = text(&chosen["code"])?;
    let display = text(&chosen["display"]);
    match text(&chosen["system"]) {
        Some(s) if is_icd10(&s) => {
            let upper = code.to_uppercase();
            if icd10_shaped(&upper) {
                Some((upper, None, display))
            } else {
                // A national extension longer than the editor's ICD-10 shape keeps its
                // system, so it is not mistaken for a malformed ICD-10 code.
                Some((code, Some(s), display))
            }
        }
        system => Some((code, system, display)),
    }
}

/// Diagnoses: ICD-10 (and its national editions) first, then SNOMED CT, ICD-10-CM.
pub(super) fn diagnosis_rank(system: &str) -> Option<u8> {
    if is_icd10(system) {
        Some(0)
    } else if system == SNOMED {
        Some(1)
    } else if is_icd10_cm(system) {
        Some(2)
    } else {
        None
    }
}

/// Medicines: ATC (the value sets' classes) first, then RxNorm, SNOMED CT.
fn medicine_rank(system: &str) -> Option<u8> {
    match system {
        ATC => Some(0),
        RXNORM => Some(1),
        SNOMED => Some(2),
        _ => None,
    }
}

pub(super) fn substance_rank(system: &str) -> Option<u8> {
    match system {
        SNOMED => Some(0),
        RXNORM => Some(1),
        _ => None,
    }
}

/// The entry's name and code: the concept's text, else the coding's display, else a
/// readable "SNOMED 44054006".
pub(super) fn named(
    concept: &Value,
    rank: fn(&str) -> Option<u8>,
) -> Option<(String, Option<Coded>)> {
    let coded = pick(concept, rank);
    let name = text(&concept["text"])
        .or_else(|| coded.as_ref().and_then(|c| c.2.clone()))
        .or_else(|| {
            concept["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| text(&c["display"]))
        })
        .or_else(|| {
            coded
                .as_ref()
                .map(|(code, system, _)| format!("{} {code}", system_label(system.as_deref())))
        })?;
    Some((clean(&name), coded))
}

/// A status given as a CodeableConcept (R4) or a plain code (earlier versions).
pub(super) fn status_code(value: &Value) -> Option<String> {
    text(value).or_else(|| {
        value["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|c| text(&c["code"]))
            .or_else(|| text(&value["text"]))
    })
}

/// A FHIR date or dateTime as the date the sender wrote (its own day, whatever the
/// offset), as precise as given: "2015", "2015-03" or "2015-03-01".
pub(super) fn partial_date(text: &str) -> Option<String> {
    let text = text.trim();
    let date = text.get(..10).filter(|_| text.len() >= 10);
    if let Some(d) = date {
        return NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .map(|d| d.to_string());
    }
    match text.len() {
        7 => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .ok()
            .map(|_| text.to_string()),
        4 => text.parse::<i32>().ok().map(|y| y.to_string()),
        _ => None,
    }
}

/// A condition's since: a date, or a year when the month is all that is known (the
/// record keeps a year or a full date).
fn since(text: &str) -> Option<String> {
    let date = partial_date(text)?;
    Some(match date.len() {
        7 => date[..4].to_string(),
        _ => date,
    })
}

/// onsetAge in years with the patient's birth date: the year it points to.
fn onset_age(age: &Value, birth: Option<NaiveDate>) -> Option<String> {
    let years = age["value"].as_f64()?;
    let unit = text(&age["code"]).or_else(|| text(&age["unit"]));
    let in_years = unit
        .as_deref()
        .is_none_or(|u| matches!(u, "a" | "yr" | "year" | "years"));
    if !in_years || !(0.0..150.0).contains(&years) {
        return None;
    }
    Some((birth?.year() + years as i32).to_string())
}

pub(super) fn condition(resource: &Value, birth: Option<NaiveDate>) -> Result<Condition, Text> {
    let (name, coded) = named(&resource["code"], diagnosis_rank)
        .ok_or_else(|| text!("msg.ingest.fhir_condition"))?;
    let onset = text(&resource["onsetDateTime"])
        .or_else(|| text(&resource["onsetPeriod"]["start"]))
        .and_then(|t| since(&t))
        .or_else(|| onset_age(&resource["onsetAge"], birth))
        .or_else(|| text(&resource["recordedDate"]).and_then(|t| since(&t)));
    let mut clinical_status =
        status_code(&resource["clinicalStatus"]).and_then(|c| ClinicalStatus::parse(&c));
    let abated = resource
        .as_object()
        .is_some_and(|o| o.keys().any(|k| k.starts_with("abatement")));
    if clinical_status.is_none() && abated {
        clinical_status = Some(ClinicalStatus::Resolved);
    }
    let (code, system) = coded.map(|(c, s, _)| (c, s)).unzip();
    Ok(Condition {
        name,
        code,
        since: onset,
        system: system.flatten(),
        clinical_status,
        verification: status_code(&resource["verificationStatus"])
            .and_then(|v| Verification::parse(&v)),
    })
}

/// MedicationRequest statuses in the MedicationStatement's terms.
fn request_status(code: &str) -> Option<MedicationStatus> {
    Some(match code {
        "active" => MedicationStatus::Active,
        "on-hold" => MedicationStatus::OnHold,
        "cancelled" | "stopped" => MedicationStatus::Stopped,
        "completed" => MedicationStatus::Completed,
        "entered-in-error" => MedicationStatus::EnteredInError,
        "draft" => MedicationStatus::Intended,
        "unknown" => MedicationStatus::Unknown,
        _ => return None,
    })
}

/// The Medication a statement or request names: its concept, or the one its
/// `medicationReference` points to (contained, or elsewhere in the file).
fn medicine_concept<'a>(
    resource: &'a Value,
    medicines: &'a HashMap<String, Value>,
) -> Result<std::borrow::Cow<'a, Value>, Text> {
    if resource["medicationCodeableConcept"].is_object() {
        return Ok(std::borrow::Cow::Borrowed(
            &resource["medicationCodeableConcept"],
        ));
    }
    let reference = &resource["medicationReference"];
    let target = text(&reference["reference"]);
    let found = target.as_deref().and_then(|r| match r.strip_prefix('#') {
        Some(id) => resource["contained"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == id)
            .map(|c| &c["code"]),
        None => medicines.get(r).map(|m| &m["code"]),
    });
    match found {
        Some(code) if code.is_object() => Ok(std::borrow::Cow::Borrowed(code)),
        _ => text(&reference["display"])
            .map(|d| std::borrow::Cow::Owned(serde_json::json!({ "text": d })))
            .ok_or_else(|| text!("msg.ingest.fhir_medication_reference")),
    }
}

pub(super) fn medication(
    resource: &Value,
    medicines: &HashMap<String, Value>,
) -> Result<Medication, Text> {
    let concept = medicine_concept(resource, medicines)?;
    let (name, coded) =
        named(&concept, medicine_rank).ok_or_else(|| text!("msg.ingest.fhir_medicine"))?;
    let status = status_code(&resource["status"]).and_then(|s| {
        if resource["resourceType"] == "MedicationRequest" {
            request_status(&s)
        } else {
            MedicationStatus::parse(&s)
        }
    });
    let bounds = resource["dosageInstruction"]
        .as_array()
        .and_then(|d| d.first())
        .map(|d| &d["timing"]["repeat"]["boundsPeriod"]);
    let started = [
        &resource["effectivePeriod"]["start"],
        &resource["effectiveDateTime"],
        bounds.map_or(&Value::Null, |b| &b["start"]),
        &resource["authoredOn"],
    ]
    .into_iter()
    .find_map(|v| text(v).and_then(|t| partial_date(&t)));
    let ended = [
        &resource["effectivePeriod"]["end"],
        bounds.map_or(&Value::Null, |b| &b["end"]),
    ]
    .into_iter()
    .find_map(|v| text(v).and_then(|t| partial_date(&t)));
    let first_dosage = resource
        .get("dosage")
        .or_else(|| resource.get("dosageInstruction"))
        .and_then(|d| d.as_array())
        .and_then(|d| d.first());
    let dosage = first_dosage.and_then(|d| text(&d["text"]));
    // How often, when the sender gives it apart (caredesk's export does, as the
    // timing's text): the rest of the text is the dose.
    let frequency = first_dosage.and_then(|d| text(&d["timing"]["code"]["text"]));
    let dose = dosage.map(|d| clean(&d)).filter(|d| !d.is_empty());
    let (dose, frequency) = match (dose, frequency) {
        (Some(d), Some(f)) if d == f => (None, Some(f)),
        (Some(d), Some(f)) => match d.strip_suffix(&format!(", {f}")) {
            Some(rest) => (Some(rest.to_string()), Some(f)),
            None => (Some(d), None),
        },
        (dose, _) => (dose, None),
    };
    let (code, system) = coded.map(|(c, s, _)| (c, s)).unzip();
    Ok(Medication {
        name,
        dose,
        frequency,
        code,
        system: system.flatten(),
        status,
        started,
        ended,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_condition_keeps_its_code_onset_and_statuses() {
        let c = condition(
            &json!({"code": {"coding": [
                {"system": SNOMED, "code": "44054006", "display": "Diabetes mellitus type 2"},
                {"system": "http://hl7.org/fhir/sid/icd-10", "code": "e11.9"}]},
              "clinicalStatus": {"coding": [{"code": "active"}]},
              "verificationStatus": {"coding": [{"code": "refuted"}]},
              "onsetDateTime": "2015-03-01T23:30:00-05:00"}),
            None,
        )
        .unwrap();
        assert_eq!(c.code.as_deref(), Some("E11.9"));
        assert_eq!(c.system, None);
        assert_eq!(c.name, "Diabetes mellitus type 2");
        assert_eq!(c.since.as_deref(), Some("2015-03-01"));
        assert_eq!(c.clinical_status, Some(ClinicalStatus::Active));
        assert_eq!(c.verification, Some(Verification::Refuted));
        assert!(!c.current());
        // A bare code: kept, with a readable name; abatement without a status: resolved.
        let c = condition(
            &json!({"code": {"coding": [{"system": SNOMED, "code": "44054006"}]},
              "onsetPeriod": {"start": "2019-07"}, "abatementDateTime": "2020-01-01"}),
            None,
        )
        .unwrap();
        assert_eq!(c.name, "SNOMED 44054006");
        assert_eq!(c.system.as_deref(), Some(SNOMED));
        assert_eq!(c.since.as_deref(), Some("2019"));
        assert_eq!(c.clinical_status, Some(ClinicalStatus::Resolved));
        // GB/T 14396 by its OID; an extension code too long for ICD-10's shape keeps
        // its system; onsetAge with the birth date.
        let c = condition(
            &json!({"code": {"coding": [{"system": "urn:oid:2.16.156.10011.2.3.3.11", "code": "I10.x00", "display": "高血压"}]},
              "onsetAge": {"value": 52, "code": "a"}}),
            NaiveDate::from_ymd_opt(1960, 5, 1),
        )
        .unwrap();
        assert_eq!(
            (c.code.as_deref(), c.system.as_deref()),
            (Some("I10.X00"), None)
        );
        assert_eq!(c.since.as_deref(), Some("2012"));
        let c = condition(
            &json!({"code": {"coding": [{"system": "urn:oid:2.16.156.10011.2.3.3.11", "code": "E11.900x001"}]}}),
            None,
        )
        .unwrap();
        assert_eq!(c.system.as_deref(), Some("urn:oid:2.16.156.10011.2.3.3.11"));
        assert!(condition(&json!({"code": {}}), None).is_err());
    }

    #[test]
    fn medicines_keep_status_period_and_code() {
        let none = HashMap::new();
        let m = medication(
            &json!({"resourceType": "MedicationStatement", "status": "stopped",
              "medicationCodeableConcept": {"coding": [
                {"system": RXNORM, "code": "17767", "display": "Amlodipine"},
                {"system": ATC, "code": "C08CA01", "display": "amlodipine"}], "text": "Amlodipine 5 mg"},
              "effectivePeriod": {"start": "2012-05", "end": "2015"},
              "dosage": [{"text": "5 mg; once daily"}]}),
            &none,
        )
        .unwrap();
        assert_eq!(m.name, "Amlodipine 5 mg");
        assert_eq!(
            (m.code.as_deref(), m.system.as_deref()),
            (Some("C08CA01"), Some(ATC))
        );
        assert_eq!(m.status, Some(MedicationStatus::Stopped));
        assert_eq!(
            (m.started.as_deref(), m.ended.as_deref()),
            (Some("2012-05"), Some("2015"))
        );
        assert_eq!(m.dose.as_deref(), Some("5 mg, once daily"));
        assert_eq!(m.frequency, None);
        // How often given apart (as caredesk exports it): dose and frequency apart.
        let apart = |text: &str, timing: &str| {
            let m = medication(
                &json!({"resourceType": "MedicationStatement", "status": "active",
                  "medicationCodeableConcept": {"text": "Metformin"},
                  "dosage": [{"text": text, "timing": {"code": {"text": timing}}}]}),
                &none,
            )
            .unwrap();
            (m.dose, m.frequency)
        };
        assert_eq!(
            apart("500 mg, twice daily", "twice daily"),
            (Some("500 mg".into()), Some("twice daily".into()))
        );
        assert_eq!(
            apart("twice daily", "twice daily"),
            (None, Some("twice daily".into()))
        );
        assert_eq!(
            apart("500 mg bid", "twice daily"),
            (Some("500 mg bid".into()), None)
        );
        for (sent, read) in [
            ("cancelled", MedicationStatus::Stopped),
            ("draft", MedicationStatus::Intended),
            ("on-hold", MedicationStatus::OnHold),
            ("completed", MedicationStatus::Completed),
        ] {
            let m = medication(
                &json!({"resourceType": "MedicationRequest", "status": sent,
                  "medicationCodeableConcept": {"text": "x"}, "authoredOn": "2020-03-03T07:56:49+00:00"}),
                &none,
            )
            .unwrap();
            assert_eq!(m.status, Some(read), "{sent}");
            assert_eq!(m.started.as_deref(), Some("2020-03-03"));
        }
        // By reference, contained or in the file.
        let mut file = HashMap::new();
        file.insert(
            "Medication/m1".to_string(),
            json!({"resourceType": "Medication", "code": {"coding": [{"system": ATC, "code": "C07AB02"}]}}),
        );
        let m = medication(
            &json!({"resourceType": "MedicationRequest", "medicationReference": {"reference": "Medication/m1"}}),
            &file,
        )
        .unwrap();
        assert_eq!(m.name, "ATC C07AB02");
        assert!(
            medication(
                &json!({"resourceType": "MedicationRequest", "medicationReference": {"reference": "Medication/none"}}),
                &file
            )
            .is_err()
        );
    }

    #[test]
    fn dates_as_precise_as_sent() {
        assert_eq!(
            partial_date("2015-03-01T23:30:00-05:00").as_deref(),
            Some("2015-03-01")
        );
        assert_eq!(partial_date("2015-03").as_deref(), Some("2015-03"));
        assert_eq!(partial_date("2015").as_deref(), Some("2015"));
        assert_eq!(partial_date("2015-13"), None);
        assert_eq!(partial_date("yesterday"), None);
    }
}
