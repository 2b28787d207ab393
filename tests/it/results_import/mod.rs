//! Results import against the real sample messages in ../shared/data/hl7 (written by
//! others): each parses, or is rejected with file, message, segment and field, or
//! keeps its good results with each bad one reported on its own; results
//! match patients by card, ID or external number; the rest wait on the review list;
//! importing again stores nothing new.

use crate::common;
use caredesk::clinic::api::PatientCreated;

use std::path::PathBuf;

use crate::common::clinic::{TestClinic, audit_rows};
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::observation::ObsValue;
use caredesk::domain::patient::{IdType, PatientId};
use caredesk::ingest::{Parsed, hl7};

fn samples() -> Vec<PathBuf> {
    let dir = common::sample_data().join("hl7");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the sample data {} must be there: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "hl7"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 23, "the 23 sample files of SOURCES.md");
    files
}

fn parse_all() -> Parsed {
    caredesk::cli::results_cmd::parse_files(caredesk::cli::results_cmd::Format::Hl7, &samples())
        .unwrap()
}

fn file_results(parsed: &Parsed, file: &str) -> Vec<caredesk::domain::observation::Observation> {
    parsed
        .incoming
        .iter()
        .filter(|m| m.origin.starts_with(file))
        .flat_map(|m| m.observations.clone())
        .collect()
}

#[test]
fn every_sample_parses_or_is_rejected_with_its_place_and_the_values_match_the_files() {
    let parsed = parse_all();
    assert_eq!(parsed.incoming.len(), 22);
    // Refused whole: only the message without any result.
    let rejected: Vec<String> = parsed.rejected.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        rejected,
        [
            "nodehl7c__valid__athena-health__oru-example.hl7 message 1, OBX: the message has no results (no OBX segment)"
        ]
    );
    // A bad result is reported alone; its message's other results are kept.
    let unread: Vec<String> = parsed
        .incoming
        .iter()
        .flat_map(|m| m.unread.iter().map(|r| r.to_string()))
        .collect();
    assert_eq!(
        unread,
        [
            "nodehl7c__valid__nist__ORU_R01_2.5.1_SampleTestCase6.hl7 message 1 (NIST-100929111015653), OBX 2, OBX-3: 20995-1 is not a valid LOINC code (check digit)",
            "nodehl7c__valid__realm__realm-cj-badloinc.hl7 message 1 (1234567890), OBX 1, OBX-3: xx625-4 is not a valid LOINC code (check digit)",
        ]
    );
    assert_eq!(
        file_results(
            &parsed,
            "nodehl7c__valid__nist__ORU_R01_2.5.1_SampleTestCase6.hl7"
        )
        .len(),
        2
    );
    let total: usize = parsed.incoming.iter().map(|m| m.observations.len()).sum();
    assert_eq!(total, 70);
    // Two pending results without values, three attached documents or pointers, the
    // hepatitis C result whose fields are shifted (its value is empty).
    assert_eq!(parsed.skipped, 6);

    // The classic glucose: SN "^182", mg/dl, 70_105, H.
    let glucose = file_results(&parsed, "msfhirconv__ORU-R01-RMGEAD.hl7");
    assert_eq!(glucose.len(), 1);
    let g = &glucose[0];
    assert_eq!(
        (g.code.as_str(), g.value.text().as_str()),
        ("1554-5", "182")
    );
    assert_eq!(g.unit.as_deref(), Some("mg/dl"));
    assert_eq!(g.range.text.as_deref(), Some("70_105"));
    assert_eq!(g.flags, ["H"]);
    assert!(g.abnormal());

    // The LRI CBC: 28 results, NM, CWE and TX, flags N/L/HH/A, UCUM units.
    let cbc = file_results(&parsed, "msfhirconv__LRI_2.0-NG_CBC_Typ_Message.hl7");
    assert_eq!(cbc.len(), 28);
    let hb = cbc.iter().find(|o| o.code == "718-7").unwrap();
    assert_eq!(hb.value.text(), "12.5");
    assert_eq!(hb.flags, ["L"]);
    assert_eq!(hb.range.low.map(|d| d.to_string()).as_deref(), Some("13"));
    let wbc = cbc.iter().find(|o| o.code == "26464-8").unwrap();
    assert_eq!(wbc.unit.as_deref(), Some("{cells}/uL"));
    assert_eq!(wbc.flags, ["HH"]);
    assert!(
        cbc.iter()
            .any(|o| matches!(&o.value, ObsValue::Text(t) if t.contains("spherocytes")))
    );

    // NIST case 3: the corrected (C) blood lead.
    let lead = file_results(
        &parsed,
        "nodehl7c__valid__nist__ORU_R01_2.5.1_SampleTestCase3.hl7",
    );
    assert_eq!(lead[0].status.as_deref(), Some("C"));
    assert_eq!(lead[0].value.text(), "25");

    // A repeated NM value (27~25) gives two results; a coded CWE value keeps its code.
    let oru = file_results(&parsed, "msfhirconv__ORU-R01-01.hl7");
    assert_eq!(oru.len(), 3);
    assert!(
        oru.iter()
            .any(|o| matches!(&o.value, ObsValue::Coded { code, .. } if code == "27268008"))
    );
    // Two OBR groups in one message.
    assert_eq!(
        file_results(&parsed, "nodehl7c__valid__realm__realm-cj-joeslab.hl7").len(),
        2
    );
}

fn patient_with_id(t: &TestClinic, name: &str, id_number: &str) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient(name, "13700000099", id_number);
    p.id_type = IdType::Other;
    p.phone = None;
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn importing_the_samples_matches_reviews_and_never_duplicates() {
    let t = TestClinic::with_all_roles();
    let eve = patient_with_id(&t, "Eve Everywoman", "555-44-4444");
    let nurse = t.sign_in(Role::Nurse);
    let parsed = parse_all();
    let import =
        |incoming: Vec<caredesk::ingest::Incoming>| match nurse.call(Request::ResultsImport {
            incoming,
            rejected: 1,
            create_patients: false,
        }) {
            Response::ResultsImported(summary) => summary,
            other => panic!("{other:?}"),
        };
    let first = import(parsed.incoming.clone());
    // Eve's two messages hold three results (the same glucose twice, but at 07:30 in
    // the clinic's zone (UTC here) and at 07:30+06:00: two results). Of the 20 other
    // messages, four repeat another sample's patient and results exactly (the Cerner
    // and NIST copies): listed once. Two results could not be read.
    assert_eq!(
        (
            first.messages,
            first.imported,
            first.duplicates,
            first.unmatched,
            first.rejected,
            first.unread
        ),
        (22, 3, 4, 16, 1, 2)
    );
    let Response::Observations(eves) = nurse.call(Request::Observations {
        id: eve,
        code: None,
    }) else {
        panic!()
    };
    assert_eq!(eves.len(), 3);
    let again = import(parsed.incoming.clone());
    assert_eq!(
        (again.imported, again.unmatched, again.duplicates),
        (0, 0, 70)
    );

    // The review list: match one to a patient, create one, reject one.
    let Response::Review(items) = nurse.call(Request::ReviewList) else {
        panic!()
    };
    assert_eq!(items.len(), 16);
    // The message whose one result was unread waits with that result's place and
    // reason, for the clerk to take up with the lab.
    let bad = items
        .iter()
        .find(|i| i.origin.contains("realm-cj-badloinc"))
        .unwrap();
    assert_eq!((bad.results, bad.filed_under), (0, None));
    assert_eq!(
        bad.unread,
        ["OBX 1, OBX-3: xx625-4 is not a valid LOINC code (check digit)"]
    );
    let philip = patient_with_id(&t, "Philip Johnson", "P-PJ-1");
    let nist1 = items
        .iter()
        .find(|i| {
            i.patient_ids.contains(&"9817566735".to_string())
                && i.origin.contains("SampleTestCase1")
        })
        .unwrap();
    assert_eq!(nist1.patient.as_ref().unwrap().name, "Philip Johnson");
    assert_eq!(
        nurse.call(Request::ReviewMatch {
            number: nist1.number,
            id: philip
        }),
        Response::Done
    );
    // The lab's number is remembered: its next message for Philip matches by itself.
    let mut follow_up = parsed
        .incoming
        .iter()
        .find(|m| m.origin.contains("SampleTestCase1"))
        .unwrap()
        .clone();
    follow_up.observations[0].taken_at += 90 * 86_400;
    let next = import(vec![follow_up]);
    assert_eq!((next.imported, next.unmatched), (1, 0));
    let Response::Observations(philips) = nurse.call(Request::Observations {
        id: philip,
        code: None,
    }) else {
        panic!()
    };
    assert_eq!(philips.len(), 2);

    let cbc = items.iter().find(|i| i.origin.contains("LRI_2.0")).unwrap();
    let Response::PatientCreated(PatientCreated { id: william }) =
        nurse.call(Request::ReviewCreate { number: cbc.number })
    else {
        panic!()
    };
    let Response::Observations(cbc_results) = nurse.call(Request::Observations {
        id: william,
        code: Some("718-7".into()),
    }) else {
        panic!()
    };
    assert_eq!(cbc_results.len(), 1);

    assert!(matches!(
        nurse.call(Request::ReviewReject {
            number: bad.number,
            reason: "no".into()
        }),
        Response::Error(ServiceError::Field { .. })
    ));
    assert_eq!(
        nurse.call(Request::ReviewReject {
            number: bad.number,
            reason: "asked the lab to resend with a valid code".into()
        }),
        Response::Done
    );

    // A message with good results and an unread one: matching files the good ones and
    // leaves the unread one listed, under that patient, until it is closed.
    let case6 = items
        .iter()
        .find(|i| i.origin.contains("SampleTestCase6"))
        .unwrap();
    assert_eq!((case6.results, case6.unread.len()), (2, 1));
    let jones = patient_with_id(&t, "Case Six", "P-CS-6");
    assert_eq!(
        nurse.call(Request::ReviewMatch {
            number: case6.number,
            id: jones
        }),
        Response::Done
    );
    let Response::Review(left) = nurse.call(Request::ReviewList) else {
        panic!()
    };
    let kept = left.iter().find(|i| i.number == case6.number).unwrap();
    assert_eq!((kept.results, kept.filed_under), (0, Some(jones)));
    assert_eq!(kept.unread, case6.unread);
    assert!(matches!(
        nurse.call(Request::ReviewMatch {
            number: case6.number,
            id: jones
        }),
        Response::Error(ServiceError::Invalid(_))
    ));
    assert_eq!(
        nurse.call(Request::ReviewReject {
            number: case6.number,
            reason: "lab resent the corrected result".into()
        }),
        Response::Done
    );
    let Response::Review(left) = nurse.call(Request::ReviewList) else {
        panic!()
    };
    assert_eq!(left.len(), 12);

    // The audit: counts, never values or names.
    let auditor = t.sign_in(Role::Auditor);
    let rows = audit_rows(&auditor);
    let imports: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "results.import")
        .collect();
    assert_eq!(
        imports[0].detail,
        "messages=22 imported=3 duplicates=4 unmatched=16 rejected=1 unread=2 created=0 record_changes=0"
    );
    let log = serde_json::to_string(&rows).unwrap();
    for secret in ["EVERYWOMAN", "Johnson", "mg/dl", "GLUCOSE", "spherocytes"] {
        assert!(!log.contains(secret), "{secret} in the audit log");
    }
    // The front desk may not import results or read them.
    let desk = t.sign_in(Role::FrontDesk);
    assert!(matches!(
        desk.call(Request::Observations {
            id: eve,
            code: None
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn create_patients_files_new_patients_once() {
    let t = TestClinic::with_all_roles();
    let doctor = t.sign_in(Role::Doctor);
    let parsed = parse_all();
    let Response::ResultsImported(summary) = doctor.call(Request::ResultsImport {
        incoming: parsed.incoming,
        rejected: 0,
        create_patients: true,
    }) else {
        panic!()
    };
    // Messages whose PID-3 names the same person (Eve twice; the NIST MPI number in
    // several) create that patient once.
    assert!(summary.created >= 10 && summary.created < 21, "{summary:?}");
    // What could not be created (a message without a patient name) waits for review.
    let Response::Review(left) = doctor.call(Request::ReviewList) else {
        panic!()
    };
    let (filed, waiting): (Vec<_>, Vec<_>) = left.iter().partition(|i| i.filed_under.is_some());
    assert_eq!(waiting.len() as u64, summary.unmatched);
    assert!(
        waiting
            .iter()
            .all(|i| i.patient.as_ref().is_none_or(|p| p.name.is_empty())),
        "{left:?}"
    );
    // The two messages with an unread result: their good results filed under the
    // patient created, the unread ones listed for the clerk.
    assert_eq!(filed.len(), 2, "{filed:?}");
    assert!(filed.iter().all(|i| i.results == 0 && i.unread.len() == 1));
}

#[test]
fn the_parser_never_panics_on_mangled_samples() {
    // Every sample cut at every 7th byte, and with bytes flipped: parsed or rejected.
    for path in samples() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for cut in (0..text.len()).step_by(7) {
            if text.is_char_boundary(cut) {
                let _ = hl7::parse(&text[..cut], "cut");
            }
        }
        let flipped: String = text
            .chars()
            .map(|c| match c {
                '|' => '^',
                '^' => '|',
                '~' => '\\',
                other => other,
            })
            .collect();
        let _ = hl7::parse(&flipped, "flipped");
    }
}

fn fhir_sample(path: &str) -> String {
    let full = common::sample_data().join("fhir").join(path);
    String::from_utf8(std::fs::read(full).unwrap()).unwrap()
}

#[test]
fn fhir_samples_give_the_same_results_as_the_hl7_messages_they_were_made_from() {
    let hl7 = parse_all();
    for (fhir, message) in [
        (
            "ms_fhir_converter/LAB-ORU-1-expected.json",
            "msfhirconv__LAB-ORU-1.hl7",
        ),
        (
            "ms_fhir_converter/LAB-ORU-2-expected.json",
            "msfhirconv__LAB-ORU-2.hl7",
        ),
        (
            "ms_fhir_converter/LRI_2.0-NG_CBC_Typ_Message-expected.json",
            "msfhirconv__LRI_2.0-NG_CBC_Typ_Message.hl7",
        ),
        (
            "ms_fhir_converter/ORU-R01-RMGEAD-expected.json",
            "msfhirconv__ORU-R01-RMGEAD.hl7",
        ),
    ] {
        let parsed = caredesk::ingest::fhir::parse(&fhir_sample(fhir), fhir);
        assert!(parsed.rejected.is_empty(), "{fhir}: {:?}", parsed.rejected);
        assert_eq!(parsed.incoming.len(), 1, "{fhir}");
        let key = |o: &caredesk::domain::observation::Observation| (o.code.clone(), o.value.text());
        let mut from_fhir: Vec<_> = parsed.incoming[0].observations.iter().map(key).collect();
        let mut from_hl7: Vec<_> = file_results(&hl7, message).iter().map(key).collect();
        from_fhir.sort();
        from_hl7.sort();
        assert_eq!(from_fhir, from_hl7, "{fhir} against {message}");
    }
    // The batch-response bundle with a BOM: one patient, one glucose in mmol/L.
    let parsed = caredesk::ingest::fhir::parse(
        &fhir_sample("ms_fhir_converter/ObservationBundle.json"),
        "ObservationBundle.json",
    );
    let m = &parsed.incoming[0];
    assert_eq!(m.patient_ids, ["12345"]);
    assert_eq!(m.observations[0].code, "15074-8");
    assert_eq!(m.observations[0].value.text(), "6.3");
    assert_eq!(m.observations[0].unit.as_deref(), Some("mmol/L"));
}

#[test]
fn a_blood_pressure_panel_gives_its_components() {
    // The spec's example names a Patient outside the file: alone it is refused with the
    // reason; in a bundle with that patient its components are read.
    let example = fhir_sample("spec_examples/observation-example-bloodpressure.stu3.json");
    let alone = caredesk::ingest::fhir::parse(&example, "bp.json");
    assert!(
        alone.rejected[0]
            .reason
            .contains("not a Patient in this file")
    );
    let bundle = format!(
        r#"{{"resourceType": "Bundle", "type": "collection", "entry": [
            {{"resource": {{"resourceType": "Patient", "id": "example", "identifier": [{{"value": "MRN-1"}}]}}}},
            {{"resource": {example}}}]}}"#
    );
    let parsed = caredesk::ingest::fhir::parse(&bundle, "bp-bundle.json");
    let results = &parsed.incoming[0].observations;
    let read: Vec<(String, String, Option<String>)> = results
        .iter()
        .map(|o| (o.code.clone(), o.value.text(), o.unit.clone()))
        .collect();
    assert_eq!(
        read,
        [
            (
                "8480-6".to_string(),
                "107".to_string(),
                Some("mm[Hg]".to_string())
            ),
            (
                "8462-4".to_string(),
                "60".to_string(),
                Some("mm[Hg]".to_string())
            ),
        ]
    );
    assert!(
        results
            .iter()
            .all(|o| o.taken_at == caredesk::ingest::fhir::parse_time("2012-09-17").unwrap())
    );
}

#[test]
fn reported_diagnoses_medicines_and_smoking_amend_the_record_once() {
    let t = TestClinic::with_all_roles();
    let id = patient_with_id(&t, "Zhang Wei", "MRN-7");
    let doctor = t.sign_in(Role::Doctor);
    let bundle = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"value": "MRN-7"}]}},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:p"},
          "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11.9", "display": "Type 2 diabetes"}]},
          "onsetDateTime": "2018-04-01"}},
        {"resource": {"resourceType": "MedicationRequest", "subject": {"reference": "urn:uuid:p"},
          "medicationCodeableConcept": {"text": "Metformin 500 mg"}, "dosageInstruction": [{"text": "twice daily"}]}},
        {"resource": {"resourceType": "Observation", "subject": {"reference": "urn:uuid:p"},
          "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]}, "effectiveDateTime": "2026-01-05",
          "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "77176002", "display": "Smoker"}]}}}
    ]}"#;
    let parsed = caredesk::ingest::fhir::parse(bundle, "ehr.json");
    for round in 0..2 {
        let Response::ResultsImported(summary) = doctor.call(Request::ResultsImport {
            incoming: parsed.incoming.clone(),
            rejected: 0,
            create_patients: false,
        }) else {
            panic!()
        };
        assert_eq!(
            summary.record_changes,
            if round == 0 { 3 } else { 0 },
            "{summary:?}"
        );
    }
    let Response::Health(record) = doctor.call(Request::HealthGet { id }) else {
        panic!()
    };
    assert_eq!(record.past_illnesses[0].code.as_deref(), Some("E11.9"));
    assert_eq!(
        record.past_illnesses[0].since.as_deref(),
        Some("2018-04-01")
    );
    assert_eq!(record.medications[0].name, "Metformin 500 mg");
    assert_eq!(
        record.lifestyle.smoking,
        Some(caredesk::domain::health::Smoking::Current)
    );
    let Response::History(history) = doctor.call(Request::RecordHistory { id, section: None })
    else {
        panic!()
    };
    assert_eq!(history.len(), 3);
    assert!(
        history
            .iter()
            .all(|a| a.reason.starts_with("imported from ehr.json"))
    );
}

#[test]
fn the_synthea_csv_export_imports_with_the_shipped_mapping() {
    let observations = common::sample_data().join("csv/synthea_dbt/observations.csv");
    let parsed =
        caredesk::cli::results_cmd::parse_csv_files("synthea", std::slice::from_ref(&observations))
            .unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.incoming.len(), 27);
    let total: usize = parsed.incoming.iter().map(|m| m.observations.len()).sum();
    assert_eq!(total, 990);
    let numeric = parsed
        .incoming
        .iter()
        .flat_map(|m| &m.observations)
        .filter(|o| matches!(o.value, ObsValue::Quantity { .. }))
        .count();
    assert_eq!(numeric, 599);
    // The first row of the file: Body Height 127.9 cm.
    let first = parsed
        .incoming
        .iter()
        .find(|m| m.patient_ids[0] == "3edac2e3-d223-6fae-d515-daf96ef6bc76")
        .unwrap();
    let height = first
        .observations
        .iter()
        .find(|o| o.code == "8302-2")
        .unwrap();
    assert_eq!(
        (height.value.text(), height.unit.as_deref()),
        ("127.9".to_string(), Some("cm"))
    );
    assert_eq!(
        first.patient.as_ref().unwrap().name,
        "Maynard46 Mosciski958"
    );
    assert!(first.patient_ids.contains(&"999-17-5017".to_string()));
    let disorders: usize = parsed.incoming.iter().map(|m| m.conditions.len()).sum();
    assert_eq!(disorders, 19);
    let current: usize = parsed.incoming.iter().map(|m| m.medications.len()).sum();
    assert_eq!(current, 46);

    // Through the service, creating the patients: everything stored, and once only.
    let t = TestClinic::with_all_roles();
    let doctor = t.sign_in(Role::Doctor);
    let import = || match doctor.call(Request::ResultsImport {
        incoming: parsed.incoming.clone(),
        rejected: 0,
        create_patients: true,
    }) {
        Response::ResultsImported(summary) => summary,
        other => panic!("{other:?}"),
    };
    let first_run = import();
    assert_eq!(
        (first_run.created, first_run.imported, first_run.unmatched),
        (27, 990, 0)
    );
    assert!(first_run.record_changes > 0);
    let second = import();
    assert_eq!(
        (
            second.created,
            second.imported,
            second.duplicates,
            second.record_changes
        ),
        (0, 0, 990, 0)
    );
}
