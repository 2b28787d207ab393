//! Manual tags, shown in search results and on the patient; restricted marking by an
//! admin or a doctor.

use crate::common::clinic::TestClinic;
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientCreated, SearchResults};
use caredesk::clinic::{Request, Response, ServiceError};

#[test]
fn tags_are_set_cleaned_and_shown_in_search_results() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Zhou Min", "13700000031", "T31"),
    }) else {
        panic!()
    };
    let tags = vec![
        " VIP ".to_string(),
        "hypertension".into(),
        "VIP".into(),
        "".into(),
    ];
    assert_eq!(
        desk.call(Request::PatientSetTags { id, tags }),
        Response::Done
    );
    let Response::SearchResults(SearchResults { rows, .. }) = desk.call(Request::PatientSearch {
        query: "zhou".into(),
        limit: 10,
    }) else {
        panic!()
    };
    assert_eq!(
        rows[0].tags,
        ["VIP", "hypertension"],
        "trimmed, de-duplicated, empty dropped"
    );
    let Response::Patient(view) = desk.call(Request::PatientGet { id }) else {
        panic!()
    };
    assert_eq!(view.patient.tags, ["VIP", "hypertension"]);

    let long = desk.call(Request::PatientSetTags {
        id,
        tags: vec!["x".repeat(25)],
    });
    assert!(
        matches!(long, Response::Error(ServiceError::Field { ref field, .. }) if field == "tags")
    );
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(
        nurse.call(Request::PatientSetTags {
            id,
            tags: vec!["pregnancy".into()]
        }),
        Response::Done
    );
    let auditor = t.sign_in(Role::Auditor);
    assert!(matches!(
        auditor.call(Request::PatientSetTags { id, tags: vec![] }),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn a_security_admin_or_a_doctor_marks_a_patient_restricted_and_search_hides_them() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Staff Member", "13700000032", "T32"),
    }) else {
        panic!()
    };
    desk.call(Request::PatientSetTags {
        id,
        tags: vec!["staff".into()],
    });
    for role in [Role::SecurityAdmin, Role::Doctor] {
        assert_eq!(
            t.sign_in(role).call(Request::PatientSetRestricted {
                id,
                restricted: true
            }),
            Response::Done,
            "{role}"
        );
    }
    assert!(matches!(
        desk.call(Request::PatientSetRestricted {
            id,
            restricted: false
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let Response::SearchResults(SearchResults { rows, .. }) = desk.call(Request::PatientSearch {
        query: "13700000032".into(),
        limit: 10,
    }) else {
        panic!()
    };
    assert_eq!(rows[0].name, "—");
    assert!(rows[0].tags.is_empty() && rows[0].phone.is_none());
}
