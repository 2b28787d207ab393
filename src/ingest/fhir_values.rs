//! Reading FHIR values: codings, value[x], reference ranges, interpretations and times
//! of Observations (and their components), and the smoking status they may report.

use serde_json::Value;

use super::fhir::parse_time;
use crate::domain::decimal::Decimal;
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
