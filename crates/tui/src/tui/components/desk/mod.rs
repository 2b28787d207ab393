//! The front desk's screens: patient search, registration, the patient's chart, consent, and where a document goes (printer or file).

pub mod consent;
pub mod patient;
pub mod print;
pub mod register;
pub mod search;
