//! The clinical screens (the health record and its history, results and trends, the
//! review list, questionnaires, the intake interview, risks and advice) rendered into
//! a TestBackend at 80x24 and 120x40, in English and Chinese, compared with the
//! reviewed snapshots in tests/it/snapshots/.

use crate::common;
use caredesk::clinic::api::{AutoTagsView, Questionnaires};

use caredesk::auth::{Permission, Role, RoleTable};
use caredesk::clinic::PatientView;
use caredesk::clinic::Response;
use caredesk::clinic::api::ReviewItem;
use caredesk::domain::amendment::{Amendment, SectionValue};
use caredesk::domain::health::Allergy;
use caredesk::domain::patient::{Patient, PatientId};
use caredesk::i18n::Lang;
use caredesk::tui::app::{App, Effect, Msg};
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::components::list::{List, ListKind};
use caredesk::tui::screens::Cursor;
use chrono::NaiveDate;
use crossterm::event::KeyCode;

use crate::common::tui::{
    clinical_patient_screen, demo_record, only_call, patient, press, sign_in, type_text,
};

/// Every screen, by name, as a function setting up the app.
type Setup = fn(&mut App);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
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
            press(app, KeyCode::Up);
        }),
        // The 个人基本信息表: codes shown with their names, scrolled with PgDn.
        ("record_basic_info", |app| {
            open_record(app, Role::Nurse);
            press(app, KeyCode::End);
        }),
        ("record_basic_info_more", |app| {
            open_record(app, Role::Nurse);
            press(app, KeyCode::End);
            press(app, KeyCode::PageDown);
        }),
        // Amending it: the focused field's codes, narrowed by what is typed.
        ("record_basic_info_amend", |app| {
            open_record(app, Role::Nurse);
            press(app, KeyCode::End);
            press(app, KeyCode::Enter);
            press(app, KeyCode::Tab);
            press(app, KeyCode::Tab);
            press(app, KeyCode::Char('回'));
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
                ..Default::default()
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
        // A change to the 个人基本信息表: only the fields it changed, before and after.
        ("record_basic_info_history", |app| {
            open_record(app, Role::Nurse);
            press(app, KeyCode::End);
            type_text(app, "h");
            let tag = only_call(app);
            let after = crate::common::tui::basic_info();
            let mut before = after.clone();
            before.coded.insert("marital".into(), vec!["10".into()]);
            before.coded.remove("payment");
            before.workplace = None;
            let amendment = Amendment {
                at: 1_795_400_000,
                by: "chen.jing".into(),
                role: Role::Nurse,
                reason: "married; insured through the new employer 婚后换工作".into(),
                before: SectionValue::BasicInfo(before),
                after: SectionValue::BasicInfo(after),
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
            app.show(List {
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
                review_unread: Vec::new(),
                alerts: Vec::new(),
                prompt_kind: Default::default(),
                rights: Vec::new(),
                rights_draft: Vec::new(),
                retention: Vec::new(),
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
                    unread: Vec::new(),
                    filed_under: None,
                },
                ReviewItem {
                    number: 12,
                    origin: "ehr.json patient 1".into(),
                    patient_ids: vec!["MRN-7".into()],
                    patient: None,
                    results: 14,
                    unread: Vec::new(),
                    filed_under: None,
                },
            ];
            let (headers, rows) = caredesk::tui::components::list::table::table(
                &app.locale,
                &Ok(caredesk::tui::components::list::table::Rows::Review(items)),
            );
            if let Some(list) = app.shown_mut::<List>() {
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
        ("risks", |app| {
            sign_in(app, Role::Doctor);
            app.show(clinical_patient_screen());
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
                caredesk::domain::value_sets::ValueSets::built_in(),
            );
            app.update(Msg::Reply {
                tag,
                response: Box::new(Response::Risks(risks)),
            });
            let tag = only_call(app);
            app.update(Msg::Reply {
                tag,
                response: Box::new(Response::AutoTags(AutoTagsView {
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
                })),
            });
        }),
        ("advice", |app| {
            sign_in(app, Role::Doctor);
            app.show(clinical_patient_screen());
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
                value_sets: caredesk::domain::value_sets::ValueSets::built_in(),
                utc_offset: 0,
            };
            let draft = library.draft(
                &["hypertension".into(), "overweight".into()],
                &facts,
                caredesk::i18n::Lang::from_chinese(chinese),
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
    ]
}

#[test]
fn every_clinical_screen_at_both_sizes_in_both_languages() {
    common::tui::snapshot_every_screen!(screens());
}

/// The patient as `role` sees them, then F4: their health record.
fn open_record(app: &mut App, role: Role) {
    sign_in(app, role);
    let clinical = RoleTable::defaults().allows(role, Permission::ClinicalRead);
    app.show(PatientScreen {
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
        auto_tags: None,
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
    app.show(clinical_patient_screen());
    type_text(app, "r");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Observations(ten_years())),
    });
}

fn open_questionnaires(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.show(clinical_patient_screen());
    type_text(app, "q");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Questionnaires(Questionnaires {
            definitions: caredesk::domain::questionnaire::built_in(),
            problems: vec![("sleep.toml".into(), "line 3: missing field `items`".into())],
        })),
    });
}

fn open_intake(app: &mut App) {
    sign_in(app, Role::Nurse);
    app.show(clinical_patient_screen());
    type_text(app, "i");
    let tag = only_call(app);
    app.update(Msg::Reply {
        tag,
        response: Box::new(Response::Intake(Box::new(
            caredesk::domain::intake::Intake::built_in(),
        ))),
    });
}
