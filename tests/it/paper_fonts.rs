//! Paper never loses a glyph: with a font directory holding only DejaVu Sans (Latin,
//! no Chinese) and Droid Sans Fallback (Chinese, no Latin letters or digits), a card
//! and a report of a clinic with a Chinese name print every character, each in a font
//! that has it, and pdftotext reads the card number, the dates and the Chinese back.
//! With Droid alone the card is refused, naming the package to install, and no file is
//! written. The font directory is built here from the system's font files (`.ci/run`
//! installs fonts-dejavu-core and fonts-droid-fallback).

use std::path::{Path, PathBuf};

use crate::common::clinic::TestClinic;
use crate::common::{ci, pdf_text, require};
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientRef, Registered, ReportOutput};
use caredesk::clinic::{Request, Response};
use caredesk::domain::decimal::Decimal;
use caredesk::domain::observation::Observation;
use caredesk::domain::patient::{Patient, Sex};
use caredesk::i18n::Lang;
use caredesk::report;

const DEJAVU: &[&str] = &["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];
const DROID: &[&str] = &["DroidSansFallbackFull.ttf"];

/// The system's copy of font file `name`, looked for where Debian's font packages put
/// them; a missing one fails the test under CI and skips it elsewhere.
fn system_font(name: &str, package: &str) -> Option<PathBuf> {
    fn find(dir: &Path, name: &str) -> Option<PathBuf> {
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if let Some(found) = find(&path, name) {
                    return Some(found);
                }
            } else if entry.file_name() == name {
                return Some(path);
            }
        }
        None
    }
    let found = ["/usr/share/fonts", "/usr/local/share/fonts"]
        .iter()
        .find_map(|dir| find(Path::new(dir), name));
    assert!(
        found.is_some() || !ci(),
        "{name} is not installed: .ci/run installs {package} (apt-get)"
    );
    if found.is_none() {
        eprintln!("skipped: {name} ({package}) is not installed");
    }
    found
}

/// A directory holding links to exactly these system font files.
fn font_dir(files: &[(&[&str], &str)]) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    for (names, package) in files {
        for name in *names {
            let source = system_font(name, package)?;
            std::os::unix::fs::symlink(&source, dir.path().join(name)).unwrap();
        }
    }
    Some(dir)
}

fn settings(fonts: &Path) -> String {
    format!(
        "[clinic]\nname = \"林氏健康管理中心\"\naddress = \"Harbour Road 18\"\nphone = \"021-5550 1234\"\n\n\
         [report]\nfont_dirs = [\"{}\"]\n",
        fonts.display()
    )
}

/// 林小明 with a card and two blood pressure readings; the card number.
fn patient(t: &TestClinic) -> (caredesk::domain::patient::PatientId, String) {
    let desk = t.sign_in(Role::FrontDesk);
    let lin = Patient {
        name: "林小明".into(),
        sex: Sex::Male,
        birth_date: chrono::NaiveDate::from_ymd_opt(1962, 3, 14),
        phone: Some("13812345678".into()),
        ..Patient::default()
    };
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: lin,
        card_type: "gold".into(),
    }) else {
        panic!("registration refused")
    };
    let doctor = t.sign_in(Role::Doctor);
    for (code, value) in [("8480-6", "148"), ("8462-4", "92")] {
        let o = Observation::typed_in(code, Decimal::parse(value).unwrap(), "mm[Hg]", t.now());
        assert_eq!(
            doctor.call(Request::ObservationAdd { id, observation: o }),
            Response::Done
        );
    }
    (id, card.number)
}

fn card_request(id: caredesk::domain::patient::PatientId, out: &Path) -> Request {
    Request::CardPrint {
        patient: PatientRef::Id(id),
        output: ReportOutput::File(out.display().to_string()),
    }
}

#[test]
fn latin_and_chinese_fonts_share_the_page_and_every_glyph_reads_back() {
    if !require("pdftotext") {
        return;
    }
    let Some(fonts) = font_dir(&[
        (DEJAVU, "fonts-dejavu-core"),
        (DROID, "fonts-droid-fallback"),
    ]) else {
        return;
    };
    let t = TestClinic::with_all_roles_and_settings(Some(&settings(fonts.path())));
    let (id, card) = patient(&t);
    let desk = t.sign_in(Role::FrontDesk);
    let Response::CardDocument(doc) = desk.call(card_request(id, Path::new("card.pdf"))) else {
        panic!("card refused")
    };
    let until = doc.card.valid_until.to_string();
    for lang in [Lang::En, Lang::ZhCn] {
        let pdf = report::card_pdf(&doc, lang).expect("DejaVu and Droid print the card");
        let text = pdf_text(&pdf);
        for piece in [
            "林氏健康管理中心",
            "林小明",
            card.as_str(),
            until.as_str(),
            "gold",
        ] {
            assert!(
                text.contains(piece),
                "{lang:?}: {piece} missing from:\n{text}"
            );
        }
    }

    let doctor = t.sign_in(Role::Doctor);
    let Response::Report(data) = doctor.call(Request::ReportCompose {
        patient: PatientRef::Id(id),
        from: None,
        to: None,
        unmask: false,
        output: ReportOutput::Preview,
    }) else {
        panic!("report refused")
    };
    let today = t.today().to_string();
    let en = pdf_text(&report::health_report_pdf(&data, Lang::En).expect("English report"));
    for piece in [
        "林氏健康管理中心",
        "林小明",
        card.as_str(),
        today.as_str(),
        "Diastolic",
        "148 mmHg",
        "Page 1 of 1",
        "Harbour Road 18",
    ] {
        assert!(en.contains(piece), "{piece} missing from:\n{en}");
    }
    let zh = pdf_text(&report::health_report_pdf(&data, Lang::ZhCn).expect("Chinese report"));
    for piece in ["林小明", "健康报告", "舒张压", "148 mmHg", card.as_str()] {
        assert!(zh.contains(piece), "{piece} missing from:\n{zh}");
    }
}

#[test]
fn dejavu_alone_keeps_every_latin_letter() {
    if !require("pdftotext") {
        return;
    }
    let Some(fonts) = font_dir(&[(DEJAVU, "fonts-dejavu-core")]) else {
        return;
    };
    let settings = format!(
        "[clinic]\nname = \"Demo Health Clinic\"\n\n[report]\nfont_dirs = [\"{}\"]\n",
        fonts.path().display()
    );
    let t = TestClinic::with_all_roles_and_settings(Some(&settings));
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, .. }) = desk.call(Request::PatientRegister {
        patient: Patient {
            name: "David Dunn".into(),
            sex: Sex::Male,
            birth_date: chrono::NaiveDate::from_ymd_opt(1958, 7, 2),
            phone: Some("13887654321".into()),
            ..Patient::default()
        },
        card_type: "basic".into(),
    }) else {
        panic!("registration refused")
    };
    let doctor = t.sign_in(Role::Doctor);
    let o = Observation::typed_in("8462-4", Decimal::parse("92").unwrap(), "mm[Hg]", t.now());
    assert_eq!(
        doctor.call(Request::ObservationAdd { id, observation: o }),
        Response::Done
    );
    let Response::Report(data) = doctor.call(Request::ReportCompose {
        patient: PatientRef::Id(id),
        from: None,
        to: None,
        unmask: false,
        output: ReportOutput::Preview,
    }) else {
        panic!("report refused")
    };
    let text = pdf_text(&report::health_report_pdf(&data, Lang::En).expect("Latin in DejaVu"));
    for piece in ["Demo Health Clinic", "Diastolic", "David Dunn"] {
        assert!(text.contains(piece), "{piece} missing from:\n{text}");
    }
}

#[test]
fn without_a_latin_font_the_card_is_refused_and_no_file_is_written() {
    let Some(fonts) = font_dir(&[(DROID, "fonts-droid-fallback")]) else {
        return;
    };
    let t = TestClinic::with_all_roles_and_settings(Some(&settings(fonts.path())));
    let (id, _) = patient(&t);
    let desk = t.sign_in(Role::FrontDesk);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("card-lin.pdf");
    // The path the print screen and `caredesk card` take: the PDF, then the file.
    for lang in [Lang::En, Lang::ZhCn] {
        let err = report::output::request_pdf(&desk, card_request(id, &path), lang)
            .and_then(|pdf| {
                report::output::send(
                    &pdf,
                    &ReportOutput::File(path.display().to_string()),
                    "member card",
                )
            })
            .expect_err("Droid has no Latin letters or digits");
        assert!(err.to_string().contains("fonts-dejavu-core"), "{err}");
        assert!(
            !err.to_string().contains("fonts-noto-cjk"),
            "Droid prints the Chinese: {err}"
        );
        assert!(
            !err.to_string().contains("林"),
            "the message names no patient text: {err}"
        );
        match lang {
            Lang::En => assert!(err.to_string().contains("Latin letters"), "{err}"),
            Lang::ZhCn => assert!(err.to_string().contains("拉丁字母"), "{err}"),
        }
        assert!(!path.exists(), "no PDF with empty boxes is written");
    }
    // Nothing was given out, so nothing is in the accounting of disclosures: the
    // document was laid out from a preview first.
    let rows = crate::common::clinic::audit_rows(&t.sign_in(Role::Auditor));
    let prints: Vec<&str> = rows
        .iter()
        .filter(|r| r.action == "card.print")
        .map(|r| r.detail.as_str())
        .collect();
    assert!(!prints.is_empty());
    assert!(prints.iter().all(|d| d.starts_with("shown:")), "{prints:?}");
}
