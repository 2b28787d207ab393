//! The form's parser and the service's check, row by row.

use chrono::NaiveDate;

use super::reading::icd10;
use super::{check, parse};
use crate::domain::amendment::{Section, SectionValue};
use crate::domain::health::{
    Alcohol, Condition, Measurements, Medication, MedicationStatus, Smoking, Tenths,
};
use crate::domain::record_codes as codes;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}

fn strings(rows: &[&str]) -> Vec<String> {
    rows.iter().map(|r| r.to_string()).collect()
}

#[test]
fn entry_lines_become_entries() {
    let value = parse(
        Section::PastIllnesses,
        &strings(&["Hypertension; i10; 2019", "", "高血脂；E78.5"]),
        today(),
    );
    let Ok(SectionValue::PastIllnesses(v)) = value else {
        panic!("expected conditions, got {value:?}")
    };
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].code.as_deref(), Some("I10"));
    assert_eq!(v[0].since.as_deref(), Some("2019"));
    assert_eq!(v[1].name, "高血脂");
    assert_eq!(v[1].code.as_deref(), Some("E78.5"));
}

#[test]
fn each_wrong_line_gets_its_own_problem() {
    let problems = parse(
        Section::Allergies,
        &strings(&[
            "penicillin; rash; terrible",
            "; hives",
            "peanuts; a; mild; c; d",
            "ok",
        ]),
        today(),
    )
    .err()
    .unwrap_or_default();
    let keys: Vec<Option<&str>> = problems.iter().map(|p| p.as_ref().map(|p| p.key)).collect();
    assert_eq!(
        keys,
        vec![
            Some("bad_severity"),
            Some("need_name"),
            Some("too_many_parts"),
            None
        ]
    );
}

#[test]
fn years_must_be_past() {
    let bad = parse(
        Section::Surgeries,
        &strings(&["Appendectomy; 2031"]),
        today(),
    );
    assert!(bad.is_err());
    let bad = parse(
        Section::Surgeries,
        &strings(&["Appendectomy; 1850"]),
        today(),
    );
    assert!(bad.is_err());
    let good = parse(
        Section::Surgeries,
        &strings(&["Appendectomy; 2003-06-01; 协和"]),
        today(),
    );
    assert!(good.is_ok(), "{good:?}");
}

#[test]
fn icd10_codes() {
    for good in ["I10", "e11.9", "E78.5", "Z00.00"] {
        assert!(icd10(good).is_ok(), "{good}");
    }
    for bad in ["10", "I1", "II0", "E11.", "E11.12345", "hypertension"] {
        assert!(icd10(bad).is_err(), "{bad}");
    }
}

#[test]
fn fixed_fields_are_checked_by_range() {
    let value = parse(
        Section::Measurements,
        &strings(&["172.5", "68", "", "A+", "2026-11-20"]),
        today(),
    );
    assert!(value.is_ok(), "{value:?}");
    let problems = parse(
        Section::Measurements,
        &strings(&["1725", "68.45", "80", "C", "2027-01-01"]),
        today(),
    )
    .err()
    .unwrap_or_default();
    let keys: Vec<Option<&str>> = problems.iter().map(|p| p.as_ref().map(|p| p.key)).collect();
    assert_eq!(
        keys,
        vec![
            Some("bad_number"),
            Some("bad_number"),
            None,
            Some("bad_blood"),
            Some("bad_date")
        ]
    );
    let lifestyle = parse(
        Section::Lifestyle,
        &strings(&["current", "10", "偶尔", "150", "high salt", "6.5"]),
        today(),
    );
    let Ok(SectionValue::Lifestyle(l)) = lifestyle else {
        panic!("expected lifestyle")
    };
    assert_eq!(l.smoking, Some(Smoking::Current));
    assert_eq!(l.alcohol, Some(Alcohol::Occasional));
    assert_eq!(l.sleep_hours, Some(Tenths(65)));
}

#[test]
fn values_round_trip_and_the_service_refuses_smuggled_separators() {
    let value = SectionValue::Medications(vec![Medication {
        name: "Amlodipine".into(),
        dose: Some("5 mg".into()),
        frequency: Some("once daily".into()),
        status: Some(MedicationStatus::Stopped),
        started: Some("2012".into()),
        ended: Some("2015-06".into()),
        code: Some("C08CA01".into()),
        system: Some(codes::ATC.into()),
    }]);
    assert_eq!(check(&value, today()), Ok(value.clone()));
    let coded = SectionValue::PastIllnesses(vec![Condition {
        name: "Diabetes".into(),
        code: Some("44054006".into()),
        system: Some(codes::SNOMED.into()),
        since: Some("2019".into()),
        clinical_status: Some(crate::domain::health::ClinicalStatus::Active),
        verification: Some(crate::domain::health::Verification::Refuted),
    }]);
    assert_eq!(check(&coded, today()), Ok(coded.clone()));
    let smuggled = SectionValue::Medications(vec![Medication {
        name: "Amlodipine; 10 mg".into(),
        ..Medication::default()
    }]);
    assert!(check(&smuggled, today()).is_err());
    let bad = SectionValue::Measurements(Measurements {
        height_cm: Some(Tenths(99_999)),
        ..Measurements::default()
    });
    assert_eq!(check(&bad, today()).map_err(|p| p.key), Err("bad_number"));
}
