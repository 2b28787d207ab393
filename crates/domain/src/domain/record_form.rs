//! The clinical sections as staff type them: a list section is one line per entry with
//! its parts separated by `;` (e.g. `Hypertension; I10; 2019`), a fixed section is one
//! line per field. The same parser checks what the terminal sends and what the service
//! stores, so a value is valid exactly when it survives `rows` → `parse`.

use chrono::{Datelike, NaiveDate};

use super::amendment::{Section, SectionValue};
use super::health::{
    Alcohol, Allergy, BloodGroup, Condition, FamilyCondition, Lifestyle, Measurements, Medication,
    MedicationStatus, Severity, Smoking, Surgery, Tenths,
};
use super::identity::parse_date;
use super::record_codes as codes;

/// What is wrong with one row: a catalog key under `record.problem.` and, where it
/// helps, the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: &'static str,
    pub detail: Option<String>,
}

impl Problem {
    fn new(key: &'static str) -> Self {
        Self { key, detail: None }
    }

    fn with(key: &'static str, detail: impl Into<String>) -> Self {
        Self {
            key,
            detail: Some(detail.into()),
        }
    }

    /// The problem in English, for service errors and logs of the operator's own input.
    pub fn english(&self) -> String {
        let text = match self.key {
            "need_name" => "the first part (the name) is empty",
            "too_many_parts" => "too many parts: separate at most the listed parts with ';'",
            "bad_code" => "not an ICD-10 code (a letter, two digits, optionally .digits: E11.9)",
            "bad_year" => "not a year or date in the past (2019 or 2019-05-01)",
            "bad_severity" => "severity must be mild, moderate or severe",
            "bad_smoking" => "smoking must be never, former or current",
            "bad_alcohol" => "alcohol must be none, occasional, regular or heavy",
            "bad_number" => "not a number in the accepted range",
            "bad_blood" => "not a blood group (A+, B-, AB+, O-)",
            "bad_date" => "not a date in the past (YYYY-MM-DD)",
            "semicolon" => "';' separates parts and cannot be inside a value",
            _ => "not valid",
        };
        match &self.detail {
            Some(d) => format!("{text}: {d}"),
            None => text.to_string(),
        }
    }
}

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

/// The rows an editor starts from.
pub fn rows(value: &SectionValue) -> Vec<String> {
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
                    a.severity.map(|s| s.name().to_string()).unwrap_or_default(),
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
            l.smoking.map(|s| s.name().to_string()).unwrap_or_default(),
            opt(&l.cigarettes_per_day),
            l.alcohol.map(|a| a.name().to_string()).unwrap_or_default(),
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
    }
}

/// A list section's entries for reading: the first part, the others in brackets
/// ("Penicillin (rash, severe)").
pub fn entry_text(value: &SectionValue) -> Vec<String> {
    if !matches!(layout(value.section()), Layout::Entries(_)) {
        return Vec::new();
    }
    rows(value)
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
fn icd10(text: &str) -> Result<String, Problem> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    fn strings(rows: &[&str]) -> Vec<String> {
        rows.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn entry_lines_become_entries() {
        let value = parse(
            Section::PastIllnesses,
            &strings(&["Hypertension; i10; 2019", "", "高血脂；E78.5"]),
            today(),
        );
        let Ok(SectionValue::PastIllnesses(v)) = value else {
            panic!("expected conditions, got {value:?}")
        };
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].code.as_deref(), Some("I10"));
        assert_eq!(v[0].since.as_deref(), Some("2019"));
        assert_eq!(v[1].name, "高血脂");
        assert_eq!(v[1].code.as_deref(), Some("E78.5"));
    }

    #[test]
    fn each_wrong_line_gets_its_own_problem() {
        let problems = parse(
            Section::Allergies,
            &strings(&[
                "penicillin; rash; terrible",
                "; hives",
                "peanuts; a; mild; c; d",
                "ok",
            ]),
            today(),
        )
        .err()
        .unwrap_or_default();
        let keys: Vec<Option<&str>> = problems.iter().map(|p| p.as_ref().map(|p| p.key)).collect();
        assert_eq!(
            keys,
            vec![
                Some("bad_severity"),
                Some("need_name"),
                Some("too_many_parts"),
                None
            ]
        );
    }

    #[test]
    fn years_must_be_past() {
        let bad = parse(
            Section::Surgeries,
            &strings(&["Appendectomy; 2031"]),
            today(),
        );
        assert!(bad.is_err());
        let bad = parse(
            Section::Surgeries,
            &strings(&["Appendectomy; 1850"]),
            today(),
        );
        assert!(bad.is_err());
        let good = parse(
            Section::Surgeries,
            &strings(&["Appendectomy; 2003-06-01; 协和"]),
            today(),
        );
        assert!(good.is_ok(), "{good:?}");
    }

    #[test]
    fn icd10_codes() {
        for good in ["I10", "e11.9", "E78.5", "Z00.00"] {
            assert!(icd10(good).is_ok(), "{good}");
        }
        for bad in ["10", "I1", "II0", "E11.", "E11.12345", "hypertension"] {
            assert!(icd10(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixed_fields_are_checked_by_range() {
        let value = parse(
            Section::Measurements,
            &strings(&["172.5", "68", "", "A+", "2026-11-20"]),
            today(),
        );
        assert!(value.is_ok(), "{value:?}");
        let problems = parse(
            Section::Measurements,
            &strings(&["1725", "68.45", "80", "C", "2027-01-01"]),
            today(),
        )
        .err()
        .unwrap_or_default();
        let keys: Vec<Option<&str>> = problems.iter().map(|p| p.as_ref().map(|p| p.key)).collect();
        assert_eq!(
            keys,
            vec![
                Some("bad_number"),
                Some("bad_number"),
                None,
                Some("bad_blood"),
                Some("bad_date")
            ]
        );
        let lifestyle = parse(
            Section::Lifestyle,
            &strings(&["current", "10", "偶尔", "150", "high salt", "6.5"]),
            today(),
        );
        let Ok(SectionValue::Lifestyle(l)) = lifestyle else {
            panic!("expected lifestyle")
        };
        assert_eq!(l.smoking, Some(Smoking::Current));
        assert_eq!(l.alcohol, Some(Alcohol::Occasional));
        assert_eq!(l.sleep_hours, Some(Tenths(65)));
    }

    #[test]
    fn values_round_trip_and_the_service_refuses_smuggled_separators() {
        let value = SectionValue::Medications(vec![Medication {
            name: "Amlodipine".into(),
            dose: Some("5 mg".into()),
            frequency: Some("once daily".into()),
            status: Some(MedicationStatus::Stopped),
            started: Some("2012".into()),
            ended: Some("2015-06".into()),
            code: Some("C08CA01".into()),
            system: Some(codes::ATC.into()),
        }]);
        assert_eq!(check(&value, today()), Ok(value.clone()));
        let coded = SectionValue::PastIllnesses(vec![Condition {
            name: "Diabetes".into(),
            code: Some("44054006".into()),
            system: Some(codes::SNOMED.into()),
            since: Some("2019".into()),
            clinical_status: Some(crate::domain::health::ClinicalStatus::Active),
            verification: Some(crate::domain::health::Verification::Refuted),
        }]);
        assert_eq!(check(&coded, today()), Ok(coded.clone()));
        let smuggled = SectionValue::Medications(vec![Medication {
            name: "Amlodipine; 10 mg".into(),
            ..Medication::default()
        }]);
        assert!(check(&smuggled, today()).is_err());
        let bad = SectionValue::Measurements(Measurements {
            height_cm: Some(Tenths(99_999)),
            ..Measurements::default()
        });
        assert_eq!(check(&bad, today()).map_err(|p| p.key), Err("bad_number"));
    }
}
