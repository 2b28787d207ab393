//! Every way of tampering with the audit log is caught by `verify`, which names the
//! first bad record. The attacker here can read and write every file of the store,
//! including the writer's current sealing key, but not the auditor's seed.

use std::path::{Path, PathBuf};

use crate::common::*;
use caredesk::audit::checkpoint::Checkpoint;
use caredesk::audit::log::{AUDIT_TREE, HEAD_KEY, Head, read_genesis, record_key};
use caredesk::audit::record::{AuditRecord, RecordBody, chain_hash};
use caredesk::audit::seal::{SEAL_FILE, SealState, Sealer, Seed};
use caredesk::audit::verify::SealView;
use caredesk::audit::{Break, Report, VerifyOptions, verify};
use caredesk::store::{self, RawStore, Store, codec};

const EPOCH: u64 = 60;
const START: i64 = 1_800_000_000;

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    seed: Seed,
    clock: ManualClock,
}

/// Three events in epoch 0, three in epoch 1, then three quiet epochs and three events
/// in epoch 4: records 0 genesis, 1 init, 2-4, seal(0) 5, 6-8, seals 9-11, 12-14.
fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let dir = tmp.path().join("store");
    let (vault, secrets) =
        store::init(&dir, ADMIN, PASSWORD, options_with(&clock, EPOCH), actor()).unwrap();
    let audit = vault.store().audit();
    for i in 0..3 {
        audit.append(event(&format!("e0.{i}"))).unwrap();
    }
    clock.advance_secs(EPOCH as i64);
    for i in 0..3 {
        audit.append(event(&format!("e1.{i}"))).unwrap();
    }
    clock.advance_secs(3 * EPOCH as i64);
    for i in 0..3 {
        audit.append(event(&format!("e4.{i}"))).unwrap();
    }
    drop(vault);
    Fixture {
        _tmp: tmp,
        seed: Seed::parse(&secrets.audit_seed).unwrap(),
        dir,
        clock,
    }
}

fn check(
    dir: &Path,
    seed: Option<&Seed>,
    checkpoint: Option<&Checkpoint>,
) -> Result<Report, Break> {
    let raw = RawStore::open(dir).unwrap();
    let tree = raw.tree(AUDIT_TREE).unwrap();
    let seal = SealState::open(dir).unwrap();
    verify(
        &tree,
        &VerifyOptions {
            seed,
            checkpoint,
            seal: Some(SealView::of(seal.epoch, &seal.key)),
        },
    )
}

fn records(dir: &Path) -> Vec<AuditRecord> {
    let raw = RawStore::open(dir).unwrap();
    let tree = raw.tree(AUDIT_TREE).unwrap();
    tree.range(&b"r"[..]..&b"s"[..])
        .map(|item| AuditRecord::decode(&item.unwrap().1).unwrap())
        .collect()
}

/// Replaces the whole log with `records` stored under `keys`, and the head if given.
fn rewrite(dir: &Path, records: &[(u64, AuditRecord)], head: Option<Head>) {
    let raw = RawStore::open(dir).unwrap();
    let tree = raw.tree(AUDIT_TREE).unwrap();
    for key in tree.range(&b"r"[..]..&b"s"[..]).keys() {
        tree.remove(key.unwrap()).unwrap();
    }
    for (key, record) in records {
        tree.insert(record_key(*key), record.encode()).unwrap();
    }
    if let Some(head) = head {
        tree.insert(HEAD_KEY, codec::encode(&head).to_vec())
            .unwrap();
    }
    raw.db.flush().unwrap();
}

fn in_place(records: Vec<AuditRecord>) -> Vec<(u64, AuditRecord)> {
    records.into_iter().map(|r| (r.seq, r)).collect()
}

/// Re-chains `records` from index `from` on, sealing each with `key`; returns the head.
fn rechain(records: &mut [AuditRecord], from: usize, sealer: &Sealer, epoch: u64) -> Head {
    for i in from..records.len() {
        let prev = if i == 0 { [0; 32] } else { records[i - 1].hash };
        let r = &mut records[i];
        r.seq = i as u64;
        r.prev = prev;
        r.hash = chain_hash(&prev, r.seq, r.time_ms, &r.body);
        r.mac = sealer.mac(&r.hash);
    }
    let last = records.last().unwrap();
    Head {
        seq: last.seq,
        hash: last.hash,
        epoch,
    }
}

fn current_sealer(dir: &Path) -> (Sealer, u64) {
    let seal = SealState::open(dir).unwrap();
    (Sealer::new(&seal.key), seal.epoch)
}

fn set_action(record: &mut AuditRecord, action: &str) {
    match &mut record.body {
        RecordBody::Event(e) => e.action = action.into(),
        RecordBody::Sealed(e) => e.action = action.into(),
        other => panic!("record {} is not an event: {other:?}", record.seq),
    }
}

#[test]
fn an_untouched_log_verifies_with_and_without_the_seed() {
    let f = fixture();
    let report = check(&f.dir, Some(&f.seed), None).unwrap();
    assert_eq!(report.entries, 15);
    assert_eq!(report.events, 10);
    assert_eq!(
        report.epoch_seals, 4,
        "the quiet epochs 2 and 3 are sealed too"
    );
    assert!(report.seals_checked);
    assert!(!check(&f.dir, None, None).unwrap().seals_checked);
    let wrong_seed = Seed::generate();
    assert_eq!(check(&f.dir, Some(&wrong_seed), None).unwrap_err().seq, 0);
}

#[test]
fn an_altered_record_is_named() {
    let f = fixture();
    let mut log = records(&f.dir);
    set_action(&mut log[3], "nothing.happened");
    rewrite(&f.dir, &in_place(log), None);
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 3);
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 3);
}

#[test]
fn an_altered_record_with_a_recomputed_hash_is_caught() {
    let f = fixture();
    let mut log = records(&f.dir);
    set_action(&mut log[3], "nothing.happened");
    let r = &mut log[3];
    r.hash = chain_hash(&r.prev, r.seq, r.time_ms, &r.body);
    rewrite(&f.dir, &in_place(log), None);
    // Without the seed the break shows where the chain no longer links; with it, at
    // the altered record itself, whose seal no longer matches.
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 4);
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 3);
}

#[test]
fn a_removed_record_is_named() {
    let f = fixture();
    let mut log = records(&f.dir);
    log.remove(7);
    rewrite(&f.dir, &in_place(log), None);
    let broken = check(&f.dir, None, None).unwrap_err();
    assert_eq!(broken.seq, 7);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

#[test]
fn reordered_records_are_named() {
    let f = fixture();
    let log = records(&f.dir);
    let mut placed = in_place(log);
    let (a, b) = (placed[6].1.clone(), placed[7].1.clone());
    placed[6].1 = b;
    placed[7].1 = a;
    rewrite(&f.dir, &placed, None);
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 6);
}

#[test]
fn an_inserted_record_is_named() {
    let f = fixture();
    let log = records(&f.dir);
    // Naive: slip a copy in and shift the keys of everything after it.
    let mut shifted: Vec<(u64, AuditRecord)> = Vec::new();
    for r in &log {
        if r.seq == 4 {
            shifted.push((4, log[3].clone()));
        }
        shifted.push((if r.seq >= 4 { r.seq + 1 } else { r.seq }, r.clone()));
    }
    rewrite(&f.dir, &shifted, None);
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 4);

    // Thorough: insert, renumber and re-chain everything with the stolen current key.
    let f = fixture();
    let mut log = records(&f.dir);
    let mut forged = log[3].clone();
    set_action(&mut forged, "user.create");
    log.insert(4, forged);
    let (sealer, epoch) = current_sealer(&f.dir);
    let head = rechain(&mut log, 4, &sealer, epoch);
    rewrite(&f.dir, &in_place(log), Some(head));
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 4);
}

#[test]
fn a_cut_tail_is_caught() {
    // Naive: the last records deleted, the head left alone.
    let f = fixture();
    let mut log = records(&f.dir);
    log.truncate(13);
    rewrite(&f.dir, &in_place(log), None);
    let broken = check(&f.dir, None, None).unwrap_err();
    assert_eq!(broken.seq, 13);
    assert!(broken.reason.contains("tail was cut"), "{}", broken.reason);

    // Back across epoch seals with the head rewritten: the sealing key on disk is
    // ahead of the last seal, and the old keys needed to fake seals are gone.
    let f = fixture();
    let mut log = records(&f.dir);
    log.truncate(9);
    let last = log.last().unwrap();
    let head = Head {
        seq: last.seq,
        hash: last.hash,
        epoch: 1,
    };
    rewrite(&f.dir, &in_place(log), Some(head));
    let broken = check(&f.dir, None, None).unwrap_err();
    assert_eq!(broken.seq, 9);
    assert!(broken.reason.contains("tail was cut"), "{}", broken.reason);
}

#[test]
fn a_cut_within_the_open_epoch_is_caught_by_a_kept_checkpoint() {
    let f = fixture();
    let checkpoint = {
        let raw = RawStore::open(&f.dir).unwrap();
        let tree = raw.tree(AUDIT_TREE).unwrap();
        let (_, store_id) = read_genesis(&tree).unwrap();
        let head = caredesk::audit::log::read_head(&tree).unwrap().unwrap();
        Checkpoint::of_head(&tree, store_id, head).unwrap()
    };
    let round_trip = Checkpoint::from_json(&checkpoint.to_json()).unwrap();
    assert_eq!(round_trip, checkpoint);
    assert!(
        check(&f.dir, Some(&f.seed), Some(&checkpoint))
            .unwrap()
            .checkpoint_matched
    );

    let mut log = records(&f.dir);
    log.truncate(13);
    let last = log.last().unwrap();
    let head = Head {
        seq: last.seq,
        hash: last.hash,
        epoch: 4,
    };
    rewrite(&f.dir, &in_place(log), Some(head));
    // Within the open epoch the current key could re-seal anything, so only the kept
    // checkpoint tells: the log ends before it.
    let broken = check(&f.dir, Some(&f.seed), Some(&checkpoint)).unwrap_err();
    assert_eq!(broken.seq, 13);
    assert!(broken.reason.contains("checkpoint"), "{}", broken.reason);
}

/// CVE-2023-31438: cut the tail, then append new records after the last seal.
#[test]
fn cutting_the_tail_and_appending_new_records_is_caught() {
    let f = fixture();
    let (sealer, _) = current_sealer(&f.dir);
    let mut log = records(&f.dir);
    log.truncate(8); // ends inside epoch 1, before its seal
    let mut forged = log[7].clone();
    set_action(&mut forged, "login.ok");
    log.push(forged.clone());
    log.push(forged);
    let head = rechain(&mut log, 8, &sealer, 1);
    rewrite(&f.dir, &in_place(log.clone()), Some(head));
    // Dated inside epoch 1 and sealed with the stolen epoch-4 key: the seed sees it.
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 8);
    // Even without the seed, the key on disk is ahead of the log's last seal.
    assert!(check(&f.dir, None, None).is_err());

    // Dated now (epoch 4) without the seals of epochs 1-3: the dates give it away.
    let f = fixture();
    let (sealer, _) = current_sealer(&f.dir);
    let mut log = records(&f.dir);
    log.truncate(8);
    let mut forged = log[7].clone();
    forged.time_ms = (START + 4 * EPOCH as i64 + 5) * 1000;
    log.push(forged);
    let head = rechain(&mut log, 8, &sealer, 1);
    rewrite(&f.dir, &in_place(log), Some(head));
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 8);
}

/// CVE-2023-31439: re-seal old, altered records with a later epoch's key.
#[test]
fn resealing_old_records_with_a_later_key_is_caught() {
    let f = fixture();
    let (sealer, epoch) = current_sealer(&f.dir);
    let mut log = records(&f.dir);
    set_action(&mut log[2], "nothing.happened");
    let head = rechain(&mut log, 2, &sealer, epoch);
    rewrite(&f.dir, &in_place(log), Some(head));
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 2);
}

#[test]
fn a_replaced_sealing_key_is_caught_with_the_seed() {
    let f = fixture();
    let path = f.dir.join(SEAL_FILE);
    std::fs::remove_file(&path).unwrap();
    let mut forged = SealState::create(&f.dir, Seed::generate().first_key()).unwrap();
    forged.advance_to(4).unwrap();
    drop(forged);
    assert!(
        check(&f.dir, None, None).is_ok(),
        "without the seed a same-epoch key looks fine"
    );
    let broken = check(&f.dir, Some(&f.seed), None).unwrap_err();
    assert!(
        broken.reason.contains("does not come from the seed"),
        "{}",
        broken.reason
    );
}

#[test]
fn a_removed_epoch_seal_is_named() {
    let f = fixture();
    let mut log = records(&f.dir);
    log.remove(10);
    let (sealer, epoch) = current_sealer(&f.dir);
    let head = rechain(&mut log, 10, &sealer, epoch - 1);
    rewrite(&f.dir, &in_place(log), Some(head));
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 10);
}

#[test]
fn a_rolled_back_copy_is_refused_by_a_later_checkpoint() {
    let f = fixture();
    let old_copy = f._tmp.path().join("old-copy");
    copy_dir(&f.dir, &old_copy);
    let store = Store::open(&f.dir, options_with(&f.clock, EPOCH)).unwrap();
    store.audit().append(event("patient.erase")).unwrap();
    let tree = store.audit().tree();
    let (_, store_id) = read_genesis(tree).unwrap();
    let checkpoint = Checkpoint::of_head(tree, store_id, store.audit().head()).unwrap();
    drop(store);
    assert!(check(&f.dir, Some(&f.seed), Some(&checkpoint)).is_ok());
    let broken = check(&old_copy, Some(&f.seed), Some(&checkpoint)).unwrap_err();
    assert_eq!(broken.seq, 15);
}

#[test]
fn quiet_epochs_are_sealed_and_a_crash_mid_advance_recovers() {
    let f = fixture();
    let store = Store::open(&f.dir, options_with(&f.clock, EPOCH)).unwrap();
    f.clock.advance_secs(5 * EPOCH as i64);
    let head = store.audit().seal_elapsed().unwrap();
    assert_eq!(head.epoch, 9);
    // Crash simulation: keep the key file from before an epoch-crossing append.
    let before = std::fs::read(f.dir.join(SEAL_FILE)).unwrap();
    f.clock.advance_secs(EPOCH as i64);
    store.audit().append(event("after.crash")).unwrap();
    drop(store);
    std::fs::write(f.dir.join(SEAL_FILE), before).unwrap();
    let store = Store::open(&f.dir, options_with(&f.clock, EPOCH)).unwrap();
    assert_eq!(store.audit().head().epoch, 10);
    drop(store);
    let report = check(&f.dir, Some(&f.seed), None).unwrap();
    assert_eq!(report.epoch_seals, 10);
}

#[test]
fn a_tampered_log_stops_the_store_from_opening_for_writes() {
    let f = fixture();
    let mut log = records(&f.dir);
    log.truncate(13);
    rewrite(&f.dir, &in_place(log), None);
    let err = Store::open(&f.dir, options_with(&f.clock, EPOCH))
        .err()
        .unwrap();
    assert!(err.to_string().contains("audit verify"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Any log the writer makes verifies; any single flipped byte in any stored
        /// record is caught at or before that record.
        #[test]
        fn any_flipped_byte_is_caught(steps in proptest::collection::vec((0u8..3, 0i64..200), 1..25),
                                      pick in any::<prop::sample::Index>(),
                                      byte in any::<prop::sample::Index>(),
                                      bit in 0u8..8) {
            let tmp = tempfile::tempdir().unwrap();
            let clock = ManualClock::starting_at(START);
            let dir = tmp.path().join("store");
            let (vault, secrets) = store::init(&dir, ADMIN, PASSWORD, options_with(&clock, EPOCH), actor()).unwrap();
            for (kind, secs) in steps {
                clock.advance_secs(secs);
                match kind {
                    0 => { vault.store().audit().seal_elapsed().unwrap(); }
                    _ => { vault.store().audit().append(event("x")).unwrap(); }
                }
            }
            drop(vault);
            let seed = Seed::parse(&secrets.audit_seed).unwrap();
            prop_assert!(check(&dir, Some(&seed), None).is_ok());

            let raw = RawStore::open(&dir).unwrap();
            let tree = raw.tree(AUDIT_TREE).unwrap();
            let entries: Vec<_> = tree.range(&b"r"[..]..&b"s"[..]).map(|i| i.unwrap()).collect();
            let (key, value) = &entries[pick.index(entries.len())];
            let seq = u64::from_be_bytes(key[1..9].try_into().unwrap());
            let mut bytes = value.to_vec();
            let i = byte.index(bytes.len());
            bytes[i] ^= 1 << bit;
            tree.insert(key, bytes).unwrap();
            raw.db.flush().unwrap();
            drop(tree);
            drop(raw);
            let broken = check(&dir, Some(&seed), None).unwrap_err();
            prop_assert!(broken.seq <= seq, "flip in {} reported at {}", seq, broken.seq);
        }
    }
}

#[test]
fn an_early_seal_puts_the_open_epoch_beyond_forging_at_once() {
    let f = fixture();
    // Records 12-14 are in the open epoch 4: its key, on the machine, could re-seal
    // them. An administrator closes the epoch early (`caredesk audit rotate-epoch`).
    {
        let store = Store::open(&f.dir, options_with(&f.clock, EPOCH)).unwrap();
        let head = store.audit().seal_now(event("audit.seal_now")).unwrap();
        assert_eq!((head.seq, head.epoch), (16, 5));
        // The log goes on in epoch 5, which ends where the clock's epoch 5 ends.
        store.audit().append(event("e5.0")).unwrap();
        f.clock.advance_secs(EPOCH as i64);
        store.audit().append(event("e5.1")).unwrap();
        assert_eq!(store.audit().head().epoch, 5);
        f.clock.advance_secs(EPOCH as i64);
        store.audit().append(event("e6.0")).unwrap();
    }
    let report = check(&f.dir, Some(&f.seed), None).unwrap();
    assert_eq!(report.epoch_seals, 6);
    // The attacker now holds only epoch 6's key: re-sealing record 13 is caught.
    let (sealer, epoch) = current_sealer(&f.dir);
    assert_eq!(epoch, 6);
    let mut log = records(&f.dir);
    set_action(&mut log[13], "nothing.happened");
    let head = rechain(&mut log, 13, &sealer, epoch);
    rewrite(&f.dir, &in_place(log), Some(head));
    assert!(
        check(&f.dir, None, None).is_ok(),
        "the chain alone cannot tell"
    );
    assert_eq!(check(&f.dir, Some(&f.seed), None).unwrap_err().seq, 13);
}

#[test]
fn an_ordinary_seal_dated_before_its_epoch_ended_is_still_refused() {
    let f = fixture();
    let mut log = records(&f.dir);
    // Seal record 5 closes epoch 0; moved back into epoch 0 it is refused, and
    // calling it an early seal instead changes its hash (caught by the chain).
    let r = &mut log[5];
    r.body = RecordBody::EpochSealEarly { epoch: 0 };
    rewrite(&f.dir, &in_place(log), None);
    assert_eq!(check(&f.dir, None, None).unwrap_err().seq, 5);
}
