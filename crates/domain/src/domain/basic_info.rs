//! The rest of the 个人基本信息表 (国家基本公共卫生服务规范 第三版): workplace, the coded
//! fields (常住类型, 民族, 血型, 文化程度, 职业, 婚姻状况, 医疗费用支付方式, 药物过敏史,
//! 暴露史, 残疾情况, the 家族史 grid, 生活环境), the yes/no histories with their
//! details (外伤, 输血, 遗传病史) and the cover's 户籍地址 and 责任医生.
//!
//! Coded fields hold codes of the sets in `codesets/national.toml`, so a set can grow
//! without a new record format; an empty field was not asked, and "无" is recorded as
//! the set's own "none" code, so "none" and "not asked" never look the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::code_sets::{self, CodeSet};
use crate::i18n::Lang;

/// A history the form asks as 无/有 with what it was: `None` in the record means
/// not asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Declared {
    /// Asked, and there was none (无).
    None,
    /// What there was, as given ("阑尾切除 2009", "车祸 2015-03").
    Some(String),
}

impl Declared {
    /// "无" / "none" / "no" → none; any other text is what there was.
    pub fn read(text: &str) -> Option<Declared> {
        let text = text.trim();
        match text.to_lowercase().as_str() {
            "" => None,
            "无" | "没有" | "否" | "none" | "no" | "nil" => Some(Declared::None),
            _ => Some(Declared::Some(text.to_string())),
        }
    }

    pub fn shown(&self, lang: Lang) -> String {
        match self {
            Declared::None if lang.is_chinese() => "无".to_string(),
            Declared::None => "none".to_string(),
            Declared::Some(text) => text.clone(),
        }
    }
}

/// The form's canonical in caredesk's FHIR export (a QuestionnaireResponse), as its
/// import recognises it: the 规范's 个人基本信息表, third edition (2017).
pub const FHIR_FORM: &str = "urn:caredesk:basic-info|2017";

/// How a field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Codes of this set.
    Coded(&'static str),
    /// 无, or what there was.
    Declared,
}

/// The fields, in the form's order, with how each is typed.
pub const FIELDS: [(&str, FieldKind); 26] = [
    ("workplace", FieldKind::Text),
    ("residence", FieldKind::Coded("residence")),
    ("ethnicity", FieldKind::Coded("ethnicity")),
    ("blood_abo", FieldKind::Coded("blood_abo")),
    ("blood_rh", FieldKind::Coded("blood_rh")),
    ("education", FieldKind::Coded("education")),
    ("occupation", FieldKind::Coded("occupation")),
    ("marital", FieldKind::Coded("marital")),
    ("payment", FieldKind::Coded("payment")),
    ("drug_allergy", FieldKind::Coded("drug_allergy")),
    ("exposure", FieldKind::Coded("exposure")),
    ("trauma", FieldKind::Declared),
    ("transfusion", FieldKind::Declared),
    ("family_father", FieldKind::Coded("family_disease")),
    ("family_mother", FieldKind::Coded("family_disease")),
    ("family_siblings", FieldKind::Coded("family_disease")),
    ("family_children", FieldKind::Coded("family_disease")),
    ("hereditary", FieldKind::Declared),
    ("disability", FieldKind::Coded("disability")),
    ("kitchen_exhaust", FieldKind::Coded("kitchen_exhaust")),
    ("fuel", FieldKind::Coded("fuel")),
    ("water", FieldKind::Coded("water")),
    ("toilet", FieldKind::Coded("toilet")),
    ("livestock", FieldKind::Coded("livestock")),
    ("household_address", FieldKind::Text),
    ("responsible_doctor", FieldKind::Text),
];

/// The field names alone, as the record form's layout takes them.
pub const FIELD_NAMES: [&str; 26] = [
    "workplace",
    "residence",
    "ethnicity",
    "blood_abo",
    "blood_rh",
    "education",
    "occupation",
    "marital",
    "payment",
    "drug_allergy",
    "exposure",
    "trauma",
    "transfusion",
    "family_father",
    "family_mother",
    "family_siblings",
    "family_children",
    "hereditary",
    "disability",
    "kitchen_exhaust",
    "fuel",
    "water",
    "toilet",
    "livestock",
    "household_address",
    "responsible_doctor",
];

/// The kind of the field called `name`.
pub fn kind(name: &str) -> Option<FieldKind> {
    FIELDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// The code set a coded field reads from.
pub fn code_set(name: &str) -> Option<&'static CodeSet> {
    match kind(name)? {
        FieldKind::Coded(set) => Some(code_sets::set(set)),
        _ => None,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicInfo {
    /// 工作单位.
    pub workplace: Option<String>,
    /// 户籍地址, when it differs from where the patient lives.
    pub household_address: Option<String>,
    /// 责任医生: the family doctor who answers for the record.
    pub responsible_doctor: Option<String>,
    /// Each coded field's codes, by field name; an absent field was not asked.
    pub coded: BTreeMap<String, Vec<String>>,
    /// 外伤, 输血 and 遗传病史, by field name.
    pub declared: BTreeMap<String, Declared>,
}

impl BasicInfo {
    /// This section with the fields it lacks taken from `other` (an import): what the
    /// clinic recorded stays as it is.
    pub fn filled_from(&self, other: &BasicInfo) -> BasicInfo {
        let mut out = self.clone();
        for (mine, theirs) in [
            (&mut out.workplace, &other.workplace),
            (&mut out.household_address, &other.household_address),
            (&mut out.responsible_doctor, &other.responsible_doctor),
        ] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        for (field, codes) in &other.coded {
            out.coded
                .entry(field.clone())
                .or_insert_with(|| codes.clone());
        }
        for (field, declared) in &other.declared {
            out.declared
                .entry(field.clone())
                .or_insert_with(|| declared.clone());
        }
        out
    }

    /// A coded field's codes (empty: not asked).
    pub fn codes(&self, field: &str) -> &[String] {
        self.coded.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A field as the editor shows it in `lang` (and reads back).
    pub fn field_text(&self, field: &str, lang: Lang) -> String {
        match kind(field) {
            Some(FieldKind::Text) => match field {
                "workplace" => self.workplace.clone(),
                "household_address" => self.household_address.clone(),
                _ => self.responsible_doctor.clone(),
            }
            .unwrap_or_default(),
            Some(FieldKind::Coded(set)) => code_sets::set(set).show(self.codes(field), lang),
            Some(FieldKind::Declared) => self
                .declared
                .get(field)
                .map(|d| d.shown(lang))
                .unwrap_or_default(),
            None => String::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &BasicInfo::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_fields_and_every_set_exists() {
        let names: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, FIELD_NAMES.to_vec());
        for (name, kind) in FIELDS {
            if let FieldKind::Coded(set) = kind {
                assert_eq!(code_sets::set(set).id, set, "{name}");
            }
        }
    }

    #[test]
    fn declared_tells_none_from_not_asked() {
        assert_eq!(Declared::read(""), None);
        assert_eq!(Declared::read("无"), Some(Declared::None));
        assert_eq!(Declared::read(" None "), Some(Declared::None));
        assert_eq!(
            Declared::read("车祸 2015"),
            Some(Declared::Some("车祸 2015".into()))
        );
        for lang in [Lang::En, Lang::ZhCn] {
            assert_eq!(
                Declared::read(&Declared::None.shown(lang)),
                Some(Declared::None)
            );
        }
    }
}
