use super::*;
use crate::domain::decimal::Decimal;
use crate::domain::observation::Observation;

#[test]
fn the_shipped_form_parses_with_its_sections_in_order_and_every_reference_resolves() {
    let file: File = toml::from_str(BUILT_IN).expect("codesets/exam_form.toml parses");
    let sections: Vec<&str> = file.section.iter().map(|s| s.zh.as_str()).collect();
    assert_eq!(
        sections,
        [
            "症状",
            "一般状况",
            "生活方式",
            "脏器功能",
            "查体",
            "辅助检查",
            "现存主要健康问题",
            "住院治疗情况",
            "主要用药情况",
            "非免疫规划预防接种史",
            "健康评价",
            "健康指导"
        ]
    );
    let form = form();
    assert!(form.len() > 100, "{} items", form.len());
    let mut ids: Vec<&str> = form.items().map(|(_, i)| i.id.as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "an item id twice");
    for (_, item) in form.items() {
        match item.kind {
            ItemKind::Coded => assert!(item.code_set().is_some(), "{}: no set", item.id),
            ItemKind::Number => assert!(item.min.is_some() && item.max.is_some(), "{}", item.id),
            _ => assert!(
                item.set.is_none() && item.indicator.is_none(),
                "{}",
                item.id
            ),
        }
        if let Some(key) = &item.indicator {
            let indicator = indicators::by_key(key).unwrap_or_else(|| panic!("{key}"));
            assert!(form_unit_is_si(item, indicator), "{}: unit", item.id);
        }
    }
    for set in &form.sets {
        for (i, a) in set.codes.iter().enumerate() {
            for b in &set.codes[i + 1..] {
                assert_ne!(a.code, b.code, "{}", set.id);
                assert_ne!(a.zh, b.zh, "{}", set.id);
                assert!(!a.en.eq_ignore_ascii_case(&b.en), "{}", set.id);
            }
        }
    }
    // The 25 symptoms of the form, 无症状 standing alone.
    let symptoms = form.set("exam_symptom").unwrap();
    assert_eq!(symptoms.codes.len(), 25);
    assert_eq!(symptoms.codes[24].zh, "其他");
}

#[test]
fn the_auxiliary_tests_the_review_found_missing_are_catalogue_indicators_with_loinc() {
    for (key, loinc) in [
        ("body_temperature", "8310-5"),
        ("respiratory_rate", "9279-1"),
        ("wbc", "6690-2"),
        ("platelets", "777-3"),
        ("urine_microalbumin", "14957-5"),
        ("albumin", "1751-7"),
        ("bilirubin_total", "1975-2"),
        ("bilirubin_direct", "1968-7"),
        ("urea", "22664-7"),
        ("potassium", "2823-3"),
        ("sodium", "2951-2"),
    ] {
        let indicator = indicators::by_code(loinc).unwrap_or_else(|| panic!("{loinc}"));
        assert_eq!(indicator.key, key);
        assert!(indicator.low.is_some() || indicator.high.is_some(), "{key}");
        assert!(
            form()
                .items()
                .any(|(_, i)| i.indicator.as_deref() == Some(key))
        );
    }
    // A US lab's urea nitrogen (mg/dL) reads as urea in mmol/L.
    let urea = indicators::by_key("urea").unwrap();
    let mmol = urea.convert(14.0, "mg/dL", "mmol/L").unwrap();
    assert!((mmol - 5.0).abs() < 0.01, "{mmol}");
    let wbc = indicators::by_key("wbc").unwrap();
    assert_eq!(wbc.convert(6.2, "10*3/uL", "10*9/L"), Some(6.2));
}

fn row_of(id: &str) -> usize {
    form().items().position(|(_, i)| i.id == id).unwrap()
}

#[test]
fn rows_read_back_to_the_same_answers_in_both_languages() {
    let n = form().len();
    let mut rows = vec![String::new(); n];
    rows[row_of("symptoms")] = "头晕, 10".into();
    rows[row_of("temperature")] = "36.6".into();
    rows[row_of("bp_left_systolic")] = "１４２".into();
    rows[row_of("weight")] = "71.5 kg".into();
    rows[row_of("smoking")] = "从不吸烟".into();
    rows[row_of("occupational_exposure")] = "无".into();
    rows[row_of("urine_protein")] = "±".into();
    rows[row_of("guidance")] = "1/2".into();
    rows[row_of("abnormalities")] = "血压偏高".into();
    let answers = ExamForm::read_rows(&rows).expect("valid");
    assert_eq!(
        answers["symptoms"],
        Answer::Codes(vec!["3".into(), "10".into()])
    );
    assert_eq!(
        answers["bp_left_systolic"],
        Answer::Number(Decimal::parse("142").unwrap())
    );
    assert_eq!(
        answers["occupational_exposure"],
        Answer::Declared(Declared::None)
    );
    let exam = ExamForm {
        answers,
        ..ExamForm::new(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
    };
    assert_eq!(exam.invalid_item(), None);
    for lang in [Lang::En, Lang::ZhCn] {
        let shown = exam.rows(lang);
        assert_eq!(
            ExamForm::read_rows(&shown).unwrap(),
            exam.answers,
            "{lang:?}"
        );
    }
}

#[test]
fn wrong_rows_say_what_is_wrong_and_where() {
    let n = form().len();
    let mut rows = vec![String::new(); n];
    rows[row_of("temperature")] = "98.6".into();
    rows[row_of("symptoms")] = "无症状, 头痛".into();
    rows[row_of("smoking")] = "1, 3".into();
    rows[row_of("lips")] = "火星".into();
    rows[row_of("exercise_kind")] = "x".repeat(MAX_TEXT + 1);
    let problems = ExamForm::read_rows(&rows).unwrap_err();
    let keys: Vec<(usize, &str)> = problems.iter().map(|(i, p)| (*i, p.key)).collect();
    assert_eq!(
        keys,
        [
            (row_of("symptoms"), "none_with_others"),
            (row_of("temperature"), "out_of_range"),
            (row_of("exercise_kind"), "too_long"),
            (row_of("smoking"), "one_choice"),
            (row_of("lips"), "bad_choice"),
        ]
    );
    assert_eq!(
        problems[1].1.detail.as_deref(),
        Some("30–45 ℃"),
        "the range is named"
    );
}

#[test]
fn the_service_refuses_answers_the_editor_would_not_make() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let with = |id: &str, answer: Answer| ExamForm {
        answers: BTreeMap::from([(id.to_string(), answer)]),
        ..ExamForm::new(date)
    };
    assert_eq!(
        with("temperature", Answer::Number(Decimal::parse("99").unwrap())).invalid_item(),
        Some("temperature".into())
    );
    assert_eq!(
        with("lips", Answer::Codes(vec!["9".into()])).invalid_item(),
        Some("lips".into())
    );
    assert_eq!(
        with("nonsense", Answer::Text("x".into())).invalid_item(),
        Some("nonsense".into())
    );
    assert_eq!(
        with("symptoms", Answer::Codes(vec!["1".into(), "2".into()])).invalid_item(),
        Some("symptoms".into())
    );
    assert_eq!(
        with("lips", Answer::Text("红润".into())).invalid_item(),
        Some("lips".into())
    );
    assert_eq!(
        with("lips", Answer::Codes(vec!["1".into()])).invalid_item(),
        None
    );
}

fn observation(code: &str, value: &str, unit: &str, at: &str) -> Observation {
    let taken_at = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .timestamp();
    Observation::typed_in(code, Decimal::parse(value).unwrap(), unit, taken_at)
}

#[test]
fn a_draft_is_filled_from_the_latest_result_of_the_year_before_converting_units() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let observations = vec![
        observation("2093-3", "5.1", "mmol/L", "2025-11-02T08:00:00+08:00"),
        // The latest wins.
        observation("2093-3", "220", "mg/dL", "2026-02-20T08:00:00+08:00"),
        // Too old to fill.
        observation("4548-4", "6.4", "%", "2024-12-01T08:00:00+08:00"),
        // After the exam's day.
        observation("8480-6", "150", "mm[Hg]", "2026-03-03T08:00:00+08:00"),
        // On the exam's day.
        observation("8462-4", "88", "mm[Hg]", "2026-03-02T21:00:00+08:00"),
        observation("6299-2", "14", "mg/dL", "2026-02-20T08:00:00+08:00"),
    ];
    let (exam, filled) = draft(date, &observations);
    assert_eq!(filled, ["bp_left_diastolic", "urea", "cholesterol_total"]);
    assert_eq!(exam.number("cholesterol_total"), Some(5.69));
    assert_eq!(exam.number("urea"), Some(5.0));
    assert_eq!(exam.number("hba1c"), None);
    assert_eq!(exam.number("bp_left_systolic"), None);
    assert_eq!(exam.invalid_item(), None);
}

#[test]
fn bmi_comes_from_height_and_weight_when_not_typed() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let exam = ExamForm {
        answers: BTreeMap::from([
            (
                "height".into(),
                Answer::Number(Decimal::parse("170").unwrap()),
            ),
            (
                "weight".into(),
                Answer::Number(Decimal::parse("72.3").unwrap()),
            ),
        ]),
        ..ExamForm::new(date)
    }
    .with_bmi();
    assert_eq!(exam.number("bmi"), Some(25.0));
}

#[test]
fn the_latest_version_of_each_exam_newest_exam_first() {
    let version = |number, day, at| ExamVersion {
        number,
        form: ExamForm::new(NaiveDate::from_ymd_opt(2026, 1, day).unwrap()),
        by: "nurse".into(),
        at,
    };
    let all = vec![version(1, 5, 10), version(2, 20, 20), version(1, 6, 30)];
    let latest = latest(&all);
    assert_eq!(latest.len(), 2);
    assert_eq!((latest[0].0.number, latest[0].1), (2, 1));
    assert_eq!((latest[1].0.number, latest[1].1), (1, 2));
    assert_eq!(latest[1].0.form.date.to_string(), "2026-01-06");
}

#[test]
fn a_draft_s_bmi_is_that_of_the_height_and_weight_it_filled_in() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let observations = vec![
        observation("39156-5", "22.0", "kg/m2", "2025-06-01T08:00:00+08:00"),
        observation("8302-2", "170", "cm", "2025-06-01T08:00:00+08:00"),
        observation("29463-7", "72.3", "kg", "2026-02-20T08:00:00+08:00"),
    ];
    let (exam, filled) = draft(date, &observations);
    assert_eq!(exam.number("bmi"), Some(25.0));
    assert!(filled.iter().any(|f| f == "bmi"));
}
