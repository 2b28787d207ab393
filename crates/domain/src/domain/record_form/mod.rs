//! The clinical sections as staff type them: a list section is one line per entry with
//! its parts separated by `;` (e.g. `Hypertension; I10; 2019`), a fixed section is one
//! line per field. The same parser checks what the terminal sends and what the service
//! stores, so a value is valid exactly when it survives `rows` → `parse`.
//!
//! `layout`: the form (each section's parts or fields, and the rows a value shows as);
//! `reading`: the rows read back into a value, each wrong row with its `Problem`.

mod layout;
mod reading;
#[cfg(test)]
mod tests;

pub use layout::{LIFESTYLE_FIELDS, Layout, MEASUREMENT_FIELDS, entry_text, layout, rows};
pub use reading::{check, parse};

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
