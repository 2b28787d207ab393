//! The app's update loop without a terminal: keys in, effects and screens out.

use std::collections::BTreeSet;
use std::time::Duration;

use caredesk::auth::Role;
use caredesk::auth::signon::SignOnNotice;
use caredesk::clinic::api::HomeSummary;
use caredesk::clinic::name_index::PatientRow;
use caredesk::clinic::{Request, Response, Secret, ServiceError, SessionToken, SignedIn};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::tui::app::{App, Effect, Msg, Settings};
use caredesk::tui::keymap::Keymap;
use caredesk::tui::locale::Lang;
use caredesk::tui::screens::{Overlay, Screen};
use caredesk::tui::theme::Theme;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app() -> App {
    let settings = Settings {
        clinic_name: "c".into(),
        demo: false,
        idle_logout: Duration::from_secs(60),
        connection: "local".into(),
        units: Default::default(),
        player: "aplay {file}".into(),
        printer: String::new(),
    };
    App::new(
        Lang::En,
        Keymap::builtin("default").unwrap(),
        Theme { color: false },
        settings,
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    )
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The one service call the last step queued.
fn call(app: &mut App) -> (u64, Request) {
    let calls: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { tag, request } => Some((tag, *request)),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls.into_iter().next().unwrap()
}

/// Types a user name, password and code, and answers the sign-in with `role`.
fn sign_in_as(app: &mut App, role: Role) {
    keys(app, "li.na");
    key(app, KeyCode::Enter);
    keys(app, "pw");
    key(app, KeyCode::Enter);
    keys(app, "1");
    key(app, KeyCode::Enter);
    let (tag, _) = call(app);
    app.update(reply(tag, signed_in(role)));
}

fn reply(tag: u64, response: Response) -> Msg {
    Msg::Reply {
        tag,
        response: Box::new(response),
    }
}

fn signed_in(role: Role) -> Response {
    Response::SignedIn(SignedIn {
        token: SessionToken("t".into()),
        user: "li.na".into(),
        role,
        permissions: caredesk::auth::RoleTable::defaults().permissions(role),
        notice: SignOnNotice::default(),
        recovery_codes_left: None,
        new_recovery_codes: None,
    })
}

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
    assert!(matches!(app.screen, Screen::SetPassword { .. }));

    keys(&mut app, "amber kites above");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "amber kites above!");
    key(&mut app, KeyCode::Enter);
    let Screen::SetPassword { form, .. } = &app.screen else {
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
        Response::Activated {
            otpauth_uri: Secret::new("otpauth://totp/caredesk:li.na?secret=AAAA&issuer=caredesk"),
            recovery_codes: codes,
        },
    ));
    assert!(matches!(app.screen, Screen::Enrol { .. }));

    keys(&mut app, "123456");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert!(
        matches!(request, Request::Login { ref code, ref password, .. } if code.expose() == "123456" && password.expose() == "amber kites above")
    );
    app.update(reply(tag, signed_in(Role::Nurse)));
    let Screen::RecoveryCodes(shown) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(shown.len(), 10);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Home(_)));
}

#[test]
fn replies_to_requests_made_before_a_sign_out_are_dropped() {
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    let (home_tag, request) = call(&mut app);
    assert_eq!(request, Request::HomeSummary);
    app.update(reply(home_tag, Response::Home(HomeSummary::default())));

    key(&mut app, KeyCode::F(3));
    keys(&mut app, "zw");
    key(&mut app, KeyCode::Enter);
    let (search_tag, request) = call(&mut app);
    assert!(matches!(request, Request::PatientSearch { ref query, .. } if query == "zw"));

    // Idle past the limit before the reply arrives.
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(61)));
    let effects = app.take_effects();
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Call { request, .. } if **request == Request::LogoutIdle
    )));
    assert!(effects.iter().any(|e| matches!(e, Effect::ClearTerminal)));
    let row = PatientRow {
        id: PatientId([1; 16]),
        name: "张伟".into(),
        sex: Sex::Male,
        birth_date: None,
        phone: None,
        restricted: false,
        tags: Vec::new(),
        auto_tags: Vec::new(),
    };
    app.update(reply(
        search_tag,
        Response::SearchResults {
            rows: vec![row],
            total: 1,
        },
    ));
    let Screen::Login(form) = &app.screen else {
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
    let found: BTreeSet<_> = app
        .palette_entries()
        .into_iter()
        .map(|(a, _)| a.name())
        .collect();
    assert_eq!(found, BTreeSet::from(["search"]));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Search(_)));
}

#[test]
fn the_exam_day_checks_in_the_selected_booking_and_reloads() {
    use caredesk::clinic::api::BookingKey;
    use caredesk::tui::screens::{Cursor, List, ListKind};
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    let booking = BookingKey {
        date: app.now.date_naive(),
        id: 42,
    };
    app.screen = Screen::List(List {
        kind: ListKind::ExamDay,
        headers: Vec::new(),
        rows: vec![vec!["8 places".into()], vec!["张伟".into()]],
        cursor: Cursor {
            selected: 0,
            offset: 0,
        },
        loading: false,
        bookings: vec![None, Some(booking)],
        date: Some(booking.date),
        prompt: None,
        message: None,
        reviews: Vec::new(),
        alerts: Vec::new(),
        prompt_kind: Default::default(),
    });
    keys(&mut app, "c");
    assert!(
        app.take_effects().is_empty(),
        "a summary row has no booking"
    );
    key(&mut app, KeyCode::Down);
    keys(&mut app, "c");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::ExamCheckIn { booking });
    app.update(reply(tag, Response::Done));
    let (_, reload) = call(&mut app);
    assert!(matches!(reload, Request::ExamDay { .. }));
}

#[test]
fn the_exam_day_reschedules_the_selected_booking_and_pages_through_days() {
    use caredesk::clinic::api::BookingKey;
    use caredesk::tui::screens::{Cursor, List, ListKind};
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    let today = app.now.date_naive();
    let booking = BookingKey { date: today, id: 7 };
    app.screen = Screen::List(List {
        kind: ListKind::ExamDay,
        headers: Vec::new(),
        rows: vec![vec!["8 places".into()], vec!["张伟".into()]],
        cursor: Cursor {
            selected: 1,
            offset: 0,
        },
        loading: false,
        bookings: vec![None, Some(booking)],
        date: Some(today),
        prompt: None,
        message: None,
        reviews: Vec::new(),
        alerts: Vec::new(),
        prompt_kind: Default::default(),
    });
    keys(&mut app, "r");
    // The prompt starts at the next day; a wrong date is refused in place.
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2026-13-01");
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    assert!(list.prompt.as_ref().unwrap().error.is_some());
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2026-11-30");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    assert_eq!(request, Request::ExamReschedule { booking, date });
    // The day is full: the prompt stays open with the reason.
    app.update(reply(
        tag,
        Response::Error(ServiceError::Conflict("no place left".into())),
    ));
    assert!(app.take_effects().is_empty());
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    assert_eq!(
        list.prompt.as_ref().unwrap().error.as_deref(),
        Some("no place left")
    );
    key(&mut app, KeyCode::Esc);
    // ] and [ move the day shown, and reload it.
    keys(&mut app, "]");
    let (_, request) = call(&mut app);
    assert_eq!(
        request,
        Request::ExamDay {
            date: today + chrono::Days::new(1)
        }
    );
    keys(&mut app, "[[");
    let requests: Vec<Request> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { request, .. } => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(
        requests.last(),
        Some(&Request::ExamDay {
            date: today - chrono::Days::new(1)
        })
    );
}

#[test]
fn a_conflicting_amendment_keeps_the_typed_text_and_then_amends_the_newer_value() {
    use caredesk::clinic::PatientView;
    use caredesk::domain::amendment::{Section, SectionValue};
    use caredesk::domain::health::{Allergy, HealthRecord};
    use caredesk::domain::patient::Patient;
    use caredesk::tui::screens::PatientScreen;
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
    app.screen = Screen::Patient(PatientScreen {
        id,
        view: Some(view(&[])),
        cards: None,
        reason: None,
        tag_form: None,
        book_form: None,
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
        Response::Error(ServiceError::Conflict("changed by someone else".into())),
    ));
    let (tag, reload) = call(&mut app);
    assert_eq!(reload, Request::PatientGet { id });
    app.update(reply(tag, Response::Patient(view(&["penicillin"]))));
    let Screen::Record(record) = &app.screen else {
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
    use caredesk::tui::screens::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, Role::Nurse);
    app.take_effects();
    let id = PatientId([4; 16]);
    app.screen = Screen::Patient(PatientScreen {
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
    let Screen::Results(screen) = &app.screen else {
        panic!()
    };
    assert_eq!(screen.series.len(), 1);
    assert_eq!(screen.series[0].points.len(), 3);
    // Left walks back in time and stops at the first result; Right comes back.
    for _ in 0..4 {
        key(&mut app, KeyCode::Left);
    }
    let Screen::Results(screen) = &app.screen else {
        panic!()
    };
    assert_eq!(screen.point, Some(0));
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let Screen::Results(screen) = &app.screen else {
        panic!()
    };
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
fn the_review_list_files_results_under_the_typed_patient_or_explains_why_not() {
    use caredesk::tui::screens::{Cursor, List, ListKind};
    let mut app = app();
    sign_in_as(&mut app, Role::Nurse);
    app.take_effects();
    app.screen = Screen::List(List {
        kind: ListKind::Review,
        headers: Vec::new(),
        rows: vec![vec!["lab.hl7 message 1".into()]],
        cursor: Cursor::default(),
        loading: false,
        bookings: Vec::new(),
        date: None,
        prompt: None,
        message: None,
        reviews: vec![41],
        prompt_kind: Default::default(),
        alerts: Vec::new(),
    });
    keys(&mut app, "m13912345678");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::PatientSearch {
            query: "13912345678".into(),
            limit: 2
        }
    );
    // Nobody has the number: the prompt stays with the reason.
    app.update(reply(
        tag,
        Response::SearchResults {
            rows: vec![],
            total: 0,
        },
    ));
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    assert!(
        list.prompt
            .as_ref()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("No patient")
    );
    key(&mut app, KeyCode::Enter);
    let (tag, _) = call(&mut app);
    let row = PatientRow {
        id: PatientId([9; 16]),
        name: "张伟".into(),
        sex: Sex::Male,
        birth_date: None,
        phone: None,
        restricted: false,
        tags: vec![],
        auto_tags: Vec::new(),
    };
    app.update(reply(
        tag,
        Response::SearchResults {
            rows: vec![row],
            total: 1,
        },
    ));
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::ReviewMatch {
            number: 41,
            id: PatientId([9; 16])
        }
    );
    app.update(reply(tag, Response::Done));
    let (_, reload) = call(&mut app);
    assert_eq!(reload, Request::ReviewList);
    // d asks for a reason, p creates the patient.
    keys(&mut app, "dnot ours");
    key(&mut app, KeyCode::Enter);
    let (_, request) = call(&mut app);
    assert_eq!(
        request,
        Request::ReviewReject {
            number: 41,
            reason: "not ours".into()
        }
    );
}

#[test]
fn advice_is_ticked_edited_and_approved_by_keyboard() {
    use caredesk::clinic::PatientView;
    use caredesk::domain::advice::{Item, Topic};
    use caredesk::domain::patient::Patient;
    use caredesk::tui::screens::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, Role::Doctor);
    app.take_effects();
    let id = PatientId([5; 16]);
    app.screen = Screen::Patient(PatientScreen {
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
        notice: None,
        error: None,
    });
    keys(&mut app, "a");
    let calls: Vec<(u64, Request)> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { tag, request } => Some((tag, *request)),
            _ => None,
        })
        .collect();
    assert_eq!(calls[0].1, Request::AdviceDraft { id, chinese: false });
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

#[test]
fn an_alert_is_acknowledged_from_the_list_with_a_typed_note() {
    use caredesk::clinic::ServiceError;
    use caredesk::clinic::alerts::AlertView;
    use caredesk::store::alerts::{Acknowledgement, AlertKind};
    let mut app = app();
    sign_in_as(&mut app, Role::Auditor);
    app.take_effects();
    // The auditor's menu starts with the alerts.
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::AlertsList { limit: 1000 });
    let alert = |id: u64, acknowledged: Option<Acknowledgement>| AlertView {
        id,
        time_unix: 1_795_430_000,
        kind: AlertKind::OutsideHours,
        subjects: vec!["user:dr.zhou".into()],
        detail: "patient data opened at Sun 22:41 clinic time".into(),
        acknowledged,
    };
    let done = Acknowledgement {
        by: "he.audit".into(),
        time_unix: 1_795_431_000,
        note: "covered a night admission".into(),
    };
    app.update(reply(
        tag,
        Response::Alerts(vec![alert(8, Some(done)), alert(7, None)]),
    ));
    // The first is acknowledged already: a says so and asks nothing.
    keys(&mut app, "a");
    assert!(app.take_effects().is_empty());
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    assert_eq!(
        list.message.as_ref().unwrap().1,
        "This alert is already acknowledged."
    );
    key(&mut app, KeyCode::Down);
    keys(&mut app, "aon call for the ward");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::AlertAcknowledge {
            id: 7,
            note: "on call for the ward".into()
        }
    );
    // Someone was quicker: the prompt keeps the note and says why.
    app.update(reply(
        tag,
        Response::Error(ServiceError::Conflict(
            "alert 7 was already acknowledged by admin".into(),
        )),
    ));
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    let prompt = list.prompt.as_ref().expect("the note stays");
    assert_eq!(prompt.value(0), "on call for the ward");
    assert!(
        prompt
            .error
            .as_deref()
            .unwrap()
            .contains("already acknowledged")
    );
    key(&mut app, KeyCode::Enter);
    let (tag, _) = call(&mut app);
    app.update(reply(tag, Response::Done));
    let (_, reload) = call(&mut app);
    assert_eq!(reload, Request::AlertsList { limit: 1000 });
    let Screen::List(list) = &app.screen else {
        panic!()
    };
    assert!(list.prompt.is_none());
    assert_eq!(list.message.as_ref().unwrap().1, "Alert acknowledged.");
}
