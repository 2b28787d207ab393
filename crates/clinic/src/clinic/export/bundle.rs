//! What every part of the FHIR export shares: deterministic `urn:uuid:` ids for the
//! Bundle's entries (UUID v5 of the patient and the resource's identity, so exporting
//! the same record twice gives the same ids and every reference resolves inside the
//! Bundle), the systems the export names, quantities labelled UCUM only when they are,
//! and the pruning that leaves no empty array, object or string behind.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::patient::PatientId;

pub(crate) const LOINC: &str = "http://loinc.org";
pub(crate) const SNOMED: &str = "http://snomed.info/sct";
pub(crate) const UCUM: &str = "http://unitsofmeasure.org";
pub(crate) const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
/// The mainland resident ID (GB 11643), as Chinese FHIR profiles name it.
pub(crate) const RESIDENT_ID: &str = "urn:oid:2.16.156.10011.1.3";
/// caredesk's own identifier systems and code systems (see docs/interoperability.md, "The FHIR export").
pub(crate) const CARD: &str = "urn:caredesk:card";
pub(crate) const PATIENT_ID: &str = "urn:caredesk:patient";
pub(crate) const PASSPORT: &str = "urn:caredesk:passport";
pub(crate) const ID_DOCUMENT: &str = "urn:caredesk:id-document";
pub(crate) const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub(crate) const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

/// The namespace every export id is made in (itself a v5 UUID of a fixed URL).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:caredesk:fhir-export")
}

/// A deterministic UUID for `name` in the patient's export.
pub(crate) fn uuid_for(patient: &PatientId, name: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{patient}/{name}").as_bytes())
}

/// The ids of one Bundle's resources: the same identity always gets the same id, and two
/// resources with the same identity (two identical lines in the record) get distinct
/// ones by their order.
pub(crate) struct Ids {
    patient: PatientId,
    seen: HashMap<String, u32>,
}

impl Ids {
    pub fn new(patient: PatientId) -> Ids {
        Ids {
            patient,
            seen: HashMap::new(),
        }
    }

    /// A fresh `urn:uuid:` for a resource of `kind` with this identity.
    pub fn url(&mut self, kind: &str, identity: &str) -> String {
        let count = self.seen.entry(format!("{kind}/{identity}")).or_insert(0);
        *count += 1;
        let nth = *count;
        self.url_of(kind, identity, nth)
    }

    /// The `urn:uuid:` of the `nth` (1-based) resource of `kind` with this identity, for
    /// references to resources made elsewhere in the Bundle.
    pub fn url_of(&self, kind: &str, identity: &str, nth: u32) -> String {
        let name = if nth <= 1 {
            format!("{kind}/{identity}")
        } else {
            format!("{kind}/{identity}#{nth}")
        };
        format!("urn:uuid:{}", uuid_for(&self.patient, &name))
    }
}

/// A Bundle entry: the resource with its id (the UUID) under its `urn:uuid:` fullUrl.
pub(crate) fn entry(url: &str, mut resource: Value) -> Value {
    if let Some(uuid) = url.strip_prefix("urn:uuid:")
        && let Some(object) = resource.as_object_mut()
    {
        object.insert("id".into(), json!(uuid));
    }
    json!({ "fullUrl": url, "resource": resource })
}

/// A reference to an entry of the Bundle.
pub(crate) fn reference(url: &str) -> Value {
    json!({ "reference": url })
}

/// A Quantity: the unit with the UCUM system and code only when it is UCUM, as text
/// alone otherwise.
pub(crate) fn quantity(value: Value, unit: Option<&str>) -> Value {
    let mut q = json!({ "value": value });
    if let Some(unit) = unit.filter(|u| !u.trim().is_empty()) {
        q["unit"] = json!(unit);
        if crate::domain::ucum::is_ucum(unit) {
            q["system"] = json!(UCUM);
            q["code"] = json!(unit);
        }
    }
    q
}

/// A primitive FHIR requires but the record does not know: the `_field` with a
/// data-absent-reason of "unknown".
pub(crate) fn absent(body: &mut Value, field: &str) {
    body[format!("_{field}")] =
        json!({ "extension": [{ "url": DATA_ABSENT, "valueCode": "unknown" }] });
}

/// Unix seconds as a FHIR instant (UTC).
pub(crate) fn instant(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Removes empty strings, arrays and objects (and nulls), innermost first, so an
/// element that held only empty ones goes too: FHIR forbids them all. Returns whether
/// `value` itself is now empty.
pub(crate) fn prune(value: &mut Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => {
            items.retain_mut(|item| !prune(item));
            items.is_empty()
        }
        Value::Object(fields) => {
            fields.retain(|_, field| !prune(field));
            fields.is_empty()
        }
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_leaves_nothing_empty() {
        let mut v = json!({
            "identifier": [],
            "note": [{ "text": "" }],
            "name": [{ "text": "王芳" }, {}],
            "code": { "coding": [{ "system": "", "code": "" }], "text": " " },
            "active": false,
            "value": 0,
            "nested": { "a": { "b": [null, [], {}] } },
            "keep": ["x", ""],
        });
        let empty = prune(&mut v);
        assert!(!empty);
        assert_eq!(
            v,
            json!({ "name": [{ "text": "王芳" }], "active": false, "value": 0, "keep": ["x"] })
        );
        assert!(prune(&mut json!({ "a": [{}], "b": "" })));
    }

    #[test]
    fn ids_are_rfc4122_deterministic_and_distinct() {
        let patient = PatientId([7; 16]);
        let mut a = Ids::new(patient);
        let mut b = Ids::new(patient);
        let first = a.url("Condition", "gout|M10");
        assert_eq!(
            first,
            b.url("Condition", "gout|M10"),
            "same record, same id"
        );
        assert_eq!(first, a.url_of("Condition", "gout|M10", 1));
        let second = a.url("Condition", "gout|M10");
        assert_ne!(first, second, "a repeated line gets its own id");
        assert_eq!(second, a.url_of("Condition", "gout|M10", 2));
        let other = Ids::new(PatientId([8; 16])).url("Condition", "gout|M10");
        assert_ne!(first, other, "another patient, another id");
        let uuid = Uuid::parse_str(first.trim_start_matches("urn:uuid:")).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(first, first.to_lowercase());
    }

    #[test]
    fn units_are_labelled_ucum_only_when_they_are() {
        assert_eq!(
            quantity(json!(120), Some("mm[Hg]")),
            json!({ "value": 120, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]" })
        );
        assert_eq!(
            quantity(json!(120), Some("mmHg")),
            json!({ "value": 120, "unit": "mmHg" })
        );
        assert_eq!(quantity(json!(1), Some(" ")), json!({ "value": 1 }));
    }
}
