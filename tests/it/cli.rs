//! The `caredesk` binary as a script or a person at a shell uses it.

use crate::common;

use std::path::Path;
use std::process::Output;

use caredesk::audit::log::{AUDIT_TREE, record_key};
use caredesk::audit::record::{AuditRecord, RecordBody};
use caredesk::store::RawStore;

fn caredesk(args: &[&str], stdin: &str) -> Output {
    common::run_caredesk(None, args, stdin)
}

use crate::common::text;

fn init_json(dir: &Path) -> serde_json::Value {
    let out = caredesk(
        &[
            "init",
            "--data",
            dir.to_str().unwrap(),
            "--admin",
            "admin",
            "--json",
        ],
        "correct horse battery\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("exactly one JSON object")
}

#[test]
fn init_json_prints_exactly_the_contracted_object() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let json = init_json(&dir);
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "audit_seed",
            "otpauth_uri",
            "recovery_codes",
            "recovery_key"
        ]
    );
    let uri = object["otpauth_uri"].as_str().unwrap();
    let totp = totp_rs::Totp::from_url(uri).expect("a valid otpauth URI");
    assert_eq!(totp.issuer(), Some("caredesk"));
    let codes = object["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert!(
        caredesk::crypto::keyslot::RecoveryKey::parse(object["recovery_key"].as_str().unwrap())
            .is_some()
    );
    assert!(caredesk::audit::Seed::parse(object["audit_seed"].as_str().unwrap()).is_some());
}

#[test]
fn init_text_shows_the_qr_code_and_every_secret_and_refuses_a_second_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    // --data comes from CAREDESK_DATA here.
    let out = common::run_caredesk(
        Some(&dir),
        &["init", "--admin", "admin"],
        "correct horse battery\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("otpauth://totp/caredesk:admin?"));
    assert!(
        shown.contains('▀') || shown.contains('▄'),
        "a QR code drawn with half blocks"
    );
    assert!(shown.contains("Recovery key") && shown.contains("verification seed"));
    let width = shown.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(width <= 100, "lines fit a terminal ({width})");

    let before = std::fs::read(dir.join("audit.seal")).unwrap();
    let again = caredesk(
        &["init", "--data", dir.to_str().unwrap(), "--admin", "admin"],
        "another password\n",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("never touches an existing store"));
    assert_eq!(std::fs::read(dir.join("audit.seal")).unwrap(), before);
}

#[test]
fn bad_input_gets_one_clear_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let d = dir.to_str().unwrap();
    let short = caredesk(&["init", "--data", d, "--admin", "admin"], "short\n");
    assert_eq!(short.status.code(), Some(1));
    assert!(
        text(&short.stderr).contains("at least 8 characters"),
        "{}",
        text(&short.stderr)
    );
    assert!(!dir.exists());
    let empty = caredesk(&["init", "--data", d, "--admin", "admin"], "");
    assert!(
        text(&empty.stderr).contains("standard input ended"),
        "{}",
        text(&empty.stderr)
    );
    let name = caredesk(
        &["init", "--data", d, "--admin", "Dr Who"],
        "correct horse battery\n",
    );
    assert!(
        text(&name.stderr).contains("user name"),
        "{}",
        text(&name.stderr)
    );
    let missing = caredesk(&["audit", "verify", "--data", d], "");
    assert_eq!(missing.status.code(), Some(1));
    let message = text(&missing.stderr);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("no caredesk store") && message.contains("caredesk init"));
    let no_data = caredesk(&["audit", "verify"], "");
    assert_eq!(no_data.status.code(), Some(2));
    assert!(text(&no_data.stderr).contains("--data"));
}

#[test]
fn audit_verify_counts_and_names_the_first_bad_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let json = init_json(&dir);
    let d = dir.to_str().unwrap();
    let seed = json["audit_seed"].as_str().unwrap();
    let ok = caredesk(&["audit", "verify", "--data", d, "--seed", seed], "");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    assert!(
        text(&ok.stdout).contains("intact: 2 entries"),
        "{}",
        text(&ok.stdout)
    );
    let from_stdin = caredesk(
        &["audit", "verify", "--data", d, "--seed", "-"],
        &format!("{seed}\n"),
    );
    assert_eq!(from_stdin.status.code(), Some(0));
    let bad_seed = caredesk(&["audit", "verify", "--data", d, "--seed", "nonsense"], "");
    assert_eq!(bad_seed.status.code(), Some(1));

    // A checkpoint, then more activity: the checkpoint still matches.
    let cp = caredesk(&["audit", "checkpoint", "--data", d], "");
    assert!(cp.status.success());
    let cp_file = tmp.path().join("cp.json");
    std::fs::write(&cp_file, &cp.stdout).unwrap();
    caredesk(&["audit", "export", "--data", d, "--format", "csv"], "");
    let with_cp = caredesk(
        &[
            "audit",
            "verify",
            "--data",
            d,
            "--checkpoint",
            cp_file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(with_cp.status.code(), Some(0), "{}", text(&with_cp.stdout));

    // Alter the init record's action in place.
    {
        let raw = RawStore::open(&dir).unwrap();
        let tree = raw.tree(AUDIT_TREE).unwrap();
        let mut record = AuditRecord::decode(&tree.get(record_key(1)).unwrap().unwrap()).unwrap();
        if let RecordBody::Sealed(e) = &mut record.body {
            e.action = "nothing".into();
        }
        tree.insert(record_key(1), record.encode()).unwrap();
        raw.db.flush().unwrap();
    }
    let bad = caredesk(&["audit", "verify", "--data", d], "");
    assert_eq!(bad.status.code(), Some(3));
    assert!(
        text(&bad.stdout).contains("BROKEN at record 1"),
        "{}",
        text(&bad.stdout)
    );
}

#[test]
fn audit_export_writes_jsonl_and_csv_for_a_date_range() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    init_json(&dir);
    let d = dir.to_str().unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let jsonl = caredesk(
        &[
            "audit", "export", "--data", d, "--format", "jsonl", "--from", &today, "--to", &today,
        ],
        "",
    );
    assert!(jsonl.status.success(), "{}", text(&jsonl.stderr));
    let lines: Vec<serde_json::Value> = text(&jsonl.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "init, and this export recorded before it ran"
    );
    assert_eq!(lines[0]["action"], "store.init");
    assert_eq!(lines[1]["action"], "audit.export");
    for key in [
        "seq",
        "time",
        "user",
        "role",
        "os_user",
        "ssh_client",
        "session",
        "subjects",
        "outcome",
        "hash",
    ] {
        assert!(lines[0].get(key).is_some(), "missing {key}");
    }
    let csv = caredesk(&["audit", "export", "--data", d, "--format", "csv"], "");
    let csv_text = text(&csv.stdout);
    assert!(csv_text.starts_with(
        "seq,time,user,role,os_user,ssh_client,session,action,subjects,outcome,detail,hash"
    ));
    assert_eq!(csv_text.lines().count(), 1 + 3);
    let past = caredesk(
        &[
            "audit",
            "export",
            "--data",
            d,
            "--format",
            "csv",
            "--to",
            "2000-01-01",
        ],
        "",
    );
    assert_eq!(text(&past.stdout).lines().count(), 1, "the header alone");
    let backwards = caredesk(
        &[
            "audit",
            "export",
            "--data",
            d,
            "--format",
            "csv",
            "--from",
            "2030-01-02",
            "--to",
            "2030-01-01",
        ],
        "",
    );
    assert_eq!(backwards.status.code(), Some(1));
    assert!(text(&backwards.stderr).contains("earlier date first"));
}

#[test]
fn a_store_in_use_gives_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    init_json(&dir);
    let store = caredesk::store::Store::open(&dir, Default::default()).unwrap();
    let out = caredesk(&["audit", "verify", "--data", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("in use by another caredesk process"),
        "{}",
        text(&out.stderr)
    );
    drop(store);
}

#[test]
fn help_explains_each_command() {
    let out = caredesk(&["--help"], "");
    let help = text(&out.stdout);
    for command in ["init", "audit"] {
        assert!(help.contains(command), "{help}");
    }
    let audit = text(&caredesk(&["audit", "--help"], "").stdout);
    for command in ["verify", "export", "checkpoint"] {
        assert!(audit.contains(command), "{audit}");
    }
}

/// The package's store directory holds only the link to /etc/caredesk/settings.toml
/// when the store is made: `init` takes it, keeps the link, and writes no file of its
/// own over it. A directory of another user's is refused before any password is asked.
#[test]
fn init_takes_a_directory_holding_only_the_settings_link_and_refuses_another_users() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    std::fs::create_dir(&etc).unwrap();
    std::fs::write(
        etc.join("settings.toml"),
        "# the clinic's\n[clinic]\nname = \"Harbour\"\n",
    )
    .unwrap();
    let dir = tmp.path().join("store");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(etc.join("settings.toml"), dir.join("settings.toml")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let shared = std::fs::Permissions::from_mode(0o640);
    std::fs::set_permissions(etc.join("settings.toml"), shared).unwrap();
    init_json(&dir);
    // The store's files are made owner-only; the linked file is not the store's.
    let mode = std::fs::metadata(etc.join("settings.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "init changed the linked file's mode");
    let link = std::fs::symlink_metadata(dir.join("settings.toml")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(etc.join("settings.toml")).unwrap(),
        "# the clinic's\n[clinic]\nname = \"Harbour\"\n"
    );
    // Without a link, `init` writes the commented file.
    let plain = tmp.path().join("plain");
    init_json(&plain);
    let written = std::fs::read_to_string(plain.join("settings.toml")).unwrap();
    assert!(written.starts_with("# caredesk settings"), "{written}");

    // Root making the service account's store would leave files its daemon cannot open.
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    if std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).is_err() {
        assert!(
            !common::ci(),
            "CI runs as root: the owner check must be tested"
        );
        eprintln!("SKIPPED: not root, cannot give a directory to another user");
        return;
    }
    let refused = caredesk(
        &[
            "init",
            "--data",
            theirs.to_str().unwrap(),
            "--admin",
            "admin",
        ],
        "a long enough pass phrase for the test\n",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("belongs to another user"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 0);
}
