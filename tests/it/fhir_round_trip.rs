//! Round trip: each demo patient's record exported as FHIR, the Bundle imported into an
//! empty clinic (creating the patient), and exported again. The two Bundles are
//! compared resource by resource with what differs by store left out (ids, fullUrls,
//! the Bundle's own id and timestamp, caredesk's internal patient id); what caredesk
//! does not carry is listed here, as in docs/interoperability.md ("Round trip"), and checked to be absent
//! so the list stays true.

use crate::fhir_checks;
use caredesk::clinic::api::Registered;

use std::collections::{BTreeMap, HashMap};

use crate::common::ManualClock;
use crate::common::clinic::{START, TestClinic, demo_client, demo_vault, quick_options};
use caredesk::auth::Role;
use caredesk::clinic::export::access::{PatientExport, to_fhir};
use caredesk::clinic::{Clinic, InProcess, Request, Response, Signed};
use caredesk::demo;
use caredesk::domain::health::{ClinicalStatus, MedicationStatus, Verification};
use serde_json::{Value, json};

/// What the import does not bring back, by the key `ingest::fhir::parse` counts it
/// under, and whether the receiving clinic makes its own again (docs/interoperability.md, "Round trip",
/// lists them with why).
const NOT_CARRIED: &[(&str, &str, bool)] = &[
    ("RiskAssessment", "RiskAssessment", true),
    ("Flag", "Flag", true),
    ("Composition", "Composition", false),
    ("Encounter", caredesk::ingest::fhir::CALL_ENCOUNTER, false),
];

/// A resource with what differs by store taken out: its id, references (each becomes
/// the type it points at), caredesk's own patient id and card numbers (a card is the
/// issuing clinic's: the receiving one keeps the number as an external number).
fn normalised(resource: &Value, types: &HashMap<String, String>) -> Value {
    fn walk(value: &mut Value, types: &HashMap<String, String>) {
        match value {
            Value::Object(fields) => {
                fields.remove("id");
                if let Some(Value::String(r)) = fields.get("reference") {
                    let kind = types.get(r).cloned().unwrap_or_else(|| format!("?{r}"));
                    fields.insert("reference".into(), json!(kind));
                }
                for field in fields.values_mut() {
                    walk(field, types);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, types)),
            _ => {}
        }
    }
    let mut r = resource.clone();
    walk(&mut r, types);
    if r["resourceType"] == "Patient"
        && let Some(ids) = r["identifier"].as_array_mut()
    {
        ids.retain(|i| i["system"] != "urn:caredesk:patient" && i["system"] != "urn:caredesk:card");
    }
    // The basic-information form is authored when the section last changed: in the
    // receiving clinic, by the import.
    if r["questionnaire"] == caredesk::domain::basic_info::FHIR_FORM
        && let Some(fields) = r.as_object_mut()
    {
        fields.remove("authored");
    }
    r
}

/// The record's smoking status comes back dated by the import that brought it (the
/// record keeps no date of its own for it): its time is checked apart and then left
/// out of the comparison.
fn smoking_time(resource: &mut Value) -> Option<i64> {
    if resource["code"]["coding"][0]["code"] != "72166-2" {
        return None;
    }
    let at = resource["effectiveDateTime"].take();
    chrono::DateTime::parse_from_rfc3339(at.as_str()?)
        .ok()
        .map(|t| t.timestamp())
}

/// Each resource type's resources, normalised, as sorted JSON texts; with the times of
/// the record's smoking status, taken out.
fn by_type(bundle: &Value) -> (BTreeMap<String, Vec<String>>, Vec<i64>) {
    let entries = bundle["entry"].as_array().unwrap();
    let types: HashMap<String, String> = entries
        .iter()
        .map(|e| {
            (
                e["fullUrl"].as_str().unwrap().to_string(),
                e["resource"]["resourceType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut smoking = Vec::new();
    for e in entries {
        let mut r = normalised(&e["resource"], &types);
        if r["resourceType"] == "Observation" {
            smoking.extend(smoking_time(&mut r));
        }
        out.entry(r["resourceType"].as_str().unwrap().to_string())
            .or_default()
            .push(r.to_string());
    }
    for list in out.values_mut() {
        list.sort();
    }
    (out, smoking)
}

/// The demo's patients (not the restricted member of staff) exported from the demo
/// clinic as FHIR Bundles, with each patient's export.
fn demo_bundles(count: usize) -> Vec<(Box<PatientExport>, Value)> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let clock = ManualClock::starting_at(START);
    demo::create(&dir, count, quick_options(&clock), &mut |_| {}).unwrap();
    let keys: Vec<String> = {
        let vault = demo_vault(&dir, &clock);
        vault
            .patient_ids()
            .unwrap()
            .iter()
            .filter(|id| !vault.patient(id).unwrap().restricted)
            .map(|id| vault.cards(id).unwrap()[0].number.clone())
            .collect()
    };
    let clinic = std::sync::Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
    let auditor = demo_client(&clinic, "he.audit");
    keys.iter()
        .map(|key| {
            let Response::PatientExport(export) =
                auditor.call(Request::PatientExport { key: key.clone() })
            else {
                panic!("no export for a demo patient")
            };
            let bundle = to_fhir(&export);
            (export, bundle)
        })
        .collect()
}

fn import(
    doctor: &Signed<InProcess>,
    bundle: &Value,
) -> (
    caredesk::clinic::response::ResultsSummary,
    BTreeMap<String, u64>,
) {
    let parsed = caredesk::ingest::fhir::parse(&bundle.to_string(), "export.json");
    assert!(
        parsed.rejected.is_empty(),
        "{:?}",
        parsed
            .rejected
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
    );
    match doctor.call(Request::ResultsImport {
        incoming: parsed.incoming,
        rejected: 0,
        create_patients: true,
    }) {
        Response::ResultsImported(summary) => (summary, parsed.not_kept),
        other => panic!("{other:?}"),
    }
}

/// What round trips found: resources by kind, follow-up call notes and smoking
/// statuses seen, and every difference.
#[derive(Default)]
struct Found {
    kinds: BTreeMap<String, usize>,
    calls: usize,
    smoked: usize,
    differences: Vec<String>,
}

/// Exports in, imports into `empty` (a clinic that did not hold these patients), exports
/// again and compares.
fn round_trips(exported: &[(Box<PatientExport>, Value)]) -> Found {
    let empty = TestClinic::with_all_roles();
    // Imported two days after the export, so a time the import makes up shows.
    empty.clock.advance_secs(2 * 86_400);
    let doctor = empty.sign_in(Role::Doctor);
    let mut found = Found::default();
    let Found {
        kinds,
        calls,
        smoked,
        differences,
    } = &mut found;
    for (n, (first, bundle)) in exported.iter().enumerate() {
        let before = empty.now();
        let (summary, not_kept) = import(&doctor, bundle);
        let after = empty.now();
        assert_eq!(summary.created, 1, "patient {n}: {summary:?}");
        let key = first.patient.id_number.clone().expect("demo ID numbers");
        let Response::PatientExport(second) = doctor.call(Request::PatientExport { key }) else {
            panic!("patient {n} cannot be found by its ID number after the import")
        };
        let again = to_fhir(&second);
        let problems = fhir_checks::problems(&again);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let ((a, a_smoking), (b, b_smoking)) = (by_type(bundle), by_type(&again));
        // Smoking status comes back, dated by the import.
        assert_eq!(a_smoking.len(), b_smoking.len(), "patient {n}");
        assert!(
            b_smoking.iter().all(|t| (before..=after).contains(t)),
            "patient {n}"
        );
        *smoked += a_smoking.len();
        for (kind, list) in &a {
            *kinds.entry(kind.clone()).or_default() += list.len();
            let other = b.get(kind).cloned().unwrap_or_default();
            if let Some((_, counted, made_here)) = NOT_CARRIED.iter().find(|(k, ..)| k == kind) {
                // Not carried: counted as not kept, with a reason; absent after unless
                // this clinic makes its own.
                assert_eq!(
                    not_kept.get(*counted).copied(),
                    Some(list.len() as u64),
                    "patient {n} {kind}: {not_kept:?}"
                );
                assert!(*made_here || other.is_empty(), "patient {n} {kind}");
                continue;
            }
            if kind == "Communication" {
                // Call notes and advice: counted as not kept; none in the second export.
                let notes = not_kept
                    .get(caredesk::ingest::fhir::CALL_NOTE)
                    .copied()
                    .unwrap_or(0);
                let advice = not_kept
                    .get(caredesk::ingest::fhir::ADVICE)
                    .copied()
                    .unwrap_or(0);
                assert_eq!(
                    notes + advice,
                    list.len() as u64,
                    "patient {n}: {not_kept:?}"
                );
                assert!(other.is_empty(), "patient {n} {kind}");
                *calls += notes as usize;
                continue;
            }
            if *list != other {
                let only_a: Vec<&String> = list.iter().filter(|x| !other.contains(x)).collect();
                let only_b: Vec<&String> = other.iter().filter(|x| !list.contains(x)).collect();
                differences.push(format!(
                    "patient {n} {kind}:\n  first only: {only_a:#?}\n  second only: {only_b:#?}"
                ));
            }
        }
        for kind in b.keys() {
            let made_here = NOT_CARRIED.iter().any(|(k, _, here)| k == kind && *here);
            if !a.contains_key(kind) && !made_here {
                differences.push(format!("patient {n}: {kind} only in the second export"));
            }
        }
        // The identifiers came back: the ID number (found by it above) and the card
        // number, kept as an external number, so importing the same Bundle again
        // finds the patient and adds nothing.
        assert_eq!(second.patient.id_number, first.patient.id_number);
        assert!(second.cards.is_empty(), "a card is issued, not imported");
        let (again_summary, _) = import(&doctor, bundle);
        assert_eq!(again_summary.created, 0, "patient {n} created twice");
        assert_eq!(again_summary.imported, 0, "patient {n}: {again_summary:?}");
        assert_eq!(
            again_summary.record_changes, 0,
            "patient {n}: {again_summary:?}"
        );
        // What came back is the patient's own, field by field.
        // A condition or medicine typed without a status is current: the export says
        // so, and the import keeps what it says.
        let conditions = |e: &PatientExport| {
            let mut list = e.health.past_illnesses.clone();
            for c in &mut list {
                if c.verification != Some(Verification::EnteredInError) {
                    c.clinical_status.get_or_insert(ClinicalStatus::Active);
                }
            }
            list
        };
        assert_eq!(conditions(&second), conditions(first), "patient {n}");
        let medicines = |e: &PatientExport| {
            let mut list = e.health.medications.clone();
            for m in &mut list {
                m.status.get_or_insert(MedicationStatus::Active);
            }
            list
        };
        assert_eq!(medicines(&second), medicines(first), "patient {n}");
        assert_eq!(second.health.allergies, first.health.allergies);
        assert_eq!(second.health.family_history, first.health.family_history);
        assert_eq!(second.health.surgeries, first.health.surgeries);
        // The 个人基本信息表, every coded field by its national code set.
        assert_eq!(second.health.basic, first.health.basic, "patient {n}");
        assert_eq!(
            second.health.lifestyle.smoking,
            first.health.lifestyle.smoking
        );
        let m = |e: &PatientExport| {
            let m = &e.health.measurements;
            (
                m.height_cm,
                m.weight_kg,
                m.waist_cm,
                m.measured_on,
                m.race.clone(),
            )
        };
        assert_eq!(m(&second), m(first), "patient {n}");
        // Permission to contact and the separate PIPL consents (their notice version
        // and guardian too) come back whole.
        assert_eq!(second.consent, first.consent, "patient {n}");
        assert_eq!(second.questionnaires, first.questionnaires, "patient {n}");
        assert_eq!(second.plans.last(), first.plans.last(), "patient {n}");
        assert_eq!(
            second.observations.len(),
            first.observations.len(),
            "patient {n}"
        );
    }
    found
}

#[test]
fn demo_patients_come_back_the_same_from_an_empty_clinic() {
    let Found {
        kinds,
        calls,
        smoked,
        differences,
    } = round_trips(&demo_bundles(30));
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    let bundles = demo_bundles(30);
    assert!(
        bundles
            .iter()
            .any(|(export, _)| !export.health.basic.coded.is_empty()),
        "a demo patient has the basic-information form filled"
    );
    // The demo's patients hold every kind the round trip is about.
    for kind in [
        "Patient",
        "Condition",
        "MedicationStatement",
        "AllergyIntolerance",
        "FamilyMemberHistory",
        "Procedure",
        "Observation",
        "QuestionnaireResponse",
        "CarePlan",
        "Goal",
        "Consent",
        "Encounter",
    ] {
        assert!(kinds.contains_key(kind), "no {kind}: {kinds:?}");
    }
    assert!(calls > 0 && smoked > 0, "{calls} calls, {smoked} smoking");
}

/// A patient built through the service with the statuses the demo does not write:
/// refuted, entered-in-error and resolved diagnoses with onsets, a stopped medicine,
/// results withdrawn and unverified, a verbal consent withdrawn later.
fn statuses_bundle() -> Vec<(Box<PatientExport>, Value)> {
    use caredesk::domain::amendment::SectionValue;
    use caredesk::domain::consent::{Channel, Decision, Method, Purpose};
    use caredesk::domain::health::*;
    use caredesk::domain::patient::{IdType, Patient, Sex};
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: Patient {
            name: "王芳".into(),
            sex: Sex::Female,
            birth_date: chrono::NaiveDate::from_ymd_opt(1949, 12, 31),
            phone: Some("13912345678".into()),
            id_type: IdType::ResidentId,
            id_number: Some("11010519491231002X".into()),
            ..Patient::default()
        },
        card_type: "gold".into(),
    }) else {
        panic!()
    };
    for (decision, method) in [
        (Decision::Granted, Method::SignedForm),
        (Decision::Refused, Method::Verbal),
    ] {
        let r = desk.call(Request::ConsentSet {
            id,
            channel: Channel::Phone,
            purpose: Purpose::Care,
            decision,
            method,
        });
        assert!(matches!(r, Response::Consent(_)), "{r:?}");
        t.clock.advance_secs(60);
    }
    let doctor = t.sign_in(Role::Doctor);
    let condition = |name: &str, code: &str, since: &str| Condition {
        name: name.into(),
        code: Some(code.into()),
        since: Some(since.into()),
        ..Condition::default()
    };
    let amend = |before: SectionValue, after: SectionValue| {
        let r = doctor.call(Request::HealthAmend {
            id,
            before,
            after,
            reason: "asked at the check-up".into(),
        });
        assert!(matches!(r, Response::Done | Response::Health(_)), "{r:?}");
    };
    amend(
        SectionValue::PastIllnesses(Vec::new()),
        SectionValue::PastIllnesses(vec![
            Condition {
                verification: Some(Verification::Refuted),
                ..condition("Diabetes", "E11.9", "2019")
            },
            Condition {
                clinical_status: Some(ClinicalStatus::Resolved),
                ..condition("Gout", "M10.9", "2012-05-20")
            },
            Condition {
                verification: Some(Verification::EnteredInError),
                ..condition("Asthma", "J45.9", "2001")
            },
            condition("Hypertension", "I10", "2015-03-08"),
        ]),
    );
    amend(
        SectionValue::Medications(Vec::new()),
        SectionValue::Medications(vec![Medication {
            name: "Amlodipine".into(),
            dose: Some("5 mg".into()),
            frequency: Some("once daily".into()),
            status: Some(MedicationStatus::Stopped),
            started: Some("2012-05".into()),
            ended: Some("2015".into()),
            ..Medication::default()
        }]),
    );
    amend(
        SectionValue::Lifestyle(Lifestyle::default()),
        SectionValue::Lifestyle(Lifestyle {
            smoking: Some(Smoking::Unknown),
            ..Lifestyle::default()
        }),
    );
    amend(
        SectionValue::Measurements(Measurements::default()),
        SectionValue::Measurements(Measurements {
            height_cm: Some(Tenths(1605)),
            weight_kg: Some(Tenths(615)),
            measured_on: Some(t.today()),
            race: vec![Race::BlackOrAfricanAmerican],
            ..Measurements::default()
        }),
    );
    let lab = caredesk::ingest::hl7::parse(
        &format!(
            "MSH|^~\\&|LAB|X|CD|Y|20260301083000||ORU^R01|M1|P|2.5\r\
PID|||{}||WANG^FANG\r\
OBR|1|||24331-1^Lipids^LN|||20260301080000\r\
OBX|1|NM|2093-3^Cholesterol^LN||5.80|mmol/L|3.0-5.2|H|||D\r\
OBX|2|NM|2093-3^Cholesterol^LN||4.30|mmol/L|3.0-5.2|N|||F\r\
OBX|3|NM|2085-9^HDL^LN||1.1|mmol/L|||||R\r",
            card.number
        ),
        "lab.hl7",
    );
    let r = doctor.call(Request::ResultsImport {
        incoming: lab.incoming,
        rejected: 0,
        create_patients: false,
    });
    assert!(matches!(r, Response::ResultsImported(_)), "{r:?}");
    let r = doctor.call(Request::QuestionnaireSubmit {
        id,
        key: "gad7".into(),
        answers: vec![1, 1, 0, 0, 2, 0, 1],
    });
    assert!(matches!(r, Response::QuestionnaireScored(_)), "{r:?}");
    let Response::PatientExport(export) = doctor.call(Request::PatientExport { key: card.number })
    else {
        panic!()
    };
    let bundle = to_fhir(&export);
    vec![(export, bundle)]
}

#[test]
fn statuses_and_withdrawn_decisions_come_back_as_they_were() {
    let exported = statuses_bundle();
    let first = &exported[0].0;
    assert_eq!(first.health.past_illnesses.len(), 4);
    assert_eq!(
        first.observations.len(),
        5,
        "three results, the GAD-7 total and band"
    );
    let Found {
        kinds,
        smoked,
        differences,
        ..
    } = round_trips(&exported);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert_eq!(smoked, 1);
    for kind in [
        "Condition",
        "MedicationStatement",
        "Consent",
        "QuestionnaireResponse",
    ] {
        assert!(kinds.contains_key(kind), "no {kind}: {kinds:?}");
    }
    assert_eq!(kinds["Consent"], 2);
}
