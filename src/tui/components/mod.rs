//! The screens that are components (`tui/component.rs`), one file each: its state,
//! keymap context, actions, the replies to its calls and its drawing. A new screen is
//! a new file here and its line below.

pub mod advice;
pub mod call;
pub mod consent;
pub mod followup_history;
pub mod import;
pub mod intake;
pub mod plan;
pub mod print;
pub mod questionnaire;
pub mod queue;
pub mod report;
pub mod results;
pub mod risks;
pub mod summaries;
