//! The security administrator's commands: `caredesk role …` on a clinic's commented
//! settings file (the change lands in `[roles]` and nothing else in the file moves),
//! and `key add-file`, which never leaves a slot whose key was not written.

use crate::common::daemon::credentials;
use crate::common::{run_caredesk, small_demo_store, text};

const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");

#[test]
fn the_security_administrator_sets_a_role_and_the_files_comments_stay() {
    let (_tmp, dir) = small_demo_store();
    let d = dir.to_str().unwrap();
    // The demo's file is the commented default with the clinic's values; the admin
    // adds a note of their own at the top.
    let path = dir.join("settings.toml");
    let before = format!(
        "# Reviewed by Li Min, 2026-11-02: nurses read clinical notes.\n{}",
        std::fs::read_to_string(&path).unwrap()
    );
    assert!(before.contains("\n#name = \"caredesk\"\n"), "{before}");
    std::fs::write(&path, &before).unwrap();

    let wanted = "patient_search demographics_read clinical_read follow_up_work";
    let mut args = vec!["role", "set", "nurse"];
    args.extend(wanted.split(' '));
    args.extend(["--data", d]);
    let set = run_caredesk(None, &args, &credentials(SECURITY));
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(
        text(&set.stdout).contains("nurse now holds:"),
        "{}",
        text(&set.stdout)
    );

    let after = std::fs::read_to_string(&path).unwrap();
    let nurse_line = "nurse = [\"patient_search\", \"demographics_read\", \"clinical_read\", \"follow_up_work\"]";
    assert!(
        after.contains(&format!("[roles]\n{nurse_line}\n")),
        "{after}"
    );
    assert_eq!(
        after.replacen(&format!("[roles]\n{nurse_line}\n"), "[roles]\n", 1),
        before,
        "only the nurse's line was added"
    );

    let list = run_caredesk(
        None,
        &["role", "list", "--json", "--data", d],
        &credentials(SECURITY),
    );
    assert!(list.status.success(), "{}", text(&list.stderr));
    let table: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        table["nurse"],
        serde_json::json!([
            "patient_search",
            "demographics_read",
            "clinical_read",
            "follow_up_work"
        ])
    );

    // The system administrator may not (三员分立); the file is untouched.
    let refused = run_caredesk(
        None,
        &["role", "set", "nurse", "patient_search", "--data", d],
        &credentials(ADMIN),
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);

    // A permission that does not exist: the command line is wrong, and says which are.
    let unknown = run_caredesk(
        None,
        &[
            "role",
            "set",
            "nurse",
            "patient_search",
            "fly\u{202e}",
            "--data",
            d,
        ],
        "",
    );
    assert_eq!(unknown.status.code(), Some(2));
    let message = text(&unknown.stderr);
    assert!(
        message.contains("is not a permission") && message.contains("clinical_read"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn a_key_file_that_cannot_be_written_leaves_no_key_slot_behind() {
    let (tmp, dir) = small_demo_store();
    let d = dir.to_str().unwrap();
    let slots = |stdin: &str| {
        let list = run_caredesk(None, &["key", "list", "--data", d], stdin);
        assert!(list.status.success(), "{}", text(&list.stderr));
        text(&list.stdout).lines().count()
    };
    let before = slots(&credentials(SECURITY));
    // The file is there already: refused before anyone signs in, no slot made.
    let existing = tmp.path().join("server.key");
    std::fs::write(&existing, "the clinic's key file\n").unwrap();
    let refused = run_caredesk(
        None,
        &[
            "key",
            "add-file",
            "server",
            "--out",
            existing.to_str().unwrap(),
            "--data",
            d,
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("never overwritten"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "the clinic's key file\n"
    );
    // A sign-in that fails leaves neither a slot nor an empty file.
    let fresh = tmp.path().join("fresh.key");
    let wrong = run_caredesk(
        None,
        &[
            "key",
            "add-file",
            "server",
            "--out",
            fresh.to_str().unwrap(),
            "--data",
            d,
        ],
        "zhao.an\nnot the password\n000000\n",
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!fresh.exists());
    assert_eq!(slots(&credentials(SECURITY)), before);
}
