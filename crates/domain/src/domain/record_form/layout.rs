//! The form of each section: the parts of an entry line or the named fields, and the
//! rows an editor starts from (what `reading` reads back).

use crate::domain::amendment::{Section, SectionValue};
use crate::domain::basic_info;
use crate::domain::record_codes as codes;

/// How a section is edited: entry lines with these parts, or these named fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Catalog keys (under `record.part.`) of the parts of each line.
    Entries(&'static [&'static str]),
    /// Catalog keys (under `record.field.`) of the fields, one row each.
    Fields(&'static [&'static str]),
}

pub const LIFESTYLE_FIELDS: [&str; 6] = [
    "smoking",
    "cigarettes_per_day",
    "alcohol",
    "exercise_minutes_per_week",
    "diet",
    "sleep_hours",
];
pub const MEASUREMENT_FIELDS: [&str; 6] = [
    "height_cm",
    "weight_kg",
    "waist_cm",
    "blood_group",
    "measured_on",
    "race",
];

pub fn layout(section: Section) -> Layout {
    match section {
        Section::PastIllnesses => Layout::Entries(&["condition", "icd10", "since", "status"]),
        Section::Surgeries => Layout::Entries(&["operation", "year", "note"]),
        Section::FamilyHistory => Layout::Entries(&["relative", "condition", "code"]),
        Section::Allergies => Layout::Entries(&["substance", "reaction", "severity", "code"]),
        Section::Medications => Layout::Entries(&[
            "medicine",
            "dose",
            "frequency",
            "med_status",
            "started",
            "ended",
            "code",
        ]),
        Section::Lifestyle => Layout::Fields(&LIFESTYLE_FIELDS),
        Section::Measurements => Layout::Fields(&MEASUREMENT_FIELDS),
        Section::BasicInfo => Layout::Fields(&basic_info::FIELD_NAMES),
        // Demographics are the registration form's fields, checked as registration is.
        Section::Demographics => Layout::Fields(&[]),
    }
}

fn opt(value: &Option<impl ToString>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Joins the parts of an entry, dropping empty trailing parts.
fn line(parts: &[String]) -> String {
    let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts.join("; ")
}

/// The rows an editor starts from (its words in English).
pub fn rows(value: &SectionValue) -> Vec<String> {
    rows_in(value, crate::i18n::Lang::En)
}

/// The rows in `lang`: smoking, alcohol and an allergy's severity in that language's
/// words (which the editor reads back), everything else as recorded.
pub fn rows_in(value: &SectionValue, lang: crate::i18n::Lang) -> Vec<String> {
    match value {
        SectionValue::Demographics(_) => Vec::new(),
        SectionValue::PastIllnesses(v) => v
            .iter()
            .map(|c| {
                line(&[
                    c.name.clone(),
                    codes::code_text(&c.code, &c.system),
                    opt(&c.since),
                    codes::condition_status_text(c.clinical_status, c.verification),
                ])
            })
            .collect(),
        SectionValue::Surgeries(v) => v
            .iter()
            .map(|s| line(&[s.name.clone(), opt(&s.year), opt(&s.note)]))
            .collect(),
        SectionValue::FamilyHistory(v) => v
            .iter()
            .map(|f| {
                line(&[
                    f.relative.clone(),
                    f.condition.clone(),
                    codes::code_text(&f.code, &f.system),
                ])
            })
            .collect(),
        SectionValue::Allergies(v) => v
            .iter()
            .map(|a| {
                line(&[
                    a.substance.clone(),
                    opt(&a.reaction),
                    a.severity
                        .map(|s| s.word(lang).to_string())
                        .unwrap_or_default(),
                    codes::code_text(&a.code, &a.system),
                ])
            })
            .collect(),
        SectionValue::Medications(v) => v
            .iter()
            .map(|m| {
                line(&[
                    m.name.clone(),
                    opt(&m.dose),
                    opt(&m.frequency),
                    m.status.map(|s| s.code().to_string()).unwrap_or_default(),
                    opt(&m.started),
                    opt(&m.ended),
                    codes::code_text(&m.code, &m.system),
                ])
            })
            .collect(),
        SectionValue::Lifestyle(l) => vec![
            l.smoking
                .map(|s| s.word(lang).to_string())
                .unwrap_or_default(),
            opt(&l.cigarettes_per_day),
            l.alcohol
                .map(|a| a.word(lang).to_string())
                .unwrap_or_default(),
            opt(&l.exercise_minutes_per_week),
            opt(&l.diet),
            opt(&l.sleep_hours),
        ],
        SectionValue::Measurements(m) => vec![
            opt(&m.height_cm),
            opt(&m.weight_kg),
            opt(&m.waist_cm),
            opt(&m.blood_group),
            opt(&m.measured_on),
            codes::race_text(&m.race),
        ],
        SectionValue::BasicInfo(b) => basic_info::FIELD_NAMES
            .iter()
            .map(|field| b.field_text(field, lang))
            .collect(),
    }
}

/// A list section's entries for reading: the first part, the others in brackets
/// ("Penicillin (rash, severe)"), in `lang`'s words.
pub fn entry_text_in(value: &SectionValue, lang: crate::i18n::Lang) -> Vec<String> {
    if !matches!(layout(value.section()), Layout::Entries(_)) {
        return Vec::new();
    }
    rows_in(value, lang)
        .into_iter()
        .map(|row| {
            let mut parts = row.split("; ");
            let first = parts.next().unwrap_or_default().to_string();
            let rest: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
            if rest.is_empty() {
                first
            } else {
                format!("{first} ({})", rest.join(", "))
            }
        })
        .collect()
}
