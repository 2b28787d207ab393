//! The paper screens: the report preview and the printer choice at both sizes in both
//! languages, and their keys (P, u, d, p on the report; C on a patient; the printer
//! list, the file row).

use crate::common::tui::{
    LANGS, SIZES, app, calls, clinical_patient_screen, patient, press, render, reply, sign_in,
    type_text,
};
use caredesk::auth::Role;
use caredesk::clinic::api::{PatientRef, ReportOutput};
use caredesk::clinic::care::reports::{ClinicalPart, Letterhead, ReportData};
use caredesk::clinic::{Request, Response};
use caredesk::domain::card::Card;
use caredesk::domain::decimal::Decimal;
use caredesk::domain::mask;
use caredesk::domain::observation::Observation;
use caredesk::domain::patient::PatientId;
use caredesk::domain::summary::Period;
use caredesk::domain::tag_rules::AutoTag;
use caredesk::i18n::Lang;
use caredesk::report::output::Sent;
use caredesk::report::print::Printer;
use caredesk::tui::app::{App, Effect, Msg};
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::components::desk::print::{PrintScreen, PrintWhat};
use chrono::NaiveDate;
use crossterm::event::KeyCode;

const ID: PatientId = PatientId([1; 16]);

fn day(y: i32, m: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn report_data() -> ReportData {
    let mut person = patient();
    person.id_number = person.id_number.as_deref().map(mask::id_number);
    person.phone = person.phone.as_deref().map(mask::phone);
    let mut observations = Vec::new();
    for (at, sbp, dbp) in [
        (day(2024, 3, 5), "138", "86"),
        (day(2025, 3, 5), "146", "92"),
        (day(2026, 3, 5), "154", "96"),
    ] {
        for (code, value) in [("8480-6", sbp), ("8462-4", dbp)] {
            observations.push(Observation::typed_in(
                code,
                Decimal::parse(value).unwrap(),
                "mm[Hg]",
                at,
            ));
        }
    }
    ReportData {
        clinic: Letterhead {
            name: "Riverside Health 江畔健康".into(),
            address: "1 River Road 江畔路1号".into(),
            phone: "010-6500 0000".into(),
        },
        layout: Default::default(),
        printed_at: day(2026, 11, 23),
        printed_by: "dr.zhou".into(),
        period: Period {
            from: NaiveDate::from_ymd_opt(2025, 11, 23).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        },
        patient_id: ID,
        patient: person,
        unmasked: false,
        card: Some(Card::new(
            "8860000000017".into(),
            "gold",
            36,
            NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        )),
        units: Default::default(),
        clinical: Some(Box::new(ClinicalPart {
            observations,
            questionnaires: vec![],
            assessments: vec![],
            auto_tags: vec![AutoTag {
                tag: "hypertension".into(),
                rule: "hypertension".into(),
                since: day(2025, 3, 5),
            }],
            advice: vec![],
            plan: None,
            summary: None,
            followup_plans: vec![],
            calls: vec![],
        })),
    }
}

fn open_report(app: &mut App) {
    sign_in(app, Role::Doctor);
    app.show(clinical_patient_screen());
    type_text(app, "P");
    let sent = calls(app);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1,
        Request::ReportCompose {
            patient: PatientRef::Id(ID),
            from: None,
            to: None,
            unmask: false,
            output: ReportOutput::Preview,
        }
    );
    reply(app, sent[0].0, Response::Report(Box::new(report_data())));
}

fn printers() -> Vec<Printer> {
    vec![
        Printer {
            name: "back-office".into(),
            default: true,
        },
        Printer {
            name: "front-desk".into(),
            default: false,
        },
    ]
}

/// The paper job the app just started.
fn paper_job(app: &mut App) -> (u64, Request, ReportOutput) {
    let jobs: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Paper {
                tag,
                request,
                output,
                ..
            } => Some((tag, *request, output)),
            _ => None,
        })
        .collect();
    assert_eq!(jobs.len(), 1, "one paper job");
    jobs.into_iter().next().unwrap()
}

#[test]
fn the_report_preview_and_printer_choice_at_both_sizes_in_both_languages() {
    for (lang, code) in LANGS {
        for (width, height) in SIZES {
            let mut app = app(lang, false);
            open_report(&mut app);
            let shown = render(&mut app, width, height);
            insta::assert_snapshot!(format!("report_{code}_{width}x{height}"), shown);

            type_text(&mut app, "p");
            app.update(Msg::Printers(Ok(printers())));
            let shown = render(&mut app, width, height);
            insta::assert_snapshot!(format!("print_{code}_{width}x{height}"), shown);
        }
    }
}

#[test]
fn the_report_keys_change_the_period_unmask_and_print_or_save() {
    let mut app = app(Lang::En, false);
    open_report(&mut app);
    let shown = render(&mut app, 120, 40);
    assert!(shown.contains("1101**********0017"), "{shown}");
    assert!(shown.contains("Systolic blood pressure"), "{shown}");

    // u: identifiers in full, asked of the service (which audits the choice).
    type_text(&mut app, "u");
    let sent = calls(&mut app);
    assert!(matches!(
        &sent[0].1,
        Request::ReportCompose { unmask: true, .. }
    ));
    let mut full = report_data();
    full.patient.id_number = Some("110105196804120017".into());
    full.unmasked = true;
    reply(&mut app, sent[0].0, Response::Report(Box::new(full)));
    let shown = render(&mut app, 120, 40);
    assert!(
        shown.contains("110105196804120017") && shown.contains("audit log"),
        "{shown}"
    );

    // d: a new period; a reversed one is refused in place.
    type_text(&mut app, "d");
    for _ in 0..12 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2026-06-30");
    press(&mut app, KeyCode::Enter);
    for _ in 0..12 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2026-01-01");
    press(&mut app, KeyCode::Enter);
    assert!(calls(&mut app).is_empty());
    assert!(render(&mut app, 120, 40).contains("the first not after the second"));
    press(&mut app, KeyCode::Up);
    for _ in 0..12 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2025-07-01");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let sent = calls(&mut app);
    assert_eq!(
        sent[0].1,
        Request::ReportCompose {
            patient: PatientRef::Id(ID),
            from: NaiveDate::from_ymd_opt(2025, 7, 1),
            to: NaiveDate::from_ymd_opt(2026, 1, 1),
            unmask: true,
            output: ReportOutput::Preview,
        }
    );

    // p: the printers CUPS reports; Enter prints on the first.
    type_text(&mut app, "p");
    let effects = app.take_effects();
    assert!(effects.iter().any(|e| matches!(e, Effect::Printers)));
    // Nothing to choose while CUPS has not answered.
    press(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    app.update(Msg::Printers(Ok(printers())));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let (tag, request, output) = paper_job(&mut app);
    assert_eq!(output, ReportOutput::Printer("front-desk".into()));
    assert!(matches!(
        request,
        Request::ReportCompose {
            output: ReportOutput::Printer(ref p),
            unmask: true,
            ..
        } if p == "front-desk"
    ));
    app.update(Msg::Paper {
        tag,
        outcome: Ok(Sent::Printer {
            printer: "front-desk".into(),
            job: "front-desk-12".into(),
        }),
    });
    assert!(render(&mut app, 120, 40).contains("Sent to printer front-desk (job front-desk-12)."));

    // The last row: a new PDF file; an existing one is refused before anything is sent.
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Enter);
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("old.pdf");
    std::fs::write(&existing, b"keep").unwrap();
    type_text(&mut app, existing.to_str().unwrap());
    press(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    assert!(render(&mut app, 120, 40).contains("already exists"));
    for _ in 0..existing.to_str().unwrap().chars().count() {
        press(&mut app, KeyCode::Backspace);
    }
    let new = dir.path().join("new.pdf");
    type_text(&mut app, new.to_str().unwrap());
    press(&mut app, KeyCode::Enter);
    let (tag, _, output) = paper_job(&mut app);
    assert_eq!(output, ReportOutput::File(new.display().to_string()));
    app.update(Msg::Paper {
        tag,
        outcome: Err(caredesk::i18n::Text::verbatim(
            "the printer refused the job: out of paper",
        )),
    });
    assert!(render(&mut app, 120, 40).contains("out of paper"));
}

#[test]
fn the_front_desk_prints_a_card_from_the_patient_screen() {
    let mut app = app(Lang::ZhCn, false);
    sign_in(&mut app, Role::FrontDesk);
    app.show(clinical_patient_screen());
    type_text(&mut app, "C");
    let effects = app.take_effects();
    assert!(effects.iter().any(|e| matches!(e, Effect::Printers)));
    let screen = app.shown::<PrintScreen>().expect("the print screen");
    assert_eq!(screen.what, PrintWhat::Card { id: ID });
    app.update(Msg::Printers(Err(
        "CUPS is not installed here (lpstat not found)".into(),
    )));
    let shown = render(&mut app, 80, 24);
    // Said for the desk, not the command line's "--out".
    assert!(
        shown.contains("本机无法打印") && shown.contains("存为PDF文件") && !shown.contains("--out"),
        "{shown}"
    );
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "/tmp/caredesk-card-test-never-written.pdf");
    press(&mut app, KeyCode::Enter);
    let (_, request, _) = paper_job(&mut app);
    assert_eq!(
        request,
        Request::CardPrint {
            patient: PatientRef::Id(ID),
            output: ReportOutput::File("/tmp/caredesk-card-test-never-written.pdf".into()),
        }
    );
}

/// CUPS's answer goes to the print screen that asked: one left before CUPS answered
/// never gets it, and the one opened after gets its own. Leaving for the patient
/// screen fetches the patient's cards again (one may have been issued meanwhile).
#[test]
fn printers_go_to_the_screen_that_asked_and_leaving_refreshes_the_cards() {
    let mut app = app(Lang::En, false);
    sign_in(&mut app, Role::FrontDesk);
    app.show(clinical_patient_screen());
    type_text(&mut app, "C");
    app.take_effects();
    press(&mut app, KeyCode::Esc);
    assert!(
        calls(&mut app)
            .iter()
            .any(|(_, r)| *r == Request::PatientCards { id: ID }),
        "the cards are asked for again"
    );
    assert!(app.shown::<PatientScreen>().is_some());
    type_text(&mut app, "C");
    app.take_effects();
    // The answer for the screen that was left is dropped.
    app.update(Msg::Printers(Err("the first answer".into())));
    let shown = render(&mut app, 80, 24);
    assert!(!shown.contains("the first answer"), "{shown}");
    app.update(Msg::Printers(Ok(printers())));
    let shown = render(&mut app, 80, 24);
    assert!(shown.contains("front-desk"), "{shown}");
}
