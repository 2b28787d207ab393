//! A FHIR Patient: demographics, the identifiers by what their systems say they are
//! (a mainland resident ID becomes the ID number; a caredesk card or patient id is
//! matched as such; anything else is the sender's own number), and race from the US
//! Core race extension's OMB categories.

use chrono::NaiveDate;
use serde_json::Value;

use super::values::text;
use crate::domain::health::Race;
use crate::domain::identity::{check_id_number, normalise_id_number};
use crate::domain::patient::{IdType, Patient, Sex};
use crate::ingest::{IdKind, SenderId};

/// The mainland resident ID's OID (GB 11643), as exchange standards name it.
pub const RESIDENT_ID_SYSTEM: &str = "urn:oid:2.16.156.10011.1.3";
/// The 城乡居民健康档案编号's namespace (`domain::record_number::OID`).
pub const RECORD_NUMBER_SYSTEM: &str = "urn:oid:2.16.156.10011.1.2";
/// caredesk's own identifier systems, as its FHIR export writes them.
pub const CARD_SYSTEM: &str = "urn:caredesk:card";
pub const PATIENT_SYSTEM: &str = "urn:caredesk:patient";
pub const PASSPORT_SYSTEM: &str = "urn:caredesk:passport";
pub const ID_DOCUMENT_SYSTEM: &str = "urn:caredesk:id-document";
pub const US_CORE_RACE: &str = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";

/// Systems that say what a number is, so its check digit is not asked.
const NOT_A_RESIDENT_ID: &[&str] = &[
    RECORD_NUMBER_SYSTEM,
    CARD_SYSTEM,
    PATIENT_SYSTEM,
    PASSPORT_SYSTEM,
    ID_DOCUMENT_SYSTEM,
    "http://hl7.org/fhir/sid/us-ssn",
];

/// Another document's type from its CV02.01.101 coding (as caredesk exports it);
/// a document without one is "other".
fn document_type(identifier: &Value) -> IdType {
    identifier["type"]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["code"].as_str())
        .filter(|code| code.len() == 2)
        .find_map(IdType::parse)
        .filter(|t| !matches!(t, IdType::ResidentId | IdType::Passport))
        .unwrap_or(IdType::Other)
}

/// What a Patient resource says.
pub(super) struct PatientRead {
    /// Every identifier's value, to match by and to remember as external numbers.
    pub ids: Vec<String>,
    /// Those whose kind is known.
    pub kinds: Vec<SenderId>,
    pub patient: Patient,
    pub race: Vec<Race>,
}

/// The name in use: official, else usual, else the first not marked old or ended.
fn name(resource: &Value) -> String {
    let names = resource["name"].as_array().cloned().unwrap_or_default();
    let current = |n: &&Value| n["use"] != "old" && n["period"]["end"].is_null();
    let chosen = names
        .iter()
        .find(|n| n["use"] == "official")
        .or_else(|| names.iter().find(|n| n["use"] == "usual"))
        .or_else(|| names.iter().find(current))
        .or(names.first());
    let Some(n) = chosen else {
        return String::new();
    };
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
}

fn address(resource: &Value) -> Option<String> {
    resource["address"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["use"] != "old").or(a.first()))
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
        })
        .filter(|a| !a.is_empty())
}

/// The OMB categories of the US Core race extension (detailed codes are not kept).
pub(super) fn race(resource: &Value) -> Vec<Race> {
    let mut out = Vec::new();
    for extension in resource["extension"].as_array().into_iter().flatten() {
        if extension["url"] != US_CORE_RACE {
            continue;
        }
        for part in extension["extension"].as_array().into_iter().flatten() {
            if part["url"] == "ombCategory"
                && let Some(race) = text(&part["valueCoding"]["code"])
                    .filter(|c| c.contains('-'))
                    .and_then(|c| Race::parse(&c))
                && !out.contains(&race)
            {
                out.push(race);
            }
        }
    }
    out
}

pub(super) fn patient(resource: &Value) -> PatientRead {
    let birth_date = resource["birthDate"]
        .as_str()
        .and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok());
    let mut read = PatientRead {
        ids: Vec::new(),
        kinds: Vec::new(),
        patient: Patient {
            name: name(resource),
            sex: match resource["gender"].as_str() {
                Some("female") => Sex::Female,
                Some("male") => Sex::Male,
                Some("other") => Sex::Other,
                _ => Sex::Unknown,
            },
            birth_date,
            phone: resource["telecom"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["system"] == "phone" || t["system"].is_null())
                .find_map(|t| text(&t["value"])),
            id_type: IdType::Other,
            address: address(resource),
            ..Patient::default()
        },
        race: race(resource),
    };
    // Another document's number, used only when no resident ID is given.
    let mut document: Option<(IdType, String)> = None;
    for identifier in resource["identifier"].as_array().into_iter().flatten() {
        let Some(value) = text(&identifier["value"]) else {
            continue;
        };
        let system = text(&identifier["system"]);
        let system = system.as_deref();
        let kind = match system {
            Some(RESIDENT_ID_SYSTEM) if check_id_number(&value, None).is_ok() => {
                Some(IdKind::ResidentId)
            }
            Some(CARD_SYSTEM) => Some(IdKind::Card),
            Some(PATIENT_SYSTEM) => Some(IdKind::CaredeskPatient),
            Some(s) if NOT_A_RESIDENT_ID.contains(&s) => None,
            // No system that says otherwise: a valid GB 11643 number whose birth date
            // agrees with the patient's is a resident ID.
            _ if check_id_number(&value, birth_date).is_ok() => Some(IdKind::ResidentId),
            _ => None,
        };
        let value = match kind {
            Some(IdKind::ResidentId) => normalise_id_number(&value),
            _ => value,
        };
        match (kind, system) {
            (Some(IdKind::ResidentId), _) if read.patient.id_number.is_none() => {
                read.patient.id_type = IdType::ResidentId;
                read.patient.id_number = Some(value.clone());
            }
            (None, Some(RECORD_NUMBER_SYSTEM)) if read.patient.record_number.is_none() => {
                read.patient.record_number = crate::domain::record_number::normalise(&value);
            }
            (None, Some(PASSPORT_SYSTEM)) if document.is_none() => {
                document = Some((IdType::Passport, value.clone()));
            }
            (None, Some(ID_DOCUMENT_SYSTEM)) if document.is_none() => {
                document = Some((document_type(identifier), value.clone()));
            }
            _ => {}
        }
        if let Some(kind) = kind {
            read.kinds.push(SenderId {
                kind,
                value: value.clone(),
            });
        }
        if !read.ids.contains(&value) {
            read.ids.push(value);
        }
    }
    if read.patient.id_number.is_none()
        && let Some((kind, number)) = document
    {
        read.patient.id_type = kind;
        read.patient.id_number = Some(number);
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_number_and_a_coded_document_type_are_read() {
        let resource = serde_json::json!({
            "resourceType": "Patient",
            "identifier": [
                {"system": RECORD_NUMBER_SYSTEM, "value": "110105 001 001 00042"},
                {"system": ID_DOCUMENT_SYSTEM, "value": "H01234567",
                 "type": {"coding": [{"system": "urn:oid:2.16.156.10011.2.3.1.1", "code": "06"}]}}
            ],
            "name": [{"text": "陈美玲"}]
        });
        let read = patient(&resource);
        assert_eq!(
            read.patient.record_number.as_deref(),
            Some("11010500100100042")
        );
        assert_eq!(read.patient.id_type, IdType::HkMacaoPermit);
        assert_eq!(read.patient.id_number.as_deref(), Some("H01234567"));
        // A number that is not 17 digits of a valid area is not taken as one.
        let wrong = patient(&serde_json::json!({"identifier": [
            {"system": RECORD_NUMBER_SYSTEM, "value": "12345"}]}));
        assert_eq!(wrong.patient.record_number, None);
    }

    #[test]
    fn identifiers_by_system_and_check_digit() {
        let resource = serde_json::json!({
            "resourceType": "Patient",
            "birthDate": "1949-12-31",
            "identifier": [
                {"system": "http://hospital.example/mrn", "value": "MRN-1"},
                {"system": RESIDENT_ID_SYSTEM, "value": "11010519491231002x"},
                {"system": CARD_SYSTEM, "value": "8800000000000017"},
                {"system": PATIENT_SYSTEM, "value": "00112233445566778899aabbccddeeff"}
            ],
            "name": [{"use": "old", "family": "Old"}, {"family": "张", "given": ["伟"]}]
        });
        let read = patient(&resource);
        assert_eq!(read.patient.name, "张伟");
        assert_eq!(read.patient.id_type, IdType::ResidentId);
        assert_eq!(
            read.patient.id_number.as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            read.ids,
            [
                "MRN-1",
                "11010519491231002X",
                "8800000000000017",
                "00112233445566778899aabbccddeeff"
            ]
        );
        let kinds: Vec<IdKind> = read.kinds.iter().map(|k| k.kind).collect();
        assert_eq!(
            kinds,
            [IdKind::ResidentId, IdKind::Card, IdKind::CaredeskPatient]
        );
        // No system: the check character and the birth date decide.
        let bare = |birth: &str, value: &str| {
            patient(&serde_json::json!({"birthDate": birth, "identifier": [{"value": value}]}))
                .patient
                .id_number
        };
        assert_eq!(
            bare("1968-04-12", "110105196804120017").as_deref(),
            Some("110105196804120017")
        );
        assert_eq!(bare("1968-04-12", "110105196804120018"), None, "check");
        assert_eq!(bare("1970-01-01", "110105196804120017"), None, "birth");
        // The resident ID's system with a mistyped number: kept as a number only.
        let wrong = patient(&serde_json::json!({"identifier": [
            {"system": RESIDENT_ID_SYSTEM, "value": "110105196804120018"},
            {"system": PASSPORT_SYSTEM, "value": "E12345678"}]}));
        assert_eq!(wrong.patient.id_type, IdType::Passport);
        assert_eq!(wrong.patient.id_number.as_deref(), Some("E12345678"));
        assert!(wrong.kinds.is_empty());
    }

    #[test]
    fn race_from_the_us_core_extension() {
        let resource = serde_json::json!({"extension": [
            {"url": US_CORE_RACE, "extension": [
                {"url": "ombCategory", "valueCoding": {"code": "2054-5"}},
                {"url": "ombCategory", "valueCoding": {"code": "2106-3"}},
                {"url": "detailed", "valueCoding": {"code": "2036-2"}},
                {"url": "text", "valueString": "Mixed"}]},
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
             "extension": [{"url": "ombCategory", "valueCoding": {"code": "2028-9"}}]}]});
        assert_eq!(race(&resource), [Race::BlackOrAfricanAmerican, Race::White]);
    }
}
