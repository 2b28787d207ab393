//! The staff and oversight screens (users, alerts, who looked at a patient, the
//! accounting of disclosures) rendered into a TestBackend at 80x24 and 120x40, in
//! English and Chinese, compared with the reviewed snapshots in tests/it/snapshots/.

use crate::common;

use caredesk::auth::Role;
use caredesk::tui::app::App;
use caredesk::tui::components::list::table::Rows;
use caredesk::tui::components::list::{List, ListKind, PromptKind};
use caredesk::tui::screens::{Cursor, Form};

use crate::common::tui::{form, sign_in};

/// A list screen with the given rows, at the top, with an optional prompt open (for a
/// card number or an acknowledgement note, as `prompt_kind` of the list).
fn list(
    kind: ListKind,
    (headers, rows): (Vec<String>, Vec<Vec<String>>),
    prompt: Option<Form>,
) -> List {
    let prompt_kind = match kind {
        ListKind::Alerts => PromptKind::AcknowledgeNote,
        ListKind::PatientAccess | ListKind::Disclosures => PromptKind::PatientKey,
        ListKind::RightsLog => PromptKind::RightsKind,
        _ => PromptKind::default(),
    };
    List {
        kind,
        headers,
        rows,
        cursor: Cursor::default(),
        loading: false,
        bookings: Vec::new(),
        date: None,
        prompt,
        message: None,
        reviews: Vec::new(),
        review_unread: Vec::new(),
        alerts: Vec::new(),
        prompt_kind,
        rights: Vec::new(),
        rights_draft: Vec::new(),
        retention: Vec::new(),
    }
}

/// The alerts list as the service's reply builds it: one acknowledged alert, two open.
fn alerts_list(app: &App, selected: usize, prompt: Option<Form>) -> List {
    use caredesk::clinic::oversight::alerts::AlertView;
    use caredesk::store::alerts::{Acknowledgement, AlertKind};
    let at = |h: i64| 1_795_430_000 + h * 3600;
    let alerts = vec![
        AlertView {
            id: 31,
            time_unix: at(2),
            kind: AlertKind::ManyPatients,
            subjects: vec!["user:chen.jing".into()],
            detail: caredesk::store::alerts::details::many_patients(61, 50),
            acknowledged: Some(Acknowledgement {
                by: "he.audit".into(),
                time_unix: at(3),
                note: "Flu clinic morning: confirmed with the head nurse.".into(),
            }),
        },
        AlertView {
            id: 30,
            time_unix: at(1),
            kind: AlertKind::OutsideHours,
            subjects: vec!["user:dr.zhou".into()],
            detail: caredesk::store::alerts::details::outside_hours(
                "Sun",
                "22:41",
                "07:00-20:00 mon-sat",
            ),
            acknowledged: None,
        },
        AlertView {
            id: 29,
            time_unix: at(0),
            kind: AlertKind::AccountLocked,
            subjects: vec!["user:wang.li".into()],
            detail: caredesk::store::alerts::details::account_locked(5, 15),
            acknowledged: None,
        },
    ];
    let (headers, rows) = caredesk::tui::components::list::table::table(
        &app.locale,
        &Ok(Rows::Alerts(alerts.clone())),
    );
    List {
        kind: ListKind::Alerts,
        headers,
        rows,
        cursor: Cursor {
            selected,
            offset: 0,
        },
        loading: false,
        bookings: Vec::new(),
        date: None,
        prompt,
        message: None,
        reviews: Vec::new(),
        review_unread: Vec::new(),
        alerts,
        prompt_kind: PromptKind::AcknowledgeNote,
        rights: Vec::new(),
        rights_draft: Vec::new(),
        retention: Vec::new(),
    }
}

/// Every screen, by name, as a function setting up the app.
type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("users", |app| {
            sign_in(app, Role::Admin);
            let headers = ["list.user", "list.role", "list.status"]
                .iter()
                .map(|k| app.t(k))
                .collect();
            let rows = vec![
                vec!["admin".into(), app.t("role.admin"), app.t("status.active")],
                vec!["li.na".into(), app.t("role.nurse"), app.t("status.locked")],
            ];
            app.show(list(ListKind::Users, (headers, rows), None));
        }),
        ("alerts", |app| {
            sign_in(app, Role::Auditor);
            app.show(alerts_list(app, 0, None));
        }),
        ("alerts_acknowledge", |app| {
            sign_in(app, Role::Admin);
            app.show(alerts_list(
                app,
                1,
                Some(form(
                    &[("called the user: a ward round covering", false)],
                    0,
                )),
            ));
        }),
        ("patient_access", |app| {
            sign_in(app, Role::Auditor);
            use caredesk::clinic::oversight::rights::Access;
            let access = |time: &str, user: &str, role: &str, action: &str, detail: &str| Access {
                time: time.into(),
                user: user.into(),
                role: role.into(),
                action: action.into(),
                outcome: "ok".into(),
                detail: detail.into(),
                ssh_client: "10.0.0.12:50122".into(),
            };
            let rows = Ok(Rows::Access(vec![
                access(
                    "2026-11-20T08:02:11.000Z",
                    "wang.li",
                    "front_desk",
                    "patient.register",
                    "",
                ),
                access(
                    "2026-11-21T10:15:40.000Z",
                    "dr.zhou",
                    "doctor",
                    "health.read",
                    "",
                ),
                access(
                    "2026-11-22T22:41:05.000Z",
                    "chen.jing",
                    "nurse",
                    "patient.break_glass",
                    "reason: collapsed in the waiting room",
                ),
            ]));
            let (headers, rows) = caredesk::tui::components::list::table::table(&app.locale, &rows);
            app.show(list(ListKind::PatientAccess, (headers, rows), None));
        }),
        ("disclosures_prompt", |app| {
            sign_in(app, Role::Auditor);
            app.show(list(
                ListKind::Disclosures,
                (Vec::new(), Vec::new()),
                Some(form(&[("8860000000017", false)], 0)),
            ));
        }),
        ("disclosures", |app| {
            use caredesk::clinic::oversight::rights::{
                Disclosure, DisclosureAccount, DisclosureKind,
            };
            sign_in(app, Role::Auditor);
            let disclosure = |date: &str, kind: DisclosureKind, by: &str| Disclosure {
                date: date.into(),
                recipient: String::new(),
                description: "health report".into(),
                purpose: String::new(),
                by: by.into(),
                kind,
            };
            let rows = Ok(Rows::Disclosures(Box::new(DisclosureAccount {
                patient: caredesk::domain::patient::PatientId([7; 16]),
                patient_name: "Quentin Marsh".into(),
                clinic: "Harbour Clinic".into(),
                from: "2020-11-22".into(),
                to: "2026-11-22".into(),
                disclosures: vec![
                    disclosure(
                        "2026-03-02",
                        DisclosureKind::Printed {
                            printer: "front-desk".into(),
                        },
                        "dr.zhou",
                    ),
                    disclosure("2026-09-14", DisclosureKind::Export, "dr.zhou"),
                ],
                layout: Default::default(),
                prepared_by: "he.audit".into(),
            })));
            let (headers, rows) = caredesk::tui::components::list::table::table(&app.locale, &rows);
            app.show(list(ListKind::Disclosures, (headers, rows), None));
        }),
        ("rights_log", |app| rights_log(app, None)),
        // The retention review: one to decide, one stored only.
        ("retention", |app| {
            use caredesk::clinic::oversight::retention::RetentionRow;
            sign_in(app, Role::PrivacyOfficer);
            let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            let row = |n: u8, name: &str, last: &str, ended: &str, stored_only| RetentionRow {
                patient: caredesk::domain::patient::PatientId([n; 16]),
                name: name.into(),
                record_number: Some(format!("1101050010010000{n}")),
                last_activity: day(last),
                expired_on: day(ended),
                stored_only,
            };
            let rows = Ok(Rows::Retention(vec![
                row(1, "宋晓明", "2009-03-02", "2024-03-02", true),
                row(2, "James Turner", "2010-11-19", "2025-11-19", false),
            ]));
            let (headers, rows) = caredesk::tui::components::list::table::table(&app.locale, &rows);
            app.show(list(ListKind::Retention, (headers, rows), None));
        }),
        ("rights_log_new", |app| {
            rights_log(
                app,
                Some(Form::new(vec![caredesk::tui::field::Field::with("2")])),
            )
        }),
    ]
}

/// The privacy officer's log: one late, one answered, one new; with `prompt`, a
/// request being logged (which right?).
fn rights_log(app: &mut App, prompt: Option<Form>) {
    use caredesk::clinic::oversight::rights_requests::RightsRequestRow;
    use caredesk::domain::rights_request::{RightAnswer, RightKind, RightOutcome, RightsRequest};
    sign_in(app, Role::PrivacyOfficer);
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let row = |id, name: &str, kind, received, due, answer: Option<RightAnswer>, overdue| {
        RightsRequestRow {
            request: RightsRequest {
                id,
                patient: caredesk::domain::patient::PatientId([7; 16]),
                kind,
                received_on: day(received),
                due_on: day(due),
                asked: "乳胶过敏记录有误 the latex allergy is wrong".into(),
                recorded_by: "li.min".into(),
                answer,
            },
            patient_name: name.into(),
            overdue,
        }
    };
    let rows = Ok(Rows::RightsLog(vec![
        row(
            563,
            "宋晓明",
            RightKind::Correction,
            "2026-10-20",
            "2026-11-10",
            None,
            true,
        ),
        row(
            562,
            "陈平",
            RightKind::Explanation,
            "2026-11-02",
            "2026-11-23",
            Some(RightAnswer {
                on: day("2026-11-14"),
                outcome: RightOutcome::Granted,
                note: "explained at the desk".into(),
                by: "li.min".into(),
            }),
            false,
        ),
        row(
            561,
            "James Turner",
            RightKind::Copy,
            "2026-11-19",
            "2026-12-10",
            None,
            false,
        ),
    ]));
    let (headers, rows) = caredesk::tui::components::list::table::table(&app.locale, &rows);
    app.show(list(ListKind::RightsLog, (headers, rows), prompt));
}

#[test]
fn every_oversight_screen_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}
