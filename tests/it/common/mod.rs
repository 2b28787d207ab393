//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod clinic;
pub mod daemon;
pub mod ssh;
pub mod tmux;
pub mod tui;
pub mod update;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use caredesk::audit::{Actor, AuditEvent, Clock, Outcome};
use caredesk::domain::patient::{Patient, Sex};
use caredesk::store::{self, Store, StoreOptions, Unlock, Vault};
use chrono::{DateTime, NaiveDate, Utc};

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "correct horse battery staple";

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn starting_at(unix_secs: i64) -> Self {
        Self(Arc::new(AtomicI64::new(unix_secs * 1000)))
    }

    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }

    pub fn clock(&self) -> Clock {
        let ms = self.0.clone();
        Arc::new(move || DateTime::<Utc>::from_timestamp_millis(ms.load(Ordering::SeqCst)).unwrap())
    }
}

pub fn options_with(clock: &ManualClock, epoch_seconds: u64) -> StoreOptions {
    StoreOptions {
        clock: clock.clock(),
        epoch_seconds,
        ..StoreOptions::default()
    }
}

pub fn actor() -> Actor {
    Actor {
        user: Some(ADMIN.into()),
        role: Some("admin".into()),
        os_user: "tester".into(),
        ssh_client: None,
        session: Some("s1".into()),
    }
}

pub fn event(action: &str) -> AuditEvent {
    AuditEvent::new(actor(), action, Outcome::Ok)
}

/// The audit log as `audit export --format jsonl` writes it, its sealed details opened
/// with the store's keys (as an auditor's `--open` export shows them).
pub fn opened_audit_log(dir: &Path, user: &str, password: &str) -> String {
    let store = Store::open(dir, StoreOptions::default()).expect("open");
    let keys = store
        .unlock(Unlock::Password {
            user,
            password: password.as_bytes(),
        })
        .expect("unlock");
    let vault = Vault::new(store, keys);
    let mut out = Vec::new();
    caredesk::audit::export::export(
        vault.store().audit().tree(),
        &vault,
        None,
        None,
        caredesk::audit::export::Format::Jsonl,
        &mut out,
    )
    .expect("export");
    String::from_utf8(out).expect("utf-8")
}

/// A new store under `parent/store`, unlocked.
pub fn new_store(parent: &Path, options: StoreOptions) -> (PathBuf, Vault) {
    let dir = parent.join("store");
    let (vault, _) = store::init(&dir, ADMIN, PASSWORD, options, actor()).expect("init");
    (dir, vault)
}

pub fn unlock(dir: &Path, options: StoreOptions) -> Vault {
    let store = Store::open(dir, options).expect("open");
    let keys = store
        .unlock(Unlock::Password {
            user: ADMIN,
            password: PASSWORD.as_bytes(),
        })
        .expect("unlock");
    Vault::new(store, keys)
}

/// A patient whose sex is the one their ID number records (a woman when it records
/// none), as the service checks.
pub fn patient(name: &str, phone: &str, id_number: &str) -> Patient {
    Patient {
        name: name.into(),
        sex: caredesk::domain::identity::sex_of_id_number(id_number).unwrap_or(Sex::Female),
        birth_date: NaiveDate::from_ymd_opt(1968, 4, 12),
        phone: Some(phone.into()),
        id_number: Some(id_number.into()),
        restricted: false,
        ..Patient::default()
    }
}

/// `--crypto-suite NAME` for a command that makes a store (`init`, `demo`) when the
/// tests run under a suite (`CAREDESK_TEST_CRYPTO_SUITE`): the stores the binary makes
/// then share this process's suite, so the same tests run under both.
pub fn suite_flag(args: &[&str]) -> Vec<String> {
    match (args.first(), std::env::var("CAREDESK_TEST_CRYPTO_SUITE")) {
        (Some(&"init" | &"demo"), Ok(name)) if !args.contains(&"--crypto-suite") => {
            vec!["--crypto-suite".into(), name]
        }
        _ => Vec::new(),
    }
}

/// Runs the real binary with `stdin`, and `CAREDESK_DATA` set to `data` (or unset).
pub fn run_caredesk(data: Option<&Path>, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_caredesk"));
    match data {
        Some(dir) => command.env("CAREDESK_DATA", dir),
        None => command.env_remove("CAREDESK_DATA"),
    };
    let mut child = command
        .args(args)
        .args(suite_flag(args))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments may exit before reading: that is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A record section of plain entries (allergies, illnesses, medicines) by name.
pub fn entries(
    section: caredesk::domain::amendment::Section,
    names: &[&str],
) -> caredesk::domain::amendment::SectionValue {
    use caredesk::domain::amendment::{Section, SectionValue};
    use caredesk::domain::health::{Allergy, Condition, Medication};
    let names = names.iter().map(|n| n.to_string());
    match section {
        Section::Allergies => SectionValue::Allergies(
            names
                .map(|substance| Allergy {
                    substance,
                    ..Allergy::default()
                })
                .collect(),
        ),
        Section::PastIllnesses => SectionValue::PastIllnesses(
            names
                .map(|name| Condition {
                    name,
                    ..Condition::default()
                })
                .collect(),
        ),
        Section::Medications => SectionValue::Medications(
            names
                .map(|name| Medication {
                    name,
                    ..Medication::default()
                })
                .collect(),
        ),
        other => panic!("no plain entries in {other:?}"),
    }
}

/// Amends one section of plain entries from empty, as a clinician would.
pub fn amend_entries(
    client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>,
    id: caredesk::domain::patient::PatientId,
    section: caredesk::domain::amendment::Section,
    names: &[&str],
) -> caredesk::clinic::Response {
    client.call(caredesk::clinic::Request::HealthAmend {
        id,
        before: entries(section, &[]),
        after: entries(section, names),
        reason: "recorded at the intake interview".into(),
    })
}

/// The sample data written by others (HL7 v2, FHIR, Synthea CSV), kept in the
/// repository with its sources and licences (`tests/fixtures/shared/SOURCES.md`): a
/// clone anywhere tests on its own.
pub fn sample_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shared")
}

/// Sets `key = value` (a TOML value) in `[section]` of `DIR/settings.toml` as an
/// administrator edits the commented file `init` writes: the line goes under the
/// section's header, replacing the setting or its commented default (`#key = …`); a
/// file without the section gets it at the end.
pub fn set_setting(dir: &Path, section: &str, key: &str, value: &str) {
    let path = dir.join("settings.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let header = format!("[{section}]");
    let setting = format!("{key} = {value}");
    let mut lines: Vec<String> = Vec::new();
    let mut in_section = false;
    let mut placed = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_section = line.trim() == header;
            lines.push(line.to_string());
            if in_section && !placed {
                lines.push(setting.clone());
                placed = true;
            }
            continue;
        }
        let bare = line.trim_start_matches('#').trim_start();
        let same_key = bare.split_once('=').is_some_and(|(k, _)| k.trim() == key);
        if in_section && same_key && !line.starts_with("# ") {
            continue;
        }
        lines.push(line.to_string());
    }
    if !placed {
        lines.push(String::new());
        lines.push(header);
        lines.push(setting);
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// A five-patient demo store made by the binary (the demo's users, passwords and TOTP
/// secrets are known), for command-line tests; `tmux::demo_store` is the larger one.
pub fn small_demo_store() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let made = run_caredesk(
        None,
        &[
            "demo",
            "--data",
            dir.to_str().unwrap(),
            "--patients",
            "5",
            "--no-tui",
        ],
        "",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    (tmp, dir)
}

/// Whether this is a CI run, where a missing system program fails a test.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A system program a test needs (on PATH or in /usr/sbin): under CI its absence
/// fails the test loudly; elsewhere the test says it skipped.
pub fn require(program: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("command -v {program} || test -x /usr/sbin/{program}"),
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || !ci(),
        "{program} is not installed: .ci/run installs it (apt-get)"
    );
    if !found {
        eprintln!("skipped: {program} is not installed");
    }
    found
}

/// The text poppler reads from a PDF.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
