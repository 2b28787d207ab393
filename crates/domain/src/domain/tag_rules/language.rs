//! The rule language: a rule file's TOML (rules, each a tag and a condition tree over
//! results, record, questionnaires, risks and the plan), read and checked before use.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::domain::health::Smoking;
use crate::domain::indicators;
use crate::domain::patient::Sex;

/// The rules shipped with caredesk; a clinic's own replace them (`DIR/tag_rules.toml`).
pub const BUILT_IN: &str = include_str!("../../../../../rules/tag_rules.toml");

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

impl Rules {
    /// Parses and checks rules; the error names the line and the reason.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let rules: Rules = toml::from_str(text).map_err(|e| {
            let line = crate::domain::toml_line(text, &e);
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
