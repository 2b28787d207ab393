//! Checks the chain, the seals and the head, and names the first bad record.
//!
//! Without the seed, verification proves the records form one unbroken chain that
//! ends where the head and the sealing key say it ends. With the seed it also proves
//! every record was sealed by the key of its epoch, which nobody who took the machine
//! later can forge. The epoch of a record is decided by its position (the count of
//! epoch seals before it), never by a field the writer controls (CVE-2023-31439), and
//! every epoch up to the sealing key's must be closed by a seal, so cutting the tail
//! and appending fresh records is caught (CVE-2023-31438).

use super::checkpoint::Checkpoint;
use super::log::{EpochClock, Head, read_head};
use super::record::{BodyKind, GENESIS_PREV, RawRecord, RecordBody, chain_hash_bytes};
use super::seal::{Sealer, Seed, advance, key_at, key_digest};
use crate::crypto::SecretKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Records in the log, genesis and epoch seals included.
    pub entries: u64,
    pub events: u64,
    pub epoch_seals: u64,
    pub head: Head,
    /// True when the seals were checked against the auditor's seed.
    pub seals_checked: bool,
    pub checkpoint_matched: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit record {seq}: {reason}")]
pub struct Break {
    /// The first sequence number at which the log stops being trustworthy.
    pub seq: u64,
    pub reason: String,
}

fn broken(seq: u64, reason: impl Into<String>) -> Break {
    Break {
        seq,
        reason: reason.into(),
    }
}

/// The writer's sealing state as read from `audit.seal`: its epoch and a digest of
/// its current key (the key itself never leaves the writer, not even to a verifier
/// talking to the clinic server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SealView {
    pub epoch: u64,
    pub key_digest: [u8; 32],
}

impl SealView {
    pub fn of(epoch: u64, key: &SecretKey) -> Self {
        Self {
            epoch,
            key_digest: key_digest(key),
        }
    }
}

#[derive(Default)]
pub struct VerifyOptions<'a> {
    pub seed: Option<&'a Seed>,
    pub checkpoint: Option<&'a Checkpoint>,
    pub seal: Option<SealView>,
}

struct EpochKeys {
    sealer: Sealer,
    key: SecretKey,
}

/// Verifies the log in the store's audit tree.
pub fn verify(tree: &sled::Tree, options: &VerifyOptions<'_>) -> Result<Report, Break> {
    let mut verifier = Verifier::new(options);
    for item in tree.range(&b"r"[..]..&b"s"[..]) {
        let (key, value) =
            item.map_err(|e| broken(verifier.expected_seq, format!("cannot be read: {e}")))?;
        verifier.feed(&key, &value)?;
    }
    let head = read_head(tree).map_err(|e| {
        broken(
            verifier.expected_seq,
            format!("the head cannot be read ({e})"),
        )
    })?;
    verifier.finish(head)
}

/// Checks records one at a time, in key order, as they are read from the store or
/// received page by page from the clinic server; `finish` checks the head.
pub struct Verifier<'a> {
    options: &'a VerifyOptions<'a>,
    expected_seq: u64,
    prev: [u8; 32],
    epoch: u64,
    clock: Option<EpochClock>,
    store_id: [u8; 16],
    events: u64,
    epoch_seals: u64,
    keys: Option<EpochKeys>,
    checkpoint_matched: bool,
}

impl<'a> Verifier<'a> {
    pub fn new(options: &'a VerifyOptions<'a>) -> Self {
        Self {
            options,
            expected_seq: 0,
            prev: GENESIS_PREV,
            epoch: 0,
            clock: None,
            store_id: [0u8; 16],
            events: 0,
            epoch_seals: 0,
            keys: options.seed.map(|seed| {
                let key = seed.first_key();
                EpochKeys {
                    sealer: Sealer::new(&key),
                    key,
                }
            }),
            checkpoint_matched: false,
        }
    }

    /// The sequence number the next record must carry.
    pub fn next_seq(&self) -> u64 {
        self.expected_seq
    }

    /// The head the records fed so far lead to (for a log cut at this record).
    pub fn head_so_far(&self) -> Option<Head> {
        self.expected_seq.checked_sub(1).map(|seq| Head {
            seq,
            hash: self.prev,
            epoch: self.epoch,
        })
    }

    /// Checks the record stored under `key`.
    pub fn feed(&mut self, key: &[u8], value: &[u8]) -> Result<(), Break> {
        let expected_seq = self.expected_seq;
        let key_seq = key
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .filter(|_| key.len() == 9 && key[0] == b'r')
            .ok_or_else(|| broken(expected_seq, "a record is stored under a malformed key"))?;
        if key_seq != expected_seq {
            return Err(broken(expected_seq, "is missing (records were removed)"));
        }
        let record = RawRecord::parse(value)
            .map_err(|e| broken(key_seq, format!("cannot be decoded ({e})")))?;
        if record.seq != key_seq {
            return Err(broken(
                key_seq,
                format!(
                    "holds record {} (records were reordered or inserted)",
                    record.seq
                ),
            ));
        }
        if record.prev != &self.prev {
            return Err(broken(
                key_seq,
                "does not follow the record before it (chain broken)",
            ));
        }
        if &chain_hash_bytes(&self.prev, record.seq, record.time_ms, record.body) != record.hash {
            return Err(broken(
                key_seq,
                "was altered (its hash does not match its content)",
            ));
        }
        let epoch = self.epoch;
        if let Some(k) = &self.keys
            && !k.sealer.check(record.hash, record.mac)
        {
            return Err(broken(
                key_seq,
                format!("its seal is not the one epoch {epoch}'s key makes (forged or re-sealed)"),
            ));
        }
        let kind = record
            .kind()
            .map_err(|e| broken(key_seq, format!("cannot be decoded ({e})")))?;
        match kind {
            BodyKind::Genesis => {
                if key_seq != 0 {
                    return Err(broken(key_seq, "is a second genesis record"));
                }
                let Ok(RecordBody::Genesis {
                    store_id: id,
                    epoch_start_unix,
                    epoch_seconds,
                }) = record.body()
                else {
                    return Err(broken(
                        key_seq,
                        "has a genesis record that cannot be decoded",
                    ));
                };
                self.store_id = id;
                self.clock = Some(EpochClock {
                    start_unix: epoch_start_unix,
                    seconds: epoch_seconds,
                });
            }
            BodyKind::Event | BodyKind::Sealed => {
                let clock = self
                    .clock
                    .ok_or_else(|| broken(key_seq, "comes before the genesis record"))?;
                if record.time_ms >= clock.end_ms(epoch) {
                    return Err(broken(
                        key_seq,
                        format!(
                            "is dated after epoch {epoch} ended but was not sealed in a later epoch"
                        ),
                    ));
                }
                self.events += 1;
            }
            BodyKind::EpochSeal | BodyKind::EpochSealEarly => {
                let clock = self
                    .clock
                    .ok_or_else(|| broken(key_seq, "comes before the genesis record"))?;
                let (sealed, early) = match record.body() {
                    Ok(RecordBody::EpochSeal { epoch }) => (epoch, false),
                    Ok(RecordBody::EpochSealEarly { epoch }) => (epoch, true),
                    _ => {
                        return Err(broken(key_seq, "has an epoch seal that cannot be decoded"));
                    }
                };
                if sealed != epoch {
                    return Err(broken(
                        key_seq,
                        format!(
                            "seals epoch {sealed} where epoch {epoch} must be sealed (epochs skipped or replayed)"
                        ),
                    ));
                }
                // An early seal closes its epoch when an administrator asked.
                if !early && record.time_ms < clock.end_ms(epoch) {
                    return Err(broken(
                        key_seq,
                        format!("seals epoch {epoch} before it ended"),
                    ));
                }
                self.epoch += 1;
                self.epoch_seals += 1;
                if let Some(k) = self.keys.as_mut() {
                    k.key = advance(&k.key);
                    k.sealer = Sealer::new(&k.key);
                }
            }
        }
        if let Some(cp) = self.options.checkpoint
            && cp.seq == key_seq
        {
            if &cp.hash != record.hash || &cp.seal != record.mac {
                return Err(broken(key_seq, "differs from the kept checkpoint"));
            }
            self.checkpoint_matched = true;
        }
        self.prev = *record.hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// Checks the head record (and the sealing state and checkpoint) against the
    /// records fed so far.
    pub fn finish(self, head: Option<Head>) -> Result<Report, Break> {
        let Self {
            options,
            expected_seq,
            prev,
            epoch,
            store_id,
            events,
            epoch_seals,
            checkpoint_matched,
            ..
        } = self;
        if expected_seq == 0 {
            return Err(broken(
                0,
                "the log is empty (the genesis record is missing)",
            ));
        }
        let last_seq = expected_seq - 1;
        let head = head.ok_or_else(|| broken(expected_seq, "the head record is missing"))?;
        if head.seq > last_seq {
            return Err(broken(
                expected_seq,
                format!(
                    "is missing: the head says the log runs to record {}, the tail was cut",
                    head.seq
                ),
            ));
        }
        if head.seq < last_seq {
            return Err(broken(
                head.seq + 1,
                "lies beyond the head (records were appended outside caredesk)",
            ));
        }
        if head.hash != prev || head.epoch != epoch {
            return Err(broken(last_seq, "disagrees with the head record"));
        }
        if let Some(seal) = &options.seal {
            if seal.epoch > epoch {
                return Err(broken(
                    expected_seq,
                    format!(
                        "is missing: the sealing key has advanced to epoch {} but the log's seals end at epoch {epoch}; the tail was cut",
                        seal.epoch
                    ),
                ));
            }
            if let Some(seed) = options.seed
                && key_digest(&key_at(seed, seal.epoch)) != seal.key_digest
            {
                return Err(broken(
                    expected_seq,
                    "cannot follow: the sealing key on disk does not come from the seed (replaced)",
                ));
            }
        }
        if let Some(cp) = options.checkpoint {
            if cp.store_id != store_id {
                return Err(broken(0, "belongs to another store than the checkpoint"));
            }
            if !checkpoint_matched {
                return Err(broken(
                    expected_seq,
                    format!(
                        "is missing: the log ends before the kept checkpoint at record {} (rolled back to an older copy, or cut)",
                        cp.seq
                    ),
                ));
            }
        }
        Ok(Report {
            entries: expected_seq,
            events,
            epoch_seals,
            head,
            seals_checked: options.seed.is_some(),
            checkpoint_matched,
        })
    }
}
