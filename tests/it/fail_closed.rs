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
