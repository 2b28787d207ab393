//! How a coded entry and its statuses are written on one line of the record editor,
//! so that a code from another system and a status survive being edited at the desk:
//! `E11.9` (ICD-10), `snomed:44054006`, `http://example.org/codes|A1` for any other
//! system; statuses as their FHIR codes or Chinese words, separated by spaces.

use super::clinical_status::{ClinicalStatus, MedicationStatus, Race, Verification};

pub const SNOMED: &str = "http://snomed.info/sct";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const ICD10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const ATC: &str = "http://www.whocc.no/atc";
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";

/// Short names staff may type for the common systems.
const SHORT: &[(&str, &str)] = &[
    ("snomed", SNOMED),
    ("icd10", ICD10),
    ("icd10cm", ICD10_CM),
    ("atc", ATC),
    ("rxnorm", RXNORM),
    ("loinc", super::observation::LOINC),
];

/// A code as the editor shows it.
pub fn code_text(code: &Option<String>, system: &Option<String>) -> String {
    let Some(code) = code else {
        return String::new();
    };
    match system {
        None => code.clone(),
        Some(uri) => match SHORT.iter().find(|(_, u)| u == uri) {
            Some((short, _)) => format!("{short}:{code}"),
            None => format!("{uri}|{code}"),
        },
    }
}

/// A code typed or shown in the editor → (code, system URI); a plain code has no
/// system. `None` when the text names no code.
pub fn read_code(text: &str) -> Option<(String, Option<String>)> {
    let text = text.trim();
    if let Some((uri, code)) = text.rsplit_once('|') {
        let (uri, code) = (uri.trim(), code.trim());
        return (!uri.is_empty() && !code.is_empty())
            .then(|| (code.to_string(), Some(uri.to_string())));
    }
    if let Some((short, code)) = text.split_once(':')
        && let Some((_, uri)) = SHORT
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(short.trim()))
    {
        let code = code.trim();
        return (!code.is_empty()).then(|| (code.to_string(), Some(uri.to_string())));
    }
    (!text.is_empty()).then(|| (text.to_string(), None))
}

/// A SNOMED CT identifier: 6 to 18 digits.
pub fn snomed_valid(code: &str) -> bool {
    (6..=18).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit())
}

/// A condition's statuses as the editor shows them ("resolved", "active refuted").
pub fn condition_status_text(
    clinical: Option<ClinicalStatus>,
    verification: Option<Verification>,
) -> String {
    [
        clinical.map(ClinicalStatus::code),
        verification.map(Verification::code),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', ',', '，', '、']).filter(|w| !w.is_empty())
}

/// Reads a condition's status words; `Err` names the word not understood.
pub fn read_condition_status(
    text: &str,
) -> Result<(Option<ClinicalStatus>, Option<Verification>), String> {
    let (mut clinical, mut verification) = (None, None);
    for word in words(text) {
        if let Some(c) = ClinicalStatus::parse(word) {
            clinical = Some(c);
        } else if let Some(v) = Verification::parse(word) {
            verification = Some(v);
        } else {
            return Err(word.to_string());
        }
    }
    Ok((clinical, verification))
}

pub fn read_medication_status(text: &str) -> Result<Option<MedicationStatus>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    MedicationStatus::parse(text)
        .map(Some)
        .ok_or_else(|| text.to_string())
}

pub fn race_text(race: &[Race]) -> String {
    race.iter()
        .map(|r| r.display())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "White, Asian" or OMB codes; `Err` names the part not understood.
pub fn read_race(text: &str) -> Result<Vec<Race>, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', '，', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let race = Race::parse(part).ok_or_else(|| part.to_string())?;
        if !out.contains(&race) {
            out.push(race);
        }
    }
    Ok(out)
}

/// A date as precise as it is known: "2015", "2015-03" or "2015-03-01".
pub fn read_partial_date(text: &str) -> Option<String> {
    let text = text.trim();
    let ok = match text.len() {
        4 => text
            .parse::<i32>()
            .is_ok_and(|y| (1900..=2200).contains(&y)),
        7 => chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok(),
        10 => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        _ => false,
    };
    ok.then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_from_their_text() {
        for (code, system) in [
            ("E11.9", None),
            ("44054006", Some(SNOMED)),
            ("C08CA01", Some(ATC)),
            ("A-1", Some("urn:oid:1.2.3")),
        ] {
            let (code, system) = (Some(code.to_string()), system.map(str::to_string));
            let text = code_text(&code, &system);
            assert_eq!(read_code(&text), code.zip(Some(system)), "{text}");
        }
        assert_eq!(read_code("  "), None);
        assert!(snomed_valid("44054006") && !snomed_valid("abc") && !snomed_valid("12345"));
        assert_eq!(
            read_code("SNOMED: 15777000").map(|c| c.1),
            Some(Some(SNOMED.into()))
        );
    }

    #[test]
    fn statuses_and_races_read() {
        assert_eq!(
            read_condition_status("resolved refuted"),
            Ok((Some(ClinicalStatus::Resolved), Some(Verification::Refuted)))
        );
        assert_eq!(
            read_condition_status(&condition_status_text(Some(ClinicalStatus::Active), None)),
            Ok((Some(ClinicalStatus::Active), None))
        );
        assert_eq!(read_condition_status("gone"), Err("gone".into()));
        assert_eq!(
            read_medication_status("停用"),
            Ok(Some(MedicationStatus::Stopped))
        );
        assert_eq!(
            read_race("White, black"),
            Ok(vec![Race::White, Race::BlackOrAfricanAmerican])
        );
        assert_eq!(read_race(&race_text(&[Race::Asian])), Ok(vec![Race::Asian]));
        assert_eq!(read_partial_date("2015-03").as_deref(), Some("2015-03"));
        assert_eq!(read_partial_date("2015-13"), None);
    }
}
