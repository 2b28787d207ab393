//! FHIR import against files nobody on the team wrote (tests/fixtures/fhir, see
//! tests/fixtures/SOURCES.md): Synthea patient bundles and the US Core examples, plus
//! one small bundle written for caredesk (a mainland resident-ID patient, a refuted
//! diagnosis, a stopped medicine), since no public one was found. Codes, statuses,
//! onsets, periods and the counts of what is not kept are checked against the files;
//! importing into the clinic files each entry once, and again changes nothing.

use crate::common;
use caredesk::clinic::api::{PatientCreated, Registered, SearchResults};

use std::path::PathBuf;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::api::LookupKind;
use caredesk::clinic::{Request, Response};
use caredesk::domain::health::{
    ClinicalStatus, HealthRecord, MedicationStatus, Race, Severity, Smoking, Verification,
};
use caredesk::domain::patient::{IdType, PatientId};
use caredesk::domain::record_codes::{ATC, RXNORM, SNOMED};
use caredesk::ingest::fhir::{self, ALLERGY_WITHDRAWN};
use caredesk::ingest::{IdKind, Incoming, Parsed};

fn fixture(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fhir")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

pub(crate) fn parse(path: &str) -> Parsed {
    let parsed = fhir::parse(&fixture(path), path);
    assert!(parsed.rejected.is_empty(), "{path}: {:?}", parsed.rejected);
    parsed
}

/// (code, system, since, clinical status, verification) of each condition.
type ConditionRow<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<ClinicalStatus>,
    Option<Verification>,
);

fn conditions(m: &Incoming) -> Vec<ConditionRow<'_>> {
    m.conditions
        .iter()
        .map(|c| {
            (
                c.code.as_deref().unwrap_or_default(),
                c.system.as_deref(),
                c.since.as_deref(),
                c.clinical_status,
                c.verification,
            )
        })
        .collect()
}

pub(crate) fn import(
    t: &TestClinic,
    incoming: &[Incoming],
    create: bool,
) -> caredesk::clinic::api::ResultsSummary {
    let doctor = t.sign_in(Role::Doctor);
    match doctor.call(Request::ResultsImport {
        incoming: incoming.to_vec(),
        rejected: 0,
        create_patients: create,
    }) {
        Response::ResultsImported(summary) => summary,
        other => panic!("{other:?}"),
    }
}

fn record(t: &TestClinic, id: PatientId) -> HealthRecord {
    match t.sign_in(Role::Doctor).call(Request::HealthGet { id }) {
        Response::Health(record) => record,
        other => panic!("{other:?}"),
    }
}

fn find(t: &TestClinic, kind: LookupKind, value: &str) -> Vec<PatientId> {
    match t.sign_in(Role::FrontDesk).call(Request::PatientFind {
        kind,
        value: value.into(),
    }) {
        Response::Patients(found) => found,
        other => panic!("{other:?}"),
    }
}

const ACTIVE: Option<ClinicalStatus> = Some(ClinicalStatus::Active);
const RESOLVED: Option<ClinicalStatus> = Some(ClinicalStatus::Resolved);
const CONFIRMED: Option<Verification> = Some(Verification::Confirmed);

#[test]
fn a_synthea_bundle_keeps_each_episode_stopped_medicines_and_counts_what_it_leaves() {
    let parsed = parse("synthea/Carroll471_OHara248.json");
    assert_eq!(parsed.incoming.len(), 1);
    let m = &parsed.incoming[0];
    let s = Some(SNOMED);
    assert_eq!(
        conditions(m),
        [
            ("162864005", s, Some("1991-09-01"), ACTIVE, CONFIRMED),
            ("284551006", s, Some("2015-12-16"), RESOLVED, CONFIRMED),
            ("444814009", s, Some("2016-10-12"), RESOLVED, CONFIRMED),
            ("444814009", s, Some("2018-02-16"), RESOLVED, CONFIRMED),
            ("283371005", s, Some("2019-08-11"), RESOLVED, CONFIRMED),
        ]
    );
    assert_eq!(m.conditions[2].name, "Viral sinusitis (disorder)");
    let medicines: Vec<_> = m
        .medications
        .iter()
        .map(|d| {
            (
                d.code.as_deref(),
                d.system.as_deref(),
                d.status,
                d.started.as_deref(),
                d.ended.as_deref(),
            )
        })
        .collect();
    let stopped = Some(MedicationStatus::Stopped);
    assert_eq!(
        medicines,
        [
            (
                Some("313782"),
                Some(RXNORM),
                stopped,
                Some("2015-12-16"),
                None
            ),
            (
                Some("849574"),
                Some(RXNORM),
                stopped,
                Some("2019-08-11"),
                None
            ),
        ]
    );
    assert_eq!(m.medications[0].name, "Acetaminophen 325 MG Oral Tablet");
    assert_eq!(m.reported.race, [Race::White]);
    // 79 Observations with a value, 9 blood-pressure panels with two components each.
    assert_eq!(m.observations.len(), 79 + 9 * 2);
    let expected: Vec<(&str, u64)> = vec![
        ("CarePlan", 2),
        ("CareTeam", 2),
        ("Claim", 16),
        ("DiagnosticReport", 5),
        ("Encounter", 14),
        ("ExplanationOfBenefit", 14),
        ("Immunization", 11),
        ("Organization", 2),
        ("Practitioner", 2),
        ("Procedure", 7),
    ];
    let counted: Vec<(&str, u64)> = parsed
        .not_kept
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    assert_eq!(counted, expected);
    let summary = fhir::not_kept_summary(&parsed.not_kept).unwrap_or_default();
    assert!(
        summary.starts_with(
            "11 Immunization (vaccinations are not part of caredesk's record), \
             7 Procedure (procedures are not part of caredesk's record: type operations into Surgeries), \
             16 Claim (billing and insurance are not kept)"
        ),
        "{summary}"
    );
}

#[test]
fn synthea_patients_import_once_with_statuses_that_decide_what_counts_now() {
    let t = TestClinic::with_all_roles();
    let today = t.today();
    let mut incoming = parse("synthea/Carroll471_OHara248.json").incoming;
    incoming.extend(parse("synthea/Frankie174_Jast432.json").incoming);
    let first = import(&t, &incoming, true);
    assert_eq!((first.created, first.unmatched), (2, 0), "{first:?}");
    let again = import(&t, &incoming, true);
    assert_eq!(
        (again.created, again.imported, again.record_changes),
        (0, 0, 0),
        "{again:?}"
    );
    assert_eq!(again.duplicates, first.imported);

    // The sender's record number (Synthea's id) is remembered: a third import by it
    // alone matches the same patient.
    let alone = fhir::parse(
        r#"{"resourceType": "Bundle", "type": "collection", "entry": [
          {"fullUrl": "urn:uuid:x", "resource": {"resourceType": "Patient",
            "identifier": [{"system": "https://github.com/synthetichealth/synthea", "value": "274f5452-2a39-44c4-a7cb-f36de467762e"}]}},
          {"resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:x"},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "444814009", "display": "Viral sinusitis (disorder)"}]},
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "onsetDateTime": "2024-01-05T10:00:00+00:00"}}]}"#,
        "later.json",
    );
    let later = import(&t, &alone.incoming, false);
    assert_eq!((later.unmatched, later.record_changes), (0, 1), "{later:?}");

    // Each patient's record: Carroll's two sinusitis episodes and the third one now;
    // Frankie's combination pill renewed yearly, only the last still taken.
    let doctor = t.sign_in(Role::Doctor);
    let Response::Review(left) = doctor.call(Request::ReviewList) else {
        panic!()
    };
    assert!(left.is_empty());
    let ids = patients_by_name(&t, &["Carroll471", "Frankie174"]);
    let carroll = record(&t, ids[0]);
    let sinusitis: Vec<_> = carroll
        .past_illnesses
        .iter()
        .filter(|c| c.code.as_deref() == Some("444814009"))
        .map(|c| (c.since.as_deref(), c.current()))
        .collect();
    assert_eq!(
        sinusitis,
        [
            (Some("2016-10-12"), false),
            (Some("2018-02-16"), false),
            (Some("2024-01-05"), true)
        ]
    );
    assert_eq!(carroll.past_illnesses.len(), 6);
    assert_eq!(carroll.medications.len(), 2);
    assert!(carroll.medications.iter().all(|m| !m.current(today)));
    assert_eq!(carroll.lifestyle.smoking, Some(Smoking::Never));
    assert_eq!(carroll.measurements.race, [Race::White]);

    let frankie = record(&t, ids[1]);
    let hypertension = &frankie.past_illnesses[0];
    assert_eq!(
        (hypertension.code.as_deref(), hypertension.since.as_deref()),
        (Some("59621000"), Some("1993-10-05"))
    );
    assert!(hypertension.current());
    let pills: Vec<_> = frankie
        .medications
        .iter()
        .filter(|m| m.code.as_deref() == Some("999967"))
        .collect();
    assert_eq!(pills.len(), 28, "one entry per renewal date");
    let current: Vec<_> = pills.iter().filter(|m| m.current(today)).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].started.as_deref(), Some("2020-03-03"));
    assert_eq!(current[0].status, Some(MedicationStatus::Active));
}

/// The patients whose name starts with each prefix, in that order.
pub(crate) fn patients_by_name(t: &TestClinic, prefixes: &[&str]) -> Vec<PatientId> {
    let desk = t.sign_in(Role::Doctor);
    prefixes
        .iter()
        .map(|prefix| {
            match desk.call(Request::PatientSearch {
                query: (*prefix).into(),
                limit: 5,
            }) {
                Response::SearchResults(SearchResults { rows, .. }) => {
                    assert_eq!(rows.len(), 1, "{prefix}");
                    rows[0].id
                }
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

/// The US Core examples are single resources about "Patient/example": the test puts
/// them, unchanged, in one collection Bundle as a sender would.
fn us_core_bundle() -> String {
    let files = [
        "patient-example.json",
        "condition-duodenal-ulcer-resolved.json",
        "condition-encounter-diagnosis-example1.json",
        "allergyintolerance-example.json",
        "familymemberhistory-example.json",
        "medicationrequest-coded-oral-axid.json",
        "some-day-smoker.json",
        "procedure-rehab.json",
    ];
    let entries: Vec<String> = files
        .iter()
        .map(|f| format!("{{\"resource\": {}}}", fixture(&format!("us_core/{f}"))))
        .collect();
    format!(
        "{{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [{}]}}",
        entries.join(",")
    )
}

#[test]
fn the_us_core_examples_read_by_code_and_status() {
    let parsed = fhir::parse(&us_core_bundle(), "us-core.json");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.incoming.len(), 1);
    let m = &parsed.incoming[0];
    let patient = m.patient.as_ref().unwrap();
    assert_eq!(
        patient.name, "Amy V. Baxter",
        "the name in use, not the old one"
    );
    assert_eq!(m.patient_ids, ["1032702"]);
    assert_eq!(patient.id_number, None);
    assert_eq!(
        m.reported.race,
        [Race::White, Race::AmericanIndianOrAlaskaNative, Race::Asian]
    );
    let s = Some(SNOMED);
    assert_eq!(
        conditions(m),
        [
            ("51868009", s, Some("2016-08-10"), RESOLVED, CONFIRMED),
            // SNOMED CT before ICD-10-CM; no onset: the recorded date.
            ("39065001", s, Some("2015-11-01"), None, None),
        ]
    );
    assert_eq!(m.conditions[1].name, "Burnt Ear");
    let allergy = &m.reported.allergies[0];
    assert_eq!(allergy.substance, "sulfonamide antibacterial");
    assert_eq!(
        (allergy.code.as_deref(), allergy.system.as_deref()),
        (Some("763875007"), s)
    );
    assert_eq!(allergy.reaction.as_deref(), Some("skin rash"));
    assert_eq!(allergy.severity, Some(Severity::Mild));
    let family = &m.reported.family_history;
    assert_eq!(family.len(), 1);
    assert_eq!(
        (
            family[0].relative.as_str(),
            family[0].condition.as_str(),
            family[0].code.as_deref()
        ),
        ("father", "Chronic kidney disease (CKD)", Some("709044004"))
    );
    let axid = &m.medications[0];
    assert_eq!(
        (
            axid.name.as_str(),
            axid.code.as_deref(),
            axid.system.as_deref(),
            axid.status,
            axid.started.as_deref(),
            axid.dose.as_deref()
        ),
        (
            "Nizatidine 15 MG/ML Oral Solution",
            Some("476872"),
            Some(RXNORM),
            Some(MedicationStatus::Active),
            Some("2008-04-05"),
            Some("10 mL bid")
        )
    );
    assert_eq!(fhir::smoking(&m.observations[0]), Some(Smoking::Current));
    assert_eq!(
        parsed.not_kept.iter().collect::<Vec<_>>(),
        [(&"Procedure".to_string(), &1)]
    );

    // Into the record, once.
    let t = TestClinic::with_all_roles();
    let first = import(&t, &parsed.incoming, true);
    assert_eq!(first.created, 1);
    // Past illnesses, medicines, allergies, family history, lifestyle, measurements.
    assert_eq!(first.record_changes, 6, "{first:?}");
    assert_eq!(import(&t, &parsed.incoming, true).record_changes, 0);
    let id = patients_by_name(&t, &["Amy"])[0];
    let r = record(&t, id);
    assert_eq!(r.allergies, m.reported.allergies);
    assert_eq!(r.family_history, m.reported.family_history);
    assert_eq!(r.past_illnesses, m.conditions);
    assert_eq!(r.lifestyle.smoking, Some(Smoking::Current));
    assert_eq!(
        r.measurements.race,
        [Race::White, Race::AmericanIndianOrAlaskaNative, Race::Asian]
    );
}

#[test]
fn a_resident_id_patient_is_created_with_it_and_found_by_it() {
    let parsed = parse("caredesk/cn_resident_id_bundle.json");
    assert_eq!(parsed.incoming.len(), 2);
    let (zhang, li) = (&parsed.incoming[0], &parsed.incoming[1]);
    let p = zhang.patient.as_ref().unwrap();
    assert_eq!((p.name.as_str(), p.id_type), ("张建国", IdType::ResidentId));
    assert_eq!(p.id_number.as_deref(), Some("11010519491231002X"));
    assert_eq!(zhang.reported.identifiers[0].kind, IdKind::ResidentId);
    // No system: a valid GB 11643 number whose birth date agrees.
    assert_eq!(
        li.patient.as_ref().unwrap().id_number.as_deref(),
        Some("110105196804120017")
    );
    let refuted = &zhang.conditions[0];
    assert_eq!(refuted.name, "SNOMED 44054006");
    assert_eq!(
        (refuted.code.as_deref(), refuted.system.as_deref()),
        (Some("44054006"), Some(SNOMED))
    );
    assert_eq!(refuted.verification, Some(Verification::Refuted));
    assert!(!refuted.current());
    let htn = &zhang.conditions[1];
    assert_eq!(
        (
            htn.code.as_deref(),
            htn.system.as_deref(),
            htn.since.as_deref()
        ),
        (Some("I10.X00"), None, Some("2016-05-20"))
    );
    assert!(htn.current());
    assert_eq!(li.conditions[0].since.as_deref(), Some("2021-09-14"));
    let amlodipine = &zhang.medications[0];
    assert_eq!(
        (
            amlodipine.code.as_deref(),
            amlodipine.system.as_deref(),
            amlodipine.status,
            amlodipine.started.as_deref(),
            amlodipine.ended.as_deref()
        ),
        (
            Some("C08CA01"),
            Some(ATC),
            Some(MedicationStatus::Stopped),
            Some("2012-03-01"),
            Some("2015-06-30")
        )
    );
    assert_eq!(zhang.medications[1].name, "复方利血平氨苯蝶啶片");
    assert_eq!(zhang.medications[1].started.as_deref(), Some("2015-07"));
    assert_eq!(
        zhang
            .observations
            .iter()
            .map(fhir::smoking)
            .collect::<Vec<_>>(),
        [Some(Smoking::Unknown), None]
    );
    assert_eq!(
        zhang.observations[1].status.as_deref(),
        Some("entered-in-error"),
        "kept as sent"
    );
    assert_eq!(fhir::smoking(&li.observations[0]), Some(Smoking::Never));
    assert_eq!(parsed.not_kept.get(ALLERGY_WITHDRAWN), Some(&1));
    assert_eq!(parsed.not_kept.get("Immunization"), Some(&1));

    // Onto the review list, then created from it: with the ID number.
    let t = TestClinic::with_all_roles();
    let first = import(&t, &parsed.incoming, false);
    assert_eq!(first.unmatched, 2);
    let doctor = t.sign_in(Role::Doctor);
    let Response::Review(items) = doctor.call(Request::ReviewList) else {
        panic!()
    };
    let Response::PatientCreated(PatientCreated { id }) = doctor.call(Request::ReviewCreate {
        number: items[0].number,
    }) else {
        panic!()
    };
    assert_eq!(find(&t, LookupKind::IdNumber, "11010519491231002x"), [id]);
    let r = record(&t, id);
    assert_eq!(r.lifestyle.smoking, Some(Smoking::Unknown));
    assert_eq!(r.past_illnesses.len(), 2);
    assert!(!r.past_illnesses[0].current());
    assert_eq!(
        r.medications
            .iter()
            .filter(|m| m.current(t.today()))
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["复方利血平氨苯蝶啶片"]
    );
    let Response::Observations(results) = doctor.call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert!(
        results
            .iter()
            .any(|o| o.code == "2093-3" && o.status.as_deref() == Some("entered-in-error"))
    );

    // The rest with --create-patients; then the whole file again matches both by
    // their ID numbers and adds nothing.
    let second = import(&t, &parsed.incoming, true);
    assert_eq!((second.created, second.unmatched), (1, 0), "{second:?}");
    let li_id = find(&t, LookupKind::IdNumber, "110105196804120017");
    assert_eq!(li_id.len(), 1);
    assert_eq!(record(&t, li_id[0]).lifestyle.smoking, Some(Smoking::Never));
    let third = import(&t, &parsed.incoming, true);
    assert_eq!(
        (
            third.created,
            third.unmatched,
            third.imported,
            third.record_changes
        ),
        (0, 0, 0, 0),
        "{third:?}"
    );
}

#[test]
fn caredesk_card_and_patient_identifiers_match_by_their_systems() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient("王芳", "13700000123", "110105196804120017");
    p.id_type = IdType::ResidentId;
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: p,
        card_type: "basic".into(),
    }) else {
        panic!()
    };
    let bundle = |system: &str, value: &str| {
        format!(
            r#"{{"resourceType": "Bundle", "type": "collection", "entry": [
              {{"fullUrl": "urn:uuid:p", "resource": {{"resourceType": "Patient",
                "identifier": [{{"system": "{system}", "value": "{value}"}}]}}}},
              {{"resource": {{"resourceType": "Observation", "status": "final", "subject": {{"reference": "urn:uuid:p"}},
                "code": {{"coding": [{{"system": "http://loinc.org", "code": "29463-7"}}]}},
                "effectiveDateTime": "2026-01-0{n}T08:00:00+08:00",
                "valueQuantity": {{"value": 61.5, "unit": "kg", "code": "kg"}}}}}}]}}"#,
            n = value.len() % 9 + 1
        )
    };
    for (system, value) in [
        (fhir::CARD_SYSTEM, card.number.clone()),
        (fhir::PATIENT_SYSTEM, id.to_string()),
    ] {
        let parsed = fhir::parse(&bundle(system, &value), "ids.json");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.incoming[0].reported.identifiers.len(), 1);
        let summary = import(&t, &parsed.incoming, false);
        assert_eq!(
            (summary.imported, summary.unmatched),
            (1, 0),
            "{system}: {summary:?}"
        );
    }
    let Response::Observations(results) = t
        .sign_in(Role::Doctor)
        .call(Request::Observations { id, code: None })
    else {
        panic!()
    };
    assert_eq!(results.len(), 2);
    // caredesk's patient id of a patient this store does not have: the review list.
    let stranger = fhir::parse(
        &bundle(fhir::PATIENT_SYSTEM, &PatientId::random().to_string()),
        "other-store.json",
    );
    assert_eq!(import(&t, &stranger.incoming, false).unmatched, 1);
}
