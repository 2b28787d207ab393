//! A results file far over the daemon's 8 MiB frame limit imports through the daemon
//! in pieces: every message arrives, each piece is its own request and audit record,
//! and the daemon's memory stays bounded. The file is made here from a real lab
//! message (`tests/fixtures/shared/hl7/msfhirconv__LAB-ORU-1.hl7`, from microsoft/FHIR-Converter,
//! MIT; see that folder's SOURCES.md), addressed to the five demo patients in turn (a
//! fifth of the file each, as a lab's monthly file holds many patients), each copy with
//! its own dates so that every result is new.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::daemon::{Daemon, credentials, peak_rss_kib};
use crate::common::text;
use caredesk::server::frame::MAX_FRAME;

const NURSE: (&str, &str) = ("chen.jing", "demo nurse harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

#[test]
fn a_file_over_the_frame_limit_imports_through_the_daemon_in_pieces() {
    let sample = std::fs::read_to_string(
        common::sample_data()
            .join("hl7")
            .join("msfhirconv__LAB-ORU-1.hl7"),
    )
    .unwrap();
    let sample = sample.trim_start_matches('\u{feff}').trim_end();
    let patients = 5;
    let per_patient = (2 * MAX_FRAME / sample.len()) / patients + 1;
    let values_per_message = 8;
    let (_tmp, dir) = {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let made = common::run_caredesk(
            None,
            &[
                "demo",
                "--data",
                dir.to_str().unwrap(),
                "--patients",
                "5",
                "--no-tui",
            ],
            "",
        );
        assert!(made.status.success(), "{}", text(&made.stderr));
        (tmp, dir)
    };
    // Each copy a day later than the one before: new dates, new results.
    let file = dir.parent().unwrap().join("lab-month.hl7");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    let start = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let mut messages = 0u64;
    let mut written = 0usize;
    while written < 2 * MAX_FRAME {
        let day = (start + chrono::Days::new(messages))
            .format("%Y%m%d")
            .to_string();
        let serial = 1 + (messages as usize / per_patient) % patients;
        let card = caredesk::domain::card::card_number("8860", serial as u64, 8).unwrap();
        let message = format!(
            "{}\n",
            sample
                .replace("20141006", &day)
                .replace("10006579^^^1^MR^1", &format!("{card}^^^1^MR^1"))
        );
        out.write_all(message.as_bytes()).unwrap();
        written += message.len();
        messages += 1;
    }
    out.flush().unwrap();
    drop(out);

    // In one request, the results alone would be over the frame limit.
    let whole = caredesk::ingest::hl7::parse(&std::fs::read_to_string(&file).unwrap(), "lab");
    let encoded = bincode::serde::encode_to_vec(&whole.incoming, bincode::config::standard())
        .unwrap()
        .len();
    assert!(encoded > MAX_FRAME, "{encoded} bytes fit one frame");
    drop(whole);

    let daemon = Daemon::start(&dir);
    let pid = daemon.pid();
    let mut import = Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["import", "hl7", "--json", "--data", dir.to_str().unwrap()])
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    import
        .stdin
        .take()
        .unwrap()
        .write_all(credentials(NURSE).as_bytes())
        .unwrap();
    let done = import.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", text(&done.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(summary["messages"], messages, "{summary}");
    assert_eq!(
        summary["imported"],
        messages * values_per_message,
        "{summary}"
    );
    assert_eq!(summary["rejected"], 0, "{summary}");
    let peak = peak_rss_kib(pid);
    eprintln!(
        "{messages} messages, {} MB: the daemon's peak RSS {} MB",
        written / 1_000_000,
        peak / 1024
    );
    assert!(peak < 400 * 1024, "the daemon peaked at {} MB", peak / 1024);
    drop(daemon.stop());

    // One audit record per piece, more than one piece, every message in one of them.
    let log = common::run_caredesk(
        None,
        &[
            "audit",
            "export",
            "--data",
            dir.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        &credentials(AUDITOR),
    );
    assert!(log.status.success(), "{}", text(&log.stderr));
    let pieces: Vec<serde_json::Value> = text(&log.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["action"] == "results.import")
        .collect();
    assert!(pieces.len() >= 2, "{} pieces", pieces.len());
    eprintln!("{} pieces, the first: {}", pieces.len(), pieces[0]);
}
