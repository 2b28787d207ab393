//! The app's update loop without a terminal: keys in, effects and screens out.

use caredesk::clinic::api::{Activated, SearchResults};

use crate::common;

use caredesk::auth::Role;
use caredesk::clinic::api::HomeSummary;
use caredesk::clinic::desk::name_index::PatientRow;
use caredesk::clinic::{Request, Response, Secret, ServiceError};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::tui::app::{Effect, Msg};
use caredesk::tui::components::account::enrol::Enrol;
use caredesk::tui::components::account::home::Home;
use caredesk::tui::components::account::login::Login;
use caredesk::tui::components::account::recovery_codes::RecoveryCodes;
use caredesk::tui::components::account::set_password::SetPassword;
use caredesk::tui::components::care::record::RecordScreen;
use caredesk::tui::components::desk::search::Search;
use caredesk::tui::screens::Overlay;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::common::update::*;
use caredesk::tui::app::App;

#[test]
fn first_sign_in_sets_a_password_enrols_and_shows_the_recovery_codes() {
    let mut app = app();
    keys(&mut app, "li.na");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "ABCD-EFGH");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert!(matches!(request, Request::Login { ref user, .. } if user == "li.na"));
    app.update(reply(
        tag,
        Response::Error(ServiceError::PasswordChangeRequired),
    ));
    assert!(app.shown::<SetPassword>().is_some());

    keys(&mut app, "amber kites above");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "amber kites above!");
    key(&mut app, KeyCode::Enter);
    let Some(SetPassword { form, .. }) = app.shown::<SetPassword>() else {
        panic!()
    };
    assert!(form.error.is_some(), "a mismatch is caught before any call");
    assert!(app.take_effects().is_empty());
    keys(&mut app, "amber kites above");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    let Request::Activate {
        one_time_password,
        new_password,
        ..
    } = request
    else {
        panic!()
    };
    assert_eq!(
        (one_time_password.expose(), new_password.expose()),
        ("ABCD-EFGH", "amber kites above")
    );
    let codes = (0..10).map(|i| Secret::new(format!("CODE-{i}"))).collect();
    app.update(reply(
        tag,
        Response::Activated(Activated {
            otpauth_uri: Secret::new("otpauth://totp/caredesk:li.na?secret=AAAA&issuer=caredesk"),
            recovery_codes: codes,
        }),
    ));
    assert!(app.shown::<Enrol>().is_some());

    keys(&mut app, "123456");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert!(
        matches!(request, Request::Login { ref code, ref password, .. } if code.expose() == "123456" && password.expose() == "amber kites above")
    );
    app.update(reply(tag, signed_in(Role::Nurse)));
    let Some(RecoveryCodes(shown)) = app.shown::<RecoveryCodes>() else {
        panic!("{:?}", app.top())
    };
    assert_eq!(shown.len(), 10);
    key(&mut app, KeyCode::Enter);
    assert!(app.shown::<Home>().is_some());
}

#[test]
fn replies_to_requests_made_before_a_sign_out_are_dropped() {
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    let (home_tag, request) = call(&mut app);
    assert_eq!(request, Request::HomeSummary);
    app.update(reply(home_tag, Response::Home(HomeSummary::default())));

    // Asked as it is typed: "z" goes out, "w" waits for its answer.
    key(&mut app, KeyCode::F(3));
    keys(&mut app, "zw");
    let (search_tag, request) = call(&mut app);
    assert!(matches!(request, Request::PatientSearch { ref query, .. } if query == "z"));
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty(), "one question out at a time");

    // Idle past the limit before the reply arrives.
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(61)));
    let effects = app.take_effects();
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Call { request, .. } if **request == Request::LogoutIdle { draft: None }
    )));
    assert!(effects.iter().any(|e| matches!(e, Effect::ClearTerminal)));
    let row = PatientRow {
        id: PatientId([1; 16]),
        name: "张伟".into(),
        sex: Sex::Male,
        birth_date: None,
        phone: None,
        card: None,
        restricted: false,
        tags: Vec::new(),
        auto_tags: Vec::new(),
    };
    app.update(reply(
        search_tag,
        Response::SearchResults(SearchResults {
            rows: vec![row],
            total: 1,
            indexing: None,
        }),
    ));
    let Some(Login { form }) = app.shown::<Login>() else {
        panic!()
    };
    assert!(form.info.as_deref().unwrap().contains("1 min"));
    assert!(app.user.is_none());
}

#[test]
fn any_key_resets_the_idle_clock_and_the_palette_finds_chinese() {
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(50)));
    assert_eq!(app.idle_left(), Some(10));
    key(&mut app, KeyCode::Down);
    assert_eq!(app.idle_left(), Some(60));
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('p'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(app.overlay, Some(Overlay::Palette { .. })));
    keys(&mut app, "患者");
    let found: Vec<_> = app
        .palette_entries()
        .into_iter()
        .map(|entry| entry.command)
        .collect();
    assert_eq!(
        found,
        vec![caredesk::tui::palette::Command::Menu(
            caredesk::tui::components::account::home::MenuItem::Search
        )]
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.shown::<Search>().is_some());
}

#[test]
fn a_conflicting_amendment_keeps_the_typed_text_and_then_amends_the_newer_value() {
    use caredesk::clinic::PatientView;
    use caredesk::domain::amendment::{Section, SectionValue};
    use caredesk::domain::health::{Allergy, HealthRecord};
    use caredesk::domain::patient::Patient;
    use caredesk::tui::components::desk::patient::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, Role::Nurse);
    app.take_effects();
    let id = PatientId([3; 16]);
    let view = |allergies: &[&str]| PatientView {
        id,
        patient: Patient {
            name: "张伟".into(),
            ..Patient::default()
        },
        health: Some(HealthRecord {
            allergies: allergies
                .iter()
                .map(|a| Allergy {
                    substance: a.to_string(),
                    ..Allergy::default()
                })
                .collect(),
            ..HealthRecord::default()
        }),
    };
    app.show(PatientScreen {
        id,
        view: Some(view(&[])),
        cards: None,
        reason: None,
        tag_form: None,
        book_form: None,
        auto_tags: None,
        notice: None,
        error: None,
    });
    key(&mut app, KeyCode::F(4));
    for _ in 0..4 {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "latex; hives; mild");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "found at the exam");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    let Request::HealthAmend {
        before,
        after,
        reason,
        ..
    } = request
    else {
        panic!("{request:?}")
    };
    assert_eq!(before, SectionValue::Allergies(vec![]));
    assert!(matches!(&after, SectionValue::Allergies(a) if a[0].substance == "latex"));
    assert_eq!(reason, "found at the exam");
    // Someone else saved first: the screen says so and reloads what is current.
    app.update(reply(
        tag,
        Response::Error(ServiceError::Conflict(caredesk::i18n::Text::verbatim(
            "changed by someone else",
        ))),
    ));
    let (tag, reload) = call(&mut app);
    assert_eq!(reload, Request::PatientGet { id });
    app.update(reply(tag, Response::Patient(view(&["penicillin"]))));
    let Some(record) = app.shown::<RecordScreen>() else {
        panic!()
    };
    let editor = record.editor.as_ref().expect("the editor stays open");
    assert_eq!(editor.section, Section::Allergies);
    assert_eq!(editor.form.fields[0].value, "latex; hives; mild");
    assert!(editor.form.error.is_some());
    // Saving again amends the newer value.
    key(&mut app, KeyCode::Enter);
    let (_, request) = call(&mut app);
    let Request::HealthAmend { before, .. } = request else {
        panic!()
    };
    assert!(matches!(before, SectionValue::Allergies(a) if a[0].substance == "penicillin"));
}

#[test]
fn the_results_screen_loads_walks_in_time_and_sends_a_typed_result() {
    use caredesk::clinic::PatientView;
    use caredesk::domain::decimal::Decimal;
    use caredesk::domain::observation::{LOINC, ObsValue, Observation, Source, SourceKind};
    use caredesk::domain::patient::Patient;
    use caredesk::tui::components::desk::patient::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, Role::Nurse);
    app.take_effects();
    let id = PatientId([4; 16]);
    app.show(PatientScreen {
        id,
        view: Some(PatientView {
            id,
            patient: Patient {
                name: "李娜".into(),
                ..Patient::default()
            },
            health: None,
        }),
        cards: None,
        reason: None,
        tag_form: None,
        book_form: None,
        auto_tags: None,
        notice: None,
        error: None,
    });
    keys(&mut app, "r");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::Observations { id, code: None });
    let hba1c = |value: &str, year: i64| Observation {
        system: LOINC.into(),
        code: "4548-4".into(),
        display: None,
        value: ObsValue::Quantity {
            value: Decimal::parse(value).unwrap(),
            comparator: None,
        },
        unit: Some("%".into()),
        range: Default::default(),
        flags: vec![],
        taken_at: 1_600_000_000 + year * 31_557_600,
        status: None,
        source: Source {
            kind: SourceKind::Hl7,
            reference: "lab".into(),
        },
    };
    app.update(reply(
        tag,
        Response::Observations(vec![hba1c("7.9", 0), hba1c("7.1", 1), hba1c("6.6", 2)]),
    ));
    let screen = shown_results(&app);
    assert_eq!(screen.series.len(), 1);
    assert_eq!(screen.series[0].points.len(), 3);
    // Left walks back in time and stops at the first result; Right comes back.
    for _ in 0..4 {
        key(&mut app, KeyCode::Left);
    }
    let screen = shown_results(&app);
    assert_eq!(screen.point, Some(0));
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let screen = shown_results(&app);
    assert_eq!(screen.point, None, "back at the latest");
    // a: the form starts on the value, with the indicator and unit filled in.
    keys(&mut app, "a6.3");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    for _ in 0..16 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2026-11-20 08:15");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    let Request::ObservationAdd { observation, .. } = request else {
        panic!("{request:?}")
    };
    assert_eq!(observation.code, "4548-4");
    assert_eq!(observation.value.text(), "6.3");
    assert_eq!(observation.unit.as_deref(), Some("%"));
    app.update(reply(tag, Response::Done));
    let (_, reload) = call(&mut app);
    assert_eq!(reload, Request::Observations { id, code: None });
}

#[test]
fn advice_is_ticked_edited_and_approved_by_keyboard() {
    use caredesk::clinic::PatientView;
    use caredesk::domain::advice::{Item, Topic};
    use caredesk::domain::patient::Patient;
    use caredesk::tui::components::desk::patient::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, Role::Doctor);
    app.take_effects();
    let id = PatientId([5; 16]);
    app.show(PatientScreen {
        id,
        view: Some(PatientView {
            id,
            patient: Patient::default(),
            health: None,
        }),
        cards: None,
        reason: None,
        tag_form: None,
        book_form: None,
        auto_tags: None,
        notice: None,
        error: None,
    });
    keys(&mut app, "a");
    let calls = common::tui::calls(&mut app);
    assert_eq!(
        calls[0].1,
        Request::AdviceDraft {
            id,
            lang: caredesk::i18n::Lang::En
        }
    );
    let item = |template: &str, topic, text: &str| Item {
        template: template.into(),
        topic,
        text: text.into(),
    };
    app.update(reply(
        calls[0].0,
        Response::AdviceDraft(vec![
            item("salt", Topic::Diet, "Less salt."),
            item("activity", Topic::Exercise, "Walk more."),
        ]),
    ));
    // Leave the first out, rewrite the second, approve.
    keys(&mut app, " ");
    key(&mut app, KeyCode::Down);
    keys(&mut app, "e");
    keys(&mut app, " 30 minutes a day.");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let (_, request) = call(&mut app);
    assert_eq!(
        request,
        Request::AdviceApprove {
            id,
            items: vec![item(
                "activity",
                Topic::Exercise,
                "Walk more. 30 minutes a day."
            )]
        }
    );
}

/// The shown screen as the results screen.
fn shown_results(app: &App) -> &caredesk::tui::components::results::trends::ResultsScreen {
    app.shown().expect("the results screen")
}
