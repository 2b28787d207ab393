//! Fail closed: when the audit record cannot be written, an operation gives no data
//! and writes nothing. The failure is injected with `AuditLog::inject_write_failure`,
//! which exists only with the `fault-injection` feature (main.rs compiles this module
//! only then; `cargo test --all-features`).

use caredesk::crypto::IndexKind;
use caredesk::store::StoreOptions;

use crate::common::*;

#[test]
fn operations_fail_closed_when_the_audit_cannot_be_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, vault) = new_store(tmp.path(), StoreOptions::default());
    let id = vault
        .create_patient(&patient("A", "13900000031", "X31"), event("patient.create"))
        .unwrap();
    vault.store().audit().inject_write_failure(true);
    assert!(
        vault.read_patient(&id, event("patient.read")).is_err(),
        "no data without its audit record"
    );
    assert!(
        vault
            .create_patient(&patient("B", "13900000032", "X32"), event("patient.create"))
            .is_err()
    );
    vault.store().audit().inject_write_failure(false);
    assert!(
        vault
            .find(IndexKind::Phone, "13900000032")
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );
    assert_eq!(
        vault.read_patient(&id, event("patient.read")).unwrap().name,
        "A"
    );
}

/// Group commit: when the flush that would make a batch durable fails, every request in
/// the batch is refused. The records stay in the chain, and once the store writes again
/// the log says which records were refused; the chain verifies.
#[test]
fn a_failed_flush_refuses_its_whole_batch_and_the_log_says_so_after() {
    use caredesk::audit::verify::SealView;
    use caredesk::audit::{AuditRecord, VerifyOptions, verify};
    use std::sync::Arc;

    let tmp = tempfile::tempdir().unwrap();
    let (_, vault) = new_store(tmp.path(), StoreOptions::default());
    let id = vault
        .create_patient(&patient("A", "13900000041", "X41"), event("patient.create"))
        .unwrap();
    let before = vault.store().audit().head();
    vault.store().audit().inject_flush_failure(true);
    let vault = Arc::new(vault);
    let readers: Vec<_> = (0..20)
        .map(|_| {
            let vault = vault.clone();
            std::thread::spawn(move || vault.read_patient(&id, event("patient.read")).is_err())
        })
        .collect();
    assert!(
        readers.into_iter().all(|r| r.join().unwrap()),
        "no reader got data its audit record could not vouch for"
    );
    assert_eq!(vault.store().audit().head(), before, "nothing was durable");
    vault.store().audit().inject_flush_failure(false);
    assert_eq!(
        vault.read_patient(&id, event("patient.read")).unwrap().name,
        "A"
    );
    let tree = vault.store().audit().tree();
    let actions: Vec<String> = tree
        .scan_prefix(b"r")
        .map(|item| {
            let record = AuditRecord::decode(&item.unwrap().1).unwrap();
            record
                .body
                .event_head()
                .map(|e| e.action)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "patient.read").count(),
        21,
        "the refused reads are in the chain, and the last one"
    );
    // The first commit that reached the disk again names the refused records.
    assert_eq!(
        actions[actions.len() - 2..],
        ["audit.commit_failed", "patient.read"]
    );
    let seal: SealView = vault
        .store()
        .audit()
        .chain_page(0, Some(0), 1)
        .unwrap()
        .seal;
    verify(
        tree,
        &VerifyOptions {
            seal: Some(seal),
            ..Default::default()
        },
    )
    .unwrap();
}
