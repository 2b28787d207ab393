//! The alert rules (many patients in an hour, outside working hours, bulk export),
//! their survival of a restart, and acknowledgement with a sealed note.

use crate::common;
use caredesk::clinic::api::PatientCreated;

use crate::common::clinic::{TestClinic, audit_rows, role_user};
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::oversight::alerts::AlertView;
use caredesk::clinic::{InProcess, Request, Response, ServiceError, Signed};
use caredesk::domain::patient::PatientId;
use caredesk::store::alerts::AlertKind;

fn settings(rules: &str) -> String {
    format!("[alerts]\n{rules}\n")
}

/// A clinic with every role and `n` patients registered by the front desk.
fn clinic_with_patients(rules: &str, n: usize) -> (TestClinic, Vec<PatientId>) {
    let t = TestClinic::with_all_roles_and_settings(Some(&settings(rules)));
    let desk = t.sign_in(Role::FrontDesk);
    let ids = (0..n)
        .map(|i| {
            let Response::PatientCreated(PatientCreated { id }) =
                desk.call(Request::PatientCreate {
                    patient: patient(
                        &format!("Member {i}"),
                        &format!("1370000{i:04}"),
                        &format!("R{i}"),
                    ),
                })
            else {
                panic!("registration {i}")
            };
            id
        })
        .collect();
    (t, ids)
}

fn alerts(client: &Signed<InProcess>) -> Vec<AlertView> {
    match client.call(Request::AlertsList { limit: 100 }) {
        Response::Alerts(alerts) => alerts,
        other => panic!("{other:?}"),
    }
}

fn about(alerts: &[AlertView], kind: AlertKind, role: Role) -> Vec<AlertView> {
    let name = if role == Role::Admin {
        common::ADMIN.to_string()
    } else {
        role_user(role)
    };
    let who = format!("user:{name}");
    alerts
        .iter()
        .filter(|a| a.kind == kind && a.subjects.contains(&who))
        .cloned()
        .collect()
}

fn read(client: &Signed<InProcess>, id: PatientId) {
    assert!(matches!(
        client.call(Request::PatientGet { id }),
        Response::Patient(_)
    ));
}

#[test]
fn many_patients_in_an_hour_raise_one_alert_which_a_restart_neither_forgets_nor_repeats() {
    let (t, ids) = clinic_with_patients("distinct_patients_per_hour = 3\nworking_hours = \"\"", 9);
    let nurse = t.sign_in(Role::Nurse);
    let auditor = t.sign_in(Role::Auditor);
    for id in &ids[..3] {
        read(&nurse, *id);
    }
    // The same patients again are not more patients.
    read(&nurse, ids[0]);
    assert!(about(&alerts(&auditor), AlertKind::ManyPatients, Role::Nurse).is_empty());
    read(&nurse, ids[3]);
    let raised = about(&alerts(&auditor), AlertKind::ManyPatients, Role::Nurse);
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert!(
        raised[0].detail.to_string().contains("4 distinct patients"),
        "{raised:?}"
    );
    // One alert an hour, however many more.
    read(&nurse, ids[4]);
    assert_eq!(
        about(&alerts(&auditor), AlertKind::ManyPatients, Role::Nurse).len(),
        1
    );
    // The doctor reads three before a restart and a fourth after it: the window is
    // rebuilt from the audit log.
    let doctor = t.sign_in(Role::Doctor);
    for id in &ids[..3] {
        read(&doctor, *id);
    }
    drop((nurse, auditor, doctor));
    let t = t.reopen();
    let nurse = t.sign_in(Role::Nurse);
    let doctor = t.sign_in(Role::Doctor);
    let auditor = t.sign_in(Role::Auditor);
    read(&nurse, ids[5]);
    read(&doctor, ids[3]);
    let all = alerts(&auditor);
    assert_eq!(about(&all, AlertKind::ManyPatients, Role::Nurse).len(), 1);
    assert_eq!(about(&all, AlertKind::ManyPatients, Role::Doctor).len(), 1);
    // An hour on, the nurse's window has emptied and she may read three again.
    t.clock.advance_secs(3601);
    let nurse = t.sign_in(Role::Nurse);
    let auditor = t.sign_in(Role::Auditor);
    for id in &ids[6..9] {
        read(&nurse, *id);
    }
    assert_eq!(
        about(&alerts(&auditor), AlertKind::ManyPatients, Role::Nurse).len(),
        1
    );
}

#[test]
fn patient_data_opened_outside_working_hours_raises_one_alert_a_user_a_day() {
    let now = common::clinic::START + 10 * 60;
    let hour = (now.rem_euclid(86_400)) / 3600;
    // Working hours that start two hours from now: now is outside them.
    let rules = format!(
        "working_hours = \"{:02}:00-{:02}:00\"\nworking_days = \"mon-sun\"\nutc_offset = \"+00:00\"",
        (hour + 2) % 24,
        (hour + 4) % 24
    );
    let (t, ids) = clinic_with_patients(&rules, 3);
    let nurse = t.sign_in(Role::Nurse);
    let auditor = t.sign_in(Role::Auditor);
    // Registering them outside hours already alerted for the front desk.
    let all = alerts(&auditor);
    assert_eq!(
        about(&all, AlertKind::OutsideHours, Role::FrontDesk).len(),
        1
    );
    read(&nurse, ids[0]);
    read(&nurse, ids[1]);
    let all = alerts(&auditor);
    let nurse_alerts = about(&all, AlertKind::OutsideHours, Role::Nurse);
    assert_eq!(nurse_alerts.len(), 1, "{all:?}");
    assert!(nurse_alerts[0].detail.to_string().contains("working hours"));
    assert!(nurse_alerts[0].subjects.contains(&ids[0].to_string()));
    // Acknowledging it (it names a patient) is not opening patient data.
    assert_eq!(
        auditor.call(Request::AlertAcknowledge {
            id: nurse_alerts[0].id,
            note: "night shift cover".into()
        }),
        Response::Done
    );
    assert!(about(&alerts(&auditor), AlertKind::OutsideHours, Role::Auditor).is_empty());
    // Within the working hours nothing is raised.
    t.clock.advance_secs(2 * 3600 + 600);
    let doctor = t.sign_in(Role::Doctor);
    let auditor = t.sign_in(Role::Auditor);
    read(&doctor, ids[2]);
    assert!(about(&alerts(&auditor), AlertKind::OutsideHours, Role::Doctor).is_empty());
}

#[test]
fn exporting_many_patients_in_an_hour_is_a_bulk_export_alert() {
    let (t, _) = clinic_with_patients(
        "exports_per_hour = 2\ndistinct_patients_per_hour = 0\nworking_hours = \"\"",
        3,
    );
    let doctor = t.sign_in(Role::Doctor);
    let auditor = t.sign_in(Role::Auditor);
    for i in 0..3 {
        let exported = doctor.call(Request::PatientExport {
            key: format!("1370000{i:04}"),
        });
        assert!(
            matches!(exported, Response::PatientExport(_)),
            "{exported:?}"
        );
        let bulk = about(&alerts(&auditor), AlertKind::BulkExport, Role::Doctor);
        assert_eq!(
            bulk.len(),
            usize::from(i == 2),
            "after export {i}: {bulk:?}"
        );
    }
    // The rules that are off raise nothing.
    let all = alerts(&auditor);
    assert!(
        all.iter()
            .all(|a| a.kind != AlertKind::ManyPatients && a.kind != AlertKind::OutsideHours)
    );
}

#[test]
fn an_alert_is_acknowledged_once_with_a_sealed_note_by_those_who_may_see_it() {
    let (t, ids) = clinic_with_patients("distinct_patients_per_hour = 1\nworking_hours = \"\"", 2);
    let doctor = t.sign_in(Role::Doctor);
    read(&doctor, ids[0]);
    read(&doctor, ids[1]);
    let auditor = t.sign_in(Role::Auditor);
    let Response::Home(home) = auditor.call(Request::HomeSummary) else {
        panic!()
    };
    let open_before = home.alerts_open.unwrap();
    assert!(open_before >= 1);
    let alert = about(&alerts(&auditor), AlertKind::ManyPatients, Role::Doctor)[0].clone();
    assert_eq!(alert.acknowledged, None);
    // The care team does not see security alerts: for them it does not exist.
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(
        nurse.call(Request::AlertAcknowledge {
            id: alert.id,
            note: "seen".into()
        }),
        Response::Error(ServiceError::NotFound(format!("alert {}", alert.id)))
    );
    // The front desk may acknowledge no alert at all: refused by the table, before
    // the alert is looked at.
    let desk = t.sign_in(Role::FrontDesk);
    let refused = desk.call(Request::AlertAcknowledge {
        id: alert.id,
        note: "seen".into(),
    });
    assert!(
        matches!(&refused, Response::Error(ServiceError::Denied { permission }) if permission == "alerts_read or clinical_read"),
        "{refused:?}"
    );
    let empty = auditor.call(Request::AlertAcknowledge {
        id: alert.id,
        note: "   ".into(),
    });
    assert!(
        matches!(&empty, Response::Error(ServiceError::Field { field, .. }) if field == "note"),
        "{empty:?}"
    );
    let note = "Quince Harbour check: ward round list confirmed with Dr Zhou";
    assert_eq!(
        auditor.call(Request::AlertAcknowledge {
            id: alert.id,
            note: note.into()
        }),
        Response::Done
    );
    let again = t
        .sign_in(Role::SecurityAdmin)
        .call(Request::AlertAcknowledge {
            id: alert.id,
            note: "me too".into(),
        });
    assert!(
        matches!(&again, Response::Error(ServiceError::Conflict(m)) if m.to_string().contains(&role_user(Role::Auditor))),
        "{again:?}"
    );
    let shown = alerts(&auditor)
        .into_iter()
        .find(|a| a.id == alert.id)
        .unwrap();
    let ack = shown.acknowledged.unwrap();
    assert_eq!(
        (ack.by.as_str(), ack.note.as_str()),
        (role_user(Role::Auditor).as_str(), note)
    );
    let Response::Home(home) = auditor.call(Request::HomeSummary) else {
        panic!()
    };
    assert_eq!(home.alerts_open, Some(open_before - 1));
    // The audit log names the alert, never the note.
    let rows = audit_rows(&auditor);
    let acked = rows
        .iter()
        .find(|r| r.action == "alert.acknowledge" && r.outcome == "ok")
        .expect("audited");
    assert!(acked.subjects.contains(&format!("alert:{}", alert.id)));
    // Raising it was audited too, by the system principal, naming the user.
    let raise = rows
        .iter()
        .find(|r| r.action == "alert.raise" && r.subjects.contains(&format!("alert:{}", alert.id)))
        .expect("the raise is audited");
    assert_eq!(
        (raise.user.as_str(), raise.role.as_str()),
        ("system:alert-rules", "system")
    );
    assert!(
        raise
            .subjects
            .contains(&format!("user:{}", role_user(Role::Doctor)))
    );
    assert!(rows.iter().all(|r| !r.detail.contains("Quince")));
    // And the note is nowhere in the store's files in the clear.
    drop((doctor, auditor));
    let TestClinic {
        tmp, clinic, dir, ..
    } = t;
    drop(clinic);
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(14).any(|w| w == b"Quince Harbour"),
            "the note is readable in {}",
            entry.display()
        );
    }
    drop(tmp);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
