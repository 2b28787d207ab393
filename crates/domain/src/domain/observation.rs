//! A result (检验/检查结果): LOINC-coded, with its value, UCUM unit, reference range,
//! abnormal flag, when it was taken and where it came from.

use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use crate::codec::Versioned;

pub const LOINC: &str = "http://loinc.org";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObsValue {
    /// A number, with a comparator when the lab sent one ("<", ">", "<=", ">=").
    Quantity {
        value: Decimal,
        comparator: Option<String>,
    },
    /// A coded answer (CE/CWE, FHIR CodeableConcept).
    Coded {
        system: Option<String>,
        code: String,
        display: Option<String>,
    },
    Text(String),
}

impl ObsValue {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            ObsValue::Quantity { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The value as a person reads it.
    pub fn text(&self) -> String {
        match self {
            ObsValue::Quantity { value, comparator } => {
                format!("{}{value}", comparator.as_deref().unwrap_or(""))
            }
            ObsValue::Coded { code, display, .. } => display.clone().unwrap_or(code.clone()),
            ObsValue::Text(t) => t.clone(),
        }
    }
}

/// A reference range: bounds when they could be read, the text as sent otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefRange {
    pub low: Option<Decimal>,
    pub high: Option<Decimal>,
    pub text: Option<String>,
}

impl RefRange {
    /// "70-105", "70_105", "4.3 to 6.2", "<5.2", ">=1.0", "[3.9, 6.1]"-ish texts.
    pub fn parse(text: &str) -> RefRange {
        let trimmed = text.trim();
        let mut range = RefRange {
            text: (!trimmed.is_empty()).then(|| trimmed.to_string()),
            ..RefRange::default()
        };
        let cleaned = trimmed.trim_matches(|c| c == '[' || c == ']' || c == '(' || c == ')');
        for (prefix, is_high) in [("<=", true), ("<", true), (">=", false), (">", false)] {
            if let Some(rest) = cleaned.strip_prefix(prefix) {
                let bound = Decimal::parse(rest);
                if is_high {
                    range.high = bound;
                } else {
                    range.low = bound;
                }
                return range;
            }
        }
        for separator in [" to ", "_", " - ", "-", "~", ",", "–"] {
            if let Some((low, high)) = cleaned.split_once(separator)
                && let (Some(low), Some(high)) = (Decimal::parse(low), Decimal::parse(high))
            {
                range.low = Some(low);
                range.high = Some(high);
                return range;
            }
        }
        range
    }

    pub fn is_empty(&self) -> bool {
        self.low.is_none() && self.high.is_none() && self.text.is_none()
    }

    /// Whether a number lies outside the bounds (None when there are none to judge by).
    pub fn outside(&self, value: Decimal) -> Option<bool> {
        if self.low.is_none() && self.high.is_none() {
            return None;
        }
        let v = value.to_f64();
        Some(self.low.is_some_and(|l| v < l.to_f64()) || self.high.is_some_and(|h| v > h.to_f64()))
    }
}

/// Where a result came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Hl7,
    Fhir,
    Csv,
    Manual,
    Questionnaire,
}

impl SourceKind {
    pub fn name(&self) -> &'static str {
        match self {
            SourceKind::Hl7 => "hl7",
            SourceKind::Fhir => "fhir",
            SourceKind::Csv => "csv",
            SourceKind::Manual => "manual",
            SourceKind::Questionnaire => "questionnaire",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    /// The file and message (e.g. "lab-2026-11.hl7 #3 CNTRL-3456"), the user for manual
    /// entry, the questionnaire's name.
    pub reference: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The coding system (LOINC unless the sender used a local code).
    pub system: String,
    pub code: String,
    /// The name as sent, for codes the catalogue does not know.
    pub display: Option<String>,
    pub value: ObsValue,
    /// UCUM, as sent.
    pub unit: Option<String>,
    pub range: RefRange,
    /// Abnormal flags as sent (HL7 table 0078 / FHIR interpretation: L, H, LL, HH, A, N …).
    pub flags: Vec<String>,
    /// When the sample was taken or the measurement made (unix seconds, UTC).
    pub taken_at: i64,
    /// Result status: F final, C corrected, P preliminary …
    pub status: Option<String>,
    pub source: Source,
}

impl std::fmt::Debug for Observation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Observation({} {} <redacted>)", self.system, self.code)
    }
}

impl Versioned for Observation {
    const VERSION: u16 = 1;
}

impl Observation {
    /// A LOINC-coded number typed in at the desk (tests and examples build results so).
    pub fn typed_in(
        code: &str,
        value: super::decimal::Decimal,
        unit: &str,
        taken_at: i64,
    ) -> Observation {
        Observation {
            system: LOINC.into(),
            code: code.into(),
            display: None,
            value: ObsValue::Quantity {
                value,
                comparator: None,
            },
            unit: Some(unit.into()),
            range: RefRange::default(),
            flags: Vec::new(),
            taken_at,
            status: None,
            source: Source {
                kind: SourceKind::Manual,
                reference: String::new(),
            },
        }
    }

    /// A result the clinic itself recorded from answers (a questionnaire's score, an
    /// intake answer): final, without unit, range or flags.
    pub fn answered(
        system: &str,
        code: &str,
        display: Option<String>,
        value: ObsValue,
        taken_at: i64,
        reference: String,
    ) -> Observation {
        Observation {
            system: system.to_string(),
            code: code.to_string(),
            display,
            value,
            unit: None,
            range: RefRange::default(),
            flags: Vec::new(),
            taken_at,
            status: Some("final".into()),
            source: Source {
                kind: SourceKind::Questionnaire,
                reference,
            },
        }
    }

    /// What the result's status says about using its value, read from FHIR codes and
    /// HL7 v2 OBX-11 codes alike.
    pub fn standing(&self) -> Standing {
        match self
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("entered-in-error" | "d" | "w") => Standing::Withdrawn,
            Some("cancelled" | "x") => Standing::Withdrawn,
            Some("corrected" | "amended" | "c") => Standing::Corrected,
            Some("preliminary" | "registered" | "partial" | "p" | "r" | "i" | "s") => {
                Standing::Preliminary
            }
            _ => Standing::Final,
        }
    }

    /// Whether the value may feed trends, tags, risks and summaries.
    pub fn counts(&self) -> bool {
        self.standing() != Standing::Withdrawn
    }

    /// Out of range by its flags, or by its range when no flag was sent.
    pub fn abnormal(&self) -> bool {
        if !self.flags.is_empty() {
            return self.flags.iter().any(|f| !matches!(f.as_str(), "N" | ""));
        }
        self.value
            .number()
            .and_then(|v| self.range.outside(v))
            .unwrap_or(false)
    }

    /// The bytes that make two results the same result (re-imports create nothing):
    /// patient, code, time, value and unit.
    pub fn identity(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for part in [
            self.system.as_str(),
            self.code.as_str(),
            &self.taken_at.to_string(),
            &self.value.text(),
            self.unit.as_deref().unwrap_or(""),
        ] {
            out.extend_from_slice(part.as_bytes());
            out.push(0x1f);
        }
        out
    }
}

/// How far a result's status lets it be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Final,
    /// Replaces the result of the same code and time it corrects.
    Corrected,
    /// Preliminary or not yet verified: used, and marked as such.
    Preliminary,
    /// Entered in error, cancelled or deleted: shown, never used.
    Withdrawn,
}

/// The results whose values are in force, in the order given: withdrawn ones left out,
/// and a result replaced by a correction of the same code and time left out.
pub fn in_force(observations: &[Observation]) -> Vec<&Observation> {
    let corrected: std::collections::BTreeSet<(&str, &str, i64)> = observations
        .iter()
        .filter(|o| o.standing() == Standing::Corrected)
        .map(|o| (o.system.as_str(), o.code.as_str(), o.taken_at))
        .collect();
    observations
        .iter()
        .filter(|o| match o.standing() {
            Standing::Withdrawn => false,
            Standing::Corrected => true,
            _ => !corrected.contains(&(o.system.as_str(), o.code.as_str(), o.taken_at)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<Decimal> {
        Decimal::parse(text)
    }

    #[test]
    fn reference_ranges_in_the_forms_labs_send() {
        let r = RefRange::parse("70_105");
        assert_eq!((r.low, r.high), (d("70"), d("105")));
        let r = RefRange::parse("4.3 to 6.2");
        assert_eq!((r.low, r.high), (d("4.3"), d("6.2")));
        let r = RefRange::parse("3.5-5.5");
        assert_eq!((r.low, r.high), (d("3.5"), d("5.5")));
        let r = RefRange::parse("<5.2");
        assert_eq!((r.low, r.high), (None, d("5.2")));
        let r = RefRange::parse(">=1.0");
        assert_eq!((r.low, r.high), (d("1.0"), None));
        let r = RefRange::parse("negative");
        assert_eq!(
            (r.low, r.high, r.text.as_deref()),
            (None, None, Some("negative"))
        );
        assert!(RefRange::parse("").is_empty());
        let r = RefRange::parse("70_105");
        assert_eq!(r.outside(d("182").unwrap()), Some(true));
        assert_eq!(r.outside(d("90").unwrap()), Some(false));
    }

    #[test]
    fn withdrawn_results_are_left_out_and_corrections_replace() {
        let at = 1_700_000_000;
        let with = |value: &str, status: Option<&str>, taken_at: i64| Observation {
            status: status.map(str::to_string),
            ..Observation::typed_in(
                "2093-3",
                d(value).unwrap_or_else(|| panic!("{value}")),
                "mmol/L",
                taken_at,
            )
        };
        let results = [
            with("5.0", Some("final"), at),
            with("9.9", Some("entered-in-error"), at + 100),
            with("8.8", Some("X"), at + 200),
            with("6.0", Some("F"), at + 300),
            with("6.1", Some("C"), at + 300),
            with("4.0", Some("R"), at + 400),
        ];
        let kept: Vec<String> = in_force(&results).iter().map(|o| o.value.text()).collect();
        assert_eq!(kept, ["5.0", "6.1", "4.0"]);
        assert_eq!(results[5].standing(), Standing::Preliminary);
        assert!(!results[1].counts());
    }
}
