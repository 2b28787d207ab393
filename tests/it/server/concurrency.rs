//! Many clients at once through the daemon: registrations, saves, claims and bookings
//! that race for one thing, and exactly one wins where one should.

use crate::common;
use caredesk::clinic::api::{Registered, SearchResults};

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::DESK;
use crate::common::daemon::{Daemon, sign_in};
use crate::common::tmux::demo_store;
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::domain::patient::{IdType, Patient, Sex};
use caredesk::server::remote::Remote;

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
    use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter};
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

/// Group commit under load: 50 clients at once, each registering patients and reading
/// them back, every reply waiting for its own audit record. Every acknowledged
/// registration is there after the daemon stops, and the chain verifies.
#[test]
fn fifty_concurrent_writers_keep_every_acknowledged_write_and_the_chain_verifies() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let token = Arc::new(sign_in(&Remote::connect(&daemon.socket).unwrap(), DESK));
    let start = Arc::new(std::sync::Barrier::new(50));
    let threads: Vec<_> = (0..50u32)
        .map(|w| {
            let (socket, token, start) = (daemon.socket.clone(), token.clone(), start.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                start.wait();
                let mut acknowledged = Vec::new();
                for n in 0..4u32 {
                    let phone = format!("1361{w:03}{n:04}");
                    let Response::Registered(Registered { id, .. }) = common::daemon::register(
                        &remote,
                        &token,
                        format!("组提交{w}-{n}"),
                        &phone,
                        format!("GC-{w}-{n}"),
                    ) else {
                        panic!("registration {w}-{n} refused")
                    };
                    // A read between writes: it waits for the writes before it too.
                    let read = remote.call(Some(&token), Request::PatientGet { id });
                    assert!(matches!(read, Response::Patient(_)), "{read:?}");
                    acknowledged.push(phone);
                }
                acknowledged
            })
        })
        .collect();
    let acknowledged: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(acknowledged.len(), 200);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    let verified = common::run_caredesk(
        None,
        &["audit", "verify", "--data", dir.to_str().unwrap()],
        "",
    );
    assert!(
        verified.status.success(),
        "{}",
        common::text(&verified.stdout)
    );
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, DESK);
    common::daemon::assert_each_found_once(&remote, &token, &acknowledged, "acknowledged");
    drop(daemon.stop());
}
