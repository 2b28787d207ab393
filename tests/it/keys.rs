//! Key slots: listed, a new recovery key made and the old one removed, key files
//! removed, the last recovery key kept; the store still opens with the recovery key
//! alone, and a removed secret opens nothing.

use crate::common;
use caredesk::clinic::api::{KeyFileCreated, RecoveryKeyCreated};

use crate::common::clinic::{TestClinic, quick_options};
use caredesk::auth::Role;
use caredesk::clinic::admin::keys::SlotSummary;
use caredesk::clinic::{InProcess, Request, Response, ServiceError, Signed};
use caredesk::crypto::keyslot::RecoveryKey;
use caredesk::store::{Store, Unlock};

fn slots(admin: &Signed<InProcess>) -> Vec<SlotSummary> {
    match admin.call(Request::KeySlots) {
        Response::KeySlots(slots) => slots,
        other => panic!("{other:?}"),
    }
}

#[test]
fn slots_are_added_listed_and_removed_without_touching_the_data() {
    let t = TestClinic::with_all_roles();
    let admin = t.sign_in(Role::SecurityAdmin);
    let before = slots(&admin);
    let kinds = |s: &[SlotSummary]| s.iter().map(|s| s.kind.clone()).collect::<Vec<_>>();
    assert!(kinds(&before).contains(&"recovery".to_string()));
    assert!(
        before
            .iter()
            .any(|s| s.kind == "password" && s.name == common::ADMIN)
    );
    let old_recovery = before.iter().find(|s| s.kind == "recovery").unwrap().id;
    // The only recovery key cannot go; a password slot goes with its user.
    let refused = admin.call(Request::KeySlotRemove { id: old_recovery });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("only recovery key")),
        "{refused:?}"
    );
    let password = before.iter().find(|s| s.kind == "password").unwrap().id;
    assert!(matches!(
        admin.call(Request::KeySlotRemove { id: password }),
        Response::Error(ServiceError::Invalid(_))
    ));
    // A new recovery key, then the old one removed; a key file made and removed.
    let Response::RecoveryKeyCreated(RecoveryKeyCreated { key, .. }) =
        admin.call(Request::RecoveryKeyAdd)
    else {
        panic!()
    };
    let new_key = RecoveryKey::parse(key.expose()).unwrap();
    assert_eq!(
        admin.call(Request::KeySlotRemove { id: old_recovery }),
        Response::Done
    );
    let Response::KeyFileCreated(KeyFileCreated { key: file_key, .. }) =
        admin.call(Request::KeyFileAdd {
            label: "lab-import".into(),
        })
    else {
        panic!()
    };
    let login = |key: &caredesk::clinic::Secret| {
        t.client().call(Request::LoginKeyFile {
            label: "lab-import".into(),
            key: key.clone(),
        })
    };
    assert!(matches!(login(&file_key), Response::SignedIn(_)));
    let file_slot = slots(&admin)
        .into_iter()
        .find(|s| s.kind == "key-file")
        .unwrap();
    assert_eq!(file_slot.name, "lab-import");
    assert_eq!(
        admin.call(Request::KeySlotRemove { id: file_slot.id }),
        Response::Done
    );
    // The removed key file opens nothing now.
    assert_eq!(
        login(&file_key),
        Response::Error(ServiceError::SignInFailed)
    );
    assert_eq!(
        admin.call(Request::KeySlotRemove { id: file_slot.id }),
        Response::Error(ServiceError::NotFound(format!("key slot {}", file_slot.id)))
    );
    // Only the admin administers keys.
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        nurse.call(Request::KeySlots),
        Response::Error(ServiceError::Denied { .. })
    ));
    // With the service closed: the new recovery key alone opens the store and its
    // data; the removed one is refused.
    let TestClinic {
        clinic, dir, clock, ..
    } = t;
    drop((admin, nurse, clinic));
    let store = Store::open(&dir, quick_options(&clock)).unwrap();
    assert!(store.unlock(Unlock::RecoveryKey(&new_key)).is_ok());
    assert!(
        store
            .unlock(Unlock::RecoveryKey(&RecoveryKey::generate()))
            .is_err()
    );
}
