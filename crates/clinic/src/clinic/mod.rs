//! The service: one `Request` in, one `Response` out, every one authorised by role and
//! audited. Screens and commands never touch the store; they call a `Client`.

mod advice;
mod alert_rules;
pub mod alert_settings;
pub mod alerts;
pub mod api;
mod auto_tags;
pub mod backups;
mod booking;
mod call_drafts;
mod calls;
mod cards;
pub mod client;
pub mod consent;
pub mod erasure;
pub mod export;
mod export_bundle;
mod export_calls;
mod export_care;
mod export_fhir;
mod export_patient;
pub mod followup_api;
mod followup_queue;
mod followups;
mod handlers;
mod import;
mod intake;
mod key_rotation;
pub mod keys;
pub mod lab_codes;
pub mod name_index;
mod operations;
mod patients;
mod plans;
pub mod questionnaires;
mod record;
pub mod recording_client;
mod recordings;
mod reevaluate;
pub mod reply;
mod reply_types;
pub mod reports;
pub mod response;
mod results;
mod results_care;
mod results_record;
mod results_review;
pub mod rights;
mod risk;
pub mod service;
pub mod session;
pub mod settings;
mod settings_in_force;
mod signon;
mod signon_gate;
mod summaries;
pub mod table;
mod users;
mod visibility;
pub mod wire;

pub use api::{
    LookupKind, PatientView, Request, Response, Secret, ServiceError, SessionToken, SignedIn,
};
pub use client::{Client, InProcess, Signed};
pub use reply::{Registration, Reply, SignOn, UserChange};
pub use service::{Clinic, Origin};
