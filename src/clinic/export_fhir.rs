//! The health record as FHIR R4 resources: Condition (past illnesses, with ICD-10
//! codes), Procedure (surgeries), FamilyMemberHistory, AllergyIntolerance,
//! MedicationStatement, and Observations for lifestyle and measurements (LOINC).

use serde_json::{Value, json};

use crate::domain::health::{HealthRecord, Smoking};

const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub(crate) const LOINC: &str = "http://loinc.org";
pub(crate) const UCUM: &str = "http://unitsofmeasure.org";

pub(crate) fn resource(body: Value) -> Value {
    json!({ "resource": body })
}

fn quantity(code: &str, display: &str, value: f64, unit: &str, subject: &Value) -> Value {
    resource(json!({
        "resourceType": "Observation",
        "status": "final",
        "subject": subject,
        "code": { "coding": [{ "system": LOINC, "code": code, "display": display }] },
        "valueQuantity": { "value": value, "unit": unit, "system": UCUM, "code": unit },
    }))
}

pub(crate) fn clinical(record: &HealthRecord, subject: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for c in &record.past_illnesses {
        let mut code = json!({ "text": c.name });
        if let Some(icd) = &c.code {
            code["coding"] = json!([{ "system": ICD10, "code": icd }]);
        }
        let mut condition =
            json!({ "resourceType": "Condition", "subject": subject, "code": code });
        if let Some(since) = &c.since {
            condition["onsetString"] = json!(since);
        }
        out.push(resource(condition));
    }
    for s in &record.surgeries {
        let mut procedure = json!({ "resourceType": "Procedure", "status": "completed", "subject": subject, "code": { "text": s.name } });
        if let Some(year) = &s.year {
            procedure["performedString"] = json!(year);
        }
        if let Some(note) = &s.note {
            procedure["note"] = json!([{ "text": note }]);
        }
        out.push(resource(procedure));
    }
    for f in &record.family_history {
        out.push(resource(json!({
            "resourceType": "FamilyMemberHistory",
            "status": "completed",
            "patient": subject,
            "relationship": { "text": f.relative },
            "condition": [{ "code": { "text": f.condition } }],
        })));
    }
    for a in &record.allergies {
        let mut allergy = json!({ "resourceType": "AllergyIntolerance", "patient": subject, "code": { "text": a.substance } });
        if a.reaction.is_some() || a.severity.is_some() {
            let mut reaction =
                json!({ "manifestation": [{ "text": a.reaction.clone().unwrap_or_default() }] });
            if let Some(severity) = a.severity {
                reaction["severity"] = json!(severity.name());
            }
            allergy["reaction"] = json!([reaction]);
        }
        out.push(resource(allergy));
    }
    for m in &record.medications {
        let dosage: Vec<String> = [&m.dose, &m.frequency]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let mut statement = json!({ "resourceType": "MedicationStatement", "status": "active", "subject": subject, "medicationCodeableConcept": { "text": m.name } });
        if !dosage.is_empty() {
            statement["dosage"] = json!([{ "text": dosage.join(", ") }]);
        }
        out.push(resource(statement));
    }
    if let Some(smoking) = record.lifestyle.smoking {
        let (code, display) = match smoking {
            Smoking::Never => ("266919005", "Never smoked tobacco"),
            Smoking::Former => ("8517006", "Ex-smoker"),
            Smoking::Current => ("77176002", "Smoker"),
            Smoking::Unknown => ("266927001", "Unknown if ever smoked"),
        };
        out.push(resource(json!({
            "resourceType": "Observation",
            "status": "final",
            "subject": subject,
            "code": { "coding": [{ "system": LOINC, "code": "72166-2", "display": "Tobacco smoking status" }] },
            "valueCodeableConcept": { "coding": [{ "system": "http://snomed.info/sct", "code": code, "display": display }] },
        })));
    }
    let m = &record.measurements;
    if let Some(h) = m.height_cm {
        out.push(quantity("8302-2", "Body height", h.as_f64(), "cm", subject));
    }
    if let Some(w) = m.weight_kg {
        out.push(quantity(
            "29463-7",
            "Body weight",
            w.as_f64(),
            "kg",
            subject,
        ));
    }
    if let Some(w) = m.waist_cm {
        out.push(quantity(
            "8280-0",
            "Waist Circumference at umbilicus by Tape measure",
            w.as_f64(),
            "cm",
            subject,
        ));
    }
    out
}

pub(crate) fn instant(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn decimal_json(value: crate::domain::decimal::Decimal) -> Value {
    // serde_json keeps the number as written (e.g. 4.30 reads back as 4.3).
    serde_json::from_str(&value.to_string()).unwrap_or(Value::Null)
}

/// A result as a FHIR Observation: LOINC coding, valueQuantity (value and UCUM unit)
/// or the coded or text value, effectiveDateTime, reference range and interpretation.
pub(crate) fn observation(o: &crate::domain::observation::Observation, subject: &Value) -> Value {
    use crate::domain::observation::ObsValue;
    let mut coding = json!({ "system": o.system, "code": o.code });
    if let Some(display) = &o.display {
        coding["display"] = json!(display);
    }
    let mut body = json!({
        "resourceType": "Observation",
        "status": match o.status.as_deref() {
            Some("C") => "corrected",
            Some("P") | Some("I") => "preliminary",
            _ => "final",
        },
        "subject": subject,
        "code": { "coding": [coding] },
        "effectiveDateTime": instant(o.taken_at),
    });
    match &o.value {
        ObsValue::Quantity { value, comparator } => {
            let mut quantity = json!({ "value": decimal_json(*value) });
            if let Some(unit) = &o.unit {
                quantity["unit"] = json!(unit);
                quantity["system"] = json!(UCUM);
                quantity["code"] = json!(unit);
            }
            if let Some(c) = comparator {
                quantity["comparator"] = json!(c);
            }
            body["valueQuantity"] = quantity;
        }
        ObsValue::Coded {
            system,
            code,
            display,
        } => {
            let mut coding = json!({ "code": code });
            if let Some(s) = system {
                coding["system"] = json!(s);
            }
            if let Some(d) = display {
                coding["display"] = json!(d);
            }
            body["valueCodeableConcept"] = json!({ "coding": [coding] });
        }
        ObsValue::Text(t) => body["valueString"] = json!(t),
    }
    if !o.range.is_empty() {
        let mut range = json!({});
        if let Some(low) = o.range.low {
            range["low"] = json!({ "value": decimal_json(low) });
        }
        if let Some(high) = o.range.high {
            range["high"] = json!({ "value": decimal_json(high) });
        }
        if let Some(text) = &o.range.text {
            range["text"] = json!(text);
        }
        body["referenceRange"] = json!([range]);
    }
    if !o.flags.is_empty() {
        let codings: Vec<Value> = o
            .flags
            .iter()
            .map(|f| json!({ "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": f }))
            .collect();
        body["interpretation"] = json!([{ "coding": codings }]);
    }
    resource(body)
}

/// A filled questionnaire as a FHIR QuestionnaireResponse (its total and band are
/// exported as Observations with the other results).
pub(crate) fn questionnaire_response(
    q: &crate::domain::questionnaire::Response,
    subject: &Value,
) -> Value {
    let items: Vec<Value> = q
        .answers
        .iter()
        .enumerate()
        .map(|(i, answer)| json!({ "linkId": (i + 1).to_string(), "answer": [{ "valueInteger": answer }] }))
        .collect();
    resource(json!({
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": format!("urn:caredesk:questionnaire:{}|{}", q.key, q.version),
        "subject": subject,
        "authored": instant(q.at),
        "item": items,
    }))
}

/// A risk assessment with a result as a FHIR RiskAssessment: the model (name, version,
/// source) as the method, the probability or score as the prediction, the bands as its
/// qualitative risk. Refused assessments are not exported as predictions.
pub(crate) fn risk_assessment(
    a: &crate::domain::assessment::Assessment,
    subject: &Value,
) -> Option<Value> {
    use crate::domain::assessment::Outcome;
    let prediction = match &a.outcome {
        Outcome::Risk {
            probability,
            band,
            chinese_band,
        } => {
            let mut p = json!({
                "probabilityDecimal": (probability * 10_000.0).round() / 10_000.0,
                "qualitativeRisk": { "text": band },
                "whenRange": { "high": { "value": 10, "unit": "a", "system": UCUM, "code": "a" } },
            });
            if let Some(c) = chinese_band {
                p["rationale"] = json!(format!("Chinese 2019 guideline band: {c}"));
            }
            p
        }
        Outcome::Score { score, band } => json!({
            "qualitativeRisk": { "text": band },
            "rationale": format!("score {score}"),
        }),
        Outcome::Refused(_) => return None,
    };
    Some(resource(json!({
        "resourceType": "RiskAssessment",
        "status": "final",
        "subject": subject,
        "occurrenceDateTime": instant(a.at),
        "method": { "text": format!("{} ({}) — {}", a.name, a.version, a.source) },
        "prediction": [prediction],
        "note": a.assumptions.iter().map(|n| json!({ "text": n })).collect::<Vec<_>>(),
    })))
}
