//! Consent per channel and purpose through the service: recorded by the front desk,
//! checked by others, never implied, withdrawn at any time, history kept.

use crate::common;
use caredesk::clinic::api::PatientCreated;

use crate::common::clinic::TestClinic;
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::consent::{Channel, Decision, Method, Purpose};

#[test]
fn consent_is_recorded_checked_withdrawn_and_kept() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let nurse = t.sign_in(Role::Nurse);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Chen Jie", "13700000021", "C21"),
    }) else {
        panic!()
    };
    let ask = |purpose| match nurse.call(Request::MayContact {
        id,
        channel: Channel::Phone,
        purpose,
    }) {
        Response::ContactAnswer(answer) => answer.allowed,
        other => panic!("{other:?}"),
    };
    assert!(!ask(Purpose::Care), "no record: no consent");

    let granted = desk.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision: Decision::Granted,
        method: Method::SignedForm,
    });
    assert!(matches!(granted, Response::Consent(_)));
    assert!(ask(Purpose::Care));
    assert!(
        !ask(Purpose::Marketing),
        "care consent never implies marketing"
    );

    t.clock.advance_secs(3600);
    let nurse_again = t.sign_in(Role::Nurse);
    assert!(
        matches!(
            nurse_again.call(Request::ConsentSet {
                id,
                channel: Channel::Phone,
                purpose: Purpose::Care,
                decision: Decision::Refused,
                method: Method::Verbal
            }),
            Response::Error(ServiceError::Denied { .. })
        ),
        "only roles with consent_manage record consent"
    );
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision: Decision::Refused,
        method: Method::Verbal,
    });
    let answer = match nurse_again.call(Request::MayContact {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
    }) {
        Response::ContactAnswer(answer) => answer,
        other => panic!("{other:?}"),
    };
    assert!(!answer.allowed, "opt-out at any time");
    assert_eq!(answer.because.unwrap().method, Method::Verbal);

    let Response::Consent(history) = desk.call(Request::ConsentGet { id }) else {
        panic!()
    };
    assert_eq!(history.entries.len(), 2);
    assert_eq!(history.entries[0].recorded_by, "front-desk.user");
    assert_eq!(history.entries[0].decision, Decision::Granted);
    assert!(history.entries[1].at > history.entries[0].at);

    let auditor = t.sign_in(Role::Auditor);
    assert!(matches!(
        auditor.call(Request::ConsentGet { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let rows = common::clinic::audit_rows(&auditor);
    let recorded: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "consent.record" && r.outcome == "ok")
        .collect();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].detail, "phone care granted");
}
