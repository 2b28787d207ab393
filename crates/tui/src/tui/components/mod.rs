//! Every screen, one file (or folder) each (`tui/component.rs`): its state, keymap
//! context, actions, the replies to its calls and its drawing. A new screen is a new
//! file here and its line below.

pub mod advice;
pub mod call;
pub mod consent;
pub mod enrol;
pub mod exams;
pub mod followup_history;
pub mod home;
pub mod import;
pub mod intake;
pub mod list;
pub mod login;
pub mod patient;
pub mod plan;
pub mod print;
pub mod questionnaire;
pub mod queue;
pub mod record;
pub mod recovery_codes;
pub mod register;
pub mod report;
pub mod results;
pub mod risks;
pub mod search;
pub mod set_password;
pub mod summaries;
