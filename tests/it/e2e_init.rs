//! `caredesk init` at a real terminal (tmux): the password is asked twice, never
//! echoed, a mismatch is asked again, and the enrolment QR code is drawn.

use crate::common::tmux::{self, Pane};

#[test]
fn init_at_a_terminal_asks_twice_and_never_echoes_the_password() {
    if !tmux::available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let command = format!(
        "{} init --data {} --admin admin",
        env!("CARGO_BIN_EXE_caredesk"),
        dir.display()
    );
    let pane = Pane::start("init", 100, 60, &command);

    pane.wait_for("New password for admin:");
    pane.type_text("first try of a phrase");
    pane.key("Enter");
    pane.wait_for("Repeat the password:");
    pane.type_text("a different phrase");
    pane.key("Enter");
    pane.wait_for("The two passwords differ");

    let prompts = pane.screen().matches("New password for admin:").count();
    assert_eq!(prompts, 2, "asked again after the mismatch");
    pane.type_text("quiet harbour lantern");
    pane.key("Enter");
    pane.wait_for("Repeat the password:");
    pane.type_text("quiet harbour lantern");
    pane.key("Enter");
    let screen = pane.wait_for("clear this screen once they are safe");

    assert!(screen.contains("otpauth://totp/caredesk:admin?"));
    assert!(
        screen.contains('▀') || screen.contains('▄'),
        "the QR code is drawn:\n{screen}"
    );
    for typed in [
        "first try of a phrase",
        "a different phrase",
        "quiet harbour lantern",
    ] {
        assert!(
            !screen.contains(typed),
            "the password {typed:?} was echoed:\n{screen}"
        );
    }
    assert!(dir.join("audit.seal").exists());
}
