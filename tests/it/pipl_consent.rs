//! The separate PIPL consents through the service: recorded under the notice in force,
//! a child's given by a guardian, provision to others refused without consent (and
//! named in the accounting of disclosures with it), and health information refused
//! without consent when the clinic requires it. Also under many clients at once.

use std::sync::Arc;

use caredesk::auth::Role;
use caredesk::clinic::api::{PatientCreated, PatientRef};
use caredesk::clinic::oversight::rights::DisclosureKind;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::amendment::SectionValue;
use caredesk::domain::consent::{ConsentRecord, Decision, Guardian, Method, Processing};
use caredesk::domain::health::Allergy;
use caredesk::domain::patient::PatientId;

use crate::common::clinic::TestClinic;
use crate::common::patient;

fn create(t: &TestClinic, name: &str, phone: &str, key: &str) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    match desk.call(Request::PatientCreate {
        patient: patient(name, phone, key),
    }) {
        Response::PatientCreated(PatientCreated { id }) => id,
        other => panic!("{other:?}"),
    }
}

fn separate(scope: Processing, decision: Decision, id: PatientId) -> Request {
    Request::ConsentProcessingSet {
        id,
        scope,
        decision,
        method: Method::SignedForm,
        guardian: None,
    }
}

fn key_of(response: &Response) -> String {
    match response {
        Response::Error(ServiceError::Conflict(text)) => text.key().to_string(),
        Response::Error(ServiceError::Field { message, .. }) => message.key().to_string(),
        other => panic!("not a refusal with a message: {other:?}"),
    }
}

#[test]
fn consents_record_the_notice_and_a_child_s_needs_a_guardian() {
    let t = TestClinic::with_all_roles();
    let adult = create(&t, "Adult Person", "13700000301", "AP-301");
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Consent(record) =
        desk.call(separate(Processing::HealthData, Decision::Granted, adult))
    else {
        panic!()
    };
    let entry = &record.processing[0];
    assert_eq!(
        entry.notice_version,
        caredesk::clinic::desk::notice::BUILT_IN_VERSION
    );
    assert_eq!(
        entry.recorded_by,
        crate::common::clinic::role_user(Role::FrontDesk)
    );
    assert!(record.may_process(Processing::HealthData, t.now()));
    assert!(!record.may_process(Processing::ProvideToOthers, t.now()));

    // A child of 9: refused without a guardian, recorded with one.
    let mut child = patient("Little One", "13700000302", "LO-302");
    child.birth_date = t.today().checked_sub_months(chrono::Months::new(9 * 12));
    let Response::PatientCreated(PatientCreated { id: child }) =
        desk.call(Request::PatientCreate { patient: child })
    else {
        panic!()
    };
    let refused = desk.call(separate(Processing::HealthData, Decision::Granted, child));
    assert_eq!(key_of(&refused), "msg.consent.guardian_needed");
    for bad in ["", "  ", "a\u{1b}[2J", &"长".repeat(61)] {
        let refused = desk.call(Request::ConsentProcessingSet {
            id: child,
            scope: Processing::HealthData,
            decision: Decision::Granted,
            method: Method::SignedForm,
            guardian: Some(Guardian {
                name: bad.into(),
                relationship: "母亲".into(),
            }),
        });
        assert_eq!(key_of(&refused), "msg.consent.guardian_field", "{bad:?}");
    }
    let Response::Consent(record) = desk.call(Request::ConsentProcessingSet {
        id: child,
        scope: Processing::HealthData,
        decision: Decision::Granted,
        method: Method::SignedForm,
        guardian: Some(Guardian {
            name: " 王丽 ".into(),
            relationship: "母亲".into(),
        }),
    }) else {
        panic!()
    };
    assert_eq!(
        record.processing[0].guardian,
        Some(Guardian {
            name: "王丽".into(),
            relationship: "母亲".into()
        })
    );
    // A child's refusal needs no guardian to be heard.
    assert!(matches!(
        desk.call(separate(
            Processing::ProvideToOthers,
            Decision::Refused,
            child
        )),
        Response::Consent(_)
    ));
    // Only roles that manage consent record it.
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        nurse.call(separate(Processing::HealthData, Decision::Granted, adult)),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn provision_to_others_needs_the_consent_and_is_accounted_with_its_recipient() {
    let t = TestClinic::with_all_roles();
    let id = create(&t, "Provided Person", "13700000303", "PP-303");
    let doctor = t.sign_in(Role::Doctor);
    let provide = || Request::PatientProvide {
        key: "PP-303".into(),
        recipient: "北京朝阳医院 心内科".into(),
        purpose: "referral 转诊".into(),
    };
    let refused = doctor.call(provide());
    assert_eq!(key_of(&refused), "msg.consent.no_provision");
    // The patient's own copy needs no consent to provision.
    assert!(matches!(
        doctor.call(Request::PatientExport {
            key: "PP-303".into()
        }),
        Response::PatientExport(_)
    ));
    // A recipient or purpose that is missing, too long or would forge the record.
    for (recipient, purpose) in [
        ("", "referral"),
        ("Hospital", ""),
        ("Hospital; purpose=marketing", "referral"),
        ("Hos\u{1b}pital", "referral"),
    ] {
        let refused = doctor.call(Request::PatientProvide {
            key: "PP-303".into(),
            recipient: recipient.into(),
            purpose: purpose.into(),
        });
        assert_eq!(
            key_of(&refused),
            "msg.consent.provision_named",
            "{recipient:?}"
        );
    }
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::ProvideToOthers, Decision::Granted, id));
    let doctor = t.sign_in(Role::Doctor);
    assert!(matches!(doctor.call(provide()), Response::PatientExport(_)));
    // Withdrawn: refused again from that moment.
    t.clock.advance_secs(60);
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::ProvideToOthers, Decision::Refused, id));
    let doctor = t.sign_in(Role::Doctor);
    assert_eq!(key_of(&doctor.call(provide())), "msg.consent.no_provision");

    let auditor = t.sign_in(Role::Auditor);
    let Response::Disclosures(account) = auditor.call(Request::Disclosures {
        patient: PatientRef::Id(id),
    }) else {
        panic!()
    };
    let provided: Vec<_> = account
        .disclosures
        .iter()
        .filter(|d| matches!(d.kind, DisclosureKind::Provided { .. }))
        .collect();
    assert_eq!(provided.len(), 1, "{:?}", account.disclosures);
    assert_eq!(provided[0].recipient, "北京朝阳医院 心内科");
    assert_eq!(provided[0].purpose, "referral 转诊");
}

#[test]
fn a_clinic_that_requires_it_records_no_health_information_without_consent() {
    let t = TestClinic::with_all_roles_and_settings(Some(
        "[privacy]\nrequire_health_consent = true\nofficer = \"李敏 010-6588 0001\"\n",
    ));
    let id = create(&t, "Consent Later", "13700000304", "CL-304");
    let nurse = t.sign_in(Role::Nurse);
    let amend = || Request::HealthAmend {
        id,
        before: SectionValue::Allergies(vec![]),
        after: SectionValue::Allergies(vec![Allergy {
            substance: "penicillin".into(),
            ..Allergy::default()
        }]),
        reason: "told at the desk".into(),
    };
    assert_eq!(
        key_of(&nurse.call(amend())),
        "msg.consent.no_health_consent"
    );
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::HealthData, Decision::Granted, id));
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(nurse.call(amend()), Response::Health(_)));
    // The notice names the clinic's officer.
    let Response::Notice(notice) = nurse.call(Request::NoticeGet) else {
        panic!()
    };
    assert!(notice.notice.zh.body.contains("李敏 010-6588 0001"));
    assert_eq!(
        notice.notice.version,
        caredesk::clinic::desk::notice::BUILT_IN_VERSION
    );
}

#[test]
fn a_broken_notice_is_refused_with_its_file_and_no_consent_is_recorded() {
    let t = TestClinic::with_all_roles();
    let id = create(&t, "Broken Notice", "13700000305", "BN-305");
    std::fs::write(
        t.dir().join("notice.toml"),
        "version = \"2027-01\"\n[zh-CN]\n",
    )
    .unwrap();
    let desk = t.sign_in(Role::FrontDesk);
    let refused = desk.call(separate(Processing::HealthData, Decision::Granted, id));
    let Response::Error(ServiceError::Unavailable(text)) = &refused else {
        panic!("{refused:?}")
    };
    assert!(format!("{text}").contains("notice.toml"), "{text}");
    let Response::Consent(record) = desk.call(Request::ConsentGet { id }) else {
        panic!()
    };
    assert_eq!(record, ConsentRecord::default());
}

/// Twenty doctors ask to provide the same record at once, before and after the
/// consent: none gets through before, all after; the accounting has each.
#[test]
fn provision_without_consent_is_refused_to_every_client_at_once() {
    let t = Arc::new(TestClinic::with_all_roles());
    let id = create(&t, "Many Asks", "13700000306", "MA-306");
    // One signed-in doctor's session, twenty threads asking through it at once.
    let ask_all = |t: &Arc<TestClinic>| -> Vec<Response> {
        let doctor = t.sign_in(Role::Doctor);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..20)
                .map(|_| {
                    s.spawn(|| {
                        doctor.call(Request::PatientProvide {
                            key: "MA-306".into(),
                            recipient: "Hospital".into(),
                            purpose: "referral".into(),
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    for refused in ask_all(&t) {
        assert_eq!(key_of(&refused), "msg.consent.no_provision");
    }
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::ProvideToOthers, Decision::Granted, id));
    for provided in ask_all(&t) {
        assert!(
            matches!(provided, Response::PatientExport(_)),
            "{provided:?}"
        );
    }
    let auditor = t.sign_in(Role::Auditor);
    let Response::Disclosures(account) = auditor.call(Request::Disclosures {
        patient: PatientRef::Id(id),
    }) else {
        panic!()
    };
    assert_eq!(account.disclosures.len(), 20);
}

/// A withdrawal of the consent to process health information leaves the record only
/// stored (PIPL 第47条), whatever `require_health_consent` says: nothing is added to
/// it, and nobody is called about it; a new consent lifts it.
#[test]
fn a_withdrawn_consent_leaves_the_record_stored_only() {
    use caredesk::clinic::api::FollowUpPlanAdded;
    use caredesk::domain::followup::{Kind, PlanStatus};
    let t = TestClinic::with_all_roles();
    let id = create(&t, "Withdrew Later", "13700000307", "WL-307");
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::HealthData, Decision::Granted, id));
    let nurse = t.sign_in(Role::Nurse);
    let Response::FollowUpPlanAdded(FollowUpPlanAdded { .. }) =
        nurse.call(Request::FollowUpPlanAdd {
            id,
            kind: Kind::Hypertension,
            interval_days: 30,
            first_due: t.today(),
            assigned: "nurses".into(),
        })
    else {
        panic!()
    };
    let amend = |reason: &str| Request::HealthAmend {
        id,
        before: SectionValue::Allergies(vec![]),
        after: SectionValue::Allergies(vec![Allergy {
            substance: "latex".into(),
            ..Allergy::default()
        }]),
        reason: reason.into(),
    };
    t.clock.advance_secs(60);
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::HealthData, Decision::Refused, id));
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(
        key_of(&nurse.call(amend("told at the desk"))),
        "msg.consent.storage_only"
    );
    let questionnaire = nurse.call(Request::QuestionnaireSubmit {
        id,
        key: "phq9".into(),
        answers: vec![0; 9],
    });
    assert_eq!(key_of(&questionnaire), "msg.consent.storage_only");
    // Still readable, as stored.
    assert!(matches!(
        nurse.call(Request::HealthGet { id }),
        Response::Health(_)
    ));
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    assert!(
        chart.plans.iter().all(|p| p.status != PlanStatus::Active),
        "no plan left to call on"
    );
    // Consent given again: recording goes on.
    t.clock.advance_secs(60);
    let desk = t.sign_in(Role::FrontDesk);
    desk.call(separate(Processing::HealthData, Decision::Granted, id));
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        nurse.call(amend("consented again")),
        Response::Health(_)
    ));
}
