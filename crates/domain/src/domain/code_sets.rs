//! The national code sets of the 个人基本信息表 (GB/T 2261.1 sex, CV02.01.101 ID types,
//! GB/T 3304 ethnicity, GB/T 2261.2 marital status, payment methods, the form's own
//! lists …), shipped as data in `codesets/national.toml` with each code's Chinese and
//! English name. The record stores codes; a code is shown with its name in the
//! reader's language and read back from a code or either name.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::i18n::Lang;

/// The code sets shipped with caredesk.
pub const BUILT_IN: &str = include_str!("../../../../codesets/national.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    set: Vec<CodeSet>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSet {
    /// The record field it codes (`ethnicity`, `payment` …).
    pub id: String,
    pub en: String,
    pub zh: String,
    /// The standard the codes come from ("GB/T 3304-1991").
    pub standard: String,
    /// The code system's OID as WS/T 500 documents name it; empty when it has none.
    #[serde(default)]
    pub oid: String,
    /// Whether the form lets several codes be ticked.
    #[serde(default)]
    pub multiple: bool,
    pub codes: Vec<Code>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The code that says "none" (无, 无残疾): it never goes with another.
    #[serde(default)]
    pub none: bool,
    /// The code that says "not known" (不详, 未说明).
    #[serde(default)]
    pub unknown: bool,
    /// The ICD-10 code of a listed disease, where one clearly applies.
    #[serde(default)]
    pub icd10: Option<String>,
}

impl CodeSet {
    /// The set as a FHIR Coding's system: its OID, or caredesk's name for a set
    /// without one.
    pub fn fhir_system(&self) -> String {
        if self.oid.is_empty() {
            format!("urn:caredesk:codeset:{}", self.id)
        } else {
            format!("urn:oid:{}", self.oid)
        }
    }
}

impl Code {
    pub fn name(&self, lang: Lang) -> &str {
        if lang.is_chinese() {
            &self.zh
        } else {
            &self.en
        }
    }

    /// "01 汉族": the code and its name, as the record shows it and the editor reads it.
    pub fn shown(&self, lang: Lang) -> String {
        format!("{} {}", self.code, self.name(lang))
    }
}

/// What is wrong with a typed value: the words that name no code, or a "none" ticked
/// beside something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    Unknown(String),
    /// The word starts or is part of several names: these codes.
    Ambiguous(String, Vec<String>),
    /// Several codes where the field takes one.
    OnlyOne,
    NoneWithOthers,
}

/// Separators between the codes of a field that takes several.
const SEPARATORS: [char; 4] = [',', '，', '、', '/'];

impl CodeSet {
    pub fn get(&self, code: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.code == code)
    }

    pub fn name(&self, lang: Lang) -> &str {
        if lang.is_chinese() {
            &self.zh
        } else {
            &self.en
        }
    }

    /// The code a typed word means: the code itself ("01" or "1"), "01 汉族" as shown,
    /// a name in either language, the start of exactly one name ("汉", "Mong"), or a
    /// part of exactly one ("positive").
    pub fn find(&self, text: &str) -> Option<&Code> {
        self.resolve(text).ok()
    }

    /// As `find`, saying why not: no name holds the word, or several do.
    pub fn resolve(&self, text: &str) -> Result<&Code, CodeError> {
        fn one<'a>(text: &str, codes: Vec<&'a Code>) -> Result<&'a Code, CodeError> {
            match codes.as_slice() {
                [] => Err(CodeError::Unknown(text.trim().to_string())),
                [only] => Ok(*only),
                several => Err(CodeError::Ambiguous(
                    text.trim().to_string(),
                    several.iter().map(|c| c.code.clone()).collect(),
                )),
            }
        }
        match self.exact(text) {
            Some(code) => Ok(code),
            None if text.trim().is_empty() => Err(CodeError::Unknown(String::new())),
            None => {
                let text = text.trim();
                let lower = text.to_lowercase();
                let starting: Vec<&Code> = self
                    .codes
                    .iter()
                    .filter(|c| {
                        c.zh.starts_with(text)
                            || (lower.len() >= 2 && c.en.to_lowercase().starts_with(&lower))
                    })
                    .collect();
                if !starting.is_empty() {
                    return one(text, starting);
                }
                one(
                    text,
                    self.codes
                        .iter()
                        .filter(|c| {
                            c.zh.contains(text)
                                || (lower.len() >= 3 && c.en.to_lowercase().contains(&lower))
                        })
                        .collect(),
                )
            }
        }
    }

    /// A code or a whole name, in either language, or "code name" as shown.
    fn exact(&self, text: &str) -> Option<&Code> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // "01 汉族" / "1 Han": the code before the name wins.
        let head = text.split_whitespace().next().unwrap_or(text);
        let exact = |t: &str| {
            self.codes.iter().find(|c| {
                c.code == t
                    || c.code.trim_start_matches('0') == t.trim_start_matches('0') && !t.is_empty()
                    || c.zh == t
                    || c.en.eq_ignore_ascii_case(t)
            })
        };
        if let Some(code) = exact(text) {
            return Some(code);
        }
        if head.chars().all(|c| c.is_ascii_digit())
            && let Some(code) = exact(head)
        {
            return Some(code);
        }
        None
    }

    /// The codes whose code or a name holds `text`, for the editor's hint.
    pub fn matching(&self, text: &str) -> Vec<&Code> {
        let text = text.trim();
        let lower = text.to_lowercase();
        self.codes
            .iter()
            .filter(|c| {
                text.is_empty()
                    || c.code.starts_with(text)
                    || c.zh.contains(text)
                    || c.en.to_lowercase().contains(&lower)
            })
            .collect()
    }

    /// One code (`multiple` false) or several, separated by commas, 、 or /.
    /// Empty text reads as no code.
    pub fn read(&self, text: &str) -> Result<Vec<String>, CodeError> {
        let listed: Vec<&str> = text
            .split(SEPARATORS)
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        // A field of one code given a list (that is not itself one name).
        if !self.multiple && listed.len() > 1 && self.find(text).is_none() {
            return Err(CodeError::OnlyOne);
        }
        let words: Vec<&str> = if self.multiple {
            listed
        } else {
            Some(text.trim())
                .filter(|w| !w.is_empty())
                .into_iter()
                .collect()
        };
        let mut codes: Vec<String> = Vec::new();
        for word in words {
            let code = self.resolve(word)?;
            if !codes.contains(&code.code) {
                codes.push(code.code.clone());
            }
        }
        if codes.len() > 1 && codes.iter().any(|c| self.get(c).is_some_and(|c| c.none)) {
            return Err(CodeError::NoneWithOthers);
        }
        Ok(codes)
    }

    /// Stored codes as the record shows them ("1 户籍", "2 高血压、3 糖尿病"); a code
    /// the set no longer holds is shown as stored.
    pub fn show(&self, codes: &[String], lang: Lang) -> String {
        let joiner = if lang.is_chinese() { "、" } else { ", " };
        codes
            .iter()
            .map(|c| {
                self.get(c)
                    .map(|code| code.shown(lang))
                    .unwrap_or(c.clone())
            })
            .collect::<Vec<_>>()
            .join(joiner)
    }
}

fn load() -> &'static [CodeSet] {
    static SETS: OnceLock<Vec<CodeSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        // The file is part of the binary and checked by the tests below.
        toml::from_str::<File>(BUILT_IN)
            .map(|f| f.set)
            .unwrap_or_default()
    })
}

pub fn all() -> &'static [CodeSet] {
    load()
}

/// The set for a field. Every id the code names is checked by a test.
pub fn set(id: &str) -> &'static CodeSet {
    load()
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("code set {id} is not in codesets/national.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sets_parse_and_hold_unique_codes_and_names() {
        let file: File = toml::from_str(BUILT_IN).expect("codesets/national.toml parses");
        assert!(file.set.len() >= 20, "{} sets", file.set.len());
        for set in &file.set {
            assert!(!set.codes.is_empty(), "{} has codes", set.id);
            for (i, a) in set.codes.iter().enumerate() {
                for b in &set.codes[i + 1..] {
                    assert_ne!(a.code, b.code, "{}: code twice", set.id);
                    assert_ne!(a.zh, b.zh, "{}: Chinese name twice", set.id);
                    assert!(!a.en.eq_ignore_ascii_case(&b.en), "{}: {}", set.id, a.en);
                }
            }
            assert!(set.codes.iter().filter(|c| c.none).count() <= 1);
        }
    }

    #[test]
    fn a_code_reads_from_its_code_either_name_or_a_unique_start() {
        let ethnicity = set("ethnicity");
        assert_eq!(ethnicity.find("01").unwrap().zh, "汉族");
        assert_eq!(ethnicity.find("1").unwrap().zh, "汉族");
        assert_eq!(ethnicity.find("汉族").unwrap().code, "01");
        assert_eq!(ethnicity.find("汉").unwrap().code, "01");
        assert_eq!(ethnicity.find("01 汉族").unwrap().code, "01");
        assert_eq!(ethnicity.find("han").unwrap().code, "01");
        assert!(ethnicity.find("火星").is_none());
        let shown = ethnicity.get("02").unwrap().shown(Lang::ZhCn);
        assert_eq!(ethnicity.find(&shown).unwrap().code, "02");
    }

    #[test]
    fn several_codes_read_and_show_in_both_languages() {
        let payment = set("payment");
        let codes = payment.read("1, 7").unwrap();
        assert_eq!(codes, vec!["1", "7"]);
        for lang in [Lang::En, Lang::ZhCn] {
            let shown = payment.show(&codes, lang);
            assert_eq!(payment.read(&shown).unwrap(), codes, "{shown}");
        }
        assert_eq!(payment.read(""), Ok(vec![]));
        assert_eq!(
            payment.read("1, 99x"),
            Err(CodeError::Unknown("99x".into()))
        );
    }

    #[test]
    fn none_stands_alone_and_a_single_field_takes_one() {
        let exposure = set("exposure");
        let none = exposure.codes.iter().find(|c| c.none).unwrap();
        let other = exposure.codes.iter().find(|c| !c.none).unwrap();
        assert_eq!(
            exposure.read(&format!("{}, {}", none.code, other.code)),
            Err(CodeError::NoneWithOthers)
        );
        assert_eq!(exposure.read(&none.zh), Ok(vec![none.code.clone()]));
        assert_eq!(set("residence").read("1, 2"), Err(CodeError::OnlyOne));
        // A word in several names says which; a word inside exactly one name finds it.
        assert_eq!(
            set("education").read("大学"),
            Err(CodeError::Ambiguous(
                "大学".into(),
                vec!["20".into(), "30".into()]
            ))
        );
        assert_eq!(set("blood_rh").read("positive"), Ok(vec!["2".into()]));
    }
}
