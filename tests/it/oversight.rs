//! Break-glass, the role table in settings, and the `system` principal.

use crate::common;
use caredesk::clinic::api::{KeyFileCreated, Me, PatientCreated};

use crate::common::clinic::{TestClinic, quick_options};
use crate::common::patient;
use caredesk::audit::record::AuditRecord;
use caredesk::audit::{AuditEvent, Outcome};
use caredesk::auth::{Permission, Role};
use caredesk::clinic::{
    Clinic, InProcess, Origin, Request, Response, Secret, ServiceError, Signed,
};
use caredesk::domain::amendment::Section;
use caredesk::store::alerts::AlertKind;

/// Every event, its sealed detail opened with the store's keys (as the auditor would).
fn events(dir: &std::path::Path) -> Vec<AuditEvent> {
    let vault = common::unlock(dir, caredesk::store::StoreOptions::default());
    let tree = vault.store().audit().tree();
    tree.range(&b"r"[..]..&b"s"[..])
        .filter_map(|i| {
            AuditRecord::decode(&i.unwrap().1)
                .unwrap()
                .body
                .event(&vault)
        })
        .collect()
}

#[test]
fn break_glass_needs_a_reason_is_audited_alerts_and_lasts_one_session() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let manager = t.sign_in(Role::HealthManager);
    let nurse = t.sign_in(Role::Nurse);
    let Response::PatientCreated(PatientCreated { id }) = desk.call(Request::PatientCreate {
        patient: patient("Staff Member", "13700000010", "R1"),
    }) else {
        panic!()
    };
    assert!(matches!(
        common::amend_entries(&manager, id, Section::Allergies, &["latex"]),
        Response::Health(_)
    ));
    assert_eq!(
        manager.call(Request::PatientSetRestricted {
            id,
            restricted: true
        }),
        Response::Done
    );

    assert_eq!(
        nurse.call(Request::PatientGet { id }),
        Response::Error(ServiceError::BreakGlassRequired)
    );
    assert_eq!(
        nurse.call(Request::HealthGet { id }),
        Response::Error(ServiceError::BreakGlassRequired)
    );
    let short = nurse.call(Request::BreakGlass {
        id,
        reason: "urgent".into(),
    });
    assert!(matches!(short, Response::Error(ServiceError::Invalid(_))));
    assert_eq!(
        nurse.call(Request::PatientGet { id }),
        Response::Error(ServiceError::BreakGlassRequired)
    );

    let reason = "patient collapsed in the waiting room, allergies needed";
    assert_eq!(
        nurse.call(Request::BreakGlass {
            id,
            reason: reason.into()
        }),
        Response::Done
    );
    let Response::Patient(view) = nurse.call(Request::PatientGet { id }) else {
        panic!()
    };
    assert_eq!(view.health.unwrap().allergies[0].substance, "latex");

    // Another session of the same nurse has no grant.
    let other = t.sign_in(Role::Nurse);
    assert_eq!(
        other.call(Request::PatientGet { id }),
        Response::Error(ServiceError::BreakGlassRequired)
    );
    // The front desk cannot break the glass at all.
    assert!(matches!(
        desk.call(Request::BreakGlass {
            id,
            reason: reason.into()
        }),
        Response::Error(ServiceError::Denied { .. })
    ));

    // Security alerts are the security administrator's (and the auditor's) to read.
    let admin = t.sign_in(Role::SecurityAdmin);
    let Response::Alerts(alerts) = admin.call(Request::AlertsList { limit: 10 }) else {
        panic!()
    };
    let alert = alerts
        .iter()
        .find(|a| a.kind == AlertKind::BreakGlass)
        .unwrap();
    assert!(alert.detail.to_string().contains(reason) && alert.subjects.contains(&id.to_string()));

    let dir = t.dir.clone();
    drop((desk, manager, nurse, other, admin));
    drop(t.clinic);
    let log = events(&dir);
    let glass = log
        .iter()
        .find(|e| e.action == "patient.break_glass" && e.outcome == Outcome::Ok)
        .unwrap();
    assert_eq!(
        glass.detail.as_deref(),
        Some(format!("reason: {reason}").as_str())
    );
    assert_eq!(glass.actor.role.as_deref(), Some("nurse"));
    assert!(
        log.iter()
            .any(|e| e.action == "patient.read" && e.outcome == Outcome::Denied)
    );
    assert!(
        log.iter()
            .any(|e| e.action == "patient.break_glass" && e.outcome == Outcome::Error),
        "the short reason"
    );
    // Search and read records hold ids, never names or values.
    for e in &log {
        let text = format!("{e:?}");
        assert!(
            !text.contains("Staff Member")
                && !text.contains("13700000010")
                && !text.contains("latex"),
            "{text}"
        );
    }
}

#[test]
fn the_role_table_can_be_changed_in_settings_and_the_change_is_audited() {
    // The admin's comments and order survive the change made through the service.
    let settings = "# Harbour clinic, reviewed 2026-11-02\n[roles]\n# nights: no clinical notes\nnurse = [\"patient_search\", \"demographics_read\", \"follow_up_work\"] # ward rule\n\n[session]\n# ten minutes, agreed with the ward\nidle_timeout_seconds = 600\n";
    let mut t = TestClinic::new_with_settings(Some(settings));
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    // The role table is the security administrator's (三员分立).
    t.add_user(&admin, "an.quan", Role::SecurityAdmin);
    let security = t.sign_in(Role::SecurityAdmin);
    let nurse = t.sign_in(Role::Nurse);
    let Response::Me(Me { permissions, .. }) = nurse.call(Request::WhoAmI) else {
        panic!()
    };
    assert!(!permissions.contains(&Permission::ClinicalRead));
    let denied = nurse.call(Request::HealthGet {
        id: caredesk::domain::patient::PatientId([1; 16]),
    });
    assert!(matches!(
        denied,
        Response::Error(ServiceError::Denied { .. })
    ));
    // An edit by hand while the service runs (not yet in force) must survive the change.
    let hand_edited = std::fs::read_to_string(t.dir.join("settings.toml"))
        .unwrap()
        .replace("idle_timeout_seconds = 600", "idle_timeout_seconds = 900");
    std::fs::write(t.dir.join("settings.toml"), &hand_edited).unwrap();
    let settings = &settings.replace("idle_timeout_seconds = 600", "idle_timeout_seconds = 900");
    // Through the service: give the nurse clinical_read back; persisted and audited.
    let mut restored = caredesk::auth::RoleTable::defaults().permissions(Role::Nurse);
    restored.insert(Permission::ClinicalRead);
    assert_eq!(
        security.call(Request::RolesSet {
            role: Role::Nurse,
            permissions: restored
        }),
        Response::Done
    );
    let Response::Roles(table) = security.call(Request::RolesGet) else {
        panic!()
    };
    assert!(table.allows(Role::Nurse, Permission::ClinicalRead));
    let text = std::fs::read_to_string(t.dir.join("settings.toml")).unwrap();
    assert!(text.contains("clinical_read"), "{text}");
    let other_lines = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with("nurse = "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        other_lines(&text),
        other_lines(settings),
        "only the nurse's line changed"
    );
    let nurse_line = text.lines().find(|l| l.starts_with("nurse = ")).unwrap();
    assert!(nurse_line.ends_with("] # ward rule"), "{nurse_line}");
    let locked_out = security.call(Request::RolesSet {
        role: Role::Admin,
        permissions: [Permission::UserAdmin].into(),
    });
    assert!(matches!(
        locked_out,
        Response::Error(ServiceError::Conflict(_))
    ));

    let dir = t.dir.clone();
    drop((admin, security, nurse));
    drop(t.clinic);
    let log = events(&dir);
    let loaded = log
        .iter()
        .find(|e| e.action == "settings.roles_loaded")
        .unwrap();
    assert!(loaded.detail.as_deref().unwrap().contains("nurse"));
    let changed = log
        .iter()
        .find(|e| e.action == "settings.roles_change" && e.outcome == Outcome::Ok)
        .unwrap();
    assert!(changed.detail.as_deref().unwrap().contains("clinical_read"));
    // Reopening with the same table writes no new "loaded" record; editing the file does.
    drop(Clinic::open(&dir, quick_options(&t.clock)).unwrap());
    assert_eq!(
        events(&dir)
            .iter()
            .filter(|e| e.action == "settings.roles_loaded")
            .count(),
        1
    );
    std::fs::write(
        dir.join("settings.toml"),
        "[roles]\nauditor = [\"audit_read\"]\n",
    )
    .unwrap();
    drop(Clinic::open(&dir, quick_options(&t.clock)).unwrap());
    let loads: Vec<_> = events(&dir)
        .into_iter()
        .filter(|e| e.action == "settings.roles_loaded")
        .collect();
    assert_eq!(loads.len(), 2);
    assert!(loads[1].detail.as_deref().unwrap().contains("auditor"));
}

#[test]
fn a_bad_settings_file_names_the_line_and_the_store_does_not_open() {
    let t = TestClinic::new();
    let dir = t.dir.clone();
    let clock = t.clock.clone();
    drop(t.clinic);
    std::fs::write(
        dir.join("settings.toml"),
        "[session]\nidle_timeout_seconds = \"soon\"\n",
    )
    .unwrap();
    let err = Clinic::open(&dir, quick_options(&clock)).err().unwrap();
    assert!(err.to_string().contains("settings.toml line 2"), "{err}");
}

#[test]
fn the_system_principal_signs_in_with_a_key_file_and_gets_only_job_permissions() {
    let t = TestClinic::with_all_roles();
    let admin = t.sign_in(Role::SecurityAdmin);
    let created = admin.call(Request::KeyFileAdd {
        label: "importer".into(),
    });
    let Response::KeyFileCreated(KeyFileCreated { key, .. }) = created else {
        panic!("{created:?}")
    };
    assert!(matches!(
        admin.call(Request::KeyFileAdd {
            label: "importer".into()
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    let dir = t.dir.clone();
    let clock = t.clock.clone();
    drop(admin);
    drop(t.clinic);

    // A fresh process: the store is locked until the key file opens it.
    let clinic = std::sync::Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
    let job = Signed::new(InProcess::new(
        clinic,
        Origin {
            os_user: "caredesk-import".into(),
            ssh_client: None,
        },
    ));
    let wrong = job.call(Request::LoginKeyFile {
        label: "importer".into(),
        key: Secret::new("AAAA-BBBB"),
    });
    assert_eq!(wrong, Response::Error(ServiceError::SignInFailed));
    let Response::SignedIn(signed) = job.call(Request::LoginKeyFile {
        label: "importer".into(),
        key,
    }) else {
        panic!()
    };
    assert_eq!(signed.role, Role::System);
    assert_eq!(
        signed.permissions,
        [
            Permission::ResultsImport,
            Permission::SchedulerRun,
            Permission::BackupRun
        ]
        .into()
    );
    assert!(matches!(
        job.call(Request::UserList),
        Response::Error(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        job.call(Request::PatientGet {
            id: caredesk::domain::patient::PatientId([1; 16])
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
}
