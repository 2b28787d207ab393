//! The append side of the audit log: one writer, records chained and sealed.
//!
//! Records live in the `audit` tree under `r` + sequence (big-endian); the head (last
//! sequence, its hash, the open epoch) under `h`. A record and the head are written in
//! the same transaction as the data change they describe, and flushed before the
//! caller gets its result: no audit, no result. Concurrent commits share flushes
//! (`group_commit`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::detail::SealedEvent;
use super::group_commit::{Durable, FailedRange};
use super::head_file::{self, HEAD_FILE_FLAG, HeadFile, HeadFileError, HeadMark};
use super::record::{AuditEvent, AuditRecord, GENESIS_PREV, RecordBody, chain_hash};
use super::seal::{SealFileError, SealState, Sealer, Seed, advance};
use super::verify::SealView;
use crate::codec::{self, CodecError, Versioned};
use crate::crypto::SecretKey;
use crate::store::writes::WriteSet;

pub const AUDIT_TREE: &str = "audit";
pub const HEAD_KEY: &[u8] = b"h";
/// journald's default sealing interval.
pub const DEFAULT_EPOCH_SECONDS: u64 = 15 * 60;

/// Where "now" comes from; tests drive it by hand.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

pub fn record_key(seq: u64) -> [u8; 9] {
    let mut key = [b'r'; 9];
    key[1..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// The last record's sequence and hash, and the epoch the log is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: [u8; 32],
    pub epoch: u64,
}

impl Versioned for Head {
    const VERSION: u16 = 1;
}

/// A page of the raw log for a verifier talking to the clinic server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainPage {
    pub head: Head,
    pub seal: SealView,
    /// (stored key, stored value) of each record, in order.
    pub records: Vec<(Vec<u8>, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the audit log cannot be written: {0}")]
    Storage(#[from] sled::Error),
    #[error(transparent)]
    SealFile(#[from] SealFileError),
    #[error("the audit log is damaged: {0}")]
    Damaged(String),
    #[error(
        "the store will not open: {0}. Keep this directory for investigation and restore the latest backup into a new one: `caredesk restore FILE --data NEWDIR` (see docs/security.md, Backups)"
    )]
    RolledBack(String),
    #[error(
        "the audit log failed its integrity check ({0}); run `caredesk audit verify` and restore from a backup"
    )]
    Tampered(String),
}

impl From<CodecError> for AuditError {
    fn from(e: CodecError) -> Self {
        AuditError::Damaged(e.to_string())
    }
}

/// Epoch clock parameters fixed at `init` in the genesis record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochClock {
    pub start_unix: i64,
    pub seconds: u64,
}

impl EpochClock {
    pub fn epoch_of(&self, time_ms: i64) -> u64 {
        let secs = time_ms.div_euclid(1000);
        if secs <= self.start_unix {
            0
        } else {
            (secs - self.start_unix) as u64 / self.seconds.max(1)
        }
    }

    /// First millisecond after `epoch` ends.
    pub fn end_ms(&self, epoch: u64) -> i64 {
        let end = self.start_unix as i128 + (epoch as i128 + 1) * self.seconds as i128;
        (end * 1000).min(i64::MAX as i128) as i64
    }
}

/// The applying side: what the chain looks like in sled, flushed or not yet.
pub(super) struct Writer {
    pub head: Head,
    /// The sealing key of `head`'s epoch (the key file moves on after the flush).
    key: SecretKey,
    clock: EpochClock,
    /// Records refused to their requests by a failed flush, not yet told to the log.
    pub failed: Option<FailedRange>,
    /// A write failed part-way (sled may hold some of it in memory): nothing more is
    /// appended until the store is opened again, so no record is written twice.
    broken: bool,
}

pub(super) fn mark(head: &Head) -> HeadMark {
    HeadMark {
        seq: head.seq,
        hash: head.hash,
    }
}

/// Opens the head file and checks the log against it; creates it for a store that
/// never had one (an older caredesk's), and moves it up to a log that is ahead.
fn open_head_file(
    db: &sled::Db,
    tree: &sled::Tree,
    dir: &Path,
    head: &Head,
) -> Result<HeadFile, AuditError> {
    let meta = db.open_tree(crate::store::meta::META_TREE)?;
    match HeadFile::open(dir) {
        Ok((mut file, sealed)) => {
            head_file::check(head.seq, &head.hash, sealed, |seq| {
                let bytes = tree.get(record_key(seq)).ok()??;
                AuditRecord::decode(&bytes).ok().map(|r| r.hash)
            })
            .map_err(|e| AuditError::RolledBack(e.to_string()))?;
            if head.seq > sealed.seq {
                file.write(mark(head)).map_err(head_file_error)?;
            }
            Ok(file)
        }
        Err(HeadFileError::Missing(path)) if meta.get(HEAD_FILE_FLAG)?.is_some() => Err(
            AuditError::RolledBack(format!("the audit head file {path} is missing")),
        ),
        Err(HeadFileError::Missing(_)) => {
            let file = HeadFile::create(dir, mark(head)).map_err(head_file_error)?;
            meta.insert(HEAD_FILE_FLAG, &[1u8][..])?;
            db.flush()?;
            Ok(file)
        }
        Err(e) => Err(AuditError::RolledBack(e.to_string())),
    }
}

pub(super) fn head_file_error(e: HeadFileError) -> AuditError {
    AuditError::Storage(sled::Error::Io(std::io::Error::other(e.to_string())))
}

pub struct AuditLog {
    pub(super) db: sled::Db,
    tree: sled::Tree,
    writer: Mutex<Writer>,
    /// The flushing side (`group_commit`); lock order: `durable`, then `writer`.
    pub(super) durable: Mutex<Durable>,
    /// `durable.head.seq`, readable without waiting for a running flush.
    pub(super) durable_seq: AtomicU64,
    /// Whether a flush ever failed (then waiters check the failed batches).
    pub(super) ever_failed: AtomicBool,
    now: Clock,
    /// Fault injection for the fail-closed tests: the next commits fail as a full disk
    /// would. Only in builds with the `fault-injection` feature (tests), never a release.
    #[cfg(feature = "fault-injection")]
    fail_writes: AtomicBool,
    /// Fault injection: flushes fail (the writes were applied), as a disk failing
    /// under a batch would.
    #[cfg(feature = "fault-injection")]
    pub(super) fail_flush: AtomicBool,
    /// The clinic's free-text public key: details not sealed by the unlocked store are
    /// sealed to it here (`audit::detail`).
    text_public: RwLock<Option<[u8; 32]>>,
}

fn seal_record(
    seq: u64,
    time_ms: i64,
    body: RecordBody,
    prev: [u8; 32],
    key: &SecretKey,
) -> AuditRecord {
    let hash = chain_hash(&prev, seq, time_ms, &body);
    let mac = Sealer::new(key).mac(&hash);
    AuditRecord {
        seq,
        time_ms,
        body,
        prev,
        hash,
        mac,
    }
}

/// The meta tree's entry holding the clinic's free-text public key.
pub const TEXT_PUBLIC_KEY: &[u8] = b"free_text_public";

fn read_text_public(db: &sled::Db) -> Option<[u8; 32]> {
    let meta = db.open_tree(crate::store::meta::META_TREE).ok()?;
    let bytes = meta.get(TEXT_PUBLIC_KEY).ok()??;
    bytes.as_ref().try_into().ok()
}

/// Reads the head record, if any.
pub fn read_head(tree: &sled::Tree) -> Result<Option<Head>, AuditError> {
    match tree.get(HEAD_KEY)? {
        Some(bytes) => Ok(Some(codec::decode(&bytes)?)),
        None => Ok(None),
    }
}

/// Reads the genesis record's epoch clock and store id.
pub fn read_genesis(tree: &sled::Tree) -> Result<(EpochClock, [u8; 16]), AuditError> {
    let bytes = tree
        .get(record_key(0))?
        .ok_or_else(|| AuditError::Damaged("the first record is missing".into()))?;
    let record = AuditRecord::decode(&bytes)?;
    match record.body {
        RecordBody::Genesis {
            store_id,
            epoch_start_unix,
            epoch_seconds,
        } => Ok((
            EpochClock {
                start_unix: epoch_start_unix,
                seconds: epoch_seconds,
            },
            store_id,
        )),
        _ => Err(AuditError::Damaged(
            "the first record is not a genesis record".into(),
        )),
    }
}

impl AuditLog {
    /// Starts a new log: the genesis record, sealed with the seed's first key.
    pub fn create(
        db: &sled::Db,
        dir: &Path,
        store_id: [u8; 16],
        seed: &Seed,
        epoch_seconds: u64,
        now: Clock,
    ) -> Result<Self, AuditError> {
        let tree = db.open_tree(AUDIT_TREE)?;
        if !tree.is_empty() {
            return Err(AuditError::Damaged("an audit log already exists".into()));
        }
        let time_ms = now().timestamp_millis();
        let clock = EpochClock {
            start_unix: time_ms.div_euclid(1000),
            seconds: epoch_seconds.max(1),
        };
        let key = seed.first_key();
        let genesis = seal_record(
            0,
            time_ms,
            RecordBody::Genesis {
                store_id,
                epoch_start_unix: clock.start_unix,
                epoch_seconds: clock.seconds,
            },
            GENESIS_PREV,
            &key,
        );
        let head = Head {
            seq: 0,
            hash: genesis.hash,
            epoch: 0,
        };
        let seal = SealState::create(dir, key)?;
        let head_file = HeadFile::create(dir, mark(&head)).map_err(head_file_error)?;
        let mut writes = WriteSet::new();
        writes.put(&tree, record_key(0), genesis.encode());
        writes.put(&tree, HEAD_KEY, codec::encode(&head).to_vec());
        writes.put(
            &db.open_tree(crate::store::meta::META_TREE)?,
            HEAD_FILE_FLAG,
            vec![1u8],
        );
        writes.commit(db)?;
        Ok(Self::with_writer(
            db, tree, head, clock, seal, head_file, now,
        ))
    }

    fn with_writer(
        db: &sled::Db,
        tree: sled::Tree,
        head: Head,
        clock: EpochClock,
        seal: SealState,
        head_file: HeadFile,
        now: Clock,
    ) -> Self {
        let writer = Writer {
            head,
            key: seal.key.clone(),
            clock,
            failed: None,
            broken: false,
        };
        Self {
            db: db.clone(),
            tree,
            writer: Mutex::new(writer),
            durable: Durable::new(head, seal, head_file),
            durable_seq: AtomicU64::new(head.seq),
            ever_failed: AtomicBool::new(false),
            now,
            #[cfg(feature = "fault-injection")]
            fail_writes: AtomicBool::new(false),
            #[cfg(feature = "fault-injection")]
            fail_flush: AtomicBool::new(false),
            text_public: RwLock::new(read_text_public(db)),
        }
    }

    /// Sets the clinic's free-text public key (when the store first publishes it).
    pub fn set_text_public(&self, public: [u8; 32]) {
        *self.text_public.write().unwrap_or_else(|p| p.into_inner()) = Some(public);
    }

    pub fn text_public(&self) -> Option<[u8; 32]> {
        *self.text_public.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The stored form of events: free text sealed (`audit::detail`).
    fn sealed_bodies(&self, events: Vec<AuditEvent>) -> Vec<RecordBody> {
        let public = self.text_public();
        events
            .into_iter()
            .map(|e| RecordBody::Sealed(SealedEvent::of(e, public.as_ref())))
            .collect()
    }

    /// Opens the log for appending, finishing an epoch advance a crash interrupted and
    /// refusing a log whose head disagrees with its records or its sealing key.
    pub fn open(db: &sled::Db, dir: &Path, now: Clock) -> Result<Self, AuditError> {
        let tree = db.open_tree(AUDIT_TREE)?;
        let head = read_head(&tree)?
            .ok_or_else(|| AuditError::Damaged("the head record is missing".into()))?;
        let (clock, _) = read_genesis(&tree)?;
        let last = tree.last()?.filter(|(k, _)| k.first() == Some(&b'r'));
        let last_key = last.as_ref().map(|(k, _)| k.to_vec());
        if last_key.as_deref() != Some(&record_key(head.seq)[..]) {
            return Err(AuditError::Tampered(format!(
                "the head names record {} but the log ends elsewhere",
                head.seq
            )));
        }
        if let Some((_, bytes)) = last {
            let record = AuditRecord::decode(&bytes)?;
            if record.hash != head.hash {
                return Err(AuditError::Tampered(format!(
                    "record {} does not match the head",
                    head.seq
                )));
            }
        }
        let mut seal = SealState::open(dir)?;
        if head.epoch > seal.epoch {
            // Seal records were flushed but the key file was not yet advanced.
            seal.advance_to(head.epoch)?;
        } else if head.epoch < seal.epoch {
            return Err(AuditError::Tampered(format!(
                "the sealing key is at epoch {} but the log's seals end at epoch {}",
                seal.epoch, head.epoch
            )));
        }
        let head_file = open_head_file(db, &tree, dir, &head)?;
        Ok(Self::with_writer(
            db, tree, head, clock, seal, head_file, now,
        ))
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock leaves the on-disk log consistent (writes are
        // transactional), so the state behind a poisoned lock is still usable.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn tree(&self) -> &sled::Tree {
        &self.tree
    }

    /// The last head on disk: every record up to it survives a crash.
    pub fn head(&self) -> Head {
        self.lock_durable().head
    }

    /// The head and the sealing state as they are now (applied, perhaps not yet on
    /// disk: a verifier's page, never a checkpoint; the request that asks for it waits
    /// for its own audit record's flush, which covers this head), and the raw records (stored key,
    /// stored value) from `from_seq` on, up to `through` (or the head), at most `limit`:
    /// a page for a verifier outside the process. Records up to the head never change,
    /// so pages read later against the first page's head form one consistent log.
    pub fn chain_page(
        &self,
        from_seq: u64,
        through: Option<u64>,
        limit: usize,
    ) -> Result<ChainPage, AuditError> {
        let (head, seal) = {
            let writer = self.lock();
            (writer.head, SealView::of(writer.head.epoch, &writer.key))
        };
        let last = through.unwrap_or(head.seq).min(head.seq);
        let mut records = Vec::new();
        if from_seq <= last {
            for item in self
                .tree
                .range(record_key(from_seq)..=record_key(last))
                .take(limit)
            {
                let (key, value) = item?;
                records.push((key.to_vec(), value.to_vec()));
            }
        }
        Ok(ChainPage {
            head,
            seal,
            records,
        })
    }

    /// Runs `f` with every writer and flusher paused (both locks held) and everything
    /// applied on disk, the head and sealing key files included: nothing commits or
    /// moves the key meanwhile, so what `f` reads of the store and its files is one
    /// consistent, durable moment.
    pub fn paused<T>(&self, f: impl FnOnce(Head) -> T) -> Result<T, AuditError> {
        let mut durable = self.lock_durable();
        let writer = self.lock();
        self.flush_to(&mut durable, writer.head)?;
        Ok(f(writer.head))
    }

    /// Appends one event on its own.
    pub fn append(&self, event: AuditEvent) -> Result<u64, AuditError> {
        self.commit(event, WriteSet::new())
    }

    /// Appends `event` in the same transaction as `writes`, flushed before returning.
    /// Epochs that ended since the last record are sealed first, empty ones included.
    pub fn commit(&self, event: AuditEvent, writes: WriteSet) -> Result<u64, AuditError> {
        self.commit_many(vec![event], writes)
    }

    /// Appends several events in one transaction with `writes` (an import of many
    /// results, each audited, costs one flush); returns the last sequence number.
    pub fn commit_many(
        &self,
        events: Vec<AuditEvent>,
        writes: WriteSet,
    ) -> Result<u64, AuditError> {
        // Sealing the details needs no lock: done before taking it.
        let bodies = self.sealed_bodies(events);
        let mut writer = self.lock();
        #[cfg(feature = "fault-injection")]
        if self.fail_writes.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(AuditError::Storage(sled::Error::Io(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "injected audit write failure",
            ))));
        }
        let time_ms = (self.now)().timestamp_millis();
        let mut writes = writes;
        let mut bodies = bodies;
        let failed = writer.failed;
        if let Some(failed) = failed {
            // The store writes again: the log says which records were refused.
            bodies.insert(0, self.sealed_bodies(vec![failed.event()]).remove(0));
        }
        let (head, key) = self.stage(&writer, &mut writes, time_ms, bodies);
        self.apply(&mut writer, writes, head, key)?;
        if failed.is_some() {
            // Told only once it is in the chain (if this batch's flush fails too, the
            // next note's range covers this one).
            writer.failed = None;
        }
        drop(writer);
        self.wait_durable(head.seq)?;
        Ok(head.seq)
    }

    /// Applies staged writes (not yet durable) and moves the in-memory head on. A
    /// failure may leave part of them applied in sled's memory, so the log refuses
    /// every later append rather than write the same sequence numbers again.
    fn apply(
        &self,
        writer: &mut Writer,
        writes: WriteSet,
        head: Head,
        key: SecretKey,
    ) -> Result<(), AuditError> {
        if writer.broken {
            return Err(AuditError::Damaged(
                "an earlier write failed part-way; restart so the store is opened again".into(),
            ));
        }
        if let Err(e) = writes.apply() {
            writer.broken = true;
            return Err(e.into());
        }
        writer.head = head;
        writer.key = key;
        Ok(())
    }

    /// Whether a write failed part-way and the log appends nothing more until the
    /// store is opened again (the daemon then exits, for its service manager to
    /// restart it).
    pub fn is_broken(&self) -> bool {
        self.lock().broken
    }

    /// Logs `event`, then closes the current epoch at once and erases its key (an
    /// early seal): nothing logged so far can be forged from here on, even by someone
    /// who takes the machine. Returns the new head (in the next epoch).
    pub fn seal_now(&self, event: AuditEvent) -> Result<Head, AuditError> {
        let bodies = self.sealed_bodies(vec![event]);
        let mut writer = self.lock();
        let time_ms = (self.now)().timestamp_millis();
        let mut writes = WriteSet::new();
        let (head, key) = self.stage(&writer, &mut writes, time_ms, bodies);
        let body = RecordBody::EpochSealEarly { epoch: head.epoch };
        let head = self.stage_seal(&mut writes, head, time_ms, body, &key);
        writes.put(&self.tree, HEAD_KEY, codec::encode(&head).to_vec());
        self.apply(&mut writer, writes, head, advance(&key))?;
        drop(writer);
        // The key file moves past the closed epoch when this flush completes.
        self.wait_durable(head.seq)?;
        Ok(head)
    }

    /// Seals every epoch that has ended, without logging an event (the daemon calls
    /// this on a timer so that quiet epochs are sealed too).
    pub fn seal_elapsed(&self) -> Result<Head, AuditError> {
        let mut writer = self.lock();
        let time_ms = (self.now)().timestamp_millis();
        let mut writes = WriteSet::new();
        let (head, key) = self.stage(&writer, &mut writes, time_ms, Vec::new());
        self.apply(&mut writer, writes, head, key)?;
        drop(writer);
        self.wait_durable(head.seq)?;
        Ok(head)
    }

    /// Adds seal records for ended epochs and then `bodies` to `writes`; returns
    /// the head they lead to and its epoch's key. Nothing in memory changes until
    /// `apply`.
    fn stage(
        &self,
        writer: &Writer,
        writes: &mut WriteSet,
        time_ms: i64,
        bodies: Vec<RecordBody>,
    ) -> (Head, SecretKey) {
        let target = writer.clock.epoch_of(time_ms).max(writer.head.epoch);
        let mut head = writer.head;
        let mut key = writer.key.clone();
        while head.epoch < target {
            let body = RecordBody::EpochSeal { epoch: head.epoch };
            head = self.stage_seal(writes, head, time_ms, body, &key);
            key = advance(&key);
        }
        for body in bodies {
            let record = seal_record(head.seq + 1, time_ms, body, head.hash, &key);
            writes.put(&self.tree, record_key(record.seq), record.encode());
            head.seq = record.seq;
            head.hash = record.hash;
        }
        if head != writer.head {
            writes.put(&self.tree, HEAD_KEY, codec::encode(&head).to_vec());
        }
        (head, key)
    }

    /// Stages `body`, the record closing `head`'s epoch, sealed with that epoch's
    /// `key`; returns the head it leads to, in the next epoch.
    fn stage_seal(
        &self,
        writes: &mut WriteSet,
        head: Head,
        time_ms: i64,
        body: RecordBody,
        key: &SecretKey,
    ) -> Head {
        let record = seal_record(head.seq + 1, time_ms, body, head.hash, key);
        writes.put(&self.tree, record_key(record.seq), record.encode());
        Head {
            seq: record.seq,
            hash: record.hash,
            epoch: head.epoch + 1,
        }
    }

    /// Makes every following commit fail (or succeed again), to test that operations
    /// fail closed when their audit record cannot be written. Test builds only
    /// (`--features fault-injection`): a release binary has no such switch.
    #[cfg(feature = "fault-injection")]
    pub fn inject_write_failure(&self, fail: bool) {
        self.fail_writes
            .store(fail, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes every following flush fail (or succeed again) after the writes were
    /// applied, to test that a failed flush fails its whole batch. Test builds only.
    #[cfg(feature = "fault-injection")]
    pub fn inject_flush_failure(&self, fail: bool) {
        self.fail_flush
            .store(fail, std::sync::atomic::Ordering::Relaxed);
    }

    /// The epoch clock fixed at `init`.
    pub fn epoch_clock(&self) -> EpochClock {
        self.lock().clock
    }
}
