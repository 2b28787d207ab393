//! The 健康体检表 (国家基本公共卫生服务规范 第三版): the annual examination as one dated
//! form. Its sections and items, in the printed order, and its coded lists are data
//! (`codesets/exam_form.toml`), so the form reads, checks, shows and prints from one
//! description. An answer is stored by item id; an item without one was not examined.
//!
//! Items tied to a catalogue indicator are filled from the patient's results when a
//! form is drafted, and a value typed on the form joins the results when it is saved.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::basic_info::Declared;
use super::code_sets::{CodeError, CodeSet};
use super::decimal::Decimal;
use super::indicators;
use super::observation::Observation;
use super::record_form::Problem;
use crate::codec::Versioned;
use crate::i18n::Lang;

/// The form as shipped.
pub const BUILT_IN: &str = include_str!("../../../../codesets/exam_form.toml");

/// Longest text an item takes (as the record's fields).
pub const MAX_TEXT: usize = 200;

/// How far back a result may be to fill a new form: the year before its date.
pub const FILL_DAYS: i64 = 365;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    set: Vec<CodeSet>,
    section: Vec<SectionDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Coded,
    Number,
    Text,
    /// 无, or what there was.
    Declared,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub items: Vec<ItemDef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub kind: ItemKind,
    /// The coded list of a coded item.
    #[serde(default)]
    pub set: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub decimals: u8,
    /// The catalogue indicator the item is filled from and joins.
    #[serde(default)]
    pub indicator: Option<String>,
}

/// The form: its sections and its coded lists.
#[derive(Debug)]
pub struct Form {
    pub sections: Vec<SectionDef>,
    pub sets: Vec<CodeSet>,
}

/// The shipped form. The file is part of the binary and checked by the tests below.
pub fn form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| {
        let file: File = toml::from_str(BUILT_IN).unwrap_or(File {
            set: Vec::new(),
            section: Vec::new(),
        });
        Form {
            sections: file.section,
            sets: file.set,
        }
    })
}

impl Form {
    /// Every item with its section, in the form's order.
    pub fn items(&self) -> impl Iterator<Item = (&SectionDef, &ItemDef)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item(&self, id: &str) -> Option<&ItemDef> {
        self.items().map(|(_, i)| i).find(|i| i.id == id)
    }

    pub fn set(&self, id: &str) -> Option<&CodeSet> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// How many items the form has.
    pub fn len(&self) -> usize {
        self.items().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn named<'a>(zh: &'a str, en: &'a str, lang: Lang) -> &'a str {
    if lang.is_chinese() { zh } else { en }
}

impl SectionDef {
    pub fn name(&self, lang: Lang) -> &str {
        named(&self.zh, &self.en, lang)
    }
}

/// One item's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Codes(Vec<String>),
    Number(Decimal),
    Text(String),
    Declared(Declared),
}

impl ItemDef {
    pub fn name(&self, lang: Lang) -> &str {
        named(&self.zh, &self.en, lang)
    }

    /// The label with its unit: "体温（℃）", "Temperature (℃)".
    pub fn label(&self, lang: Lang) -> String {
        match self.unit.as_deref().filter(|u| !u.is_empty()) {
            Some(unit) if lang.is_chinese() => format!("{}（{unit}）", self.zh),
            Some(unit) => format!("{} ({})", self.en, english_unit(unit)),
            None => self.name(lang).to_string(),
        }
    }

    pub fn code_set(&self) -> Option<&'static CodeSet> {
        form().set(self.set.as_deref()?)
    }

    /// Reads what was typed: empty is not examined (`None`).
    pub fn read(&self, text: &str) -> Result<Option<Answer>, Problem> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > MAX_TEXT {
            return Err(Problem {
                key: "too_long",
                detail: None,
            });
        }
        match self.kind {
            ItemKind::Text => Ok(Some(Answer::Text(text.to_string()))),
            ItemKind::Declared => Ok(Declared::read(text).map(Answer::Declared)),
            ItemKind::Number => {
                let normal: String = text
                    .chars()
                    .map(|c| match c {
                        '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                        '．' => '.',
                        _ => c,
                    })
                    .collect();
                // A unit typed after the number is the item's own: drop it.
                let number = normal
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .trim();
                match Decimal::parse(number) {
                    Some(value) if self.in_range(value.to_f64()) => Ok(Some(Answer::Number(value))),
                    _ => Err(Problem {
                        key: "out_of_range",
                        detail: Some(self.range_text()),
                    }),
                }
            }
            ItemKind::Coded => {
                let Some(set) = self.code_set() else {
                    return Err(Problem {
                        key: "invalid",
                        detail: None,
                    });
                };
                set.read(text)
                    .map(|c| Some(Answer::Codes(c)))
                    .map_err(|e| match e {
                        CodeError::Unknown(word) => Problem {
                            key: "bad_choice",
                            detail: Some(word),
                        },
                        CodeError::Ambiguous(word, codes) => Problem {
                            key: "ambiguous_choice",
                            detail: Some(format!("{word} → {}", codes.join(", "))),
                        },
                        CodeError::OnlyOne => Problem {
                            key: "one_choice",
                            detail: None,
                        },
                        CodeError::NoneWithOthers => Problem {
                            key: "none_with_others",
                            detail: None,
                        },
                    })
            }
        }
    }

    fn in_range(&self, value: f64) -> bool {
        value.is_finite()
            && self.min.is_none_or(|min| value >= min)
            && self.max.is_none_or(|max| value <= max)
    }

    /// "30–45 ℃": what the item takes.
    pub fn range_text(&self) -> String {
        let unit = self.unit.as_deref().unwrap_or("");
        let bound = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        format!("{}–{} {unit}", bound(self.min), bound(self.max))
            .trim()
            .to_string()
    }

    /// An answer as the editor shows it in `lang` (and reads it back).
    pub fn show(&self, answer: &Answer, lang: Lang) -> String {
        match answer {
            Answer::Codes(codes) => self
                .code_set()
                .map(|set| set.show(codes, lang))
                .unwrap_or_else(|| codes.join(", ")),
            Answer::Number(value) => value.to_string(),
            Answer::Text(text) => text.clone(),
            Answer::Declared(declared) => declared.shown(lang),
        }
    }

    /// Whether a stored answer is one this item takes (the service checks what a
    /// terminal sends, as the editor does).
    fn accepts(&self, answer: &Answer) -> bool {
        match (self.kind, answer) {
            (ItemKind::Coded, Answer::Codes(codes)) => {
                let Some(set) = self.code_set() else {
                    return false;
                };
                !codes.is_empty()
                    && codes.iter().all(|c| set.get(c).is_some())
                    && (set.multiple || codes.len() == 1)
                    && (codes.len() == 1
                        || codes.iter().all(|c| set.get(c).is_some_and(|c| !c.none)))
            }
            (ItemKind::Number, Answer::Number(v)) => self.in_range(v.to_f64()),
            (ItemKind::Text, Answer::Text(t)) => {
                !t.trim().is_empty() && t.chars().count() <= MAX_TEXT
            }
            (ItemKind::Declared, Answer::Declared(Declared::None)) => true,
            (ItemKind::Declared, Answer::Declared(Declared::Some(t))) => {
                !t.trim().is_empty() && t.chars().count() <= MAX_TEXT
            }
            _ => false,
        }
    }
}

/// "次/分" reads "/min" in English; other units are the same in both languages.
fn english_unit(unit: &str) -> String {
    match unit {
        "次/分" => "/min".into(),
        "分钟" => "min".into(),
        "年" => "years".into(),
        "岁" => "age".into(),
        "支" => "cigarettes".into(),
        "两" => "liang".into(),
        other => other.into(),
    }
}

/// One examination as recorded: its date, the doctor who answers for it (责任医生)
/// and the answers by item id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamForm {
    pub date: NaiveDate,
    pub doctor: String,
    pub answers: BTreeMap<String, Answer>,
}

impl ExamForm {
    pub fn new(date: NaiveDate) -> Self {
        Self {
            date,
            doctor: String::new(),
            answers: BTreeMap::new(),
        }
    }

    /// The rows an editor starts from, in the form's order.
    pub fn rows(&self, lang: Lang) -> Vec<String> {
        form()
            .items()
            .map(|(_, item)| {
                self.answers
                    .get(&item.id)
                    .map(|a| item.show(a, lang))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The answers typed in the form's rows; each wrong row with its problem.
    pub fn read_rows(rows: &[String]) -> Result<BTreeMap<String, Answer>, Vec<(usize, Problem)>> {
        let mut answers = BTreeMap::new();
        let mut problems = Vec::new();
        for (i, (_, item)) in form().items().enumerate() {
            match item.read(rows.get(i).map(String::as_str).unwrap_or("")) {
                Ok(Some(answer)) => {
                    answers.insert(item.id.clone(), answer);
                }
                Ok(None) => {}
                Err(problem) => problems.push((i, problem)),
            }
        }
        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(problems)
        }
    }

    /// The first answer the form does not take, by item id (`None`: all are valid).
    pub fn invalid_item(&self) -> Option<String> {
        if self.doctor.chars().count() > MAX_TEXT {
            return Some("doctor".into());
        }
        self.answers
            .iter()
            .find(|(id, answer)| form().item(id).is_none_or(|item| !item.accepts(answer)))
            .map(|(id, _)| id.clone())
    }

    pub fn number(&self, item: &str) -> Option<f64> {
        match self.answers.get(item)? {
            Answer::Number(v) => Some(v.to_f64()),
            _ => None,
        }
    }

    pub fn codes(&self, item: &str) -> &[String] {
        match self.answers.get(item) {
            Some(Answer::Codes(codes)) => codes,
            _ => &[],
        }
    }

    /// The body mass index from height and weight when it was not typed.
    pub fn with_bmi(mut self) -> Self {
        if !self.answers.contains_key("bmi")
            && let (Some(h), Some(w)) = (self.number("height"), self.number("weight"))
            && h > 0.0
        {
            let bmi = w / (h / 100.0).powi(2);
            if let Some(value) = Decimal::from_f64(bmi, 1)
                && form().item("bmi").is_some_and(|i| i.in_range(bmi))
            {
                self.answers.insert("bmi".into(), Answer::Number(value));
            }
        }
        self
    }

    /// The typed values of items tied to an indicator: (indicator key, value in its
    /// catalogue unit).
    pub fn indicator_values(&self) -> Vec<(&'static str, &'static indicators::Indicator, Decimal)> {
        form()
            .items()
            .filter_map(|(_, item)| {
                let indicator = indicators::by_key(item.indicator.as_deref()?)?;
                match self.answers.get(&item.id)? {
                    Answer::Number(v) => Some((indicator.key, indicator, *v)),
                    _ => None,
                }
            })
            .collect()
    }
}

/// Whether the unit of a form item and the catalogue's SI unit are the same quantity
/// written two ways (℃ and Cel, 次/分 and /min, μmol/L and umol/L).
fn form_unit_is_si(item: &ItemDef, indicator: &indicators::Indicator) -> bool {
    let unit = item.unit.as_deref().unwrap_or("");
    indicators::same_unit(unit, indicator.unit)
        || matches!(
            (unit, indicator.unit),
            ("℃", "Cel") | ("次/分", "/min") | ("kg/m²", "kg/m2") | ("×10⁹/L", "10*9/L")
        )
}

/// A new form for `date`, the items tied to an indicator filled from the latest
/// result in the year before (and on) that day. Returns the form and the ids filled.
pub fn draft(date: NaiveDate, observations: &[Observation]) -> (ExamForm, Vec<String>) {
    let zone = crate::domain::time::clinic_zone();
    let Some(end) = date
        .succ_opt()
        .and_then(|next| zone.from_local(next.and_time(chrono::NaiveTime::MIN)))
    else {
        return (ExamForm::new(date), Vec::new());
    };
    let start = end - FILL_DAYS * 86_400;
    let mut exam = ExamForm::new(date);
    let mut filled = Vec::new();
    for (_, item) in form().items() {
        let Some(indicator) = item.indicator.as_deref().and_then(indicators::by_key) else {
            continue;
        };
        if !form_unit_is_si(item, indicator) {
            continue;
        }
        let latest = indicator
            .values_si(observations, |o| o.taken_at >= start && o.taken_at < end)
            .last()
            .map(|(_, v)| *v);
        if let Some(value) = latest
            && item.in_range(value)
            && let Some(value) = Decimal::from_f64(value, item.decimals)
        {
            exam.answers.insert(item.id.clone(), Answer::Number(value));
            filled.push(item.id.clone());
        }
    }
    // The body mass index of the height and weight filled in, not an older result's.
    if exam.answers.contains_key("height") && exam.answers.contains_key("weight") {
        exam.answers.remove("bmi");
        exam = exam.with_bmi();
        if exam.answers.contains_key("bmi") && !filled.iter().any(|f| f == "bmi") {
            filled.push("bmi".into());
        }
    }
    (exam, filled)
}

/// One saved version of a patient's exam `number`; the latest is the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamVersion {
    pub number: u32,
    pub form: ExamForm,
    pub by: String,
    pub at: i64,
}

impl Versioned for ExamVersion {
    const VERSION: u16 = 1;
}

/// The latest version of each exam, newest exam first.
pub fn latest(versions: &[ExamVersion]) -> Vec<(ExamVersion, usize)> {
    let mut by_number: BTreeMap<u32, (ExamVersion, usize)> = BTreeMap::new();
    for version in versions {
        let entry = by_number
            .entry(version.number)
            .or_insert_with(|| (version.clone(), 0));
        entry.1 += 1;
        if version.at >= entry.0.at {
            entry.0 = version.clone();
        }
    }
    let mut out: Vec<(ExamVersion, usize)> = by_number.into_values().collect();
    out.sort_by_key(|(v, _)| std::cmp::Reverse((v.form.date, v.number)));
    out
}

#[cfg(test)]
mod tests;
