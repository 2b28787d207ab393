//! The clinic server: `caredesk serve` owns the demo store; commands and many clients
//! reach it over its socket; a frame that breaks the protocol closes only its own
//! connection; SIGTERM finishes and exits 0, and a restarted daemon serves again.

use crate::common;
use caredesk::clinic::api::{Registered, SearchResults};

use std::collections::HashSet;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::common::daemon::{Daemon, card, credentials, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::domain::patient::{IdType, Patient, Sex};
use caredesk::server::remote::Remote;
use proptest::prelude::*;

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
fn fifty_clients_register_at_once_and_no_card_number_collides() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let token = Arc::new(sign_in(&first, DESK));
    let threads: Vec<_> = (0..50u32)
        .map(|n| {
            let socket = daemon.socket.clone();
            let token = token.clone();
            std::thread::spawn(move || {
                // Each client its own connection, sharing the desk's session.
                let remote = Remote::connect(&socket).unwrap();
                match common::daemon::register(
                    &remote,
                    &token,
                    format!("并发{n}"),
                    &format!("1370{:07}", 1_000_000 + n),
                    format!("CONC-{n}"),
                ) {
                    Response::Registered(Registered { card, .. }) => card.number,
                    other => panic!("{other:?}"),
                }
            })
        })
        .collect();
    let numbers: HashSet<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(numbers.len(), 50, "every card number is new");
    assert!(
        numbers
            .iter()
            .all(|n| caredesk::domain::card::luhn_valid(n))
    );
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

/// Sends raw bytes on a fresh connection; true when the daemon closed it.
fn closed_after(socket: &Path, bytes: &[u8]) -> bool {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut buf = [0u8; 64];
    matches!(stream.read(&mut buf), Ok(0) | Err(_))
}

#[test]
fn frames_that_break_the_protocol_close_only_their_own_connection() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    // A client that stays connected throughout.
    let steady = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&steady, DESK);
    // Over the size limit, announced in the header: closed before anything is read.
    assert!(closed_after(&daemon.socket, &u32::MAX.to_be_bytes()));
    // A body that does not decode.
    assert!(closed_after(
        &daemon.socket,
        &[0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]
    ));
    // A call before the hello.
    let call = caredesk::server::frame::encode(&caredesk::server::frame::ClientFrame::Call {
        session: None,
        request: Box::new(Request::HomeSummary),
    })
    .unwrap();
    assert!(closed_after(&daemon.socket, &call));
    // Random garbage, many times (shrinking off: each case is its own connection).
    let socket = daemon.socket.clone();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..256), |bytes| {
            let mut stream = UnixStream::connect(&socket).unwrap();
            let _ = stream.write_all(&bytes);
            drop(stream);
            Ok(())
        })
        .unwrap();
    // The steady client is served as before.
    assert!(matches!(
        steady.call(Some(&token), Request::HomeSummary),
        Response::Home(_)
    ));
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
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
        &credentials(("admin", "demo chief harbour lantern")),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mut settings = caredesk::clinic::settings::Settings::load(&dir).unwrap();
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
fn conflicting_saves_through_the_daemon_keep_one_and_refuse_the_rest() {
    use caredesk::domain::amendment::Section;
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let desk = sign_in(&first, DESK);
    let nurse = Arc::new(sign_in(&first, ("chen.jing", "demo nurse harbour lantern")));
    let Response::Registered(Registered { id, .. }) = first.call(
        Some(&desk),
        Request::PatientRegister {
            patient: Patient {
                name: "冲突测试".into(),
                sex: Sex::Male,
                birth_date: chrono::NaiveDate::from_ymd_opt(1970, 3, 3),
                phone: Some("13799990001".into()),
                id_type: IdType::Other,
                id_number: Some("CONFLICT-1".into()),
                ..Patient::default()
            },
            card_type: "basic".into(),
        },
    ) else {
        panic!("registration")
    };
    // Ten nurses' terminals save the same section from the same value at once.
    let threads: Vec<_> = (0..10)
        .map(|i| {
            let (socket, nurse) = (daemon.socket.clone(), nurse.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                remote.call(
                    Some(&nurse),
                    Request::HealthAmend {
                        id,
                        before: common::entries(Section::Medications, &[]),
                        after: common::entries(Section::Medications, &[&format!("medicine {i}")]),
                        reason: "reconciled the list".into(),
                    },
                )
            })
        })
        .collect();
    let results: Vec<Response> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let saved = results
        .iter()
        .filter(|r| matches!(r, Response::Health(_)))
        .count();
    let refused: Vec<&Response> = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Response::Error(caredesk::clinic::ServiceError::Conflict(_))
            )
        })
        .collect();
    assert_eq!((saved, refused.len()), (1, 9), "{results:?}");
    // The record holds the one save; the others are told to reload, nothing is lost.
    let Response::History(history) = first.call(
        Some(&nurse),
        Request::RecordHistory {
            id,
            section: Some(Section::Medications),
        },
    ) else {
        panic!("history")
    };
    assert_eq!(history.len(), 1);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn two_nurses_claiming_one_follow_up_at_once_never_both_get_it() {
    use caredesk::clinic::followup_api::{FollowUpKey, QueueFilter};
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let nurse = sign_in(&first, ("chen.jing", "demo nurse harbour lantern"));
    let manager = sign_in(&first, ("sun.hm", "demo manager harbour lantern"));
    let Response::FollowUpQueue(queue) = first.call(
        Some(&nurse),
        Request::FollowUpQueue {
            filter: QueueFilter::default(),
            offset: 0,
            limit: 50,
        },
    ) else {
        panic!("queue")
    };
    let row = queue
        .rows
        .iter()
        .find(|r| r.not_callable.is_none())
        .expect("a callable follow-up in the demo's queue");
    let key = FollowUpKey {
        patient: row.item.patient,
        plan: row.item.plan,
        seq: row.item.seq,
    };
    let threads: Vec<_> = (0..20)
        .map(|i| {
            let socket = daemon.socket.clone();
            let token = if i % 2 == 0 {
                nurse.clone()
            } else {
                manager.clone()
            };
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                let claimed = remote.call(Some(&token), Request::FollowUpClaim { key });
                (i % 2, matches!(claimed, Response::FollowUpClaimed { .. }))
            })
        })
        .collect();
    let winners: HashSet<usize> = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|(_, won)| *won)
        .map(|(who, _)| who)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one nurse holds the call");
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn desks_booking_one_day_through_the_daemon_never_oversell_it() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let desk = Arc::new(sign_in(&first, DESK));
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(40);
    let Response::ExamDay(plan) = first.call(Some(&desk), Request::ExamDay { date: day }) else {
        panic!("exam day")
    };
    let (package, taken, capacity) = plan
        .places
        .iter()
        .min_by_key(|(_, _, capacity)| *capacity)
        .cloned()
        .unwrap();
    assert_eq!(taken, 0);
    let Response::SearchResults(SearchResults { rows, .. }) = first.call(
        Some(&desk),
        Request::PatientSearch {
            query: "z".into(),
            limit: 200,
        },
    ) else {
        panic!("search")
    };
    let wanted = capacity as usize + 10;
    assert!(rows.len() >= wanted, "enough demo patients");
    let threads: Vec<_> = rows[..wanted]
        .iter()
        .map(|row| {
            let (socket, desk, package, id) =
                (daemon.socket.clone(), desk.clone(), package.clone(), row.id);
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                matches!(
                    remote.call(
                        Some(&desk),
                        Request::ExamBook {
                            id,
                            package,
                            date: day,
                        },
                    ),
                    Response::ExamBooked(_)
                )
            })
        })
        .collect();
    let booked = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(booked, capacity as usize, "exactly the day's places");
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
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
            Response::SearchResults(SearchResults { total: 1, rows }) => {
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

/// Runs `call` on `n` connections at the same moment; returns their replies.
fn all_at_once<F>(socket: &Path, n: usize, call: F) -> Vec<Response>
where
    F: Fn(&Remote) -> Response + Send + Sync + 'static,
{
    let call = Arc::new(call);
    let start = Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (socket, call, start) = (socket.to_path_buf(), call.clone(), start.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                start.wait();
                call(&remote)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn desks_registering_one_person_at_once_make_one_patient_with_one_active_card() {
    // Found by review: registration checks for duplicates, then writes; side by side,
    // two desks could both pass the check.
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let first = Remote::connect(&daemon.socket).unwrap();
    let token = Arc::new(sign_in(&first, DESK));
    let desk = token.clone();
    let replies = all_at_once(&daemon.socket, 16, move |remote| {
        common::daemon::register(
            remote,
            &desk,
            "同时登记".into(),
            "13755550101",
            "RACE-0001".into(),
        )
    });
    let registered = replies
        .iter()
        .filter(|r| matches!(r, Response::Registered { .. }))
        .count();
    let duplicates = replies
        .iter()
        .filter(|r| matches!(r, Response::Duplicates(_)))
        .count();
    assert_eq!((registered, duplicates), (1, 15), "{replies:?}");
    let Response::Patients(found) = first.call(
        Some(&token),
        Request::PatientFind {
            kind: caredesk::clinic::LookupKind::IdNumber,
            value: "RACE-0001".into(),
        },
    ) else {
        panic!("find")
    };
    assert_eq!(found.len(), 1, "one patient");
    let id = found[0];

    // Card issue checks for an active card, then writes: the same race.
    let Response::Cards(cards) = first.call(Some(&token), Request::PatientCards { id }) else {
        panic!("cards")
    };
    let Response::Done = first.call(
        Some(&token),
        Request::CardCancel {
            number: cards[0].number.clone(),
        },
    ) else {
        panic!("cancel")
    };
    let desk = token.clone();
    let replies = all_at_once(&daemon.socket, 16, move |remote| {
        remote.call(
            Some(&desk),
            Request::CardIssue {
                id,
                card_type: "basic".into(),
            },
        )
    });
    let issued = replies
        .iter()
        .filter(|r| matches!(r, Response::CardIssued(_)))
        .count();
    assert_eq!(issued, 1, "{replies:?}");
    let Response::Cards(cards) = first.call(Some(&token), Request::PatientCards { id }) else {
        panic!("cards")
    };
    let today = chrono::Utc::now().date_naive();
    let active = cards
        .iter()
        .filter(|c| c.status_on(today) == caredesk::domain::card::CardStatus::Active)
        .count();
    assert_eq!((cards.len(), active), (2, 1));
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn a_terminal_of_another_protocol_is_told_both_versions_and_never_served() {
    use caredesk::server::frame::{ClientFrame, Greeting, PROTOCOL, encode, read_frame};
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    // A newer (or older) terminal greets with its own protocol: the daemon answers
    // with its own, then closes, and the terminal says what to do.
    let mut stream = UnixStream::connect(&daemon.socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let greet = ClientFrame::Greet {
        protocol: PROTOCOL + 1,
        version: "99.0.0".into(),
        ssh_client: None,
    };
    stream.write_all(&encode(&greet).unwrap()).unwrap();
    let answer: Greeting = read_frame(&mut stream).unwrap();
    assert_eq!(answer, Greeting::this_build());
    let call = ClientFrame::Call {
        session: None,
        request: Box::new(Request::HomeSummary),
    };
    let _ = stream.write_all(&encode(&call).unwrap());
    let mut buf = [0u8; 64];
    assert!(matches!(stream.read(&mut buf), Ok(0) | Err(_)), "served");
    // A terminal from before the greeting is turned away too.
    let hello = ClientFrame::Hello { ssh_client: None };
    assert!(closed_after(&daemon.socket, &encode(&hello).unwrap()));
    // This build's terminal is served.
    let remote = Remote::connect(&daemon.socket).unwrap();
    sign_in(&remote, DESK);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("99.0.0") && said.contains("update caredesk"),
        "{said}"
    );
}

#[test]
fn a_terminal_meeting_a_server_that_does_not_greet_says_to_update_it() {
    // A clinic server from before the greeting reads our greeting as garbage and
    // closes the connection: the command must say so, not "the store is in use".
    let tmp = tempfile::tempdir().unwrap();
    let listener =
        std::os::unix::net::UnixListener::bind(tmp.path().join("caredesk.sock")).unwrap();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming().take(1) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 256];
            let _ = stream.read(&mut buf);
        }
    });
    let out = run_caredesk(
        None,
        &["user", "list", "--data", tmp.path().to_str().unwrap()],
        &credentials(DESK),
    );
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(
        said.contains("did not answer this terminal's greeting") && said.contains("older caredesk"),
        "{said}"
    );
}
