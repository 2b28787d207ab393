//! One flipped byte in the region of sled's file that the last write touched: sled
//! takes it for a torn write and recovers to the state before, so acknowledged records
//! and their audit records vanish. The head kept outside sled (`audit.head`) catches
//! it: the store refuses to open, naming the restore command, and `audit verify` exits 3.

use std::path::Path;

use crate::common::*;
use caredesk::store::{Store, StoreOptions};

fn db_file(dir: &Path) -> std::path::PathBuf {
    dir.join("db").join("db")
}

/// What an acknowledged import left in sled's file: the file after it, where its
/// changes begin, the audit head it reached and the patient it made.
struct LastWrite {
    after: Vec<u8>,
    first: usize,
    acknowledged: u64,
    imported: caredesk::domain::patient::PatientId,
}

/// Creates one patient as an import (acknowledged: the call returned, so it and its
/// audit record are durable) in the store at `dir`, comparing sled's file before and
/// after.
fn import_one(dir: &Path, name: &str, phone: &str, id_number: &str) -> LastWrite {
    let before = std::fs::read(db_file(dir)).unwrap();
    let vault = unlock(dir, StoreOptions::default());
    let imported = vault
        .create_patient(&patient(name, phone, id_number), event("patient.import"))
        .unwrap();
    let acknowledged = vault.store().audit().head().seq;
    drop(vault);
    let after = std::fs::read(db_file(dir)).unwrap();
    // The region the last write touched: from the first byte that changed.
    let first = before
        .iter()
        .zip(&after)
        .position(|(a, b)| a != b)
        .unwrap_or(before.len().min(after.len()));
    assert!(
        first < after.len(),
        "the import wrote nothing to {}",
        db_file(dir).display()
    );
    LastWrite {
        after,
        first,
        acknowledged,
        imported,
    }
}

#[test]
fn a_flipped_byte_that_loses_acknowledged_records_is_refused_not_run_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    for i in 0..20 {
        vault
            .create_patient(
                &patient(
                    &format!("Before {i}"),
                    &format!("1380000{i:04}"),
                    &format!("B{i}"),
                ),
                event("patient.create"),
            )
            .unwrap();
    }
    drop(vault);
    let LastWrite {
        after,
        first,
        acknowledged,
        imported,
    } = import_one(&dir, "Imported One", "13811112222", "IMP-1");
    let mut damaged = after.clone();
    damaged[first] ^= 0x40;
    std::fs::write(db_file(&dir), &damaged).unwrap();

    // The store refuses to open, naming the problem and the restore command.
    let refused = Store::open(&dir, StoreOptions::default());
    let Err(error) = refused else {
        let store = refused.unwrap();
        panic!(
            "the store opened at record {} after record {acknowledged} was acknowledged (patient {imported})",
            store.audit().head().seq
        );
    };
    let message = error.to_string();
    eprintln!("refused: {message}");
    assert!(
        message.contains("caredesk restore")
            && message.contains("acknowledged records are missing"),
        "{message}"
    );
    // And the auditor's check says broken.
    let verify = run_caredesk(Some(&dir), &["audit", "verify"], "");
    assert_eq!(
        verify.status.code(),
        Some(3),
        "{}{}",
        text(&verify.stdout),
        text(&verify.stderr)
    );
}

/// Every byte flipped across the region the last write touched, one copy each: the
/// store either opens with the acknowledged record there, or refuses, and `audit
/// verify` then exits 3 (a damaged store is a log that cannot be shown intact).
#[test]
fn any_flipped_byte_in_the_last_write_keeps_the_record_or_is_refused_with_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    drop(vault);
    let LastWrite {
        after,
        first,
        acknowledged,
        ..
    } = import_one(&dir, "Imported Two", "13811113333", "IMP-2");
    let last = after.len();
    let step = ((last - first) / 24).max(1);
    let mut refused = 0;
    for (n, at) in (first..last).step_by(step).enumerate() {
        let copy = tmp.path().join(format!("copy{n}"));
        copy_dir(&dir, &copy);
        let mut damaged = after.clone();
        damaged[at] ^= 0x01;
        std::fs::write(db_file(&copy), &damaged).unwrap();
        match Store::open(&copy, StoreOptions::default()) {
            Ok(store) => assert!(
                store.audit().head().seq >= acknowledged,
                "byte {at}: the store opened without the acknowledged record"
            ),
            Err(_) => {
                refused += 1;
                let verify = run_caredesk(Some(&copy), &["audit", "verify"], "");
                assert_eq!(
                    verify.status.code(),
                    Some(3),
                    "byte {at}: {}{}",
                    text(&verify.stdout),
                    text(&verify.stderr)
                );
            }
        }
    }
    assert!(refused > 0, "no flip in the last write was noticed");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
