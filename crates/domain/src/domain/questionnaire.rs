//! Questionnaires (问卷) defined in TOML: items with scored options, bands over the
//! total, items whose answer above a score is urgent. Built in: PHQ-9, GAD-7, FINDRISC;
//! a clinic adds its own in `DIR/questionnaires/*.toml`, checked before use.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

use crate::codec::Versioned;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        let chinese = lang.is_chinese();
        if chinese { &self.zh } else { &self.en }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub en: String,
    pub zh: String,
    pub score: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub en: String,
    pub zh: String,
    /// The item's own choices; otherwise the questionnaire's shared ones.
    #[serde(default)]
    pub options: Vec<Choice>,
    /// An answer scoring above this is urgent (PHQ-9 item 9 above 0).
    #[serde(default)]
    pub urgent_above: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: i32,
    pub max: i32,
    pub en: String,
    pub zh: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub key: String,
    pub version: String,
    pub name: Text,
    pub intro: Text,
    /// The LOINC code of the total score, when it has one.
    #[serde(default)]
    pub total_code: Option<String>,
    #[serde(default)]
    pub options: Vec<Choice>,
    pub items: Vec<Item>,
    pub bands: Vec<Band>,
}

/// The questionnaires shipped with caredesk.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("phq9", include_str!("../../../../questionnaires/phq9.toml")),
    ("gad7", include_str!("../../../../questionnaires/gad7.toml")),
    (
        "findrisc",
        include_str!("../../../../questionnaires/findrisc.toml"),
    ),
];

impl Definition {
    /// Parses and checks a definition; the error names the line or the rule broken.
    pub fn parse(text: &str) -> Result<Definition, String> {
        let definition: Definition = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        definition.check()?;
        Ok(definition)
    }

    pub fn choices<'a>(&'a self, item: &'a Item) -> &'a [Choice] {
        if item.options.is_empty() {
            &self.options
        } else {
            &item.options
        }
    }

    pub fn max_total(&self) -> i32 {
        self.items
            .iter()
            .map(|i| self.choices(i).iter().map(|c| c.score).max().unwrap_or(0))
            .sum()
    }

    pub fn min_total(&self) -> i32 {
        self.items
            .iter()
            .map(|i| self.choices(i).iter().map(|c| c.score).min().unwrap_or(0))
            .sum()
    }

    fn check(&self) -> Result<(), String> {
        if self.key.trim().is_empty()
            || !self
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err("key must be letters, digits, '-' or '_' (e.g. \"phq9\")".into());
        }
        if self.items.is_empty() {
            return Err("the questionnaire has no [[items]]".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for item in &self.items {
            if !ids.insert(item.id.as_str()) {
                return Err(format!("item id {:?} is used twice", item.id));
            }
            if self.choices(item).len() < 2 {
                return Err(format!(
                    "item {:?} has fewer than two options (give `options` to the item or the questionnaire)",
                    item.id
                ));
            }
        }
        if self.bands.is_empty() {
            return Err("the questionnaire has no [[bands]] to read its total by".into());
        }
        let mut bands = self.bands.clone();
        bands.sort_by_key(|b| b.min);
        for b in &bands {
            if b.min > b.max {
                return Err(format!(
                    "band {:?} starts ({}) after it ends ({})",
                    b.en, b.min, b.max
                ));
            }
        }
        for pair in bands.windows(2) {
            if pair[1].min != pair[0].max + 1 {
                return Err(format!(
                    "bands {:?} (to {}) and {:?} (from {}) leave a gap or overlap",
                    pair[0].en, pair[0].max, pair[1].en, pair[1].min
                ));
            }
        }
        let (low, high) = (self.min_total(), self.max_total());
        if bands[0].min > low || bands[bands.len() - 1].max < high {
            return Err(format!(
                "the bands cover {} to {}, but totals run from {low} to {high}",
                bands[0].min,
                bands[bands.len() - 1].max
            ));
        }
        Ok(())
    }

    pub fn band(&self, total: i32) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&total))
    }

    /// Scores a set of answers (the chosen option's index for each item, in order).
    pub fn score(&self, answers: &[usize]) -> Result<Scored, crate::i18n::Text> {
        if answers.len() != self.items.len() {
            return Err(crate::text!(
                "msg.questionnaires.answer_count",
                answers = answers.len(),
                items = self.items.len()
            ));
        }
        let mut total = 0;
        let mut urgent = Vec::new();
        for (item, &answer) in self.items.iter().zip(answers) {
            let choice = self.choices(item).get(answer).ok_or_else(|| {
                crate::text!(
                    "msg.questionnaires.no_option",
                    item = &item.id,
                    answer = answer
                )
            })?;
            total += choice.score;
            if item.urgent_above.is_some_and(|limit| choice.score > limit) {
                urgent.push(item.id.clone());
            }
        }
        let band = self.band(total).map(|b| b.en.clone()).unwrap_or_default();
        Ok(Scored {
            total,
            band,
            urgent,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub total: i32,
    /// The band's English name (the catalog key for both languages).
    pub band: String,
    /// Items answered above their urgent limit.
    pub urgent: Vec<String>,
}

/// A filled questionnaire, kept with the patient's record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub key: String,
    pub version: String,
    pub answers: Vec<usize>,
    pub scored: Scored,
    pub at: i64,
    pub by: String,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "QuestionnaireResponse({} by {} <redacted>)",
            self.key, self.by
        )
    }
}

impl Versioned for Response {
    const VERSION: u16 = 1;
}

/// Where questionnaire results not coded by LOINC live.
pub const SYSTEM: &str = "urn:caredesk:questionnaire";

impl Definition {
    /// The results a scored questionnaire files: the total (its LOINC code when it has
    /// one) and the band.
    pub fn results(&self, scored: &Scored, at: i64) -> Vec<super::observation::Observation> {
        use super::decimal::Decimal;
        use super::observation::{LOINC, ObsValue, Observation};
        let reference = format!("{} v{}", self.key, self.version);
        let (system, code) = match &self.total_code {
            Some(code) => (LOINC, code.clone()),
            None => (SYSTEM, format!("{}-total", self.key)),
        };
        let total = ObsValue::Quantity {
            value: Decimal {
                digits: i64::from(scored.total),
                scale: 0,
            },
            comparator: None,
        };
        let band = ObsValue::Coded {
            system: Some(SYSTEM.into()),
            code: scored.band.clone(),
            display: Some(scored.band.clone()),
        };
        let name = Some(self.name.en.clone());
        vec![
            Observation::answered(system, &code, name.clone(), total, at, reference.clone()),
            Observation::answered(
                SYSTEM,
                &format!("{}-band", self.key),
                name,
                band,
                at,
                reference,
            ),
        ]
    }
}

pub fn built_in() -> Vec<Definition> {
    BUILT_IN
        .iter()
        .filter_map(|(_, text)| Definition::parse(text).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(key: &str) -> Definition {
        built_in()
            .into_iter()
            .find(|d| d.key == key)
            .unwrap_or_else(|| panic!("{key} is built in"))
    }

    #[test]
    fn every_built_in_definition_parses_and_checks() {
        for (name, text) in BUILT_IN {
            let d = Definition::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&d.key, name);
        }
        assert_eq!(get("phq9").max_total(), 27);
        assert_eq!(get("gad7").max_total(), 21);
        assert_eq!(get("findrisc").max_total(), 26);
    }

    #[test]
    fn phq9_scores_and_bands_as_published_and_item_9_is_urgent() {
        let phq9 = get("phq9");
        let s = phq9.score(&[0; 9]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (0, "minimal"));
        assert!(s.urgent.is_empty());
        // 1+1+2+1+1+1+1+1+0 = 9: mild; one more point: moderate.
        let s = phq9
            .score(&[1, 1, 2, 1, 1, 1, 1, 1, 0])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (9, "mild"));
        let s = phq9
            .score(&[1, 1, 2, 1, 1, 1, 1, 2, 0])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (10, "moderate"));
        let s = phq9.score(&[3; 9]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (27, "severe"));
        let s = phq9
            .score(&[0, 0, 0, 0, 0, 0, 0, 0, 1])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.urgent, ["9"]);
        assert!(phq9.score(&[0; 8]).is_err());
        assert!(phq9.score(&[4; 9]).is_err());
    }

    #[test]
    fn gad7_and_findrisc_bands() {
        let gad7 = get("gad7");
        for (answers, band) in [
            ([0, 1, 1, 1, 1, 1, 0], "mild"),
            ([0, 1, 1, 1, 1, 0, 0], "minimal"),
            ([2, 2, 2, 2, 2, 2, 3], "severe"),
        ] {
            assert_eq!(gad7.score(&answers).map(|s| s.band).as_deref(), Ok(band));
        }
        let findrisc = get("findrisc");
        // 55-64 (3), BMI 25-30 (1), waist 94-102 (3), inactive (2), vegetables daily
        // (0), no BP drugs (0), high glucose once (5), parent with diabetes (5) = 19.
        let s = findrisc
            .score(&[2, 1, 1, 1, 0, 0, 1, 2])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (19, "high"));
        assert_eq!(
            findrisc.score(&[0; 8]).map(|s| s.band).as_deref(),
            Ok("low")
        );
        let s = findrisc
            .score(&[3, 2, 2, 1, 1, 1, 1, 2])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_str()), (26, "very high"));
    }

    #[test]
    fn bad_definitions_say_what_is_wrong() {
        let base = BUILT_IN[1].1;
        let gap = base.replace("min = 5\nmax = 9", "min = 6\nmax = 9");
        assert!(
            Definition::parse(&gap)
                .err()
                .unwrap_or_default()
                .contains("gap or overlap")
        );
        let short = base.replace("min = 15\nmax = 21", "min = 15\nmax = 20");
        assert!(
            Definition::parse(&short)
                .err()
                .unwrap_or_default()
                .contains("totals run from 0 to 21")
        );
        let typo = base.replace("urgent_above", "urgnt_above").replace(
            "[[items]]\nid = \"1\"",
            "[[items]]\nid = \"1\"\nurgnt_above = 1",
        );
        let err = Definition::parse(&typo).err().unwrap_or_default();
        assert!(
            err.starts_with("line ") && err.contains("urgnt_above"),
            "{err}"
        );
        let twice = base.replace("id = \"2\"", "id = \"1\"");
        assert!(
            Definition::parse(&twice)
                .err()
                .unwrap_or_default()
                .contains("used twice")
        );
    }
}
