//! The store's own description: id, schema version, creation time.

use serde::{Deserialize, Serialize};

use super::codec::Versioned;

pub const META_TREE: &str = "meta";
pub const META_KEY: &[u8] = b"store";
/// The crypto suite the store was made with (`standard` or `sm`), in the clear: it is
/// needed before anything can be unlocked. A store without it is standard.
pub const SUITE_KEY: &[u8] = b"crypto_suite";

/// The schema this build writes. Raise it with a migration in `migrate.rs`.
/// 2: card numbers only as blind tokens in keys, alert details sealed (`upgrade.rs`).
/// 3: phones also indexed by their last four digits (`upgrade_tails.rs`).
/// 4: card tails likewise. 5: the crypto suite always recorded (`SUITE_KEY`).
pub const SCHEMA_VERSION: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMeta {
    pub store_id: [u8; 16],
    pub schema_version: u32,
    pub created_unix: i64,
}

impl Versioned for StoreMeta {
    const VERSION: u16 = 1;
}
