//! Care: the health record, the intake interview, questionnaires, risks and automatic tags, advice, intervention plans, stage summaries and printed reports.

pub(crate) mod advice;
pub(crate) mod auto_tags;
pub(crate) mod intake;
pub(crate) mod plans;
pub mod questionnaires;
pub(crate) mod record;
pub(crate) mod reevaluate;
pub mod reports;
pub(crate) mod risk;
pub(crate) mod summaries;
