//! The PIPL commands as a clinic's script runs them on the demo clinic: the notice
//! printed as a PDF that poppler reads in both languages, and a record provided to
//! another processor only for a patient who consented to it (by record number).

use std::process::Command;

use crate::common::daemon::credentials;
use crate::common::tmux::demo_store;
use crate::common::{require, run_caredesk, text};

const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");

fn pdftotext(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_notice_prints_in_both_languages_with_its_version_and_the_officer() {
    if !require("pdftotext") {
        return;
    }
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    for (lang, title, officer_label) in [
        ("zh-CN", "个人信息处理告知书", "个人信息保护负责人"),
        ("en", "personal information", "The person responsible"),
    ] {
        let out_path = tmp.path().join(format!("notice-{lang}.pdf"));
        let out = run_caredesk(
            None,
            &[
                "notice",
                "--data",
                data,
                "--lang",
                lang,
                "--out",
                out_path.to_str().unwrap(),
            ],
            &credentials(DESK),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let read = pdftotext(&out_path).replace('\n', " ");
        for expected in [
            title,
            officer_label,
            "李敏",
            "2026-12",
            "Demo Health Clinic",
        ] {
            assert!(read.contains(expected), "{lang}: {expected} in {read}");
        }
        // Written once: the same file is not overwritten.
        let again = run_caredesk(
            None,
            &[
                "notice",
                "--data",
                data,
                "--out",
                out_path.to_str().unwrap(),
            ],
            &credentials(DESK),
        );
        assert!(!again.status.success());
        assert!(text(&again.stderr).contains("already exists"));
    }
}

#[test]
fn a_record_is_provided_to_others_only_with_the_patient_s_consent() {
    let (_tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    // The demo's first patient consented to provision; the second did not.
    let provide = |record_number: &str| {
        run_caredesk(
            None,
            &[
                "export",
                "patient",
                record_number,
                "--data",
                data,
                "--format",
                "fhir",
                "--to",
                "北京朝阳医院 心内科",
                "--purpose",
                "referral 转诊",
            ],
            &credentials(DOCTOR),
        )
    };
    let given = provide("11010500100100001");
    assert!(given.status.success(), "{}", text(&given.stderr));
    let bundle: serde_json::Value = serde_json::from_slice(&given.stdout).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    let identifiers = bundle["entry"][0]["resource"]["identifier"].to_string();
    assert!(
        identifiers.contains("urn:oid:2.16.156.10011.1.2")
            && identifiers.contains("11010500100100001"),
        "{identifiers}"
    );
    let refused = provide("11010500100100002");
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    assert!(
        said.contains("PIPL art. 23") && said.contains("F5"),
        "{said}"
    );
    assert!(
        refused.stdout.is_empty(),
        "nothing of the record is written"
    );
    // --to without --purpose is a usage error before anyone signs in.
    let half = run_caredesk(
        None,
        &[
            "export",
            "patient",
            "11010500100100001",
            "--data",
            data,
            "--format",
            "fhir",
            "--to",
            "X",
        ],
        "",
    );
    assert_eq!(half.status.code(), Some(2), "{}", text(&half.stderr));
}
