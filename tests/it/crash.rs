//! A writer killed with SIGKILL in the middle of its work leaves a store that opens,
//! whose audit chain verifies, and in which every write it reported as done is there.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;
use caredesk::audit::log::AUDIT_TREE;
use caredesk::audit::seal::SealState;
use caredesk::audit::verify::SealView;
use caredesk::audit::{VerifyOptions, verify};
use caredesk::crypto::IndexKind;
use caredesk::store::{RawStore, StoreOptions};

const CHILD_ENV: &str = "CAREDESK_CRASH_TEST_DIR";

/// This test's name as the test binary knows it (`crash::…`: the module path without the
/// crate), for the child run's `--exact`.
fn test_name() -> String {
    let path = module_path!();
    let module = path.split_once("::").map_or(path, |(_, module)| module);
    format!("{module}::a_killed_writer_leaves_the_store_openable_and_consistent")
}

/// The child: writes patients until it is killed, reporting each committed one.
fn child(dir: &str) {
    let vault = unlock(std::path::Path::new(dir), StoreOptions::default());
    for i in 0.. {
        vault
            .create_patient(
                &patient("Crash", &format!("1{i:010}"), &format!("C{i}")),
                event("patient.create"),
            )
            .unwrap();
        println!("committed {i}");
    }
}

#[test]
fn a_killed_writer_leaves_the_store_openable_and_consistent() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child(&dir);
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    drop(vault);

    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &test_name(), "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut committed = None;
        while let Some(Ok(line)) = lines.next() {
            if let Some(n) = line.strip_prefix("committed ") {
                committed = Some(n.parse::<u64>().unwrap());
                if committed >= Some(40 + round * 17) {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let committed = committed.expect("the child committed nothing");

        {
            let raw = RawStore::open(&dir).unwrap();
            let tree = raw.tree(AUDIT_TREE).unwrap();
            let seal = SealState::open(&dir).unwrap();
            let report = verify(
                &tree,
                &VerifyOptions {
                    seal: Some(SealView::of(seal.epoch, &seal.key)),
                    ..Default::default()
                },
            )
            .unwrap_or_else(|b| panic!("round {round}: audit broken after the kill: {b}"));
            assert!(report.events > committed);
        }
        let vault = unlock(&dir, StoreOptions::default());
        for i in 0..=committed {
            let found = vault.find(IndexKind::Phone, &format!("1{i:010}")).unwrap();
            assert!(
                !found.is_empty(),
                "round {round}: reported write {i} is missing"
            );
            for id in found {
                assert_eq!(vault.patient(&id).unwrap().name, "Crash");
            }
        }
    }
}
