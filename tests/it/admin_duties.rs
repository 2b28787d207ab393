//! 三员分立 (等保 level 3): the system administrator, the security administrator and
//! the audit administrator hold separate powers; no one widens their own; a clinic may
//! merge them knowingly, and the merge is audited. Also through the daemon, with many
//! clients at once.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::clinic::{TestClinic, audit_rows, role_user};
use crate::common::daemon::{Daemon, sign_in};
use crate::common::tmux::demo_store;
use caredesk::auth::{Permission, Role};
use caredesk::clinic::client::Client;
use caredesk::clinic::{InProcess, Request, Response, ServiceError, Signed};
use caredesk::server::remote::Remote;

fn denied(response: &Response) -> bool {
    matches!(response, Response::Error(ServiceError::Denied { .. }))
}

fn key_requests() -> Vec<Request> {
    vec![
        Request::KeySlots,
        Request::RecoveryKeyAdd,
        Request::KeyFileAdd {
            label: "job".into(),
        },
        Request::AuditSealNow {
            reason: "drill".into(),
        },
        Request::RolesSet {
            role: Role::Nurse,
            permissions: BTreeSet::from([Permission::PatientSearch]),
        },
        Request::UserSetRole {
            name: role_user(Role::Nurse),
            role: Role::Doctor,
        },
    ]
}

fn audit_read() -> Request {
    Request::AuditEvents {
        from: None,
        to: None,
        limit: 10,
        after: None,
    }
}

#[test]
fn each_administrator_holds_only_their_own_powers() {
    let t = TestClinic::with_all_roles();
    let admin = t.sign_in(Role::Admin);
    let security = t.sign_in(Role::SecurityAdmin);
    let auditor = t.sign_in(Role::Auditor);

    // The system administrator: accounts, not keys, roles or the log.
    for request in key_requests() {
        let said = admin.call(request.clone());
        assert!(denied(&said), "admin {request:?}: {said:?}");
    }
    assert!(denied(&admin.call(audit_read())));
    assert!(matches!(
        admin.call(Request::UserAdd {
            name: "new.nurse".into(),
            role: Role::Nurse,
        }),
        Response::UserCreated(_)
    ));

    // The security administrator: keys and roles, not accounts or the log.
    assert!(matches!(
        security.call(Request::KeySlots),
        Response::KeySlots(_)
    ));
    assert!(matches!(
        security.call(Request::KeyFileAdd {
            label: "lab".into()
        }),
        Response::KeyFileCreated(_)
    ));
    assert_eq!(
        security.call(Request::UserSetRole {
            name: "new.nurse".into(),
            role: Role::Doctor,
        }),
        Response::Done
    );
    assert!(denied(&security.call(Request::UserAdd {
        name: "another".into(),
        role: Role::Nurse,
    })));
    assert!(denied(&security.call(Request::UserDisable {
        name: "new.nurse".into(),
    })));
    assert!(denied(&security.call(audit_read())));
    // Both may see who holds which role.
    assert!(matches!(
        security.call(Request::UserList),
        Response::Users(_)
    ));
    assert!(matches!(admin.call(Request::UserList), Response::Users(_)));

    // The audit administrator reads what both did, refusals included, and holds
    // neither's powers.
    for request in key_requests() {
        assert!(denied(&auditor.call(request)));
    }
    let rows = audit_rows(&auditor);
    let did = |user: &str, action: &str, outcome: &str| {
        rows.iter()
            .any(|r| r.user == user && r.action == action && r.outcome == outcome)
    };
    let admin_name = &t.staff[&Role::Admin].name;
    let security_name = &t.staff[&Role::SecurityAdmin].name;
    assert!(did(admin_name, "key.list", "denied"), "{rows:#?}");
    assert!(did(admin_name, "user.add", "ok"));
    assert!(did(security_name, "key.add_file", "ok"));
    assert!(did(security_name, "user.set_role", "ok"));
    assert!(did(security_name, "user.add", "denied"));
}

#[test]
fn no_administrator_widens_their_own_powers() {
    let t = TestClinic::with_all_roles();
    let security = t.sign_in(Role::SecurityAdmin);
    let own = security.call(Request::UserSetRole {
        name: t.staff[&Role::SecurityAdmin].name.clone(),
        role: Role::Admin,
    });
    assert!(
        matches!(&own, Response::Error(ServiceError::Denied { permission }) if permission.contains("own role")),
        "{own:?}"
    );
    // Their own role keeps role_admin, or nobody could undo the change.
    let stripped = security.call(Request::RolesSet {
        role: Role::SecurityAdmin,
        permissions: BTreeSet::from([Permission::KeyAdmin]),
    });
    assert!(
        matches!(&stripped, Response::Error(ServiceError::Conflict(m)) if m.to_string().contains("role_admin")),
        "{stripped:?}"
    );
    // The system administrator cannot give the admin role key powers.
    let admin = t.sign_in(Role::Admin);
    assert!(denied(&admin.call(Request::RolesSet {
        role: Role::Admin,
        permissions: BTreeSet::from([
            Permission::UserAdmin,
            Permission::SettingsAdmin,
            Permission::KeyAdmin,
        ]),
    })));
    // A change the security administrator may make is audited with before and after.
    assert_eq!(
        security.call(Request::RolesSet {
            role: Role::Nurse,
            permissions: BTreeSet::from([Permission::PatientSearch, Permission::ClinicalRead]),
        }),
        Response::Done
    );
    let rows = audit_rows(&t.sign_in(Role::Auditor));
    assert!(rows.iter().any(|r| r.action == "settings.roles_change"
        && r.detail.contains("now [patient_search clinical_read]")));
}

#[test]
fn a_small_clinic_merges_the_duties_knowingly_and_the_log_says_so() {
    let t =
        TestClinic::with_all_roles_and_settings(Some("[security]\nmerge_admin_duties = true\n"));
    let admin: Signed<InProcess> = t.sign_in(Role::Admin);
    assert!(matches!(
        admin.call(Request::KeySlots),
        Response::KeySlots(_)
    ));
    assert!(matches!(admin.call(audit_read()), Response::AuditEvents(_)));
    assert_eq!(
        admin.call(Request::UserSetRole {
            name: role_user(Role::Nurse),
            role: Role::HealthManager,
        }),
        Response::Done
    );
    let rows = audit_rows(&admin);
    assert!(
        rows.iter().any(|r| r.action == "settings.roles_loaded"
            && r.detail.contains("MERGED")
            && r.detail.contains("merge_admin_duties")),
        "{rows:#?}"
    );
    // A setting that is not a boolean is refused with the key named.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.toml"),
        "[security]\nmerge_admin_duties = \"yes\"\n",
    )
    .unwrap();
    let refused = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
    assert!(refused.contains("line 2"), "{refused}");
}

#[test]
fn many_clients_at_once_through_the_daemon_cannot_cross_the_separation() {
    const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");
    const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let admin = Arc::new(sign_in(&first, ADMIN));
    let security = Arc::new(sign_in(&first, SECURITY));
    let Response::KeySlots(before) = first.call(Some(&security), Request::KeySlots) else {
        panic!("the security administrator could not list the key slots")
    };
    let threads: Vec<_> = (0..40u32)
        .map(|n| {
            let socket = daemon.socket.clone();
            let (admin, security) = (admin.clone(), security.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                if n % 2 == 0 {
                    // The system administrator tries every key and role power at once.
                    key_requests()
                        .into_iter()
                        .map(|r| remote.call(Some(&admin), r))
                        .filter(|said| !denied(said))
                        .map(|said| format!("{said:?}"))
                        .collect::<Vec<_>>()
                } else {
                    match remote.call(
                        Some(&security),
                        Request::KeyFileAdd {
                            label: format!("job-{n}"),
                        },
                    ) {
                        Response::KeyFileCreated(_) => Vec::new(),
                        other => vec![format!("{other:?}")],
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        let wrong = thread.join().unwrap();
        assert!(wrong.is_empty(), "{wrong:?}");
    }
    let Response::KeySlots(after) = first.call(Some(&security), Request::KeySlots) else {
        panic!()
    };
    assert_eq!(after.len(), before.len() + 20, "each key file made once");
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn the_system_administrator_cannot_make_or_take_over_another_administrator() {
    let t = TestClinic::with_all_roles();
    let admin = t.sign_in(Role::Admin);
    // A second admin, security or audit administrator is the security administrator's
    // to make (the first of each was the admin's, as a new clinic needs).
    for role in [Role::SecurityAdmin, Role::Auditor, Role::Admin] {
        let said = admin.call(Request::UserAdd {
            name: format!("two.{}", role.as_str().replace('_', "-")),
            role,
        });
        assert!(denied(&said), "{role}: {said:?}");
    }
    // Nor may the admin reset, disable or enable an administrator's account.
    let auditor_name = t.staff[&Role::Auditor].name.clone();
    for request in [
        Request::UserResetPassword {
            name: auditor_name.clone(),
        },
        Request::UserResetTotp {
            name: auditor_name.clone(),
        },
        Request::UserDisable {
            name: auditor_name.clone(),
        },
    ] {
        let said = admin.call(request.clone());
        assert!(denied(&said), "{request:?}: {said:?}");
    }
    // The security administrator may; staff accounts stay the admin's.
    let security = t.sign_in(Role::SecurityAdmin);
    assert!(matches!(
        security.call(Request::UserAdd {
            name: "two.auditor".into(),
            role: Role::Auditor,
        }),
        Response::UserCreated(_)
    ));
    assert_eq!(
        security.call(Request::UserResetTotp {
            name: "two.auditor".into(),
        }),
        Response::Done
    );
    assert!(denied(&security.call(Request::UserResetPassword {
        name: role_user(Role::Nurse),
    })));
    // The last enabled auditor stays.
    assert_eq!(
        security.call(Request::UserDisable {
            name: "two.auditor".into(),
        }),
        Response::Done
    );
    let last = security.call(Request::UserDisable {
        name: auditor_name.clone(),
    });
    assert!(
        matches!(&last, Response::Error(ServiceError::Conflict(_))),
        "{last:?}"
    );
    // The audit administrator sees whose account was tried.
    let rows = audit_rows(&t.sign_in(Role::Auditor));
    let admin_name = t.staff[&Role::Admin].name.clone();
    assert!(
        rows.iter().any(|r| r.user == admin_name
            && r.action == "user.add"
            && r.outcome == "denied"
            && r.subjects.iter().any(|s| s.contains("role:security_admin"))),
        "{rows:#?}"
    );
    assert!(rows.iter().any(|r| {
        r.action == "user.reset_password"
            && r.outcome == "denied"
            && r.subjects
                .iter()
                .any(|s| *s == format!("user:{auditor_name}"))
    }));
}

#[test]
fn a_role_table_that_joins_two_administrators_is_refused_unless_merged_knowingly() {
    let dir = tempfile::tempdir().unwrap();
    let write = |text: &str| std::fs::write(dir.path().join("settings.toml"), text).unwrap();
    write("[roles]\nadmin = [\"user_admin\", \"settings_admin\", \"key_admin\"]\n");
    let refused = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
    assert!(
        refused.contains("admin would hold user_admin, key_admin")
            && refused.contains("merge_admin_duties"),
        "{refused}"
    );
    write(
        "[security]\nmerge_admin_duties = true\n[roles]\nadmin = [\"user_admin\", \"settings_admin\", \"key_admin\"]\n",
    );
    assert!(caredesk::clinic::admin::settings::Settings::load(dir.path()).is_ok());
    // Through the service likewise: a nurse given key and audit powers is refused.
    let t = TestClinic::with_all_roles();
    let said = t.sign_in(Role::SecurityAdmin).call(Request::RolesSet {
        role: Role::Nurse,
        permissions: BTreeSet::from([Permission::AuditRead, Permission::KeyAdmin]),
    });
    assert!(
        matches!(&said, Response::Error(ServiceError::Conflict(m)) if m.to_string().contains("三员分立")),
        "{said:?}"
    );
}
