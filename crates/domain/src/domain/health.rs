//! The health record (健康档案): past illnesses, surgeries, family history, allergies,
//! current medications, lifestyle and basic measurements. It changes only through
//! amendments (`domain::amendment`), which keep every earlier value readable.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::clinical_status::{ClinicalStatus, MedicationStatus, Race, Verification};
use crate::codec::{CodecError, Versioned, decode_payload};

/// A past or current illness, optionally with its code, since when and its statuses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub name: String,
    /// ICD-10 (GB/T 14396) when typed at the desk; any system's code when imported.
    pub code: Option<String>,
    /// A year ("2019") or a date, as the patient knows it.
    pub since: Option<String>,
    /// The code's system as a URI (SNOMED CT, ICD-10-CM …); `None`: ICD-10.
    #[serde(default)]
    pub system: Option<String>,
    /// `None`: not stated (a condition typed at the desk is taken as current).
    #[serde(default)]
    pub clinical_status: Option<ClinicalStatus>,
    #[serde(default)]
    pub verification: Option<Verification>,
}

impl Condition {
    /// Whether the condition holds now: not refuted or entered in error, and not
    /// resolved, inactive or in remission.
    pub fn current(&self) -> bool {
        !matches!(
            self.verification,
            Some(Verification::Refuted | Verification::EnteredInError)
        ) && self.clinical_status.is_none_or(ClinicalStatus::is_active)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surgery {
    pub name: String,
    pub year: Option<String>,
    /// Hospital, complications, anything staff should know.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyCondition {
    /// Father, mother, sibling … as given.
    pub relative: String,
    pub condition: String,
    /// The condition's code and its system's URI, when the sender coded it.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
}

impl Severity {
    /// The word for it in `lang`, as the record shows it and its editor reads it back.
    pub fn word(self, lang: crate::i18n::Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Severity::Mild, true) => "轻度",
            (Severity::Moderate, true) => "中度",
            (Severity::Severe, true) => "重度",
            (other, false) => other.name(),
        }
    }

    pub const ALL: [Severity; 3] = [Severity::Mild, Severity::Moderate, Severity::Severe];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_lowercase().as_str() {
            "mild" | "轻" | "轻度" => Some(Severity::Mild),
            "moderate" | "中" | "中度" => Some(Severity::Moderate),
            "severe" | "重" | "重度" => Some(Severity::Severe),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allergy {
    pub substance: String,
    pub reaction: Option<String>,
    pub severity: Option<Severity>,
    /// The substance's code and its system's URI, when the sender coded it.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medication {
    pub name: String,
    pub dose: Option<String>,
    pub frequency: Option<String>,
    /// The medicine's code (ATC, RxNorm, SNOMED …) and its system's URI.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
    /// `None`: not stated (a medicine typed at the desk is taken as current).
    #[serde(default)]
    pub status: Option<MedicationStatus>,
    /// When it was started and stopped, as a date ("2015-03-01") or a year.
    #[serde(default)]
    pub started: Option<String>,
    #[serde(default)]
    pub ended: Option<String>,
}

impl Medication {
    /// Whether the patient takes it on `today`: active (or not stated) and not ended.
    pub fn current(&self, today: NaiveDate) -> bool {
        let status = self
            .status
            .is_none_or(|s| matches!(s, MedicationStatus::Active | MedicationStatus::Intended));
        let ended = self
            .ended
            .as_deref()
            .and_then(partial_date)
            .is_some_and(|end| end < today);
        status && !ended
    }
}

/// "2015", "2015-03", "2015-03-01" (or a FHIR dateTime) → the last day it can mean,
/// so a medicine that "ended 2015" counts as ended only after 2015.
fn partial_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = text.get(..10).unwrap_or(text);
    if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        return Some(d);
    }
    let (year, month) = match text.len() {
        4 => (text.parse::<i32>().ok()?, 12),
        7 => (
            text.get(..4)?.parse::<i32>().ok()?,
            text.get(5..7)?.parse::<u32>().ok()?,
        ),
        _ => return None,
    };
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    first_of_next.pred_opt()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Smoking {
    Never,
    Former,
    Current,
    /// Asked, and not known ("unknown if ever smoked"): never read as a smoker.
    Unknown,
}

impl Smoking {
    /// The word for it in `lang`, as the record shows it and its editor reads it back.
    pub fn word(self, lang: crate::i18n::Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Smoking::Never, true) => "从不",
            (Smoking::Former, true) => "已戒",
            (Smoking::Current, true) => "吸烟",
            (Smoking::Unknown, true) => "不详",
            (other, false) => other.name(),
        }
    }

    pub const ALL: [Smoking; 4] = [
        Smoking::Never,
        Smoking::Former,
        Smoking::Current,
        Smoking::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Smoking::Never => "never",
            Smoking::Former => "former",
            Smoking::Current => "current",
            Smoking::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Smoking> {
        match text.trim().to_lowercase().as_str() {
            "never" | "no" | "从不" | "不吸烟" => Some(Smoking::Never),
            "former" | "quit" | "已戒" | "戒烟" => Some(Smoking::Former),
            "current" | "yes" | "吸烟" | "现在吸烟" => Some(Smoking::Current),
            "unknown" | "不详" | "不清楚" => Some(Smoking::Unknown),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alcohol {
    None,
    Occasional,
    Regular,
    Heavy,
}

impl Alcohol {
    /// The word for it in `lang`, as the record shows it and its editor reads it back.
    pub fn word(self, lang: crate::i18n::Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Alcohol::None, true) => "不饮酒",
            (Alcohol::Occasional, true) => "偶尔",
            (Alcohol::Regular, true) => "经常",
            (Alcohol::Heavy, true) => "大量",
            (other, false) => other.name(),
        }
    }

    pub const ALL: [Alcohol; 4] = [
        Alcohol::None,
        Alcohol::Occasional,
        Alcohol::Regular,
        Alcohol::Heavy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Alcohol::None => "none",
            Alcohol::Occasional => "occasional",
            Alcohol::Regular => "regular",
            Alcohol::Heavy => "heavy",
        }
    }

    pub fn parse(text: &str) -> Option<Alcohol> {
        match text.trim().to_lowercase().as_str() {
            "none" | "no" | "不饮酒" | "不喝" => Some(Alcohol::None),
            "occasional" | "偶尔" => Some(Alcohol::Occasional),
            "regular" | "经常" => Some(Alcohol::Regular),
            "heavy" | "大量" | "酗酒" => Some(Alcohol::Heavy),
            _ => None,
        }
    }
}

/// A non-negative quantity with one decimal place, stored as tenths so records stay
/// exactly comparable (172.5 cm is `Tenths(1725)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tenths(pub u32);

impl Tenths {
    /// "172", "172.5", "172,5"; more than one decimal is refused rather than rounded.
    pub fn parse(text: &str) -> Option<Tenths> {
        let text = text.trim().replace(',', ".");
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text.as_str(), ""),
        };
        if whole.is_empty() || fraction.len() > 1 {
            return None;
        }
        let whole: u32 = whole.parse().ok()?;
        let tenth: u32 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().ok()?
        };
        whole.checked_mul(10)?.checked_add(tenth).map(Tenths)
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{}", self.0 / 10)
        } else {
            write!(f, "{}.{}", self.0 / 10, self.0 % 10)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifestyle {
    pub smoking: Option<Smoking>,
    pub cigarettes_per_day: Option<u32>,
    pub alcohol: Option<Alcohol>,
    /// Moderate or vigorous exercise, minutes per week.
    pub exercise_minutes_per_week: Option<u32>,
    /// What the patient says about their diet.
    pub diet: Option<String>,
    pub sleep_hours: Option<Tenths>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BloodType {
    A,
    B,
    AB,
    O,
}

/// ABO group and RhD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BloodGroup {
    pub abo: BloodType,
    pub rh_positive: bool,
}

impl BloodGroup {
    /// "A+", "AB-", "O Rh+", "B型阳性"; a group without Rh is read as positive, as it is
    /// for more than 99 % of Han Chinese, only when written plainly ("A").
    pub fn parse(text: &str) -> Option<BloodGroup> {
        let text = text.trim().to_uppercase().replace(['型', ' '], "");
        let text = text.replace("RH", "");
        let (group, rh) = if let Some(g) = text.strip_suffix('+') {
            (g.to_string(), true)
        } else if let Some(g) = text.strip_suffix('-') {
            (g.to_string(), false)
        } else if let Some(g) = text.strip_suffix("阳性") {
            (g.to_string(), true)
        } else if let Some(g) = text.strip_suffix("阴性") {
            (g.to_string(), false)
        } else {
            (text.clone(), true)
        };
        let abo = match group.as_str() {
            "A" => BloodType::A,
            "B" => BloodType::B,
            "AB" => BloodType::AB,
            "O" => BloodType::O,
            _ => return None,
        };
        Some(BloodGroup {
            abo,
            rh_positive: rh,
        })
    }
}

impl fmt::Display for BloodGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abo = match self.abo {
            BloodType::A => "A",
            BloodType::B => "B",
            BloodType::AB => "AB",
            BloodType::O => "O",
        };
        write!(f, "{abo}{}", if self.rh_positive { "+" } else { "-" })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurements {
    pub height_cm: Option<Tenths>,
    pub weight_kg: Option<Tenths>,
    pub waist_cm: Option<Tenths>,
    pub blood_group: Option<BloodGroup>,
    pub measured_on: Option<NaiveDate>,
    /// OMB race categories, when recorded (empty: not recorded).
    #[serde(default)]
    pub race: Vec<Race>,
}

impl Measurements {
    /// Body-mass index, kg/m², from height and weight when both are known.
    pub fn bmi(&self) -> Option<f64> {
        let height_m = self.height_cm?.as_f64() / 100.0;
        let weight = self.weight_kg?.as_f64();
        (height_m > 0.0).then(|| weight / (height_m * height_m))
    }
}

/// The clinical record of one patient. Front-desk responses never carry it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthRecord {
    pub past_illnesses: Vec<Condition>,
    pub surgeries: Vec<Surgery>,
    pub family_history: Vec<FamilyCondition>,
    pub allergies: Vec<Allergy>,
    pub medications: Vec<Medication>,
    pub lifestyle: Lifestyle,
    pub measurements: Measurements,
    /// The rest of the 个人基本信息表 (format 4 on).
    pub basic: super::basic_info::BasicInfo,
}

/// Format version 1: three plain lists, before the record had sections.
#[derive(Deserialize)]
struct HealthSummaryV1 {
    allergies: Vec<String>,
    conditions: Vec<String>,
    medications: Vec<String>,
}

impl Versioned for HealthRecord {
    const VERSION: u16 = 4;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => {
                let old: HealthSummaryV1 = decode_payload(payload)?;
                Ok(HealthRecord {
                    allergies: old
                        .allergies
                        .into_iter()
                        .map(|substance| Allergy {
                            substance,
                            ..Allergy::default()
                        })
                        .collect(),
                    past_illnesses: old
                        .conditions
                        .into_iter()
                        .map(|name| Condition {
                            name,
                            ..Condition::default()
                        })
                        .collect(),
                    medications: old
                        .medications
                        .into_iter()
                        .map(|name| Medication {
                            name,
                            ..Medication::default()
                        })
                        .collect(),
                    ..HealthRecord::default()
                })
            }
            2 => Ok(decode_payload::<super::health_v2::HealthRecordV2>(payload)?.into()),
            3 => Ok(decode_payload::<super::health_v2::HealthRecordV3>(payload)?.into()),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

impl fmt::Debug for HealthRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HealthRecord(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_shown_reads_back_in_both_languages() {
        use crate::i18n::Lang;
        for lang in [Lang::En, Lang::ZhCn] {
            for s in [
                Smoking::Never,
                Smoking::Former,
                Smoking::Current,
                Smoking::Unknown,
            ] {
                assert_eq!(Smoking::parse(s.word(lang)), Some(s), "{lang:?}");
            }
            for a in Alcohol::ALL {
                assert_eq!(Alcohol::parse(a.word(lang)), Some(a), "{lang:?}");
            }
            for v in Severity::ALL {
                assert_eq!(Severity::parse(v.word(lang)), Some(v), "{lang:?}");
            }
        }
    }
    use crate::codec;

    #[test]
    fn tenths_parse_and_show() {
        assert_eq!(Tenths::parse("172.5"), Some(Tenths(1725)));
        assert_eq!(Tenths::parse(" 68 "), Some(Tenths(680)));
        assert_eq!(Tenths::parse("68,4"), Some(Tenths(684)));
        assert_eq!(Tenths::parse("68.45"), None);
        assert_eq!(Tenths::parse("-3"), None);
        assert_eq!(Tenths::parse(".5"), None);
        assert_eq!(Tenths::parse("abc"), None);
        assert_eq!(Tenths(1725).to_string(), "172.5");
        assert_eq!(Tenths(680).to_string(), "68");
    }

    #[test]
    fn blood_groups() {
        let parse = |t| BloodGroup::parse(t).map(|g| g.to_string());
        assert_eq!(parse("A+").as_deref(), Some("A+"));
        assert_eq!(parse("ab-").as_deref(), Some("AB-"));
        assert_eq!(parse("O Rh+").as_deref(), Some("O+"));
        assert_eq!(parse("B型阴性").as_deref(), Some("B-"));
        assert_eq!(parse("A").as_deref(), Some("A+"));
        assert_eq!(parse("C"), None);
    }

    #[test]
    fn bmi_from_height_and_weight() {
        let m = Measurements {
            height_cm: Some(Tenths(1700)),
            weight_kg: Some(Tenths(722)),
            ..Measurements::default()
        };
        let bmi = m.bmi().unwrap_or_default();
        assert!((bmi - 24.98).abs() < 0.01, "{bmi}");
        assert_eq!(Measurements::default().bmi(), None);
    }

    #[test]
    fn version_1_summaries_migrate_into_sections() {
        #[derive(Serialize)]
        struct V1 {
            allergies: Vec<String>,
            conditions: Vec<String>,
            medications: Vec<String>,
        }
        let old = V1 {
            allergies: vec!["penicillin".into()],
            conditions: vec!["hypertension".into()],
            medications: vec!["amlodipine".into()],
        };
        let mut bytes = 1u16.to_be_bytes().to_vec();
        bytes.extend(
            bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap_or_default(),
        );
        let record: HealthRecord = codec::decode(&bytes).unwrap_or_default();
        assert_eq!(record.allergies[0].substance, "penicillin");
        assert_eq!(record.past_illnesses[0].name, "hypertension");
        assert_eq!(record.medications[0].name, "amlodipine");
        assert_eq!(record.lifestyle, Lifestyle::default());
    }
}
