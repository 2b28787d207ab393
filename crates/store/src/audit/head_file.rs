//! `audit.head`: the audit log's head (sequence and hash) kept outside sled, so that a
//! store that lost acknowledged writes is refused instead of running on.
//!
//! sled treats a damaged region at the end of its log as a torn write and recovers to
//! the state before it: one flipped byte can make the last acknowledged transactions,
//! their audit records included, vanish without a trace inside the database. This file
//! is written after every audit commit has been flushed by sled and before the caller
//! gets its result, so it is never ahead of what sled made durable. A crash between
//! the two leaves it behind, which is accepted (the log may be ahead of the file, never
//! behind it); a log that ends before the file's head has lost acknowledged records.
//!
//! Cost on the commit path: one 64-byte `pwrite` and one `fdatasync` of a file whose
//! size never changes (no rename, no directory sync). Two slots are written in turn,
//! each with its own counter and checksum, so a torn write of one slot leaves the other.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

use sha2::{Digest, Sha256};

pub const HEAD_FILE: &str = "audit.head";
const MAGIC: &[u8; 8] = b"CDHEAD1\0";
/// magic, counter, seq, hash, check.
const SLOT_LEN: usize = 8 + 8 + 8 + 32 + 8;
const SLOT_STRIDE: u64 = 64;

/// The head as last made durable: record `seq` with chain hash `hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadMark {
    pub seq: u64,
    pub hash: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum HeadFileError {
    #[error("the audit head file {0} is missing")]
    Missing(String),
    #[error("the audit head file is damaged (neither copy reads)")]
    Damaged,
    #[error("cannot read or write the audit head file: {0}")]
    Io(#[from] std::io::Error),
}

/// The open head file and which slot comes next.
pub struct HeadFile {
    file: File,
    counter: u64,
}

fn encode(counter: u64, mark: HeadMark) -> [u8; SLOT_LEN] {
    let mut slot = [0u8; SLOT_LEN];
    slot[..8].copy_from_slice(MAGIC);
    slot[8..16].copy_from_slice(&counter.to_be_bytes());
    slot[16..24].copy_from_slice(&mark.seq.to_be_bytes());
    slot[24..56].copy_from_slice(&mark.hash);
    let check = Sha256::digest(&slot[..56]);
    slot[56..].copy_from_slice(&check[..8]);
    slot
}

fn decode(slot: &[u8]) -> Option<(u64, HeadMark)> {
    if slot.len() < SLOT_LEN
        || &slot[..8] != MAGIC
        || Sha256::digest(&slot[..56])[..8] != slot[56..SLOT_LEN]
    {
        return None;
    }
    let counter = u64::from_be_bytes(slot[8..16].try_into().ok()?);
    let seq = u64::from_be_bytes(slot[16..24].try_into().ok()?);
    let hash = slot[24..56].try_into().ok()?;
    Some((counter, HeadMark { seq, hash }))
}

impl HeadFile {
    /// Creates (or replaces) the file holding `mark`, synced.
    pub fn create(dir: &Path, mark: HeadMark) -> Result<Self, HeadFileError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(dir.join(HEAD_FILE))?;
        let mut head = Self { file, counter: 0 };
        head.write(mark)?;
        head.write(mark)?;
        head.file.sync_all()?;
        if let Ok(dir) = File::open(dir) {
            dir.sync_all()?;
        }
        Ok(head)
    }

    /// Opens the file; returns it and the newest head it holds.
    pub fn open(dir: &Path) -> Result<(Self, HeadMark), HeadFileError> {
        let path = dir.join(HEAD_FILE);
        let file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(HeadFileError::Missing(path.display().to_string()));
            }
            Err(e) => return Err(e.into()),
        };
        let (counter, mark) = Self::newest(&file)?;
        Ok((Self { file, counter }, mark))
    }

    /// Reads the newest head without keeping the file open (`audit verify`).
    pub fn read(dir: &Path) -> Result<HeadMark, HeadFileError> {
        Self::open(dir).map(|(_, mark)| mark)
    }

    fn newest(file: &File) -> Result<(u64, HeadMark), HeadFileError> {
        let mut bytes = [0u8; 2 * SLOT_STRIDE as usize];
        let read = file.read_at(&mut bytes, 0)?;
        let slots = [
            decode(&bytes[..read.min(SLOT_LEN)]),
            decode(bytes.get(SLOT_STRIDE as usize..read).unwrap_or(&[])),
        ];
        slots
            .into_iter()
            .flatten()
            .max_by_key(|(counter, _)| *counter)
            .ok_or(HeadFileError::Damaged)
    }

    /// Records `mark` durably (the next slot in turn, then `fdatasync`).
    pub fn write(&mut self, mark: HeadMark) -> Result<(), HeadFileError> {
        // The counter moves only once the slot is written and synced: after a failed
        // write the next one goes to the same slot, never over the only good one.
        let counter = self.counter + 1;
        let slot = encode(counter, mark);
        self.file.write_all_at(&slot, (counter % 2) * SLOT_STRIDE)?;
        self.file.sync_data()?;
        self.counter = counter;
        Ok(())
    }
}

/// The meta tree's entry saying this store keeps a head file (so a missing one is an
/// error, not an older store).
pub const HEAD_FILE_FLAG: &[u8] = b"audit_head_file";

/// Why a log does not reach its sealed head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadMismatch {
    /// The log ends before the sealed head: acknowledged records are gone.
    Behind { log: u64, sealed: u64 },
    /// The log reaches the sealed head's sequence with another record there.
    Diverged { seq: u64 },
}

impl std::fmt::Display for HeadMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeadMismatch::Behind { log, sealed } => write!(
                f,
                "the audit log ends at record {log} but its head was sealed at record {sealed}: acknowledged records are missing (a damaged or rolled-back database)"
            ),
            HeadMismatch::Diverged { seq } => write!(
                f,
                "record {seq} is not the one the sealed head names (the log was replaced)"
            ),
        }
    }
}

/// Checks a log whose last record is `log_seq` (hash `log_hash`) against the sealed
/// head: it may be at it or beyond it (a crash before the head file was written), never
/// before it. `hash_at` reads the chain hash of a record.
pub fn check(
    log_seq: u64,
    log_hash: &[u8; 32],
    sealed: HeadMark,
    hash_at: impl FnOnce(u64) -> Option<[u8; 32]>,
) -> Result<(), HeadMismatch> {
    if log_seq < sealed.seq {
        return Err(HeadMismatch::Behind {
            log: log_seq,
            sealed: sealed.seq,
        });
    }
    let hash = if log_seq == sealed.seq {
        Some(*log_hash)
    } else {
        hash_at(sealed.seq)
    };
    if hash != Some(sealed.hash) {
        return Err(HeadMismatch::Diverged { seq: sealed.seq });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_may_be_at_or_beyond_the_sealed_head_never_before() {
        let sealed = HeadMark {
            seq: 5,
            hash: [5; 32],
        };
        assert_eq!(check(5, &[5; 32], sealed, |_| None), Ok(()));
        assert_eq!(
            check(7, &[7; 32], sealed, |s| (s == 5).then_some([5; 32])),
            Ok(())
        );
        assert_eq!(
            check(4, &[4; 32], sealed, |_| Some([5; 32])),
            Err(HeadMismatch::Behind { log: 4, sealed: 5 })
        );
        assert_eq!(
            check(5, &[9; 32], sealed, |_| None),
            Err(HeadMismatch::Diverged { seq: 5 })
        );
        assert_eq!(
            check(6, &[6; 32], sealed, |_| Some([8; 32])),
            Err(HeadMismatch::Diverged { seq: 5 })
        );
    }

    #[test]
    fn the_newest_slot_wins_and_a_torn_slot_leaves_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = HeadFile::create(
            dir.path(),
            HeadMark {
                seq: 1,
                hash: [1; 32],
            },
        )
        .unwrap();
        file.write(HeadMark {
            seq: 2,
            hash: [2; 32],
        })
        .unwrap();
        file.write(HeadMark {
            seq: 3,
            hash: [3; 32],
        })
        .unwrap();
        assert_eq!(HeadFile::read(dir.path()).unwrap().seq, 3);
        let path = dir.path().join(HEAD_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        // The counter is 4 after create's two writes and two more: slot 0 is newest.
        bytes[20] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(HeadFile::read(dir.path()).unwrap().seq, 2);
        bytes[SLOT_STRIDE as usize + 20] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            HeadFile::read(dir.path()),
            Err(HeadFileError::Damaged)
        ));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            HeadFile::read(dir.path()),
            Err(HeadFileError::Missing(_))
        ));
    }
}
