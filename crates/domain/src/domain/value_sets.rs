//! Value sets: which coded diagnoses and medicines mean diabetes, hypertension, an
//! antihypertensive … (`rules/value_sets.toml`, replaceable by the clinic's own). A
//! diagnosis is read by its code; its name counts only when it has no code of a known
//! system, and then only when the whole name is a listed synonym, never a word inside
//! it (so "Prediabetes" is not diabetes).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

use super::health::{Condition, Medication};
use super::record_codes::{ATC, RXNORM, SNOMED};

/// The value sets shipped with caredesk; `DIR/value_sets.toml` replaces them.
pub const BUILT_IN: &str = include_str!("../../../../rules/value_sets.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSets {
    #[serde(default, rename = "condition")]
    pub conditions: Vec<ConditionSet>,
    #[serde(default, rename = "medicine")]
    pub medicines: Vec<MedicineSet>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSet {
    pub id: String,
    pub en: String,
    pub zh: String,
    /// ICD-10 (and GB/T 14396, ICD-10-CM) code prefixes.
    #[serde(default)]
    pub icd10: Vec<String>,
    /// SNOMED CT concept ids.
    #[serde(default)]
    pub snomed: Vec<String>,
    /// Whole names that mean the set when a diagnosis has no code.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Sets whose members never count in this one.
    #[serde(default)]
    pub excludes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicineSet {
    pub id: String,
    pub en: String,
    pub zh: String,
    /// ATC code prefixes.
    #[serde(default)]
    pub atc: Vec<String>,
    /// RxNorm ingredient codes.
    #[serde(default)]
    pub rxnorm: Vec<String>,
    /// Generic names, English or Chinese.
    #[serde(default)]
    pub names: Vec<String>,
}

/// Dosage forms taken off a Chinese medicine name before it is compared.
const DOSAGE_FORMS: &[&str] = &[
    "缓释片",
    "控释片",
    "分散片",
    "肠溶片",
    "咀嚼片",
    "薄膜衣片",
    "缓释胶囊",
    "肠溶胶囊",
    "软胶囊",
    "胶囊",
    "注射液",
    "注射剂",
    "口服液",
    "口服溶液",
    "颗粒",
    "滴丸",
    "片",
];

impl ValueSets {
    /// Parses and checks a value-set file; the error names the line and the reason.
    pub fn parse(text: &str) -> Result<ValueSets, String> {
        let sets: ValueSets = toml::from_str(text).map_err(|e| {
            let line = super::toml_line(text, &e);
            format!("line {line}: {}", e.message())
        })?;
        let mut ids = BTreeSet::new();
        for id in sets
            .conditions
            .iter()
            .map(|c| &c.id)
            .chain(sets.medicines.iter().map(|m| &m.id))
        {
            if !ids.insert(id.as_str()) {
                return Err(format!("value set id {id:?} is used twice"));
            }
        }
        for set in &sets.conditions {
            if let Some(missing) = set
                .excludes
                .iter()
                .find(|e| !sets.conditions.iter().any(|c| c.id == **e))
            {
                return Err(format!(
                    "condition set {:?} excludes {missing:?}, which is not a condition set",
                    set.id
                ));
            }
        }
        Ok(sets)
    }

    /// The shipped value sets (they are checked by a test, so they always read).
    pub fn built_in() -> &'static ValueSets {
        static SETS: OnceLock<ValueSets> = OnceLock::new();
        SETS.get_or_init(|| {
            ValueSets::parse(BUILT_IN).unwrap_or(ValueSets {
                conditions: Vec::new(),
                medicines: Vec::new(),
            })
        })
    }

    pub fn condition_set(&self, id: &str) -> Option<&ConditionSet> {
        self.conditions.iter().find(|c| c.id == id)
    }

    /// Whether a diagnosis is in set `id`, whatever its status (see
    /// `Condition::current` for that).
    pub fn condition_is(&self, id: &str, condition: &Condition) -> bool {
        let Some(set) = self.condition_set(id) else {
            return false;
        };
        set.holds(condition)
            && !set.excludes.iter().any(|e| {
                self.condition_set(e)
                    .is_some_and(|excluded| excluded.holds(condition))
            })
    }

    /// The sets a diagnosis belongs to.
    pub fn condition_sets(&self, condition: &Condition) -> Vec<&ConditionSet> {
        self.conditions
            .iter()
            .filter(|set| self.condition_is(&set.id, condition))
            .collect()
    }

    pub fn medicine_set(&self, id: &str) -> Option<&MedicineSet> {
        self.medicines.iter().find(|m| m.id == id)
    }

    pub fn medicine_is(&self, id: &str, medicine: &Medication) -> bool {
        self.medicine_set(id).is_some_and(|set| set.holds(medicine))
    }

    /// The sets a medicine belongs to.
    pub fn medicine_sets(&self, medicine: &Medication) -> Vec<&MedicineSet> {
        self.medicines
            .iter()
            .filter(|set| set.holds(medicine))
            .collect()
    }
}

/// ICD codes compared without their dot: "E11.9" and "E119" alike.
fn icd_key(code: &str) -> String {
    code.trim().to_ascii_uppercase().replace('.', "")
}

/// A code system of the ICD-10 family (ICD-10, ICD-10-CM, GB/T 14396), or none given.
fn is_icd(system: Option<&str>) -> bool {
    system.is_none_or(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("icd-10") || s.contains("icd10") || s.contains("icd_10")
    })
}

/// Lower case, single spaces, no surrounding punctuation: how names are compared.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c == '。')
        .to_string()
}

impl ConditionSet {
    fn holds(&self, condition: &Condition) -> bool {
        if let Some(code) = condition.code.as_deref().filter(|c| !c.trim().is_empty()) {
            let system = condition.system.as_deref();
            if is_icd(system) {
                let key = icd_key(code);
                return self.icd10.iter().any(|p| key.starts_with(&icd_key(p)));
            }
            if system == Some(SNOMED) {
                return self.snomed.iter().any(|s| s == code.trim());
            }
        }
        // No code of a system the sets speak: the whole name must be a synonym.
        let name = normal(&condition.name);
        self.synonyms.iter().any(|s| normal(s) == name)
    }
}

impl MedicineSet {
    fn holds(&self, medicine: &Medication) -> bool {
        if let Some(code) = medicine.code.as_deref().map(str::trim) {
            let by_code = match medicine.system.as_deref() {
                Some(ATC) => self
                    .atc
                    .iter()
                    .any(|p| code.to_ascii_uppercase().starts_with(p.as_str())),
                Some(RXNORM) => self.rxnorm.iter().any(|r| r == code),
                _ => false,
            };
            if by_code {
                return true;
            }
        }
        let words = latin_words(&medicine.name);
        let chinese = chinese_name(&medicine.name);
        self.names.iter().any(|listed| {
            if listed.is_ascii() {
                let wanted = latin_words(listed);
                !wanted.is_empty() && words.windows(wanted.len()).any(|w| w == wanted)
            } else {
                chinese == *listed
            }
        })
    }
}

fn latin_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() || !c.is_ascii())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A Chinese medicine name without brackets, spaces and its dosage form.
fn chinese_name(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    for form in DOSAGE_FORMS {
        if let Some(stripped) = out.strip_suffix(form) {
            return stripped.to_string();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record_codes::ICD10_CM;

    fn condition(name: &str, code: Option<&str>, system: Option<&str>) -> Condition {
        Condition {
            name: name.into(),
            code: code.map(str::to_string),
            system: system.map(str::to_string),
            ..Condition::default()
        }
    }

    fn medicine(name: &str) -> Medication {
        Medication {
            name: name.into(),
            ..Medication::default()
        }
    }

    #[test]
    fn the_shipped_sets_read() {
        let sets = ValueSets::parse(BUILT_IN).map_err(|e| e.to_string());
        assert!(sets.is_ok(), "{sets:?}");
        assert_eq!(ValueSets::built_in().conditions.len(), 4);
    }

    #[test]
    fn diagnoses_by_code_never_by_a_word_inside_the_name() {
        let sets = ValueSets::built_in();
        let is = |c: &Condition| {
            sets.condition_sets(c)
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            is(&condition("Prediabetes", Some("15777000"), Some(SNOMED))),
            "prediabetes"
        );
        assert_eq!(is(&condition("Prediabetes", None, None)), "prediabetes");
        assert_eq!(
            is(&condition("44054006", Some("44054006"), Some(SNOMED))),
            "diabetes"
        );
        assert_eq!(
            is(&condition("2型糖尿病", Some("E11.900"), None)),
            "diabetes"
        );
        assert_eq!(
            is(&condition("Diabetes", Some("E11.9"), Some(ICD10_CM))),
            "diabetes"
        );
        assert_eq!(
            is(&condition("糖尿病前期", Some("R73.0"), None)),
            "prediabetes"
        );
        assert_eq!(is(&condition("Type 2 diabetes", None, None)), "diabetes");
        assert_eq!(is(&condition("Family history of diabetes", None, None)), "");
        assert_eq!(is(&condition("高血压", None, None)), "hypertension");
        assert_eq!(
            is(&condition(
                "Essential hypertension",
                Some("59621000"),
                Some(SNOMED)
            )),
            "hypertension"
        );
        // A code of a known system decides, whatever the name says.
        assert_eq!(
            is(&condition("Diabetes", Some("15777000"), Some(SNOMED))),
            "prediabetes"
        );
        assert_eq!(is(&condition("Stroke", Some("I63.9"), None)), "cvd");
    }

    #[test]
    fn medicines_by_atc_rxnorm_or_generic_name() {
        let sets = ValueSets::built_in();
        let treats = |m: &Medication| sets.medicine_is("antihypertensive", m);
        for name in [
            "amlodipine 5 MG Oral Tablet",
            "Labetalol",
            "propranolol hydrochloride 40 MG",
            "Nebivolol 5 mg",
            "diltiazem",
            "verapamil",
            "clonidine",
            "hydralazine",
            "furosemide 40 MG Oral Tablet",
            "Hydrochlorothiazide 25 MG / lisinopril 10 MG Oral Tablet",
            "复方利血平氨苯蝶啶片",
            "螺内酯片",
            "盐酸地尔硫䓬缓释胶囊",
            "苯磺酸氨氯地平片（络活喜）",
        ] {
            assert!(treats(&medicine(name)), "{name}");
        }
        for name in [
            "metformin",
            "Simvastatin 20 MG",
            "阿司匹林肠溶片",
            "amlodipinex",
        ] {
            assert!(!treats(&medicine(name)), "{name}");
        }
        let by_atc = Medication {
            name: "X".into(),
            code: Some("C07AG01".into()),
            system: Some(ATC.into()),
            ..Medication::default()
        };
        assert!(treats(&by_atc));
        let by_rxnorm = Medication {
            name: "Y".into(),
            code: Some("17767".into()),
            system: Some(RXNORM.into()),
            ..Medication::default()
        };
        assert!(treats(&by_rxnorm));
        assert!(sets.medicine_is(
            "diabetes_medicine",
            &medicine("insulin glargine 100 UNT/ML")
        ));
        assert!(sets.medicine_is("diabetes_medicine", &medicine("盐酸二甲双胍缓释片")));
    }

    #[test]
    fn a_clinic_file_is_checked() {
        let e = ValueSets::parse(
            "[[condition]]\nid = \"a\"\nen = \"A\"\nzh = \"甲\"\nexcludes = [\"b\"]\n",
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("excludes \"b\""), "{e}");
        let e = ValueSets::parse("[[condition]]\nid = \"a\"\nen = \"A\"\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains("line"), "{e}");
    }
}
