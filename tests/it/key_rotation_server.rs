//! Data-key rotation on the demo clinic, as an administrator runs it: begun through
//! the clinic server while it works, the server killed part-way, restarted, and the
//! rotation finished with `caredesk key rotate` through it; every record reads the
//! same throughout, a backup made afterwards opens with a password whose slot has not
//! taken up the new key yet, and the audit log verifies.

use crate::common::daemon::{Daemon, card, credentials, export_json, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::server::remote::Remote;

const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");
/// The security administrator: keys are theirs (三员分立).
const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

#[test]
fn a_rotation_interrupted_by_a_killed_server_finishes_and_every_record_reads_the_same() {
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let before = export_json(&dir);

    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&remote, SECURITY);
    // The privacy officer reads the record (the admin may not export it).
    let reader = sign_in(&remote, AUDITOR);
    let read = || match remote.call(Some(&reader), Request::PatientExport { key: card() }) {
        // The export names its own time; two reads a second apart differ only there.
        Response::PatientExport(mut export) => {
            export.exported_at = 0;
            serde_json::to_string(&export).unwrap()
        }
        other => panic!("{other:?}"),
    };
    let before_remote = read();
    let mut last = None;
    for _ in 0..4 {
        match remote.call(Some(&token), Request::KeyRotate { batch: 500 }) {
            Response::KeyRotation(progress) => last = Some(progress),
            other => panic!("{other:?}"),
        }
    }
    let partway = last.unwrap();
    assert!(!partway.finished && partway.scanned == 1500, "{partway:?}");
    // Mid-rotation the same record reads the same through the server.
    assert_eq!(read(), before_remote);
    drop(remote);
    daemon.kill();

    // Restarted: the first sign-in opens both generations; the command goes on.
    let daemon = Daemon::start(&dir);
    assert_eq!(export_json(&dir), before);
    let out = run_caredesk(
        None,
        &["key", "rotate", "--data", data, "--batch", "5000"],
        &credentials(SECURITY),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("data key rotated: generation 1 to 2"),
        "{said}"
    );
    assert!(text(&out.stderr).contains("values looked at"));
    assert_eq!(export_json(&dir), before);
    let listed = run_caredesk(
        None,
        &["key", "list", "--data", data],
        &credentials(SECURITY),
    );
    let listed = text(&listed.stdout);
    let line = |name: &str| {
        listed
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("dr.zhou").contains("g2") && !line("dr.zhou").contains("waiting"));
    assert!(line("he.audit").contains("g1, new key waiting"), "{listed}");
    let (status, _) = daemon.stop();
    assert_eq!(status, Some(0));

    // A backup now opens with the auditor's password, whose slot still wraps
    // generation 1: the grant travels in the backup.
    let file = tmp.path().join("after-rotation.backup");
    let made = run_caredesk(
        None,
        &["backup", "--data", data, "--out", file.to_str().unwrap()],
        &credentials(ADMIN),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let checked = run_caredesk(
        None,
        &[
            "backup",
            "verify",
            file.to_str().unwrap(),
            "--user",
            "he.audit",
        ],
        &format!("{}\n", AUDITOR.1),
    );
    assert!(
        text(&checked.stdout).contains("authentic: every chunk"),
        "{}{}",
        text(&checked.stdout),
        text(&checked.stderr)
    );
    let verified = run_caredesk(
        None,
        &["audit", "verify", "--data", data],
        &credentials(AUDITOR),
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    drop(tmp);
}
