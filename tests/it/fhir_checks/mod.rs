//! The checks every exported FHIR Bundle must pass: HL7's own FHIR R4 4.0.1 JSON schema
//! (`tests/fixtures/fhir/fhir.schema.json`, see `tests/fixtures/SOURCES.md`) run by the
//! `jsonschema` crate, and the invariants a JSON schema cannot express: fullUrls are
//! unique RFC 4122 UUIDs equal to the resources' ids, every reference resolves inside
//! the Bundle, nothing is empty, ppc-1, con-3/con-5, and every Observation has
//! effective[x] (or says, by data-absent-reason, that the record does not know it).
//! Shared by the export tests (`mod fhir_checks;`).
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

pub fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fhir/fhir.schema.json"
        );
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(schema["id"], "http://hl7.org/fhir/json-schema/4.0");
        jsonschema::validator_for(&schema).unwrap()
    })
}

/// An RFC 4122 UUID as FHIR writes it: lower-case hex, version 1–8, variant 10xx.
pub fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && text
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && ('1'..='8').contains(&parts[2].chars().next().unwrap_or('0'))
        && "89ab".contains(parts[3].chars().next().unwrap_or('0'))
}

/// Every empty array, object or string, and every `reference`, with its path.
fn walk(value: &Value, path: String, empties: &mut Vec<String>, refs: &mut Vec<(String, String)>) {
    match value {
        Value::Array(items) if items.is_empty() => empties.push(path),
        Value::Object(fields) if fields.is_empty() => empties.push(path),
        Value::String(s) if s.trim().is_empty() => empties.push(path),
        Value::Null => empties.push(path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}/{i}"), empties, refs);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                if key == "reference"
                    && let Some(r) = field.as_str()
                {
                    refs.push((path.clone(), r.to_string()));
                }
                walk(field, format!("{path}/{key}"), empties, refs);
            }
        }
        _ => {}
    }
}

/// Everything wrong with a Bundle: schema errors and broken invariants.
pub fn problems(bundle: &Value) -> Vec<String> {
    let mut out: Vec<String> = validator()
        .iter_errors(bundle)
        .map(|e| format!("schema: {} at {}", e, e.instance_path()))
        .collect();
    if bundle["type"] != "collection" {
        out.push(format!("type {}", bundle["type"]));
    }
    for field in ["timestamp", "identifier"] {
        if bundle.get(field).is_none() {
            out.push(format!("the Bundle has no {field}"));
        }
    }
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    let mut urls = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let url = e["fullUrl"].as_str().unwrap_or("");
        let resource = &e["resource"];
        let kind = resource["resourceType"].as_str().unwrap_or("?");
        match url.strip_prefix("urn:uuid:") {
            Some(uuid) if is_uuid(uuid) => {
                if resource["id"] != uuid {
                    out.push(format!("entry {i} ({kind}): id is not its fullUrl's UUID"));
                }
            }
            _ => out.push(format!(
                "entry {i} ({kind}): fullUrl {url:?} is no urn:uuid"
            )),
        }
        if !urls.insert(url.to_string()) {
            out.push(format!("entry {i} ({kind}): fullUrl {url} twice"));
        }
        match kind {
            // ppc-1: either a policy or a policyRule.
            "Consent"
                if resource.get("policy").is_none() && resource.get("policyRule").is_none() =>
            {
                out.push(format!("entry {i}: Consent breaks ppc-1"));
            }
            "Observation" => {
                let has = [
                    "effectiveDateTime",
                    "effectivePeriod",
                    "effectiveInstant",
                    "effectiveTiming",
                ]
                .iter()
                .any(|k| resource.get(*k).is_some());
                let said_absent = resource["_effectiveDateTime"]["extension"]
                    .as_array()
                    .is_some_and(|x| x.iter().any(|x| x["url"] == DATA_ABSENT));
                if !has && !said_absent {
                    out.push(format!("entry {i}: Observation without effective[x]"));
                }
            }
            "Condition" => {
                let error =
                    resource["verificationStatus"]["coding"][0]["code"] == "entered-in-error";
                let clinical = resource.get("clinicalStatus").is_some();
                if error == clinical {
                    out.push(format!("entry {i}: Condition breaks con-3/con-5"));
                }
            }
            _ => {}
        }
    }
    let (mut empties, mut refs) = (Vec::new(), Vec::new());
    walk(bundle, String::new(), &mut empties, &mut refs);
    out.extend(empties.into_iter().map(|p| format!("empty element at {p}")));
    for (path, r) in refs {
        if !urls.contains(&r) {
            out.push(format!("reference {r:?} at {path} resolves to no entry"));
        }
    }
    out
}
