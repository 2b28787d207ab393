//! Audit archives: the records before a date, from the genesis, in a file that
//! verifies on its own (with the seed: every seal); a damaged archive is named; the
//! log itself keeps every record.

use crate::common::*;
use caredesk::store;

const DAY: i64 = 86_400;

#[test]
fn an_archive_of_the_early_days_verifies_on_its_own_and_the_log_stays_whole() {
    let tmp = tempfile::tempdir().unwrap();
    // Midnight UTC, then events on two days a week apart, with hourly epochs between.
    let start = 1_800_000_000 / DAY * DAY;
    let clock = ManualClock::starting_at(start + 3600);
    let dir = tmp.path().join("store");
    let (vault, secrets) =
        store::init(&dir, ADMIN, PASSWORD, options_with(&clock, 3600), actor()).unwrap();
    for i in 0..5 {
        vault
            .store()
            .audit()
            .append(event(&format!("early.{i}")))
            .unwrap();
        clock.advance_secs(600);
    }
    clock.advance_secs(7 * DAY);
    for i in 0..5 {
        vault
            .store()
            .audit()
            .append(event(&format!("late.{i}")))
            .unwrap();
    }
    drop(vault);
    let data = dir.to_str().unwrap();
    let archive = tmp.path().join("early.archive");
    let cut = chrono::DateTime::from_timestamp(start + DAY, 0)
        .unwrap()
        .date_naive()
        .to_string();
    let made = run_caredesk(
        None,
        &[
            "audit",
            "archive",
            "--data",
            data,
            "--before",
            &cut,
            "--out",
            archive.to_str().unwrap(),
        ],
        "",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let said = text(&made.stdout);
    assert!(said.contains("the log itself is kept whole"), "{said}");
    // On its own, with the seed: intact, every seal authentic; fewer records than the log.
    let verify = |file: &std::path::Path| {
        run_caredesk(
            None,
            &[
                "audit",
                "archive-verify",
                file.to_str().unwrap(),
                "--seed",
                "-",
            ],
            &format!("{}\n", secrets.audit_seed.as_str()),
        )
    };
    let checked = verify(&archive);
    assert!(checked.status.success(), "{}", text(&checked.stdout));
    let out = text(&checked.stdout);
    assert!(out.contains("authentic"), "{out}");
    let whole = run_caredesk(None, &["audit", "verify", "--data", data], "");
    let archived: u64 = out.split_whitespace().nth(3).unwrap().parse().unwrap();
    let logged: u64 = text(&whole.stdout)
        .split_whitespace()
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert!(archived >= 7 && archived < logged, "{archived} of {logged}");
    // A changed byte inside is named.
    let bytes = std::fs::read(&archive).unwrap();
    let mut bad = bytes.clone();
    let at = bytes.len() / 2;
    bad[at] ^= 0x01;
    let damaged = tmp.path().join("damaged.archive");
    std::fs::write(&damaged, &bad).unwrap();
    let refused = verify(&damaged);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stdout));
    assert!(text(&refused.stdout).contains("BROKEN"));
    // Nothing before the genesis: said so, and no file left.
    let none = tmp.path().join("none.archive");
    let empty = run_caredesk(
        None,
        &[
            "audit",
            "archive",
            "--data",
            data,
            "--before",
            "2000-01-01",
            "--out",
            none.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(empty.status.code(), Some(1));
    assert!(text(&empty.stderr).contains("no records before that date"));
    assert!(!none.exists());
}
