//! Advice (饮食/运动/心理健康建议): a library of texts in English and Chinese, chosen
//! for a patient by their tags and by conditions like the tag rules'. The drafts are
//! reviewed, edited and approved by staff; approved advice is kept with the record.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

use super::tag_rules::{Condition, Facts, check, holds};
use crate::codec::Versioned;

pub const BUILT_IN: &str = include_str!("../../../../rules/advice.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Diet,
    Exercise,
    Mental,
    /// Smoking, alcohol, sleep: habits, neither food nor exercise. Last, so advice
    /// stored before it still reads.
    Habits,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub topic: Topic,
    /// Chosen when the patient has any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Or when this holds.
    #[serde(default)]
    pub when: Option<Condition>,
    pub en: String,
    pub zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub advice: Vec<Template>,
}

/// One piece of advice as drafted or approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The template it came from (empty for advice staff wrote themselves).
    pub template: String,
    pub topic: Topic,
    pub text: String,
}

/// Advice approved by a member of staff, given to the patient.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approved {
    pub items: Vec<Item>,
    pub by: String,
    pub at: i64,
}

impl std::fmt::Debug for Approved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApprovedAdvice({} items by {} <redacted>)",
            self.items.len(),
            self.by
        )
    }
}

impl Versioned for Approved {
    const VERSION: u16 = 1;
}

impl Library {
    pub fn parse(text: &str) -> Result<Library, String> {
        let library: Library = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        for t in &library.advice {
            if t.tags.is_empty() && t.when.is_none() {
                return Err(format!(
                    "advice {:?} has neither tags nor a condition",
                    t.id
                ));
            }
            if let Some(when) = &t.when {
                check(when).map_err(|e| format!("advice {:?}: {e}", t.id))?;
            }
        }
        Ok(library)
    }

    pub fn built_in() -> Library {
        Library::parse(BUILT_IN).unwrap_or(Library { advice: Vec::new() })
    }

    /// The advice for a patient with these tags and facts, in the library's order.
    pub fn draft(&self, tags: &[String], facts: &Facts<'_>, lang: Lang) -> Vec<Item> {
        let chinese = lang.is_chinese();
        let has = |t: &String| tags.iter().any(|x| x.eq_ignore_ascii_case(t));
        self.advice
            .iter()
            .filter(|t| t.tags.iter().any(has) || t.when.as_ref().is_some_and(|c| holds(c, facts)))
            .map(|t| Item {
                template: t.id.clone(),
                topic: t.topic,
                text: if chinese { t.zh.clone() } else { t.en.clone() },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::health::HealthRecord;
    use crate::domain::patient::Patient;

    #[test]
    fn the_library_reads_and_chooses_by_tags_and_conditions() {
        let library = Library::parse(BUILT_IN).unwrap_or_else(|e| panic!("{e}"));
        let patient = Patient::default();
        let record = HealthRecord::default();
        let facts = Facts {
            patient: &patient,
            record: &record,
            observations: &[],
            questionnaires: &[],
            assessments: &[],
            plans: &[],
            now: 0,
            today: chrono::NaiveDate::default(),
            value_sets: crate::domain::value_sets::ValueSets::built_in(),
            utc_offset: 0,
        };
        let ids = |tags: &[&str]| -> Vec<String> {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            library
                .draft(&tags, &facts, crate::i18n::Lang::En)
                .into_iter()
                .map(|i| i.template)
                .collect()
        };
        assert_eq!(ids(&["hypertension"]), ["salt", "activity"]);
        assert_eq!(
            ids(&["Obese", "smoker"]),
            ["activity", "weight", "quit_smoking"]
        );
        assert!(ids(&[]).is_empty());
        let chinese = library.draft(&["hypertension".into()], &facts, crate::i18n::Lang::ZhCn);
        assert!(chinese[0].text.contains("5克"));
        let bad =
            Library::parse("[[advice]]\nid = \"x\"\ntopic = \"diet\"\nen = \"a\"\nzh = \"b\"\n");
        assert!(
            bad.err()
                .unwrap_or_default()
                .contains("neither tags nor a condition")
        );
    }
}
