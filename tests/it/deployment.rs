//! The deployment as docs/deployment.md documents it: the unit it shows is the one
//! shipped, with the settings the deployment relies on; the daemon gives its socket to
//! the `[server] group` found through the system's name service, refuses to replace a
//! file that is not a socket, and leaves no socket behind when it cannot start.

use crate::common;

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

#[test]
fn the_deployment_guide_shows_the_shipped_unit_and_the_unit_holds_the_deployment() {
    let unit = repo_file("deploy/caredesk.service");
    let guide = repo_file("docs/deployment.md");
    assert!(
        guide.contains(&format!("```ini\n{}```", unit)),
        "docs/deployment.md must show deploy/caredesk.service exactly"
    );
    for line in [
        "User=caredesk",
        "SupplementaryGroups=caredesk-staff",
        "StateDirectory=caredesk",
        "RuntimeDirectoryMode=0711",
        "ReadWritePaths=/srv/caredesk-backups",
        "LimitCORE=0",
        "ProtectSystem=strict",
        "RestrictAddressFamilies=AF_UNIX",
        "CapabilityBoundingSet=",
        "SystemCallFilter=@system-service",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit lacks {line}");
    }
    // Every path the daemon is told to use is one the sandbox lets it write.
    let exec = unit.lines().find(|l| l.starts_with("ExecStart=")).unwrap();
    assert!(exec.contains("--data /var/lib/caredesk "), "{exec}");
    assert!(
        exec.contains("--socket /run/caredesk/caredesk.sock "),
        "{exec}"
    );
    assert!(guide.contains(r#"[backup] dir = "/srv/caredesk-backups""#));
}

/// A new store in `tmp` (made by the binary), with `settings` as its settings.toml.
fn store(tmp: &Path, settings: &str) -> PathBuf {
    let dir = tmp.join("store");
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
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
    dir
}

/// `caredesk serve` on `dir` with `socket`: Ok(child) once it listens, or Err(what it
/// said) when it exited first.
fn serve(dir: &Path, socket: &Path) -> Result<std::process::Child, (Option<i32>, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["serve", "--data", dir.to_str().unwrap(), "--socket"])
        .arg(socket)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let mut said = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut said)
                .unwrap();
            return Err((status.code(), said));
        }
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            return Ok(child);
        }
        assert!(
            Instant::now() < deadline,
            "the daemon neither listened nor exited"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_socket_goes_to_the_staff_group_found_by_the_name_service() {
    let tmp = tempfile::tempdir().unwrap();
    let gid = rustix::process::getgid().as_raw();
    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
        .unwrap()
        .expect("the test's own group has a name")
        .name;
    let dir = store(tmp.path(), &format!("[server]\ngroup = {group:?}\n"));
    let socket = tmp.path().join("run").join("caredesk.sock");
    std::fs::create_dir(socket.parent().unwrap()).unwrap();
    let mut daemon = serve(&dir, &socket).unwrap_or_else(|e| panic!("{e:?}"));
    let meta = std::fs::symlink_metadata(&socket).unwrap();
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.gid(), gid);
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
}

#[test]
fn a_group_that_is_not_there_stops_the_start_and_leaves_no_socket() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = store(
        tmp.path(),
        "[server]\ngroup = \"caredesk-no-such-group-x9\"\n",
    );
    let socket = tmp.path().join("caredesk.sock");
    let (code, said) = serve(&dir, &socket).map(|_| ()).unwrap_err();
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("caredesk-no-such-group-x9"), "{said}");
    assert!(!socket.exists(), "a socket was left behind");
}

#[test]
fn serve_refuses_a_socket_path_that_is_a_file_and_leaves_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = store(tmp.path(), "");
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "not a socket").unwrap();
    let (code, said) = serve(&dir, &file).map(|_| ()).unwrap_err();
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("is not a socket"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a socket");
    // A socket left by a killed daemon is still taken over.
    let stale = tmp.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let mut daemon = serve(&dir, &stale).unwrap_or_else(|e| panic!("{e:?}"));
    let _ = daemon.kill();
    let _ = daemon.wait();
}
