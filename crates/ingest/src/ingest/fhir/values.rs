//! Reading FHIR values: codings, value[x], reference ranges, interpretations and times
//! of Observations (and their components), and the smoking status they may report.

use crate::i18n::Text;
use crate::text;
use serde_json::Value;

use super::parse_time;
use crate::domain::decimal::Decimal;
use crate::domain::health::Smoking;
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};

const SMOKING_STATUS: &str = "72166-2";

pub(super) fn text(v: &Value) -> Option<String> {
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

pub(super) fn concept_text(concept: &Value) -> Option<String> {
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
fn value(resource: &Value) -> Result<Option<(ObsValue, Option<String>)>, Text> {
    if let Some(q) = resource.get("valueQuantity") {
        let number = decimal(&q["value"]).ok_or_else(|| text!("msg.ingest.fhir_quantity"))?;
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
            .ok_or_else(|| text!("msg.ingest.fhir_concept"))?;
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
            ObsValue::Text(text(s).ok_or_else(|| text!("msg.ingest.fhir_string"))?),
            None,
        )));
    }
    if let Some(i) = resource.get("valueInteger") {
        let number = decimal(i).ok_or_else(|| text!("msg.ingest.fhir_integer"))?;
        return Ok(Some((
            ObsValue::Quantity {
                value: number,
                comparator: None,
            },
            None,
        )));
    }
    if let Some(b) = resource.get("valueBoolean") {
        let b = b
            .as_bool()
            .ok_or_else(|| text!("msg.ingest.fhir_boolean"))?;
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

pub(super) fn own_time(resource: &Value) -> Option<i64> {
    ["effectiveDateTime", "effectiveInstant", "issued"]
        .iter()
        .find_map(|k| resource[*k].as_str().and_then(parse_time))
        .or_else(|| {
            resource["effectivePeriod"]["start"]
                .as_str()
                .and_then(parse_time)
        })
}

/// One Observation as results: its own value, or one per component.
pub(super) fn observations(
    resource: &Value,
    taken_at: Option<i64>,
    origin: &str,
    skipped: &mut u64,
) -> Result<Vec<Observation>, Text> {
    let (system, code, display) =
        coding(&resource["code"]).ok_or_else(|| text!("msg.ingest.fhir_no_code"))?;
    // An HL7 v2 result status FHIR cannot say (R, unverified), when caredesk's export
    // gives it; else the FHIR status.
    let v2_status = resource["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["url"] == super::V2_RESULT_STATUS)
        .and_then(|x| text(&x["valueCode"]));
    let status = v2_status.or_else(|| text(&resource["status"]));
    let make = |system: String,
                code: String,
                display: Option<String>,
                value: ObsValue,
                unit: Option<String>,
                part: &Value|
     -> Result<Observation, Text> {
        Ok(Observation {
            system,
            code,
            display,
            value,
            unit,
            range: range(part),
            flags: flags(part),
            taken_at: taken_at.ok_or_else(|| text!("msg.ingest.fhir_no_time"))?,
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
            coding(&component["code"]).ok_or_else(|| text!("msg.ingest.fhir_component_code"))?;
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

/// The LOINC 72166-2 answer list, by SNOMED CT and LOINC answer (LA) codes.
const SMOKING_CODES: &[(&str, &str, Smoking)] = &[
    ("449868002", "LA18976-3", Smoking::Current), // current every day smoker
    ("428041000124106", "LA18977-1", Smoking::Current), // current some day smoker
    ("8517006", "LA15920-4", Smoking::Former),    // former smoker
    ("266919005", "LA18978-9", Smoking::Never),   // never smoker
    ("77176002", "LA18979-7", Smoking::Current),  // smoker, current status unknown
    ("266927001", "LA18980-5", Smoking::Unknown), // unknown if ever smoked
    ("428071000124103", "LA18981-3", Smoking::Current), // heavy tobacco smoker
    ("428061000124105", "LA18982-1", Smoking::Current), // light tobacco smoker
    ("8392000", "", Smoking::Never),              // non-smoker
    ("65568007", "", Smoking::Current),           // cigarette smoker
];

/// The answers' names (and common Chinese ones): text matches only one of these
/// exactly, never a part of it ("Non-smoker" is not a smoker).
const SMOKING_WORDS: &[(&str, Smoking)] = &[
    ("current every day smoker", Smoking::Current),
    ("current some day smoker", Smoking::Current),
    ("smoker, current status unknown", Smoking::Current),
    ("current smoker", Smoking::Current),
    ("smoker", Smoking::Current),
    ("heavy tobacco smoker", Smoking::Current),
    ("light tobacco smoker", Smoking::Current),
    ("cigarette smoker", Smoking::Current),
    ("former smoker", Smoking::Former),
    ("ex-smoker", Smoking::Former),
    ("never smoker", Smoking::Never),
    ("never smoked tobacco", Smoking::Never),
    ("non-smoker", Smoking::Never),
    ("nonsmoker", Smoking::Never),
    ("unknown if ever smoked", Smoking::Unknown),
    ("吸烟", Smoking::Current),
    ("现在吸烟", Smoking::Current),
    ("每天吸烟", Smoking::Current),
    ("已戒烟", Smoking::Former),
    ("戒烟", Smoking::Former),
    ("从不吸烟", Smoking::Never),
    ("不吸烟", Smoking::Never),
    ("吸烟史不详", Smoking::Unknown),
];

/// The smoking status a result reports, for the record's lifestyle section: by its
/// code, else by its text when that is exactly one of the answers' names.
pub fn smoking(observation: &Observation) -> Option<Smoking> {
    if observation.code != SMOKING_STATUS {
        return None;
    }
    let (code, display) = match &observation.value {
        ObsValue::Coded { code, display, .. } => (code.as_str(), display.as_deref()),
        ObsValue::Text(text) => ("", Some(text.as_str())),
        ObsValue::Quantity { .. } => return None,
    };
    if !code.is_empty()
        && let Some((_, _, status)) = SMOKING_CODES
            .iter()
            .find(|(snomed, la, _)| *snomed == code || (!la.is_empty() && *la == code))
    {
        return Some(*status);
    }
    let display = display?.trim().to_lowercase();
    SMOKING_WORDS
        .iter()
        .find(|(word, _)| *word == display)
        .map(|(_, status)| *status)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smoking-status Observation as FHIR sends it, read by the importer.
    fn answer(code: &str, display: Option<&str>) -> Observation {
        let value = if code.is_empty() {
            serde_json::json!({ "valueString": display.unwrap_or_default() })
        } else {
            serde_json::json!({ "valueCodeableConcept": { "coding": [
                { "system": "http://snomed.info/sct", "code": code, "display": display }] } })
        };
        let mut resource = serde_json::json!({
            "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": LOINC, "code": SMOKING_STATUS }] }
        });
        if let (Some(r), Some(v)) = (resource.as_object_mut(), value.as_object()) {
            r.extend(v.clone());
        }
        let mut list = observations(&resource, Some(0), "t", &mut 0).unwrap();
        list.remove(0)
    }

    #[test]
    fn smoking_by_code_and_exact_words() {
        for (code, la, status) in SMOKING_CODES {
            assert_eq!(
                smoking(&answer(code, Some("whatever"))),
                Some(*status),
                "{code}"
            );
            if !la.is_empty() {
                assert_eq!(smoking(&answer(la, None)), Some(*status), "{la}");
            }
        }
        assert_eq!(
            smoking(&answer("8392000", Some("Non-smoker"))),
            Some(Smoking::Never)
        );
        assert_eq!(
            smoking(&answer("266927001", Some("Unknown if ever smoked"))),
            Some(Smoking::Unknown)
        );
        // Text alone: only an exact answer name.
        assert_eq!(
            smoking(&answer("", Some("Non-smoker"))),
            Some(Smoking::Never)
        );
        assert_eq!(
            smoking(&answer("", Some(" Unknown if ever smoked "))),
            Some(Smoking::Unknown)
        );
        assert_eq!(
            smoking(&answer("", Some("Former smoker"))),
            Some(Smoking::Former)
        );
        assert_eq!(
            smoking(&answer("", Some("smokes a pipe at weekends"))),
            None
        );
        assert_eq!(smoking(&answer("", Some("never smoked cigars"))), None);
        assert_eq!(
            smoking(&answer("999", Some("Smoking history unclear"))),
            None
        );
        let mut other = answer("77176002", None);
        other.code = "8480-6".into();
        assert_eq!(smoking(&other), None);
    }
}
