//! The crypto suite is the store's: chosen at `init` (or `demo`), recorded in the store,
//! every sealed value made with it — XChaCha20-Poly1305 envelopes (first byte 1) in a
//! standard store, SM4-GCM (first byte 2) in a 国密 one — and a process that works
//! with one suite refuses a store of the other instead of mixing them. The rest of the
//! store, audit and service tests run under each suite in CI
//! (`CAREDESK_TEST_CRYPTO_SUITE=sm`, see `.ci/run`).

use crate::common::run_caredesk;
use caredesk::crypto::Suite;
use caredesk::store::{Store, StoreError, StoreOptions};

/// A small demo store made by the binary with `suite`.
fn demo(tmp: &std::path::Path, suite: Suite) -> std::path::PathBuf {
    let dir = tmp.join(suite.name());
    let made = run_caredesk(
        None,
        &[
            "demo",
            "--data",
            dir.to_str().unwrap(),
            "--patients",
            "5",
            "--no-tui",
            "--crypto-suite",
            suite.name(),
        ],
        "",
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    dir
}

#[test]
fn each_suite_s_store_records_it_and_seals_every_value_with_its_cipher() {
    let tmp = tempfile::tempdir().unwrap();
    for (suite, first_byte) in [(Suite::Standard, 1u8), (Suite::Sm, 2u8)] {
        let dir = demo(tmp.path(), suite);
        // Read beside caredesk, as an attacker with the disk would.
        let db = caredesk::store::db::sled_config(&dir.join("db"))
            .open()
            .unwrap();
        let meta = db.open_tree("meta").unwrap();
        assert_eq!(
            meta.get("crypto_suite").unwrap().as_deref(),
            Some(suite.name().as_bytes())
        );
        for tree in [
            "users",
            "patients",
            "health",
            "cards",
            "observations",
            "exams",
        ] {
            let tree = db.open_tree(tree).unwrap();
            let values: Vec<_> = tree.iter().values().map(Result::unwrap).collect();
            assert!(!values.is_empty(), "{suite:?}: nothing in a tree");
            for value in values {
                assert_eq!(value[0], first_byte, "{suite:?}");
            }
        }
    }
}

#[test]
fn a_process_refuses_a_store_of_the_other_suite_and_names_both() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = caredesk::crypto::suite::current();
    let other = match mine {
        Suite::Standard => Suite::Sm,
        Suite::Sm => Suite::Standard,
    };
    // A process that has not opened a store yet works under the standard suite; make
    // sure this one has adopted its own before the other store comes.
    caredesk::crypto::suite::adopt(mine).unwrap();
    let dir = demo(tmp.path(), other);
    match Store::open(&dir, StoreOptions::default()) {
        Err(StoreError::Invalid(message)) => {
            assert!(
                message.contains(other.name()) && message.contains(mine.name()),
                "{message}"
            );
        }
        Ok(_) => panic!("a store of the other suite opened"),
        Err(other) => panic!("{other:?}"),
    }
    // Its own process opens it: the binary verifies its audit chain (SM3 under 国密).
    let verified = run_caredesk(
        None,
        &["audit", "verify", "--data", dir.to_str().unwrap()],
        "",
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}
