//! The other formats: FHIR samples give the results of the HL7 messages they were made
//! from, a blood-pressure panel its components, a bundle's diagnoses, medicines and
//! smoking amend the record once; Synthea's CSV export through the shipped mapping.

use crate::common;

use super::{file_results, parse_all, patient_with_id};
use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response};
use caredesk::domain::observation::ObsValue;

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
            .to_string()
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
