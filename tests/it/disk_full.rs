//! A full disk, on a small tmpfs this test mounts (it must run as root: under CI a
//! missing capability fails the test, elsewhere it is skipped with a loud message).
//! `demo` and `init` that fail for want of space leave nothing behind, and the next
//! `demo` starts afresh; a daemon whose disk fills and is freed never becomes a zombie
//! that fails every request: it recovers or exits non-zero (for systemd to restart
//! it), and the restarted daemon has every registration it acknowledged, with a log
//! that verifies.

use crate::common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::daemon::{register, sign_in};
use crate::common::{run_caredesk, text};
use caredesk::clinic::Response;
use caredesk::server::remote::Remote;

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");

/// A tmpfs of `megabytes` mounted on a new directory; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = rustix::process::getuid().is_root()
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o"])
                .arg(format!("size={megabytes}m,mode=0700"))
                .arg("caredesk-test")
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                !common::ci(),
                "the disk-full tests mount a tmpfs: CI must run them as root with CAP_SYS_ADMIN"
            );
            eprintln!("SKIPPED: the disk-full tests need root to mount a tmpfs; run them as root");
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn resize(&self, megabytes: u32) {
        let done = Command::new("mount")
            .args(["-o"])
            .arg(format!("remount,size={megabytes}m"))
            .arg(self.path())
            .status()
            .unwrap();
        assert!(done.success());
    }

    /// Fills what space is left with one file; its path.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0x5au8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        // The last blocks a page at a time, down to nothing.
        let page = vec![0x5au8; 4096];
        while file.write_all(&page).is_ok() {}
        let _ = file.sync_all();
        path
    }

    fn entries(&self) -> Vec<String> {
        std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn demo(dir: &Path, patients: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["demo", "--data", dir.to_str().unwrap()])
        .args(["--patients", patients, "--no-tui"])
        .args(crate::common::suite_flag(&["demo"]))
        .output()
        .unwrap()
}

#[test]
fn demo_and_init_on_a_full_disk_leave_nothing_behind() {
    let Some(disk) = Tmpfs::mount(2) else {
        return;
    };
    let dir = disk.path().join("demo");
    let failed = demo(&dir, "50");
    assert!(!failed.status.success(), "a demo fitted in 2 MB");
    assert!(
        disk.entries().is_empty(),
        "left behind: {:?}",
        disk.entries()
    );

    let store = disk.path().join("store");
    disk.fill();
    let refused = run_caredesk(
        None,
        &[
            "init",
            "--data",
            store.to_str().unwrap(),
            "--admin",
            "admin",
        ],
        "harbour lantern quietly folds maps\n",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("full"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!store.exists(), "init left {}", store.display());
    std::fs::remove_file(disk.path().join("filler")).unwrap();

    // With room, the next demo is made afresh, not taken from anything half-made.
    disk.resize(256);
    let made = demo(&dir, "50");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(text(&made.stderr).contains("Creating the demo clinic"));
    assert_eq!(disk.entries(), vec!["demo".to_string()]);
}

#[test]
fn an_unfinished_demo_is_never_used() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    // What a demo killed half-way leaves: a store directory without its patients.
    std::fs::create_dir_all(tmp.path().join(".demo.unfinished").join("db")).unwrap();
    let made = demo(&dir, "5");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(text(&made.stderr).contains("Creating the demo clinic"));
    assert!(!tmp.path().join(".demo.unfinished").exists());
    let again = demo(&dir, "5");
    assert!(text(&again.stderr).contains("Using the demo clinic"));
}

fn start_daemon(dir: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["serve", "--data", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(dir.join("caredesk.sock")).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the daemon exited: {status}");
        }
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn said(child: &mut Child) -> String {
    let mut text = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut text);
    text
}

#[test]
fn a_daemon_whose_disk_filled_and_emptied_recovers_or_restarts_and_keeps_its_word() {
    let Some(disk) = Tmpfs::mount(64) else {
        return;
    };
    let dir = disk.path().join("demo");
    let made = demo(&dir, "20");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mut daemon = start_daemon(&dir);
    let remote = Remote::connect(&dir.join("caredesk.sock")).unwrap();
    let token = sign_in(&remote, DESK);
    let mut acknowledged = Vec::new();
    let phone = |n: u32| format!("1390000{n:04}");
    assert!(matches!(
        register(&remote, &token, "满一".into(), &phone(0), "F-0".into()),
        Response::Registered { .. }
    ));
    acknowledged.push(phone(0));

    let filler = disk.fill();
    let mut refused = None;
    for n in 1..2_000 {
        match register(
            &remote,
            &token,
            format!("满{n}"),
            &phone(n),
            format!("F-{n}"),
        ) {
            Response::Registered { .. } => acknowledged.push(phone(n)),
            Response::Error(e) => {
                refused = Some(e);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let refused = refused.expect("a full disk refused a registration");
    eprintln!("on the full disk: {refused}");
    std::fs::remove_file(&filler).unwrap();

    // Space is back. The daemon either serves again by itself or has exited non-zero.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut exited = None;
    let mut served = false;
    while Instant::now() < deadline {
        if let Some(status) = daemon.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        let n = 9_000 + acknowledged.len() as u32;
        let reply = Remote::connect(&dir.join("caredesk.sock"))
            .map(|r| register(&r, &token, format!("满{n}"), &phone(n), format!("F-{n}")));
        if let Ok(Response::Registered { .. }) = reply {
            acknowledged.push(phone(n));
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if !served {
        let status = exited.expect("the daemon neither served again nor exited: a zombie");
        let told = said(&mut daemon);
        assert_eq!(status.code(), Some(1), "{told}");
        assert!(told.contains("can no longer write"), "{told}");
        assert!(!dir.join("caredesk.sock").exists(), "its socket was left");
        eprintln!("the daemon exited 1 once the store could not write: {told}");
        // What systemd does next: start it again.
        daemon = start_daemon(&dir);
    }
    if served {
        eprintln!("the daemon served again by itself once space was back");
    }
    let remote = Remote::connect(&dir.join("caredesk.sock")).unwrap();
    let token = sign_in(&remote, DESK);
    let n = 9_500;
    assert!(matches!(
        register(
            &remote,
            &token,
            format!("满{n}"),
            &phone(n),
            format!("F-{n}")
        ),
        Response::Registered { .. }
    ));
    crate::common::daemon::assert_each_found_once(&remote, &token, &acknowledged, "acknowledged");
    let pid = rustix::process::Pid::from_child(&daemon);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    assert!(daemon.wait().unwrap().success(), "{}", said(&mut daemon));
    let verified = run_caredesk(
        None,
        &["audit", "verify", "--data", dir.to_str().unwrap()],
        "",
    );
    assert!(verified.status.success(), "{}", text(&verified.stdout));
}
