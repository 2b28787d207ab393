//! Drives the real binary in a tmux pane: type keys, read the screen.
#![allow(dead_code)]

use std::process::Command;
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
        let socket = format!("caredesk-test-{name}-{}", std::process::id());
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
