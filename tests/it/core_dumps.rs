//! No caredesk process can leave a core file: the running daemon and a command waiting
//! for its password are non-dumpable with a core size limit of 0 (soft and hard).
//!
//! The limit is read from /proc/PID/limits. Whether a process is dumpable shows in who
//! owns /proc/PID: the kernel gives a non-dumpable process's entries to root. So when
//! the test runs as root the command runs as `nobody` (an unhardened process would then
//! show as nobody's); a control process (`sleep`) started the same way shows the test
//! can tell the difference. Both start from a shell that first raises the soft core
//! limit to unlimited, so "0 0" is caredesk's own doing, not an inherited limit.

use crate::common;

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NOBODY: u32 = 65534;

fn running_as_root() -> bool {
    rustix::process::getuid().is_root()
}

/// The soft and hard core size limits of `pid`, as /proc prints them.
fn core_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let mut values = line["Max core file size".len()..].split_whitespace();
    (
        values.next().unwrap().to_string(),
        values.next().unwrap().to_string(),
    )
}

/// The owner of /proc/PID (root for a non-dumpable process).
fn proc_owner(pid: u32) -> u32 {
    std::fs::metadata(format!("/proc/{pid}/status"))
        .unwrap()
        .uid()
}

/// The process's command name (field 2 of /proc/PID/stat), readable whatever it is.
fn command_name(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(name, _)| name.to_string())
        .unwrap_or_default()
}

/// `program args…` started by a shell that raised the soft core limit first; as
/// `nobody` when the test is root. Standard input stays open (a command waits on it).
fn spawn(program: &Path, args: &[&str]) -> Child {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -S -c unlimited && exec "$0" "$@""#)
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if running_as_root() {
        command.uid(NOBODY).gid(NOBODY);
    }
    command.spawn().unwrap()
}

/// Waits until `pid` runs `name` (the exec happened), then until `done` holds.
fn wait_for(pid: u32, name: &str, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while command_name(pid) != name {
        assert!(Instant::now() < deadline, "{pid} never ran {name}");
        std::thread::sleep(Duration::from_millis(20));
    }
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// The binary where `nobody` can run it (the build directory may be closed to it).
fn reachable_binary(tmp: &Path) -> PathBuf {
    let bin = tmp.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let target = bin.join("caredesk");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_caredesk"), &target).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_caredesk"), &target).unwrap();
    }
    target
}

fn finish(mut child: Child) -> String {
    let _ = child.kill();
    let _ = child.wait();
    let mut said = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut said);
    said
}

#[test]
fn a_command_waiting_for_its_password_cannot_dump_core() {
    let tmp = tempfile::tempdir().unwrap();
    let binary = reachable_binary(tmp.path());
    let unhardened_owner = if running_as_root() {
        NOBODY
    } else {
        rustix::process::getuid().as_raw()
    };
    let sleep_path = PathBuf::from(
        common::text(
            &Command::new("sh")
                .args(["-c", "command -v sleep"])
                .output()
                .unwrap()
                .stdout,
        )
        .trim(),
    );

    // The control: an ordinary process started the same way is dumpable, limit raised.
    let control = spawn(&sleep_path, &["30"]);
    let pid = control.id();
    assert!(wait_for(pid, "sleep", || core_limits(pid).0 == "unlimited"));
    assert_eq!(proc_owner(pid), unhardened_owner, "the control is dumpable");
    finish(control);

    // `init` reads the new password from standard input and waits there: by then it
    // has turned core dumps off.
    let store = tmp.path().join("never-made");
    let command = spawn(
        &binary,
        &[
            "init",
            "--data",
            store.to_str().unwrap(),
            "--admin",
            "admin",
        ],
    );
    let pid = command.id();
    let limited = wait_for(pid, "caredesk", || {
        core_limits(pid) == ("0".into(), "0".into())
    });
    let owner = proc_owner(pid);
    let said = finish(command);
    assert!(limited, "the core limit was never 0 0: {said}");
    assert_eq!(owner, 0, "caredesk stayed dumpable: {said}");
    assert!(!store.exists());
}

#[test]
fn the_running_daemon_has_a_core_limit_of_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let made = common::run_caredesk(
        None,
        &[
            "init",
            "--data",
            dir.to_str().unwrap(),
            "--admin",
            "admin",
            "--json",
        ],
        "harbour lantern quietly folds maps\n",
    );
    assert!(made.status.success(), "{}", common::text(&made.stderr));
    let socket = dir.join("caredesk.sock");
    let daemon = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -S -c unlimited && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_caredesk"))
        .args(["serve", "--data", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = daemon.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let limits = core_limits(pid);
    let said = finish(daemon);
    assert_eq!(limits, ("0".into(), "0".into()), "{said}");
}
