//! The 健康体检表 screen: snapshots of the list and the editor at both sizes in both
//! languages, and what its keys send (a draft for today, the typed form checked before
//! it is saved, the print screen for the selected form).

use std::collections::BTreeMap;

use crate::common;
use crate::common::tui::{
    app, calls, clinical_patient_screen, press, reply, save_key, sign_in, type_text,
};
use caredesk::auth::Role;
use caredesk::clinic::results::exam_form::{ExamDraft, ExamSaved};
use caredesk::clinic::{Request, Response};
use caredesk::domain::basic_info::Declared;
use caredesk::domain::decimal::Decimal;
use caredesk::domain::exam_form::{Answer, ExamForm, ExamVersion};
use caredesk::i18n::Lang;
use caredesk::tui::app::App;
use chrono::NaiveDate;
use crossterm::event::KeyCode;

fn number(text: &str) -> Answer {
    Answer::Number(Decimal::parse(text).unwrap())
}

fn codes(list: &[&str]) -> Answer {
    Answer::Codes(list.iter().map(|c| c.to_string()).collect())
}

fn exam(number_of: u32, day: u32) -> ExamVersion {
    let mut form = ExamForm::new(NaiveDate::from_ymd_opt(2026, 11, day).unwrap());
    form.doctor = "周医生".into();
    form.answers = BTreeMap::from([
        ("symptoms".into(), codes(&["3", "13"])),
        ("temperature".into(), number("36.6")),
        ("bp_left_systolic".into(), number("142")),
        ("bp_left_diastolic".into(), number("88")),
        ("weight".into(), number("71.5")),
        ("smoking".into(), codes(&["1"])),
        (
            "occupational_exposure".into(),
            Answer::Declared(Declared::None),
        ),
        ("dorsalis_pedis".into(), codes(&["2"])),
        ("urine_protein".into(), codes(&["2"])),
        ("evaluation".into(), codes(&["2"])),
        ("abnormalities".into(), Answer::Text("血压偏高".into())),
        ("guidance".into(), codes(&["1", "2"])),
    ]);
    ExamVersion {
        number: number_of,
        form,
        by: "dr.zhou".into(),
        at: 1_795_000_000,
    }
}

/// The doctor on the patient's examination forms, two of them loaded.
fn open_exams(app: &mut App) {
    sign_in(app, Role::Doctor);
    app.show(clinical_patient_screen());
    type_text(app, "e");
    let call = calls(app);
    assert!(matches!(call[0].1, Request::ExamList { .. }));
    let mut older = exam(1, 2);
    older.form.answers.remove("abnormalities");
    older
        .form
        .answers
        .insert("evaluation".into(), codes(&["1"]));
    reply(app, call[0].0, Response::Exams(vec![older, exam(2, 24)]));
}

/// A new form drafted for today, its results filled in.
fn open_draft(app: &mut App) {
    open_exams(app);
    type_text(app, "n");
    let call = calls(app);
    let Request::ExamDraft { date, .. } = call[0].1 else {
        panic!("{:?}", call[0].1)
    };
    let mut form = ExamForm::new(date);
    form.answers.insert("weight".into(), number("71.5"));
    form.answers.insert("haemoglobin".into(), number("142"));
    reply(
        app,
        call[0].0,
        Response::ExamDraft(Box::new(ExamDraft {
            form,
            filled: vec!["weight".into(), "haemoglobin".into()],
        })),
    );
    // On the symptoms: the form's list is shown above.
    press(app, KeyCode::Tab);
    press(app, KeyCode::Tab);
}

type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("exams", open_exams),
        ("exam_draft", open_draft),
        ("exam_wrong_row", |app| {
            open_draft(app);
            type_text(app, "无症状, 头痛");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            type_text(app, "98.6");
            save_key(app);
        }),
    ]
}

#[test]
fn the_exam_screens_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}

#[test]
fn a_typed_form_is_checked_then_saved_and_the_list_read_again() {
    let mut app = app(Lang::ZhCn, false);
    open_draft(&mut app);
    type_text(&mut app, "头晕, 13");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "９８.６");
    save_key(&mut app);
    // The wrong temperature is marked and nothing is sent.
    assert!(calls(&mut app).is_empty());
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "36.8");
    save_key(&mut app);
    let call = calls(&mut app);
    let Request::ExamSave {
        number: saved,
        base,
        form,
        ..
    } = &call[0].1
    else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!((*saved, *base), (None, 0));
    assert_eq!(form.answers["symptoms"], codes(&["3", "13"]));
    assert_eq!(form.answers["temperature"], number("36.8"));
    assert_eq!(form.answers["weight"], number("71.5"));
    reply(
        &mut app,
        call[0].0,
        Response::ExamSaved(ExamSaved {
            number: 3,
            results_added: 1,
        }),
    );
    assert!(matches!(calls(&mut app)[0].1, Request::ExamList { .. }));
}

#[test]
fn enter_edits_the_selected_form_from_its_versions_and_p_prints_it() {
    let mut app = app(Lang::En, false);
    open_exams(&mut app);
    // Newest first: number 2; Down selects number 1.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    save_key(&mut app);
    let call = calls(&mut app);
    let Request::ExamSave {
        number, base, form, ..
    } = &call[0].1
    else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!((*number, *base), (Some(1), 1));
    assert_eq!(form.date.to_string(), "2026-11-02");
    // Back on the list, p opens the print screen for the selected form.
    reply(
        &mut app,
        call[0].0,
        Response::ExamSaved(ExamSaved {
            number: 1,
            results_added: 0,
        }),
    );
    let call = calls(&mut app);
    reply(
        &mut app,
        call[0].0,
        Response::Exams(vec![exam(1, 2), exam(2, 24)]),
    );
    type_text(&mut app, "p");
    let screen = common::tui::render(&mut app, 80, 24);
    assert!(screen.contains("health examination form"), "{screen}");
}
