//! The audit log while the clinic server owns the store: read in pages, verified by
//! the auditor's own command against raw records the daemon hands out, and a
//! checkpoint taken through it that a later local verification finds.

use crate::common;

use crate::common::daemon::{Daemon, credentials};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::{Request, Response};

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

#[test]
fn audit_pages_follow_on_without_gaps_or_repeats() {
    use caredesk::auth::Role;
    let t = common::clinic::TestClinic::with_all_roles();
    let auditor = t.sign_in(Role::Auditor);
    let everything = common::clinic::audit_rows(&auditor);
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let Response::AuditEvents(page) = auditor.call(Request::AuditEvents {
            from: None,
            to: None,
            limit: 3,
            after,
        }) else {
            panic!("audit read")
        };
        after = page.last().map(|r| r.seq);
        let short = page.len() < 3;
        paged.extend(page);
        if short {
            break;
        }
    }
    let seqs = |rows: &[caredesk::clinic::wire::AuditEntry]| -> Vec<u64> {
        rows.iter().map(|r| r.seq).collect()
    };
    // The pages hold what one read held, in order, plus the audit of the reads since.
    assert_eq!(seqs(&paged[..everything.len()]), seqs(&everything));
    assert!(seqs(&paged).windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn the_auditor_verifies_the_log_and_keeps_a_checkpoint_through_the_daemon() {
    use caredesk::audit::log::{AUDIT_TREE, record_key};
    use caredesk::audit::record::{AuditRecord, RecordBody};
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let daemon = Daemon::start(&dir);
    let verified = run_caredesk(
        None,
        &["audit", "verify", "--data", data],
        &credentials(AUDITOR),
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(
        text(&verified.stdout).contains("audit log intact"),
        "{}",
        text(&verified.stdout)
    );
    // Reading the raw log is the auditor's, not the desk's.
    let refused = run_caredesk(
        None,
        &["audit", "verify", "--data", data],
        &credentials(DESK),
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stdout));
    let checkpoint = run_caredesk(
        None,
        &["audit", "checkpoint", "--data", data],
        &credentials(AUDITOR),
    );
    assert!(checkpoint.status.success(), "{}", text(&checkpoint.stderr));
    let kept = tmp.path().join("checkpoint.json");
    std::fs::write(&kept, &checkpoint.stdout).unwrap();
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    // The checkpoint taken through the daemon is the log's own: a local verification
    // (the daemon stopped) finds it.
    let local = run_caredesk(
        None,
        &[
            "audit",
            "verify",
            "--data",
            data,
            "--checkpoint",
            kept.to_str().unwrap(),
        ],
        "",
    );
    assert!(local.status.success(), "{}", text(&local.stdout));
    assert!(text(&local.stdout).contains("matches the kept checkpoint"));
    // A record altered on disk is named by a verification through the daemon.
    let altered = {
        let raw = caredesk::store::RawStore::open(&dir).unwrap();
        let tree = raw.tree(AUDIT_TREE).unwrap();
        let (seq, mut record) = (2..)
            .map(|seq| {
                let bytes = tree.get(record_key(seq)).unwrap().unwrap();
                (seq, AuditRecord::decode(&bytes).unwrap())
            })
            .find(|(_, r)| matches!(r.body, RecordBody::Sealed(_)))
            .unwrap();
        if let RecordBody::Sealed(e) = &mut record.body {
            e.action = "nothing.happened".into();
        }
        tree.insert(record_key(seq), record.encode()).unwrap();
        raw.db.flush().unwrap();
        seq
    };
    let daemon = Daemon::start(&dir);
    let broken = run_caredesk(
        None,
        &["audit", "verify", "--data", data],
        &credentials(AUDITOR),
    );
    assert_eq!(broken.status.code(), Some(3), "{}", text(&broken.stderr));
    assert!(
        text(&broken.stdout).contains(&format!("BROKEN at record {altered}: was altered")),
        "{}",
        text(&broken.stdout)
    );
    drop(daemon.stop());
}
