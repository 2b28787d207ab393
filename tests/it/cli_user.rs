//! `caredesk user …` as an administrator and a new member of staff use it.

use crate::common;

use std::path::Path;
use std::process::Output;

use crate::common::clinic::{secret_of, totp_code};

const ADMIN_PASSWORD: &str = "correct horse battery staple";

fn caredesk(dir: &Path, args: &[&str], stdin: &str) -> Output {
    common::run_caredesk(Some(dir), args, stdin)
}

use crate::common::text;

struct Admin {
    secret: Vec<u8>,
    recovery_codes: Vec<String>,
}

fn init(dir: &Path) -> Admin {
    let out = caredesk(
        dir,
        &["init", "--admin", "admin", "--json"],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Admin {
        secret: secret_of(json["otpauth_uri"].as_str().unwrap()),
        recovery_codes: json["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect(),
    }
}

fn now_code(secret: &[u8]) -> String {
    totp_code(secret, chrono::Utc::now().timestamp(), 6)
}

#[test]
fn user_list_signs_in_with_a_code_and_refuses_the_same_code_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let admin = init(&dir);
    let credentials = format!("admin\n{ADMIN_PASSWORD}\n{}\n", now_code(&admin.secret));
    let first = caredesk(&dir, &["user", "list"], &credentials);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let listing = text(&first.stdout);
    assert!(listing.starts_with("NAME"), "{listing}");
    assert!(
        listing.contains("admin") && listing.contains("enrolled"),
        "{listing}"
    );
    assert!(text(&first.stderr).contains("Last sign-on: never"));

    let again = caredesk(&dir, &["user", "list"], &credentials);
    assert_eq!(again.status.code(), Some(1));
    // The right password with the code just used: said so, and refused.
    assert!(
        text(&again.stderr).contains("that code was just used"),
        "{}",
        text(&again.stderr)
    );
    assert!(again.stdout.is_empty());

    // The replay is in the audit log as a failed sign-in.
    // The details are sealed: read as an auditor's `--open` export shows them.
    let log = common::opened_audit_log(&dir, "admin", ADMIN_PASSWORD);
    assert!(
        log.lines()
            .any(|l| l.contains("\"action\":\"login\"") && l.contains("TOTP code replayed")),
        "{log}"
    );
}

#[test]
fn an_administrator_adds_a_user_who_activates_and_signs_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let admin = init(&dir);
    let mut codes = admin.recovery_codes.clone().into_iter();
    let mut as_admin = |args: &[&str]| {
        let credentials = format!("admin\n{ADMIN_PASSWORD}\n{}\n", codes.next().unwrap());
        caredesk(&dir, args, &credentials)
    };

    let added = as_admin(&["user", "add", "li.na", "--role", "nurse", "--json"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let json: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["initial_password", "name", "role"]);
    assert_eq!(json["role"], "nurse");
    let initial = json["initial_password"].as_str().unwrap().to_string();

    let duplicate = as_admin(&["user", "add", "li.na", "--role", "doctor"]);
    assert!(text(&duplicate.stderr).contains("already exists"));

    let listed = as_admin(&["user", "list", "--json"]);
    let users: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let li = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "li.na")
        .unwrap();
    assert_eq!(li["status"], "not activated");

    // Li Na activates her account from the command line.
    let weak = caredesk(
        &dir,
        &["user", "activate"],
        &format!("li.na\n{initial}\npassword123\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        text(&weak.stderr).contains("too easy to guess"),
        "{}",
        text(&weak.stderr)
    );
    let new_password = "lanterns drift over the west lake";
    let activated = caredesk(
        &dir,
        &["user", "activate", "--json"],
        &format!("li.na\n{initial}\n{new_password}\n"),
    );
    assert!(activated.status.success(), "{}", text(&activated.stderr));
    let json: serde_json::Value = serde_json::from_slice(&activated.stdout).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["otpauth_uri", "recovery_codes"]);
    assert_eq!(json["recovery_codes"].as_array().unwrap().len(), 10);
    let nurse_secret = secret_of(json["otpauth_uri"].as_str().unwrap());

    // Her first sign-in confirms the enrolment; a nurse may not administer users.
    let as_nurse = caredesk(
        &dir,
        &["user", "list"],
        &format!("li.na\n{new_password}\n{}\n", now_code(&nurse_secret)),
    );
    assert_eq!(as_nurse.status.code(), Some(1));
    assert!(
        text(&as_nurse.stderr).contains("Signed in as li.na"),
        "{}",
        text(&as_nurse.stderr)
    );
    assert!(
        text(&as_nurse.stderr).contains("may not do this"),
        "{}",
        text(&as_nurse.stderr)
    );

    // Roles are the security administrator's (三员分立): the admin is refused, by name.
    let set_role = as_admin(&["user", "set-role", "li.na", "health-manager"]);
    assert_eq!(set_role.status.code(), Some(1));
    assert!(
        text(&set_role.stderr).contains("needs role_admin"),
        "{}",
        text(&set_role.stderr)
    );
    for (args, expect) in [
        (vec!["user", "disable", "li.na"], "Disabled li.na"),
        (vec!["user", "enable", "li.na"], "Enabled li.na"),
        (
            vec!["user", "reset-totp", "li.na"],
            "Reset the TOTP of li.na",
        ),
    ] {
        let out = as_admin(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(expect), "{}", text(&out.stdout));
    }
    let reset = as_admin(&["user", "reset-password", "li.na", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&reset.stdout).unwrap();
    assert!(json["one_time_password"].as_str().unwrap().len() >= 16);

    let listed = as_admin(&["user", "list"]);
    let listing = text(&listed.stdout);
    let line = listing.lines().find(|l| l.starts_with("li.na")).unwrap();
    assert!(
        line.contains("nurse") && line.contains("not activated") && line.contains("pending"),
        "{line}"
    );
}

#[test]
fn credentials_never_come_from_arguments_and_missing_lines_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    init(&dir);
    let out = caredesk(&dir, &["user", "list"], "admin\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("standard input ended before the password"),
        "{}",
        text(&out.stderr)
    );
    let out = caredesk(&dir, &["user", "list", "--password", "x"], "");
    assert_eq!(out.status.code(), Some(2));
}
