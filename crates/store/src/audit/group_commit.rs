//! Group commit: one flush makes many requests' writes and audit records durable.
//!
//! A commit applies its writes and records to sled under the writer lock (so the chain
//! order is the apply order), then waits here until a flush covers its last record.
//! The first waiter that finds no flush running becomes the leader: it flushes
//! everything applied so far, writes the head file, moves the sealing key on, and
//! every request whose records that flush covered returns. Requests that arrived
//! during the flush wait for the next leader: one fsync serves a whole batch, as in
//! PostgreSQL's WAL or InnoDB's group commit, and no reply leaves before its own audit
//! record is on disk.
//!
//! A failed flush fails every request of its batch (the records the leader tried to
//! make durable). Their records stay applied in the chain, so when a later flush
//! succeeds they are kept, together with an `audit.commit_failed` record naming them:
//! the log says both what was done and that the staff were told it failed.

use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard};

use super::head_file::HeadFile;
use super::log::{AuditError, AuditLog, Head, head_file_error, mark};
use super::record::{AuditEvent, Outcome};
use super::seal::SealState;

/// What is on disk: written only by the leader of a flush.
pub(super) struct Durable {
    /// The last head a flush covered.
    pub head: Head,
    /// The sealing key file, at `head`'s epoch.
    pub seal: SealState,
    pub head_file: HeadFile,
    /// Batches whose flush failed (the latest few): a request whose record is in one
    /// was refused, even if a later flush made the record durable.
    pub failed: Vec<FailedRange>,
}

impl Durable {
    pub fn new(head: Head, seal: SealState, head_file: HeadFile) -> Mutex<Self> {
        Mutex::new(Self {
            head,
            seal,
            head_file,
            failed: Vec::new(),
        })
    }
}

/// Failed batches remembered for their waiters (a waiter is at most a few batches
/// late; a store failing this often is stopped by the daemon long before).
const MAX_FAILED_KEPT: usize = 4096;

/// Records applied but refused to their requests because their flush failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FailedRange {
    pub first: u64,
    pub last: u64,
}

impl FailedRange {
    pub fn merge(this: Option<Self>, batch: Self) -> Self {
        match this {
            Some(r) => Self {
                first: r.first.min(batch.first),
                last: r.last.max(batch.last),
            },
            None => batch,
        }
    }

    /// The record that tells an auditor, once the store writes again.
    pub fn event(self) -> AuditEvent {
        AuditEvent::new(
            super::context::process_actor(),
            "audit.commit_failed",
            Outcome::Error,
        )
        .detail(format!(
            "records {}-{} were written but their flush failed: the requests they record were refused",
            self.first, self.last
        ))
    }
}

impl AuditLog {
    pub(super) fn lock_durable(&self) -> MutexGuard<'_, Durable> {
        // The leader's state is written only after each step succeeded, so it stays
        // usable behind a poisoned lock.
        self.durable.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Returns once record `seq` is on disk, flushing as the leader if no flush that
    /// covers it has run; fails if the flush of its batch failed.
    pub(super) fn wait_durable(&self, seq: u64) -> Result<(), AuditError> {
        // The durable sequence first: a flush that covered `seq` after another one
        // failed stored it after that failure set `ever_failed`, so reading it first
        // sees the failure too.
        let durable_seq = self.durable_seq.load(Ordering::Acquire);
        if durable_seq >= seq && !self.ever_failed.load(Ordering::Acquire) {
            return Ok(());
        }
        // Waiting for this lock is waiting for the running flush.
        let mut durable = self.lock_durable();
        if durable
            .failed
            .iter()
            .any(|r| (r.first..=r.last).contains(&seq))
        {
            return Err(AuditError::Storage(sled::Error::Io(std::io::Error::other(
                "the flush of this request's batch failed",
            ))));
        }
        if durable.head.seq >= seq {
            return Ok(());
        }
        // Everything applied up to now joins this flush.
        let target = self.lock().head;
        self.flush_batch(&mut durable, target)
    }

    /// Flushes through `target` as a batch's leader; on failure every record of the
    /// batch is remembered as refused.
    fn flush_batch(&self, durable: &mut Durable, target: Head) -> Result<(), AuditError> {
        match self.flush_to(durable, target) {
            Ok(()) => Ok(()),
            Err(e) => {
                let batch = FailedRange {
                    first: durable.head.seq + 1,
                    last: target.seq,
                };
                self.ever_failed.store(true, Ordering::Release);
                if durable.failed.len() == MAX_FAILED_KEPT {
                    durable.failed.remove(0);
                }
                durable.failed.push(batch);
                let mut writer = self.lock();
                writer.failed = Some(FailedRange::merge(writer.failed, batch));
                Err(e)
            }
        }
    }

    /// Makes everything applied through `target` durable: sled, the head file, the
    /// sealing key file.
    pub(super) fn flush_to(&self, durable: &mut Durable, target: Head) -> Result<(), AuditError> {
        #[cfg(feature = "fault-injection")]
        if self.fail_flush.load(Ordering::Relaxed) {
            return Err(AuditError::Storage(sled::Error::Io(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "injected flush failure",
            ))));
        }
        self.db.flush()?;
        if target != durable.head {
            durable
                .head_file
                .write(mark(&target))
                .map_err(head_file_error)?;
        }
        if target.epoch > durable.seal.epoch {
            durable.seal.advance_to(target.epoch)?;
        }
        durable.head = target;
        self.durable_seq.store(target.seq, Ordering::Release);
        Ok(())
    }
}
