//! Schema migrations, run in order when a store written by an older caredesk opens.
//!
//! `MIGRATIONS[i]` moves a store from schema `i + 1` to `i + 2`; `SCHEMA_VERSION` is
//! always `MIGRATIONS.len() + 1`. A migration gets the raw database and must be safe
//! to run again if a crash stops it before the schema version is written.

use super::meta::{META_KEY, SCHEMA_VERSION, StoreMeta};
use super::{codec, writes::WriteSet};

pub type Migration = fn(&sled::Db) -> sled::Result<()>;

pub const MIGRATIONS: &[Migration] = &[
    mark_keyed_upgrade,
    mark_phone_tails,
    mark_card_tails,
    record_standard_suite,
];

/// 1 → 2: card keys and alert details need the keys to change (`upgrade.rs`): marked
/// pending here, done at the first unlock.
fn mark_keyed_upgrade(db: &sled::Db) -> sled::Result<()> {
    let meta = db.open_tree(super::meta::META_TREE)?;
    meta.insert(super::upgrade::PENDING_KEY, &[1u8][..])?;
    Ok(())
}

/// 2 → 3: phone tails are blind tokens, made with the keys (`upgrade_tails.rs`):
/// marked pending here, done at the first unlock.
fn mark_phone_tails(db: &sled::Db) -> sled::Result<()> {
    let meta = db.open_tree(super::meta::META_TREE)?;
    meta.insert(super::upgrade_tails::PHONE_TAILS_PENDING_KEY, &[1u8][..])?;
    Ok(())
}

/// 3 → 4: card-number tails, likewise (`upgrade_tails.rs`).
fn mark_card_tails(db: &sled::Db) -> sled::Result<()> {
    let meta = db.open_tree(super::meta::META_TREE)?;
    meta.insert(super::upgrade_tails::CARD_TAILS_PENDING_KEY, &[1u8][..])?;
    Ok(())
}

/// 4 → 5: stores from before the choice of suite are standard, and say so from now on
/// (a store of schema 5 without the record is damaged, never read as standard).
fn record_standard_suite(db: &sled::Db) -> sled::Result<()> {
    let meta = db.open_tree(super::meta::META_TREE)?;
    if !meta.contains_key(super::meta::SUITE_KEY)? {
        meta.insert(super::meta::SUITE_KEY, &b"standard"[..])?;
    }
    Ok(())
}

const _: () = assert!(MIGRATIONS.len() as u32 + 1 == SCHEMA_VERSION);

/// Brings `meta` up to `migrations.len() + 1`, recording each step as it completes.
pub fn run(
    db: &sled::Db,
    meta_tree: &sled::Tree,
    meta: &mut StoreMeta,
    migrations: &[Migration],
) -> sled::Result<u32> {
    let mut applied = 0;
    while (meta.schema_version as usize) <= migrations.len() {
        let step = migrations[meta.schema_version as usize - 1];
        step(db)?;
        meta.schema_version += 1;
        let mut writes = WriteSet::new();
        writes.put(meta_tree, META_KEY, codec::encode(meta).to_vec());
        writes.commit(db)?;
        applied += 1;
    }
    Ok(applied)
}
