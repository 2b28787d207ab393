//! Automatic tags (自动设置标签): rules in TOML over a patient's results, record,
//! questionnaires and risks, combined with all / any / not. A rule names the tag it
//! sets; evaluating the rules gives the tags that hold now, each with the rule that
//! set it. Manual tags are never touched here.
//!
//! `language`: the rule file (its conditions, parsed and checked); `evaluate`: the
//! rules on one patient's facts; here: the tags kept, each with the time it began.

use serde::{Deserialize, Serialize};

mod evaluate;
mod language;
#[cfg(test)]
mod tests;

pub use evaluate::{Facts, holds};
pub use language::{
    BUILT_IN, Condition, IndicatorCondition, PlanCondition, QuestionnaireCondition,
    RecordCondition, RiskCondition, Rule, Rules, check,
};

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
