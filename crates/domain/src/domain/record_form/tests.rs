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

/// Every code of every coded field of the 个人基本信息表 survives the editor in both
/// languages: shown as "code name", read back to the same code.
#[test]
fn every_basic_information_code_reads_back_in_both_languages() {
    use crate::domain::basic_info::{self, FieldKind};
    use crate::i18n::Lang;
    for (i, (field, kind)) in basic_info::FIELDS.iter().enumerate() {
        let FieldKind::Coded(set) = kind else {
            continue;
        };
        for code in &crate::domain::code_sets::set(set).codes {
            let mut info = basic_info::BasicInfo::default();
            info.coded
                .insert(field.to_string(), vec![code.code.clone()]);
            let value = SectionValue::BasicInfo(info);
            for lang in [Lang::En, Lang::ZhCn] {
                let rows = super::rows_in(&value, lang);
                assert_eq!(
                    parse(Section::BasicInfo, &rows, today()).as_ref(),
                    Ok(&value),
                    "{field} {} in {lang:?}: {:?}",
                    code.code,
                    rows[i]
                );
            }
            assert_eq!(check(&value, today()), Ok(value.clone()));
        }
    }
}

#[test]
fn basic_information_names_each_wrong_row_and_keeps_none_apart() {
    use crate::domain::basic_info::{Declared, FIELD_NAMES};
    let row = |name: &str| FIELD_NAMES.iter().position(|f| *f == name).unwrap_or(0);
    let mut rows = vec![String::new(); FIELD_NAMES.len()];
    rows[row("ethnicity")] = "汉".into();
    rows[row("payment")] = "1、7".into();
    rows[row("trauma")] = "无".into();
    rows[row("transfusion")] = "2015 手术输血".into();
    rows[row("family_father")] = "高血压, 脑卒中".into();
    let Ok(SectionValue::BasicInfo(info)) = parse(Section::BasicInfo, &rows, today()) else {
        panic!("the rows read")
    };
    assert_eq!(info.codes("ethnicity"), ["01"]);
    assert_eq!(info.codes("payment"), ["1", "7"]);
    assert_eq!(info.declared.get("trauma"), Some(&Declared::None));
    assert_eq!(
        info.declared.get("hereditary"),
        None,
        "not asked stays unasked"
    );
    assert_eq!(info.codes("family_father").len(), 2);

    rows[row("ethnicity")] = "火星族".into();
    rows[row("exposure")] = "无, 射线".into();
    rows[row("workplace")] = "x".repeat(201);
    let Err(problems) = parse(Section::BasicInfo, &rows, today()) else {
        panic!("the wrong rows are refused")
    };
    let key = |name: &str| problems[row(name)].as_ref().map(|p| p.key);
    assert_eq!(key("ethnicity"), Some("bad_choice"));
    assert_eq!(key("exposure"), Some("none_with_others"));
    assert_eq!(key("workplace"), Some("too_long"));
    assert_eq!(key("payment"), None);
}
