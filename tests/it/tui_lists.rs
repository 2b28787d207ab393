//! The list screens driven by keys: the exam day (check-in, rescheduling), the review
//! list (filing results under a typed patient, rejecting) and the alerts
//! (acknowledging with a note).

use crate::common;
use caredesk::clinic::api::SearchResults;

use crate::common::update::*;
use caredesk::auth::Role;
use caredesk::clinic::desk::name_index::PatientRow;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::tui::app::Effect;

use caredesk::tui::components::list::List;
use crossterm::event::KeyCode;

#[test]
fn the_exam_day_checks_in_the_selected_booking_and_reloads() {
    use caredesk::clinic::api::BookingKey;
    use caredesk::tui::components::list::{List, ListKind};
    use caredesk::tui::screens::Cursor;
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    let booking = BookingKey {
        date: app.now.date_naive(),
        id: 42,
    };
    app.show(List {
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
        review_unread: Vec::new(),
        alerts: Vec::new(),
        prompt_kind: Default::default(),
        rights: Vec::new(),
        rights_draft: Vec::new(),
        retention: Vec::new(),
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
    use caredesk::tui::components::list::{List, ListKind};
    use caredesk::tui::screens::Cursor;
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    let today = app.now.date_naive();
    let booking = BookingKey { date: today, id: 7 };
    app.show(List {
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
        review_unread: Vec::new(),
        alerts: Vec::new(),
        prompt_kind: Default::default(),
        rights: Vec::new(),
        rights_draft: Vec::new(),
        retention: Vec::new(),
    });
    keys(&mut app, "r");
    // The prompt starts at the next day; a wrong date is refused in place.
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "2026-13-01");
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    let Some(list) = app.shown::<List>() else {
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
        Response::Error(ServiceError::Conflict(caredesk::i18n::Text::verbatim(
            "no place left",
        ))),
    ));
    assert!(app.take_effects().is_empty());
    let Some(list) = app.shown::<List>() else {
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
fn the_review_list_files_results_under_the_typed_patient_or_explains_why_not() {
    use caredesk::tui::components::list::{List, ListKind};
    use caredesk::tui::screens::Cursor;
    let mut app = app();
    sign_in_as(&mut app, Role::Nurse);
    app.take_effects();
    app.show(List {
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
        review_unread: Vec::new(),
        prompt_kind: Default::default(),
        rights: Vec::new(),
        rights_draft: Vec::new(),
        retention: Vec::new(),
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
        Response::SearchResults(SearchResults {
            rows: vec![],
            total: 0,
            indexing: None,
        }),
    ));
    let Some(list) = app.shown::<List>() else {
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
    // The reason is shown whole under the prompt, at 80x24.
    {
        let expected = app.t("review.no_patient");
        let screen = crate::common::tui::render(&mut app, 80, 24);
        let flat: String = screen
            .lines()
            .filter_map(|row| {
                row.get(row.find('"')? + 1..row.find("\" Hidden").or(row.rfind('"'))?)
            })
            .flat_map(|row| row.chars())
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect();
        let wanted: String = expected.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains(&wanted), "{screen}");
    }
    key(&mut app, KeyCode::Enter);
    let (tag, _) = call(&mut app);
    let row = PatientRow {
        id: PatientId([9; 16]),
        name: "张伟".into(),
        sex: Sex::Male,
        birth_date: None,
        phone: None,
        card: None,
        restricted: false,
        tags: vec![],
        auto_tags: Vec::new(),
    };
    app.update(reply(
        tag,
        Response::SearchResults(SearchResults {
            rows: vec![row],
            total: 1,
            indexing: None,
        }),
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
fn an_alert_is_acknowledged_from_the_list_with_a_typed_note() {
    use caredesk::clinic::ServiceError;
    use caredesk::clinic::oversight::alerts::AlertView;
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
        detail: caredesk::i18n::Text::verbatim("patient data opened at Sun 22:41 clinic time"),
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
    let Some(list) = app.shown::<List>() else {
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
        Response::Error(ServiceError::Conflict(caredesk::i18n::Text::verbatim(
            "alert 7 was already acknowledged by admin",
        ))),
    ));
    let Some(list) = app.shown::<List>() else {
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
    let Some(list) = app.shown::<List>() else {
        panic!()
    };
    assert!(list.prompt.is_none());
    assert_eq!(list.message.as_ref().unwrap().1, "Alert acknowledged.");
}

#[test]
fn the_privacy_officer_asks_who_looked_at_a_patient_by_card_number() {
    use caredesk::clinic::api::PatientRef;
    use caredesk::clinic::oversight::rights::Access;
    let mut app = app();
    sign_in_as(&mut app, Role::Auditor);
    app.take_effects();
    // Alerts, audit log, then "Who looked at a patient".
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(
        app.take_effects().is_empty(),
        "nothing is asked before the patient"
    );
    keys(&mut app, "8860000000017");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::PatientAccessLog {
            patient: PatientRef::Key("8860000000017".into()),
            from: None
        }
    );
    let access = |action: &str, detail: &str| Access {
        time: "2026-11-23T09:10:00.000Z".into(),
        user: "chen.jing".into(),
        role: "nurse".into(),
        action: action.into(),
        outcome: "ok".into(),
        detail: detail.into(),
        ssh_client: String::new(),
    };
    app.update(reply(
        tag,
        Response::AccessLog(vec![
            access("patient.read", ""),
            access(
                "patient.break_glass",
                "reason: collapsed in the waiting room",
            ),
        ]),
    ));
    let Some(list) = app.shown::<List>() else {
        panic!()
    };
    assert_eq!(list.rows.len(), 2);
    assert_eq!(list.rows[0][3], "patient.break_glass", "newest first");
    assert!(list.rows[0][5].contains("collapsed"));
}

#[test]
fn a_review_row_s_unread_results_are_each_shown_whole_at_80x24() {
    use caredesk::i18n::Lang;
    use caredesk::tui::components::list::{List, ListKind};
    use caredesk::tui::screens::Cursor;
    let unread = [
        "OBX 4, OBX-14: 5334-9 Sodium: not a time",
        "OBX 7, OBX-5: 2951-2 Potassium: not a number",
    ];
    for (lang, heading) in [
        (Lang::En, "Results not read"),
        (Lang::ZhCn, "无法读取的结果"),
    ] {
        let mut app = common::tui::app(lang, false);
        common::tui::sign_in(&mut app, Role::Nurse);
        app.show(List {
            kind: ListKind::Review,
            headers: vec!["From".into(), "Results".into()],
            rows: vec![
                vec!["lab.hl7 message 1".into(), "16 (+2 not read)".into()],
                vec!["lab.hl7 message 2".into(), "5".into()],
            ],
            cursor: Cursor {
                selected: 0,
                offset: 0,
            },
            loading: false,
            bookings: Vec::new(),
            date: None,
            prompt: None,
            message: None,
            reviews: Vec::new(),
            review_unread: vec![
                unread
                    .iter()
                    .map(|u| caredesk::i18n::Text::verbatim(u.to_string()))
                    .collect(),
                Vec::new(),
            ],
            alerts: Vec::new(),
            prompt_kind: Default::default(),
            rights: Vec::new(),
            rights_draft: Vec::new(),
            retention: Vec::new(),
        });
        let screen = common::tui::render(&mut app, 80, 24);
        assert!(screen.contains(heading), "{screen}");
        for line in unread {
            assert!(screen.contains(line), "{lang:?}: {line}\n{screen}");
        }
        // Both rows stay in view above the unread results.
        assert!(screen.contains("lab.hl7 message 2"), "{screen}");
    }
}

#[test]
fn the_home_menu_opens_a_list_in_its_own_context_and_an_old_list_section_still_reaches_it() {
    use caredesk::tui::keymap::{Context, Keymap};
    let mut app = app();
    sign_in_as(&mut app, Role::FrontDesk);
    app.take_effects();
    // A user's file from before the exam day had its own section.
    app.keymap
        .merge(Keymap::parse("keymap.toml", "[list]\nz = \"next_day\"\n").unwrap());
    // The front desk's menu: register, search, exam day.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let (_, request) = call(&mut app);
    let today = app.now.date_naive();
    assert_eq!(request, Request::ExamDay { date: today });
    assert_eq!(app.context(), Context::ExamDay);
    keys(&mut app, "z");
    let (_, request) = call(&mut app);
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(request, Request::ExamDay { date: tomorrow });
    assert_eq!(app.shown::<List>().unwrap().date, Some(tomorrow));
    key(&mut app, KeyCode::Esc);
    assert!(
        app.shown::<caredesk::tui::components::account::home::Home>()
            .is_some()
    );
}

#[test]
fn the_privacy_officer_logs_and_answers_a_request_from_the_rights_log() {
    use caredesk::clinic::api::PatientRef;
    use caredesk::domain::rights_request::{RightKind, RightOutcome};
    use caredesk::tui::components::list::ListKind;
    let mut app = app();
    sign_in_as(&mut app, Role::PrivacyOfficer);
    app.take_effects();
    let mut list = List::new(ListKind::RightsLog, app.now);
    list.loading = false;
    list.rows = vec![vec!["561".into()], vec!["562".into()]];
    list.rights = vec![(561, false), (562, true)];
    app.show(list);
    // n: whose record, which right (a wrong number is refused in place), what was asked.
    keys(&mut app, "n");
    keys(&mut app, "13700000401");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "9");
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty(), "9 is not a right");
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "2");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "近三年检验结果复印件");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::RightsRequestAdd {
            patient: PatientRef::Key("13700000401".into()),
            kind: RightKind::Copy,
            received_on: None,
            asked: "近三年检验结果复印件".into(),
        }
    );
    app.update(reply(
        tag,
        Response::Error(ServiceError::NotFound("patient 13700000401".into())),
    ));
    assert!(
        app.take_effects().is_empty(),
        "a refusal stays in the prompt, nothing reloaded"
    );
    // Enter on an answered request says so; on an open one: how, and what was done.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "3");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "依据第18条：涉及他人信息");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::RightsRequestAnswer {
            id: 561,
            outcome: RightOutcome::Refused,
            note: "依据第18条：涉及他人信息".into(),
        }
    );
    app.update(reply(tag, Response::RightsRequests(Vec::new())));
    let (_, reload) = call(&mut app);
    assert_eq!(reload, Request::RightsRequestList { open_only: false });
}

#[test]
fn the_privacy_officer_keeps_a_record_past_its_retention_stored_only() {
    use caredesk::clinic::api::PatientRef;
    use caredesk::domain::patient::PatientId;
    use caredesk::tui::components::list::ListKind;
    let mut app = app();
    sign_in_as(&mut app, Role::PrivacyOfficer);
    app.take_effects();
    let mut list = List::new(ListKind::Retention, app.now);
    list.loading = false;
    list.rows = vec![vec!["stored".into()], vec!["open".into()]];
    list.retention = vec![(PatientId([1; 16]), true), (PatientId([2; 16]), false)];
    app.show(list);
    // Stored only already: said, nothing sent.
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    // Anything but yes leaves it as it is.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "no");
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "是");
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::RetentionRestrict {
            patient: PatientRef::Id(PatientId([2; 16])),
        }
    );
    app.update(reply(tag, Response::Done));
    let (_, reload) = call(&mut app);
    assert_eq!(reload, Request::RetentionReview { limit: 1000 });
}
