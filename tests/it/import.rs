//! `caredesk import patients`: 10 000 rows with bad rows reported by line, duplicates
//! skipped and counted, GB18030 files with a column mapping, one audit event.

use crate::common;

use std::path::Path;
use std::process::Output;

use crate::common::clinic::{secret_of, totp_code};
use caredesk::demo::Generator;
use caredesk::domain::patient::Sex;

const PASSWORD: &str = "correct horse battery staple";

fn caredesk(dir: &Path, args: &[&str], stdin: &str) -> Output {
    common::run_caredesk(Some(dir), args, stdin)
}

use crate::common::text;

/// A new store; returns its admin's TOTP secret and recovery codes.
fn init(dir: &Path) -> (Vec<u8>, Vec<String>) {
    let out = caredesk(
        dir,
        &["init", "--admin", "admin", "--json"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = json["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret_of(json["otpauth_uri"].as_str().unwrap()), codes)
}

/// The sex as a spreadsheet may spell it: letters or Chinese, taking turns.
fn sex_text(i: usize, sex: Sex) -> &'static str {
    match (sex, i % 2) {
        (Sex::Male, 0) => "M",
        (Sex::Male, _) => "男",
        (_, 0) => "F",
        (_, _) => "女",
    }
}

#[test]
fn ten_thousand_rows_import_with_bad_rows_reported_by_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (secret, _) = init(&dir);

    let mut generator = Generator::new(7);
    let mut csv = String::from("\u{feff}name,sex,birth_date,phone,id_number,address,card_type\n");
    let mut good = Vec::new();
    // The generator may repeat an ID number, or a mobile with a birth date: those rows
    // are duplicates too, and counted as such.
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_phones = std::collections::HashSet::new();
    let mut generated_duplicates = 0;
    for i in 0..10_000 {
        let p = generator.patient();
        let id = p.id_number.clone().unwrap();
        let phone = (p.phone.clone().unwrap(), p.birth_date.unwrap());
        if seen_ids.contains(&id) || seen_phones.contains(&phone) {
            generated_duplicates += 1;
        } else {
            seen_ids.insert(id);
            seen_phones.insert(phone);
        }
        let row = format!(
            "{},{},{},{},{},\"{}\",{}\n",
            p.name,
            sex_text(i, p.sex),
            p.birth_date.unwrap(),
            p.phone.clone().unwrap(),
            p.id_number.clone().unwrap(),
            p.address.clone().unwrap(),
            ["basic", "silver", "gold", ""][i % 4]
        );
        good.push(row.clone());
        csv.push_str(&row);
    }
    // Line numbers count the header as line 1.
    let bad = [
        (",F,1980-01-01,13900000001,,,basic\n", "name"),
        (
            "Bad Id,F,1980-01-01,13900000002,110105198001010011,,basic\n",
            "check character",
        ),
        ("Bad Date,F,1980-13-01,13900000003,,,basic\n", "birth_date"),
        ("Bad Phone,M,1980-01-01,12345,,,basic\n", "mobile"),
        (
            "Bad Card,M,1980-01-01,13900000004,,,platinum\n",
            "card type",
        ),
        ("Bad Sex,X,1980-01-01,13900000005,,,basic\n", "sex"),
    ];
    for (row, _) in &bad {
        csv.push_str(row);
    }
    csv.push_str(&good[17]); // the same person twice in the file
    csv.push('\n'); // a blank line is ignored
    // Saved as a spreadsheet on Windows saves it: CRLF line ends, which once made every
    // reported line one short.
    let file = tmp.path().join("patients.csv");
    std::fs::write(&file, csv.replace('\n', "\r\n")).unwrap();

    let credentials = format!(
        "admin\n{PASSWORD}\n{}\n",
        totp_code(&secret, chrono::Utc::now().timestamp(), 6)
    );
    let started = std::time::Instant::now();
    let out = caredesk(
        &dir,
        &["import", "patients", file.to_str().unwrap()],
        &credentials,
    );
    eprintln!(
        "10 000 rows imported in {:.1} s (debug build)",
        started.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let mut lines = report.lines();
    let expected = format!(
        "imported {}, duplicates {}, rejected 6",
        10_000 - generated_duplicates,
        generated_duplicates + 1
    );
    assert_eq!(lines.next(), Some(expected.as_str()), "{report}");
    for (n, (_, reason)) in bad.iter().enumerate() {
        let line = lines.next().unwrap();
        assert!(
            line.starts_with(&format!("line {}: ", 10_002 + n)),
            "{line}"
        );
        assert!(
            line.to_lowercase().contains(reason),
            "{line} should mention {reason}"
        );
    }

    // One audit event with the counts, no names.
    // The details are sealed: read as an auditor's `--open` export shows them.
    let log = common::opened_audit_log(&dir, "admin", PASSWORD);
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let imports: Vec<_> = events
        .iter()
        .filter(|e| e["action"] == "patient.import")
        .collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(
        imports[0]["detail"],
        format!(
            "rows=10007 imported={} duplicates={} rejected=6",
            10_000 - generated_duplicates,
            generated_duplicates + 1
        )
    );
    assert!(!log.contains(good[0].split(',').next().unwrap()));
}

#[test]
fn a_gb18030_file_with_chinese_headers_imports_through_a_mapping_and_duplicates_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (_, codes) = init(&dir);
    let csv = "姓名,性别,出生日期,手机,身份证号\n张伟,男,1968-04-12,13912345678,110105196804120017\n王芳,女,1949-12-31,13987654321,11010519491231002X\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(csv);
    let file = tmp.path().join("old-system.csv");
    std::fs::write(&file, bytes.as_ref()).unwrap();
    let mapping = tmp.path().join("mapping.toml");
    std::fs::write(&mapping, "[columns]\nname = \"姓名\"\nsex = \"性别\"\nbirth_date = \"出生日期\"\nphone = \"手机\"\nid_number = \"身份证号\"\n").unwrap();
    let args = [
        "import",
        "patients",
        file.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ];

    let first = caredesk(&dir, &args, &format!("admin\n{PASSWORD}\n{}\n", codes[0]));
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout).trim(),
        "imported 2, duplicates 0, rejected 0"
    );
    // Importing the same file again finds both already registered.
    let second = caredesk(&dir, &args, &format!("admin\n{PASSWORD}\n{}\n", codes[1]));
    assert_eq!(
        text(&second.stdout).trim(),
        "imported 0, duplicates 2, rejected 0"
    );

    // Without the mapping the file has no "name" column: one clear line.
    let unmapped = caredesk(
        &dir,
        &["import", "patients", file.to_str().unwrap()],
        &format!("admin\n{PASSWORD}\n{}\n", codes[2]),
    );
    assert_eq!(unmapped.status.code(), Some(1));
    assert!(
        text(&unmapped.stderr).contains("no column \"name\""),
        "{}",
        text(&unmapped.stderr)
    );
    // Forced UTF-8 on a GB18030 file says so.
    let forced = caredesk(
        &dir,
        &[
            "import",
            "patients",
            file.to_str().unwrap(),
            "--encoding",
            "utf-8",
        ],
        "",
    );
    assert!(
        text(&forced.stderr).contains("not UTF-8"),
        "{}",
        text(&forced.stderr)
    );

    // A one-person clinic whose admin is also its privacy officer grants the export
    // (the default keeps the admin out of clinical records).
    common::set_setting(
        &dir,
        "roles",
        "admin",
        "[\"user_admin\", \"settings_admin\", \"backup_run\", \"alerts_read\", \"patient_import\", \"results_import\", \"restricted_manage\", \"patient_erase\", \"patient_export\"]",
    );
    // The admin, as privacy officer, exports one of them as FHIR by phone number.
    let exported = caredesk(
        &dir,
        &["export", "patient", "13912345678", "--format", "fhir"],
        &format!("admin\n{PASSWORD}\n{}\n", codes[3]),
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let bundle: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"][0]["resource"]["name"][0]["text"], "张伟");
    let json = caredesk(
        &dir,
        &[
            "export",
            "patient",
            "110105196804120017",
            "--format",
            "json",
        ],
        &format!("admin\n{PASSWORD}\n{}\n", codes[4]),
    );
    let export: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(export["format"], "caredesk-patient-export/2");
    assert_eq!(export["cards"].as_array().unwrap().len(), 1);
}

#[test]
fn hl7_samples_import_from_the_command_line_with_counts_and_never_values() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (secret, _) = init(&dir);
    let samples = common::sample_data().join("hl7");
    let mut files: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let credentials = |step: i64| {
        format!(
            "admin\n{PASSWORD}\n{}\n",
            totp_code(&secret, chrono::Utc::now().timestamp() + step * 30, 6)
        )
    };
    let mut args = vec!["import", "hl7", "--create-patients"];
    args.extend(files.iter().map(String::as_str));
    let out = caredesk(&dir, &args, &credentials(0));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "not read: nodehl7c__valid__realm__realm-cj-badloinc.hl7 message 1 (1234567890), OBX 1, OBX-3: xx625-4 is not a valid LOINC code"
        ),
        "{stdout}"
    );
    // A message without results is refused whole; one bad result is not.
    assert!(
        stdout.contains(
            "rejected: nodehl7c__valid__athena-health__oru-example.hl7 message 1, OBX: the message has no results"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("messages 23: imported"), "{stdout}");
    for value in ["182", "EVERYWOMAN", "Johnson", "spherocytes"] {
        assert!(!stdout.contains(value), "{value} printed:\n{stdout}");
    }
    // The import touched many patients: their risks and tags were recomputed in the
    // background, and finished before the command ended (as the system, audited).
    let log = common::opened_audit_log(&dir, "admin", PASSWORD);
    let reevaluated: usize = log
        .lines()
        .filter(|l| l.contains("health.reevaluate") && l.contains("trigger=results.import"))
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).unwrap();
            row["subjects"].as_array().unwrap().len()
        })
        .sum();
    assert!(reevaluated > 1, "{log}");
    // Again, as a script would: nothing new, JSON with the contract's keys.
    args.push("--json");
    let out = caredesk(&dir, &args, &credentials(1));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["messages"], 23);
    assert_eq!(summary["imported"], 0, "{summary}");
    assert_eq!(summary["duplicates"], 70);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["rejections"].as_array().unwrap().len(), 1);
    assert_eq!(summary["rejections"][0]["place"], "OBX");
    assert_eq!(summary["unread"], 2);
    assert_eq!(summary["unread_results"][0]["place"], "OBX 2, OBX-3");
}

#[test]
fn an_unattended_import_signs_in_with_a_key_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (secret, _) = init(&dir);
    // A clinic with one administrator, who holds the key powers too by its choice.
    std::fs::write(
        dir.join("settings.toml"),
        "[security]\nmerge_admin_duties = true\n",
    )
    .unwrap();
    let key_file = tmp.path().join("lab.key");
    let out = caredesk(
        &dir,
        &[
            "key",
            "add-file",
            "lab-import",
            "--out",
            key_file.to_str().unwrap(),
        ],
        &format!(
            "admin\n{PASSWORD}\n{}\n",
            totp_code(&secret, chrono::Utc::now().timestamp(), 6)
        ),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let sample = common::sample_data().join("hl7/pythonhl7__samples_sample_hl7.hl7");
    let args = [
        "import",
        "hl7",
        "--key-file",
        key_file.to_str().unwrap(),
        "--json",
        sample.to_str().unwrap(),
    ];
    // No user, no password, no code: the key file alone.
    let out = caredesk(&dir, &args, "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["unmatched"], 1);
    // A key file others may read is refused, saying how to fix it.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = caredesk(&dir, &args, "");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("chmod 600"),
        "{}",
        text(&out.stderr)
    );
    // The audit names the system principal.
    let log = common::opened_audit_log(&dir, "admin", PASSWORD);
    assert!(
        log.lines()
            .any(|l| l.contains("results.import") && l.contains("system:lab-import")),
        "{log}"
    );
}
