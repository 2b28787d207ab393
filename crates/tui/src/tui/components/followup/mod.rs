//! Follow-up: the call queue, the call screen, and a patient's follow-up history.

pub mod call;
pub mod history;
pub mod queue;
