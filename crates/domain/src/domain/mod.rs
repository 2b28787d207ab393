//! Plain data types and pure rules. No I/O here.

pub mod advice;
pub mod amendment;
pub mod assessment;
pub mod basic_info;
pub mod booking;
pub mod card;
pub mod clinical_status;
pub mod code_sets;
pub mod consent;
pub mod decimal;
pub mod demographics_form;
pub mod draft;
pub mod exam_form;
pub mod followup;
pub mod followup_decide;
pub mod followup_flag;
pub mod followup_form;
mod followup_old;
pub mod followup_protocol;
pub mod health;
pub mod health_v2;
pub mod identity;
pub mod indicators;
pub mod intake;
pub mod mask;
pub mod observation;
pub mod paper;
pub mod patient;
pub mod plan;
pub mod plan_form;
pub mod plan_template;
pub mod questionnaire;
pub mod record_codes;
pub mod record_form;
pub mod record_number;
pub mod retention;
pub mod rights_request;
pub mod risk;
pub mod role;
pub mod summary;
pub mod summary_format;
pub mod summary_text;
pub mod tag_rules;
pub mod text;
pub mod time;
pub mod trend;
pub mod ucum;
pub mod value_sets;

/// The line (1-based) a TOML error points at, for messages that name it.
pub fn toml_line(text: &str, error: &toml::de::Error) -> usize {
    error
        .span()
        .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
        .unwrap_or(1)
}
