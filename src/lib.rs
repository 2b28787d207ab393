//! caredesk: the health-management desk for clinics. See ARCHITECTURE.md for the map.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod audit;
pub mod auth;
pub mod cli;
pub mod clinic;
pub mod codec;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod ingest;
pub mod layers;
pub mod report;
pub mod server;
pub mod store;
pub mod tui;
