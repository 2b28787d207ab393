//! Opening and locking the store directory, before any key is known.
//!
//! ```text
//! DIR/            0700
//!   lock          0600  flock'd by the one process that has the store open
//!   audit.seal    0600  the audit writer's current sealing key (see audit::seal)
//!   db/           0700  sled: meta, keyslots, users, patient_keys, patients, index, audit
//! ```

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use rustix::fs::{FlockOperation, flock};

use super::StoreError;
use super::codec;
use super::meta::{META_KEY, META_TREE, SCHEMA_VERSION, StoreMeta};
use super::migrate::{self, MIGRATIONS};
use crate::audit::{AuditLog, Clock, DEFAULT_EPOCH_SECONDS, system_clock};
use crate::crypto::{KdfParams, KeySlot};

pub const DB_DIR: &str = "db";
pub const LOCK_FILE: &str = "lock";
pub const KEYSLOT_TREE: &str = crate::crypto::keyslot::SLOT_TREE;

/// Knobs that tests turn; production uses `StoreOptions::default()`.
#[derive(Clone)]
pub struct StoreOptions {
    pub clock: Clock,
    /// Length of an audit sealing epoch, fixed at `init`.
    pub epoch_seconds: u64,
    /// Argon2id parameters for new password slots.
    pub password_kdf: KdfParams,
    /// The crypto suite a new store is made with (`init`); `None`: the process's.
    /// An existing store's own suite, recorded in it, always decides.
    pub crypto_suite: Option<crate::crypto::Suite>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            clock: system_clock(),
            epoch_seconds: DEFAULT_EPOCH_SECONDS,
            password_kdf: KdfParams::PASSWORD_DEFAULT,
            crypto_suite: None,
        }
    }
}

/// An open store whose data is still locked: only the audit log and the key slots
/// (which hold nothing but wrapped keys) can be used.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) db: sled::Db,
    /// Opened trees by name: `sled::Db::open_tree` takes a lock on every call.
    trees: RwLock<HashMap<String, sled::Tree>>,
    pub(crate) meta: StoreMeta,
    pub(crate) audit: AuditLog,
    pub(crate) options: StoreOptions,
    _lock: File,
}

/// New files: owner only. Set for the whole process, since every file caredesk writes
/// may hold protected data.
pub fn restrict_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Takes the store's lock file, so a second process gets a clear "in use" error.
pub(crate) fn take_lock(dir: &Path) -> Result<File, StoreError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| StoreError::from_io(dir, &e))?;
    // A child process this process is starting (printing, a player) shares the lock
    // between its fork and its exec, for a moment after the store was closed here: a
    // held lock is tried again for up to a second before it means "in use".
    let mut attempts = 0;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(file),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK && attempts < 20 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                return Err(StoreError::Locked(dir.to_path_buf()));
            }
            Err(e) => return Err(StoreError::from_io(dir, &e.into())),
        }
    }
}

/// sled's page cache for a working store: bounded so that the resident size stays
/// within the design's 300 MB with a million patients.
pub(crate) const WORKING_CACHE: u64 = 128 * 1024 * 1024;
/// For one-off whole-log scans (`audit verify`): pages that fall out of the cache are
/// read and parsed again, which made verification three times slower.
const SCAN_CACHE: u64 = 1024 * 1024 * 1024;

/// sled's log segments for a new store: sled's own default.
///
/// Smaller segments would save space (with 128 KiB the store took 1.46× SQLCipher's
/// space for 100 000 × 512 B instead of 1.54×, `cargo bench --bench store`), but sled
/// writes a page larger than a quarter of a segment to a blob file of its own, now
/// with two syncs (vendor/sled/CAREDESK.md). With 128 KiB segments a leaf of sixteen
/// 2 KiB values (a results digest, a review item) would already go there; with
/// 512 KiB only pages over 128 KiB do. Not adopted before that cost is measured on
/// the trees with large values.
const NEW_STORE_SEGMENT: usize = 512 * 1024;
/// sled's default, for a store whose settings file cannot be read (sled then reports
/// the problem itself).
const SLED_DEFAULT_SEGMENT: usize = 512 * 1024;

/// How caredesk opens sled at `db_dir` (the store's `db` directory). sled refuses to
/// open a database with another segment size than it was made with, so an existing
/// store keeps the one written in its `conf` file (stores made by a development build
/// between issue 24's commits have 128 KiB segments); a new store gets
/// `NEW_STORE_SEGMENT`. Public so that tests can read the files beside caredesk, as an
/// attacker with the disk would.
pub fn sled_config(db_dir: &Path) -> sled::Config {
    sled::Config::new()
        .path(db_dir)
        .cache_capacity(WORKING_CACHE)
        .segment_size(segment_size_of(db_dir))
        .mode(sled::Mode::HighThroughput)
}

/// The segment size recorded in sled's `conf` ("segment_size: N" on its first line).
fn segment_size_of(db_dir: &Path) -> usize {
    match std::fs::read(db_dir.join("conf")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_STORE_SEGMENT,
        Err(_) => SLED_DEFAULT_SEGMENT,
        Ok(bytes) => String::from_utf8_lossy(&bytes)
            .lines()
            .find_map(|line| line.strip_prefix("segment_size: ")?.trim().parse().ok())
            .unwrap_or(SLED_DEFAULT_SEGMENT),
    }
}

/// Opens sled; a damaged file set can make sled panic, which becomes `Corrupt`.
///
/// Our own lock file is already held, so no other process has the store; sled's file
/// lock can still be held for a moment by the background thread of a database this
/// process just dropped. That case is retried for up to two seconds.
pub(crate) fn open_sled(dir: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    let config = sled_config(&dir.join(DB_DIR)).cache_capacity(cache_bytes);
    let mut attempts = 0;
    loop {
        match catch_unwind(AssertUnwindSafe(|| config.open())) {
            Ok(Ok(db)) => return Ok(db),
            Ok(Err(sled::Error::Io(e)))
                if e.to_string().contains("could not acquire lock") && attempts < 40 =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Ok(Err(e)) => return Err(StoreError::from_sled(dir, e)),
            Err(_) => {
                return Err(StoreError::corrupt(
                    dir,
                    "the database files cannot be read",
                ));
            }
        }
    }
}

/// The store directory opened and locked, nothing read yet: what `audit verify` needs
/// (it must work on a log whose head no longer matches, and must not write).
pub struct RawStore {
    pub dir: PathBuf,
    pub db: sled::Db,
    lock: File,
}

impl RawStore {
    pub fn open(dir: &Path) -> Result<RawStore, StoreError> {
        Self::open_with_cache(dir, WORKING_CACHE)
    }

    /// Opened for one pass over everything, with a cache large enough to hold it.
    pub fn open_for_scan(dir: &Path) -> Result<RawStore, StoreError> {
        Self::open_with_cache(dir, SCAN_CACHE)
    }

    fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<RawStore, StoreError> {
        restrict_umask();
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(StoreError::NotFound(dir.to_path_buf())),
            Err(e) => return Err(StoreError::from_io(dir, &e)),
        }
        if !dir.join(DB_DIR).is_dir() {
            return Err(StoreError::NotFound(dir.to_path_buf()));
        }
        let lock = take_lock(dir)?;
        let db = open_sled(dir, cache_bytes)?;
        // Whatever reads it works under its suite.
        let meta_tree = db
            .open_tree(META_TREE)
            .map_err(|e| StoreError::from_sled(dir, e))?;
        adopt_recorded_suite(dir, &meta_tree)?;
        Ok(RawStore {
            dir: dir.to_path_buf(),
            db,
            lock,
        })
    }

    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.db
            .open_tree(name)
            .map_err(|e| StoreError::from_sled(&self.dir, e))
    }
}

/// The suite recorded in the store becomes this process's; a process already working
/// under the other one refuses the store (nothing is sealed with the wrong suite).
pub(crate) fn adopt_recorded_suite(dir: &Path, meta_tree: &sled::Tree) -> Result<(), StoreError> {
    use crate::crypto::suite::{self, Suite};
    let recorded = meta_tree
        .get(super::meta::SUITE_KEY)
        .map_err(|e| StoreError::from_sled(dir, e))?;
    let described: Option<StoreMeta> = meta_tree
        .get(META_KEY)
        .map_err(|e| StoreError::from_sled(dir, e))?
        .and_then(|bytes| codec::decode(&bytes).ok());
    let suite = match (recorded, described) {
        // Not a store (yet, or no more): what opens it says so, not the suite.
        (None, None) => return Ok(()),
        // From before the suite was recorded (schema 5 records it): standard.
        (None, Some(meta)) if meta.schema_version < 5 => Suite::Standard,
        (None, Some(_)) => {
            return Err(StoreError::corrupt(
                dir,
                "the record of its crypto suite is missing",
            ));
        }
        (Some(name), _) => Suite::parse(&String::from_utf8_lossy(&name))
            .map_err(|e| StoreError::corrupt(dir, e.to_string()))?,
    };
    suite::adopt(suite).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// The crypto suite this store works with.
    pub fn crypto_suite(&self) -> crate::crypto::Suite {
        crate::crypto::suite::current()
    }

    /// Opens an existing store, migrating an older schema and checking the audit head.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let RawStore { dir: _, db, lock } = RawStore::open(dir)?;
        let meta_tree = db
            .open_tree(META_TREE)
            .map_err(|e| StoreError::from_sled(dir, e))?;
        let mut meta: StoreMeta = match meta_tree
            .get(META_KEY)
            .map_err(|e| StoreError::from_sled(dir, e))?
        {
            Some(bytes) => codec::decode(&bytes).map_err(|e| StoreError::from_codec(dir, e))?,
            None => return Err(StoreError::corrupt(dir, "the store description is missing")),
        };
        adopt_recorded_suite(dir, &meta_tree)?;
        if meta.schema_version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                dir: dir.to_path_buf(),
                found: meta.schema_version,
                known: SCHEMA_VERSION,
            });
        }
        migrate::run(&db, &meta_tree, &mut meta, MIGRATIONS)
            .map_err(|e| StoreError::from_sled(dir, e))?;
        let audit = AuditLog::open(&db, dir, options.clock.clone())?;
        Ok(Store::from_parts(
            dir.to_path_buf(),
            db,
            meta,
            audit,
            options,
            lock,
        ))
    }

    pub(crate) fn from_parts(
        dir: PathBuf,
        db: sled::Db,
        meta: StoreMeta,
        audit: AuditLog,
        options: StoreOptions,
        lock: File,
    ) -> Self {
        Store {
            dir,
            db,
            trees: RwLock::default(),
            meta,
            audit,
            options,
            _lock: lock,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn meta(&self) -> &StoreMeta {
        &self.meta
    }

    /// A number never given before in this store (sled's monotonic id generator).
    pub fn generate_id(&self) -> Result<u64, StoreError> {
        self.db
            .generate_id()
            .map_err(|e| StoreError::from_sled(&self.dir, e))
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// Whether the store can still write: everything written so far reaches the disk.
    /// sled keeps the first I/O error it meets (a full disk) and fails every later
    /// write with it for the life of the process, so after such an error this stays an
    /// error even once space is back; only reopening the store clears it.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        if self.audit().is_broken() {
            return Err(StoreError::Audit(crate::audit::AuditError::Damaged(
                "a write failed part-way; the store must be opened again".into(),
            )));
        }
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| StoreError::from_sled(&self.dir, e))
    }

    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        if let Some(tree) = self
            .trees
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return Ok(tree.clone());
        }
        let tree = self
            .db
            .open_tree(name)
            .map_err(|e| StoreError::from_sled(&self.dir, e))?;
        self.trees
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), tree.clone());
        Ok(tree)
    }

    /// All key slots, in id order.
    pub fn key_slots(&self) -> Result<Vec<KeySlot>, StoreError> {
        let tree = self.tree(KEYSLOT_TREE)?;
        tree.iter()
            .map(|item| {
                let (_, bytes) = item.map_err(|e| StoreError::from_sled(&self.dir, e))?;
                codec::decode(&bytes).map_err(|e| StoreError::from_codec(&self.dir, e))
            })
            .collect()
    }
}

/// Tightens a directory tree to 0700 directories and 0600 files.
pub fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    // A link is not followed: the package links the settings file to root's in
    // /etc/caredesk, and a link must never make this change another file's mode.
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.is_dir() {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(path)? {
            restrict_permissions(&entry?.path())?;
        }
    } else {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_gets_sled_s_segments_and_one_made_otherwise_keeps_its_own() {
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("new");
        drop(sled_config(&new).open().unwrap());
        assert_eq!(segment_size_of(&new), NEW_STORE_SEGMENT);
        assert_eq!(NEW_STORE_SEGMENT, SLED_DEFAULT_SEGMENT);

        // A store made with 128 KiB segments, which sled will not change.
        let other = tmp.path().join("other");
        drop(
            sled::Config::new()
                .path(&other)
                .segment_size(128 * 1024)
                .open()
                .unwrap(),
        );
        assert_eq!(segment_size_of(&other), 128 * 1024);
        let reopened = sled_config(&other).open().unwrap();
        reopened.insert(b"k", b"v").unwrap();
        drop(reopened);
        assert_eq!(segment_size_of(&other), 128 * 1024);
    }
}
