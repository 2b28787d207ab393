//! The demo's 健康体检表: each patient with results had an annual examination two weeks
//! ago, drafted from their results as the desk drafts one, with the rest of the form
//! filled as a nurse and doctor would (symptoms, general status, lifestyle, organs,
//! physical examination), the abnormal results named in the 健康评价 and the guidance
//! that follows from them.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::basic_info::Declared;
use crate::domain::decimal::Decimal;
use crate::domain::exam_form::{self, Answer, ExamForm, ExamVersion};
use crate::domain::observation::Observation;
use crate::domain::patient::{PatientId, Sex};
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

fn codes(list: &[&str]) -> Answer {
    Answer::Codes(list.iter().map(|c| c.to_string()).collect())
}

fn number(text: &str) -> Option<Answer> {
    Decimal::parse(text).map(Answer::Number)
}

/// The indicators of the drafted form outside their range, named in Chinese.
fn abnormal(form: &ExamForm, sex: Sex) -> Vec<String> {
    form.indicator_values()
        .into_iter()
        .filter(|(_, indicator, value)| {
            let (low, high) = indicator.range(sex);
            let v = value.to_f64();
            low.is_some_and(|l| v < l) || high.is_some_and(|h| v > h)
        })
        .map(|(_, indicator, value)| format!("{}{value}", indicator.zh))
        .collect()
}

/// Stages patient `index`'s examination form, taken `days_ago` days before `today`.
pub fn stage(
    vault: &Vault,
    writes: &mut WriteSet,
    (id, sex, age): (&PatientId, Sex, Option<u32>),
    observations: &[Observation],
    (today, now): (NaiveDate, i64),
    index: usize,
) -> Result<(), StoreError> {
    const DAYS_AGO: i64 = 14;
    let date = today - chrono::Duration::days(DAYS_AGO);
    let (mut form, _) = exam_form::draft(date, observations);
    form.doctor = "周医生".into();
    let elderly = age.is_some_and(|a| a >= 65);
    let smoker = index.is_multiple_of(4);
    let mut answers: BTreeMap<&str, Answer> = BTreeMap::from([
        (
            "symptoms",
            if index.is_multiple_of(3) {
                codes(&["3", "13"])
            } else {
                codes(&["1"])
            },
        ),
        (
            "exercise_frequency",
            codes(&[["1", "2", "3", "4"][index % 4]]),
        ),
        (
            "diet",
            codes(if index.is_multiple_of(2) {
                &["1"]
            } else {
                &["2", "4"]
            }),
        ),
        ("smoking", codes(&[if smoker { "3" } else { "1" }])),
        ("drinking", codes(&[["1", "2", "3"][index % 3]])),
        ("occupational_exposure", Answer::Declared(Declared::None)),
        ("lips", codes(&["1"])),
        ("dentition", codes(if elderly { &["2"] } else { &["1"] })),
        ("pharynx", codes(&["1"])),
        ("hearing", codes(&["1"])),
        ("motor", codes(&["1"])),
        ("fundus", codes(&["1"])),
        ("skin", codes(&["1"])),
        ("sclera", codes(&["1"])),
        ("lymph_nodes", codes(&["1"])),
        ("barrel_chest", codes(&["1"])),
        ("breath_sounds", codes(&["1"])),
        ("rales", codes(&["1"])),
        ("heart_rhythm", codes(&["1"])),
        ("murmur", codes(&["1"])),
        ("oedema", codes(&["1"])),
        ("dorsalis_pedis", codes(&["2"])),
        ("ecg", codes(&["1"])),
        ("hbsag", codes(&["1"])),
        ("urine_protein", codes(&["1"])),
        ("urine_glucose", codes(&["1"])),
        ("hospital_stays", Answer::Declared(Declared::None)),
        ("vaccinations", Answer::Declared(Declared::None)),
    ]);
    for (id, text) in [
        ("temperature", "36.5"),
        ("respiration", "16"),
        ("vision_left", "4.9"),
        ("vision_right", "5.0"),
    ] {
        if let Some(answer) = number(text) {
            answers.insert(id, answer);
        }
    }
    if smoker && let Some(answer) = number("10") {
        answers.insert("cigarettes_per_day", answer);
    }
    if elderly {
        answers.insert("elder_health", codes(&["2"]));
        answers.insert("elder_selfcare", codes(&["1"]));
        answers.insert("elder_cognition", codes(&["1"]));
        answers.insert("elder_mood", codes(&["1"]));
    }
    if sex == Sex::Female {
        answers.insert("breast", codes(&["1"]));
    }
    for (item, answer) in answers {
        form.answers.entry(item.to_string()).or_insert(answer);
    }
    // The right arm measured a little lower, as it often is.
    if let Some(s) = form.number("bp_left_systolic")
        && let Some(answer) = Decimal::from_f64(s - 4.0, 0).map(Answer::Number)
    {
        form.answers.insert("bp_right_systolic".into(), answer);
    }
    let findings = abnormal(&form, sex);
    if findings.is_empty() {
        form.answers.insert("evaluation".into(), codes(&["1"]));
    } else {
        form.answers.insert("evaluation".into(), codes(&["2"]));
        let text: String = findings
            .join("；")
            .chars()
            .take(exam_form::MAX_TEXT)
            .collect();
        form.answers
            .insert("abnormalities".into(), Answer::Text(text));
        form.answers.insert("guidance".into(), codes(&["1", "2"]));
    }
    let mut control = vec!["3", "4"];
    if smoker {
        control.insert(0, "1");
    }
    form.answers.insert("risk_control".into(), codes(&control));
    let form = form.with_bmi();
    debug_assert_eq!(form.invalid_item(), None);
    vault.stage_exam(
        writes,
        id,
        &ExamVersion {
            number: 1,
            form,
            by: "dr.zhou".into(),
            at: now - DAYS_AGO * 86_400,
        },
    )
}
