//! The plan and stage-summary screens: snapshots at both sizes in both languages, and
//! what each key sends to the service.

use crate::common;
use caredesk::clinic::api::SummarySaved;

use crate::common::tui::{
    app, calls, clinical_patient_screen, press, render, reply, sign_in, type_text,
};
use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::plan::{Plan, PlanVersion, PlanView, Progress};
use caredesk::domain::plan_template::Templates;
use caredesk::domain::summary::{
    GoalOutcome, GoalResult, IndicatorChange, Period, QuestionnaireResult, RiskChange,
    StageSummary, SummaryVersion,
};
use caredesk::i18n::Lang;
use caredesk::tui::app::App;
use caredesk::tui::components::care::plan::PlanScreen;
use chrono::NaiveDate;
use crossterm::event::KeyCode;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The hypertension template begun on 2026-08-01, its first action done.
fn bp_plan(chinese: bool) -> Plan {
    let mut plan = Templates::built_in()
        .get("hypertension")
        .unwrap()
        .instantiate(day(2026, 8, 1), caredesk::i18n::Lang::from_chinese(chinese));
    plan.actions[0].done = true;
    plan
}

fn plan_view(chinese: bool) -> PlanView {
    PlanView {
        current: PlanVersion {
            plan: bp_plan(chinese),
            by: "dr.zhou".into(),
            at: 1_790_000_000,
            started: 1_785_542_400,
        },
        number: 3,
        progress: vec![
            Progress::Moving {
                latest: 138.0,
                fraction: 0.6,
                overdue: false,
            },
            Progress::Met { latest: 78.0 },
        ],
    }
}

/// The doctor on the patient's plan screen, the plan loaded.
fn open_plan(app: &mut App) {
    sign_in(app, Role::Doctor);
    app.show(clinical_patient_screen());
    type_text(app, "p");
    let call = calls(app);
    assert!(matches!(call[0].1, Request::PlanGet { .. }));
    let chinese = app.locale.lang == Lang::ZhCn;
    reply(
        app,
        call[0].0,
        Response::Plan(Box::new(Some(plan_view(chinese)))),
    );
}

fn summary_version(chinese: bool) -> SummaryVersion {
    let period = Period {
        from: day(2026, 7, 1),
        to: day(2026, 9, 30),
    };
    let mut summary = StageSummary {
        period,
        indicators: vec![
            IndicatorChange {
                indicator: "systolic_bp".into(),
                unit: "mm[Hg]".into(),
                start: 152.0,
                start_at: 1_783_000_000,
                end: 138.0,
                end_at: 1_790_000_000,
                count: 4,
            },
            IndicatorChange {
                indicator: "ldl".into(),
                unit: "mmol/L".into(),
                start: 3.9,
                start_at: 1_783_000_000,
                end: 3.2,
                end_at: 1_790_000_000,
                count: 2,
            },
        ],
        goals: vec![GoalResult {
            goal: bp_plan(chinese).goals[0].clone(),
            outcome: GoalOutcome::Open,
            latest: Some(138.0),
        }],
        risks: vec![RiskChange {
            model: "ascvd_pce".into(),
            name: "Pooled Cohort Equations".into(),
            then: Some(caredesk::domain::assessment::Outcome::Risk {
                probability: 0.124,
                band: "intermediate".into(),
                chinese_band: Some("high".into()),
            }),
            now: Some(caredesk::domain::assessment::Outcome::Risk {
                probability: 0.098,
                band: "intermediate".into(),
                chinese_band: Some("intermediate".into()),
            }),
        }],
        questionnaires: vec![QuestionnaireResult {
            key: "phq9".into(),
            at: 1_788_000_000,
            total: 6,
            band: "mild".into(),
        }],
        advice: vec!["salt".into(), "walk".into()],
        text: String::new(),
        follow_ups: caredesk::domain::summary::FollowUpCounts {
            done: 3,
            missed: 1,
            phone: 1,
            clinic: 1,
            home: 1,
        },
    };
    summary.text =
        caredesk::domain::summary::narrative(&summary, caredesk::i18n::Lang::from_chinese(chinese));
    SummaryVersion {
        number: 1,
        summary,
        by: "dr.zhou".into(),
        at: 1_792_000_000,
        signed: Some(("dr.zhou".into(), 1_792_000_100)),
    }
}

fn open_summaries(app: &mut App) {
    sign_in(app, Role::Doctor);
    app.show(clinical_patient_screen());
    type_text(app, "s");
    let call = calls(app);
    assert!(matches!(call[0].1, Request::SummaryList { .. }));
    let chinese = app.locale.lang == Lang::ZhCn;
    let mut older = summary_version(chinese);
    older.signed = None;
    let mut second = summary_version(chinese);
    second.number = 2;
    second.signed = None;
    second.summary.period = Period {
        from: day(2026, 4, 1),
        to: day(2026, 6, 30),
    };
    reply(
        app,
        call[0].0,
        Response::Summaries(vec![older, summary_version(chinese), second]),
    );
    // The older summary (number 1) is second in the newest-first list.
    press(app, KeyCode::Down);
}

type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("plan", open_plan),
        ("plan_templates", |app| {
            open_plan(app);
            type_text(app, "n");
            let call = calls(app);
            let chinese = app.locale.lang == Lang::ZhCn;
            let offers = Templates::built_in().offers(
                &["hypertension".into()],
                caredesk::i18n::Lang::from_chinese(chinese),
            );
            reply(app, call[0].0, Response::PlanTemplates(offers));
        }),
        ("plan_editor", |app| {
            open_plan(app);
            type_text(app, "e");
            // A goal line typed wrong is refused where it is, nothing lost.
            press(app, KeyCode::Down);
            for _ in 0..40 {
                press(app, KeyCode::Backspace);
            }
            type_text(app, "systolic <= 130");
            // Enter walks to the empty last row and saves: the wrong line is marked.
            for _ in 0..7 {
                press(app, KeyCode::Enter);
            }
        }),
        ("summaries", open_summaries),
        ("summary_period", |app| {
            open_summaries(app);
            type_text(app, "n");
        }),
    ]
}

#[test]
fn the_care_screens_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}

#[test]
fn space_ticks_an_action_done_as_a_new_version_of_the_one_shown() {
    let mut app = app(Lang::En, false);
    open_plan(&mut app);
    press(&mut app, KeyCode::Down);
    type_text(&mut app, " ");
    let call = calls(&mut app);
    let Request::PlanSet { plan, base, .. } = &call[0].1 else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!(*base, 3);
    assert!(plan.actions[0].done && plan.actions[1].done);
    reply(&mut app, call[0].0, Response::Done);
    // Saved: the plan is read again.
    assert!(matches!(calls(&mut app)[0].1, Request::PlanGet { .. }));
    // x closes it.
    type_text(&mut app, "x");
    let call = calls(&mut app);
    assert!(matches!(&call[0].1, Request::PlanSet { plan, .. } if !plan.active));
}

#[test]
fn a_plan_from_a_template_is_edited_then_saved_and_a_conflict_keeps_the_text() {
    let mut app = app(Lang::En, false);
    open_plan(&mut app);
    type_text(&mut app, "n");
    let call = calls(&mut app);
    assert!(matches!(call[0].1, Request::PlanTemplates { .. }));
    let offers = Templates::built_in().offers(&["smoker".into()], caredesk::i18n::Lang::En);
    reply(&mut app, call[0].0, Response::PlanTemplates(offers));
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    assert!(matches!(&call[0].1, Request::PlanDraft { template, .. } if template == "smoking"));
    let draft = Templates::built_in()
        .get("smoking")
        .unwrap()
        .instantiate(day(2026, 11, 23), caredesk::i18n::Lang::En);
    reply(
        &mut app,
        call[0].0,
        Response::PlanDraft(Box::new(draft.clone())),
    );
    // Title row: add to it; then walk to the empty last row and save.
    press(&mut app, KeyCode::End);
    type_text(&mut app, " (with Mr Zhang's wife)");
    // Enter walks the rows (title, each action, the empty last one), then saves.
    for _ in 0..draft.actions.len() + 2 {
        press(&mut app, KeyCode::Enter);
    }
    let call = calls(&mut app);
    let Request::PlanSet { plan, base, .. } = &call[0].1 else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!(plan.title, "Stop smoking (with Mr Zhang's wife)");
    assert_eq!(plan.actions, draft.actions);
    assert_eq!(*base, 3);
    reply(
        &mut app,
        call[0].0,
        Response::Error(ServiceError::Conflict(caredesk::i18n::Text::verbatim(
            "newer",
        ))),
    );
    let screen = app.shown::<PlanScreen>().expect("the plan screen");
    let editor = screen.editor.as_ref().expect("the editor stays open");
    assert_eq!(
        editor.form.fields[0].value,
        "Stop smoking (with Mr Zhang's wife)"
    );
    assert!(editor.form.error.as_deref().unwrap().contains("meanwhile"));
    assert!(matches!(calls(&mut app)[0].1, Request::PlanGet { .. }));
}

#[test]
fn a_summary_is_drafted_for_a_period_edited_saved_and_signed() {
    let mut app = app(Lang::En, false);
    open_summaries(&mut app);
    type_text(&mut app, "n");
    // The last full quarter is offered.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    let Request::SummaryDraft { period, .. } = &call[0].1 else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!(
        (period.from, period.to),
        (day(2026, 7, 1), day(2026, 9, 30))
    );
    let draft = summary_version(false).summary;
    let paragraphs = draft.text.lines().count();
    reply(
        &mut app,
        call[0].0,
        Response::SummaryDraft(Box::new(draft.clone())),
    );
    for _ in 0..paragraphs {
        press(&mut app, KeyCode::Enter);
    }
    type_text(&mut app, "Walks daily now.");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let call = calls(&mut app);
    let Request::SummarySave {
        number, base, text, ..
    } = &call[0].1
    else {
        panic!("{:?}", call[0].1)
    };
    assert_eq!((*number, *base), (None, 0));
    assert_eq!(text, &format!("{}\nWalks daily now.", draft.text));
    reply(
        &mut app,
        call[0].0,
        Response::SummarySaved(SummarySaved { number: 3 }),
    );
    let call = calls(&mut app);
    assert!(matches!(call[0].1, Request::SummaryList { .. }));
    let mut saved = summary_version(false);
    saved.number = 3;
    saved.signed = None;
    let mut older = summary_version(false);
    older.signed = None;
    reply(
        &mut app,
        call[0].0,
        Response::Summaries(vec![older, summary_version(false), saved]),
    );
    // The new summary is selected; s asks first (nothing is sent), s again signs its
    // latest version, naming how many it saw.
    type_text(&mut app, "s");
    assert!(calls(&mut app).is_empty(), "signing is asked first");
    type_text(&mut app, "s");
    let call = calls(&mut app);
    assert!(
        matches!(
            call[0].1,
            Request::SummarySign {
                number: 3,
                base: 1,
                ..
            }
        ),
        "{:?}",
        call[0].1
    );
}

#[test]
fn the_page_keys_scroll_a_summary_longer_than_the_screen() {
    let mut app = app(Lang::En, false);
    open_summaries(&mut app);
    let first = render(&mut app, 80, 24);
    assert!(!first.contains("PHQ9 6 (mild) ·"), "{first}");
    press(&mut app, KeyCode::PageDown);
    let scrolled = render(&mut app, 80, 24);
    assert!(scrolled.contains("PHQ9 6 (mild) ·"), "{scrolled}");
    // Moving to another summary starts it from the top.
    press(&mut app, KeyCode::Up);
    let other = render(&mut app, 80, 24);
    assert!(other.contains("2026-04-01 – 2026-06-30"), "{other}");
}
