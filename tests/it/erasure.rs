//! Erasure: asked with a reason by one person, approved by another; afterwards the
//! patient's records, cards and index entries open nothing and find nothing, also
//! after a restart, while the audit trail of the patient stays.

use crate::common;
use caredesk::clinic::api::{ErasureRequested, Registered, SearchResults};

use crate::common::clinic::{TestClinic, role_user};
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::api::PatientRef;
use caredesk::clinic::{Request, Response, ServiceError};

#[test]
fn an_erased_patient_is_unreadable_and_unfindable_while_their_audit_trail_stays() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, card, .. }) = desk.call(Request::PatientRegister {
        patient: caredesk::domain::patient::Patient {
            id_type: caredesk::domain::patient::IdType::Other,
            ..patient("Ophelia Strand", "13700000091", "OS-91")
        },
        card_type: "basic".into(),
    }) else {
        panic!("registration")
    };
    let doctor = t.sign_in(Role::Doctor);
    assert!(matches!(
        doctor.call(Request::HealthGet { id }),
        Response::Health(_)
    ));
    let manager = t.sign_in(Role::HealthManager);
    let ask = |reason: &str| {
        manager.call(Request::ErasureRequest {
            patient: PatientRef::Key(card.number.clone()),
            reason: reason.into(),
        })
    };
    assert!(matches!(
        ask("gone"),
        Response::Error(ServiceError::Field { .. })
    ));
    let reason = "patient withdrew consent; PIPL art. 47, no retention duty applies";
    let Response::ErasureRequested(ErasureRequested { id: request }) = ask(reason) else {
        panic!()
    };
    assert!(matches!(
        ask(reason),
        Response::Error(ServiceError::Conflict(_))
    ));
    // Not by the same person; not by the front desk.
    let same = manager.call(Request::ErasureApprove { id: request });
    assert!(
        matches!(&same, Response::Error(ServiceError::Invalid(m)) if m.to_string().contains("second person")),
        "{same:?}"
    );
    assert!(matches!(
        desk.call(Request::ErasureApprove { id: request }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let admin = t.sign_in(Role::Admin);
    let Response::Erasures(waiting) = admin.call(Request::ErasureList) else {
        panic!()
    };
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].requested_by, role_user(Role::HealthManager));
    assert_eq!(
        admin.call(Request::ErasureApprove { id: request }),
        Response::Done
    );
    // Unreadable and unfindable: by id, by name, by card, phone and ID number.
    let gone = |client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>| {
        assert!(matches!(
            client.call(Request::PatientGet { id }),
            Response::Error(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            client.call(Request::HealthGet { id }),
            Response::Error(ServiceError::NotFound(_))
        ));
        for query in ["Ophelia", "13700000091", "OS-91", card.number.as_str()] {
            let found = client.call(Request::PatientSearch {
                query: query.into(),
                limit: 5,
            });
            assert!(
                matches!(
                    found,
                    Response::SearchResults(SearchResults { total: 0, .. })
                ),
                "{query}: {found:?}"
            );
        }
    };
    gone(&doctor);
    assert!(matches!(
        doctor.call(Request::PatientExport {
            key: card.number.clone()
        }),
        Response::Error(ServiceError::NotFound(_))
    ));
    // The audit trail stays: the privacy officer still sees who looked, and who erased;
    // the erasure's detail (the reason) was sealed with the patient's key and is gone.
    let auditor = t.sign_in(Role::Auditor);
    let Response::AccessLog(log) = auditor.call(Request::PatientAccessLog {
        patient: PatientRef::Id(id),
        from: None,
    }) else {
        panic!()
    };
    assert!(log.iter().any(|a| a.action == "health.read"));
    let erased = log.iter().find(|a| a.action == "patient.erase").unwrap();
    assert_eq!(erased.detail, "[erased]");
    assert_eq!(erased.user, common::ADMIN);
    let asked = log
        .iter()
        .find(|a| a.action == "patient.erase_request")
        .unwrap();
    assert_eq!(asked.user, role_user(Role::HealthManager));
    // And after a restart the same holds (the key is gone from disk, not only memory).
    drop((desk, doctor, manager, admin, auditor));
    let t = t.reopen();
    gone(&t.sign_in(Role::Doctor));
}
