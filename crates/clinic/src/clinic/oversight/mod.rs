//! Oversight: the alerts that watch staff activity, patients' rights requests and their log, retention and erasure.

pub(crate) mod alert_rules;
pub mod alert_settings;
pub mod alerts;
pub mod erasure;
pub mod retention;
pub mod rights;
pub mod rights_requests;
