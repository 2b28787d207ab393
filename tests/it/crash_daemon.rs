//! The clinic server killed with SIGKILL at random moments while desks register
//! patients, staff read and an administrator rotates the data key, many times over:
//! after each kill the store opens, the audit chain verifies, every registration the
//! daemon reported is there with its card, no patient is half-written (without a
//! card), and the rotation the kills interrupted finishes with every record readable.

use crate::common;
use caredesk::clinic::api::SearchResults;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::daemon::{Daemon, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::server::remote::Remote;

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
/// The security administrator rotates the key (三员分立).
const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
/// Kills per run: 4 in CI (each round waits for a fresh TOTP step); more with
/// `CAREDESK_KILL_ROUNDS=N cargo test --test it crash_daemon::`.
fn rounds() -> u32 {
    std::env::var("CAREDESK_KILL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4)
}

/// A small deterministic generator for the kill moments (its seed is printed).
fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[test]
fn a_daemon_killed_mid_work_loses_no_reported_write_and_its_log_verifies() {
    let (_tmp, dir) = demo_store();
    let mut seed = chrono::Utc::now().timestamp_millis() as u64;
    eprintln!("kill moments seeded with {seed}");
    let reported: Arc<Mutex<Vec<String>>> = Arc::default();
    let rotation_steps: Arc<Mutex<u32>> = Arc::default();
    let rounds = rounds();
    for round in 0..rounds {
        let daemon = Daemon::start(&dir);
        let token = Arc::new(sign_in(&Remote::connect(&daemon.socket).unwrap(), DESK));
        let admin = Arc::new(sign_in(&Remote::connect(&daemon.socket).unwrap(), SECURITY));
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..5u32)
            .map(|w| {
                let (socket, token, stop, reported) = (
                    daemon.socket.clone(),
                    token.clone(),
                    stop.clone(),
                    reported.clone(),
                );
                let (admin, rotation_steps) = (admin.clone(), rotation_steps.clone());
                std::thread::spawn(move || {
                    let remote = Remote::connect(&socket).unwrap();
                    let mut n = 0u32;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        if w == 4 {
                            // The administrator rotating the data key, a step at a time.
                            match remote.call(Some(&admin), Request::KeyRotate { batch: 300 }) {
                                Response::KeyRotation(_) => *rotation_steps.lock().unwrap() += 1,
                                Response::Error(_) => return,
                                other => panic!("{other:?}"),
                            }
                            continue;
                        }
                        if w == 3 {
                            // A reader among the writers.
                            let _ = remote.call(
                                Some(&token),
                                Request::PatientSearch {
                                    query: "杀".into(),
                                    limit: 50,
                                },
                            );
                            continue;
                        }
                        let phone = format!("134{round}{w}{n:06}");
                        match common::daemon::register(
                            &remote,
                            &token,
                            format!("杀{round}-{w}-{n}"),
                            &phone,
                            format!("K-{round}-{w}-{n}"),
                        ) {
                            Response::Registered { .. } => reported.lock().unwrap().push(phone),
                            // The daemon died: this one may or may not have been kept.
                            Response::Error(_) => return,
                            other => panic!("{other:?}"),
                        }
                    }
                })
            })
            .collect();
        let wait = 200 + next(&mut seed) % 900;
        std::thread::sleep(Duration::from_millis(wait));
        daemon.kill();
        stop.store(true, Ordering::SeqCst);
        for w in workers {
            w.join().unwrap();
        }
        // The store opens and its log verifies, with nothing running.
        let verified = run_caredesk(
            None,
            &["audit", "verify", "--data", dir.to_str().unwrap()],
            "",
        );
        assert!(
            verified.status.success(),
            "round {round}, killed after {wait} ms: {}",
            text(&verified.stdout)
        );
    }
    assert!(*rotation_steps.lock().unwrap() > 0, "the rotation ran");
    // The rotation the kills interrupted goes on to its end.
    let rotated = run_caredesk(
        None,
        &["key", "rotate", "--data", dir.to_str().unwrap()],
        &common::daemon::credentials(SECURITY),
    );
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(text(&rotated.stdout).contains("data key rotated"));
    // Everything reported is there, whole; nothing is there without its card.
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, DESK);
    let Response::SearchResults(SearchResults { rows, .. }) = remote.call(
        Some(&token),
        Request::PatientSearch {
            query: "杀".into(),
            limit: 100_000,
        },
    ) else {
        panic!("search")
    };
    for row in &rows {
        let Response::Cards(cards) =
            remote.call(Some(&token), Request::PatientCards { id: row.id })
        else {
            panic!("cards")
        };
        assert_eq!(cards.len(), 1, "{} is whole", row.name);
    }
    let reported = reported.lock().unwrap();
    assert!(reported.len() > 10, "the workload ran: {}", reported.len());
    let unique: HashSet<&String> = reported.iter().collect();
    assert!(
        rows.len() >= unique.len(),
        "{} found, {} reported",
        rows.len(),
        unique.len()
    );
    common::daemon::assert_each_found_once(&remote, &token, unique, "reported registered");
    drop(daemon.stop());
}
