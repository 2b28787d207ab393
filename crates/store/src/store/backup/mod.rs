//! Encrypted backups: a consistent snapshot of the whole store (every tree, the audit
//! sealing state, the settings and rule files), taken while the clinic works, sealed
//! under a key derived from the store's data key, with a manifest anyone can check.
//! A restore goes into a new directory only, unlocks with a key slot the backup
//! carries (so the same people open it afterwards), and verifies the audit chain
//! before the store is used.

pub mod format;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use self::format::{CHUNK_BYTES, FORMAT, FormatError, Manifest, Reader, Writer};
use super::codec;
use super::db::{DB_DIR, KEYSLOT_TREE, LOCK_FILE, Store, open_sled, take_lock};
use super::vault::{Unlock, unlock_slots};
use super::{StoreError, StoreOptions};
use crate::audit::log::{AUDIT_TREE, read_genesis};
use crate::audit::seal::SealState;
use crate::audit::verify::{SealView, VerifyOptions, verify};
use crate::audit::{AuditEvent, Outcome};
use crate::crypto::keys::{DataKeys, hkdf_key};
use crate::crypto::keyslot::{KdfParams, KeySlot};
use crate::crypto::{SecretKey, random_array};

/// The time in a backup's file name.
pub const STAMP: &str = "%Y%m%dT%H%M%S%.3fZ";

/// When the backup named `name` was made, from its name.
pub fn made_at(name: &str) -> Option<chrono::NaiveDateTime> {
    let rest = name.strip_prefix("caredesk-")?;
    chrono::NaiveDateTime::parse_from_str(rest.get(..20)?, STAMP).ok()
}

/// Version of the plaintext inside every chunk.
const CHUNK_VERSION: u16 = 1;

/// One item of the snapshot, in order: a tree starts, its pairs follow.
#[derive(Debug, Serialize, Deserialize)]
enum Entry {
    Tree(Vec<u8>),
    Pair(Vec<u8>, Vec<u8>),
    File(String, Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(String),
}

impl From<std::io::Error> for BackupError {
    fn from(e: std::io::Error) -> Self {
        BackupError::Format(FormatError::Io(e))
    }
}

/// The key that seals one backup: from the store's data key and the backup's id.
fn backup_key(keys: &DataKeys, backup_id: &[u8; 16]) -> SecretKey {
    hkdf_key(keys.data.expose(), backup_id, "caredesk/v1/backup")
}

/// The files of the store directory that travel with it: the audit sealing state,
/// the settings, the clinic's rule files. Not the lock, sockets or the database
/// directory (its trees are copied), nor other directories.
fn store_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // The head file is written anew from the verified log at restore.
        if !entry.file_type()?.is_file()
            || name == LOCK_FILE
            || name == crate::audit::head_file::HEAD_FILE
            || name.ends_with(".sock")
        {
            continue;
        }
        files.push((name, std::fs::read(entry.path())?));
    }
    files.sort();
    Ok(files)
}

/// Collects entries into chunks of about `CHUNK_BYTES` of plaintext.
struct Chunker<W: Write> {
    writer: Writer<W>,
    batch: Vec<Entry>,
    bytes: usize,
    entries: u64,
}

impl<W: Write> Chunker<W> {
    fn push(&mut self, entry: Entry) -> Result<(), BackupError> {
        self.bytes += match &entry {
            Entry::Tree(n) => n.len(),
            Entry::Pair(k, v) => k.len() + v.len() + 8,
            Entry::File(n, b) => n.len() + b.len(),
        };
        self.entries += 1;
        self.batch.push(entry);
        if self.bytes >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BackupError> {
        let batch = std::mem::take(&mut self.batch);
        self.bytes = 0;
        let plain =
            bincode::serde::encode_to_vec((CHUNK_VERSION, batch), bincode::config::standard())
                .map_err(|e| BackupError::Refused(format!("cannot encode the snapshot: {e}")))?;
        self.writer.chunk(plain)?;
        Ok(())
    }
}

/// Writes a backup of `store` to `out`. Writers are paused (the audit log's lock is
/// held) while the trees are read, so the snapshot is one consistent moment.
pub fn write<W: Write>(
    store: &Store,
    keys: &DataKeys,
    out: W,
    created: chrono::DateTime<chrono::Utc>,
) -> Result<Manifest, BackupError> {
    let backup_id: [u8; 16] = random_array();
    let writer = Writer::new(out, backup_key(keys, &backup_id), backup_id)?;
    let mut chunker = Chunker {
        writer,
        batch: Vec::new(),
        bytes: 0,
        entries: 0,
    };
    let db = &store.db;
    let snapshot = store.audit().paused(|head| -> Result<_, BackupError> {
        let mut trees = 0u64;
        for name in db.tree_names() {
            let tree = db
                .open_tree(&name)
                .map_err(|e| StoreError::from_sled(store.dir(), e))?;
            chunker.push(Entry::Tree(name.to_vec()))?;
            trees += 1;
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| StoreError::from_sled(store.dir(), e))?;
                chunker.push(Entry::Pair(k.to_vec(), v.to_vec()))?;
            }
        }
        let files = store_files(store.dir())?;
        let names = files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        for (name, bytes) in files {
            chunker.push(Entry::File(name, bytes))?;
        }
        let next_id = db
            .generate_id()
            .map_err(|e| StoreError::from_sled(store.dir(), e))?;
        Ok((head, trees, names, next_id))
    });
    let snapshot = snapshot.map_err(StoreError::from)??;
    let (head, trees, files, next_id) = snapshot;
    chunker.flush()?;
    let (_, store_id) =
        read_genesis(store.audit().tree()).map_err(|e| BackupError::Refused(e.to_string()))?;
    let key_slots = store
        .tree(KEYSLOT_TREE)?
        .iter()
        .values()
        .map(|v| {
            v.map(|v| data_encoding::HEXLOWER.encode(&v))
                .map_err(|e| StoreError::from_sled(store.dir(), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
    let key_grants = store
        .key_grants()?
        .into_iter()
        .map(|(id, sealed)| (id, hex(&sealed)))
        .collect();
    let manifest = Manifest {
        format: FORMAT.into(),
        backup_id: hex(&backup_id),
        created: created.to_rfc3339(),
        store_id: hex(&store_id),
        audit_head_seq: head.seq,
        audit_head_hash: hex(&head.hash),
        entries: chunker.entries,
        trees,
        files,
        next_id,
        key_generation: keys.generation,
        key_slots,
        key_grants,
        crypto_suite: crate::crypto::suite::current().name().into(),
        chunks: Vec::new(),
    };
    let Chunker { writer, .. } = chunker;
    let mut finished = manifest.clone();
    writer.finish(manifest)?;
    finished.chunks.clear();
    Ok(finished)
}

/// How the person restoring or verifying proves they hold one of the store's keys.
pub enum BackupKey<'a> {
    Recovery(&'a crate::crypto::keyslot::RecoveryKey),
    KeyFile { label: &'a str, key: &'a [u8; 32] },
    Password { user: &'a str, password: &'a [u8] },
}

impl BackupKey<'_> {
    fn unlock(&self) -> Unlock<'_> {
        match self {
            BackupKey::Recovery(key) => Unlock::RecoveryKey(key),
            BackupKey::KeyFile { label, key } => Unlock::KeyFile { label, key },
            BackupKey::Password { user, password } => Unlock::Password { user, password },
        }
    }
}

fn keys_for(manifest: &Manifest, key: &BackupKey<'_>) -> Result<DataKeys, BackupError> {
    // The backup's suite opens its slots, chunks and MAC (this process adopts it).
    let suite = crate::crypto::Suite::parse(&manifest.crypto_suite)
        .map_err(|e| FormatError::Damaged(e.to_string()))?;
    crate::crypto::suite::adopt(suite).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let slots = manifest
        .key_slots
        .iter()
        .map(|hex| {
            let bytes = data_encoding::HEXLOWER
                .decode(hex.as_bytes())
                .map_err(|_| FormatError::Damaged("a key slot is malformed".into()))?;
            codec::decode::<KeySlot>(&bytes)
                .map_err(|e| FormatError::Damaged(format!("a key slot cannot be read: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let decoy = KdfParams::Argon2id {
        memory_kib: 64 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    let grants = manifest
        .key_grants
        .iter()
        .map(|(id, hex)| {
            data_encoding::HEXLOWER
                .decode(hex.as_bytes())
                .map(|sealed| (*id, sealed))
                .map_err(|_| FormatError::Damaged("a key grant is malformed".into()))
        })
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    let opening = unlock_slots(
        &slots,
        &grants,
        manifest.key_generation,
        &key.unlock(),
        decoy,
    )
    .map_err(|e| match e {
        StoreError::WrongPassword | StoreError::WrongKey => BackupError::Refused(
            "the key does not open this backup: give the recovery key, a key file or a password of this store"
                .into(),
        ),
        other => other.into(),
    })?;
    // The backup key comes from the data key alone (not the blind-index key).
    Ok(DataKeys::from_dek(opening.dek, manifest.key_generation))
}

/// What a check of a backup file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub manifest: Manifest,
    /// The key was given and every chunk opened under it.
    pub authentic: bool,
}

fn decode_chunk(plain: &[u8]) -> Result<Vec<Entry>, FormatError> {
    let ((version, entries), read): ((u16, Vec<Entry>), usize) =
        bincode::serde::decode_from_slice(plain, super::codec::decode_config())
            .map_err(|e| FormatError::Damaged(format!("a chunk cannot be decoded: {e}")))?;
    if version != CHUNK_VERSION || read != plain.len() {
        return Err(FormatError::Damaged(format!(
            "a chunk has version {version}, which this caredesk does not know"
        )));
    }
    Ok(entries)
}

/// Checks `path`: its integrity always; its authenticity and every entry when a key
/// is given.
pub fn check(path: &Path, key: Option<&BackupKey<'_>>) -> Result<Checked, BackupError> {
    let mut reader = Reader::open(File::open(path)?)?;
    let Some(key) = key else {
        return Ok(Checked {
            manifest: reader.manifest.clone(),
            authentic: false,
        });
    };
    let keys = keys_for(&reader.manifest, key)?;
    let sealing = backup_key(&keys, &reader.backup_id());
    let mut entries = 0u64;
    reader.for_each_chunk(&sealing, |plain| {
        entries += decode_chunk(plain)?.len() as u64;
        Ok(())
    })?;
    if entries != reader.manifest.entries {
        return Err(FormatError::Damaged(format!(
            "it holds {entries} entries where the manifest says {}",
            reader.manifest.entries
        ))
        .into());
    }
    Ok(Checked {
        manifest: reader.manifest.clone(),
        authentic: true,
    })
}

/// What a restore made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub manifest: Manifest,
    pub audit_entries: u64,
}

/// A directory that does not exist or is empty; anything else is refused, so a
/// restore can never overwrite a store.
fn fresh_dir(dir: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::Refused(format!(
                    "{} is not empty: restore into a new directory (a restore never replaces a store)",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Restores `path` into `dir` (new or empty), then verifies the audit chain against
/// the restored sealing state and the manifest's head, and records the restore in the
/// restored store's audit log.
pub fn restore(
    path: &Path,
    key: &BackupKey<'_>,
    dir: &Path,
    options: StoreOptions,
) -> Result<Restored, BackupError> {
    let mut reader = Reader::open(File::open(path)?)?;
    let keys = keys_for(&reader.manifest, key)?;
    let sealing = backup_key(&keys, &reader.backup_id());
    reader.authenticate(&sealing)?;
    super::db::restrict_umask();
    fresh_dir(dir)?;
    let outcome =
        fill(&mut reader, &sealing, dir).and_then(|()| finish(&reader.manifest, dir, options));
    if outcome.is_err() {
        // Nothing half-restored is left behind to be mistaken for a store.
        let _ = std::fs::remove_dir_all(dir);
    }
    outcome
}

fn fill(reader: &mut Reader<File>, sealing: &SecretKey, dir: &Path) -> Result<(), BackupError> {
    let _lock = take_lock(dir)?;
    let db = open_sled(dir, super::db::WORKING_CACHE)?;
    let sled_err = |e: sled::Error| StoreError::from_sled(dir, e);
    let mut tree: Option<sled::Tree> = None;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut failure: Option<BackupError> = None;
    reader
        .for_each_chunk(sealing, |plain| {
            for entry in decode_chunk(plain)? {
                let step: Result<(), BackupError> = match entry {
                    Entry::Tree(name) => db
                        .open_tree(name)
                        .map(|t| tree = Some(t))
                        .map_err(|e| sled_err(e).into()),
                    Entry::Pair(k, v) => match &tree {
                        Some(t) => t.insert(k, v).map(|_| ()).map_err(|e| sled_err(e).into()),
                        None => Err(
                            FormatError::Damaged("a record comes before its tree".into()).into(),
                        ),
                    },
                    Entry::File(name, bytes) => {
                        files.push((name, bytes));
                        Ok(())
                    }
                };
                if let Err(e) = step {
                    failure = Some(e);
                    return Err(FormatError::Damaged("the restore stopped".into()));
                }
            }
            Ok(())
        })
        .map_err(|e| failure.take().unwrap_or(e.into()))?;
    // The id generator continues past every id the backup holds.
    while db.generate_id().map_err(sled_err)? < reader.manifest.next_id {}
    db.flush().map_err(sled_err)?;
    drop(db);
    for (name, bytes) in files {
        if name.contains('/') || name == DB_DIR || name == LOCK_FILE {
            return Err(FormatError::Damaged(format!("it names an odd file {name:?}")).into());
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.join(&name))?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    Ok(())
}

fn finish(manifest: &Manifest, dir: &Path, options: StoreOptions) -> Result<Restored, BackupError> {
    let report = {
        let raw = super::RawStore::open_for_scan(dir)?;
        let seal = SealState::open(dir).map_err(|e| BackupError::Refused(e.to_string()))?;
        let options = VerifyOptions {
            seal: Some(SealView::of(seal.epoch, &seal.key)),
            ..Default::default()
        };
        verify(&raw.tree(AUDIT_TREE)?, &options).map_err(|b| {
            BackupError::Refused(format!("the restored audit log does not verify: {b}"))
        })?
    };
    let hash = data_encoding::HEXLOWER.encode(&report.head.hash);
    if report.head.seq != manifest.audit_head_seq || hash != manifest.audit_head_hash {
        return Err(BackupError::Refused(
            "the restored audit log does not end where the backup's manifest says".into(),
        ));
    }
    crate::audit::head_file::HeadFile::create(
        dir,
        crate::audit::head_file::HeadMark {
            seq: report.head.seq,
            hash: report.head.hash,
        },
    )
    .map_err(|e| BackupError::Refused(e.to_string()))?;
    let store = Store::open(dir, options)?;
    store
        .audit()
        .append(
            AuditEvent::new(
                crate::audit::context::process_actor(),
                "backup.restore",
                Outcome::Ok,
            )
            .detail(format!(
                "backup={} created={} audit_head={}",
                manifest.backup_id, manifest.created, manifest.audit_head_seq
            )),
        )
        .map_err(|e| BackupError::Refused(e.to_string()))?;
    Ok(Restored {
        manifest: manifest.clone(),
        audit_entries: report.entries,
    })
}

/// Writes a backup of `store` into `dir` as a new 0600 file named by its time, and
/// removes the oldest of that directory's backups beyond `keep`.
pub fn write_into(
    store: &Store,
    keys: &DataKeys,
    dir: &Path,
    keep: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(PathBuf, Manifest, u64), BackupError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // Named by time (so names sort oldest first) and a random tag (two in one
    // millisecond never collide).
    let tag: [u8; 4] = random_array();
    let name = format!(
        "caredesk-{}-{}.backup",
        now.format(STAMP),
        data_encoding::HEXLOWER.encode(&tag)
    );
    let path = dir.join(&name);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    let manifest = match write(store, keys, BufWriter::new(&file), now) {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    file.sync_all()?;
    let size = file.metadata()?.len();
    prune(dir, keep.max(1))?;
    Ok((path, manifest, size))
}

/// The backups in `dir`, oldest first (their names sort by time).
pub fn list(dir: &Path) -> Result<Vec<String>, std::io::Error> {
    let mut names = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("caredesk-") && n.ends_with(".backup"))
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    names.sort();
    Ok(names)
}

fn prune(dir: &Path, keep: usize) -> Result<(), std::io::Error> {
    let names = list(dir)?;
    for name in &names[..names.len().saturating_sub(keep)] {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(())
}
