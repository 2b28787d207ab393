//! The shipped rules on made-up patients, and what a bad rule file is told.

use super::{BUILT_IN, Facts, Rules};
use crate::domain::decimal::Decimal;
use crate::domain::health::{HealthRecord, Smoking};
use crate::domain::observation::Observation;
use crate::domain::patient::{Patient, Sex};
use crate::domain::value_sets::ValueSets;

const DAY: i64 = 86_400;
const NOW: i64 = 1_800_000_000;

fn bp(value: &str, days_ago: i64) -> Observation {
    let value = Decimal::parse(value).unwrap_or(Decimal {
        digits: 0,
        scale: 0,
    });
    Observation::typed_in("8480-6", value, "mm[Hg]", NOW - days_ago * DAY)
}

fn tags(rules: &Rules, observations: &[Observation], record: &HealthRecord) -> Vec<String> {
    let patient = Patient {
        birth_date: chrono::NaiveDate::from_ymd_opt(1960, 1, 1),
        sex: Sex::Male,
        ..Patient::default()
    };
    let facts = Facts {
        patient: &patient,
        record,
        observations,
        questionnaires: &[],
        assessments: &[],
        plans: &[],
        now: NOW,
        today: chrono::DateTime::from_timestamp(NOW, 0)
            .map(|t| t.date_naive())
            .unwrap_or_default(),
        value_sets: ValueSets::built_in(),
        utc_offset: 8 * 3600,
    };
    rules.evaluate(&facts).into_iter().map(|(t, _)| t).collect()
}

fn shipped() -> Rules {
    Rules::parse(BUILT_IN).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_overdue_follow_up_call_of_the_active_plan_tags_the_patient() {
    use crate::domain::plan::{Action, ActionKind, Plan, PlanVersion};
    let rules = shipped();
    let patient = Patient::default();
    let record = HealthRecord::default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let version = |due_days_ago: u64, done: bool, active: bool| PlanVersion {
        plan: Plan {
            title: "BP".into(),
            goals: vec![],
            actions: vec![Action {
                kind: ActionKind::FollowUpCall,
                description: "call".into(),
                owner: "nurse".into(),
                due: today.checked_sub_days(chrono::Days::new(due_days_ago)),
                done,
            }],
            active,
        },
        by: "dr".into(),
        at: 0,
        started: 0,
    };
    // Table: (due how long ago, done, plan active) → tagged? (a week's grace)
    for (days, done, active, tagged) in [
        (3, false, true, false),
        (8, false, true, true),
        (8, true, true, false),
        (8, false, false, false),
    ] {
        let plans = [version(days, done, active)];
        let facts = Facts {
            patient: &patient,
            record: &record,
            observations: &[],
            questionnaires: &[],
            assessments: &[],
            plans: &plans,
            now: 0,
            today,
            value_sets: ValueSets::built_in(),
            utc_offset: 0,
        };
        let tags: Vec<String> = rules.evaluate(&facts).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            tags.contains(&"overdue follow-up".to_string()),
            tagged,
            "{days} {done} {active}"
        );
    }
    let bad = "[[rules]]\nid = \"x\"\ntag = \"x\"\nwhen = { overdue_action = \"dance\" }\n";
    assert!(Rules::parse(bad).unwrap_err().contains("dance"));
}

#[test]
fn hypertension_needs_high_readings_on_three_days_of_the_clinics_calendar() {
    let rules = shipped();
    let record = HealthRecord::default();
    // Table: readings (value, days ago) → tagged?
    for (readings, tagged) in [
        (vec![("150", 3)], false),
        (vec![("150", 3), ("145", 40)], false),
        (vec![("150", 3), ("145", 3), ("160", 40)], false),
        (vec![("150", 3), ("145", 40), ("141", 90)], true),
        (vec![("150", 3), ("135", 40), ("150", 90)], false),
        (vec![("139", 3), ("139", 40), ("139", 90)], false),
    ] {
        let obs: Vec<Observation> = readings.iter().map(|(v, d)| bp(v, *d)).collect();
        assert_eq!(
            tags(&rules, &obs, &record).contains(&"hypertension".to_string()),
            tagged,
            "{readings:?}"
        );
    }
    // 07:30 and 08:30 one Beijing morning are one day (23:30 and 00:30 UTC are two).
    let morning = NOW - NOW.rem_euclid(DAY) - 30 * 60;
    let mut obs = vec![bp("150", 0), bp("150", 0), bp("150", 40)];
    obs[0].taken_at = morning;
    obs[1].taken_at = morning + 3600;
    assert!(!tags(&rules, &obs, &record).contains(&"hypertension".to_string()));
    // A withdrawn reading never counts.
    let mut obs = vec![bp("150", 3), bp("150", 40), bp("150", 90)];
    obs[2].status = Some("entered-in-error".into());
    assert!(!tags(&rules, &obs, &record).contains(&"hypertension".to_string()));
    // A recorded, current diagnosis is enough; a refuted or resolved one is not.
    let with = |condition: crate::domain::health::Condition| HealthRecord {
        past_illnesses: vec![condition],
        ..HealthRecord::default()
    };
    let diagnosis = |code: &str, system: Option<&str>| crate::domain::health::Condition {
        name: "Hypertension".into(),
        code: Some(code.into()),
        system: system.map(str::to_string),
        ..Default::default()
    };
    assert!(tags(&rules, &[], &with(diagnosis("I10", None))).contains(&"hypertension".to_string()));
    let snomed = Some(crate::domain::record_codes::SNOMED);
    assert!(
        tags(&rules, &[], &with(diagnosis("59621000", snomed)))
            .contains(&"hypertension".to_string())
    );
    let mut refuted = diagnosis("I10", None);
    refuted.verification = Some(crate::domain::health::Verification::Refuted);
    assert!(!tags(&rules, &[], &with(refuted)).contains(&"hypertension".to_string()));
    let mut resolved = diagnosis("I10", None);
    resolved.clinical_status = Some(crate::domain::health::ClinicalStatus::Resolved);
    assert!(!tags(&rules, &[], &with(resolved)).contains(&"hypertension".to_string()));
}

#[test]
fn diabetes_by_code_fasting_glucose_only_and_never_prediabetes() {
    let rules = shipped();
    let glucose = |code: &str, value: &str, days_ago: i64| {
        let mut o = bp(value, days_ago);
        o.code = code.into();
        o.unit = Some("mmol/L".into());
        o
    };
    let random = [glucose("2345-7", "8.5", 3), glucose("15074-8", "8.5", 40)];
    let t = tags(&rules, &random, &HealthRecord::default());
    assert!(!t.contains(&"diabetes".to_string()), "{t:?}");
    let fasting = [glucose("1558-6", "7.2", 3), glucose("14771-0", "7.4", 40)];
    let t = tags(&rules, &fasting, &HealthRecord::default());
    assert!(t.contains(&"diabetes".to_string()), "{t:?}");
    let prediabetes = HealthRecord {
        past_illnesses: vec![crate::domain::health::Condition {
            name: "Prediabetes".into(),
            code: Some("15777000".into()),
            system: Some(crate::domain::record_codes::SNOMED.into()),
            ..Default::default()
        }],
        ..HealthRecord::default()
    };
    assert!(!tags(&rules, &[], &prediabetes).contains(&"diabetes".to_string()));
}

#[test]
fn bmi_from_the_records_height_and_weight_when_no_bmi_result_exists() {
    let rules = shipped();
    let mut record = HealthRecord::default();
    record.measurements.height_cm = Some(crate::domain::health::Tenths(1700));
    record.measurements.weight_kg = Some(crate::domain::health::Tenths(850));
    let t = tags(&rules, &[], &record);
    assert!(t.contains(&"obese".to_string()), "{t:?}");
    record.lifestyle.smoking = Some(Smoking::Unknown);
    assert!(!tags(&rules, &[], &record).contains(&"smoker".to_string()));
}

#[test]
fn smoker_and_obesity_by_the_chinese_cut_offs() {
    let rules = shipped();
    let mut record = HealthRecord::default();
    record.lifestyle.smoking = Some(Smoking::Current);
    let bmi = |v: &str| {
        let mut o = bp(v, 1);
        o.code = "39156-5".into();
        o.unit = Some("kg/m2".into());
        o
    };
    let t = tags(&rules, &[bmi("26.0")], &record);
    assert!(
        t.contains(&"smoker".to_string()) && t.contains(&"overweight".to_string()),
        "{t:?}"
    );
    assert!(!t.contains(&"obese".to_string()));
    let t = tags(&rules, &[bmi("28.4")], &HealthRecord::default());
    assert!(
        t.contains(&"obese".to_string()) && !t.contains(&"overweight".to_string()),
        "{t:?}"
    );
}

#[test]
fn a_bad_rule_file_says_where_and_why() {
    let err = Rules::parse(
        "[[rules]]\nid = \"x\"\ntag = \"t\"\nwhen = { indicator = \"nope\", at_least = 1 }\n",
    )
    .err()
    .unwrap_or_default();
    assert!(err.contains("no indicator \"nope\""), "{err}");
    let err = Rules::parse("[[rules]]\nid = \"x\"\ntag = \"t\"\nwhen = { colour = \"red\" }\n")
        .err()
        .unwrap_or_default();
    assert!(err.starts_with("line 4"), "{err}");
    let err = Rules::parse(&format!(
        "{BUILT_IN}\n[[rules]]\nid = \"smoker\"\ntag = \"s\"\nwhen = {{ smoking = \"current\" }}\n"
    ))
    .err()
    .unwrap_or_default();
    assert!(err.contains("used twice"), "{err}");
}
