//! The health record as FHIR R4 resources: Condition (past illnesses, with ICD-10
//! codes), Procedure (surgeries), FamilyMemberHistory, AllergyIntolerance,
//! MedicationStatement, and Observations for lifestyle and measurements (LOINC).

use serde_json::{Value, json};

use crate::domain::health::{HealthRecord, Smoking};

const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

fn resource(body: Value) -> Value {
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
