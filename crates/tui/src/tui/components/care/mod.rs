//! Care: the health record, the intake interview, questionnaires, risks, advice, the intervention plan, stage summaries and the health report's preview.

pub mod advice;
pub mod intake;
pub mod plan;
pub mod questionnaire;
pub mod record;
pub mod report;
pub mod risks;
pub mod summaries;
