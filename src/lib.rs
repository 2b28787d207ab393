//! caredesk: the health-management desk for clinics. See ARCHITECTURE.md for the map.
//!
//! The layers are workspace crates (`crates/`), each depending only on those below it,
//! so the compiler refuses an upward import. This package holds the top layer, the
//! commands and the demo clinic, and re-exports every layer under its module name
//! (`caredesk::clinic`, `caredesk::store`, …) for the binary, tests and benches.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub use caredesk_base::{codec, crypto, i18n, linebreak, text};
pub use caredesk_clinic::clinic;
pub use caredesk_domain::domain;
pub use caredesk_ingest::ingest;
pub use caredesk_report::report;
pub use caredesk_server::server;
pub use caredesk_store::{audit, auth, store};
pub use caredesk_tui::tui;

pub mod cli;
pub mod demo;
pub mod layers;
