//! The health record as FHIR R4 resources: Condition (past illnesses, ICD-10 or the
//! stored system), Procedure (surgeries), FamilyMemberHistory, AllergyIntolerance,
//! MedicationStatement, and Observations for smoking and the measurements (LOINC),
//! each dated by when that part of the record was last changed.

use serde_json::{Value, json};

use super::bundle::{DATA_ABSENT, ICD10, Ids, LOINC, SNOMED, absent, entry, instant, quantity};
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::health::{
    ClinicalStatus, HealthRecord, MedicationStatus, Smoking, Tenths, Verification,
};

const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const CONDITION_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
const ALLERGY_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code, "display": display }] })
}

/// "2019", "2019-03" or "2019-03-08" as typed: a FHIR date, kept as a date.
fn fhir_date(text: &str) -> Option<&str> {
    let t = text.trim();
    let ok = match t.len() {
        4 => t.parse::<u16>().is_ok(),
        7 => chrono::NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").is_ok(),
        10 => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok(),
        _ => false,
    };
    ok.then_some(t)
}

/// An ICD-10 code as written (A00–Z99, with or without a dot and subdivisions; the
/// Chinese GB/T 14396 extensions keep the same shape).
fn looks_icd10(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.clone().take(2).filter(|c| c.is_ascii_digit()).count() == 2
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The coding of a stored diagnosis code: its own system when one is stored (a URI),
/// ICD-10 for a code typed at the desk (the record's default) when it has ICD-10's
/// shape; otherwise the code alone, claiming no system it may not be from.
pub(crate) fn diagnosis_coding(code: &str, system: Option<&str>) -> Value {
    let code = code.trim();
    match system.filter(|s| !s.trim().is_empty()) {
        Some(s) => json!({ "system": s, "code": code }),
        None if looks_icd10(code) => json!({ "system": ICD10, "code": code }),
        None => json!({ "code": code }),
    }
}

/// A code with the system stored beside it (none stored: the code alone).
fn coding(code: &Option<String>, system: &Option<String>) -> Option<Value> {
    let code = code.as_deref().map(str::trim).filter(|c| !c.is_empty())?;
    Some(match system.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => json!({ "system": s, "code": code }),
        None => json!({ "code": code }),
    })
}

/// A date or date-time as stored ("2015", "2015-03-01", an RFC 3339 time) as a FHIR
/// dateTime; `None` for text that is neither.
fn fhir_datetime(text: &str) -> Option<String> {
    if let Some(date) = fhir_date(text) {
        return Some(date.to_string());
    }
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// When a field of a section last changed, by the amendments (None: never, here).
fn changed_at<T: PartialEq>(
    amendments: &[Amendment],
    pick: impl Fn(&SectionValue) -> Option<T>,
) -> Option<i64> {
    amendments
        .iter()
        .filter_map(|a| {
            let after = pick(&a.after)?;
            (pick(&a.before).as_ref() != Some(&after)).then_some(a.at)
        })
        .max()
}

/// Sets effectiveDateTime, or says it is unknown (a record kept before amendments).
fn effective(body: &mut Value, date: Option<String>) {
    match date {
        Some(d) => body["effectiveDateTime"] = json!(d),
        None => absent(body, "effectiveDateTime"),
    }
}

/// The tag on Observations and Procedures made from the health record (not results),
/// so that an import of the export puts them back into the record.
use crate::ingest::fhir::SOURCE_TAG;

fn record_observation(subject: &Value, category: (&str, &str), code: Value) -> Value {
    json!({
        "resourceType": "Observation",
        "meta": { "tag": [{ "system": SOURCE_TAG, "code": "record", "display": "From the health record" }] },
        "status": "final",
        "category": [concept(OBSERVATION_CATEGORY, category.0, category.1)],
        "subject": subject,
        "code": code,
    })
}

pub(crate) fn clinical(
    record: &HealthRecord,
    amendments: &[Amendment],
    ids: &mut Ids,
    subject: &Value,
) -> Vec<Value> {
    let mut out = Vec::new();
    for c in &record.past_illnesses {
        let url = ids.url(
            "Condition",
            &format!("{}|{}", c.name, c.code.as_deref().unwrap_or("")),
        );
        let mut code = json!({ "text": c.name });
        if let Some(stored) = &c.code {
            code["coding"] = json!([diagnosis_coding(stored, c.system.as_deref())]);
        }
        let mut condition = json!({
            "resourceType": "Condition",
            "category": [concept(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
            "subject": subject,
            "code": code,
        });
        // A condition entered in error has no clinical status (con-5); one without a
        // stated status was typed at the desk as current (con-3 wants one).
        if c.verification != Some(Verification::EnteredInError) {
            let clinical = c.clinical_status.unwrap_or(ClinicalStatus::Active);
            condition["clinicalStatus"] = concept(CONDITION_CLINICAL, clinical.code(), "");
        }
        if let Some(v) = c.verification {
            condition["verificationStatus"] = concept(CONDITION_VERIFICATION, v.code(), "");
        }
        match c.since.as_deref().map(|s| (s, fhir_date(s))) {
            Some((_, Some(date))) => condition["onsetDateTime"] = json!(date),
            Some((text, None)) => condition["onsetString"] = json!(text),
            None => {}
        }
        out.push(entry(&url, condition));
    }
    for s in &record.surgeries {
        let url = ids.url(
            "Procedure",
            &format!("{}|{}", s.name, s.year.as_deref().unwrap_or("")),
        );
        let mut procedure = json!({
            "resourceType": "Procedure",
            "meta": { "tag": [{ "system": SOURCE_TAG, "code": "record", "display": "From the health record" }] },
            "status": "completed",
            "subject": subject,
            "code": { "text": s.name },
        });
        match s.year.as_deref().map(|y| (y, fhir_date(y))) {
            Some((_, Some(date))) => procedure["performedDateTime"] = json!(date),
            Some((text, None)) => procedure["performedString"] = json!(text),
            None => {}
        }
        if let Some(note) = &s.note {
            procedure["note"] = json!([{ "text": note }]);
        }
        out.push(entry(&url, procedure));
    }
    for f in &record.family_history {
        let url = ids.url(
            "FamilyMemberHistory",
            &format!("{}|{}", f.relative, f.condition),
        );
        out.push(entry(
            &url,
            json!({
                "resourceType": "FamilyMemberHistory",
                "status": "completed",
                "patient": subject,
                "relationship": { "text": f.relative },
                "condition": [{ "code": { "coding": coding(&f.code, &f.system).into_iter().collect::<Vec<_>>(), "text": f.condition } }],
            }),
        ));
    }
    for a in &record.allergies {
        let url = ids.url("AllergyIntolerance", &a.substance);
        let mut allergy = json!({
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": concept(ALLERGY_CLINICAL, "active", "Active"),
            "patient": subject,
            "code": { "coding": coding(&a.code, &a.system).into_iter().collect::<Vec<_>>(), "text": a.substance },
        });
        if a.reaction.is_some() || a.severity.is_some() {
            // A reaction needs a manifestation: unknown when only the severity is known.
            let manifestation = match a.reaction.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(text) => json!({ "text": text }),
                None => json!({ "extension": [{ "url": DATA_ABSENT, "valueCode": "unknown" }] }),
            };
            let mut reaction = json!({ "manifestation": [manifestation] });
            if let Some(severity) = a.severity {
                reaction["severity"] = json!(severity.name());
            }
            allergy["reaction"] = json!([reaction]);
        }
        out.push(entry(&url, allergy));
    }
    for m in &record.medications {
        let url = ids.url("MedicationStatement", &m.name);
        let dosage: Vec<String> = [&m.dose, &m.frequency]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        // A medicine typed at the desk without a status is taken as current.
        let status = m.status.unwrap_or(MedicationStatus::Active);
        let mut statement = json!({
            "resourceType": "MedicationStatement",
            "status": status.code(),
            "subject": subject,
            "medicationCodeableConcept": { "coding": coding(&m.code, &m.system).into_iter().collect::<Vec<_>>(), "text": m.name },
        });
        if !dosage.is_empty() {
            statement["dosage"] = json!([{ "text": dosage.join(", ") }]);
            if let Some(frequency) = &m.frequency {
                statement["dosage"][0]["timing"] = json!({ "code": { "text": frequency } });
            }
        }
        let mut notes = Vec::new();
        for (field, text) in [("start", &m.started), ("end", &m.ended)] {
            let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            match fhir_datetime(text) {
                Some(at) => statement["effectivePeriod"][field] = json!(at),
                None => notes.push(json!({ "text": format!("{field}: {text}") })),
            }
        }
        statement["note"] = json!(notes);
        out.push(entry(&url, statement));
    }
    out.extend(lifestyle_and_measurements(record, amendments, ids, subject));
    out
}

fn lifestyle_and_measurements(
    record: &HealthRecord,
    amendments: &[Amendment],
    ids: &mut Ids,
    subject: &Value,
) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(smoking) = record.lifestyle.smoking {
        let (code, display) = match smoking {
            Smoking::Never => ("266919005", "Never smoked tobacco"),
            Smoking::Former => ("8517006", "Ex-smoker"),
            Smoking::Current => ("77176002", "Smoker"),
            Smoking::Unknown => ("266927001", "Unknown if ever smoked"),
        };
        let mut body = record_observation(
            subject,
            ("social-history", "Social History"),
            concept(LOINC, "72166-2", "Tobacco smoking status"),
        );
        body["valueCodeableConcept"] = concept(SNOMED, code, display);
        let at = changed_at(amendments, |v| match v {
            SectionValue::Lifestyle(l) => Some(l.smoking),
            _ => None,
        });
        effective(&mut body, at.map(instant));
        out.push(entry(&ids.url("Observation", "record/smoking"), body));
    }
    let m = &record.measurements;
    type Pick = fn(&crate::domain::health::Measurements) -> Option<Tenths>;
    let rows: [(&str, &str, &str, &str, Pick); 3] = [
        ("height", "8302-2", "Body height", "cm", |m| m.height_cm),
        ("weight", "29463-7", "Body weight", "kg", |m| m.weight_kg),
        (
            "waist",
            "8280-0",
            "Waist Circumference at umbilicus by Tape measure",
            "cm",
            |m| m.waist_cm,
        ),
    ];
    for (key, code, display, unit, pick) in rows {
        let Some(value) = pick(m) else { continue };
        let category = if key == "waist" {
            ("exam", "Exam")
        } else {
            ("vital-signs", "Vital Signs")
        };
        let mut body = record_observation(subject, category, concept(LOINC, code, display));
        body["valueQuantity"] = quantity(json!(value.as_f64()), Some(unit));
        // The day it was measured when staff gave it; else when the value was entered.
        let date = m.measured_on.map(|d| d.to_string()).or_else(|| {
            changed_at(amendments, |v| match v {
                SectionValue::Measurements(m) => Some(pick(m)),
                _ => None,
            })
            .map(instant)
        });
        effective(&mut body, date);
        out.push(entry(
            &ids.url("Observation", &format!("record/{key}")),
            body,
        ));
    }
    out
}

/// A stored result status (a FHIR code, or HL7 v2 OBX-11) as the FHIR Observation
/// status, and a note when the code says more than the status can (unverified).
/// Nothing unknown becomes final: a result without a status is final only when the
/// clinic itself recorded it.
pub(crate) fn observation_status(
    stored: Option<&str>,
    source: &crate::domain::observation::SourceKind,
) -> (&'static str, Option<&'static str>) {
    use crate::domain::observation::SourceKind;
    let Some(code) = stored.map(str::trim).filter(|c| !c.is_empty()) else {
        return match source {
            SourceKind::Manual | SourceKind::Questionnaire => ("final", None),
            SourceKind::Hl7 | SourceKind::Fhir | SourceKind::Csv => ("unknown", None),
        };
    };
    let status = match code.to_ascii_lowercase().as_str() {
        "final" | "f" => "final",
        "amended" | "a" | "b" => "amended",
        "corrected" | "c" => "corrected",
        "preliminary" | "p" | "s" => "preliminary",
        "r" => {
            return (
                "preliminary",
                Some("Result entered, not verified (HL7 v2 OBX-11 R)."),
            );
        }
        "registered" | "i" | "o" => "registered",
        "cancelled" | "x" | "n" => "cancelled",
        "entered-in-error" | "d" | "w" => "entered-in-error",
        // "Results status change to final without retransmitting results".
        "u" => "final",
        _ => "unknown",
    };
    (status, None)
}

/// Interpretation codes of the HL7 v3 ObservationInterpretation system.
const INTERPRETATIONS: &[&str] = &[
    "<", ">", "A", "AA", "B", "D", "E", "EX", "H", "HH", "HU", "HX", "I", "IE", "IND", "L", "LL",
    "LU", "LX", "MS", "N", "NCL", "ND", "NEG", "NR", "NS", "POS", "R", "RR", "S", "SDD", "SYN-R",
    "SYN-S", "U", "UNE", "VS", "W", "WR", "DET", "EXP",
];

/// A result as a FHIR Observation: its coding, value (a Quantity labelled UCUM only
/// when the unit is), effectiveDateTime, status as stored, reference range and flags.
pub(crate) fn observation(
    o: &crate::domain::observation::Observation,
    ids: &mut Ids,
    subject: &Value,
) -> Value {
    use crate::domain::observation::ObsValue;
    let url = ids.url("Observation", &String::from_utf8_lossy(&o.identity()));
    let mut coding = json!({ "system": o.system, "code": o.code });
    if let Some(display) = &o.display {
        coding["display"] = json!(display);
    }
    let (status, note) = observation_status(o.status.as_deref(), &o.source.kind);
    let mut body = json!({
        "resourceType": "Observation",
        "status": status,
        "subject": subject,
        "code": { "coding": [coding] },
        "effectiveDateTime": instant(o.taken_at),
    });
    if let Some(note) = note {
        body["note"] = json!([{ "text": note }]);
        // The HL7 v2 status FHIR has no code for, so that an import keeps it.
        if let Some(code) = o.status.as_deref() {
            body["extension"] =
                json!([{ "url": crate::ingest::fhir::V2_RESULT_STATUS, "valueCode": code.trim() }]);
        }
    }
    match &o.value {
        ObsValue::Quantity { value, comparator } => {
            let mut q = quantity(decimal_json(*value), o.unit.as_deref());
            if let Some(c) = comparator {
                q["comparator"] = json!(c);
            }
            body["valueQuantity"] = q;
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
            range["low"] = quantity(decimal_json(low), o.unit.as_deref());
        }
        if let Some(high) = o.range.high {
            range["high"] = quantity(decimal_json(high), o.unit.as_deref());
        }
        if let Some(text) = &o.range.text {
            range["text"] = json!(text);
        }
        body["referenceRange"] = json!([range]);
    }
    let flags: Vec<&String> = o.flags.iter().filter(|f| !f.trim().is_empty()).collect();
    if !flags.is_empty() {
        let codings: Vec<Value> = flags
            .iter()
            .filter(|f| INTERPRETATIONS.contains(&f.as_str()))
            .map(|f| json!({ "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": f }))
            .collect();
        let unknown: Vec<&str> = flags
            .iter()
            .filter(|f| !INTERPRETATIONS.contains(&f.as_str()))
            .map(|f| f.as_str())
            .collect();
        body["interpretation"] = json!([{ "coding": codings, "text": unknown.join(", ") }]);
    }
    entry(&url, body)
}

fn decimal_json(value: crate::domain::decimal::Decimal) -> Value {
    // serde_json keeps the number as written (e.g. 4.30 reads back as 4.3).
    serde_json::from_str(&value.to_string()).unwrap_or(Value::Null)
}

/// A filled questionnaire as a FHIR QuestionnaireResponse (its total and band are
/// exported as Observations with the other results).
pub(crate) fn questionnaire_response(
    q: &crate::domain::questionnaire::Response,
    ids: &mut Ids,
    subject: &Value,
) -> Value {
    let url = ids.url("QuestionnaireResponse", &format!("{}|{}", q.key, q.at));
    let items: Vec<Value> = q
        .answers
        .iter()
        .enumerate()
        .map(|(i, answer)| json!({ "linkId": (i + 1).to_string(), "answer": [{ "valueInteger": answer }] }))
        .collect();
    entry(
        &url,
        json!({
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": format!("urn:caredesk:questionnaire:{}|{}", q.key, q.version),
            "subject": subject,
            "authored": instant(q.at),
            "author": { "display": q.by },
            "item": items,
        }),
    )
}

/// A risk assessment with a result as a FHIR RiskAssessment: the model (name, version,
/// source) as the method, the probability or score as the prediction, the bands as its
/// qualitative risk. Refused assessments are not exported as predictions.
pub(crate) fn risk_assessment(
    a: &crate::domain::assessment::Assessment,
    ids: &mut Ids,
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
                "whenRange": { "high": quantity(json!(10), Some("a")) },
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
    let url = ids.url("RiskAssessment", &format!("{}|{}", a.model, a.at));
    Some(entry(
        &url,
        json!({
            "resourceType": "RiskAssessment",
            "status": "final",
            "subject": subject,
            "occurrenceDateTime": instant(a.at),
            "method": { "text": format!("{} ({}) — {}", a.name, a.version, a.source) },
            "prediction": [prediction],
            "note": a.assumptions.iter().map(|n| json!({ "text": n.english() })).collect::<Vec<_>>(),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::observation::SourceKind;

    #[test]
    fn statuses_as_stored_never_final_by_default() {
        let lab = SourceKind::Hl7;
        for (stored, want) in [
            ("F", "final"),
            ("final", "final"),
            ("C", "corrected"),
            ("corrected", "corrected"),
            ("amended", "amended"),
            ("P", "preliminary"),
            ("R", "preliminary"),
            ("S", "preliminary"),
            ("I", "registered"),
            ("X", "cancelled"),
            ("N", "cancelled"),
            ("D", "entered-in-error"),
            ("W", "entered-in-error"),
            ("entered-in-error", "entered-in-error"),
            ("Entered-In-Error", "entered-in-error"),
            ("unknown", "unknown"),
            ("Q", "unknown"),
            ("nonsense", "unknown"),
        ] {
            assert_eq!(observation_status(Some(stored), &lab).0, want, "{stored}");
        }
        assert!(
            observation_status(Some("R"), &lab).1.is_some(),
            "unverified is marked"
        );
        assert_eq!(observation_status(None, &lab).0, "unknown");
        assert_eq!(observation_status(None, &SourceKind::Manual).0, "final");
    }

    #[test]
    fn diagnosis_codes_get_their_system() {
        assert_eq!(diagnosis_coding("I10", None)["system"], ICD10);
        assert_eq!(diagnosis_coding("E11.9", None)["system"], ICD10);
        assert_eq!(
            diagnosis_coding("44054006", None),
            json!({ "code": "44054006" })
        );
        assert_eq!(
            diagnosis_coding("15777000", Some("http://snomed.info/sct"))["system"],
            SNOMED
        );
        assert_eq!(diagnosis_coding("xyz", None), json!({ "code": "xyz" }));
        assert_eq!(fhir_date("2019"), Some("2019"));
        assert_eq!(fhir_date("2019-02"), Some("2019-02"));
        assert_eq!(fhir_date("2019-02-30"), None);
        assert_eq!(fhir_date("小时候"), None);
        assert_eq!(
            fhir_datetime("2015-03-01T08:00:00+08:00").as_deref(),
            Some("2015-03-01T08:00:00+08:00")
        );
        assert_eq!(fhir_datetime("2015").as_deref(), Some("2015"));
        assert_eq!(fhir_datetime("last spring"), None);
    }
}
