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

pub use layout::{
    LIFESTYLE_FIELDS, Layout, MEASUREMENT_FIELDS, entry_text_in, layout, rows, rows_in,
};
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

    /// The problem as a message in the reader's language, with the value at fault.
    pub fn message(&self) -> crate::i18n::Text {
        let text = crate::i18n::Text::new(format!("record.problem.{}", self.key));
        match &self.detail {
            Some(detail) => {
                crate::text!("msg.common.with_detail", detail = detail).arg_text("text", text)
            }
            None => text,
        }
    }
}
