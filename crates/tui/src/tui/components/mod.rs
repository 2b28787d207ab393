//! Every screen, one file (or folder) each (`tui/component.rs`): its state, keymap
//! context, actions, the replies to its calls and its drawing, grouped by who uses it
//! as the service's handlers are (`clinic/`). A new screen is a new file in its
//! group's folder and its line in that folder's `mod.rs`; `list` is the one table
//! screen the oversight lists (alerts, rights, retention, review, the exam day) share.

pub mod account;
pub mod care;
pub mod desk;
pub mod followup;
pub mod list;
pub mod results;
