//! Password + TOTP sign-on: RFC 6238 vectors, skew, replay, recovery codes, lockout,
//! the sign-on notice, session expiry, enrolment and password changes.

use crate::common;
use caredesk::clinic::api::{Me, PasswordReset, TotpEnrolment, UserCreated};

use crate::common::clinic::{START, TestClinic, quick_options, totp_code};
use caredesk::auth::Role;
use caredesk::auth::totp::{self, CodeRefusal};
use caredesk::clinic::{Request, Response, Secret, ServiceError};
use caredesk::store::alerts::AlertKind;
use caredesk::store::{Store, StoreError, Unlock};
use proptest::prelude::*;

const RFC_SECRET: &[u8] = b"12345678901234567890";

#[test]
fn rfc6238_sha1_test_vectors() {
    let vectors = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];
    for (time, code) in vectors {
        assert_eq!(
            totp_code(RFC_SECRET, time, 8),
            code,
            "the test's own implementation at {time}"
        );
        assert!(
            totp::verify_with(RFC_SECRET, 8, code, time as u64, None).is_ok(),
            "caredesk at {time}"
        );
    }
}

proptest! {
    #[test]
    fn agrees_with_an_independent_implementation(secret in proptest::collection::vec(any::<u8>(), 20), time in 1_000_000_000i64..4_000_000_000) {
        let code = totp_code(&secret, time, 6);
        prop_assert_eq!(totp::verify(&secret, &code, time as u64, None), Ok(time as u64 / 30));
    }
}

#[test]
fn one_step_of_skew_either_side_and_no_more() {
    let now = 1_900_000_015u64;
    let at = |offset: i64| totp_code(RFC_SECRET, now as i64 + offset, 6);
    assert!(totp::verify(RFC_SECRET, &at(-30), now, None).is_ok());
    assert!(totp::verify(RFC_SECRET, &at(30), now, None).is_ok());
    assert_eq!(
        totp::verify(RFC_SECRET, &at(-60), now, None),
        Err(CodeRefusal::Wrong)
    );
    assert_eq!(
        totp::verify(RFC_SECRET, &at(60), now, None),
        Err(CodeRefusal::Wrong)
    );
    assert_eq!(
        totp::verify(RFC_SECRET, &at(0), now, Some(now / 30)),
        Err(CodeRefusal::Replayed)
    );
    assert_eq!(
        totp::verify(RFC_SECRET, &at(-30), now, Some(now / 30)),
        Err(CodeRefusal::Replayed)
    );
}

#[test]
fn a_code_is_accepted_once_only() {
    let t = TestClinic::new();
    let client = t.client();
    let code = t.code(Role::Admin);
    assert!(matches!(
        t.login(&client, Role::Admin, &code),
        Response::SignedIn(_)
    ));
    assert_eq!(client.call(Request::Logout), Response::Done);
    // With the right password the replay is named, so a second command run within
    // the step waits for the next code; it is a failed sign-in all the same.
    let again = t.login(&t.client(), Role::Admin, &code);
    assert_eq!(
        again,
        Response::Error(ServiceError::CodeAlreadyUsed),
        "replayed code"
    );
    assert!(
        ServiceError::CodeAlreadyUsed
            .to_string()
            .contains("wait for the next one")
    );
    // A wrong password with that used code says nothing of the code.
    let client = t.client();
    let wrong = client.call(Request::Login {
        user: t.staff[&Role::Admin].name.clone(),
        password: caredesk::clinic::Secret::new("not the password"),
        code: caredesk::clinic::Secret::new(code.clone()),
    });
    assert_eq!(wrong, Response::Error(ServiceError::SignInFailed));
}

#[test]
fn recovery_codes_each_work_once() {
    let t = TestClinic::new();
    let code = t.recovery_codes[4].clone();
    let Response::SignedIn(signed) = t.login(&t.client(), Role::Admin, &code) else {
        panic!("recovery code refused")
    };
    assert_eq!(signed.recovery_codes_left, Some(9));
    assert_eq!(
        t.login(&t.client(), Role::Admin, &code),
        Response::Error(ServiceError::SignInFailed)
    );
    let other = t.recovery_codes[5].to_lowercase().replace('-', "");
    assert!(matches!(
        t.login(&t.client(), Role::Admin, &other),
        Response::SignedIn(_)
    ));
}

#[test]
fn five_failures_lock_the_account_with_an_alert_and_the_lock_ends() {
    let mut t = TestClinic::new();
    let wrong = |user: &str| {
        t.client().call(Request::Login {
            user: user.into(),
            password: Secret::new("not the right password"),
            code: Secret::new("000000"),
        })
    };
    for _ in 0..5 {
        assert_eq!(wrong("admin"), Response::Error(ServiceError::SignInFailed));
    }
    let code = t.code(Role::Admin);
    assert!(matches!(
        t.login(&t.client(), Role::Admin, &code),
        Response::Error(ServiceError::AccountLocked { minutes: 15 })
    ));

    // An unknown name behaves the same way: nothing tells whether a user exists.
    for _ in 0..5 {
        assert_eq!(
            wrong("no.such.user"),
            Response::Error(ServiceError::SignInFailed)
        );
    }
    assert!(matches!(
        wrong("no.such.user"),
        Response::Error(ServiceError::AccountLocked { .. })
    ));

    t.clock.advance_secs(15 * 60);
    let admin = t.sign_in(Role::Admin);
    // The security administrator reads the alerts (the admin adds the first one).
    t.add_user(&admin, "an.quan", Role::SecurityAdmin);
    let security = t.sign_in(Role::SecurityAdmin);
    let Response::Alerts(alerts) = security.call(Request::AlertsList { limit: 10 }) else {
        panic!()
    };
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a.kind == AlertKind::AccountLocked)
            .count(),
        2
    );
    assert!(alerts.iter().any(|a| a.subjects == ["user:admin"]));
}

#[test]
fn a_wrong_password_a_wrong_code_and_an_unknown_user_get_one_message() {
    let t = TestClinic::new();
    let code = t.code(Role::Admin);
    let replies = [
        t.client().call(Request::Login {
            user: "admin".into(),
            password: Secret::new("wrong wrong wrong"),
            code: Secret::new(code.clone()),
        }),
        t.client().call(Request::Login {
            user: "admin".into(),
            password: Secret::new(common::PASSWORD),
            code: Secret::new("123456"),
        }),
        t.client().call(Request::Login {
            user: "ghost".into(),
            password: Secret::new(common::PASSWORD),
            code: Secret::new(code),
        }),
    ];
    for reply in replies {
        assert_eq!(reply, Response::Error(ServiceError::SignInFailed));
    }
}

#[test]
fn a_sign_on_reports_the_last_one_and_the_failures_since() {
    let t = TestClinic::new();
    t.sign_in(Role::Admin);
    let first = START + 30;
    for _ in 0..2 {
        t.client().call(Request::Login {
            user: "admin".into(),
            password: Secret::new("nope nope nope"),
            code: Secret::new("1"),
        });
    }
    let code = t.code(Role::Admin);
    let Response::SignedIn(signed) = t.login(&t.client(), Role::Admin, &code) else {
        panic!()
    };
    assert_eq!(signed.notice.previous_sign_on, Some(first));
    assert_eq!(signed.notice.failed_attempts_since, 2);
}

#[test]
fn sessions_expire_when_idle_and_at_the_absolute_limit() {
    let t = TestClinic::new_with_settings(Some(
        "[session]\nidle_timeout_seconds = 1\nabsolute_timeout_seconds = 100\n",
    ));
    let admin = t.sign_in(Role::Admin);
    assert!(matches!(admin.call(Request::WhoAmI), Response::Me { .. }));
    t.clock.advance_secs(2);
    assert_eq!(
        admin.call(Request::WhoAmI),
        Response::Error(ServiceError::SessionExpired)
    );
    assert!(
        !admin.is_signed_in(),
        "the client forgets an expired session"
    );

    let t = TestClinic::new_with_settings(Some(
        "[session]\nidle_timeout_seconds = 60\nabsolute_timeout_seconds = 100\n",
    ));
    let admin = t.sign_in(Role::Admin);
    for _ in 0..3 {
        t.clock.advance_secs(30);
        assert!(matches!(admin.call(Request::WhoAmI), Response::Me { .. }));
    }
    t.clock.advance_secs(15);
    assert_eq!(
        admin.call(Request::WhoAmI),
        Response::Error(ServiceError::SessionExpired)
    );
}

#[test]
fn logout_ends_the_session() {
    let t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    assert_eq!(admin.call(Request::Logout), Response::Done);
    assert_eq!(
        admin.call(Request::WhoAmI),
        Response::Error(ServiceError::NotSignedIn)
    );
}

#[test]
fn changing_a_password_rewraps_the_key_slot() {
    let t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    let weak = admin.call(Request::ChangePassword {
        old: Secret::new(common::PASSWORD),
        new: Secret::new("password1"),
    });
    assert!(matches!(weak, Response::Error(ServiceError::Invalid(_))));
    let new = "seven lanterns over the river";
    assert_eq!(
        admin.call(Request::ChangePassword {
            old: Secret::new(common::PASSWORD),
            new: Secret::new(new)
        }),
        Response::Done
    );
    let dir = t.dir.clone();
    drop(admin);
    drop(t.clinic);
    let store = Store::open(&dir, quick_options(&t.clock)).unwrap();
    assert!(matches!(
        store.unlock(Unlock::Password {
            user: "admin",
            password: common::PASSWORD.as_bytes()
        }),
        Err(StoreError::WrongPassword)
    ));
    assert!(
        store
            .unlock(Unlock::Password {
                user: "admin",
                password: new.as_bytes()
            })
            .is_ok()
    );
}

#[test]
fn a_new_user_activates_then_confirms_totp_with_the_first_sign_in() {
    let mut t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    let Response::Users(users) = admin.call(Request::UserList) else {
        panic!()
    };
    let li = users.iter().find(|u| u.name == "li.na").unwrap();
    assert!(!li.totp_enrolled && !li.must_change_password);
    t.sign_in(Role::Nurse);
    let Response::Users(users) = admin.call(Request::UserList) else {
        panic!()
    };
    let li = users.iter().find(|u| u.name == "li.na").unwrap();
    assert!(li.totp_enrolled && li.last_sign_on_unix.is_some());
}

#[test]
fn an_initial_password_cannot_sign_in_before_activation() {
    let t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    let Response::UserCreated(UserCreated {
        initial_password, ..
    }) = admin.call(Request::UserAdd {
        name: "wu.gang".into(),
        role: Role::FrontDesk,
    })
    else {
        panic!()
    };
    let reply = t.client().call(Request::Login {
        user: "wu.gang".into(),
        password: initial_password,
        code: Secret::new("000000"),
    });
    assert_eq!(reply, Response::Error(ServiceError::PasswordChangeRequired));
}

#[test]
fn an_admin_resets_totp_and_the_user_enrols_again() {
    let mut t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(
        admin.call(Request::UserResetTotp {
            name: "li.na".into()
        }),
        Response::Done
    );
    assert_eq!(
        nurse.call(Request::WhoAmI),
        Response::Error(ServiceError::NotSignedIn),
        "sessions end"
    );

    let client = t.client();
    let reply = t.login(&client, Role::Nurse, "");
    let Response::TotpEnrolment(TotpEnrolment {
        pending,
        otpauth_uri,
    }) = reply
    else {
        panic!("{reply:?}")
    };
    let secret = common::clinic::secret_of(otpauth_uri.expose());
    let wrong = client.call(Request::ConfirmTotp {
        pending: pending.clone(),
        code: Secret::new("000000"),
    });
    assert_eq!(wrong, Response::Error(ServiceError::SignInFailed));
    t.clock.advance_secs(30);
    let code = totp_code(&secret, t.now(), 6);
    let Response::SignedIn(signed) = client.call(Request::ConfirmTotp {
        pending,
        code: Secret::new(code),
    }) else {
        panic!()
    };
    assert_eq!(signed.new_recovery_codes.map(|c| c.len()), Some(10));
    assert!(matches!(
        client.call(Request::WhoAmI),
        Response::Me(Me {
            role: Role::Nurse,
            ..
        })
    ));
}

#[test]
fn a_disabled_user_cannot_sign_in_and_the_last_admin_stays() {
    let mut t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    t.add_user(&admin, "an.quan", Role::SecurityAdmin);
    let security = t.sign_in(Role::SecurityAdmin);
    let nurse = t.sign_in(Role::Nurse);
    assert_eq!(
        admin.call(Request::UserDisable {
            name: "li.na".into()
        }),
        Response::Done
    );
    assert_eq!(
        nurse.call(Request::WhoAmI),
        Response::Error(ServiceError::NotSignedIn)
    );
    // The one message every failure gets: nothing says the account exists.
    let code = t.code(Role::Nurse);
    assert_eq!(
        t.login(&t.client(), Role::Nurse, &code),
        Response::Error(ServiceError::SignInFailed)
    );
    // Enabled again, she starts over: a one-time password, her old one opens nothing.
    let Response::PasswordReset(PasswordReset {
        one_time_password, ..
    }) = admin.call(Request::UserEnable {
        name: "li.na".into(),
    })
    else {
        panic!("enabling issues a one-time password")
    };
    assert_eq!(
        t.login(&t.client(), Role::Nurse, &code),
        Response::Error(ServiceError::SignInFailed)
    );
    assert_eq!(
        t.client().call(Request::Login {
            user: "li.na".into(),
            password: one_time_password,
            code: Secret::new("000000"),
        }),
        Response::Error(ServiceError::PasswordChangeRequired)
    );

    assert!(matches!(
        admin.call(Request::UserDisable {
            name: "admin".into()
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    // Roles are the security administrator's; not even they take the last admin.
    assert!(matches!(
        admin.call(Request::UserSetRole {
            name: "admin".into(),
            role: Role::Nurse
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        security.call(Request::UserSetRole {
            name: "admin".into(),
            role: Role::Nurse
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        admin.call(Request::UserAdd {
            name: "robot".into(),
            role: Role::System
        }),
        Response::Error(ServiceError::Invalid(_))
    ));
}

#[test]
fn a_reset_password_is_one_time_and_lifts_a_lock() {
    let mut t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    for _ in 0..5 {
        t.client().call(Request::Login {
            user: "li.na".into(),
            password: Secret::new("bad bad bad"),
            code: Secret::new("1"),
        });
    }
    let Response::PasswordReset(PasswordReset {
        one_time_password, ..
    }) = admin.call(Request::UserResetPassword {
        name: "li.na".into(),
    })
    else {
        panic!()
    };
    let reply = t.client().call(Request::Activate {
        user: "li.na".into(),
        one_time_password,
        new_password: Secret::new("amber kites above the pier"),
    });
    assert!(matches!(reply, Response::Activated { .. }), "{reply:?}");
}

#[test]
fn enabling_a_user_who_was_only_locked_lifts_the_lock_and_keeps_their_password() {
    let mut t = TestClinic::new();
    let admin = t.sign_in(Role::Admin);
    t.add_user(&admin, "li.na", Role::Nurse);
    for _ in 0..5 {
        t.client().call(Request::Login {
            user: "li.na".into(),
            password: Secret::new("bad bad bad"),
            code: Secret::new("1"),
        });
    }
    let code = t.code(Role::Nurse);
    assert!(matches!(
        t.login(&t.client(), Role::Nurse, &code),
        Response::Error(ServiceError::AccountLocked { .. })
    ));
    // Not disabled: no one-time password replaces theirs, the lock is lifted.
    assert_eq!(
        admin.call(Request::UserEnable {
            name: "li.na".into()
        }),
        Response::Done
    );
    t.sign_in(Role::Nurse);
}

#[test]
fn a_user_s_own_language_is_kept_returned_at_every_sign_in_and_audited() {
    use caredesk::i18n::Lang;
    let t = TestClinic::with_all_roles();
    let language_at_sign_in = || {
        let client = t.client();
        match t.login(&client, Role::Nurse, &t.code(Role::Nurse)) {
            Response::SignedIn(signed) => signed.language,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(language_at_sign_in(), None, "no choice until one is made");
    let nurse = t.sign_in(Role::Nurse);
    let set = |language| nurse.call(Request::SetLanguage { language });
    assert_eq!(set(Some(Lang::ZhCn)), Response::Done);
    assert_eq!(language_at_sign_in(), Some(Lang::ZhCn));
    // Another user's choice is their own.
    let doctor = t.client();
    let Response::SignedIn(signed) = t.login(&doctor, Role::Doctor, &t.code(Role::Doctor)) else {
        panic!()
    };
    assert_eq!(signed.language, None);
    // Cleared: the session's locale decides again.
    assert_eq!(set(None), Response::Done);
    assert_eq!(language_at_sign_in(), None);
    let rows = common::clinic::audit_rows(&t.sign_in(Role::Auditor));
    let changes: Vec<&str> = rows
        .iter()
        .filter(|r| r.action == "user.set_language")
        .map(|r| r.detail.as_str())
        .collect();
    assert_eq!(changes, ["language=zh-CN", "language=session"]);
    // Signed out, nobody may set one.
    assert_eq!(
        t.client().call(Request::SetLanguage {
            language: Some(Lang::En)
        }),
        Response::Error(ServiceError::NotSignedIn)
    );
}
