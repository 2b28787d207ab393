//! Automatic tags (自动设置标签): rules in TOML over a patient's results, record,
//! questionnaires and risks, combined with all / any / not. A rule names the tag it
//! sets; evaluating the rules gives the tags that hold now, each with the rule that
//! set it. Manual tags are never touched here.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::assessment::{Assessment, Outcome};
use super::health::{HealthRecord, Smoking};
use super::indicators;
use super::observation::Observation;
use super::patient::{Patient, Sex};
use super::questionnaire::Response;
use super::value_sets::ValueSets;

/// The rules shipped with caredesk; a clinic's own replace them (`DIR/tag_rules.toml`).
pub const BUILT_IN: &str = include_str!("../../../../rules/tag_rules.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule's name, recorded with the tag it sets.
    pub id: String,
    pub tag: String,
    pub when: Condition,
}

/// A condition. In TOML: `{ all = [...] }`, `{ any = [...] }`, `{ not = {...} }`, or a
/// leaf such as `{ indicator = "systolic_bp", at_least = 140, times = 2 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Not { not: Box<Condition> },
    Indicator(IndicatorCondition),
    Record(RecordCondition),
    Questionnaire(QuestionnaireCondition),
    Risk(RiskCondition),
    Plan(PlanCondition),
}

/// Results of one indicator, in its SI unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorCondition {
    pub indicator: String,
    /// The value reaches this (inclusive).
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub below: Option<f64>,
    /// How many results must meet it, on different days (default 1: the latest).
    #[serde(default)]
    pub times: Option<u32>,
    /// Only results of the last this many days count.
    #[serde(default)]
    pub within_days: Option<u32>,
}

/// Facts of the record and the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCondition {
    /// A current diagnosis in one of these value sets (`rules/value_sets.toml`).
    #[serde(default)]
    pub condition: Vec<String>,
    /// A current diagnosis whose ICD-10 code starts with one of these, or whose whole
    /// name is one of them (never a word inside the name).
    #[serde(default)]
    pub diagnosis: Vec<String>,
    #[serde(default)]
    pub smoking: Option<Smoking>,
    #[serde(default)]
    pub age_at_least: Option<u32>,
    #[serde(default)]
    pub sex: Option<Sex>,
}

/// The latest filled questionnaire of a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireCondition {
    pub questionnaire: String,
    #[serde(default)]
    pub score_at_least: Option<i32>,
    #[serde(default)]
    pub band: Option<String>,
}

/// The latest assessment of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskCondition {
    pub risk: String,
    /// Probability in percent.
    #[serde(default)]
    pub percent_at_least: Option<f64>,
    /// The Chinese 2019 band (low, intermediate, high) or the model's own.
    #[serde(default)]
    pub band: Option<String>,
}

/// The patient's active plan has an action of a kind (`any` for every kind) not done
/// more than `days` (default 0) after it fell due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanCondition {
    pub overdue_action: String,
    #[serde(default)]
    pub days: u32,
}

/// Everything a rule may look at.
pub struct Facts<'a> {
    pub patient: &'a Patient,
    pub record: &'a HealthRecord,
    pub observations: &'a [Observation],
    pub questionnaires: &'a [Response],
    pub assessments: &'a [Assessment],
    /// The plan's versions, oldest first (the latest is the plan in force).
    pub plans: &'a [crate::domain::plan::PlanVersion],
    pub now: i64,
    pub today: chrono::NaiveDate,
    /// What coded diagnoses mean.
    pub value_sets: &'a ValueSets,
    /// The clinic's offset from UTC in seconds: readings are on different days by the
    /// clinic's calendar, not UTC's.
    pub utc_offset: i32,
}

impl Rules {
    /// Parses and checks rules; the error names the line and the reason.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let rules: Rules = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        let mut ids = BTreeSet::new();
        for rule in &rules.rules {
            if !ids.insert(rule.id.as_str()) {
                return Err(format!("rule id {:?} is used twice", rule.id));
            }
            if rule.tag.trim().is_empty() {
                return Err(format!("rule {:?} sets an empty tag", rule.id));
            }
            check(&rule.when).map_err(|e| format!("rule {:?}: {e}", rule.id))?;
        }
        Ok(rules)
    }

    /// The tags that hold, each with the id of the (first) rule that set it.
    pub fn evaluate(&self, facts: &Facts<'_>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for rule in &self.rules {
            if !out.iter().any(|(t, _)| *t == rule.tag) && holds(&rule.when, facts) {
                out.push((rule.tag.clone(), rule.id.clone()));
            }
        }
        out
    }
}

/// Checks a condition's references (indicators in the catalogue, bounds given).
pub fn check(c: &Condition) -> Result<(), String> {
    match c {
        Condition::All { all } | Condition::Any { any: all } => {
            if all.is_empty() {
                return Err("an empty all/any list".into());
            }
            all.iter().try_for_each(check)
        }
        Condition::Not { not } => check(not),
        Condition::Plan(p) => {
            let known = p.overdue_action == "any"
                || crate::domain::plan_form::KINDS
                    .iter()
                    .any(|(_, key, _)| *key == p.overdue_action);
            if known {
                Ok(())
            } else {
                Err(format!(
                    "no action kind {:?}: use any, diet, exercise, medication_review, education, follow_up_call or other",
                    p.overdue_action
                ))
            }
        }
        Condition::Indicator(i) => {
            if indicators::by_key(&i.indicator).is_none() {
                return Err(format!("no indicator {:?} in the catalogue", i.indicator));
            }
            if i.at_least.is_none() && i.below.is_none() {
                return Err(format!("{:?}: give at_least or below", i.indicator));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether a condition holds on these facts.
pub fn holds(c: &Condition, f: &Facts<'_>) -> bool {
    match c {
        Condition::All { all } => all.iter().all(|c| holds(c, f)),
        Condition::Any { any } => any.iter().any(|c| holds(c, f)),
        Condition::Not { not } => !holds(not, f),
        Condition::Indicator(i) => indicator_holds(i, f),
        Condition::Plan(p) => f.plans.last().is_some_and(|version| {
            version.plan.active
                && version.plan.actions.iter().any(|a| {
                    !a.done
                        && (p.overdue_action == "any"
                            || crate::domain::plan_form::kind_key(a.kind) == p.overdue_action)
                        && a.due
                            .is_some_and(|due| f.today > due + chrono::Days::new(u64::from(p.days)))
                })
        }),
        Condition::Record(r) => record_holds(r, f),
        Condition::Questionnaire(q) => f
            .questionnaires
            .iter()
            .filter(|r| r.key == q.questionnaire)
            .max_by_key(|r| r.at)
            .is_some_and(|r| {
                q.score_at_least.is_none_or(|s| r.scored.total >= s)
                    && q.band.as_ref().is_none_or(|b| r.scored.band == *b)
            }),
        Condition::Risk(r) => f
            .assessments
            .iter()
            .filter(|a| a.model == r.risk)
            .max_by_key(|a| a.at)
            .is_some_and(|a| match &a.outcome {
                Outcome::Risk {
                    probability,
                    band,
                    chinese_band,
                } => {
                    r.percent_at_least.is_none_or(|p| probability * 100.0 >= p)
                        && r.band
                            .as_ref()
                            .is_none_or(|b| b == band || chinese_band.as_ref() == Some(b))
                }
                Outcome::Score { band, .. } => {
                    r.percent_at_least.is_none() && r.band.as_ref().is_none_or(|b| b == band)
                }
                Outcome::Refused(_) => false,
            }),
    }
}

fn indicator_holds(c: &IndicatorCondition, f: &Facts<'_>) -> bool {
    let Some(indicator) = indicators::by_key(&c.indicator) else {
        return false;
    };
    let since = c.within_days.map(|d| f.now - i64::from(d) * 86_400);
    let mut values = indicator.values_si(f.observations, |o| since.is_none_or(|s| o.taken_at >= s));
    // No BMI result: the record's own height and weight give one.
    if values.is_empty()
        && indicator.key == "bmi"
        && let Some(bmi) = f.record.measurements.bmi()
    {
        let at = f
            .record
            .measurements
            .measured_on
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc().timestamp() - i64::from(f.utc_offset))
            .unwrap_or(f.now);
        if since.is_none_or(|s| at >= s) {
            values.push((at, bmi));
        }
    }
    let meets = |v: f64| c.at_least.is_none_or(|t| v >= t) && c.below.is_none_or(|t| v < t);
    match c.times.unwrap_or(1) {
        // The latest result decides.
        0 | 1 => values.last().is_some_and(|(_, v)| meets(*v)),
        n => {
            let days: BTreeSet<i64> = values
                .iter()
                .filter(|(_, v)| meets(*v))
                .map(|(at, _)| (at + i64::from(f.utc_offset)).div_euclid(86_400))
                .collect();
            days.len() >= n as usize
        }
    }
}

fn record_holds(c: &RecordCondition, f: &Facts<'_>) -> bool {
    let current = || f.record.past_illnesses.iter().filter(|ill| ill.current());
    let in_set = c.condition.is_empty()
        || current().any(|ill| {
            c.condition
                .iter()
                .any(|id| f.value_sets.condition_is(id, ill))
        });
    let diagnosis = c.diagnosis.is_empty()
        || current().any(|ill| {
            c.diagnosis.iter().any(|d| {
                let icd = ill.system.is_none();
                ill.code
                    .as_deref()
                    .is_some_and(|code| icd && code.to_uppercase().starts_with(&d.to_uppercase()))
                    || ill.name.trim().to_lowercase() == d.trim().to_lowercase()
            })
        });
    let smoking = c
        .smoking
        .is_none_or(|s| f.record.lifestyle.smoking == Some(s));
    let age = c.age_at_least.is_none_or(|min| {
        f.patient
            .birth_date
            .and_then(|b| f.today.years_since(b))
            .is_some_and(|years| years >= min)
    });
    let sex = c.sex.is_none_or(|s| f.patient.sex == s);
    in_set && diagnosis && smoking && age && sex
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;

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
        assert!(
            tags(&rules, &[], &with(diagnosis("I10", None))).contains(&"hypertension".to_string())
        );
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
        let err = Rules::parse(&format!("{BUILT_IN}\n[[rules]]\nid = \"smoker\"\ntag = \"s\"\nwhen = {{ smoking = \"current\" }}\n"))
            .err()
            .unwrap_or_default();
        assert!(err.contains("used twice"), "{err}");
    }
}

/// A tag a rule set: which rule, and since when it has held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTag {
    pub tag: String,
    pub rule: String,
    pub since: i64,
}

/// A patient's automatic tags, kept apart from the manual ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTags(pub Vec<AutoTag>);

impl crate::codec::Versioned for AutoTags {
    const VERSION: u16 = 1;
}

impl AutoTags {
    /// The tags that hold now: a tag still holding keeps its `since`; a tag whose cause
    /// is gone is dropped.
    pub fn update(&self, holding: Vec<(String, String)>, now: i64) -> AutoTags {
        AutoTags(
            holding
                .into_iter()
                .map(|(tag, rule)| {
                    let since = self
                        .0
                        .iter()
                        .find(|t| t.tag == tag)
                        .map(|t| t.since)
                        .unwrap_or(now);
                    AutoTag { tag, rule, since }
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod update_tests {
    use super::*;

    #[test]
    fn a_continuing_tag_keeps_its_start_and_a_gone_cause_drops_it() {
        let before = AutoTags(vec![
            AutoTag {
                tag: "smoker".into(),
                rule: "smoker".into(),
                since: 10,
            },
            AutoTag {
                tag: "obese".into(),
                rule: "obese".into(),
                since: 20,
            },
        ]);
        let after = before.update(
            vec![
                ("smoker".into(), "smoker".into()),
                ("hypertension".into(), "hypertension".into()),
            ],
            99,
        );
        assert_eq!(
            after.0,
            vec![
                AutoTag {
                    tag: "smoker".into(),
                    rule: "smoker".into(),
                    since: 10
                },
                AutoTag {
                    tag: "hypertension".into(),
                    rule: "hypertension".into(),
                    since: 99
                },
            ]
        );
    }
}
