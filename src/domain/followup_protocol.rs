//! Follow-up protocols (随访方案) as data: per kind, the intervals for controlled and
//! not controlled patients, retries, priority, the readings asked for, the control and
//! referral thresholds, and the call script in English and Chinese.

use serde::{Deserialize, Serialize};

use super::followup::Kind;
use super::indicators;

pub const BUILT_IN: &str = include_str!("../../rules/followup_protocols.toml");

/// A reading's threshold, in the indicator's SI unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub indicator: String,
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub below: Option<f64>,
}

impl Threshold {
    pub fn met_by(&self, value: f64) -> bool {
        self.at_least.is_none_or(|t| value >= t) && self.below.is_none_or(|t| value < t)
    }
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
    #[serde(default)]
    pub refer: Vec<Threshold>,
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
            for key in p
                .readings
                .iter()
                .chain(p.controlled.iter().map(|t| &t.indicator))
                .chain(p.refer.iter().map(|t| &t.indicator))
            {
                if indicators::by_key(key).is_none() {
                    return Err(format!("{name}: no indicator {key:?} in the catalogue"));
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
    }
}
