//! Backups copied off the machine (等保 数据备份恢复 b): `caredesk backup push` signs in
//! with the daemon's key file, copies each backup the target lacks to a real OpenSSH
//! account on 127.0.0.1, checks it there by SHA-256, and records each copy or failure
//! in the audit log; the copy verifies as a backup; a target that cannot be reached
//! fails loudly and is audited; a target that is not a plain path is refused.

use std::path::Path;

use crate::common::daemon::{Daemon, credentials};
use crate::common::ssh::{Sshd, ssh_ready};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};

const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");
const AUDITOR: (&str, &str) = ("he.audit", "demo auditor harbour lantern");

fn set_remote(dir: &Path, remote: &str, options: Vec<String>) {
    let mut settings = caredesk::clinic::admin::settings::Settings::load(dir).unwrap();
    settings.backup.remote = remote.into();
    settings.backup.ssh_options = options;
    settings.save(dir).unwrap();
}

fn backups(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".backup"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn push(data: &str, key: &Path) -> std::process::Output {
    run_caredesk(
        None,
        &[
            "backup",
            "push",
            "--data",
            data,
            "--key-file",
            key.to_str().unwrap(),
        ],
        "",
    )
}

#[test]
fn backups_are_copied_off_the_machine_checked_there_and_audited() {
    if !ssh_ready() {
        return;
    }
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let sshd_dir = tmp.path().join("sshd");
    std::fs::create_dir_all(&sshd_dir).unwrap();
    let sshd = Sshd::start(&sshd_dir, None);
    let offsite = tmp.path().join("offsite");
    let remote = format!("{}@127.0.0.1:{}", Sshd::user(), offsite.display());
    set_remote(&dir, &remote, sshd.options());

    let daemon = Daemon::start(&dir);
    // The timer signs in with a key file the security administrator made.
    let key = tmp.path().join("push.key");
    let made = run_caredesk(
        None,
        &[
            "key",
            "add-file",
            "backup-push",
            "--data",
            data,
            "--out",
            key.to_str().unwrap(),
        ],
        &credentials(SECURITY),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    // Today's backup, made through the daemon by the administrator.
    let copy = tmp.path().join("today.backup");
    let backed_up = run_caredesk(
        None,
        &["backup", "--data", data, "--out", copy.to_str().unwrap()],
        &credentials(ADMIN),
    );
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    let local = backups(&dir.join("backups"));
    assert!(!local.is_empty());

    let pushed = push(data, &key);
    assert!(pushed.status.success(), "{}", text(&pushed.stderr));
    assert_eq!(text(&pushed.stdout).matches("copied ").count(), local.len());
    assert_eq!(backups(&offsite), local, "every backup is there");
    for name in &local {
        assert_eq!(
            std::fs::read(offsite.join(name)).unwrap(),
            std::fs::read(dir.join("backups").join(name)).unwrap(),
            "{name} arrived as it left"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(offsite.join(&local[0]))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "private to the target's account");
    // The copy is a backup like any other: its checksums hold without a key.
    let verified = run_caredesk(
        None,
        &[
            "backup",
            "verify",
            offsite.join(&local[0]).to_str().unwrap(),
        ],
        "",
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    // Again: nothing new to copy.
    let again = push(data, &key);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(!text(&again.stdout).contains("copied "));
    assert!(text(&again.stdout).contains("already on"));

    // The target goes away; a new backup cannot be copied: said, exit 1, audited.
    drop(sshd);
    let newer = tmp.path().join("newer.backup");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let backed_up = run_caredesk(
        None,
        &["backup", "--data", data, "--out", newer.to_str().unwrap()],
        &credentials(ADMIN),
    );
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    let failed = push(data, &key);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stdout));
    assert!(
        text(&failed.stderr).contains("ssh to"),
        "{}",
        text(&failed.stderr)
    );

    let export = run_caredesk(
        None,
        &["audit", "export", "--data", data, "--format", "jsonl"],
        &credentials(AUDITOR),
    );
    let log = text(&export.stdout);
    let copied = log
        .lines()
        .filter(|l| {
            l.contains("backup.offsite") && l.contains("copied file=") && l.contains("sha256=")
        })
        .count();
    assert_eq!(copied, local.len(), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("backup.offsite") && l.contains("FAILED"))
    );
    assert!(
        log.contains("system:backup-push"),
        "the timer's principal is named"
    );
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn a_target_that_is_not_a_plain_ssh_path_is_refused_where_it_is_set() {
    let dir = tempfile::tempdir().unwrap();
    for hostile in [
        "backup.lan:/srv/x; rm -rf /",
        "backup.lan:/srv/$(reboot)",
        "-oProxyCommand=sh:/srv/x",
        "backup.lan:relative/dir",
        "backup.lan:/srv/../etc",
        "us er@backup.lan:/srv/x",
        "backup.lan",
    ] {
        std::fs::write(
            dir.path().join("settings.toml"),
            format!("[backup]\nremote = {hostile:?}\n"),
        )
        .unwrap();
        let refused = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
        assert!(
            refused.contains("[backup] remote") && refused.contains("for example"),
            "{hostile}: {refused}"
        );
    }
    std::fs::write(
        dir.path().join("settings.toml"),
        "[backup]\nremote = \"caredesk@backup-2.clinic.lan:/srv/caredesk_offsite\"\n",
    )
    .unwrap();
    assert!(caredesk::clinic::admin::settings::Settings::load(dir.path()).is_ok());
    // ssh options that would run a program, read another configuration or pass a
    // destination of their own are refused; the ones that reach and trust a target pass.
    for hostile in [
        r#"["-oProxyCommand=sh -c 'id > /tmp/x'"]"#,
        r#"["-o", "ProxyCommand=nc %h %p"]"#,
        r#"["-o", "LocalCommand=id", "-o", "PermitLocalCommand=yes"]"#,
        r#"["-F", "/var/lib/caredesk/.ssh/config"]"#,
        r#"["-i"]"#,
        r#"["-p", "-oProxyCommand=x"]"#,
        r#"["-J", "jump.example"]"#,
    ] {
        std::fs::write(
            dir.path().join("settings.toml"),
            format!("[backup]\nssh_options = {hostile}\n"),
        )
        .unwrap();
        let refused = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
        assert!(
            refused.contains("[backup] ssh_options"),
            "{hostile}: {refused}"
        );
    }
    std::fs::write(
        dir.path().join("settings.toml"),
        "[backup]\nssh_options = [\"-p\", \"2222\", \"-i\", \"/etc/caredesk/offsite_key\", \"-o\", \"UserKnownHostsFile=/etc/caredesk/known_hosts\", \"-o\", \"StrictHostKeyChecking=yes\"]\n",
    )
    .unwrap();
    assert!(caredesk::clinic::admin::settings::Settings::load(dir.path()).is_ok());
}

#[test]
fn without_a_target_the_push_says_what_to_set() {
    let (_tmp, dir) = demo_store();
    let out = run_caredesk(
        None,
        &["backup", "push", "--data", dir.to_str().unwrap()],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[backup] remote"),
        "{}",
        text(&out.stderr)
    );
}
