//! Encrypted, typed trees over sled.
//!
//! `Store` is the opened directory (lock, sled, audit log, key slots) before any key is
//! known; `Vault` is the store unlocked, where records are sealed and opened.

pub mod alerts;
pub mod backup;
pub mod bookings;
pub mod cards;
pub use crate::codec;
pub mod db;
pub mod error;
pub mod followups;
mod history;
pub mod init;
mod key_cache;
pub mod keyring;
pub mod management;
pub mod meta;
pub mod migrate;
pub mod patients;
pub mod record;
pub mod results;
pub mod results_digest;
pub mod retention;
pub mod rights;
pub mod rotation;
pub mod signon;
pub mod upgrade;
pub mod upgrade_tails;
pub mod users;
pub mod vault;
pub mod writes;

pub use db::{RawStore, Store, StoreOptions};
pub use error::StoreError;
pub use init::{InitSecrets, init};
pub use vault::{Scope, Unlock, Vault};
