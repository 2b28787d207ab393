//! The health report and the member card: what the service lets each role print
//! (masked identifiers, clinical sections only for clinical roles, audited as a
//! disclosure naming the printer or file), and the PDFs themselves, opened with
//! poppler (pdftotext, pdftoppm, pdfinfo) and the card's codes read back by zbarimg.

use crate::common;
use caredesk::clinic::api::Registered;

use std::path::Path;
use std::process::Command;

use crate::common::clinic::{TestClinic, audit_rows};
use crate::common::{pdf_text, require};
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientRef, ReportOutput};
use caredesk::clinic::care::reports::ReportData;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::decimal::Decimal;
use caredesk::domain::observation::Observation;
use caredesk::domain::patient::{IdType, Patient, PatientId, Sex};
use caredesk::i18n::Lang;
use caredesk::report::{self, Paper};

const DAY: i64 = 86_400;
const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13912345678";

/// 王芳 with a resident ID, a card, three years of blood pressure and glucose.
fn patient_with_history(t: &TestClinic) -> (PatientId, String) {
    let desk = t.sign_in(Role::FrontDesk);
    let wang = Patient {
        name: "王芳".into(),
        sex: Sex::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1949, 12, 31),
        phone: Some(PHONE.into()),
        id_type: IdType::ResidentId,
        id_number: Some(ID_NUMBER.into()),
        ..Patient::default()
    };
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: wang,
        card_type: "gold".into(),
    }) else {
        panic!("registration refused")
    };
    let doctor = t.sign_in(Role::Doctor);
    let start = t.now() - 3 * 365 * DAY;
    for (year, sbp, glucose) in [(0, "132", "5.6"), (1, "141", "6.2"), (2, "152", "6.9")] {
        let at = start + year * 365 * DAY + DAY;
        for (code, value, unit) in [
            ("8480-6", sbp, "mm[Hg]"),
            ("8462-4", "88", "mm[Hg]"),
            ("1558-6", glucose, "mmol/L"),
        ] {
            let o = Observation::typed_in(code, Decimal::parse(value).unwrap(), unit, at);
            assert_eq!(
                doctor.call(Request::ObservationAdd { id, observation: o }),
                Response::Done
            );
        }
    }
    (id, card.number)
}

fn compose(
    client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>,
    id: PatientId,
    unmask: bool,
    output: ReportOutput,
) -> Response {
    client.call(Request::ReportCompose {
        patient: PatientRef::Id(id),
        from: None,
        to: None,
        unmask,
        output,
    })
}

fn report_of(response: Response) -> Box<ReportData> {
    match response {
        Response::Report(data) => data,
        other => panic!("{other:?}"),
    }
}

#[test]
fn identifiers_are_masked_unless_chosen_and_every_print_is_audited() {
    let t = TestClinic::with_all_roles();
    let (id, card) = patient_with_history(&t);
    let doctor = t.sign_in(Role::Doctor);
    let data = report_of(compose(&doctor, id, false, ReportOutput::Preview));
    assert_eq!(
        data.patient.id_number.as_deref(),
        Some("1101**********002X")
    );
    assert_eq!(data.patient.phone.as_deref(), Some("139****5678"));
    assert_eq!(data.card.as_ref().map(|c| c.number.clone()), Some(card));
    let clinical = data
        .clinical
        .as_ref()
        .expect("a doctor reads clinical data");
    assert_eq!(clinical.observations.len(), 9);

    let full = report_of(compose(
        &doctor,
        id,
        true,
        ReportOutput::Printer("front-desk".into()),
    ));
    assert_eq!(full.patient.id_number.as_deref(), Some(ID_NUMBER));
    assert!(full.unmasked);
    report_of(compose(
        &doctor,
        id,
        false,
        ReportOutput::File("/tmp/wang.pdf".into()),
    ));

    let auditor = t.sign_in(Role::Auditor);
    let rows = audit_rows(&auditor);
    let of = |action: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.action == action)
            .map(|r| r.detail.clone())
            .collect()
    };
    assert_eq!(
        of("report.preview"),
        ["shown: health report to screen preview"]
    );
    assert_eq!(
        of("report.print"),
        [
            "disclosure: health report to printer=front-desk; unmasked=true",
            "disclosure: health report to file=/tmp/wang.pdf",
        ]
    );
    // Ids only: never the name or the numbers.
    for row in rows.iter().filter(|r| r.action.starts_with("report.")) {
        let line = format!("{row:?}");
        assert!(
            !line.contains("王芳") && !line.contains(ID_NUMBER),
            "{line}"
        );
        assert_eq!(row.subjects, [id.to_string()]);
    }
}

#[test]
fn each_role_prints_only_what_it_may_see() {
    // The front desk may print reports here, but still reads no clinical data.
    let t = TestClinic::new_with_settings(Some(
        "[roles]\nfront_desk = [\"patient_search\", \"demographics_read\", \"demographics_write\", \"card_manage\", \"report_print\"]\n",
    ));
    let mut t = t;
    let admin = t.sign_in(Role::Admin);
    for role in [Role::FrontDesk, Role::Doctor, Role::Auditor] {
        t.add_user(&admin, &common::clinic::role_user(role), role);
    }
    let (id, card) = patient_with_history(&t);
    let desk = t.sign_in(Role::FrontDesk);
    let data = report_of(compose(&desk, id, false, ReportOutput::Preview));
    assert!(
        data.clinical.is_none(),
        "no clinical part for the front desk"
    );
    let pdf = report::health_report_pdf(&data, Lang::En);
    if let Ok(pdf) = &pdf {
        // Printed, it says why the clinical sections are missing.
        if require("pdftotext") {
            let text = pdf_text(pdf);
            assert!(text.contains("identity only"), "{text}");
            assert!(!text.contains("Systolic"), "{text}");
        }
    }
    // The card is the front desk's; the doctor may not print one, and the auditor
    // neither reports nor cards.
    let card_doc = desk.call(Request::CardPrint {
        patient: PatientRef::Key(card.clone()),
        output: ReportOutput::Printer("desk".into()),
    });
    assert!(matches!(card_doc, Response::CardDocument(ref d) if d.card.number == card));
    let doctor = t.sign_in(Role::Doctor);
    assert!(matches!(
        doctor.call(Request::CardPrint {
            patient: PatientRef::Id(id),
            output: ReportOutput::Preview,
        }),
        Response::Error(ServiceError::Denied { .. })
    ));
    let auditor = t.sign_in(Role::Auditor);
    assert!(matches!(
        compose(&auditor, id, false, ReportOutput::Preview),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn bad_requests_name_the_problem() {
    let t = TestClinic::with_all_roles();
    let (id, _) = patient_with_history(&t);
    let doctor = t.sign_in(Role::Doctor);
    let reversed = doctor.call(Request::ReportCompose {
        patient: PatientRef::Id(id),
        from: chrono::NaiveDate::from_ymd_opt(2026, 5, 1),
        to: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        unmask: false,
        output: ReportOutput::Preview,
    });
    let Response::Error(e) = reversed else {
        panic!("{reversed:?}")
    };
    assert!(e.to_string().contains("swap the dates"), "{e}");
    let unknown = compose_key(&doctor, "8860999999999");
    let Response::Error(e) = unknown else {
        panic!("{unknown:?}")
    };
    assert!(e.to_string().contains("card, ID or phone number"), "{e}");
}

fn compose_key(
    client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>,
    key: &str,
) -> Response {
    client.call(Request::ReportCompose {
        patient: PatientRef::Key(key.into()),
        from: None,
        to: None,
        unmask: false,
        output: ReportOutput::Preview,
    })
}

/// pdfinfo's "Pages:" and "Page size:" lines.
fn pdf_info(path: &Path) -> (usize, String) {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_default()
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// Renders every page with pdftoppm; returns how many images it made.
fn rendered_pages(path: &Path, resolution: u32) -> Vec<std::path::PathBuf> {
    let prefix = path.with_extension("");
    let out = Command::new("pdftoppm")
        .args(["-r", &resolution.to_string(), "-png"])
        .arg(path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut pages: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "png")
                && p.file_name().unwrap().to_string_lossy().starts_with(&stem)
        })
        .collect();
    pages.sort();
    pages
}

/// Checks one PDF whole: every page renders, the text holds every expected piece.
pub fn check_pdf(pdf: &[u8], expected: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let (pages, _) = pdf_info(&path);
    assert!(pages >= 1);
    let images = rendered_pages(&path, 40);
    assert_eq!(images.len(), pages, "pdftoppm rendered every page");
    for image in &images {
        assert!(
            std::fs::metadata(image).unwrap().len() > 1000,
            "{image:?} is blank"
        );
    }
    let text = pdf_text(pdf);
    for piece in expected {
        assert!(text.contains(piece), "{piece:?} missing from:\n{text}");
    }
    text
}

#[test]
fn english_and_chinese_reports_read_back_through_poppler() {
    if !require("pdftotext") || !require("pdftoppm") || !require("pdfinfo") {
        return;
    }
    let t = TestClinic::with_all_roles();
    let (id, card) = patient_with_history(&t);
    let doctor = t.sign_in(Role::Doctor);
    let data = report_of(compose(&doctor, id, false, ReportOutput::Preview));
    let en = report::health_report_pdf(&data, Lang::En).expect("a CJK font is installed");
    let text = check_pdf(
        &en,
        &[
            "王芳",
            &card,
            "1101**********002X",
            "139****5678",
            "Systolic blood pressure",
            "152 mmHg",
            "141 mmHg",
            "6.9 mmol/L",
            "High",
            "Confidential",
            "Page 1 of",
            "Doctor's signature",
            "Trends",
        ],
    );
    assert!(
        !text.contains(ID_NUMBER),
        "the ID number is masked on paper"
    );
    let zh = report::health_report_pdf(&data, Lang::ZhCn).unwrap();
    check_pdf(
        &zh,
        &[
            "王芳",
            &card,
            "健康报告",
            "收缩压",
            "152 mmHg",
            "空腹血糖",
            "偏高",
            "保密",
            "第 1 页",
        ],
    );
}

#[test]
fn letter_paper_is_selectable() {
    if !require("pdfinfo") {
        return;
    }
    let t = TestClinic::with_all_roles();
    let (id, _) = patient_with_history(&t);
    let doctor = t.sign_in(Role::Doctor);
    let mut data = report_of(compose(&doctor, id, false, ReportOutput::Preview));
    let dir = tempfile::tempdir().unwrap();
    for (paper, size) in [(Paper::A4, "595.28 x 841.89"), (Paper::Letter, "612 x 792")] {
        data.layout.paper = paper;
        let path = dir.path().join(format!("{paper:?}.pdf"));
        std::fs::write(&path, report::health_report_pdf(&data, Lang::En).unwrap()).unwrap();
        let (_, page_size) = pdf_info(&path);
        assert!(page_size.starts_with(size), "{paper:?}: {page_size}");
    }
}

#[test]
fn the_card_barcode_and_qr_code_decode_to_the_card_number() {
    if !require("pdftoppm") || !require("zbarimg") || !require("pdfinfo") {
        return;
    }
    let t = TestClinic::with_all_roles();
    let (id, card) = patient_with_history(&t);
    let desk = t.sign_in(Role::FrontDesk);
    let Response::CardDocument(doc) = desk.call(Request::CardPrint {
        patient: PatientRef::Id(id),
        output: ReportOutput::File("card.pdf".into()),
    }) else {
        panic!()
    };
    for lang in [Lang::En, Lang::ZhCn] {
        let pdf = report::card_pdf(&doc, lang).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("card.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let (pages, size) = pdf_info(&path);
        assert_eq!(pages, 1);
        assert!(
            size.starts_with("242.646 x 153.071"),
            "ID-1 card size: {size}"
        );
        let text = pdf_text(&pdf);
        for piece in ["王芳", card.as_str(), "gold"] {
            assert!(text.contains(piece), "{piece} missing: {text}");
        }
        let images = rendered_pages(&path, 300);
        let out = Command::new("zbarimg")
            .args(["--quiet", "--raw"])
            .arg(&images[0])
            .output()
            .unwrap();
        let decoded = String::from_utf8_lossy(&out.stdout);
        let codes: Vec<&str> = decoded.lines().collect();
        assert_eq!(codes, [card.as_str(), card.as_str()], "Code 128 and QR");
    }
}

#[test]
fn chinese_without_a_cjk_font_names_what_to_install() {
    let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if !Path::new(latin).exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("fonts-dejavu-core is not installed: .ci/run installs it");
        }
        eprintln!("skipped: no DejaVu Sans");
        return;
    }
    let t = TestClinic::with_all_roles();
    let (id, _) = patient_with_history(&t);
    let doctor = t.sign_in(Role::Doctor);
    let mut data = report_of(compose(&doctor, id, false, ReportOutput::Preview));
    data.layout.font = latin.into();
    // No installed font to fall back on: an empty font directory.
    let no_fonts = tempfile::tempdir().unwrap();
    data.layout.font_dirs = vec![no_fonts.path().display().to_string()];
    let err = report::health_report_pdf(&data, Lang::En).unwrap_err();
    assert!(err.to_string().contains("fonts-noto-cjk"), "{err}");
    // A patient with a Latin name prints with the Latin font alone.
    data.patient.name = "Mary Smith".into();
    data.clinic.name = "Harbour Clinic".into();
    data.clinic.address = "1 Quay Street".into();
    report::health_report_pdf(&data, Lang::En).expect("Latin text in a Latin font");
}

#[test]
fn a_file_that_cannot_be_written_is_refused_before_anything_is_disclosed() {
    use caredesk::report::output::deliver;
    let t = TestClinic::with_all_roles();
    let (_, card) = patient_with_history(&t);
    let desk = t.sign_in(Role::FrontDesk);
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("kept.pdf");
    std::fs::write(&existing, b"a clerk's own file").unwrap();
    let nowhere = dir.path().join("no such folder").join("card.pdf");
    for (path, why) in [
        (nowhere.clone(), "does not exist"),
        (dir.path().to_path_buf(), "is a folder"),
        (existing.clone(), "already exists"),
    ] {
        let refused = deliver(
            &desk,
            Request::CardPrint {
                patient: PatientRef::Key(card.clone()),
                output: ReportOutput::File(path.display().to_string()),
            },
            Lang::En,
            &ReportOutput::File(path.display().to_string()),
            "member card",
        )
        .unwrap_err();
        assert!(refused.to_string().contains(why), "{refused}");
    }
    assert!(!nowhere.exists());
    assert_eq!(std::fs::read(&existing).unwrap(), b"a clerk's own file");
    // Nothing was asked, so nothing is in the accounting of disclosures.
    let rows = audit_rows(&t.sign_in(Role::Auditor));
    assert!(
        !rows.iter().any(|r| r.action == "card.print"),
        "{:?}",
        rows.iter().map(|r| &r.action).collect::<Vec<_>>()
    );
}
