//! Reading the rows back: each part or field checked (codes, dates, ranges, choices),
//! a problem kept per wrong row, and the service's own re-check of a value it was sent.

use chrono::{Datelike, NaiveDate};

use super::{Layout, Problem, layout, rows};
use crate::domain::amendment::{Section, SectionValue};
use crate::domain::basic_info::{self, BasicInfo, Declared, FieldKind};
use crate::domain::code_sets::{self, CodeError};
use crate::domain::health::{
    Alcohol, Allergy, BloodGroup, Condition, FamilyCondition, Lifestyle, Measurements, Medication,
    MedicationStatus, Severity, Smoking, Surgery, Tenths,
};
use crate::domain::identity::parse_date;
use crate::domain::record_codes as codes;

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Splits an entry line on `;` (or the full-width `；`), trimmed.
fn parts(text: &str, max: usize) -> Result<Vec<String>, Problem> {
    let parts: Vec<String> = text
        .split([';', '；'])
        .map(|p| p.trim().to_string())
        .collect();
    if parts.len() > max {
        return Err(Problem::with("too_many_parts", text.trim()));
    }
    if parts[0].is_empty() {
        return Err(Problem::new("need_name"));
    }
    Ok(parts)
}

fn part(parts: &[String], i: usize) -> Option<String> {
    parts.get(i).and_then(|p| some(p))
}

/// An ICD-10 code: a letter, two digits, optionally a dot and up to four more.
pub(super) fn icd10(text: &str) -> Result<String, Problem> {
    let code = text.trim().to_uppercase();
    let mut chars = code.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && code.len() >= 3
        && code[1..3].chars().all(|c| c.is_ascii_digit())
        && match code.get(3..) {
            Some("") | None => true,
            Some(rest) => rest.strip_prefix('.').is_some_and(|d| {
                (1..=4).contains(&d.len()) && d.chars().all(|c| c.is_ascii_alphanumeric())
            }),
        };
    if ok {
        Ok(code)
    } else {
        Err(Problem::with("bad_code", text.trim()))
    }
}

/// A condition's code: ICD-10 unless it names another system.
fn condition_code(text: &str) -> Result<String, Problem> {
    match codes::read_code(text) {
        Some((code, Some(system))) if system == codes::SNOMED && !codes::snomed_valid(&code) => {
            Err(Problem::with("bad_snomed", text.trim()))
        }
        Some((_, Some(_))) => Ok(text.trim().to_string()),
        _ => icd10(text),
    }
}

fn condition_status(text: &str) -> Result<String, Problem> {
    codes::read_condition_status(text)
        .map(|_| text.trim().to_string())
        .map_err(|word| Problem::with("bad_condition_status", word))
}

fn medication_status(text: &str) -> Result<String, Problem> {
    codes::read_medication_status(text)
        .map(|_| text.trim().to_string())
        .map_err(|word| Problem::with("bad_medication_status", word))
}

fn partial_date(text: &str) -> Result<String, Problem> {
    codes::read_partial_date(text).ok_or(Problem::with("bad_partial_date", text.trim()))
}

/// An allergy with only its code set, for struct update syntax.
fn coded(text: Option<String>) -> Allergy {
    let (code, system) = text.and_then(|t| codes::read_code(&t)).unzip();
    Allergy {
        code,
        system: system.flatten(),
        ..Allergy::default()
    }
}

/// A year (1900 up to this year) or a full date not after today.
fn when(text: &str, today: NaiveDate) -> Result<String, Problem> {
    let text = text.trim();
    if text.len() == 4
        && let Ok(year) = text.parse::<i32>()
    {
        if (1900..=today.year()).contains(&year) {
            return Ok(text.to_string());
        }
        return Err(Problem::with("bad_year", text));
    }
    match parse_date(text, today) {
        Ok(date) if date <= today => Ok(date.to_string()),
        _ => Err(Problem::with("bad_year", text)),
    }
}

fn number(text: &str, range: std::ops::RangeInclusive<u32>) -> Result<Option<u32>, Problem> {
    match some(text) {
        None => Ok(None),
        Some(t) => match t.parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(Problem::with(
                "bad_number",
                format!("{t} ({}–{})", range.start(), range.end()),
            )),
        },
    }
}

fn tenths(text: &str, range: std::ops::RangeInclusive<u32>) -> Result<Option<Tenths>, Problem> {
    match some(text) {
        None => Ok(None),
        Some(t) => match Tenths::parse(&t) {
            Some(v) if range.contains(&v.0) => Ok(Some(v)),
            _ => Err(Problem::with(
                "bad_number",
                format!("{t} ({}–{})", Tenths(*range.start()), Tenths(*range.end())),
            )),
        },
    }
}

fn choice<T>(
    text: &str,
    parse: fn(&str) -> Option<T>,
    key: &'static str,
) -> Result<Option<T>, Problem> {
    match some(text) {
        None => Ok(None),
        Some(t) => parse(&t).map(Some).ok_or(Problem::with(key, t)),
    }
}

/// Longest free text of a basic-information field (an address, a workplace).
const MAX_TEXT_CHARS: usize = 200;

/// The 个人基本信息表's rows, one per field: codes of each field's set, 无 or what there
/// was, or text. Every wrong row is named.
fn basic_info(rows: &[String]) -> Result<BasicInfo, Vec<(usize, Problem)>> {
    let mut info = BasicInfo::default();
    let mut problems = Vec::new();
    for (i, (field, kind)) in basic_info::FIELDS.iter().enumerate() {
        let text = rows.get(i).map(String::as_str).unwrap_or("");
        match kind {
            FieldKind::Text => {
                if text.trim().chars().count() > MAX_TEXT_CHARS {
                    problems.push((i, Problem::new("too_long")));
                    continue;
                }
                let value = some(text);
                match *field {
                    "workplace" => info.workplace = value,
                    "household_address" => info.household_address = value,
                    _ => info.responsible_doctor = value,
                }
            }
            FieldKind::Declared => {
                if text.trim().chars().count() > MAX_TEXT_CHARS {
                    problems.push((i, Problem::new("too_long")));
                } else if let Some(declared) = Declared::read(text) {
                    info.declared.insert(field.to_string(), declared);
                }
            }
            FieldKind::Coded(set) => match code_sets::set(set).read(text) {
                Ok(codes) if codes.is_empty() => {}
                Ok(codes) => {
                    info.coded.insert(field.to_string(), codes);
                }
                Err(CodeError::Unknown(word)) => {
                    problems.push((i, Problem::with("bad_choice", word)))
                }
                Err(CodeError::Ambiguous(word, codes)) => problems.push((
                    i,
                    Problem::with("ambiguous_choice", format!("{word} → {}", codes.join(", "))),
                )),
                Err(CodeError::OnlyOne) => problems.push((i, Problem::new("one_choice"))),
                Err(CodeError::NoneWithOthers) => {
                    problems.push((i, Problem::new("none_with_others")))
                }
            },
        }
    }
    if problems.is_empty() {
        Ok(info)
    } else {
        Err(problems)
    }
}

/// Reads the editor's rows into a section value, or the problem of each wrong row.
/// Blank entry lines are dropped.
pub fn parse(
    section: Section,
    rows: &[String],
    today: NaiveDate,
) -> Result<SectionValue, Vec<Option<Problem>>> {
    let mut problems: Vec<Option<Problem>> = vec![None; rows.len()];
    let mut failed = false;
    let mut note = |i: usize, p: Problem| {
        problems[i] = Some(p);
        failed = true;
    };
    let value = match section {
        Section::Demographics => SectionValue::Demographics(Default::default()),
        Section::BasicInfo => match basic_info(rows) {
            Ok(value) => SectionValue::BasicInfo(value),
            Err(found) => {
                for (i, p) in found {
                    note(i, p);
                }
                SectionValue::BasicInfo(Default::default())
            }
        },
        Section::Lifestyle | Section::Measurements => {
            let field = |i: usize| rows.get(i).map(String::as_str).unwrap_or("");
            if section == Section::Lifestyle {
                let mut l = Lifestyle::default();
                match choice(field(0), Smoking::parse, "bad_smoking") {
                    Ok(v) => l.smoking = v,
                    Err(p) => note(0, p),
                }
                match number(field(1), 0..=200) {
                    Ok(v) => l.cigarettes_per_day = v,
                    Err(p) => note(1, p),
                }
                match choice(field(2), Alcohol::parse, "bad_alcohol") {
                    Ok(v) => l.alcohol = v,
                    Err(p) => note(2, p),
                }
                match number(field(3), 0..=10_000) {
                    Ok(v) => l.exercise_minutes_per_week = v,
                    Err(p) => note(3, p),
                }
                l.diet = some(field(4));
                match tenths(field(5), 0..=240) {
                    Ok(v) => l.sleep_hours = v,
                    Err(p) => note(5, p),
                }
                SectionValue::Lifestyle(l)
            } else {
                let mut m = Measurements::default();
                match tenths(field(0), 300..=2600) {
                    Ok(v) => m.height_cm = v,
                    Err(p) => note(0, p),
                }
                match tenths(field(1), 10..=4000) {
                    Ok(v) => m.weight_kg = v,
                    Err(p) => note(1, p),
                }
                match tenths(field(2), 300..=2500) {
                    Ok(v) => m.waist_cm = v,
                    Err(p) => note(2, p),
                }
                match choice(field(3), BloodGroup::parse, "bad_blood") {
                    Ok(v) => m.blood_group = v,
                    Err(p) => note(3, p),
                }
                match some(field(4)) {
                    None => {}
                    Some(t) => match parse_date(&t, today) {
                        Ok(d) if d <= today => m.measured_on = Some(d),
                        _ => note(4, Problem::with("bad_date", t)),
                    },
                }
                match codes::read_race(field(5)) {
                    Ok(race) => m.race = race,
                    Err(word) => note(5, Problem::with("bad_race", word)),
                }
                SectionValue::Measurements(m)
            }
        }
        _ => {
            let Layout::Entries(columns) = layout(section) else {
                unreachable!("list sections have entry layouts")
            };
            let mut entries: Vec<Vec<String>> = Vec::new();
            // Rows and entries differ once blank and unreadable rows are dropped: keep
            // each entry's row, so a problem is shown on the line it belongs to.
            let mut lines: Vec<usize> = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                if row.trim().is_empty() {
                    continue;
                }
                match parts(row, columns.len()) {
                    Ok(p) => {
                        entries.push(p);
                        lines.push(i);
                    }
                    Err(p) => note(i, p),
                }
            }
            let mut checked =
                |k: usize, i: usize, f: &dyn Fn(&str) -> Result<String, Problem>| match part(
                    &entries[k],
                    i,
                ) {
                    None => None,
                    Some(t) => match f(&t) {
                        Ok(v) => Some(v),
                        Err(p) => {
                            note(lines[k], p);
                            None
                        }
                    },
                };
            let plain = |t: &str| Ok(t.to_string());
            let year = |t: &str| when(t, today);
            match section {
                Section::PastIllnesses => SectionValue::PastIllnesses(
                    (0..entries.len())
                        .map(|k| {
                            let (code, system) = checked(k, 1, &condition_code)
                                .and_then(|t| codes::read_code(&t))
                                .unzip();
                            let (clinical_status, verification) = checked(k, 3, &condition_status)
                                .and_then(|t| codes::read_condition_status(&t).ok())
                                .unwrap_or_default();
                            Condition {
                                name: entries[k][0].clone(),
                                code,
                                since: checked(k, 2, &year),
                                system: system.flatten(),
                                clinical_status,
                                verification,
                            }
                        })
                        .collect(),
                ),
                Section::Surgeries => SectionValue::Surgeries(
                    (0..entries.len())
                        .map(|k| Surgery {
                            name: entries[k][0].clone(),
                            year: checked(k, 1, &year),
                            note: checked(k, 2, &plain),
                        })
                        .collect(),
                ),
                Section::FamilyHistory => SectionValue::FamilyHistory(
                    (0..entries.len())
                        .map(|k| {
                            let (code, system) = checked(k, 2, &plain)
                                .and_then(|t| codes::read_code(&t))
                                .unzip();
                            FamilyCondition {
                                relative: entries[k][0].clone(),
                                condition: checked(k, 1, &plain).unwrap_or_default(),
                                code,
                                system: system.flatten(),
                            }
                        })
                        .collect(),
                ),
                Section::Allergies => SectionValue::Allergies(
                    (0..entries.len())
                        .map(|k| Allergy {
                            substance: entries[k][0].clone(),
                            reaction: checked(k, 1, &plain),
                            severity: checked(k, 2, &|t| {
                                Severity::parse(t)
                                    .map(|s| s.name().to_string())
                                    .ok_or(Problem::with("bad_severity", t))
                            })
                            .and_then(|s| Severity::parse(&s)),
                            ..coded(checked(k, 3, &plain))
                        })
                        .collect(),
                ),
                _ => SectionValue::Medications(
                    (0..entries.len())
                        .map(|k| {
                            let (code, system) = checked(k, 6, &plain)
                                .and_then(|t| codes::read_code(&t))
                                .unzip();
                            Medication {
                                name: entries[k][0].clone(),
                                dose: checked(k, 1, &plain),
                                frequency: checked(k, 2, &plain),
                                status: checked(k, 3, &medication_status)
                                    .and_then(|t| MedicationStatus::parse(&t)),
                                started: checked(k, 4, &partial_date),
                                ended: checked(k, 5, &partial_date),
                                code,
                                system: system.flatten(),
                            }
                        })
                        .collect(),
                ),
            }
        }
    };
    if failed { Err(problems) } else { Ok(value) }
}

/// The service's check of a value it was sent: it must read back unchanged from its
/// own rows, and no free text may hold the part separator.
pub fn check(value: &SectionValue, today: NaiveDate) -> Result<SectionValue, Problem> {
    let section = value.section();
    if section == Section::Demographics {
        return Ok(value.clone());
    }
    let rows = rows(value);
    if let Layout::Fields(_) = layout(section)
        && rows.iter().any(|r| r.contains([';', '；']))
    {
        return Err(Problem::new("semicolon"));
    }
    match parse(section, &rows, today) {
        Ok(read) if read == *value => Ok(read),
        Ok(_) => Err(Problem::new("semicolon")),
        Err(problems) => Err(problems
            .into_iter()
            .flatten()
            .next()
            .unwrap_or(Problem::new("invalid"))),
    }
}
