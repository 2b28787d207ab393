//! Evaluating rules on one patient's facts: which tags hold now, and why.

use std::collections::BTreeSet;

use crate::domain::assessment::{Assessment, Outcome};
use crate::domain::health::HealthRecord;
use crate::domain::indicators;
use crate::domain::observation::Observation;
use crate::domain::patient::Patient;
use crate::domain::questionnaire::Response;
use crate::domain::value_sets::ValueSets;

use super::{Condition, IndicatorCondition, RecordCondition, Rules};

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
