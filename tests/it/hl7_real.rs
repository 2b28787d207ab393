//! HL7 v2 result messages written by others (tests/fixtures/hl7, sources and licences
//! in tests/fixtures/SOURCES.md), read as a lab clerk would need them: exact values,
//! units, comparators, codes (LOINC from OBX-3 alternates, a clinic's own mapping for
//! local codes), times with and without offsets, statuses, and each unreadable result
//! reported on its own with its segment, field and reason while the rest are kept.

use crate::common;
use caredesk::clinic::api::PatientCreated;

use std::path::PathBuf;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response};
use caredesk::domain::decimal::Decimal;
use caredesk::domain::observation::{LOINC, ObsValue, Observation};
use caredesk::domain::patient::{IdType, PatientId};
use caredesk::ingest::files::{Format, parse_files};
use caredesk::ingest::{Incoming, Parsed};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hl7")
        .join(name)
}

fn read(name: &str) -> Parsed {
    parse_files(Format::Hl7, &[fixture(name)]).unwrap()
}

fn one(name: &str) -> Incoming {
    let parsed = read(name);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.incoming.len(), 1);
    parsed.incoming[0].clone()
}

fn number(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn utc(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp()
}

fn unread(m: &Incoming) -> Vec<String> {
    m.unread
        .iter()
        .map(|r| format!("{}: {}", r.place, r.reason))
        .collect()
}

#[test]
fn a_comparator_in_nm_and_an_offset_with_a_colon() {
    // HealthSamurai hl7v2.clj: OBX 1 NM "<10", OBX 2 DT, OBX 3/4 under 45541-1,
    // whose LOINC check digit fails (45541-2 would pass).
    let m = one("hs__oru_r30.hl7");
    assert_eq!(m.origin, "hs__oru_r30.hl7 message 1 (87226A1476977481)");
    assert_eq!(m.patient_ids, ["0362855"]);
    let o = &m.observations;
    assert_eq!(o.len(), 2);
    assert_eq!(
        (o[0].system.as_str(), o[0].code.as_str()),
        (LOINC, "8625-6")
    );
    assert_eq!(
        o[0].value,
        ObsValue::Quantity {
            value: number("10"),
            comparator: Some("<".into())
        }
    );
    assert_eq!(o[0].unit.as_deref(), Some("%PCV"));
    assert_eq!(o[0].flags, ["N"]);
    assert_eq!(o[0].status.as_deref(), Some("F"));
    // No OBX-14, no OBR-7: MSH-7, which has no offset: the sender's wall clock.
    assert_eq!(o[0].taken_at, utc("2010-02-22T02:45:16Z"));
    // OBX-14 "20150529130917-04:00": an instant.
    assert_eq!(o[1].taken_at, utc("2015-05-29T13:09:17-04:00"));
    assert_eq!(o[1].value, ObsValue::Text("20110529130917-04:00".into()));
    assert_eq!(m.local_times, [0]);
    assert_eq!(
        unread(&m),
        [
            "OBX 3, OBX-3: 45541-1 is not a valid LOINC code (check digit)",
            "OBX 4, OBX-3: 45541-1 is not a valid LOINC code (check digit)"
        ]
    );
}

#[test]
fn loinc_from_the_alternate_identifier_and_the_local_code_kept_in_the_name() {
    // ReportStream's Florida hospital sample: OBX-3 "SARS2^SARS-CoV-2^LAB_IN^94500-6^
    // SARS-CoV-2^LN", an ST value, PID-3 the MRN.
    let m = one("prs__flfhospital_sarscov2.hl7");
    assert_eq!(m.patient_ids, ["2000005"]);
    let o = &m.observations[0];
    assert_eq!((o.system.as_str(), o.code.as_str()), (LOINC, "94500-6"));
    assert_eq!(o.display.as_deref(), Some("SARS-CoV-2 [SARS2]"));
    assert_eq!(o.value, ObsValue::Text("NEGATIVE".into()));
    assert_eq!(o.range.text.as_deref(), Some("NEGATIVE"));
    assert_eq!(o.status.as_deref(), Some("F"));
    assert_eq!(o.taken_at, utc("2021-03-17T11:50:59Z"));
    assert_eq!(m.local_times, [0]);
}

#[test]
fn one_bad_time_loses_only_its_own_result() {
    // California newborn screening: OBX-14 of the cortisol is "220241021055726" (15
    // digits); the other results, with "<85"-style ranges and a local-only code
    // (OBX-3 "^^^99717-6^…^L"), are kept.
    let m = one("prs__cdph_nbs_cah.hl7");
    assert_eq!(m.patient_ids, ["123456"]);
    let o = &m.observations;
    assert_eq!(o.len(), 16);
    assert_eq!(o[0].code, "38473-5");
    assert_eq!(o[0].value.number(), Some(number("65.88")));
    assert_eq!(o[0].unit.as_deref(), Some("nmol/L"));
    assert_eq!(
        (o[0].range.low, o[0].range.high),
        (None, Some(number("85")))
    );
    assert_eq!(o[0].taken_at, utc("2024-10-21T05:57:26Z"));
    assert_eq!(
        (o[1].system.as_str(), o[1].code.as_str()),
        ("urn:hl7v2:L", "99717-6")
    );
    assert_eq!(
        o[1].display.as_deref(),
        Some("17-Hydroxyprogesterone (CAH II)")
    );
    assert_eq!(o[1].value.number(), Some(number("39")));
    assert_eq!(o[1].flags, ["H"]);
    assert!(o[1].abnormal());
    assert_eq!(o[3].unit.as_deref(), Some("{Ratio}"));
    assert_eq!(
        o[6].value,
        ObsValue::Coded {
            system: Some(LOINC.into()),
            code: "LA18592-8".into(),
            display: Some("In range".into())
        }
    );
    assert_eq!(o[7].value, ObsValue::Text("Negative".into()));
    assert!(o.iter().all(|r| r.code != "53345-5"));
    assert_eq!(
        unread(&m),
        [
            "OBX 4, OBX-14: 53345-5 Cortisol: not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])",
            "OBX 13, OBX-14: 53345-5 Cortisol: not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])"
        ]
    );
    assert_eq!(m.local_times.len(), 16);
}

#[test]
fn an_unreadable_order_time_refuses_the_results_dated_by_it() {
    // A de-identified ELR message: OBR-7 is the placeholder "DATE!" and no OBX has
    // OBX-14, so none can be dated (MSH-7 is when the message was sent, not when the
    // specimen was taken).
    let m = one("prs__oru_deidentified.hl7");
    assert!(m.observations.is_empty());
    assert_eq!(m.unread.len(), 4);
    assert!(m.unread.iter().all(|r| r.place == "OBR 1, OBR-7"));
    assert_eq!(
        m.unread[1].reason.to_string(),
        "35659-2 Age at specimen collection: not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])"
    );
}

#[test]
fn msh_18_8859_1_status_x_without_values_and_sn() {
    // CDC STARLIMS: MSH-18 8859/1 (its "µg/mL" already stored upstream as the UTF-8
    // bytes of U+FFFD, which 8859/1 reads byte for byte), susceptibility results with
    // status X (cannot be obtained) and no value, and the age as SN "^50".
    let parsed = read("prs__elims_canceled_8859.hl7");
    assert!(parsed.rejected.is_empty());
    assert_eq!(parsed.skipped, 16);
    let m = &parsed.incoming[0];
    assert_eq!(m.patient_ids, ["PID04019351"]);
    assert_eq!(m.observations.len(), 1);
    let age = &m.observations[0];
    assert_eq!(age.code, "21612-7");
    assert_eq!(
        age.value,
        ObsValue::Quantity {
            value: number("50"),
            comparator: None
        }
    );
    assert_eq!(age.unit.as_deref(), Some("a"));
    assert_eq!(age.taken_at, utc("2023-04-11T00:00:00Z"));
}

#[test]
fn an_empty_pid_3_names_nobody_and_the_fake_loinc_is_refused() {
    // ReportStream's mapping inventory: "PID|1" only, MSH-18 UNICODE UTF-8, five
    // encoding characters (^~\&#), and the made-up code 8675-3 (its check digit is 7).
    for name in ["prs__obx_tm.hl7", "prs__obx_sn_range.hl7"] {
        let m = one(name);
        assert!(m.patient_ids.is_empty(), "{name}");
        assert!(m.observations.is_empty(), "{name}");
        assert_eq!(
            unread(&m),
            ["OBX 1, OBX-3: 8675-3 is not a valid LOINC code (check digit)"],
            "{name}"
        );
    }
}

fn patient_with_id(t: &TestClinic, name: &str, id_number: &str) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient(name, "13700000098", id_number);
    p.id_type = IdType::Other;
    p.phone = None;
    match desk.call(Request::PatientCreate { patient: p }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

fn results(t: &TestClinic, id: PatientId) -> Vec<Observation> {
    match t
        .sign_in(Role::Doctor)
        .call(Request::Observations { id, code: None })
    {
        Response::Observations(o) => o,
        other => panic!("{other:?}"),
    }
}

#[test]
fn imported_in_a_clinic_at_plus_8_with_a_lab_code_mapping() {
    let t = TestClinic::with_all_roles_and_settings(Some("[alerts]\nutc_offset = \"+08:00\"\n"));
    std::fs::write(
        t.dir().join("lab_codes.toml"),
        "[[code]]\nsystem = \"L\"\ncode = \"99717-6\"\nloinc = \"38473-5\"\n",
    )
    .unwrap();
    let lopez = patient_with_id(&t, "Adalberto Lopez", "0362855");
    let baby = patient_with_id(&t, "Boy Cdphthree", "123456");
    let all = vec![one("hs__oru_r30.hl7"), one("prs__cdph_nbs_cah.hl7")];
    let nurse = t.sign_in(Role::Nurse);
    let Response::ResultsImported(summary) = nurse.call(Request::ResultsImport {
        incoming: all,
        rejected: 0,
        create_patients: false,
    }) else {
        panic!()
    };
    // The cdph message repeats its panel: 16 read, 8 of them twice.
    assert_eq!(
        (
            summary.imported,
            summary.duplicates,
            summary.unread,
            summary.unmatched
        ),
        (10, 8, 4, 0)
    );

    let lopez_results = results(&t, lopez);
    let pr = lopez_results.iter().find(|o| o.code == "8625-6").unwrap();
    // 02:45:16 on the sender's clock, in a clinic at +08:00.
    assert_eq!(pr.taken_at, utc("2010-02-22T02:45:16+08:00"));
    let dated = lopez_results.iter().find(|o| o.code == "41651-1").unwrap();
    assert_eq!(dated.taken_at, utc("2015-05-29T13:09:17-04:00"));

    let baby_results = results(&t, baby);
    let mapped: Vec<&Observation> = baby_results
        .iter()
        .filter(|o| o.code == "38473-5")
        .collect();
    // The LOINC-coded 17-OHP and the lab's own 99717-6, now filed under LOINC.
    assert_eq!(mapped.len(), 2);
    let local = mapped
        .iter()
        .find(|o| o.display.as_deref() == Some("17-Hydroxyprogesterone (CAH II) [99717-6]"))
        .unwrap();
    assert_eq!(local.system, LOINC);
    assert_eq!(local.value.number(), Some(number("39")));
    assert_eq!(local.taken_at, utc("2024-10-21T05:57:26+08:00"));

    // The unread results wait on the review list under the patient, with their place.
    let Response::Review(items) = nurse.call(Request::ReviewList) else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    let lopez_item = items.iter().find(|i| i.filed_under == Some(lopez)).unwrap();
    assert_eq!(
        lopez_item
            .unread
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>(),
        [
            "OBX 3, OBX-3: 45541-1 is not a valid LOINC code (check digit)",
            "OBX 4, OBX-3: 45541-1 is not a valid LOINC code (check digit)"
        ]
    );
    assert_eq!(lopez_item.results, 0);

    // A broken mapping file stops the import with its reason, before anything is kept.
    std::fs::write(
        t.dir().join("lab_codes.toml"),
        "[[code]]\ncode = \"X\"\nloinc = \"38473-4\"\n",
    )
    .unwrap();
    match nurse.call(Request::ResultsImport {
        incoming: vec![one("prs__flfhospital_sarscov2.hl7")],
        rejected: 0,
        create_patients: false,
    }) {
        Response::Error(e) => assert!(e.to_string().contains("lab_codes.toml, entry 1 (X)"), "{e}"),
        other => panic!("{other:?}"),
    }
}
