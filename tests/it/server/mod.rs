//! The clinic server: `caredesk serve` owns the demo store; commands and many clients
//! reach it over its socket; a frame that breaks the protocol closes only its own
//! connection; SIGTERM finishes and exits 0, and a restarted daemon serves again.
//!
//! Here the daemon's life (commands through it, the scheduler, stopping and restarting
//! under load); `concurrency`: many clients racing for one thing; `protocol`: frames
//! and greetings that break the protocol; `name_index`: the names indexed in the
//! background while the daemon serves.

mod concurrency;
mod name_index;
mod protocol;

use caredesk::clinic::api::SearchResults;

use std::sync::Arc;
use std::time::Duration;

use crate::common::daemon::{Daemon, card, credentials, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::domain::patient::{IdType, Patient, Sex};
use caredesk::server::remote::Remote;

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");

#[test]
fn commands_go_through_the_daemon_which_stops_cleanly_and_serves_again() {
    let (tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let data = dir.to_str().unwrap();
    let out = tmp.path().join("report.pdf");
    let printed = run_caredesk(
        None,
        &[
            "report",
            "--patient",
            &card(),
            "--data",
            data,
            "--out",
            out.to_str().unwrap(),
        ],
        &credentials(DOCTOR),
    );
    assert!(printed.status.success(), "{}", text(&printed.stderr));
    // The store is the daemon's: a command that insists on opening it is told so.
    let local = run_caredesk(
        None,
        &[
            "export",
            "patient",
            &card(),
            "--format",
            "json",
            "--data",
            data,
            "--local",
        ],
        &credentials(DESK),
    );
    assert_eq!(local.status.code(), Some(1));
    assert!(
        text(&local.stderr).contains("in use"),
        "{}",
        text(&local.stderr)
    );
    // The auditor reads the log through the daemon (paged), each entry naming the OS
    // user the daemon saw on the socket.
    let me = caredesk::audit::context::process_actor().os_user;
    let export = run_caredesk(
        None,
        &["audit", "export", "--data", data, "--format", "jsonl"],
        &credentials(("he.audit", "demo auditor harbour lantern")),
    );
    assert!(export.status.success(), "{}", text(&export.stderr));
    let rows = text(&export.stdout);
    let print = rows
        .lines()
        .find(|l| l.contains("\"report.print\""))
        .expect("the print is audited");
    assert!(print.contains(&format!("\"os_user\":\"{me}\"")), "{print}");
    assert!(rows.lines().count() > 5, "{rows}");
    // A client connected when the daemon stops is told it went away.
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, DESK);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("stopped"), "{said}");
    assert!(!dir.join("caredesk.sock").exists(), "the socket is removed");
    let Response::Error(gone) = remote.call(Some(&token), Request::HomeSummary) else {
        panic!("an answer from a stopped daemon")
    };
    assert!(gone.to_string().contains("not answering"), "{gone}");
    // Restarted, it serves the same client again; the old session is gone.
    let daemon = Daemon::start(&dir);
    let again = remote.call(Some(&token), Request::HomeSummary);
    assert!(
        matches!(
            again,
            Response::Error(
                caredesk::clinic::ServiceError::SessionExpired
                    | caredesk::clinic::ServiceError::NotSignedIn
            )
        ),
        "{again:?}"
    );
    drop(daemon.stop());
}

#[test]
fn the_scheduler_runs_in_the_daemon_as_the_system_principal() {
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let key = tmp.path().join("server.key");
    let made = run_caredesk(
        None,
        &[
            "key",
            "add-file",
            "scheduler",
            "--data",
            data,
            "--out",
            key.to_str().unwrap(),
        ],
        &credentials(("zhao.an", "demo security harbour lantern")),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mut settings = caredesk::clinic::admin::settings::Settings::load(&dir).unwrap();
    settings.server.scheduler_seconds = 1;
    settings.save(&dir).unwrap();
    // Without the demo's own backup, a backup is due at once.
    std::fs::remove_dir_all(dir.join("backups")).unwrap();
    let daemon = Daemon::start_with(&dir, &["--key-file", key.to_str().unwrap()]);
    // The first run also makes the day's backup; two runs fit in this time.
    std::thread::sleep(Duration::from_secs(8));
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("unlocked by the key file"), "{said}");
    let export = run_caredesk(
        None,
        &[
            "audit", "export", "--data", data, "--format", "jsonl", "--open",
        ],
        &credentials(("he.audit", "demo auditor harbour lantern")),
    );
    let rows = text(&export.stdout);
    let runs: Vec<&str> = rows
        .lines()
        .filter(|l| l.contains("\"scheduler.run\""))
        .collect();
    assert!(runs.len() >= 2, "it ran on its interval: {runs:?}");
    for run in &runs {
        assert!(
            run.contains("\"user\":\"system:scheduler\"") && run.contains("\"outcome\":\"ok\""),
            "{run}"
        );
    }
    // The first run of the day queues every patient; later runs only the follow-ups.
    assert!(runs[0].contains("retag_queued=300"), "{}", runs[0]);
    assert!(runs[1].contains("retag_queued=0"), "{}", runs[1]);
    // The first run made the day's backup (one: the next is due in a day), as system.
    let backups = rows
        .lines()
        .filter(|l| l.contains("\"backup.create\""))
        .collect::<Vec<_>>();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(
        backups[0].contains("\"user\":\"system:scheduler\""),
        "{}",
        backups[0]
    );
    let kept = caredesk::store::backup::list(&dir.join("backups")).unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
}

#[test]
fn a_restart_while_clients_are_writing_loses_no_reported_write_and_leaves_the_log_intact() {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let token = Arc::new(Mutex::new(sign_in(&first, DESK)));
    let stop = Arc::new(AtomicBool::new(false));
    // Ten desks register patients as fast as they can; each keeps the phone numbers
    // the daemon said it registered, and counts the calls it was told were refused.
    let writers: Vec<_> = (0..10u32)
        .map(|w| {
            let (socket, token, stop) = (daemon.socket.clone(), token.clone(), stop.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                let (mut done, mut refused) = (Vec::new(), 0u32);
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let phone = format!("136{w:02}{n:06}");
                    let session = token.lock().unwrap().clone();
                    let patient = Patient {
                        name: format!("重启{w}-{n}"),
                        sex: Sex::Male,
                        birth_date: chrono::NaiveDate::from_ymd_opt(1975, 6, 1),
                        phone: Some(phone.clone()),
                        id_type: IdType::Other,
                        id_number: Some(format!("RST-{w}-{n}")),
                        ..Patient::default()
                    };
                    match remote.call(
                        Some(&session),
                        Request::PatientRegister {
                            patient,
                            card_type: "basic".into(),
                        },
                    ) {
                        Response::Registered { .. } => done.push(phone),
                        Response::Error(_) => {
                            refused += 1;
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        other => panic!("{other:?}"),
                    }
                }
                (done, refused)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    std::thread::sleep(Duration::from_millis(300));
    let daemon = Daemon::start(&dir);
    // The old session is gone with the old daemon: the desk signs in again.
    *token.lock().unwrap() = sign_in(&Remote::connect(&daemon.socket).unwrap(), DESK);
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::SeqCst);
    let results: Vec<(Vec<String>, u32)> = writers.into_iter().map(|t| t.join().unwrap()).collect();
    let reported: Vec<&String> = results.iter().flat_map(|(d, _)| d).collect();
    let refused: u32 = results.iter().map(|(_, r)| r).sum();
    assert!(refused > 0, "the restart was felt by the writers");
    assert!(reported.len() > 20, "writes went on after the restart");
    // Every registration the daemon reported is there, with its card.
    let checker = Remote::connect(&daemon.socket).unwrap();
    let session = sign_in(&checker, DOCTOR);
    for phone in &reported {
        match checker.call(
            Some(&session),
            Request::PatientSearch {
                query: (*phone).clone(),
                limit: 5,
            },
        ) {
            Response::SearchResults(SearchResults { total: 1, rows, .. }) => {
                let Response::Cards(cards) =
                    checker.call(Some(&session), Request::PatientCards { id: rows[0].id })
                else {
                    panic!("cards of {phone}")
                };
                assert_eq!(cards.len(), 1, "{phone} registered with one card");
            }
            other => panic!("{phone}: {other:?}"),
        }
    }
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    let verified = run_caredesk(
        None,
        &["audit", "verify", "--data", dir.to_str().unwrap()],
        "",
    );
    assert!(verified.status.success(), "{}", text(&verified.stdout));
}
