//! Every screen rendered into a TestBackend at 80x24 and 120x40, in English and
//! Chinese, compared with the reviewed snapshots in tests/it/snapshots/.

use crate::common;

use std::collections::BTreeSet;

use caredesk::auth::{Permission, Role};
use caredesk::clinic::PatientView;
use caredesk::clinic::api::BookingKey;
use caredesk::clinic::api::HomeSummary;
use caredesk::clinic::desk::name_index::PatientRow;
use caredesk::domain::card::Card;
use caredesk::domain::consent::{Channel, ConsentEntry, ConsentRecord, Decision, Method, Purpose};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::i18n::Lang;
use caredesk::tui::app::App;
use caredesk::tui::components::account::home::{Home, MenuItem};
use caredesk::tui::components::desk::consent::ConsentScreen;
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::components::desk::register::{Register, RegisterOutcome};
use caredesk::tui::components::desk::search::Search;
use caredesk::tui::components::list::{List, ListKind};
use caredesk::tui::field::Field;
use caredesk::tui::screens::{Cursor, Form, Overlay};
use chrono::NaiveDate;

use crate::common::tui::{app, demo_record, form, patient, press, render, sign_in, type_text};
use caredesk::tui::components::account::enrol::Enrol;
use caredesk::tui::components::account::login::Login;
use caredesk::tui::components::account::recovery_codes::RecoveryCodes;
use caredesk::tui::components::account::set_password::SetPassword;

fn rows() -> Vec<PatientRow> {
    let names = ["张伟", "张文", "赵伟", "周文", "John Walker", "朱伟"];
    (0..300)
        .map(|i| PatientRow {
            id: PatientId([i as u8; 16]),
            name: names[i % names.len()].into(),
            sex: if i % 2 == 0 { Sex::Male } else { Sex::Female },
            birth_date: NaiveDate::from_ymd_opt(
                1950 + (i % 50) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            ),
            phone: Some(format!("1390000{:04}", i)),
            card: Some(format!("88600000{:04}{}", i, i % 10)),
            restricted: i == 3,
            tags: Vec::new(),
            auto_tags: if i == 1 {
                vec!["hypertension".into()]
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// Signed in as the demo clinic's user of `role` (README's screenshots show these).
fn sign_in_demo(app: &mut App, role: Role) {
    sign_in(app, role);
    if let (Some(user), Some((name, ..))) = (
        app.user.as_mut(),
        caredesk::demo::USERS.iter().find(|(_, r, _)| *r == role),
    ) {
        user.user = name.to_string();
    }
}

/// The home screen of the signed-in user: the menu their permissions give (as
/// `App::go_home` builds it) and the counts the service sends that role
/// (`clinic::desk::patients::home`): 12345 patients, two alerts open, three in the last
/// day, one patient's request late and two due soon.
fn home_of(app: &App) -> Home {
    let allows = |p| app.allows(p);
    let oversight = allows(Permission::AlertsRead);
    let clinical = allows(Permission::ClinicalRead);
    let rights = allows(Permission::RightsManage);
    Home {
        summary: Some(HomeSummary {
            patients: allows(Permission::PatientSearch).then_some(12345),
            alerts_open: (oversight || clinical).then_some(2),
            alerts_last_day: oversight.then_some(3),
            rights_late: rights.then_some(1),
            rights_due_soon: rights.then_some(2),
            ..HomeSummary::default()
        }),
        ..Home::for_user(allows, clinical)
    }
}

/// Every screen, by name, as a function setting up the app.
type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("login", |app| {
            app.show(Login::new(form(
                &[("li.na", false), ("secret pass", true), ("", false)],
                2,
            )))
        }),
        ("login_demo", |app| {
            app.settings.demo_accounts = Some(caredesk::demo::accounts_at);
            app.show(Login::new(form(&[("", false), ("", true), ("", false)], 0)));
        }),
        ("login_error", |app| {
            let mut f = form(&[("li.na", false), ("", true), ("", false)], 1);
            f.error = Some(app.t("error.sign_in_failed"));
            app.show(Login::new(f));
        }),
        ("set_password", |app| {
            let mut f = form(&[("new phrase", true), ("", true)], 1);
            f.info = Some(app.t("first.intro"));
            app.show(SetPassword {
                user: "li.na".into(),
                one_time: Field::masked(),
                form: f,
            });
        }),
        ("enrol", |app| {
            app.show(Enrol {
                user: "li.na".into(),
                password: Field::masked(),
                uri: "otpauth://totp/caredesk:li.na?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=caredesk".into(),
                recovery_codes: Vec::new(),
                pending: None,
                form: form(&[("12", false)], 0),
            })
        }),
        ("recovery_codes", |app| {
            sign_in(app, Role::Nurse);
            app.show(RecoveryCodes(
                (0..10)
                    .map(|i| format!("ABCD-EFGH-IJKL-MN{i:02}"))
                    .collect(),
            ));
        }),
        ("home_nurse", |app| {
            sign_in_demo(app, Role::Nurse);
            app.notice = Some(app.locale.tf(
                "home.notice",
                &[("last", "2026-11-18 08:53 UTC"), ("failed", "2")],
            ));
            let home = home_of(app);
            app.show(home);
        }),
        // Each role's home as it signs in, its menu and counts by its default
        // permissions (README, First steps per role).
        ("home_front_desk", |app| {
            sign_in_demo(app, Role::FrontDesk);
            let home = home_of(app);
            app.show(home);
        }),
        ("home_doctor", |app| {
            sign_in_demo(app, Role::Doctor);
            let home = home_of(app);
            app.show(home);
        }),
        ("home_health_manager", |app| {
            sign_in_demo(app, Role::HealthManager);
            let home = home_of(app);
            app.show(home);
        }),
        ("home_admin", |app| {
            sign_in_demo(app, Role::Admin);
            let home = home_of(app);
            app.show(home);
        }),
        ("home_security_admin", |app| {
            sign_in_demo(app, Role::SecurityAdmin);
            let home = home_of(app);
            app.show(home);
        }),
        // The privacy officer's home: a late request and two due within three days.
        ("home_privacy_officer", |app| {
            sign_in_demo(app, Role::PrivacyOfficer);
            app.show(Home {
                summary: Some(HomeSummary {
                    patients: Some(12345),
                    rights_late: Some(1),
                    rights_due_soon: Some(2),
                    ..HomeSummary::default()
                }),
                error: None,
                menu: vec![MenuItem::Search, MenuItem::RightsLog, MenuItem::Retention],
                cursor: Cursor::default(),
            });
        }),
        ("home_auditor", |app| {
            sign_in_demo(app, Role::Auditor);
            let mut home = home_of(app);
            home.cursor.selected = 1;
            app.show(home);
        }),
        ("search", |app| {
            sign_in(app, Role::FrontDesk);
            let mut search = Search {
                query: Field::with("zw"),
                rows: rows(),
                total: 300,
                answered: Some("zw".into()),
                ..Search::default()
            };
            search.cursor = Cursor {
                selected: 2,
                offset: 0,
            };
            app.show(search);
        }),
        ("search_indexing", |app| {
            // Just after the daemon started: names are still being indexed.
            sign_in(app, Role::FrontDesk);
            app.show(Search {
                query: Field::with("zw"),
                rows: rows(),
                total: 300,
                indexing: Some((412_000, 1_000_000)),
                answered: Some("zw".into()),
                ..Search::default()
            });
        }),
        ("search_scrolled", |app| {
            sign_in(app, Role::FrontDesk);
            let search = Search {
                query: Field::with("zw"),
                rows: rows(),
                total: 300,
                answered: Some("zw".into()),
                cursor: Cursor {
                    selected: 250,
                    offset: 240,
                },
                ..Search::default()
            };
            app.show(search);
        }),
        ("patient_doctor", |app| {
            sign_in(app, Role::Doctor);
            let health = demo_record();
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                cards: Some(vec![Card::new(
                    "88600000000424".into(),
                    "silver",
                    24,
                    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                )]),
                view: Some(PatientView {
                    id: PatientId([1; 16]),
                    patient: patient(),
                    health: Some(health),
                }),
                reason: None,
                tag_form: None,
                book_form: None,
                auto_tags: None,
                notice: None,
                error: None,
            });
        }),
        ("patient_front_desk", |app| {
            sign_in(app, Role::FrontDesk);
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                cards: Some(vec![Card::new(
                    "88600000000424".into(),
                    "silver",
                    24,
                    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                )]),
                view: Some(PatientView {
                    id: PatientId([1; 16]),
                    patient: patient(),
                    health: None,
                }),
                reason: None,
                tag_form: None,
                book_form: None,
                auto_tags: None,
                notice: None,
                error: None,
            });
        }),
        ("break_glass", |app| {
            sign_in(app, Role::Nurse);
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                cards: Some(vec![Card::new(
                    "88600000000424".into(),
                    "silver",
                    24,
                    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                )]),
                view: None,
                reason: Some(form(&[("patient collapsed in", false)], 0)),
                tag_form: None,
                book_form: None,
                auto_tags: None,
                notice: None,
                error: None,
            });
        }),
        ("exam_day", |app| {
            sign_in(app, Role::FrontDesk);
            let rows = vec![
                vec![
                    app.locale
                        .tf("exam.places", &[("taken", "2"), ("capacity", "8")]),
                    "senior".into(),
                    String::new(),
                ],
                vec!["张伟".into(), "senior".into(), app.t("exam.checked_in")],
                vec!["Alice Green".into(), "senior".into(), app.t("exam.booked")],
            ];
            app.show(List {
                kind: ListKind::ExamDay,
                headers: ["exam.patient", "exam.package", "exam.status"]
                    .iter()
                    .map(|k| app.t(k))
                    .collect(),
                rows,
                cursor: Cursor::default(),
                loading: false,
                bookings: Vec::new(),
                date: None,
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
        }),
        ("help", |app| {
            sign_in(app, Role::FrontDesk);
            app.show(Search::default());
            app.overlay = Some(Overlay::Help { scroll: 0 });
        }),
        ("palette", |app| {
            sign_in(app, Role::FrontDesk);
            app.show(Home {
                summary: None,
                error: None,
                menu: vec![MenuItem::Search],
                cursor: Cursor::default(),
            });
            app.overlay = Some(Overlay::Palette {
                query: Field::with("se"),
                cursor: Cursor::default(),
            });
        }),
        ("register_form", |app| {
            sign_in(app, Role::FrontDesk);
            let mut register = Register::new();
            for (i, value) in ["王芳", "F", "1949-12-31", "139 1234 5678"]
                .iter()
                .enumerate()
            {
                register.form.fields[i] = Field::with(value);
            }
            register.form.focus = 5;
            app.show(register);
        }),
        ("register_errors", |app| {
            sign_in(app, Role::FrontDesk);
            let mut register = Register::new();
            register.form.fields[0] = Field::with("王芳");
            register.form.fields[2] = Field::with("1949-12-31");
            register.form.fields[5] = Field::with("110105194912310021");
            register.field_errors[1] = Some(app.t("register.bad_sex"));
            register.field_errors[5] = Some(
                "the ID number's check character should be X, not 1: a digit was mistyped".into(),
            );
            register.form.focus = 1;
            app.show(register);
        }),
        ("register_issued", |app| {
            sign_in(app, Role::FrontDesk);
            let mut register = Register::new();
            let card = Card::new(
                "88600000000424".into(),
                "silver",
                24,
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            );
            register.outcome = Some(RegisterOutcome::Issued {
                id: PatientId([1; 16]),
                name: "王芳".into(),
                card,
            });
            app.show(register);
        }),
        ("register_duplicates", |app| {
            sign_in(app, Role::FrontDesk);
            let mut register = Register::new();
            register.outcome = Some(RegisterOutcome::Duplicates {
                rows: rows().into_iter().take(2).collect(),
                cursor: Cursor::default(),
            });
            app.show(register);
        }),
        ("consent", |app| {
            sign_in(app, Role::FrontDesk);
            let mut record = ConsentRecord::default();
            for (channel, purpose, decision, method) in [
                (
                    Channel::Phone,
                    Purpose::Care,
                    Decision::Granted,
                    Method::SignedForm,
                ),
                (
                    Channel::Sms,
                    Purpose::Care,
                    Decision::Granted,
                    Method::Verbal,
                ),
                (
                    Channel::Phone,
                    Purpose::Marketing,
                    Decision::Refused,
                    Method::Verbal,
                ),
            ] {
                record.entries.push(ConsentEntry {
                    channel,
                    purpose,
                    decision,
                    method,
                    at: 1_795_000_000,
                    recorded_by: "wang.li".into(),
                });
            }
            record
                .processing
                .push(caredesk::domain::consent::ProcessingEntry {
                    scope: caredesk::domain::consent::Processing::HealthData,
                    decision: Decision::Granted,
                    method: Method::SignedForm,
                    notice_version: "2026-12".into(),
                    at: 1_795_000_000,
                    recorded_by: "wang.li".into(),
                    guardian: Some(caredesk::domain::consent::Guardian {
                        name: "王丽".into(),
                        relationship: "母亲".into(),
                    }),
                });
            let mut screen = ConsentScreen::new(PatientId([1; 16]), "张伟".into(), None);
            screen.record = Some(record);
            app.show(screen);
        }),
        // A child's separate consent: the guardian is asked for.
        ("consent_guardian", |app| {
            sign_in(app, Role::FrontDesk);
            let born = chrono::NaiveDate::from_ymd_opt(2019, 5, 1);
            let mut screen = ConsentScreen::new(PatientId([1; 16]), "张小明".into(), born);
            screen.record = Some(ConsentRecord::default());
            app.show(screen);
            press(app, crossterm::event::KeyCode::Char('g'));
            for c in "王丽".chars() {
                press(app, crossterm::event::KeyCode::Char(c));
            }
        }),
        ("edit_tags", |app| {
            sign_in(app, Role::FrontDesk);
            let mut form = Form::new(vec![Field::with("VIP, 高血压, pregnancy")]);
            form.focus = 0;
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                view: Some(PatientView {
                    id: PatientId([1; 16]),
                    patient: patient(),
                    health: None,
                }),
                cards: None,
                reason: None,
                tag_form: Some(form),
                book_form: None,
                auto_tags: None,
                notice: None,
                error: None,
            });
        }),
        ("book_exam", |app| {
            sign_in(app, Role::FrontDesk);
            let mut form = Form::new(vec![Field::with("cardio"), Field::with("2026-12-01")]);
            form.focus = 1;
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                view: Some(PatientView {
                    id: PatientId([1; 16]),
                    patient: patient(),
                    health: None,
                }),
                cards: None,
                reason: None,
                tag_form: None,
                book_form: Some(form),
                auto_tags: None,
                notice: None,
                error: None,
            });
        }),
        ("report_lost_confirm", |app| {
            sign_in(app, Role::FrontDesk);
            app.show(PatientScreen {
                id: PatientId([1; 16]),
                view: Some(PatientView {
                    id: PatientId([1; 16]),
                    patient: patient(),
                    health: None,
                }),
                cards: Some(vec![Card::new(
                    "88600000000424".into(),
                    "silver",
                    24,
                    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                )]),
                reason: None,
                tag_form: None,
                book_form: None,
                auto_tags: None,
                notice: None,
                error: None,
            });
            app.overlay = Some(Overlay::ConfirmLost {
                patient: PatientId([1; 16]),
                number: "88600000000424".into(),
            });
        }),
        ("exam_day_reschedule", |app| {
            sign_in(app, Role::FrontDesk);
            let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            app.show(List {
                kind: ListKind::ExamDay,
                headers: ["exam.patient", "exam.package", "exam.status"]
                    .iter()
                    .map(|k| app.t(k))
                    .collect(),
                rows: vec![
                    vec!["1 of 8 places".into(), "senior".into(), String::new()],
                    vec!["张伟".into(), "senior".into(), app.t("exam.booked")],
                ],
                cursor: Cursor {
                    selected: 1,
                    offset: 0,
                },
                loading: false,
                bookings: vec![None, Some(BookingKey { date, id: 7 })],
                date: Some(date),
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
            type_text(app, "r");
        }),
        ("import", |app| {
            sign_in(app, Role::Nurse);
            let screen = caredesk::tui::components::results::import::ImportScreen {
                form: form(
                    &[("lab-2026-03.hl7", false), ("synthea", false), ("n", false)],
                    2,
                ),
                summary: Some(caredesk::clinic::api::ResultsSummary {
                    messages: 21,
                    imported: 66,
                    duplicates: 4,
                    unmatched: 15,
                    rejected: 2,
                    unread: 0,
                    created: 0,
                    record_changes: 0,
                }),
                rejected: vec![caredesk::ingest::Rejected {
                    origin: "lab-2026-03.hl7 message 7".into(),
                    place: "OBX 1, OBX-3".into(),
                    reason: caredesk::text!("msg.ingest.bad_loinc", code = "xx625-4"),
                }],
                skipped: 6,
                not_kept: Default::default(),
                queued: Default::default(),
                create_patients: false,
            };
            app.show(screen);
        }),
        ("idle_countdown", |app| {
            sign_in(app, Role::Nurse);
            app.show(Home {
                summary: None,
                error: None,
                menu: vec![MenuItem::Search],
                cursor: Cursor::default(),
            });
            app.now += chrono::Duration::seconds(290);
        }),
    ]
}

#[test]
fn every_screen_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}

#[test]
fn a_front_desk_screen_shows_no_clinical_heading_and_unknown_keys_are_absent() {
    let mut app = app(Lang::En, false);
    (screens()
        .into_iter()
        .find(|(n, _)| *n == "patient_front_desk")
        .unwrap()
        .1)(&mut app);
    let shown = render(&mut app, 120, 40);
    assert!(!shown.contains("Health summary") && !shown.contains("Allergies"));
    assert!(
        shown.contains("110105********0017"),
        "the ID number is masked"
    );
}

#[test]
fn the_search_table_builds_only_the_visible_rows() {
    // 100 000 results render in one frame the same way as 300: only the window.
    let mut app = app(Lang::En, false);
    sign_in(&mut app, Role::FrontDesk);
    let many: Vec<PatientRow> = (0..100_000)
        .map(|i| PatientRow {
            id: PatientId([0; 16]),
            name: format!("Patient {i:06}"),
            sex: Sex::Female,
            birth_date: None,
            phone: None,
            card: None,
            restricted: false,
            tags: Vec::new(),
            auto_tags: Vec::new(),
        })
        .collect();
    app.show(Search {
        query: Field::with("p"),
        rows: many,
        total: 100_000,
        answered: Some("p".into()),
        cursor: Cursor {
            selected: 99_990,
            offset: 0,
        },
        ..Search::default()
    });
    let shown = render(&mut app, 80, 24);
    assert!(shown.contains("Patient 099990"));
    assert!(!shown.contains("Patient 000000"));
    let _ = BTreeSet::from([Permission::PatientSearch]);
}
