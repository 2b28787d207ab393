//! Intervention plan templates, one per condition (`rules/plan_templates.toml`, or the
//! clinic's own `DIR/plan_templates.toml`): goals and actions with their dates given
//! relative to the start, turned into a plan for one patient on the day it starts.

use crate::i18n::Lang;
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::plan::{Action, ActionKind, Direction, Goal, Plan};

pub const BUILT_IN: &str = include_str!("../../../../rules/plan_templates.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateGoal {
    pub indicator: String,
    pub direction: Direction,
    pub target: f64,
    /// Due this many months after the start.
    pub months: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateAction {
    pub kind: ActionKind,
    pub en: String,
    pub zh: String,
    pub owner: String,
    /// Due this many weeks after the start.
    pub weeks: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    /// Offered first to patients with any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    pub en: String,
    pub zh: String,
    #[serde(default)]
    pub goals: Vec<TemplateGoal>,
    #[serde(default)]
    pub actions: Vec<TemplateAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub templates: Vec<Template>,
}

/// A template as offered on screen: its id, title and whether the patient's tags
/// suggest it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub title: String,
    pub suggested: bool,
}

impl Templates {
    /// Reads a template file; every problem names its line or template.
    pub fn parse(text: &str) -> Result<Templates, String> {
        let parsed: Templates = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        let mut seen = std::collections::HashSet::new();
        for t in &parsed.templates {
            if !seen.insert(t.id.as_str()) {
                return Err(format!("template {:?} is defined twice", t.id));
            }
            // A template must make a plan that passes the plan's own checks.
            let plan = t.instantiate(NaiveDate::default(), crate::i18n::Lang::En);
            plan.check()
                .map_err(|e| format!("template {:?}: {e}", t.id))?;
        }
        Ok(parsed)
    }

    pub fn built_in() -> Templates {
        Templates::parse(BUILT_IN).unwrap_or(Templates {
            templates: Vec::new(),
        })
    }

    /// Every template, those the patient's tags suggest first.
    pub fn offers(&self, tags: &[String], lang: Lang) -> Vec<Offer> {
        let chinese = lang.is_chinese();
        let mut offers: Vec<Offer> = self
            .templates
            .iter()
            .map(|t| Offer {
                id: t.id.clone(),
                title: if chinese { t.zh.clone() } else { t.en.clone() },
                suggested: t.tags.iter().any(|tag| tags.contains(tag)),
            })
            .collect();
        offers.sort_by_key(|o| !o.suggested);
        offers
    }

    pub fn get(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }
}

impl Template {
    /// The plan this template makes when it starts on `start`.
    pub fn instantiate(&self, start: NaiveDate, lang: Lang) -> Plan {
        let chinese = lang.is_chinese();
        let text = |en: &String, zh: &String| if chinese { zh.clone() } else { en.clone() };
        Plan {
            title: text(&self.en, &self.zh),
            goals: self
                .goals
                .iter()
                .map(|g| Goal {
                    indicator: g.indicator.clone(),
                    direction: g.direction,
                    target: g.target,
                    by: start
                        .checked_add_months(Months::new(g.months))
                        .unwrap_or(start),
                })
                .collect(),
            actions: self
                .actions
                .iter()
                .map(|a| Action {
                    kind: a.kind,
                    description: text(&a.en, &a.zh),
                    owner: a.owner.clone(),
                    due: start.checked_add_days(Days::new(u64::from(a.weeks) * 7)),
                    done: false,
                })
                .collect(),
            active: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_read_and_make_valid_plans() {
        let templates = Templates::parse(BUILT_IN).unwrap();
        assert!(templates.templates.len() >= 5);
        let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let bp = templates
            .get("hypertension")
            .unwrap()
            .instantiate(start, crate::i18n::Lang::ZhCn);
        assert_eq!(bp.title, "血压控制");
        assert_eq!(
            bp.goals[0].by,
            NaiveDate::from_ymd_opt(2027, 5, 23).unwrap()
        );
        assert_eq!(bp.actions[0].due, NaiveDate::from_ymd_opt(2026, 12, 7));
        assert!(bp.check().is_ok());
    }

    #[test]
    fn suggested_templates_come_first() {
        let templates = Templates::built_in();
        let offers = templates.offers(&["smoker".into()], crate::i18n::Lang::En);
        assert_eq!(offers[0].id, "smoking");
        assert!(offers[0].suggested && !offers[1].suggested);
        assert_eq!(offers.len(), templates.templates.len());
    }

    #[test]
    fn a_bad_template_file_names_the_problem() {
        let unknown_indicator = "[[templates]]\nid = \"x\"\nen = \"X\"\nzh = \"X\"\ngoals = [{ indicator = \"mood\", direction = \"at_most\", target = 1, months = 1 }]\n";
        let e = Templates::parse(unknown_indicator).unwrap_err();
        assert!(e.contains("\"x\"") && e.contains("mood"), "{e}");
        let e = Templates::parse("[[templates]]\nid = \"x\"\nen = 3\n").unwrap_err();
        assert!(e.starts_with("line 3"), "{e}");
        let twice = "[[templates]]\nid = \"x\"\nen = \"X\"\nzh = \"X\"\n[[templates]]\nid = \"x\"\nen = \"X\"\nzh = \"X\"\n";
        assert!(Templates::parse(twice).unwrap_err().contains("twice"));
    }
}
