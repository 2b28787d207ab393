//! Hostile text on its way to a terminal: the desk refuses a name with escape
//! sequences and a bidirectional override, and a patient a lab's message creates with
//! one is printed by the privacy officer's commands with every control character
//! replaced, never raw.

use crate::common::daemon::{Daemon, credentials, register, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::Client;
use caredesk::server::remote::Remote;

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");
const NURSE: (&str, &str) = ("chen.jing", "demo nurse harbour lantern");

#[test]
fn names_with_escape_sequences_print_without_them() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let desk = sign_in(&remote, DESK);
    let name = "Mallory \u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m Smith\u{202E}gpj";
    let registered = register(
        &remote,
        &desk,
        name.into(),
        "13911112222",
        "HOSTILE-1".into(),
    );
    // The desk refuses it, naming the field.
    assert!(
        matches!(&registered, caredesk::clinic::Response::Error(caredesk::clinic::ServiceError::Field { field, .. }) if field == "name"),
        "{registered:?}"
    );
    // A lab's message is another matter: its patient is created as the lab wrote it.
    let lab = caredesk::ingest::hl7::parse(
        "MSH|^~\\&|LAB|X|CD|Y|20260301083000||ORU^R01|M1|P|2.5\r\
PID|||HOSTILE-1||SMITH^MALLORY\r\
OBR|1|||24331-1^Lipids^LN|||20260301080000\r\
OBX|1|NM|2093-3^Cholesterol^LN||4.30|mmol/L|3.0-5.2|N|||F\r",
        "lab.hl7",
    );
    let mut incoming = lab.incoming;
    let patient = incoming[0].patient.as_mut().expect("the message's patient");
    patient.name = name.into();
    patient.phone = Some("13911112222".into());
    let nurse = sign_in(&remote, NURSE);
    let imported = remote.call(
        Some(&nurse),
        caredesk::clinic::Request::ResultsImport {
            incoming,
            rejected: 0,
            create_patients: true,
        },
    );
    assert!(
        matches!(imported, caredesk::clinic::Response::ResultsImported(ref s) if s.created == 1),
        "{imported:?}"
    );
    let data = dir.to_str().unwrap();
    for args in [
        vec!["audit", "patient", "13911112222", "--data", data],
        vec!["disclosures", "--patient", "13911112222", "--data", data],
    ] {
        let out = run_caredesk(None, &args, &credentials(AUDITOR));
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        for printed in [&stdout, &stderr] {
            assert!(
                !printed.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202E}']),
                "{args:?} printed a control character: {printed:?}"
            );
        }
        assert!(out.status.success(), "{args:?}: {stderr}");
        if args[0] == "disclosures" {
            assert!(stdout.contains("Mallory \u{FFFD}]0;owned"), "{stdout}");
        }
    }
}
