//! A clinic server reached over SSH, as docs/deployment.md sets it up: a real
//! OpenSSH server on 127.0.0.1 whose `ForceCommand` lands in caredesk; a login in tmux
//! works a screen, and the SSH client's address is in the audit log.

use crate::common;

use std::path::Path;

use crate::common::daemon::{Daemon, card, credentials};
use crate::common::ssh::{Sshd, ssh_ready};
use crate::common::tmux::demo_store;
use crate::common::tmux::{Pane, amend_allergies};
use crate::common::{run_caredesk, text};

/// The audit log as JSON lines, exported by the auditor.
fn audit_rows(dir: &Path) -> String {
    let export = run_caredesk(
        None,
        &[
            "audit",
            "export",
            "--data",
            dir.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        &credentials(("he.audit", "demo auditor harbour lantern")),
    );
    assert!(export.status.success(), "{}", text(&export.stderr));
    text(&export.stdout)
}

#[test]
fn a_login_over_ssh_lands_in_the_terminal_app_and_its_address_is_audited() {
    if !ssh_ready() {
        return;
    }
    let (tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let sshd = Sshd::start(tmp.path(), Some(&daemon.socket));
    let pane = common::tmux::Pane::start("ssh", 100, 30, &sshd.login_command());
    common::tmux::sign_in(&pane, "Sign in", "chen.jing", "demo nurse harbour lantern");
    let home = pane.wait_for("What would you like to do?");
    assert!(
        home.contains("│ server /"),
        "the status bar names the server: {home}"
    );
    common::tmux::open_patient(&pane, &card());
    pane.key("F10");
    drop(sshd);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    let rows = audit_rows(&dir);
    let read = rows
        .lines()
        .find(|l| l.contains("\"patient.read\"") && l.contains("chen.jing"))
        .expect("the nurse's read is audited");
    assert!(read.contains("\"ssh_client\":\"127.0.0.1:"), "{read}");
}

fn type_allergy(pane: &Pane, allergy: &str, reason: &str) {
    pane.type_text(allergy);
    pane.key("Tab");
    pane.key("Tab");
    pane.type_text(reason);
}

#[test]
fn five_staff_in_five_ssh_sessions_work_at_once_and_nothing_collides_or_is_lost() {
    if !ssh_ready() {
        return;
    }
    let (tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let sshd = Sshd::start(tmp.path(), Some(&daemon.socket));
    let staff = [
        ("chen.jing", "demo nurse harbour lantern"),
        ("dr.zhou", "demo doctor harbour lantern"),
        ("sun.hm", "demo manager harbour lantern"),
        ("wang.li", "demo desk harbour lantern"),
        ("he.audit", "demo auditor harbour lantern"),
    ];
    let panes: Vec<Pane> = staff
        .iter()
        .map(|(user, _)| Pane::start(&format!("ssh5-{user}"), 100, 30, &sshd.login_command()))
        .collect();
    for (pane, (user, password)) in panes.iter().zip(staff) {
        common::tmux::sign_in(pane, "Sign in", user, password);
    }
    for pane in &panes {
        pane.wait_for("What would you like to do?");
    }
    let [nurse, doctor, manager, desk, auditor] = &panes[..] else {
        unreachable!()
    };
    let card_of = |serial| caredesk::domain::card::card_number("8860", serial, 8).unwrap();
    common::tmux::open_patient(nurse, &card_of(1));
    common::tmux::open_patient(doctor, &card_of(1));
    common::tmux::open_patient(manager, &card_of(2));
    common::tmux::open_patient(desk, &card_of(3));
    // Nurse and doctor amend the same section of one patient, the manager another's.
    amend_allergies(nurse);
    amend_allergies(doctor);
    amend_allergies(manager);
    type_allergy(
        nurse,
        "Penicillin; rash; mild",
        "reported at the follow-up call",
    );
    type_allergy(doctor, "Latex; hives; moderate", "found at the examination");
    type_allergy(manager, "Peanut; swelling; severe", "told us at the review");
    nurse.key("Enter");
    manager.key("Enter");
    nurse.wait_for("Saved.");
    manager.wait_for("Saved.");
    // The doctor's save comes second: refused, not lost, and the newer record shown.
    doctor.key("Enter");
    doctor.wait_for("changed by someone else");
    // The first Esc asks before throwing the typed rows away; the second leaves.
    doctor.key("Escape");
    doctor.wait_for("Esc again leaves");
    doctor.key("Escape");
    doctor.key("Enter");
    let editor = doctor.wait_for("Amending");
    assert!(editor.contains("Penicillin"), "the nurse's entry: {editor}");
    doctor.key("BTab");
    doctor.key("BTab");
    type_allergy(doctor, "Latex; hives; moderate", "found at the examination");
    doctor.key("Enter");
    doctor.wait_for("Saved.");
    doctor.key("Escape");
    let chart = doctor.wait_for("Latex");
    assert!(
        chart.contains("Penicillin"),
        "both entries are kept: {chart}"
    );
    // The auditor, meanwhile, acknowledges the newest alert.
    auditor.key("Enter");
    auditor.wait_for("Security alerts");
    // The list is read, its newest alert selected (a key before that does nothing).
    auditor.wait_for("a: acknowledge");
    auditor.type_text("a");
    auditor.wait_for("What was done:");
    auditor.type_text("spoke to the user; expected");
    auditor.key("Enter");
    auditor.wait_for("Alert acknowledged.");
    for pane in &panes {
        pane.key("F10");
    }
    drop(sshd);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    let rows = audit_rows(&dir);
    let over_ssh = |user: &str, action: &str, outcome: &str| {
        rows.lines()
            .filter(|l| {
                l.contains(&format!("\"user\":\"{user}\""))
                    && l.contains(&format!("\"action\":\"{action}\""))
                    && l.contains(&format!("\"outcome\":\"{outcome}\""))
                    && l.contains("\"ssh_client\":\"127.0.0.1:")
            })
            .count()
    };
    for (user, _) in &staff[..4] {
        assert!(over_ssh(user, "patient.read", "ok") >= 1, "{user} read");
    }
    assert_eq!(over_ssh("chen.jing", "health.amend", "ok"), 1);
    assert_eq!(over_ssh("sun.hm", "health.amend", "ok"), 1);
    assert_eq!(over_ssh("dr.zhou", "health.amend", "ok"), 1);
    assert_eq!(
        over_ssh("dr.zhou", "health.amend", "error"),
        1,
        "the refused save"
    );
    assert_eq!(over_ssh("he.audit", "alert.acknowledge", "ok"), 1);
}
