//! The follow-up screens: the queue and the call screen (the form, the checklist
//! being ticked, the result with and without a referral) at both sizes in both
//! languages; the call form's keys.

use crate::common;
use caredesk::clinic::api::{FollowUpClaimed, FollowUpScheduled};

use crate::common::tui::{LANGS, SIZES, app, calls, press, render, reply, sign_in, type_text};
use caredesk::auth::Role;
use caredesk::clinic::followup::api::{
    CallSaved, CallView, FollowUpKey, QueueCounts, QueueRow, QueueView, ReadingTrend,
};
use caredesk::clinic::{Request, Response};
use caredesk::domain::followup::{
    FollowUp, ItemStatus, Kind, Outcome, Protocols, ReferralReason, VisitClass, VisitKind,
};
use caredesk::domain::patient::PatientId;
use caredesk::i18n::Lang;
use caredesk::tui::app::App;
use caredesk::tui::components::account::home::{Home, MenuItem};
use chrono::NaiveDate;
use crossterm::event::KeyCode;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn item(n: u8, kind: Kind, due: NaiveDate) -> FollowUp {
    FollowUp {
        patient: PatientId([n; 16]),
        plan: 1,
        seq: 2,
        kind,
        due,
        at_time: None,
        priority: if n == 1 { 1 } else { 2 },
        assigned: if n.is_multiple_of(2) {
            "nurses"
        } else {
            "chen.jing"
        }
        .into(),
        status: ItemStatus::Due,
        tries: u32::from(n.is_multiple_of(3)),
        claim: None,
        flag: (n == 1).then(|| "referral: a reading at the protocol's threshold".into()),
    }
}

fn queue_view() -> QueueView {
    let names = ["张伟", "王芳", "李娜", "Oliver Brown", "陈静", "刘洋"];
    let rows = (1..=6u8)
        .map(|n| QueueRow {
            item: item(
                n,
                if n % 2 == 0 {
                    Kind::Diabetes
                } else {
                    Kind::Hypertension
                },
                day(18 + u32::from(n)),
            ),
            name: names[usize::from(n) - 1].into(),
            age: Some(50 + u32::from(n)),
            not_callable: (n == 5)
                .then_some(caredesk::clinic::followup::api::NotCallable::NoConsent),
        })
        .collect();
    QueueView {
        counts: QueueCounts {
            overdue: 4,
            today: 1,
            upcoming: 99_995,
        },
        total: 100_000,
        offset: 0,
        rows,
        teams: vec!["chen.jing".into(), "nurses".into()],
    }
}

fn open_queue(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.show(Home {
        summary: None,
        error: None,
        menu: vec![MenuItem::Search, MenuItem::FollowUps],
        cursor: Default::default(),
    });
    press(app, KeyCode::Down);
    press(app, KeyCode::Enter);
    let call = calls(app);
    assert!(matches!(call[0].1, Request::FollowUpSchedule));
    assert!(matches!(
        call[1].1,
        Request::FollowUpQueue { offset: 0, .. }
    ));
    reply(
        app,
        call[0].0,
        Response::FollowUpScheduled(FollowUpScheduled { created: 0 }),
    );
    reply(
        app,
        call[1].0,
        Response::FollowUpQueue(Box::new(queue_view())),
    );
}

fn call_view(chinese: bool) -> CallView {
    let protocol = Protocols::built_in();
    let p = protocol.get(Kind::Hypertension).unwrap();
    let _ = chinese;
    CallView {
        key: FollowUpKey {
            patient: PatientId([1; 16]),
            plan: 1,
            seq: 2,
        },
        item: item(1, Kind::Hypertension, day(19)),
        name: "张伟".into(),
        age: Some(58),
        phone: Some("13912345678".into()),
        readings: vec![
            ReadingTrend {
                indicator: "systolic_bp".into(),
                unit: "mm[Hg]".into(),
                values: vec![(1_790_000_000, 146.0), (1_780_000_000, 152.0)],
            },
            ReadingTrend {
                indicator: "diastolic_bp".into(),
                unit: "mm[Hg]".into(),
                values: vec![(1_790_000_000, 88.0)],
            },
            ReadingTrend {
                indicator: "heart_rate".into(),
                unit: "/min".into(),
                values: vec![],
            },
        ],
        last_call: None,
        goals: vec![caredesk::domain::plan::Goal {
            indicator: "systolic_bp".into(),
            direction: caredesk::domain::plan::Direction::AtMost,
            target: 130.0,
            by: chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
        }],
        script_en: p.script_en.clone(),
        script_zh: p.script_zh.clone(),
        asks: p.readings.clone(),
        checklist: p
            .symptoms
            .iter()
            .map(|s| caredesk::clinic::followup::api::CheckItem {
                key: s.key.clone(),
                en: s.en.clone(),
                zh: s.zh.clone(),
                effect: s.effect,
            })
            .collect(),
        claimed_until: 1_795_400_000,
        face_to_face: 1,
        visits_per_year: 4,
    }
}

fn open_call(app: &mut App) {
    open_queue(app);
    press(app, KeyCode::Enter);
    let call = calls(app);
    assert!(matches!(call[0].1, Request::FollowUpClaim { .. }));
    reply(
        app,
        call[0].0,
        Response::FollowUpClaimed(FollowUpClaimed {
            until: 1_795_400_000,
        }),
    );
    let call = calls(app);
    assert!(matches!(call[0].1, Request::FollowUpCallView { .. }));
    let chinese = app.locale.lang == Lang::ZhCn;
    reply(
        app,
        call[0].0,
        Response::FollowUpCall(Box::new(call_view(chinese))),
    );
}

type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("queue", open_queue),
        ("call", |app| {
            open_call(app);
            // A wrong outcome, visit kind, reading and checklist number.
            for value in ["7", "4", "13x", "", "", "", "2 99", "", "", ""] {
                type_text(app, value);
                press(app, KeyCode::Enter);
            }
            // Saved from the callback field: the wrong fields are marked.
            common::tui::save_key(app);
        }),
        ("call_record_form", fill_record_form),
        ("call_checklist", |app| {
            open_call(app);
            for value in ["1", "3", "138", "", "", ""] {
                type_text(app, value);
                press(app, KeyCode::Enter);
            }
            type_text(app, "2 7 10");
        }),
        ("call_notes", |app| {
            open_call(app);
            // Enter moves on: outcome, visit, three readings, adherence, checklist,
            // other symptoms, side effects; then the notes, typed at length.
            for _ in 0..9 {
                press(app, KeyCode::Enter);
            }
            type_text(
                app,
                if app.locale.lang == Lang::ZhCn {
                    "患者说最近血压控制良好，每天早晚各测一次，晚饭后散步半小时；偶尔头晕，已嘱咐如加重及时就诊，下次随访带上家庭血压记录。"
                } else {
                    "Feels well; measures morning and evening, walks half an hour after dinner; dizzy now and then, told to come in if it gets worse and to bring the home readings next time."
                },
            );
        }),
        ("call_callback_error", |app| {
            open_call(app);
            // A call back, at a time that is not one: the message under the last
            // field stays in view.
            type_text(app, "c");
            for _ in 0..10 {
                press(app, KeyCode::Enter);
            }
            type_text(app, "tomorrow");
            press(app, KeyCode::Enter);
        }),
        ("call_attach_error", |app| {
            open_call(app);
            fill_and_save(app);
            saved(app, Some(VisitClass::Controlled), vec![], None);
            // A recording that is not there: the error wraps above the file field.
            press(app, KeyCode::Char('a'));
            type_text(app, "/tmp/nosuch.wav");
            press(app, KeyCode::Enter);
            let tag = app
                .take_effects()
                .into_iter()
                .find_map(|e| match e {
                    caredesk::tui::app::Effect::Recording { tag, .. } => Some(tag),
                    _ => None,
                })
                .expect("the attach job");
            app.update(caredesk::tui::app::Msg::Recording {
                tag,
                outcome: Err(caredesk::clinic::ServiceError::Invalid(caredesk::text!(
                    "msg.file.unreadable",
                    path = "/tmp/nosuch.wav",
                    detail = "No such file or directory (os error 2)"
                ))),
            });
        }),
        ("call_saved", |app| {
            open_call(app);
            fill_and_save(app);
            saved(
                app,
                Some(VisitClass::Controlled),
                vec![],
                Some(day(23) + chrono::Days::new(90)),
            );
        }),
        ("call_referral", |app| {
            open_call(app);
            fill_and_save(app);
            let reasons = vec![
                ReferralReason::Reading {
                    indicator: "systolic_bp".into(),
                    value: 182.0,
                },
                ReferralReason::Sign {
                    key: "headache".into(),
                    en: "Severe headache/dizzy".into(),
                    zh: "剧烈头痛或头晕".into(),
                },
                ReferralReason::Uncontrolled { visits: 2 },
            ];
            saved(
                app,
                Some(VisitClass::Uncontrolled),
                reasons,
                Some(day(23) + chrono::Days::new(14)),
            );
        }),
    ]
}

/// Types a reached home visit at 138 mm[Hg] and saves it.
/// A clinic visit with the 随访服务记录表 filled up to the class, the protocol's
/// class offered at the left.
fn fill_record_form(app: &mut App) {
    open_call(app);
    for value in ["1", "2", "146", "88", "70", "1", "", "", "", "", ""] {
        type_text(app, value);
        press(app, KeyCode::Enter);
    }
    let _ = calls(app);
    for value in [
        "74/70",
        "",
        "10/5",
        "",
        "3/5",
        "30/30",
        "2/1",
        "1",
        "2",
        "",
        "氨氯地平 每日1次 每次5mg",
    ] {
        type_text(app, value);
        press(app, KeyCode::Enter);
    }
    // On the class field: where the call as typed would go is asked, nothing saved.
    let call = calls(app);
    let Some((tag, Request::FollowUpCallPreview { input, .. })) = call.last() else {
        panic!("{call:?}")
    };
    assert_eq!(input.form.cigarettes.now, Some(10));
    assert_eq!(
        input.form.class, None,
        "the protocol's class is what is offered"
    );
    reply(
        app,
        *tag,
        Response::FollowUpCallSaved(Box::new(CallSaved {
            status: ItemStatus::Done,
            retry: None,
            next_due: Some(day(14)),
            referral: false,
            flag: None,
            class: Some(VisitClass::Uncontrolled),
            reasons: vec![],
            suggested: None,
        })),
    );
}

#[test]
fn the_record_form_sends_the_clinicians_class_and_the_form_as_typed() {
    let mut app = app(Lang::ZhCn, false);
    fill_record_form(&mut app);
    // The clinician chooses 控制满意; a referral with its reason and place.
    for value in ["1", "血压波动", "市第一医院 心内科"] {
        type_text(&mut app, value);
        press(&mut app, KeyCode::Enter);
    }
    let call = calls(&mut app);
    let Some((_, Request::FollowUpCallSave { input, .. })) = call.last() else {
        panic!("{call:?}")
    };
    let form = &input.form;
    assert_eq!(form.class, Some(VisitClass::Controlled));
    assert_eq!(
        (form.weight.now, form.weight.target),
        (Some(74.0), Some(70.0))
    );
    assert_eq!(form.exercise_minutes.target, Some(30));
    assert_eq!(
        form.salt.now,
        Some(caredesk::domain::followup_form::Salt::Moderate)
    );
    assert_eq!(
        form.compliance,
        Some(caredesk::domain::followup_form::Grade::Fair)
    );
    assert_eq!(form.medicines[0].name, "氨氯地平");
    assert_eq!(form.referral_to, "市第一医院 心内科");
}

#[test]
fn a_record_form_value_that_does_not_read_is_marked_at_its_field() {
    let mut app = app(Lang::En, false);
    open_call(&mut app);
    for value in ["1", "2", "146", "88", "70", "1", "", "", "", "", ""] {
        type_text(&mut app, value);
        press(&mut app, KeyCode::Enter);
    }
    // Ten cigarettes, a target of "few": not a number; 400 a day: out of range.
    type_text(&mut app, "74/70");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "10/few");
    common::tui::save_key(&mut app);
    let shown = common::tui::render(&mut app, 120, 40);
    assert!(shown.contains("Type now/target"), "{shown}");
    assert!(
        calls(&mut app)
            .iter()
            .all(|(_, r)| !matches!(r, Request::FollowUpCallSave { .. })),
        "nothing is saved"
    );
}

fn fill_and_save(app: &mut App) {
    for value in ["1", "3", "138", "", "", "", "", "", "", "", ""] {
        type_text(app, value);
        press(app, KeyCode::Enter);
    }
    // Past the callback time: the record form, left empty; Ctrl-S saves.
    common::tui::save_key(app);
}

fn saved(
    app: &mut App,
    class: Option<VisitClass>,
    reasons: Vec<ReferralReason>,
    next_due: Option<NaiveDate>,
) {
    let call = calls(app);
    assert!(
        matches!(call[0].1, Request::FollowUpCallSave { .. }),
        "{:?}",
        call[0].1
    );
    let flag = reasons.first().map(ReferralReason::flag);
    reply(
        app,
        call[0].0,
        Response::FollowUpCallSaved(Box::new(CallSaved {
            status: ItemStatus::Done,
            retry: None,
            next_due,
            referral: !reasons.is_empty(),
            flag,
            class,
            reasons,
            suggested: None,
        })),
    );
}

#[test]
fn the_follow_up_screens_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}

#[test]
fn the_call_form_sends_what_was_typed_and_the_queue_pages_with_the_cursor() {
    let mut app = app(Lang::En, false);
    open_call(&mut app);
    for value in [
        "1", "2", "128", "82", "70", "1", "10，2", "tired", "", "all good", "",
    ] {
        type_text(&mut app, value);
        press(&mut app, KeyCode::Enter);
    }
    common::tui::save_key(&mut app);
    let call = calls(&mut app);
    let Request::FollowUpCallSave { input, .. } = &call[0].1 else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!(input.outcome, Outcome::Reached);
    assert_eq!(input.visit, VisitKind::Clinic);
    // Checklist numbers in any order and separator: the protocol's keys, in its order.
    assert_eq!(input.ticked, ["headache", "nosebleed"]);
    assert_eq!(input.symptoms, "tired");
    assert_eq!(
        input.readings,
        [
            ("systolic_bp".to_string(), 128.0),
            ("diastolic_bp".to_string(), 82.0),
            ("heart_rate".to_string(), 70.0)
        ]
    );
    assert_eq!(input.notes, "all good");
    // The queue: moving past the rows held asks for the page around the cursor.
    let mut app = common::tui::app(Lang::En, false);
    open_queue(&mut app);
    press(&mut app, KeyCode::End);
    let call = calls(&mut app);
    assert!(
        matches!(call[0].1, Request::FollowUpQueue { offset, .. } if offset > 99_000),
        "{:?}",
        call[0].1
    );
    // Filters cycle and read the queue again from the top.
    type_text(&mut app, "g");
    let call = calls(&mut app);
    assert!(matches!(
        &call[0].1,
        Request::FollowUpQueue { filter, offset: 0, .. }
            if filter.group == Some(caredesk::clinic::followup::api::QueueGroup::Overdue)
    ));
    // # types a tag to filter by.
    type_text(&mut app, "#hypertension");
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    assert!(matches!(
        &call[0].1,
        Request::FollowUpQueue { filter, .. } if filter.tag.as_deref() == Some("hypertension")
    ));
}

fn history_chart() -> caredesk::clinic::followup::api::FollowUpChart {
    use caredesk::domain::followup::{Call, CallInput, FollowUpPlan, PlanStatus};
    let plan = FollowUpPlan {
        number: 1,
        kind: Kind::Hypertension,
        interval_days: 90,
        next_due: day(30),
        assigned: "nurses".into(),
        status: PlanStatus::Active,
        source: "tag hypertension".into(),
        created: 1_780_000_000,
    };
    let call = |at: i64, outcome: Outcome, visit: VisitKind, notes: &str| Call {
        plan: 1,
        seq: 1,
        kind: Kind::Hypertension,
        input: CallInput {
            outcome,
            visit,
            readings: vec![],
            adherence: None,
            ticked: vec![],
            symptoms: String::new(),
            side_effects: String::new(),
            notes: notes.into(),
            form: Default::default(),
        },
        by: "chen.jing".into(),
        at,
        controlled: Some(true),
        referral: false,
        next_due: Some(day(30)),
        class: Some(VisitClass::Controlled),
        reasons: vec![],
        suggested: None,
    };
    let referred = Call {
        controlled: Some(false),
        referral: true,
        class: Some(VisitClass::Uncontrolled),
        reasons: vec![ReferralReason::Uncontrolled { visits: 2 }],
        ..call(1_795_350_000, Outcome::Reached, VisitKind::Home, "漏服药物")
    };
    caredesk::clinic::followup::api::FollowUpChart {
        plans: vec![plan],
        items: vec![],
        calls: vec![
            referred,
            call(
                1_795_300_000,
                Outcome::Reached,
                VisitKind::Clinic,
                "按时服药，血压平稳",
            ),
            call(1_795_200_000, Outcome::NoAnswer, VisitKind::Phone, ""),
        ],
        recordings: vec![caredesk::domain::followup::RecordingMeta {
            id: [9; 16],
            plan: 1,
            seq: 1,
            call_at: 1_795_300_000,
            extension: "wav".into(),
            size: 3_000_000,
            chunks: 3,
            sha256: [0; 32],
            by: "chen.jing".into(),
            at: 1_795_300_100,
            complete: true,
        }],
    }
}

fn open_history(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.show(common::tui::clinical_patient_screen());
    type_text(app, "f");
    let call = calls(app);
    assert!(matches!(call[0].1, Request::FollowUpChart { .. }));
    reply(
        app,
        call[0].0,
        Response::FollowUpChart(Box::new(history_chart())),
    );
}

#[test]
fn the_follow_up_history_at_both_sizes_and_its_prompts() {
    for (lang, code) in LANGS {
        for (width, height) in SIZES {
            let mut app = app(lang, false);
            open_history(&mut app);
            let shown = render(&mut app, width, height);
            insta::assert_snapshot!(format!("history_{code}_{width}x{height}"), shown);
        }
    }
    let mut app = app(Lang::En, false);
    open_history(&mut app);
    // x: close the selected call's plan, with the reason.
    type_text(&mut app, "x5");
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    assert!(matches!(
        call[0].1,
        Request::FollowUpPlanClose {
            plan: 1,
            reason: caredesk::domain::followup::CloseReason::RefusedContact,
            ..
        }
    ));
    reply(&mut app, call[0].0, Response::Done);
    assert!(matches!(
        calls(&mut app)[0].1,
        Request::FollowUpChart { .. }
    ));
    // n: a new plan, the form filled with sensible defaults.
    type_text(&mut app, "n");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    let call = calls(&mut app);
    assert!(matches!(
        &call[0].1,
        Request::FollowUpPlanAdd { kind: Kind::Hypertension, interval_days: 30, assigned, .. } if assigned == "nurses"
    ));
}

#[test]
fn leaving_a_call_gives_it_back_and_the_queue_reads_itself_again_from_the_top() {
    let mut app = app(Lang::En, false);
    open_call(&mut app);
    press(&mut app, KeyCode::Esc);
    let call = calls(&mut app);
    assert!(
        matches!(call[0].1, Request::FollowUpRelease { .. }),
        "{:?}",
        call[0].1
    );
    assert!(
        matches!(call[1].1, Request::FollowUpQueue { offset: 0, .. }),
        "{:?}",
        call[1].1
    );
    assert_eq!(call.len(), 2);
    // The queue's page comes back to the queue: Enter claims its first row again.
    reply(
        &mut app,
        call[1].0,
        Response::FollowUpQueue(Box::new(queue_view())),
    );
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    assert!(matches!(call[0].1, Request::FollowUpClaim { .. }));
}

#[test]
fn a_call_typed_at_an_idle_sign_out_goes_with_it_and_comes_back_at_sign_in() {
    use caredesk::tui::app::Msg;
    use caredesk::tui::components::followup::call::CallScreen;
    let mut app = app(Lang::En, false);
    sign_in(&mut app, Role::Nurse);
    open_call(&mut app);
    type_text(&mut app, "r");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "1");
    let typed: Vec<String> = app
        .shown::<CallScreen>()
        .unwrap()
        .form
        .fields
        .iter()
        .map(|f| f.value.clone())
        .collect();
    // Idle past the limit: the sign-out carries the call as typed.
    app.update(Msg::Tick(app.now + chrono::Duration::hours(1)));
    let logout = calls(&mut app)
        .into_iter()
        .find_map(|(_, r)| match r {
            Request::LogoutIdle { draft } => Some(draft),
            _ => None,
        })
        .expect("the idle sign-out");
    let draft = logout.expect("the call kept");
    assert_eq!(draft.fields, typed);
    // Signed in again: the kept call is asked for, and opens filled as it was.
    crate::common::update::sign_in_as(&mut app, Role::Nurse);
    let take = calls(&mut app)
        .into_iter()
        .find(|(_, r)| *r == Request::CallDraftTake)
        .expect("the kept call asked for");
    reply(&mut app, take.0, Response::KeptCall(Some(draft)));
    let call = calls(&mut app);
    assert!(matches!(call[0].1, Request::FollowUpClaim { .. }));
    reply(
        &mut app,
        call[0].0,
        Response::FollowUpClaimed(FollowUpClaimed {
            until: 1_795_400_000,
        }),
    );
    let call = calls(&mut app);
    reply(
        &mut app,
        call[0].0,
        Response::FollowUpCall(Box::new(call_view(false))),
    );
    let screen = app.shown::<CallScreen>().expect("the call again");
    let back: Vec<String> = screen.form.fields.iter().map(|f| f.value.clone()).collect();
    assert_eq!(back, typed);
    assert!(screen.notice.as_deref().is_some_and(|n| n.contains("kept")));
}

#[test]
fn zero_ticks_no_symptom_and_full_width_numbers_read() {
    use caredesk::tui::components::followup::call::ticked_numbers;
    assert_eq!(ticked_numbers("0", 12), Some(Vec::new()));
    assert_eq!(ticked_numbers("２ ５", 12), Some(vec![2, 5]));
    assert_eq!(ticked_numbers("0 2", 12), None, "none and a sign at once");
}
