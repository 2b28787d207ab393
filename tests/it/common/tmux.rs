//! Drives the real binary in a tmux pane: type keys, read the screen.
#![allow(dead_code)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use super::clinic::totp_code;
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), with one pane running `command`.
pub struct Pane {
    socket: String,
}

/// tmux is needed; under CI its absence is a failure, elsewhere the test says it skipped.
pub fn available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is not installed: .ci/run must install it (apt-get install tmux)");
        }
        eprintln!("SKIPPED: tmux is not installed on this machine");
    }
    found
}

impl Pane {
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Pane {
        // All test modules share this process: a counter keeps two panes apart even
        // if two modules pick the same name.
        static PANES: AtomicUsize = AtomicUsize::new(0);
        let n = PANES.fetch_add(1, Ordering::Relaxed);
        let socket = format!("caredesk-test-{name}-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            // The app takes its language from the session's locale: a neutral one, so
            // screens are in the language the test asks for (--lang) or the clinic's.
            .env("LC_ALL", "")
            .env("LC_MESSAGES", "")
            .env("LANG", "C.UTF-8")
            .status()
            .unwrap();
        assert!(status.success(), "tmux could not start");
        let pane = Pane { socket };
        // Keep the pane's last screen after the program exits, so it can be read.
        pane.tmux(&["set-option", "-t", "t", "remain-on-exit", "on"]);
        pane
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types text literally (no key names), without Enter.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Sends one named key. A short pause follows: a key is an escape sequence, and a
    /// busy machine may hand the program its first byte alone, which reads as Esc.
    pub fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "t", key]);
        std::thread::sleep(std::time::Duration::from_millis(15));
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t", "-S", "-200"])
    }

    /// Waits until the screen shows `text`; panics with the screen after 20 s.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; the screen shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The code of `user` at Unix time `unix`.
pub fn demo_code_at(user: &str, unix: i64) -> String {
    // The demo's published secret, and the test's own TOTP implementation.
    let secret =
        Sha256::digest(format!("caredesk demo totp secret: {user}").as_bytes())[..20].to_vec();
    totp_code(&secret, unix, 6)
}

/// Waits for the sign-in screen (recognised by `banner`), then signs in with a fresh code.
pub fn sign_in(pane: &Pane, banner: &str, user: &str, password: &str) {
    pane.wait_for(banner);
    pane.type_text(user);
    pane.key("Enter");
    pane.type_text(password);
    pane.key("Enter");
    pane.type_text(&crate::common::daemon::unused_code(user));
    pane.key("Enter");
}

/// A demo store of 300 patients and the app running on it in a 100x30 pane.
pub fn demo_pane(name: &str, flags: &str) -> (tempfile::TempDir, Pane) {
    let (tmp, dir) = demo_store();
    let pane = app_pane(name, &dir, flags);
    (tmp, pane)
}

/// A demo store of 300 patients, made by the binary: a copy of one made once per test
/// process (making it takes about ten seconds, copying it a fraction of one). Each copy
/// is a store of its own: its users' used TOTP steps, audit log and sessions are its own.
pub fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_tree(demo_template(), &dir);
    (tmp, dir)
}

/// The one demo store this process copies, made on first use under Cargo's temporary
/// directory for integration tests, in a folder named by the process id; folders left
/// by earlier runs whose process is gone are removed first.
fn demo_template() -> &'static std::path::Path {
    static TEMPLATE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-template");
        std::fs::create_dir_all(&root).unwrap();
        for entry in std::fs::read_dir(&root).unwrap().flatten() {
            let pid = entry.file_name().to_string_lossy().to_string();
            if !std::path::Path::new("/proc").join(&pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = root.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let made = Command::new(env!("CARGO_BIN_EXE_caredesk"))
            .args(["demo", "--data", dir.to_str().unwrap()])
            .args(["--patients", "300", "--no-tui"])
            .args(crate::common::suite_flag(&["demo"]))
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        dir
    })
}

/// Copies the closed store `from` to `to`, folders private as the store makes them.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The app on the store in `dir`, in a 100x30 pane.
pub fn app_pane(name: &str, dir: &std::path::Path, flags: &str) -> Pane {
    let command = format!(
        "{} --data {} {flags}",
        env!("CARGO_BIN_EXE_caredesk"),
        dir.display()
    );
    Pane::start(name, 100, 30, &command)
}

/// From a patient's chart (English): the record, the allergies section (the fifth)
/// amended, the cursor on the empty line for a new entry.
pub fn amend_allergies(pane: &Pane) {
    pane.key("F4");
    pane.wait_for("Health record");
    for _ in 0..4 {
        pane.key("Down");
    }
    pane.key("Enter");
    pane.wait_for("Amending");
    // Shift-Tab twice: from the first row round past the reason to the empty last line.
    pane.key("BTab");
    pane.key("BTab");
}

/// From the home screen (English), finds the patient with this card number and opens
/// their chart.
pub fn open_patient(pane: &Pane, card: &str) {
    pane.wait_for("What would you like to do?");
    pane.key("F3");
    pane.wait_for("Find:");
    pane.type_text(card);
    pane.wait_for("1 found");
    pane.key("Enter");
    pane.wait_for("Identity");
}

/// The follow-up queue's rows on a captured screen (P1…P3), below its header.
pub fn queue_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .skip_while(|l| !l.contains("Due") || !l.contains("Patient"))
        .skip(1)
        .take_while(|l| l.contains("P1") || l.contains("P2") || l.contains("P3"))
        .collect()
}
