//! The privacy officer's log of patients' requests over their information (PIPL
//! 第50条) through the service: logged with a due date in working days, answered once,
//! listed soonest due first with the late ones marked; kept by the privacy officer,
//! not the auditor; a hostile note refused; an erased patient's requests gone with them.

use caredesk::auth::Role;
use caredesk::clinic::api::{PatientCreated, PatientRef};
use caredesk::clinic::oversight::rights_requests::RightsRequestRow;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::rights_request::{RightKind, RightOutcome, due_date};

use crate::common::clinic::TestClinic;
use crate::common::patient;

fn rows(response: Response) -> Vec<RightsRequestRow> {
    match response {
        Response::RightsRequests(rows) => rows,
        other => panic!("{other:?}"),
    }
}

#[test]
fn requests_are_logged_due_answered_once_and_listed() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Rights Asker", "13700000401", "RA-401"),
    }) else {
        panic!()
    };
    let officer = t.sign_in(Role::PrivacyOfficer);
    let today = t.today();
    let added = rows(officer.call(Request::RightsRequestAdd {
        patient: PatientRef::Key("RA-401".into()),
        kind: RightKind::Copy,
        received_on: None,
        asked: "近三年的检验结果复印件".into(),
    }));
    let first = &added[0].request;
    assert_eq!(first.received_on, today);
    assert_eq!(first.due_on, due_date(today, 15));
    assert_eq!(added[0].patient_name, "Rights Asker");
    // One received long ago, still open: late.
    let late = rows(officer.call(Request::RightsRequestAdd {
        patient: PatientRef::Id(id),
        kind: RightKind::Explanation,
        received_on: today.checked_sub_days(chrono::Days::new(40)),
        asked: "Why is my diabetes risk high?".into(),
    }));
    assert!(late[0].overdue);
    // Numbered 1, 2, … as staff quote them (`caredesk rights answer 1`).
    assert_eq!((first.id, late[0].request.id), (1, 2));
    // One due within three days: the home screen counts it beside the late one.
    let received = (0..30u64)
        .filter_map(|n| today.checked_sub_days(chrono::Days::new(n)))
        .find(|r| {
            let due = due_date(*r, 15);
            due >= today && due <= today + chrono::Days::new(3)
        })
        .unwrap();
    rows(officer.call(Request::RightsRequestAdd {
        patient: PatientRef::Id(id),
        kind: RightKind::Access,
        received_on: Some(received),
        asked: "查阅体检报告".into(),
    }));
    let Response::Home(home) = officer.call(Request::HomeSummary) else {
        panic!()
    };
    assert_eq!((home.rights_late, home.rights_due_soon), (Some(1), Some(1)));
    let Response::Home(home) = t.sign_in(Role::Nurse).call(Request::HomeSummary) else {
        panic!()
    };
    assert_eq!(home.rights_late, None, "the log is the privacy officer's");
    let list = rows(officer.call(Request::RightsRequestList { open_only: true }));
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].request.id, late[0].request.id, "soonest due first");

    let answered = rows(officer.call(Request::RightsRequestAnswer {
        id: first.id,
        outcome: RightOutcome::Granted,
        note: "Printed and handed over 已打印交本人".into(),
    }));
    assert_eq!(
        answered[0].request.answer.as_ref().map(|a| a.outcome),
        Some(RightOutcome::Granted)
    );
    let again = officer.call(Request::RightsRequestAnswer {
        id: first.id,
        outcome: RightOutcome::Refused,
        note: "changed my mind".into(),
    });
    assert!(
        matches!(again, Response::Error(ServiceError::Conflict(_))),
        "{again:?}"
    );
    let open = rows(officer.call(Request::RightsRequestList { open_only: true }));
    assert_eq!(open.len(), 2);
    let every = rows(officer.call(Request::RightsRequestList { open_only: false }));
    assert_eq!(every.len(), 3);

    // Hostile or empty notes, and a day in the future, are refused with the field.
    for (asked, received) in [
        ("", None),
        ("\u{1b}[2J clear the screen", None),
        (&"长".repeat(501)[..], None),
        ("fine", today.checked_add_days(chrono::Days::new(1))),
    ] {
        let refused = officer.call(Request::RightsRequestAdd {
            patient: PatientRef::Id(id),
            kind: RightKind::Access,
            received_on: received,
            asked: asked.into(),
        });
        assert!(
            matches!(refused, Response::Error(ServiceError::Field { .. })),
            "{refused:?}"
        );
    }
    // The auditor reads the audit log, not this one; the privacy officer reads no
    // clinical record.
    let auditor = t.sign_in(Role::Auditor);
    assert!(matches!(
        auditor.call(Request::RightsRequestList { open_only: false }),
        Response::Error(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        officer.call(Request::HealthGet { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn an_erased_patient_s_requests_go_with_them() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Erased Asker", "13700000402", "EA-402"),
    }) else {
        panic!()
    };
    let officer = t.sign_in(Role::PrivacyOfficer);
    rows(officer.call(Request::RightsRequestAdd {
        patient: PatientRef::Id(id),
        kind: RightKind::Deletion,
        received_on: None,
        asked: "Delete everything 请删除全部信息".into(),
    }));
    let manager = t.sign_in(Role::HealthManager);
    let Response::ErasureRequested(requested) = manager.call(Request::ErasureRequest {
        patient: PatientRef::Id(id),
        reason: "the patient asked for deletion under PIPL art. 47".into(),
    }) else {
        panic!()
    };
    let admin = t.sign_in(Role::Admin);
    assert_eq!(
        admin.call(Request::ErasureApprove { id: requested.id }),
        Response::Done
    );
    let officer = t.sign_in(Role::PrivacyOfficer);
    assert!(rows(officer.call(Request::RightsRequestList { open_only: false })).is_empty());
}
