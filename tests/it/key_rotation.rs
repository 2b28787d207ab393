//! Data-key rotation: every record readable afterwards and nothing left that the old
//! key opens; each key slot (passwords, the recovery key) takes up the new key at its
//! next use; a rotation interrupted by a restart goes on where it stopped; only a key
//! administrator may rotate; all of it audited.

use crate::common;
use caredesk::clinic::api::{AuditSealed, Registered};

use crate::common::clinic::{TestClinic, audit_rows, quick_options, role_user};
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::wire::KeyRotation as RotationProgress;
use caredesk::clinic::{InProcess, Request, Response, ServiceError, Signed};
use caredesk::crypto::SecretKey;
use caredesk::crypto::envelope::{self, Aad};
use caredesk::crypto::keyslot::RecoveryKey;
use caredesk::store::vault::PATIENT_KEYS_TREE;
use caredesk::store::{Store, Unlock};

fn register(
    desk: &Signed<InProcess>,
    numbers: std::ops::Range<usize>,
) -> Vec<caredesk::domain::patient::PatientId> {
    numbers
        .map(|i| {
            let Response::Registered(Registered { id, .. }) = desk.call(Request::PatientRegister {
                patient: caredesk::domain::patient::Patient {
                    id_type: caredesk::domain::patient::IdType::Other,
                    ..patient(
                        &format!("Rota Person{i}"),
                        &format!("1390000{i:04}"),
                        &format!("RP-{i}"),
                    )
                },
                card_type: "basic".into(),
            }) else {
                panic!("registration {i}")
            };
            id
        })
        .collect()
}

fn rotate_once(admin: &Signed<InProcess>, batch: u32) -> RotationProgress {
    match admin.call(Request::KeyRotate { batch }) {
        Response::KeyRotation(progress) => progress,
        other => panic!("{other:?}"),
    }
}

/// Runs a rotation to its end; returns the last progress and how many calls it took.
fn rotate(admin: &Signed<InProcess>, batch: u32) -> (RotationProgress, usize) {
    let mut calls = 0;
    loop {
        calls += 1;
        let progress = rotate_once(admin, batch);
        if progress.finished {
            return (progress, calls);
        }
        assert!(calls < 10_000, "the rotation does not end");
    }
}

/// What each patient looks like through the service: record and lookups.
fn readings(desk: &Signed<InProcess>, ids: &[caredesk::domain::patient::PatientId]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        out.push(format!("{:?}", desk.call(Request::PatientGet { id: *id })));
        let found = desk.call(Request::PatientFind {
            kind: caredesk::clinic::api::LookupKind::Phone,
            value: format!("1390000{i:04}"),
        });
        out.push(format!("{found:?}"));
    }
    out
}

/// Every stored value that `old` still opens (the audit log, the keyring and the key
/// slots are not sealed under the data key).
fn opened_by(dir: &std::path::Path, old_data: &SecretKey, old_wrap: &SecretKey) -> Vec<String> {
    let db = caredesk::store::db::sled_config(&dir.join("db"))
        .open()
        .unwrap();
    let mut found = Vec::new();
    for name in db.tree_names() {
        let name = String::from_utf8_lossy(&name).into_owned();
        let tree = db.open_tree(&name).unwrap();
        for item in tree.iter() {
            let (key, value) = item.unwrap();
            let wrap = if name == PATIENT_KEYS_TREE {
                old_wrap
            } else {
                old_data
            };
            if envelope::open(wrap, Aad::new(&name, &key), &value).is_ok() {
                found.push(name.clone());
            }
        }
    }
    found
}

#[test]
fn a_rotated_key_leaves_every_record_readable_and_the_old_key_opens_nothing() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let ids = register(&desk, 0..12);
    let before = readings(&desk, &ids);
    drop(desk);
    let admin = t.sign_in(Role::SecurityAdmin);
    // Step by step, with the clinic working in between.
    let first = rotate_once(&admin, 5);
    assert_eq!((first.from, first.to, first.finished), (1, 2, false));
    assert!(first.total > 20, "{first:?}");
    assert_eq!(
        first.granted as usize, 9,
        "eight staff and the recovery key"
    );
    let desk = t.sign_in(Role::FrontDesk);
    assert_eq!(readings(&desk, &ids[..3]), before[..6].to_vec());
    let more = register(&desk, 100..101);
    let (done, calls) = rotate(&admin, 5);
    assert!(calls > 3, "{calls} calls");
    assert!(done.resealed > 0 && done.scanned >= done.total, "{done:?}");
    assert_eq!(readings(&desk, &ids), before);
    assert!(matches!(
        desk.call(Request::PatientGet { id: more[0] }),
        Response::Patient(_)
    ));
    // Everyone signs in as before: their slot takes up the new key on the way.
    let nurse = t.sign_in(Role::Nurse);
    let slots = match admin.call(Request::KeySlots) {
        Response::KeySlots(slots) => slots,
        other => panic!("{other:?}"),
    };
    let nurse_slot = slots
        .iter()
        .find(|s| s.name == role_user(Role::Nurse))
        .unwrap();
    assert_eq!(
        (nurse_slot.generation, nurse_slot.grant_waiting),
        (2, false)
    );
    let auditor_slot = slots
        .iter()
        .find(|s| s.name == role_user(Role::Auditor))
        .unwrap();
    assert_eq!(
        (auditor_slot.generation, auditor_slot.grant_waiting),
        (1, true)
    );
    drop(nurse);
    let auditor = t.sign_in(Role::Auditor);
    let rows = audit_rows(&auditor);
    let rotations: Vec<_> = rows.iter().filter(|r| r.action == "key.rotate").collect();
    assert_eq!(rotations.len(), calls + 1);
    assert!(rotations[0].detail.contains("began: generation 1 to 2"));
    assert!(rotations.last().unwrap().detail.contains("finished"));
    let renewed: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "key.slot_renew")
        .map(|r| r.user.clone())
        .collect();
    assert!(renewed.contains(&role_user(Role::Nurse)), "{renewed:?}");
    assert!(renewed.contains(&role_user(Role::Auditor)), "{renewed:?}");
    drop((admin, desk, auditor));

    // With the service closed: nothing the generation-1 key opens is left, the
    // recovery key opens generation 2, and the audit chain verifies.
    let TestClinic {
        tmp,
        dir,
        clock,
        clinic,
        recovery_key,
        ..
    } = t;
    drop(clinic);
    let store = Store::open(&dir, quick_options(&clock)).unwrap();
    let recovery = RecoveryKey::parse(&recovery_key).unwrap();
    let keys = store.unlock(Unlock::RecoveryKey(&recovery)).unwrap();
    assert_eq!(keys.generation, 2);
    assert!(keys.previous.is_none());
    let keyring = store.keyring().unwrap();
    assert_eq!((keyring.generation, keyring.rotation), (2, None));
    let report = caredesk::audit::verify::verify(store.audit().tree(), &Default::default());
    assert!(report.is_ok(), "the audit chain breaks");
    drop((store, tmp));
}

#[test]
fn nothing_the_old_key_opens_is_left_and_two_rotations_chain_for_an_absent_user() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let ids = register(&desk, 0..6);
    let before = readings(&desk, &ids);
    drop(desk);
    let TestClinic {
        tmp,
        dir,
        clock,
        clinic,
        staff,
        recovery_codes,
        recovery_key,
    } = t;
    drop(clinic);
    let old = {
        let store = Store::open(&dir, quick_options(&clock)).unwrap();
        store
            .unlock(Unlock::Password {
                user: common::ADMIN,
                password: common::PASSWORD.as_bytes(),
            })
            .unwrap()
    };
    let (old_data, old_wrap) = (old.data.clone(), old.patient_wrap.clone());
    assert!(!opened_by(&dir, &old_data, &old_wrap).is_empty());
    let t = TestClinic {
        clinic: std::sync::Arc::new(
            caredesk::clinic::Clinic::open(&dir, quick_options(&clock)).unwrap(),
        ),
        tmp,
        dir,
        clock,
        staff,
        recovery_codes,
        recovery_key,
    };
    let admin = t.sign_in(Role::SecurityAdmin);
    // Two rotations while the doctor stays away: the doctor's slot (generation 1)
    // opens generation 3 through the grant the second rotation left for it.
    assert!(matches!(
        admin.call(Request::KeyFileAdd {
            label: "lab-import".into()
        }),
        Response::KeyFileCreated { .. }
    ));
    assert_eq!(rotate(&admin, 1000).0.to, 2);
    assert_eq!(rotate(&admin, 1000).0.to, 3);
    // A slot removed takes its waiting grant with it.
    let slots = match admin.call(Request::KeySlots) {
        Response::KeySlots(slots) => slots,
        other => panic!("{other:?}"),
    };
    let key_file = slots.iter().find(|s| s.kind == "key-file").unwrap();
    assert!(key_file.grant_waiting);
    assert_eq!(
        admin.call(Request::KeySlotRemove { id: key_file.id }),
        Response::Done
    );
    let key_file = key_file.id;
    let doctor = t.sign_in(Role::Doctor);
    let desk = t.sign_in(Role::FrontDesk);
    assert_eq!(readings(&desk, &ids), before);
    drop((admin, doctor, desk));
    let TestClinic {
        tmp,
        dir,
        clinic,
        clock,
        ..
    } = t;
    drop(clinic);
    let store = Store::open(&dir, quick_options(&clock)).unwrap();
    let keys = store
        .unlock(Unlock::Password {
            user: common::ADMIN,
            password: common::PASSWORD.as_bytes(),
        })
        .unwrap();
    assert_eq!(keys.generation, 3);
    assert!(!store.key_grants().unwrap().contains_key(&key_file));
    drop(store);
    assert_eq!(opened_by(&dir, &old_data, &old_wrap), Vec::<String>::new());
    drop(tmp);
}

#[test]
fn only_a_key_administrator_rotates_and_an_interrupted_rotation_goes_on_after_a_restart() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let ids = register(&desk, 0..10);
    let before = readings(&desk, &ids);
    drop(desk);
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        nurse.call(Request::KeyRotate { batch: 10 }),
        Response::Error(ServiceError::Denied { .. })
    ));
    drop(nurse);
    let admin = t.sign_in(Role::SecurityAdmin);
    let started = rotate_once(&admin, 3);
    let partway = rotate_once(&admin, 3);
    assert!(!partway.finished && partway.scanned == 3, "{partway:?}");
    drop(admin);
    // The service stops mid-way (as a daemon restart would); the admin's sign-in
    // opens both generations, the records read as before, and the rotation goes on.
    let t = t.reopen();
    let desk = t.sign_in(Role::FrontDesk);
    assert_eq!(readings(&desk, &ids), before);
    let admin = t.sign_in(Role::SecurityAdmin);
    let (done, _) = rotate(&admin, 3);
    assert_eq!((done.from, done.to), (started.from, started.to));
    assert_eq!(readings(&desk, &ids), before);
    // A second call after the end begins the next rotation, not a repeat of this one.
    assert_eq!(rotate_once(&admin, 3).to, 3);
    drop((admin, desk));
}

#[test]
fn an_administrator_rotates_the_audit_sealing_epoch_with_a_reason() {
    let t = TestClinic::with_all_roles();
    let seal = |who: &Signed<InProcess>, reason: &str| {
        who.call(Request::AuditSealNow {
            reason: reason.into(),
        })
    };
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        seal(&nurse, "closing the epoch"),
        Response::Error(ServiceError::Denied { .. })
    ));
    let admin = t.sign_in(Role::SecurityAdmin);
    assert!(matches!(
        seal(&admin, "  no "),
        Response::Error(ServiceError::Invalid(_))
    ));
    let Response::AuditSealed(AuditSealed { epoch: first, .. }) =
        seal(&admin, "server disk replaced")
    else {
        panic!()
    };
    let Response::AuditSealed(AuditSealed { epoch: second, .. }) =
        seal(&admin, "handed over to the new IT firm")
    else {
        panic!()
    };
    assert_eq!(second, first + 1);
    let auditor = t.sign_in(Role::Auditor);
    let rows = audit_rows(&auditor);
    let sealed: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "audit.seal_now")
        .collect();
    assert_eq!(sealed.len(), 4, "two refusals and two seals");
    assert!(sealed[3].detail.contains("new IT firm"));
    drop((nurse, admin, auditor));
    let TestClinic {
        tmp,
        dir,
        clock,
        clinic,
        ..
    } = t;
    drop(clinic);
    let store = Store::open(&dir, quick_options(&clock)).unwrap();
    let report = caredesk::audit::verify::verify(store.audit().tree(), &Default::default());
    assert!(report.is_ok(), "the audit chain breaks");
    drop(tmp);
}
