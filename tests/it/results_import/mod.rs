//! Results import against the real sample messages in tests/fixtures/shared/hl7 (written by
//! others): each parses, or is rejected with file, message, segment and field, or
//! keeps its good results with each bad one reported on its own; results
//! match patients by card, ID or external number; the rest wait on the review list;
//! importing again stores nothing new.
//!
//! Here the HL7 samples parsed; `filing`: the samples through the service (matching,
//! review, no duplicates, patients created); `fhir_and_csv`: the other formats.

mod fhir_and_csv;
mod filing;

use crate::common;
use caredesk::clinic::api::PatientCreated;

use std::path::PathBuf;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response};
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
