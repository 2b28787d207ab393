//! Hostile text on its way to a terminal: a patient registered with escape sequences
//! and a bidirectional override in their name is printed by the privacy officer's
//! commands with every control character replaced, never raw.

use crate::common::daemon::{Daemon, credentials, register, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::server::remote::Remote;

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

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
    assert!(
        matches!(registered, caredesk::clinic::Response::Registered { .. }),
        "{registered:?}"
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
