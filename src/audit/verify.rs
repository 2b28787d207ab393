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
use super::seal::{Sealer, Seed, advance};
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

/// The writer's sealing state as read from `audit.seal`.
pub struct SealView<'a> {
    pub epoch: u64,
    pub key: &'a SecretKey,
}

#[derive(Default)]
pub struct VerifyOptions<'a> {
    pub seed: Option<&'a Seed>,
    pub checkpoint: Option<&'a Checkpoint>,
    pub seal: Option<SealView<'a>>,
}

struct EpochKeys {
    sealer: Sealer,
    key: SecretKey,
}

pub fn verify(tree: &sled::Tree, options: &VerifyOptions<'_>) -> Result<Report, Break> {
    let mut expected_seq = 0u64;
    let mut prev = GENESIS_PREV;
    let mut epoch = 0u64;
    let mut clock: Option<EpochClock> = None;
    let mut store_id = [0u8; 16];
    let mut events = 0u64;
    let mut epoch_seals = 0u64;
    let mut keys = options.seed.map(|seed| {
        let key = seed.first_key();
        EpochKeys {
            sealer: Sealer::new(&key),
            key,
        }
    });
    let mut checkpoint_matched = false;

    for item in tree.range(&b"r"[..]..&b"s"[..]) {
        let (key, value) =
            item.map_err(|e| broken(expected_seq, format!("cannot be read: {e}")))?;
        let key_seq = key
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .filter(|_| key.len() == 9)
            .ok_or_else(|| broken(expected_seq, "a record is stored under a malformed key"))?;
        if key_seq != expected_seq {
            return Err(broken(expected_seq, "is missing (records were removed)"));
        }
        let record = RawRecord::parse(&value)
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
        if record.prev != &prev {
            return Err(broken(
                key_seq,
                "does not follow the record before it (chain broken)",
            ));
        }
        if &chain_hash_bytes(&prev, record.seq, record.time_ms, record.body) != record.hash {
            return Err(broken(
                key_seq,
                "was altered (its hash does not match its content)",
            ));
        }
        if let Some(k) = &keys
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
                store_id = id;
                clock = Some(EpochClock {
                    start_unix: epoch_start_unix,
                    seconds: epoch_seconds,
                });
            }
            BodyKind::Event => {
                let clock =
                    clock.ok_or_else(|| broken(key_seq, "comes before the genesis record"))?;
                if record.time_ms >= clock.end_ms(epoch) {
                    return Err(broken(
                        key_seq,
                        format!(
                            "is dated after epoch {epoch} ended but was not sealed in a later epoch"
                        ),
                    ));
                }
                events += 1;
            }
            BodyKind::EpochSeal => {
                let clock =
                    clock.ok_or_else(|| broken(key_seq, "comes before the genesis record"))?;
                let Ok(RecordBody::EpochSeal { epoch: sealed }) = record.body() else {
                    return Err(broken(key_seq, "has an epoch seal that cannot be decoded"));
                };
                if sealed != epoch {
                    return Err(broken(
                        key_seq,
                        format!(
                            "seals epoch {sealed} where epoch {epoch} must be sealed (epochs skipped or replayed)"
                        ),
                    ));
                }
                if record.time_ms < clock.end_ms(epoch) {
                    return Err(broken(
                        key_seq,
                        format!("seals epoch {epoch} before it ended"),
                    ));
                }
                epoch += 1;
                epoch_seals += 1;
                if let Some(k) = keys.as_mut() {
                    k.key = advance(&k.key);
                    k.sealer = Sealer::new(&k.key);
                }
            }
        }
        if let Some(cp) = options.checkpoint
            && cp.seq == key_seq
        {
            if &cp.hash != record.hash || &cp.seal != record.mac {
                return Err(broken(key_seq, "differs from the kept checkpoint"));
            }
            checkpoint_matched = true;
        }
        prev = *record.hash;
        expected_seq += 1;
    }

    if expected_seq == 0 {
        return Err(broken(
            0,
            "the log is empty (the genesis record is missing)",
        ));
    }
    let last_seq = expected_seq - 1;
    let head = read_head(tree)
        .map_err(|e| broken(expected_seq, format!("the head cannot be read ({e})")))?
        .ok_or_else(|| broken(expected_seq, "the head record is missing"))?;
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
        if let Some(seed) = options.seed {
            let mut key = seed.first_key();
            for _ in 0..seal.epoch {
                key = advance(&key);
            }
            if &key != seal.key {
                return Err(broken(
                    expected_seq,
                    "cannot follow: the sealing key on disk does not come from the seed (replaced)",
                ));
            }
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
