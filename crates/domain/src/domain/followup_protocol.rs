//! Follow-up protocols (随访方案) as data: per kind, the intervals for controlled and
//! not controlled patients, retries, priority, the readings asked for, the control
//! targets (which may depend on the patient's age), the emergency thresholds and signs
//! that refer whatever the reading, how many uncontrolled visits in a row refer, and
//! the call script in English and Chinese.

use serde::{Deserialize, Serialize};

use super::followup::Kind;
use super::indicators;

pub const BUILT_IN: &str = include_str!("../../../../rules/followup_protocols.toml");

/// A reading's threshold, in the indicator's SI unit, for patients of an age range.
/// Every bound given must hold: `at_least` (≥), `above` (>), `below` (<),
/// `at_most` (≤); `min_age` / `under_age` say whom it is for (a patient of unknown
/// age gets the thresholds without `min_age`: the general adult target).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub indicator: String,
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub above: Option<f64>,
    #[serde(default)]
    pub below: Option<f64>,
    #[serde(default)]
    pub at_most: Option<f64>,
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub under_age: Option<u32>,
}

impl Threshold {
    pub fn met_by(&self, value: f64) -> bool {
        self.at_least.is_none_or(|t| value >= t)
            && self.above.is_none_or(|t| value > t)
            && self.below.is_none_or(|t| value < t)
            && self.at_most.is_none_or(|t| value <= t)
    }

    /// Whether the threshold is for a patient of this age.
    pub fn applies_to(&self, age: Option<u32>) -> bool {
        let old_enough = match (self.min_age, age) {
            (None, _) => true,
            (Some(min), Some(age)) => age >= min,
            (Some(_), None) => false,
        };
        let young_enough = match (self.under_age, age) {
            (Some(under), Some(age)) => age < under,
            _ => true,
        };
        old_enough && young_enough
    }

    fn bounded(&self) -> bool {
        self.at_least.is_some()
            || self.above.is_some()
            || self.below.is_some()
            || self.at_most.is_some()
    }
}

/// What ticking a sign or symptom on the call's checklist does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymptomEffect {
    /// A danger sign (危急情况): emergency referral whatever the reading.
    Emergency,
    /// A new complication or an existing one worse: the visit is classed 并发症 and
    /// referral is advised.
    Complication,
    /// Recorded on the call (the record form's symptoms); no rule acts on it.
    Record,
}

/// One line of the call's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symptom {
    pub key: String,
    pub en: String,
    pub zh: String,
    pub effect: SymptomEffect,
    /// An emergency sign that refers only with one of these readings (pregnancy with
    /// high blood pressure). With none of these readings at hand, the sign alone
    /// refers: the nurse cannot rule the reading out.
    #[serde(default)]
    pub with: Vec<Threshold>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    pub kind: Kind,
    pub en: String,
    pub zh: String,
    /// The least number of follow-ups a year the standard asks for (0: none).
    pub visits_per_year: u32,
    pub controlled_days: u32,
    pub uncontrolled_days: u32,
    /// Calls not answered: tried this many times in all, `retry_days` apart.
    pub tries: u32,
    pub retry_days: u32,
    /// 1 urgent … 3 low.
    pub priority: u8,
    /// The readings the call asks for (catalogue indicators).
    #[serde(default)]
    pub readings: Vec<String>,
    #[serde(default)]
    pub controlled: Vec<Threshold>,
    /// Emergency readings: any one met refers whatever else.
    #[serde(default)]
    pub refer: Vec<Threshold>,
    /// The checklist of signs and symptoms the nurse ticks on the call.
    #[serde(default)]
    pub symptoms: Vec<Symptom>,
    /// This many visits in a row not controlled (or with an adverse reaction) refer;
    /// 0: never.
    #[serde(default)]
    pub refer_after: u32,
    pub script_en: Vec<String>,
    pub script_zh: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocols {
    pub protocols: Vec<Protocol>,
}

impl Protocols {
    pub fn parse(text: &str) -> Result<Protocols, String> {
        let parsed: Protocols = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        for kind in Kind::ALL {
            if !parsed.protocols.iter().any(|p| p.kind == kind) {
                return Err(format!(
                    "no protocol for {:?}: every kind needs one",
                    kind.key()
                ));
            }
        }
        for p in &parsed.protocols {
            let name = p.kind.key();
            let thresholds = || {
                p.controlled
                    .iter()
                    .chain(&p.refer)
                    .chain(p.symptoms.iter().flat_map(|s| &s.with))
            };
            for key in p.readings.iter().chain(thresholds().map(|t| &t.indicator)) {
                if indicators::by_key(key).is_none() {
                    return Err(format!("{name}: no indicator {key:?} in the catalogue"));
                }
            }
            if let Some(t) = thresholds().find(|t| !t.bounded()) {
                return Err(format!(
                    "{name}: the threshold on {} has no bound: give at_least, above, below or at_most",
                    t.indicator
                ));
            }
            for (i, s) in p.symptoms.iter().enumerate() {
                if s.key.trim().is_empty() || s.en.trim().is_empty() || s.zh.trim().is_empty() {
                    return Err(format!(
                        "{name}: symptom {} needs a key and English and Chinese text",
                        i + 1
                    ));
                }
                if p.symptoms[..i].iter().any(|o| o.key == s.key) {
                    return Err(format!("{name}: symptom {:?} is listed twice", s.key));
                }
            }
            if p.controlled_days == 0 || p.uncontrolled_days == 0 || p.tries == 0 {
                return Err(format!("{name}: intervals and tries must be at least 1"));
            }
            if p.visits_per_year > 0 && p.controlled_days > 366 / p.visits_per_year {
                return Err(format!(
                    "{name}: {} days between controlled visits cannot give {} visits a year",
                    p.controlled_days, p.visits_per_year
                ));
            }
        }
        Ok(parsed)
    }

    pub fn built_in() -> Protocols {
        Protocols::parse(BUILT_IN).unwrap_or(Protocols {
            protocols: Vec::new(),
        })
    }

    pub fn get(&self, kind: Kind) -> Option<&Protocol> {
        self.protocols.iter().find(|p| p.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_protocol_file_names_the_problem() {
        let e = Protocols::parse("[[protocols]]\nkind = \"hypertension\"\n").unwrap_err();
        assert!(e.starts_with("line"), "{e}");
        let missing = BUILT_IN.replace("kind = \"custom\"", "kind = \"diabetes\"");
        assert!(Protocols::parse(&missing).unwrap_err().contains("custom"));
        let bad = BUILT_IN.replace(
            "readings = [\"systolic_bp\", \"diastolic_bp\", \"heart_rate\"]",
            "readings = [\"pulse\"]",
        );
        assert!(Protocols::parse(&bad).unwrap_err().contains("pulse"));
        let twice = BUILT_IN.replacen("key = \"vision\"", "key = \"headache\"", 1);
        assert!(Protocols::parse(&twice).unwrap_err().contains("twice"));
        let unbounded = BUILT_IN.replacen("at_least = 180", "min_age = 18", 1);
        assert!(
            Protocols::parse(&unbounded)
                .unwrap_err()
                .contains("no bound")
        );
    }

    #[test]
    fn thresholds_by_bound_and_age() {
        let t = |at_least, above, below, at_most| Threshold {
            indicator: "glucose_fasting".into(),
            at_least,
            above,
            below,
            at_most,
            ..Threshold::default()
        };
        // (threshold, value, met)
        let cases = [
            (t(Some(16.7), None, None, None), 16.7, true),
            (t(Some(16.7), None, None, None), 16.6, false),
            (t(None, None, None, Some(3.9)), 3.9, true),
            (t(None, None, None, Some(3.9)), 3.91, false),
            (t(None, None, Some(3.9), None), 3.9, false),
            (t(None, Some(100.0), None, None), 100.0, false),
            (t(None, Some(100.0), None, None), 101.0, true),
        ];
        for (i, (threshold, value, met)) in cases.iter().enumerate() {
            assert_eq!(threshold.met_by(*value), *met, "case {i}");
        }
        let elderly = Threshold {
            min_age: Some(65),
            ..t(None, None, Some(150.0), None)
        };
        let adult = Threshold {
            under_age: Some(65),
            ..t(None, None, Some(140.0), None)
        };
        // (age, elderly target applies, adult target applies)
        for (age, old, young) in [
            (Some(64), false, true),
            (Some(65), true, false),
            (Some(80), true, false),
            (None, false, true),
        ] {
            assert_eq!(elderly.applies_to(age), old, "{age:?}");
            assert_eq!(adult.applies_to(age), young, "{age:?}");
        }
    }
}
