//! `caredesk report` and `caredesk card` run as a clinic's script would, on the demo
//! clinic: PDFs in English and Chinese read back by poppler, the card's codes decoded,
//! bad input refused with the reason, and a report printed through a real CUPS queue
//! (a cups-pdf virtual printer) whose output PDF holds the patient's name.

use crate::common;
use caredesk::clinic::api::SearchResults;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::daemon::{card, credentials};
use crate::common::tmux::demo_store;
use crate::common::{ci, require};
use crate::common::{run_caredesk, text};
use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::store::StoreOptions;

const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");
const MANAGER: (&str, &str) = ("sun.hm", "demo manager harbour lantern");
const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");
const NURSE: (&str, &str) = ("chen.jing", "demo nurse harbour lantern");
pub(crate) const PRINTER: &str = "caredesk-test-pdf";

/// The name on a card, read through the service as the nurse (a different user from
/// the ones the commands sign in as, so each TOTP code is used once).
fn name_of(dir: &Path, card: &str) -> String {
    let clinic = Arc::new(Clinic::open(dir, StoreOptions::default()).unwrap());
    let client = Signed::new(InProcess::new(clinic, Origin::this_process()));
    let signed = client.call(Request::Login {
        user: NURSE.0.into(),
        password: Secret::new(NURSE.1),
        code: Secret::new(crate::common::daemon::unused_code(NURSE.0)),
    });
    assert!(matches!(signed, Response::SignedIn(_)), "{signed:?}");
    let Response::SearchResults(SearchResults { rows, .. }) = client.call(Request::PatientSearch {
        query: card.into(),
        limit: 5,
    }) else {
        panic!("search refused")
    };
    client.call(Request::Logout);
    rows[0].name.clone()
}

/// `caredesk report --patient KEY --data DIR --out FILE [extra …]`, signed in as `who`.
fn report_file(
    data: &str,
    key: &str,
    out: &Path,
    extra: &[&str],
    who: (&str, &str),
) -> std::process::Output {
    let mut args = vec!["report", "--patient", key, "--data", data];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    run_caredesk(None, &args, &credentials(who))
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    text(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo names the pages")
}

fn render_all(path: &Path) -> Vec<PathBuf> {
    let prefix = path.with_extension("page");
    let out = Command::new("pdftoppm")
        .args(["-r", "300", "-png"])
        .arg(path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut images: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&stem))
        .collect();
    images.sort();
    images
}

#[test]
fn report_and_card_commands_write_pdfs_that_poppler_reads() {
    if !["pdftotext", "pdftoppm", "pdfinfo", "zbarimg"]
        .iter()
        .all(|p| require(p))
    {
        return;
    }
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let card = card();
    let en = tmp.path().join("en.pdf");
    let zh = tmp.path().join("zh.pdf");
    let card_pdf = tmp.path().join("card.pdf");

    let out = report_file(data, &card, &en, &[], DOCTOR);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("health report written to"));
    let period = [
        "--lang",
        "zh-CN",
        "--from",
        "2020-01-01",
        "--to",
        "2026-06-30",
    ];
    let out = report_file(data, &card, &zh, &period, MANAGER);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The key from standard input: out of the process list.
    let out = run_caredesk(
        None,
        &[
            "card",
            "--patient",
            "-",
            "--data",
            data,
            "--out",
            card_pdf.to_str().unwrap(),
        ],
        &format!("{card}\n{}", credentials(DESK)),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let name = name_of(&dir, &card);
    let english = pdftotext(&en);
    for piece in [
        name.as_str(),
        card.as_str(),
        "Systolic blood pressure",
        "mmHg",
        "Confidential",
    ] {
        assert!(english.contains(piece), "{piece} missing:\n{english}");
    }
    let chinese = pdftotext(&zh);
    for piece in [
        name.as_str(),
        card.as_str(),
        "收缩压",
        "2020-01-01 – 2026-06-30",
        "保密",
    ] {
        assert!(chinese.contains(piece), "{piece} missing:\n{chinese}");
    }
    // Indicator values: the systolic row of the table, a reading with its unit.
    let reading = |l: &str| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words
            .windows(2)
            .any(|w| w[1] == "mmHg" && w[0].parse::<u32>().is_ok_and(|v| (70..260).contains(&v)))
    };
    assert!(
        english
            .lines()
            .any(|l| l.contains("Systolic blood pressure") && reading(l)),
        "no systolic reading:\n{english}"
    );
    for pdf in [&en, &zh] {
        assert_eq!(render_all(pdf).len(), pages(pdf), "every page renders");
    }
    let images = render_all(&card_pdf);
    let decoded = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&images[0])
        .output()
        .unwrap();
    assert_eq!(
        text(&decoded.stdout).lines().collect::<Vec<_>>(),
        [card.as_str(), card.as_str()]
    );
    assert!(pdftotext(&card_pdf).contains(&name));
}

#[test]
fn bad_command_lines_are_refused_with_the_reason_and_nothing_is_lost() {
    let (tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let card = card();
    // Both destinations, or none: the command line is wrong (exit 2).
    let both = run_caredesk(
        None,
        &[
            "report",
            "--patient",
            &card,
            "--data",
            data,
            "--out",
            "x.pdf",
            "--print",
            "p",
        ],
        "",
    );
    assert_eq!(both.status.code(), Some(2), "{}", text(&both.stderr));
    let none = run_caredesk(None, &["card", "--patient", &card, "--data", data], "");
    assert_eq!(none.status.code(), Some(2));
    // An existing file is never replaced.
    let existing = tmp.path().join("keep.pdf");
    std::fs::write(&existing, b"precious").unwrap();
    let refused = report_file(data, &card, &existing, &[], DOCTOR);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("already exists"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
    // A card number nobody has, and a role that may not print reports.
    let out = tmp.path().join("nobody.pdf");
    let unknown = report_file(data, "8860999999999", &out, &[], MANAGER);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("card, ID or phone number"),
        "{}",
        text(&unknown.stderr)
    );
    let denied = report_file(data, &card, &out, &[], DESK);
    assert_eq!(denied.status.code(), Some(1));
    assert!(!out.exists());
}

/// Adds the virtual PDF printer (cups-pdf) if CUPS lacks it; cups-pdf's PPD is found
/// through `lpinfo -m`. The pdftocairo renderer keeps the text searchable.
pub(crate) fn add_pdf_printer() {
    let listed = Command::new("lpstat").arg("-e").output().unwrap();
    if text(&listed.stdout).lines().any(|l| l.trim() == PRINTER) {
        return;
    }
    let models = Command::new("lpinfo").arg("-m").output().unwrap();
    let models = text(&models.stdout);
    let ppd = models
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|m| m.contains("cups-pdf") || m.contains("CUPS-PDF"))
        .expect("cups-pdf's PPD: install printer-driver-cups-pdf")
        .to_string();
    let added = Command::new("lpadmin")
        .args(["-p", PRINTER, "-v", "cups-pdf:/", "-m", &ppd, "-E"])
        .args(["-o", "pdftops-renderer-default=pdftocairo"])
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", text(&added.stderr));
}

/// Where cups-pdf writes for this user (`Out` in cups-pdf.conf; `${HOME}/PDF` by default).
fn cups_pdf_dir() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let conf = std::fs::read_to_string("/etc/cups/cups-pdf.conf").unwrap_or_default();
    let out = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("Out "))
        .unwrap_or("${HOME}/PDF")
        .trim()
        .replace("${HOME}", &home);
    PathBuf::from(out)
}

#[test]
fn reports_and_a_card_printed_through_cups_reach_the_virtual_pdf_printer() {
    if !["lp", "lpstat", "lpadmin", "lpinfo", "pdftotext"]
        .iter()
        .all(|p| require(p))
    {
        return;
    }
    let scheduler = Command::new("lpstat").arg("-r").output().unwrap();
    let running = text(&scheduler.stdout).contains("is running");
    assert!(
        running || !ci(),
        "the CUPS scheduler is not running: .ci/run starts cupsd"
    );
    if !running {
        eprintln!("skipped: cupsd is not running");
        return;
    }
    add_pdf_printer();
    let (_tmp, dir) = demo_store();
    let data = dir.to_str().unwrap();
    let card = card();
    let name = name_of(&dir, &card);
    let report = [
        "report",
        "--patient",
        &card,
        "--data",
        data,
        "--print",
        PRINTER,
    ];
    print_and_find(&report, &[], DOCTOR, "caredesk_health_report", &name);
    print_and_find(
        &report,
        &["--lang", "zh-CN"],
        MANAGER,
        "caredesk_health_report",
        &name,
    );
    let card_args = [
        "card",
        "--patient",
        &card,
        "--data",
        data,
        "--print",
        PRINTER,
    ];
    print_and_find(
        &card_args,
        &["--lang", "zh-CN"],
        DESK,
        "caredesk_member_card",
        &name,
    );
}

/// Prints with `caredesk ARGS EXTRA` as `who`, then waits for cups-pdf's file: its
/// name from the job title (never the patient's), its text holding `name`.
fn print_and_find(args: &[&str], extra: &[&str], who: (&str, &str), title: &str, name: &str) {
    let spool = cups_pdf_dir();
    // cups-pdf reuses a file name per job title: what it wrote since now is the job.
    let started = std::time::SystemTime::now() - Duration::from_secs(1);
    let mut command = args.to_vec();
    command.extend_from_slice(extra);
    let out = run_caredesk(None, &command, &credentials(who));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("sent to printer {PRINTER}")));
    // cups-pdf writes the job when CUPS has run it through its filters.
    let deadline = Instant::now() + Duration::from_secs(60);
    let printed = loop {
        let new: Vec<PathBuf> = std::fs::read_dir(&spool)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p.extension().is_some_and(|e| e == "pdf")
                    && std::fs::metadata(p)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t >= started)
            })
            .collect();
        // A file still being written reads as nothing yet.
        let readable = |p: &PathBuf| {
            Command::new("pdftotext")
                .arg(p)
                .arg("-")
                .output()
                .is_ok_and(|o| o.status.success() && text(&o.stdout).contains(name))
        };
        if let Some(found) = new.iter().find(|p| readable(p)) {
            break found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no printed PDF with the patient's name in {}: {new:?}",
            spool.display()
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let file_name = printed.file_name().unwrap().to_string_lossy().into_owned();
    assert!(file_name.contains(title), "{file_name}");
    assert!(!file_name.contains(name));
    std::fs::remove_file(&printed).unwrap();
}

#[test]
fn a_doctor_previews_a_report_in_the_terminal_and_saves_it_as_pdf() {
    if !common::tmux::available() || !require("pdftotext") {
        return;
    }
    let (tmp, dir) = demo_store();
    let card = card();
    let pane = common::tmux::app_pane("tui-paper", &dir, "");
    common::tmux::sign_in(&pane, "DEMO STORE", DOCTOR.0, DOCTOR.1);
    common::tmux::open_patient(&pane, &card);
    // P: the report as it will print, masked; the preview scrolls.
    pane.type_text("P");
    let preview = pane.wait_for("Indicators");
    assert!(preview.contains("**********"), "masked: {preview}");
    assert!(preview.contains("Health report ·"), "{preview}");
    pane.key("PageDown");
    // p, then the file row (End) and a new file's path.
    pane.type_text("p");
    pane.wait_for("Enter print here");
    pane.key("End");
    pane.key("Enter");
    let path = tmp.path().join("preview.pdf");
    pane.wait_for("The new PDF file to write");
    pane.type_text(path.to_str().unwrap());
    pane.key("Enter");
    pane.wait_for("Written to");
    let printed = pdftotext(&path);
    assert!(
        printed.contains("Health report") && printed.contains(&card),
        "{printed}"
    );
}
