//! caredesk-clinic: the service: the one table of operations and their handlers (layer 4).
//!
//! The crates below are re-exported under their module names, so every layer
//! names a module the same way (`crate::domain::…`) while the compiler refuses a
//! path to a layer above (see `src/layers.rs` in the root package).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub use caredesk_base::{codec, crypto, i18n, linebreak, text};
pub use caredesk_domain::domain;
pub use caredesk_ingest::ingest;
pub use caredesk_store::{audit, auth, store};

pub mod clinic;
