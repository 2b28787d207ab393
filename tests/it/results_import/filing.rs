//! The HL7 samples through the service: results matched to patients by card, ID or
//! external number, the rest on the review list, nothing stored twice; and patients
//! created from the messages, once each.

use caredesk::clinic::api::PatientCreated;

use super::{parse_all, patient_with_id};
use crate::common::clinic::{TestClinic, audit_rows};
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};

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
        bad.unread.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
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

/// A lab's day file: `patients` people, four messages each of five results, named by
/// the lab's own record number.
fn lab_day(patients: usize) -> Vec<caredesk::ingest::Incoming> {
    let mut text = String::new();
    for n in 0..patients * 4 {
        let person = n % patients;
        let time = caredesk::ingest::hl7::format_time(1_700_000_000 + n as i64 * 600);
        text.push_str(&format!(
            "MSH|^~\\&|LAB|EXAM|CAREDESK|CLINIC|{time}||ORU^R01|DAY{n}|P|2.5.1\r\
PID|||LABMRN{person:05}^^^LAB^MR||PATIENT^NUMBER{person}||19600101|M\r\
OBR|1|ORD{n}||24331-1^Lipid panel^LN|||{time}\r\
OBX|1|NM|8480-6^Systolic^LN||{}|mm[Hg]|90-139|N|||F\r\
OBX|2|NM|8462-4^Diastolic^LN||{}|mm[Hg]|60-89|N|||F\r\
OBX|3|NM|8867-4^Heart rate^LN||{}|/min|60-100|N|||F\r\
OBX|4|NM|14771-0^Fasting glucose^LN||5.{}|mmol/L|3.9-6.1|N|||F\r\
OBX|5|NM|14647-2^Cholesterol^LN||4.{}|mmol/L|<5.2|N|||F\r\n",
            110 + n % 40,
            70 + n % 20,
            60 + n % 30,
            n % 10,
            n % 7,
        ));
    }
    let parsed = caredesk::ingest::hl7::parse(&text, "day.hl7");
    assert_eq!(parsed.incoming.len(), patients * 4);
    parsed.incoming
}

/// A large file is prepared on several threads: it files exactly what the same
/// messages a few at a time file (one at a time in the request's thread), creates each
/// patient once, keeps a message repeated in the same file once, and a second import
/// stores nothing.
#[test]
fn a_large_import_files_what_small_ones_file_and_nothing_twice() {
    let import = |t: &TestClinic, incoming: Vec<caredesk::ingest::Incoming>| match t
        .sign_in(Role::Doctor)
        .call(Request::ResultsImport {
            incoming,
            rejected: 0,
            create_patients: true,
        }) {
        Response::ResultsImported(summary) => summary,
        other => panic!("{other:?}"),
    };
    let mut day = lab_day(80);
    // Ten messages sent twice in the same file.
    day.extend(day[..10].to_vec());

    let large = TestClinic::with_all_roles();
    let first = import(&large, day.clone());
    assert_eq!(
        (
            first.created,
            first.imported,
            first.duplicates,
            first.unmatched
        ),
        (80, 1600, 50, 0),
        "{first:?}"
    );
    let again = import(&large, day.clone());
    assert_eq!(
        (again.created, again.imported, again.duplicates),
        (0, 0, 1650),
        "{again:?}"
    );

    let small = TestClinic::with_all_roles();
    let (mut created, mut imported, mut duplicates) = (0, 0, 0);
    for part in day.chunks(8) {
        let summary = import(&small, part.to_vec());
        created += summary.created;
        imported += summary.imported;
        duplicates += summary.duplicates;
    }
    assert_eq!(
        (created, imported, duplicates),
        (first.created, first.imported, first.duplicates)
    );
}
