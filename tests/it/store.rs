//! The encrypted store: permissions, key slots, envelopes in place, crypto-shredding,
//! blind indexes, locking, damage and schema handling.

use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use caredesk::crypto::IndexKind;
use caredesk::crypto::keyslot::RecoveryKey;
use caredesk::store::meta::{META_KEY, META_TREE, SCHEMA_VERSION, StoreMeta};
use caredesk::store::vault::PATIENTS_TREE;
use caredesk::store::{self, RawStore, Store, StoreError, StoreOptions, Unlock, Vault, codec};

fn walk_modes(path: &std::path::Path, out: &mut Vec<(String, u32, bool)>) {
    let meta = std::fs::metadata(path).unwrap();
    out.push((
        path.display().to_string(),
        meta.permissions().mode() & 0o777,
        meta.is_dir(),
    ));
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            walk_modes(&entry.unwrap().path(), out);
        }
    }
}

#[test]
fn directories_are_0700_and_files_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    vault
        .create_patient(&patient("A", "13900000001", "X1"), event("patient.create"))
        .unwrap();
    drop(vault);
    let mut modes = Vec::new();
    walk_modes(&dir, &mut modes);
    assert!(modes.len() > 4);
    for (path, mode, is_dir) in modes {
        let want = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{path} has mode {mode:o}");
    }
}

#[test]
fn password_recovery_key_and_wrong_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (vault, secrets) =
        store::init(&dir, ADMIN, PASSWORD, StoreOptions::default(), actor()).unwrap();
    let id = vault
        .create_patient(&patient("B", "13900000002", "X2"), event("patient.create"))
        .unwrap();
    drop(vault);

    let store = Store::open(&dir, StoreOptions::default()).unwrap();
    assert!(matches!(
        store.unlock(Unlock::Password {
            user: ADMIN,
            password: b"wrong password"
        }),
        Err(StoreError::WrongPassword)
    ));
    assert!(matches!(
        store.unlock(Unlock::Password {
            user: "nobody",
            password: PASSWORD.as_bytes()
        }),
        Err(StoreError::WrongPassword)
    ));
    let wrong_recovery = RecoveryKey::generate();
    assert!(matches!(
        store.unlock(Unlock::RecoveryKey(&wrong_recovery)),
        Err(StoreError::WrongKey)
    ));
    assert_eq!(
        StoreError::WrongPassword.to_string(),
        "wrong user name or password",
        "the message never says which part was wrong"
    );

    // Every slot but the recovery key lost: the recovery key still opens the data.
    let recovery = RecoveryKey::parse(&secrets.recovery_key).unwrap();
    let keys = store.unlock(Unlock::RecoveryKey(&recovery)).unwrap();
    let vault = Vault::new(store, keys);
    assert_eq!(vault.patient(&id).unwrap().name, "B");
}

#[test]
fn blind_indexes_find_normalised_values() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, vault) = new_store(tmp.path(), StoreOptions::default());
    let a = vault
        .create_patient(
            &patient("A", "139 1111 2222", "11010519491231002x"),
            event("patient.create"),
        )
        .unwrap();
    let b = vault
        .create_patient(&patient("B", "13911112222", "X9"), event("patient.create"))
        .unwrap();
    let mut by_phone = vault.find(IndexKind::Phone, "+86 139-1111-2222").unwrap();
    by_phone.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(by_phone, want, "family members may share a phone");
    assert_eq!(
        vault
            .find(IndexKind::IdNumber, "11010519491231002X")
            .unwrap(),
        vec![a]
    );
    assert!(vault.find(IndexKind::IdNumber, "nope").unwrap().is_empty());

    let mut moved = vault.patient(&a).unwrap();
    moved.phone = Some("13800000000".into());
    vault
        .update_patient(&a, &moved, event("patient.update"))
        .unwrap();
    assert_eq!(
        vault.find(IndexKind::Phone, "13911112222").unwrap(),
        vec![b]
    );
    assert_eq!(
        vault.find(IndexKind::Phone, "13800000000").unwrap(),
        vec![a]
    );
}

#[test]
fn a_ciphertext_moved_to_another_record_does_not_open() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    let a = vault
        .create_patient(&patient("A", "13900000011", "X11"), event("patient.create"))
        .unwrap();
    let b = vault
        .create_patient(&patient("B", "13900000012", "X12"), event("patient.create"))
        .unwrap();
    drop(vault);
    {
        let raw = RawStore::open(&dir).unwrap();
        let tree = raw.tree(PATIENTS_TREE).unwrap();
        let sealed_a = tree.get(a.0).unwrap().unwrap();
        tree.insert(b.0, sealed_a).unwrap();
        raw.db.flush().unwrap();
    }
    let vault = unlock(&dir, StoreOptions::default());
    assert_eq!(vault.patient(&a).unwrap().name, "A");
    let err = vault.patient(&b).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}

#[test]
fn erasing_a_patient_key_shreds_only_that_patient() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    let gone = vault
        .create_patient(
            &patient("Gone", "13900000021", "X21"),
            event("patient.create"),
        )
        .unwrap();
    let kept = vault
        .create_patient(
            &patient("Kept", "13900000022", "X22"),
            event("patient.create"),
        )
        .unwrap();
    vault.erase_patient(&gone, event("patient.erase")).unwrap();
    assert!(matches!(vault.patient(&gone), Err(StoreError::Erased)));
    assert!(
        vault
            .find(IndexKind::Phone, "13900000021")
            .unwrap()
            .is_empty()
    );
    assert_eq!(vault.patient(&kept).unwrap().name, "Kept");
    drop(vault);
    // Still unreadable after reopening (no cached key survives), and the ciphertext is
    // still there: erasure is by key, not by hunting down copies.
    let vault = unlock(&dir, StoreOptions::default());
    assert!(matches!(vault.patient(&gone), Err(StoreError::Erased)));
    assert_eq!(vault.patient(&kept).unwrap().name, "Kept");
    drop(vault);
    let raw = RawStore::open(&dir).unwrap();
    assert!(
        raw.tree(PATIENTS_TREE)
            .unwrap()
            .contains_key(gone.0)
            .unwrap()
    );
}

#[test]
fn a_second_process_gets_a_clear_locked_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    let err = Store::open(&dir, StoreOptions::default()).err().unwrap();
    assert!(matches!(err, StoreError::Locked(_)), "{err}");
    assert!(
        err.to_string()
            .contains("in use by another caredesk process")
    );
    drop(vault);
    Store::open(&dir, StoreOptions::default()).unwrap();
}

#[test]
fn missing_and_existing_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nothing-here");
    let err = Store::open(&missing, StoreOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::NotFound(_)));
    assert!(err.to_string().contains("caredesk init"));

    let busy = tmp.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "keep me").unwrap();
    let err = store::init(&busy, ADMIN, PASSWORD, StoreOptions::default(), actor())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::AlreadyExists(_)));
    assert_eq!(
        std::fs::read_to_string(busy.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);
}

#[test]
fn a_refused_init_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let err = store::init(&dir, ADMIN, "short", StoreOptions::default(), actor())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert!(!dir.exists());
    let err = store::init(&dir, "Bad Name", PASSWORD, StoreOptions::default(), actor())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert!(!dir.exists());
}

#[test]
fn damaged_or_truncated_database_files_give_an_error_not_a_panic() {
    for damage in ["garbage", "truncate", "remove-meta"] {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
        for i in 0..50 {
            vault
                .create_patient(
                    &patient("P", &format!("1390000{i:04}"), &format!("ID{i}")),
                    event("patient.create"),
                )
                .unwrap();
        }
        drop(vault);
        let file = dir.join("db").join("db");
        match damage {
            "garbage" => {
                let len = std::fs::metadata(&file).unwrap().len() as usize;
                std::fs::write(&file, vec![0x5a; len]).unwrap();
            }
            "truncate" => {
                let bytes = std::fs::read(&file).unwrap();
                std::fs::write(&file, &bytes[..bytes.len() / 3]).unwrap();
            }
            _ => {
                let raw = RawStore::open(&dir).unwrap();
                raw.tree(META_TREE).unwrap().remove(META_KEY).unwrap();
                raw.db.flush().unwrap();
            }
        }
        let result =
            std::panic::catch_unwind(|| Store::open(&dir, StoreOptions::default()).map(|_| ()));
        let result = result.unwrap_or_else(|_| panic!("{damage}: opening panicked"));
        eprintln!(
            "{damage}: {:?}",
            result.as_ref().err().map(|e| e.to_string())
        );
        match result {
            Err(StoreError::Corrupt { .. }) | Err(StoreError::Audit(_)) => {}
            // sled may recover a truncated log to an earlier consistent state; then the
            // audit head check or the data must still be consistent.
            Ok(()) => {
                let vault = unlock(&dir, StoreOptions::default());
                drop(vault);
            }
            Err(other) => panic!("{damage}: unexpected error kind: {other}"),
        }
    }
}

#[test]
fn a_store_from_a_newer_caredesk_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    drop(vault);
    {
        let raw = RawStore::open(&dir).unwrap();
        let tree = raw.tree(META_TREE).unwrap();
        let mut meta: StoreMeta = codec::decode(&tree.get(META_KEY).unwrap().unwrap()).unwrap();
        meta.schema_version = SCHEMA_VERSION + 1;
        tree.insert(META_KEY, codec::encode(&meta).to_vec())
            .unwrap();
        raw.db.flush().unwrap();
    }
    let err = Store::open(&dir, StoreOptions::default()).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
}

#[test]
fn migrations_run_once_in_order() {
    use caredesk::store::migrate;
    let tmp = tempfile::tempdir().unwrap();
    let db = caredesk::store::db::sled_config(&tmp.path().join("db"))
        .open()
        .unwrap();
    let meta_tree = db.open_tree(META_TREE).unwrap();
    let mut meta = StoreMeta {
        store_id: [0; 16],
        schema_version: 1,
        created_unix: 0,
    };
    fn step_one(db: &sled::Db) -> sled::Result<()> {
        let t = db.open_tree("m")?;
        let n = t.get("ran")?.map(|v| v[0]).unwrap_or(0);
        t.insert("ran", vec![n + 1])?;
        Ok(())
    }
    fn step_two(db: &sled::Db) -> sled::Result<()> {
        db.open_tree("m")?.insert("second", vec![1])?;
        Ok(())
    }
    let steps: &[migrate::Migration] = &[step_one, step_two];
    assert_eq!(migrate::run(&db, &meta_tree, &mut meta, steps).unwrap(), 2);
    assert_eq!(meta.schema_version, 3);
    assert_eq!(migrate::run(&db, &meta_tree, &mut meta, steps).unwrap(), 0);
    assert_eq!(
        db.open_tree("m").unwrap().get("ran").unwrap().unwrap()[0],
        1
    );
    let stored: StoreMeta = codec::decode(&meta_tree.get(META_KEY).unwrap().unwrap()).unwrap();
    assert_eq!(stored.schema_version, 3);
}

/// The results digest re-evaluation reads: made from the results on first use, used
/// while the results are unchanged, and made again when one is added.
#[test]
fn the_results_digest_follows_the_results() {
    use caredesk::domain::decimal::Decimal;
    use caredesk::domain::observation::Observation;
    use caredesk::store::writes::WriteSet;

    let tmp = tempfile::tempdir().unwrap();
    let (_, vault) = new_store(tmp.path(), StoreOptions::default());
    let id = vault
        .create_patient(&patient("A", "13900000051", "X51"), event("patient.create"))
        .unwrap();
    let add = |value: &str, at: i64| {
        let o = Observation::typed_in("8480-6", Decimal::parse(value).unwrap(), "mm[Hg]", at);
        let mut writes = WriteSet::new();
        let key = vault.result_key(&id, &o);
        vault.stage_observation(&mut writes, &id, key, &o).unwrap();
        vault.commit(event("results.import"), writes).unwrap();
    };
    add("128", 1_700_000_000);
    add("141", 1_700_086_400);
    let digested = |vault: &Vault| {
        let mut writes = WriteSet::new();
        let (observations, staged) = vault.observations_digested(&id, &mut writes).unwrap();
        vault.commit(event("health.reevaluate"), writes).unwrap();
        (observations, staged)
    };
    // What the rules read: every result, without the name as sent and the source's
    // reference.
    let as_read = |vault: &Vault| -> Vec<Observation> {
        let mut all = vault.observations(&id).unwrap();
        for o in &mut all {
            o.display = None;
            o.source.reference.clear();
        }
        all
    };
    let (first, staged) = digested(&vault);
    assert!(staged, "made on first use");
    assert_eq!(first, as_read(&vault));
    let (again, staged) = digested(&vault);
    assert!(!staged, "used while the results are unchanged");
    assert_eq!(again, first);
    add("150", 1_700_172_800);
    let (after, staged) = digested(&vault);
    assert!(staged, "made again when a result is added");
    assert_eq!(after.len(), 3);
    assert_eq!(after, as_read(&vault));
}
