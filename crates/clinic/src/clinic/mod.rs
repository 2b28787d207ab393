//! The service: one `Request` in, one `Response` out, every one authorised by role and
//! audited. Screens and commands never touch the store; they call a `Client`.

pub mod admin;
pub mod api;
pub mod care;
pub mod client;
pub mod desk;
pub mod export;
pub mod followup;
mod handlers;
mod operations;
pub mod oversight;
pub mod reply;
mod reply_types;
pub mod response;
pub mod results;
pub mod service;
pub mod session;
mod signon;
mod signon_gate;
pub mod table;
mod visibility;
pub mod wire;

pub use api::{
    LookupKind, PatientView, Request, Response, Secret, ServiceError, SessionToken, SignedIn,
};
pub use client::{Client, InProcess, Signed};
pub use reply::{Registration, Reply, SignOn, UserChange};
pub use service::{Clinic, Origin};
