//! The Debian package (Cargo.toml `[package.metadata.deb]`, deploy/debian): a man page
//! per command that `man` renders, completions for three shells, every packed file
//! present, and the service account and directories the unit relies on made by the
//! package's sysusers.d and tmpfiles.d entries (applied for real in a scratch root).
//! CI builds, installs and removes the package itself (.ci/run).

use std::collections::BTreeSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(repo().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `caredesk`, `caredesk-serve`, `caredesk-user-add`, …: every command's page name.
fn page_names(command: &clap::Command, prefix: &str, names: &mut BTreeSet<String>) {
    names.insert(prefix.to_string());
    for sub in command.get_subcommands() {
        if sub.get_name() != "help" {
            page_names(sub, &format!("{prefix}-{}", sub.get_name()), names);
        }
    }
}

/// A program the test needs: missing under CI is a failure, not a skip.
fn have(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "{program} is not installed (.ci/run installs it)"
    );
    found
}

#[test]
fn every_command_has_a_man_page_that_man_renders_and_every_shell_completes() {
    let out = tempfile::tempdir().unwrap();
    let written = caredesk::cli::manual::write(out.path()).unwrap();
    let mut expected = BTreeSet::new();
    page_names(&caredesk::cli::Cli::command(), "caredesk", &mut expected);
    assert!(expected.len() > 40, "{expected:?}");
    let pages: BTreeSet<String> = written
        .man_pages
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<_> = expected.difference(&pages).collect();
    assert!(missing.is_empty(), "no man page for {missing:?}");
    let extra: Vec<_> = pages.difference(&expected).collect();
    assert!(
        extra.is_empty(),
        "pages for no command (clap's help?): {extra:?}"
    );

    if have("man") {
        for (page, wanted) in [
            ("caredesk", "caredesk - The health-management desk"),
            ("caredesk-serve", "--socket"),
            ("caredesk-init", "--admin"),
            ("caredesk-key-add-token", "--pin-file"),
        ] {
            let rendered = Command::new("man")
                .arg("-l")
                .arg(out.path().join("man").join(format!("{page}.1")))
                .env("MANPAGER", "cat")
                .env("MANWIDTH", "80")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(rendered.status.success(), "man {page}: {rendered:?}");
            assert!(
                text.contains(wanted),
                "man {page} lacks {wanted:?}:\n{text}"
            );
        }
    }

    let completions: Vec<String> = written
        .completions
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(completions, ["caredesk.bash", "_caredesk", "caredesk.fish"]);
    for script in &written.completions {
        let text = std::fs::read_to_string(script).unwrap();
        for word in ["serve", "exam-form", "add-token"] {
            assert!(text.contains(word), "{} lacks {word}", script.display());
        }
    }
    if have("bash") {
        let sourced = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {} && complete -p caredesk",
                written.completions[0].display()
            ))
            .output()
            .unwrap();
        assert!(sourced.status.success(), "{sourced:?}");
    }
}

/// The asset sources of `[package.metadata.deb]`; `target/…` ones are built.
fn deb_assets() -> Vec<(String, String)> {
    let manifest: toml::Table = toml::from_str(&repo_file("Cargo.toml")).unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    deb["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|asset| {
            let asset = asset.as_array().unwrap();
            (
                asset[0].as_str().unwrap().to_string(),
                asset[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_packed_file_is_in_the_repository_and_the_layout_matches_the_unit() {
    for (source, _) in deb_assets() {
        if source.starts_with("target/") {
            continue;
        }
        let found = match source.rsplit_once("/*") {
            Some((dir, suffix)) => std::fs::read_dir(repo().join(dir))
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(suffix)),
            None => repo().join(&source).is_file(),
        };
        assert!(found, "the package packs {source}, which is not there");
    }
    let installed: Vec<String> = deb_assets().into_iter().map(|(_, to)| to).collect();
    for wanted in [
        "usr/bin/",
        "usr/lib/systemd/system/",
        "usr/lib/sysusers.d/caredesk.conf",
        "usr/lib/tmpfiles.d/caredesk.conf",
        "etc/caredesk/settings.toml",
        "usr/share/caredesk/keymaps/",
        "usr/share/caredesk/rules/",
        "usr/share/man/man1/",
        "usr/share/bash-completion/completions/caredesk",
        "usr/share/zsh/vendor-completions/",
        "usr/share/fish/vendor_completions.d/",
    ] {
        assert!(
            installed.iter().any(|to| to == wanted),
            "nothing goes to {wanted}"
        );
    }
    // The unit runs the packaged binary on the directories the package makes.
    let unit = repo_file("deploy/caredesk.service");
    assert!(
        unit.contains("\nExecStart=/usr/bin/caredesk serve --data /var/lib/caredesk "),
        "{unit}"
    );
    let tmpfiles = repo_file("deploy/debian/tmpfiles.conf");
    for line in [
        "d /run/caredesk 0711 caredesk caredesk -",
        "d /var/lib/caredesk 0700 caredesk caredesk -",
        "d /srv/caredesk-backups 0700 caredesk caredesk -",
        "L /var/lib/caredesk/settings.toml - - - - /etc/caredesk/settings.toml",
    ] {
        assert!(
            tmpfiles.lines().any(|l| l == line),
            "tmpfiles.d lacks {line}"
        );
    }
    for script in ["postinst", "prerm", "postrm"] {
        let path = repo().join("deploy/debian").join(script);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{script} is not executable");
    }
}

/// Applies the package's sysusers.d and tmpfiles.d entries to a scratch root, as
/// postinst does to the real one: the account, the group, the directories and the
/// settings link come out as the unit expects.
#[test]
fn the_sysusers_and_tmpfiles_entries_make_the_account_and_directories() {
    if !have("systemd-sysusers") || !have("systemd-tmpfiles") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path();
    std::fs::create_dir_all(root_path.join("etc/caredesk")).unwrap();
    // As dpkg leaves the conffile: root's, before tmpfiles.d hands it over.
    std::fs::write(
        root_path.join("etc/caredesk/settings.toml"),
        repo_file("deploy/settings.toml"),
    )
    .unwrap();
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .arg(format!("--root={}", root_path.display()))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{program}: {out:?}");
    };
    let conf = |name: &str| repo().join("deploy/debian").join(name);
    run(
        "systemd-sysusers",
        &[conf("sysusers.conf").to_str().unwrap()],
    );
    let passwd = std::fs::read_to_string(root_path.join("etc/passwd")).unwrap();
    let account = passwd
        .lines()
        .find(|l| l.starts_with("caredesk:"))
        .unwrap_or_else(|| panic!("no caredesk account:\n{passwd}"));
    let fields: Vec<&str> = account.split(':').collect();
    assert_eq!(fields[5], "/var/lib/caredesk");
    assert_eq!(fields[6], "/usr/sbin/nologin");
    let uid: u32 = fields[2].parse().unwrap();
    assert!(uid < 1000, "a system account: {account}");
    let group = std::fs::read_to_string(root_path.join("etc/group")).unwrap();
    let staff = group
        .lines()
        .find(|l| l.starts_with("caredesk-staff:"))
        .unwrap_or_else(|| panic!("no caredesk-staff group:\n{group}"));
    assert!(
        staff.ends_with(":caredesk"),
        "the account is in the staff group: {staff}"
    );

    // postinst applies tmpfiles.d and changes no owner itself: a `chown` of a path in
    // a folder the service account may write would follow a link it planted there.
    let postinst = repo_file("deploy/debian/postinst");
    assert!(!postinst.contains("chown"), "{postinst}");
    let gid: u32 = fields[3].parse().unwrap();
    run(
        "systemd-tmpfiles",
        &["--create", conf("tmpfiles.conf").to_str().unwrap()],
    );
    let owned = |path: &str, owner: u32, group: u32, mode: u32| {
        let meta = std::fs::symlink_metadata(root_path.join(path)).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (owner, group), "{path}'s owner");
        assert_eq!(meta.mode() & 0o7777, mode, "{path}'s mode");
    };
    owned("run/caredesk", uid, gid, 0o711);
    owned("var/lib/caredesk", uid, gid, 0o700);
    owned("srv/caredesk-backups", uid, gid, 0o700);
    // Root's, the account may add its key file but replace nothing (sticky); the
    // settings readable by the daemon, written by root alone.
    owned("etc/caredesk", 0, gid, 0o1770);
    owned("etc/caredesk/settings.toml", 0, gid, 0o640);
    let link = std::fs::read_link(root_path.join("var/lib/caredesk/settings.toml")).unwrap();
    assert_eq!(link, Path::new("/etc/caredesk/settings.toml"));
}
