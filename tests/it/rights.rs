//! Patients' rights reports for the privacy officer: who looked at one patient's
//! record (break-glass reasons included), and the accounting of disclosures, also as a
//! PDF for the patient.

use crate::common::clinic::{TestClinic, role_user};
use crate::common::{patient, pdf_text, require};
use caredesk::auth::Role;
use caredesk::clinic::api::PatientCreated;
use caredesk::clinic::api::{PatientRef, ReportOutput};
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::i18n::Lang;

#[test]
fn the_privacy_officer_sees_who_looked_and_what_was_disclosed() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Quentin Marsh", "13700000077", "QM-77"),
    }) else {
        panic!()
    };
    let Response::PatientCreated(PatientCreated { id: other }) =
        desk.call(Request::PatientCreate {
            patient: patient("Other Person", "13700000078", "OP-78"),
        })
    else {
        panic!()
    };
    let doctor = t.sign_in(Role::Doctor);
    assert!(matches!(
        doctor.call(Request::HealthGet { id }),
        Response::Health(_)
    ));
    assert!(matches!(
        doctor.call(Request::HealthGet { id: other }),
        Response::Health(_)
    ));
    let printed = doctor.call(Request::ReportCompose {
        patient: PatientRef::Id(id),
        from: None,
        to: None,
        unmask: false,
        output: ReportOutput::Printer("front-desk".into()),
    });
    assert!(matches!(printed, Response::Report(_)), "{printed:?}");
    let manager = t.sign_in(Role::HealthManager);
    assert_eq!(
        manager.call(Request::PatientSetRestricted {
            id,
            restricted: true
        }),
        Response::Done
    );
    let nurse = t.sign_in(Role::Nurse);
    let reason = "patient collapsed in the waiting room";
    assert_eq!(
        nurse.call(Request::BreakGlass {
            id,
            reason: reason.into()
        }),
        Response::Done
    );
    let doctor = t.sign_in(Role::Doctor);
    assert!(matches!(
        doctor.call(Request::PatientExport {
            key: "13700000077".into()
        }),
        Response::PatientExport(_)
    ));
    let desk = t.sign_in(Role::FrontDesk);
    assert!(matches!(
        desk.call(Request::HealthGet { id }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let auditor = t.sign_in(Role::Auditor);
    // Who looked: every access to this patient, nobody else's.
    let Response::AccessLog(log) = auditor.call(Request::PatientAccessLog {
        patient: PatientRef::Key("QM-77".into()),
        from: None,
    }) else {
        panic!()
    };
    let did = |user: &str, action: &str| log.iter().any(|a| a.user == user && a.action == action);
    assert!(did(&role_user(Role::FrontDesk), "patient.create"));
    assert!(did(&role_user(Role::Doctor), "health.read"));
    assert!(did(&role_user(Role::Doctor), "report.print"));
    assert!(did(&role_user(Role::Doctor), "patient.export"));
    // A refused attempt names the patient too.
    assert!(
        log.iter().any(|a| a.user == role_user(Role::FrontDesk)
            && a.action == "health.read"
            && a.outcome == "denied"),
        "{log:?}"
    );
    let glass = log
        .iter()
        .find(|a| a.action == "patient.break_glass")
        .expect("break-glass is there");
    assert!(glass.detail.contains(reason), "{glass:?}");
    assert_eq!(
        log.iter()
            .filter(|a| a.action == "health.read" && a.outcome == "ok")
            .count(),
        1,
        "the other patient's read is not this patient's"
    );
    // The accounting: the print and the export, with recipient and purpose.
    let Response::Disclosures(account) = auditor.call(Request::Disclosures {
        patient: PatientRef::Id(id),
    }) else {
        panic!()
    };
    assert_eq!(account.patient_name, "Quentin Marsh");
    assert_eq!(account.disclosures.len(), 2, "{:?}", account.disclosures);
    let print = &account.disclosures[0];
    assert_eq!(print.recipient, "printed on front-desk, handed over");
    assert_eq!(
        print.kind,
        caredesk::clinic::oversight::rights::DisclosureKind::Printed {
            printer: "front-desk".into()
        }
    );
    assert_eq!(print.by, role_user(Role::Doctor));
    assert!(account.disclosures[1].purpose.contains("right of access"));
    // Only the privacy officer (auditor) reads them.
    for role in [Role::Doctor, Role::FrontDesk, Role::Admin] {
        let client = t.sign_in(role);
        for request in [
            Request::PatientAccessLog {
                patient: PatientRef::Id(id),
                from: None,
            },
            Request::Disclosures {
                patient: PatientRef::Id(id),
            },
        ] {
            assert!(
                matches!(
                    client.call(request),
                    Response::Error(ServiceError::Denied { .. })
                ),
                "{role}"
            );
        }
    }
    // Printed for the patient, in both languages.
    if require("pdftotext") {
        for (lang, title, worded) in [
            (Lang::En, "Accounting of disclosures", "right of access"),
            (Lang::ZhCn, "个人信息对外提供记录", "查阅复制权"),
        ] {
            let pdf = caredesk::report::disclosures::pdf(&account, lang).unwrap();
            let text = pdf_text(&pdf);
            assert!(text.contains(title), "{text}");
            // The accounting is worded in the patient's language throughout.
            assert!(text.contains(worded), "{text}");
            if lang == Lang::ZhCn {
                assert!(!text.contains("handed over"), "{text}");
            }
            assert!(text.contains("Quentin Marsh"), "{text}");
            assert!(text.contains("front-desk"), "{text}");
        }
    }
}
