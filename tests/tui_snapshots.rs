//! Every screen rendered into a TestBackend at 80x24 and 120x40, in English and
//! Chinese, compared with the reviewed snapshots in tests/snapshots/.

mod common;

use std::collections::BTreeSet;

use caredesk::auth::{Permission, Role, RoleTable};
use caredesk::clinic::PatientView;
use caredesk::clinic::Response;
use caredesk::clinic::api::HomeSummary;
use caredesk::clinic::api::{BookingKey, ReviewItem};
use caredesk::clinic::name_index::PatientRow;
use caredesk::domain::amendment::{Amendment, SectionValue};
use caredesk::domain::card::Card;
use caredesk::domain::consent::{Channel, ConsentEntry, ConsentRecord, Decision, Method, Purpose};
use caredesk::domain::health::Allergy;
use caredesk::domain::patient::{Patient, PatientId, Sex};
use caredesk::tui::app::{App, Effect, Msg};
use caredesk::tui::field::Field;
use caredesk::tui::locale::Lang;
use caredesk::tui::screens::{
    ConsentScreen, Cursor, Form, Home, List, ListKind, MenuItem, Overlay, PatientScreen, Register,
    RegisterOutcome, Screen, Search,
};
use chrono::NaiveDate;
use crossterm::event::KeyCode;

use common::tui::{
    LANGS, SIZES, app, clinical_patient_screen, demo_record, only_call, patient, press, render,
    sign_in, type_text,
};

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

/// The alerts list as the service's reply builds it: one acknowledged alert, two open.
fn alerts_list(app: &App, selected: usize, prompt: Option<Form>) -> Screen {
    use caredesk::clinic::alerts::AlertView;
    use caredesk::store::alerts::{Acknowledgement, AlertKind};
    let at = |h: i64| 1_795_430_000 + h * 3600;
    let alerts = vec![
        AlertView {
            id: 31,
            time_unix: at(2),
            kind: AlertKind::ManyPatients,
            subjects: vec!["user:chen.jing".into()],
            detail: "61 distinct patients within an hour (limit 50)".into(),
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
            detail:
                "patient data opened at Sun 22:41 clinic time (working hours 07:00-20:00 mon-sat)"
                    .into(),
            acknowledged: None,
        },
        AlertView {
            id: 29,
            time_unix: at(0),
            kind: AlertKind::AccountLocked,
            subjects: vec!["user:wang.li".into()],
            detail: "5 failed sign-ins".into(),
            acknowledged: None,
        },
    ];
    let (headers, rows) =
        caredesk::tui::lists::table(app, ListKind::Alerts, &Response::Alerts(alerts.clone()));
    Screen::List(List {
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
        alerts,
        prompt_kind: caredesk::tui::screens::PromptKind::AcknowledgeNote,
    })
}

fn form(values: &[(&str, bool)], focus: usize) -> Form {
    let mut form = Form::new(
        values
            .iter()
            .map(|(v, masked)| {
                let mut f = Field::with(v);
                f.masked = *masked;
                f
            })
            .collect(),
    );
    form.focus = focus;
    form
}

/// Every screen, by name, as a function setting up the app.
type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("login", |app| {
            app.screen = Screen::Login(form(
                &[("li.na", false), ("secret pass", true), ("", false)],
                2,
            ))
        }),
        ("login_demo", |app| {
            app.settings.demo = true;
            app.screen = Screen::Login(form(&[("", false), ("", true), ("", false)], 0));
        }),
        ("login_error", |app| {
            let mut f = form(&[("li.na", false), ("", true), ("", false)], 1);
            f.error = Some(app.t("error.sign_in_failed"));
            app.screen = Screen::Login(f);
        }),
        ("set_password", |app| {
            let mut f = form(&[("new phrase", true), ("", true)], 1);
            f.info = Some(app.t("first.intro"));
            app.screen = Screen::SetPassword {
                user: "li.na".into(),
                one_time: Field::masked(),
                form: f,
            };
        }),
        ("enrol", |app| {
            app.screen = Screen::Enrol {
                user: "li.na".into(),
                password: Field::masked(),
                uri: "otpauth://totp/caredesk:li.na?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=caredesk".into(),
                recovery_codes: Vec::new(),
                pending: None,
                form: form(&[("12", false)], 0),
            }
        }),
        ("recovery_codes", |app| {
            sign_in(app, Role::Nurse);
            app.screen = Screen::RecoveryCodes(
                (0..10)
                    .map(|i| format!("ABCD-EFGH-IJKL-MN{i:02}"))
                    .collect(),
            );
        }),
        ("home_nurse", |app| {
            sign_in(app, Role::Nurse);
            app.notice = Some(app.locale.tf(
                "home.notice",
                &[("last", "2026-11-18 08:53 UTC"), ("failed", "2")],
            ));
            app.screen = Screen::Home(Home {
                summary: Some(HomeSummary {
                    clinic_name: String::new(),
                    patients: Some(12345),
                    registered_today: None,
                    alerts_last_day: None,
                    alerts_open: None,
                }),
                menu: vec![MenuItem::Search],
                cursor: Cursor::default(),
            });
        }),
        ("home_auditor", |app| {
            sign_in(app, Role::Auditor);
            app.screen = Screen::Home(Home {
                summary: Some(HomeSummary {
                    clinic_name: String::new(),
                    patients: None,
                    registered_today: None,
                    alerts_last_day: Some(3),
                    alerts_open: Some(2),
                }),
                menu: vec![MenuItem::Alerts, MenuItem::Audit],
                cursor: Cursor {
                    selected: 1,
                    offset: 0,
                },
            });
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
            app.screen = Screen::Search(search);
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
            app.screen = Screen::Search(search);
        }),
        ("patient_doctor", |app| {
            sign_in(app, Role::Doctor);
            let health = demo_record();
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
        }),
        ("patient_front_desk", |app| {
            sign_in(app, Role::FrontDesk);
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
        }),
        ("break_glass", |app| {
            sign_in(app, Role::Nurse);
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
        }),
        ("users", |app| {
            sign_in(app, Role::Admin);
            app.screen = Screen::List(List {
                kind: ListKind::Users,
                headers: ["list.user", "list.role", "list.status"]
                    .iter()
                    .map(|k| app.t(k))
                    .collect(),
                rows: vec![
                    vec!["admin".into(), app.t("role.admin"), app.t("status.active")],
                    vec!["li.na".into(), app.t("role.nurse"), app.t("status.locked")],
                ],
                cursor: Cursor::default(),
                loading: false,
                bookings: Vec::new(),
                date: None,
                prompt: None,
                message: None,
                reviews: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: Default::default(),
            });
        }),
        ("alerts", |app| {
            sign_in(app, Role::Auditor);
            app.screen = alerts_list(app, 0, None);
        }),
        ("alerts_acknowledge", |app| {
            sign_in(app, Role::Admin);
            app.screen = alerts_list(
                app,
                1,
                Some(form(
                    &[("called the user: a ward round covering", false)],
                    0,
                )),
            );
        }),
        ("patient_access", |app| {
            sign_in(app, Role::Auditor);
            use caredesk::clinic::rights::Access;
            let access = |time: &str, user: &str, role: &str, action: &str, detail: &str| Access {
                time: time.into(),
                user: user.into(),
                role: role.into(),
                action: action.into(),
                outcome: "ok".into(),
                detail: detail.into(),
                ssh_client: "10.0.0.12:50122".into(),
            };
            let response = Response::AccessLog(vec![
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
            ]);
            let (headers, rows) =
                caredesk::tui::lists::table(app, ListKind::PatientAccess, &response);
            app.screen = Screen::List(List {
                kind: ListKind::PatientAccess,
                headers,
                rows,
                cursor: Cursor::default(),
                loading: false,
                bookings: Vec::new(),
                date: None,
                prompt: None,
                message: None,
                reviews: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: caredesk::tui::screens::PromptKind::PatientKey,
            });
        }),
        ("disclosures_prompt", |app| {
            sign_in(app, Role::Auditor);
            app.screen = Screen::List(List {
                kind: ListKind::Disclosures,
                headers: Vec::new(),
                rows: Vec::new(),
                cursor: Cursor::default(),
                loading: false,
                bookings: Vec::new(),
                date: None,
                prompt: Some(form(&[("8860000000017", false)], 0)),
                message: None,
                reviews: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: caredesk::tui::screens::PromptKind::PatientKey,
            });
        }),
        ("disclosures", |app| {
            use caredesk::clinic::rights::{Disclosure, DisclosureAccount, DisclosureKind};
            sign_in(app, Role::Auditor);
            let disclosure = |date: &str, kind: DisclosureKind, by: &str| Disclosure {
                date: date.into(),
                recipient: String::new(),
                description: "health report".into(),
                purpose: String::new(),
                by: by.into(),
                kind,
            };
            let response = Response::Disclosures(Box::new(DisclosureAccount {
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
            }));
            let (headers, rows) =
                caredesk::tui::lists::table(app, ListKind::Disclosures, &response);
            app.screen = Screen::List(List {
                kind: ListKind::Disclosures,
                headers,
                rows,
                cursor: Cursor::default(),
                loading: false,
                bookings: Vec::new(),
                date: None,
                prompt: None,
                message: None,
                reviews: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: caredesk::tui::screens::PromptKind::PatientKey,
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
            app.screen = Screen::List(List {
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
                alerts: Vec::new(),
                prompt_kind: Default::default(),
            });
        }),
        ("help", |app| {
            sign_in(app, Role::FrontDesk);
            app.screen = Screen::Search(Search::default());
            app.overlay = Some(Overlay::Help);
        }),
        ("palette", |app| {
            sign_in(app, Role::FrontDesk);
            app.screen = Screen::Home(Home {
                summary: None,
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
            app.screen = Screen::Register(register);
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
            app.screen = Screen::Register(register);
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
            app.screen = Screen::Register(register);
        }),
        ("register_duplicates", |app| {
            sign_in(app, Role::FrontDesk);
            let mut register = Register::new();
            register.outcome = Some(RegisterOutcome::Duplicates {
                rows: rows().into_iter().take(2).collect(),
                cursor: Cursor::default(),
            });
            app.screen = Screen::Register(register);
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
            app.screen = Screen::Consent(ConsentScreen {
                id: PatientId([1; 16]),
                name: "张伟".into(),
                record: Some(record),
                cursor: Cursor {
                    selected: 2,
                    offset: 0,
                },
                error: None,
            });
        }),
        ("edit_tags", |app| {
            sign_in(app, Role::FrontDesk);
            let mut form = Form::new(vec![Field::with("VIP, 高血压, pregnancy")]);
            form.focus = 0;
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
        }),
        ("book_exam", |app| {
            sign_in(app, Role::FrontDesk);
            let mut form = Form::new(vec![Field::with("cardio"), Field::with("2026-12-01")]);
            form.focus = 1;
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
        }),
        ("report_lost_confirm", |app| {
            sign_in(app, Role::FrontDesk);
            app.screen = Screen::Patient(PatientScreen {
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
                notice: None,
                error: None,
            });
            app.overlay = Some(Overlay::ConfirmLost {
                patient: PatientId([1; 16]),
                number: "88600000000424".into(),
            });
        }),
        ("record_doctor", |app| {
            open_record(app, Role::Doctor);
            press(app, KeyCode::Down);
            press(app, KeyCode::Down);
            press(app, KeyCode::Down);
            press(app, KeyCode::Down);
        }),
        ("record_measurements", |app| {
            open_record(app, Role::Doctor);
            press(app, KeyCode::End);
        }),
        ("record_amend_errors", |app| {
            open_record(app, Role::Nurse);
            for _ in 0..4 {
                press(app, KeyCode::Down);
            }
            press(app, KeyCode::Enter);
            press(app, KeyCode::Down);
            type_text(app, "peanuts; hives; terrible");
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            type_text(app, "ok");
            press(app, KeyCode::Enter);
        }),
        ("record_history", |app| {
            open_record(app, Role::Doctor);
            for _ in 0..4 {
                press(app, KeyCode::Down);
            }
            type_text(app, "h");
            let tag = only_call(app);
            let before = demo_record().allergies;
            let mut after = before.clone();
            after.push(Allergy {
                substance: "aspirin 阿司匹林".into(),
                reaction: Some("wheezing".into()),
                severity: None,
            });
            let amendment = Amendment {
                at: 1_795_400_000,
                by: "chen.jing".into(),
                role: Role::Nurse,
                reason: "patient recalled a reaction 体检时回忆起".into(),
                before: SectionValue::Allergies(before),
                after: SectionValue::Allergies(after),
            };
            app.update(Msg::Reply {
                tag,
                response: Box::new(Response::History(vec![amendment])),
            });
        }),
        ("record_demographics_desk", |app| {
            open_record(app, Role::FrontDesk);
            press(app, KeyCode::Enter);
            type_text(app, "芳");
        }),
        ("exam_day_reschedule", |app| {
            sign_in(app, Role::FrontDesk);
            let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            app.screen = Screen::List(List {
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
                alerts: Vec::new(),
                prompt_kind: Default::default(),
            });
            type_text(app, "r");
        }),
        ("results", |app| {
            open_results(app);
        }),
        ("results_earlier", |app| {
            open_results(app);
            press(app, KeyCode::Down);
            press(app, KeyCode::Left);
            press(app, KeyCode::Left);
        }),
        ("results_side_by_side", |app| {
            open_results(app);
            type_text(app, " ");
            press(app, KeyCode::Down);
            type_text(app, " ");
            press(app, KeyCode::Down);
            type_text(app, " ");
        }),
        ("results_add", |app| {
            open_results(app);
            type_text(app, "a");
            type_text(app, "7.1");
            press(app, KeyCode::Enter);
            press(app, KeyCode::Enter);
            for _ in 0..16 {
                press(app, KeyCode::Backspace);
            }
            type_text(app, "yesterday");
            press(app, KeyCode::Enter);
        }),
        ("review", |app| {
            sign_in(app, Role::Nurse);
            app.screen = Screen::List(List {
                kind: ListKind::Review,
                headers: Vec::new(),
                rows: Vec::new(),
                cursor: Cursor::default(),
                loading: true,
                bookings: Vec::new(),
                date: None,
                prompt: None,
                message: None,
                reviews: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: Default::default(),
            });
            let items = vec![
                ReviewItem {
                    number: 11,
                    origin: "lab-0301.hl7 message 4 (CNTRL-3456)".into(),
                    patient_ids: vec!["555-44-4444".into()],
                    patient: Some(Patient {
                        name: "EVE EVERYWOMAN".into(),
                        ..Patient::default()
                    }),
                    results: 2,
                },
                ReviewItem {
                    number: 12,
                    origin: "ehr.json patient 1".into(),
                    patient_ids: vec!["MRN-7".into()],
                    patient: None,
                    results: 14,
                },
            ];
            let (headers, rows) =
                caredesk::tui::lists::table(app, ListKind::Review, &Response::Review(items));
            if let Screen::List(list) = &mut app.screen {
                list.headers = headers;
                list.rows = rows;
                list.reviews = vec![11, 12];
                list.loading = false;
            }
            type_text(app, "m");
            type_text(app, "8860000000018");
        }),
        ("questionnaire_list", |app| {
            open_questionnaires(app);
        }),
        ("questionnaire_item", |app| {
            open_questionnaires(app);
            press(app, KeyCode::Enter);
            type_text(app, "2");
            type_text(app, "3");
            press(app, KeyCode::Down);
        }),
        ("questionnaire_summary", |app| {
            open_questionnaires(app);
            press(app, KeyCode::Enter);
            for digit in "233221112".chars() {
                type_text(app, &digit.to_string());
            }
        }),
        ("intake_checklist", |app| {
            open_intake(app);
            type_text(app, "headaches for two weeks");
            press(app, KeyCode::Enter);
            type_text(app, " ");
            press(app, KeyCode::Down);
            press(app, KeyCode::Down);
            type_text(app, " ");
        }),
        ("intake_summary", |app| {
            open_intake(app);
            type_text(app, "头痛两周");
            press(app, KeyCode::Enter);
            type_text(app, " ");
            press(app, KeyCode::Enter);
            type_text(app, "高血压");
            press(app, KeyCode::Enter);
            press(app, KeyCode::Enter);
            type_text(app, "氨氯地平");
            press(app, KeyCode::Enter);
            press(app, KeyCode::Down);
            press(app, KeyCode::Enter);
        }),
        ("import", |app| {
            sign_in(app, Role::Nurse);
            app.screen = Screen::Import(caredesk::tui::screens::ImportScreen {
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
                    created: 0,
                    record_changes: 0,
                }),
                rejected: vec![caredesk::ingest::Rejected {
                    origin: "lab-2026-03.hl7 message 7".into(),
                    place: "OBX 1, OBX-3".into(),
                    reason: "xx625-4 is not a valid LOINC code (check digit)".into(),
                }],
                skipped: 6,
            });
        }),
        ("risks", |app| {
            sign_in(app, Role::Doctor);
            app.screen = clinical_patient_screen();
            type_text(app, "k");
            let tag = only_call(app);
            let mut results = ten_years();
            let lipids = caredesk::ingest::hl7::parse(
                "MSH|^~\\&|L|X|C|Y|20260520083000||ORU^R01|1|P|2.5\rPID|||1\rOBR|1|||x|||20260520080000\rOBX|1|NM|14647-2^TC^LN||5.6|mmol/L||||F\rOBX|2|NM|14646-4^HDL^LN||1.1|mmol/L||||F\r",
                "lab",
            );
            results.extend(lipids.incoming[0].observations.clone());
            let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            let risks = caredesk::domain::assessment::assess_all(
                &patient(),
                &demo_record(),
                &results,
                Some((12, "moderate".into())),
                today,
                1_795_400_000,
            );
            app.update(Msg::Reply {
                tag,
                response: Box::new(Response::Risks(risks)),
            });
            let tag = only_call(app);
            app.update(Msg::Reply {
                tag,
                response: Box::new(Response::AutoTags {
                    tags: vec![
                        caredesk::domain::tag_rules::AutoTag {
                            tag: "hypertension".into(),
                            rule: "hypertension".into(),
                            since: 1_790_000_000,
                        },
                        caredesk::domain::tag_rules::AutoTag {
                            tag: "overweight".into(),
                            rule: "overweight".into(),
                            since: 1_795_000_000,
                        },
                    ],
                    problem: None,
                }),
            });
        }),
        ("advice", |app| {
            sign_in(app, Role::Doctor);
            app.screen = clinical_patient_screen();
            type_text(app, "a");
            let tags: Vec<u64> = app
                .take_effects()
                .into_iter()
                .filter_map(|e| match e {
                    Effect::Call { tag, .. } => Some(tag),
                    _ => None,
                })
                .collect();
            let chinese = app.locale.lang == Lang::ZhCn;
            let library = caredesk::domain::advice::Library::built_in();
            let record = demo_record();
            let person = patient();
            let facts = caredesk::domain::tag_rules::Facts {
                patient: &person,
                record: &record,
                observations: &[],
                questionnaires: &[],
                assessments: &[],
                plans: &[],
                now: 0,
                today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            };
            let draft = library.draft(
                &["hypertension".into(), "overweight".into()],
                &facts,
                chinese,
            );
            app.update(Msg::Reply {
                tag: tags[0],
                response: Box::new(Response::AdviceDraft(draft.clone())),
            });
            app.update(Msg::Reply {
                tag: tags[1],
                response: Box::new(Response::Advice(vec![caredesk::domain::advice::Approved {
                    items: draft[..1].to_vec(),
                    by: "dr.zhou".into(),
                    at: 1_790_000_000,
                }])),
            });
            press(app, KeyCode::Down);
            type_text(app, " ");
        }),
        ("idle_countdown", |app| {
            sign_in(app, Role::Nurse);
            app.screen = Screen::Home(Home {
                summary: None,
                menu: vec![MenuItem::Search],
                cursor: Cursor::default(),
            });
            app.now += chrono::Duration::seconds(290);
        }),
    ]
}

#[test]
fn every_screen_at_both_sizes_in_both_languages() {
    for (name, setup) in screens() {
        for (lang, code) in LANGS {
            for (width, height) in SIZES {
                let mut app = app(lang, false);
                setup(&mut app);
                let shown = render(&mut app, width, height);
                insta::assert_snapshot!(format!("{name}_{code}_{width}x{height}"), shown);
            }
        }
    }
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
            restricted: false,
            tags: Vec::new(),
            auto_tags: Vec::new(),
        })
        .collect();
    app.screen = Screen::Search(Search {
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

/// The patient as `role` sees them, then F4: their health record.
fn open_record(app: &mut App, role: Role) {
    sign_in(app, role);
    let clinical = RoleTable::defaults().allows(role, Permission::ClinicalRead);
    app.screen = Screen::Patient(PatientScreen {
        id: PatientId([1; 16]),
        cards: None,
        view: Some(PatientView {
            id: PatientId([1; 16]),
            patient: patient(),
            health: clinical.then(demo_record),
        }),
        reason: None,
        tag_form: None,
        book_form: None,
        notice: None,
        error: None,
    });
    press(app, KeyCode::F(4));
    app.take_effects();
}

/// Ten years of a patient's results: blood pressure rising, glucose in mg/dL before
/// the lab changed to mmol/L, HbA1c falling after treatment.
fn ten_years() -> Vec<caredesk::domain::observation::Observation> {
    use caredesk::domain::decimal::Decimal;
    use caredesk::domain::observation::{
        LOINC, ObsValue, Observation, RefRange, Source, SourceKind,
    };
    let result = |code: &str, value: &str, unit: &str, year: i32| Observation {
        system: LOINC.into(),
        code: code.into(),
        display: None,
        value: ObsValue::Quantity {
            value: Decimal::parse(value).unwrap(),
            comparator: None,
        },
        unit: Some(unit.into()),
        range: RefRange::default(),
        flags: vec![],
        taken_at: NaiveDate::from_ymd_opt(2017 + year, 5, 20)
            .unwrap()
            .and_hms_opt(8, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp(),
        status: Some("F".into()),
        source: Source {
            kind: SourceKind::Hl7,
            reference: "lab".into(),
        },
    };
    let mut out = Vec::new();
    for (year, sbp) in [118, 121, 125, 124, 129, 133, 136, 138, 142, 147]
        .iter()
        .enumerate()
    {
        out.push(result("8480-6", &sbp.to_string(), "mm[Hg]", year as i32));
        out.push(result(
            "8462-4",
            &(76 + year).to_string(),
            "mm[Hg]",
            year as i32,
        ));
    }
    for (year, glucose) in [
        "95", "99", "104", "108", "112", "6.4", "6.6", "6.9", "7.2", "7.0",
    ]
    .iter()
    .enumerate()
    {
        let unit = if year < 5 { "mg/dL" } else { "mmol/L" };
        let code = if year < 5 { "1558-6" } else { "14771-0" };
        out.push(result(code, glucose, unit, year as i32));
    }
    for (year, a1c) in ["7.9", "7.6", "7.1", "6.8"].iter().enumerate() {
        out.push(result("4548-4", a1c, "%", 6 + year as i32));
    }
    out
}

fn open_results(app: &mut App) {
    sign_in(app, Role::Doctor);
    app.screen = clinical_patient_screen();
    type_text(app, "r");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Observations(ten_years())),
    });
}

fn open_questionnaires(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.screen = clinical_patient_screen();
    type_text(app, "q");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Questionnaires {
            definitions: caredesk::domain::questionnaire::built_in(),
            problems: vec![("sleep.toml".into(), "line 3: missing field `items`".into())],
        }),
    });
}

fn open_intake(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.screen = clinical_patient_screen();
    type_text(app, "i");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Intake(Box::new(
            caredesk::domain::intake::Intake::built_in(),
        ))),
    });
}
