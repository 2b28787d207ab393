//! The access matrix: every role against every request, exactly as the table says,
//! every denial audited; and what a front-desk response may carry. The requests the
//! matrix sends are in `samples`.

mod samples;

use crate::common;
use caredesk::clinic::api::PatientCreated;

use std::collections::BTreeSet;

use crate::common::clinic::{TestClinic, role_user};
use crate::common::patient;
use caredesk::audit::record::AuditRecord;
use caredesk::audit::{AuditEvent, Outcome};
use caredesk::auth::{Permission, Role, RoleTable};
use caredesk::clinic::table::{Access, OPERATIONS};
use caredesk::clinic::{Request, Response, Secret, ServiceError};
use caredesk::domain::amendment::Section;
use caredesk::domain::patient::PatientId;
use samples::sample_requests;

#[test]
fn every_request_has_a_row_and_every_row_a_request() {
    let requests = sample_requests(PatientId([0; 16]));
    let mut named: BTreeSet<&str> = requests.iter().map(|r| r.operation().name).collect();
    for sign_on in [
        Request::Login {
            user: "a".into(),
            password: Secret::new(""),
            code: Secret::new(""),
        },
        Request::ConfirmTotp {
            pending: caredesk::clinic::SessionToken("x".into()),
            code: Secret::new(""),
        },
        Request::Activate {
            user: "a".into(),
            one_time_password: Secret::new(""),
            new_password: Secret::new(""),
        },
        Request::LoginKeyFile {
            label: "a".into(),
            key: Secret::new(""),
        },
    ] {
        assert_eq!(sign_on.operation().access, Access::Public);
        named.insert(sign_on.operation().name);
    }
    named.insert(Request::LogoutIdle { draft: None }.operation().name);
    assert!(
        !named.contains("unlisted"),
        "a request has no row in the table"
    );
    let rows: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    assert_eq!(named, rows);
}

#[test]
fn every_role_against_every_request_matches_the_table() {
    let mut t = TestClinic::with_all_roles();
    let table = RoleTable::defaults();
    let doctor = t.sign_in(Role::Doctor);
    let Response::PatientCreated(PatientCreated { id }) =
        t.sign_in(Role::FrontDesk).call(Request::PatientCreate {
            patient: patient("Matrix Patient", "13700000002", "M2"),
        })
    else {
        panic!("create failed");
    };
    drop(doctor);
    let _ = &mut t;

    let mut expected_denials = 0;
    let mut denials_naming_the_patient = 0;
    let mut denials_finding_a_patient = 0;
    for role in [
        Role::FrontDesk,
        Role::Nurse,
        Role::Doctor,
        Role::HealthManager,
        Role::Auditor,
        Role::Admin,
    ] {
        let client = t.sign_in(role);
        for request in sample_requests(id) {
            let op = request.operation();
            let names_patient = request.patient_subject().is_some();
            let finds_patient = request.patient_lookup_key().is_some();
            let allowed = op.access.admits(&table, role);
            // Every request and every reply crosses the daemon's socket intact.
            let frame =
                caredesk::server::frame::encode(&caredesk::server::frame::ClientFrame::Call {
                    session: None,
                    request: Box::new(request.clone()),
                })
                .unwrap();
            match caredesk::server::frame::read_frame(&mut &frame[..]).unwrap() {
                caredesk::server::frame::ClientFrame::Call { request: back, .. } => {
                    assert_eq!(*back, request, "{}", op.name)
                }
                other => panic!("{other:?}"),
            }
            let response = client.call(request);
            let frame = caredesk::server::frame::encode(&response).unwrap();
            let back: Response = caredesk::server::frame::read_frame(&mut &frame[..]).unwrap();
            assert_eq!(back, response, "{}", op.name);
            // Every reply is one the table declares for the request.
            assert!(
                !matches!(&response, Response::Error(ServiceError::Unavailable(m)) if m.to_string().contains("wrong kind")),
                "{} gave a reply its row does not declare ({:?})",
                op.name,
                op.replies
            );
            let denied = matches!(response, Response::Error(ServiceError::Denied { .. }));
            assert_eq!(!denied, allowed, "{role} / {}: {response:?}", op.name);
            if denied {
                expected_denials += 1;
                if names_patient {
                    denials_naming_the_patient += 1;
                }
                if finds_patient {
                    denials_finding_a_patient += 1;
                }
            }
        }
    }
    let clinic = t.clinic;
    drop(clinic);

    // Every denial is in the audit log, with the role and the action of its row.
    // Opened with the keys: refusals' details are sealed.
    let vault = common::unlock(&t.dir, caredesk::store::StoreOptions::default());
    let tree = vault.store().audit().tree();
    let denials: Vec<AuditEvent> = tree
        .range(&b"r"[..]..&b"s"[..])
        .filter_map(|item| {
            match AuditRecord::decode(&item.unwrap().1)
                .unwrap()
                .body
                .event(&vault)
            {
                Some(e)
                    if e.outcome == Outcome::Denied
                        && e.detail.as_deref().is_some_and(|d| d.starts_with("denied")) =>
                {
                    Some(e)
                }
                _ => None,
            }
        })
        .collect();
    assert_eq!(denials.len(), expected_denials);
    // A refused request about a patient names the patient, so "who looked at this
    // patient" shows refused attempts too.
    let naming = denials
        .iter()
        .filter(|e| e.subjects.contains(&id.to_string()))
        .count();
    // Every request naming the patient by id, and those whose card, phone or ID number
    // found them.
    assert!(
        naming > denials_naming_the_patient
            && naming <= denials_naming_the_patient + denials_finding_a_patient,
        "{naming} of {denials_naming_the_patient} + {denials_finding_a_patient}"
    );
    assert!(
        denials_naming_the_patient > 20,
        "{denials_naming_the_patient}"
    );
    for event in &denials {
        assert!(
            event.actor.role.is_some()
                && event.actor.user.is_some()
                && event.actor.session.is_some()
        );
        assert!(OPERATIONS.iter().any(|o| o.action == event.action));
        assert_eq!(event.actor.ssh_client.as_deref(), Some("192.0.2.7:40000"));
    }
    assert!(
        expected_denials > 40,
        "the matrix exercised denials ({expected_denials})"
    );
}

#[test]
fn front_desk_responses_carry_no_clinical_field() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let doctor = t.sign_in(Role::Doctor);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Wang Fang", "13700000003", "M3"),
    }) else {
        panic!()
    };
    for (section, name) in [
        (Section::Allergies, "penicillin-zebra"),
        (Section::PastIllnesses, "hypertension-quokka"),
        (Section::Medications, "amlodipine-narwhal"),
    ] {
        assert!(matches!(
            common::amend_entries(&doctor, id, section, &[name]),
            Response::Health(_)
        ));
    }

    let seen_by_doctor = serde_json::to_string(&doctor.call(Request::PatientGet { id })).unwrap();
    assert!(seen_by_doctor.contains("penicillin-zebra"));

    let seen_by_desk = desk.call(Request::PatientGet { id });
    let Response::Patient(view) = &seen_by_desk else {
        panic!("{seen_by_desk:?}")
    };
    assert!(view.health.is_none());
    // Absent, not empty: `"health":null` carries nothing.
    let json = serde_json::to_string(&seen_by_desk)
        .unwrap()
        .replace("\"health\":null", "");
    for clinical in [
        "health",
        "allergies",
        "conditions",
        "medications",
        "penicillin-zebra",
        "quokka",
        "narwhal",
    ] {
        assert!(
            !json.contains(clinical),
            "front desk received {clinical}: {json}"
        );
    }
    assert!(matches!(
        desk.call(Request::HealthGet { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
    // The history of the record: clinical amendments are left out for the front desk,
    // and asking for a clinical section by name is refused.
    let history = desk.call(Request::RecordHistory { id, section: None });
    let Response::History(seen_by_desk) = history else {
        panic!("{history:?}")
    };
    assert!(seen_by_desk.is_empty(), "{seen_by_desk:?}");
    assert!(matches!(
        desk.call(Request::RecordHistory {
            id,
            section: Some(Section::Allergies)
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let Response::History(seen_by_doctor) =
        doctor.call(Request::RecordHistory { id, section: None })
    else {
        panic!()
    };
    assert_eq!(seen_by_doctor.len(), 3);

    // The auditor reads the audit log through the service: ids and actions, no content.
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    assert!(
        rows.iter()
            .any(|r| r.action == "health.amend" && r.subjects == [id.to_string()])
    );
    let log = serde_json::to_string(&rows).unwrap();
    assert!(!log.contains("penicillin") && !log.contains("Wang Fang"));
    // The auditor reads neither demographics nor clinical content.
    assert!(matches!(
        auditor.call(Request::PatientGet { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let _ = role_user(Role::Auditor);
}

#[test]
fn a_request_without_a_session_is_refused_and_audited() {
    let t = TestClinic::new();
    let client = t.client();
    assert_eq!(
        client.call(Request::WhoAmI),
        Response::Error(ServiceError::NotSignedIn)
    );
    assert!(!client.is_signed_in());
    let _ = Permission::ALL;
}

#[test]
fn a_patient_export_is_for_the_clinical_roles_and_the_privacy_officer_not_the_admin() {
    let table = RoleTable::defaults();
    for role in [Role::Doctor, Role::HealthManager, Role::Auditor] {
        assert!(table.allows(role, Permission::PatientExport), "{role}");
    }
    for role in [Role::Admin, Role::FrontDesk, Role::Nurse, Role::System] {
        assert!(!table.allows(role, Permission::PatientExport), "{role}");
    }
    // A clinic may grant it, and then the admin exports (the change is audited when the
    // settings load).
    let t = TestClinic::with_all_roles_and_settings(Some(
        "[roles]\nadmin = [\"user_admin\", \"settings_admin\", \"backup_run\", \"patient_export\"]\n",
    ));
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id: _ }) = desk.call(Request::PatientCreate {
        patient: patient("Wang Fang", "13700000031", "M31"),
    }) else {
        panic!()
    };
    let admin = t.sign_in(Role::Admin);
    let exported = admin.call(Request::PatientExport {
        key: "13700000031".into(),
    });
    assert!(
        matches!(exported, Response::PatientExport(_)),
        "{exported:?}"
    );
}
