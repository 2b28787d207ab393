//! The front desk: registering and finding patients, member cards, exam bookings, consent and the privacy notice, and importing a patient list.

pub(crate) mod booking;
pub(crate) mod cards;
pub mod consent;
pub(crate) mod index_build;
pub mod name_index;
pub mod name_keys;
pub mod notice;
pub(crate) mod patient_import;
pub(crate) mod patients;
