//! What identifies a patient or describes their illness is read from standard input
//! with `-`, so it never appears in the process list: `export patient -` and
//! `erase request --patient - --reason -`. The argument forms still work.

use crate::common::daemon::{card, credentials};
use crate::common::{run_caredesk, text};

const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");
const MANAGER: (&str, &str) = ("sun.hm", "demo manager harbour lantern");

use crate::common::small_demo_store as demo_store;

#[test]
fn export_patient_reads_the_key_from_standard_input() {
    let (_tmp, dir) = demo_store();
    let d = dir.to_str().unwrap();
    let by_stdin = run_caredesk(
        None,
        &["export", "patient", "-", "--format", "json", "--data", d],
        &format!("{}\n{}", card(), credentials(DOCTOR)),
    );
    assert!(by_stdin.status.success(), "{}", text(&by_stdin.stderr));
    let by_argument = run_caredesk(
        None,
        &[
            "export",
            "patient",
            &card(),
            "--format",
            "json",
            "--data",
            d,
        ],
        &credentials(DOCTOR),
    );
    assert!(
        by_argument.status.success(),
        "{}",
        text(&by_argument.stderr)
    );
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&by_stdin.stdout).unwrap(),
        serde_json::from_slice(&by_argument.stdout).unwrap(),
    );
    assert_eq!(a["patient"], b["patient"]);
    assert!(a["patient"]["name"].is_string(), "{a}");
}

#[test]
fn erase_request_reads_the_patient_and_the_reason_from_standard_input() {
    let (_tmp, dir) = demo_store();
    let d = dir.to_str().unwrap();
    let reason = "deceased 2026, family asked under policy 7";
    let asked = run_caredesk(
        None,
        &[
            "erase",
            "request",
            "--patient",
            "-",
            "--reason",
            "-",
            "--data",
            d,
        ],
        &format!("{}\n{reason}\n{}", card(), credentials(MANAGER)),
    );
    assert!(asked.status.success(), "{}", text(&asked.stderr));
    assert!(text(&asked.stdout).contains("waits for a second person"));
    // A reason too short is the service's refusal, so it did arrive as typed.
    let short = run_caredesk(
        None,
        &[
            "erase",
            "request",
            "--patient",
            &card(),
            "--reason",
            "-",
            "--data",
            d,
        ],
        &format!("short\n{}", credentials(MANAGER)),
    );
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("10"),
        "{}",
        text(&short.stderr)
    );
    // Standard input that ends before the reason: said so, nothing asked.
    let ended = run_caredesk(
        None,
        &[
            "erase",
            "request",
            "--patient",
            &card(),
            "--reason",
            "-",
            "--data",
            d,
        ],
        "",
    );
    assert!(
        text(&ended.stderr).contains("reason"),
        "{}",
        text(&ended.stderr)
    );
}
