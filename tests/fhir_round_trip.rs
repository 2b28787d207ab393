//! Round trip: each demo patient's record exported as FHIR, the Bundle imported into an
//! empty clinic (creating the patient), and exported again. The two Bundles are
//! compared resource by resource with what differs by store left out (ids, fullUrls,
//! the Bundle's own id and timestamp, caredesk's internal patient id); what caredesk
//! does not carry is listed here, as in README ("Round trip"), and checked to be absent
//! so the list stays true.

mod common;
mod fhir_checks;

use std::collections::{BTreeMap, HashMap};

use caredesk::auth::Role;
use caredesk::clinic::export::{PatientExport, to_fhir};
use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::demo;
use caredesk::domain::health::{ClinicalStatus, MedicationStatus, Verification};
use caredesk::store::{Store, Unlock, Vault};
use common::ManualClock;
use common::clinic::{START, TestClinic, quick_options};
use serde_json::{Value, json};

/// What the import does not bring back, by the key `ingest::fhir::parse` counts it
/// under, and whether the receiving clinic makes its own again (README, "Round trip",
/// lists them with why).
const NOT_CARRIED: &[(&str, &str, bool)] = &[
    ("RiskAssessment", "RiskAssessment", true),
    ("Flag", "Flag", true),
    ("Composition", "Composition", false),
    ("Encounter", caredesk::ingest::fhir::CALL_ENCOUNTER, false),
];

/// Signs in to the demo clinic as `user`.
fn demo_client(clinic: &std::sync::Arc<Clinic>, user: &str) -> Signed<InProcess> {
    let (_, _, password) = demo::USERS.iter().find(|(u, _, _)| *u == user).unwrap();
    let signed = Signed::new(InProcess::new(clinic.clone(), Origin::this_process()));
    let (code, _) = demo::current_code(user, START);
    let login = signed.call(Request::Login {
        user: user.into(),
        password: Secret::new(*password),
        code: Secret::new(code),
    });
    assert!(matches!(login, Response::SignedIn(_)), "{login:?}");
    signed
}

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
        let store = Store::open(&dir, quick_options(&clock)).unwrap();
        let (admin, _, password) = demo::USERS[0];
        let keys = store
            .unlock(Unlock::Password {
                user: admin,
                password: password.as_bytes(),
            })
            .unwrap();
        let vault = Vault::new(store, keys);
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
) -> (caredesk::clinic::response::ResultsSummary, BTreeMap<String, u64>) {
    let parsed = caredesk::ingest::fhir::parse(&bundle.to_string(), "export.json");
    assert!(
        parsed.rejected.is_empty(),
        "{:?}",
        parsed.rejected.iter().map(|r| r.to_string()).collect::<Vec<_>>()
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

#[test]
fn demo_patients_come_back_the_same_from_an_empty_clinic() {
    let exported = demo_bundles(30);
    let empty = TestClinic::with_all_roles();
    // Imported two days after the export, so a time the import makes up shows.
    empty.clock.advance_secs(2 * 86_400);
    let doctor = empty.sign_in(Role::Doctor);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    let (mut calls, mut smoked) = (0, 0);
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
        assert!(b_smoking.iter().all(|t| (before..=after).contains(t)), "patient {n}");
        smoked += a_smoking.len();
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
                let notes = not_kept.get(caredesk::ingest::fhir::CALL_NOTE).copied().unwrap_or(0);
                let advice = not_kept.get(caredesk::ingest::fhir::ADVICE).copied().unwrap_or(0);
                assert_eq!(notes + advice, list.len() as u64, "patient {n}: {not_kept:?}");
                assert!(other.is_empty(), "patient {n} {kind}");
                calls += notes as usize;
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
        assert_eq!(again_summary.record_changes, 0, "patient {n}: {again_summary:?}");
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
        assert_eq!(second.health.lifestyle.smoking, first.health.lifestyle.smoking);
        let m = |e: &PatientExport| {
            let m = &e.health.measurements;
            (m.height_cm, m.weight_kg, m.waist_cm, m.measured_on, m.race.clone())
        };
        assert_eq!(m(&second), m(first), "patient {n}");
        assert_eq!(second.consent, first.consent, "patient {n}");
        assert_eq!(second.questionnaires, first.questionnaires, "patient {n}");
        assert_eq!(second.plans.last(), first.plans.last(), "patient {n}");
        assert_eq!(second.observations.len(), first.observations.len(), "patient {n}");
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
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
