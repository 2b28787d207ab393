//! The name index built in the background once the daemon's store is unlocked: while
//! it builds, searches answer and say how far it is; registrations made meanwhile are
//! found once it is built; and it finds what an index built at once finds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::DESK;
use crate::common::daemon::{Daemon, register, sign_in};
use crate::common::tmux::demo_store;
use caredesk::clinic::api::SearchResults;
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response, SessionToken};
use caredesk::server::remote::Remote;

fn search(remote: &Remote, token: &SessionToken, query: &str) -> SearchResults {
    match remote.call(
        Some(token),
        Request::PatientSearch {
            query: query.into(),
            limit: 100_000,
        },
    ) {
        Response::SearchResults(found) => found,
        other => panic!("{other:?}"),
    }
}

/// Searches until the index says it is complete.
fn built(remote: &Remote, token: &SessionToken) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while search(remote, token, "z").indexing.is_some() {
        assert!(Instant::now() < deadline, "the index was not built in 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn registrations_while_the_index_builds_are_found_and_it_finds_what_a_full_build_does() {
    let (_tmp, dir) = demo_store();
    // The reference: what the store's names give when indexed at once.
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, DESK);
    built(&remote, &token);
    let reference: Vec<u64> = ["z", "w", "l", "zhang", "张"]
        .iter()
        .map(|q| search(&remote, &token, q).total)
        .collect();
    drop(daemon.stop());

    // Restarted: the sign-in unlocks the store and starts the build, and desks
    // register and search at once while it runs.
    let daemon = Daemon::start(&dir);
    let token = Arc::new(sign_in(&Remote::connect(&daemon.socket).unwrap(), DESK));
    let writers: Vec<_> = (0..10u32)
        .map(|n| {
            let (socket, token) = (daemon.socket.clone(), token.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                let reply = register(
                    &remote,
                    &token,
                    format!("索引{n}号"),
                    &format!("1357{n:07}"),
                    format!("IDX-{n}"),
                );
                assert!(matches!(reply, Response::Registered(_)), "{reply:?}");
            })
        })
        .collect();
    let remote = Remote::connect(&daemon.socket).unwrap();
    let mut saw = Vec::new();
    for _ in 0..20 {
        let found = search(&remote, &token, "z");
        if let Some((done, all)) = found.indexing {
            assert!(done <= all, "{done} of {all}");
        }
        saw.push(found.indexing);
    }
    for w in writers {
        w.join().unwrap();
    }
    built(&remote, &token);
    let found = search(&remote, &token, "suoyin");
    assert_eq!(
        found.total, 10,
        "every registration made meanwhile is found"
    );
    assert_eq!(search(&remote, &token, "索引").total, 10);
    let after: Vec<u64> = ["z", "w", "l", "zhang", "张"]
        .iter()
        .map(|q| search(&remote, &token, q).total)
        .collect();
    // The new patients' keys (suoyin…, sy…) start with none of these queries.
    assert_eq!(
        after, reference,
        "the background build found what a full one did"
    );
    eprintln!("indexing seen during the build: {saw:?}");
    drop(daemon.stop());
}
