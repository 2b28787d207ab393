//! caredesk-domain: plain data and pure rules (layer 1).
//!
//! The crates below are re-exported under their module names, so every layer
//! names a module the same way (`crate::domain::…`) while the compiler refuses a
//! path to a layer above (see `src/layers.rs` in the root package).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub use caredesk_base::{codec, crypto, i18n, linebreak, text};

pub mod domain;
