//! Shared helpers for the terminal tests: an app in either language, a signed-in
//! role, the demo patient and record, keys, the calls the app makes, rendering.

use std::time::Duration;

use caredesk::auth::signon::SignOnNotice;
use caredesk::auth::{Role, RoleTable};
use caredesk::clinic::PatientView;
use caredesk::domain::health::{
    Alcohol, Allergy, BloodGroup, BloodType, Condition, HealthRecord, Lifestyle, Measurements,
    Medication, Smoking, Tenths,
};
use caredesk::domain::patient::{Patient, PatientId, Sex};
use caredesk::i18n::Lang;
use caredesk::tui::app::{App, Effect, Msg, Settings, SignedInUser};
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::field::Field;
use caredesk::tui::keymap::Keymap;
use caredesk::tui::screens::Form;
use caredesk::tui::theme::Theme;
use caredesk::tui::view;
use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
pub const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::ZhCn, "zh")];

/// Every call the app just made, by tag.
pub fn calls(app: &mut App) -> Vec<(u64, caredesk::clinic::Request)> {
    app.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { tag, request } => Some((tag, *request)),
            _ => None,
        })
        .collect()
}

/// Hands the app the service's reply to a call.
pub fn reply(app: &mut App, tag: u64, response: caredesk::clinic::Response) {
    app.update(Msg::Reply {
        tag,
        response: Box::new(response),
    });
}

pub fn app(lang: Lang, demo: bool) -> App {
    let settings = Settings {
        clinic_name: "Riverside Health 江畔健康".into(),
        demo_accounts: demo.then_some(caredesk::demo::accounts_at as fn(i64) -> Vec<_>),
        idle_logout: Duration::from_secs(300),
        connection: String::new(),
        units: Default::default(),
        player: "aplay {file}".into(),
        printer: String::new(),
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 5).unwrap();
    App::new(
        lang,
        Keymap::builtin("default").unwrap(),
        Theme { color: false },
        settings,
        now,
    )
}

pub fn sign_in(app: &mut App, role: Role) {
    app.user = Some(SignedInUser {
        user: "chen.jing".into(),
        role,
        permissions: RoleTable::defaults().permissions(role),
        notice: SignOnNotice {
            previous_sign_on: Some(1_795_000_000),
            failed_attempts_since: 2,
        },
        language: None,
    });
}

pub fn patient() -> Patient {
    Patient {
        name: "张伟".into(),
        sex: Sex::Male,
        birth_date: NaiveDate::from_ymd_opt(1968, 4, 12),
        phone: Some("13912345678".into()),
        id_number: Some("110105196804120017".into()),
        address: Some("北京市朝阳区建国路 88 号".into()),
        emergency_contact: Some("Wang Fang 13800001111".into()),
        tags: vec!["VIP".into(), "高血压".into()],
        restricted: false,
        ..Patient::default()
    }
}

/// A record with an entry in each list section, as the snapshots show it.
pub fn demo_record() -> HealthRecord {
    HealthRecord {
        allergies: vec![Allergy {
            substance: "penicillin".into(),
            reaction: Some("rash".into()),
            severity: Some(caredesk::domain::health::Severity::Severe),
            ..Default::default()
        }],
        past_illnesses: vec![
            Condition {
                name: "hypertension".into(),
                code: Some("I10".into()),
                since: Some("2019".into()),
                ..Default::default()
            },
            Condition {
                name: "gout".into(),
                ..Condition::default()
            },
        ],
        medications: vec![Medication {
            name: "amlodipine".into(),
            dose: Some("5 mg".into()),
            frequency: Some("once daily".into()),
            ..Default::default()
        }],
        lifestyle: Lifestyle {
            smoking: Some(Smoking::Former),
            alcohol: Some(Alcohol::Occasional),
            exercise_minutes_per_week: Some(150),
            diet: Some("high salt 口味偏咸".into()),
            sleep_hours: Some(Tenths(65)),
            ..Lifestyle::default()
        },
        measurements: Measurements {
            height_cm: Some(Tenths(1725)),
            weight_kg: Some(Tenths(780)),
            waist_cm: Some(Tenths(920)),
            blood_group: Some(BloodGroup {
                abo: BloodType::A,
                rh_positive: true,
            }),
            measured_on: NaiveDate::from_ymd_opt(2026, 11, 2),
            ..Default::default()
        },
        basic: basic_info(),
        ..HealthRecord::default()
    }
}

/// A 个人基本信息表 filled as a nurse would: codes of the national sets, 无 where the
/// patient said none, and a field left unasked.
pub fn basic_info() -> caredesk::domain::basic_info::BasicInfo {
    use caredesk::domain::basic_info::{BasicInfo, Declared};
    let mut info = BasicInfo {
        workplace: Some("朝阳区第三小学".into()),
        responsible_doctor: Some("dr.zhou 周医生".into()),
        ..BasicInfo::default()
    };
    for (field, codes) in [
        ("residence", &["1"][..]),
        ("ethnicity", &["03"]),
        ("blood_abo", &["1"]),
        ("blood_rh", &["2"]),
        ("education", &["20"]),
        ("occupation", &["1"]),
        ("marital", &["20"]),
        ("payment", &["1", "5"]),
        ("drug_allergy", &["2"]),
        ("exposure", &["1"]),
        ("family_father", &["2", "7"]),
        ("family_mother", &["3"]),
        ("disability", &["1"]),
        ("fuel", &["3"]),
    ] {
        info.coded
            .insert(field.into(), codes.iter().map(|c| c.to_string()).collect());
    }
    info.declared.insert("trauma".into(), Declared::None);
    info.declared.insert(
        "transfusion".into(),
        Declared::Some("2009 阑尾手术 appendix operation".into()),
    );
    info
}

pub fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Ctrl-S: saves a form from any field.
pub fn save_key(app: &mut App) {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The tag of the one service call the app just made.
pub fn only_call(app: &mut App) -> u64 {
    let tags: Vec<u64> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { tag, .. } => Some(tag),
            _ => None,
        })
        .collect();
    assert_eq!(tags.len(), 1);
    tags[0]
}

/// The patient screen of a clinical role, with the demo record.
pub fn clinical_patient_screen() -> PatientScreen {
    PatientScreen {
        id: PatientId([1; 16]),
        cards: None,
        view: Some(PatientView {
            id: PatientId([1; 16]),
            patient: patient(),
            health: Some(demo_record()),
        }),
        reason: None,
        tag_form: None,
        book_form: None,
        auto_tags: None,
        notice: None,
        error: None,
    }
}

pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(frame, app)).unwrap();
    let buffer = terminal.backend().buffer();
    // No text runs over a box's right edge (a wide character at the last column of a
    // paragraph once overwrote the border): a row that opens a box closes it.
    for y in 0..height {
        let first = buffer[(0, y)].symbol();
        let last = buffer[(width - 1, y)].symbol();
        assert!(
            first != "│" || last == "│",
            "row {y} at {width}x{height} runs over the box's edge:\n{}",
            terminal.backend()
        );
    }
    terminal.backend().to_string()
}

/// A form with these values (masked or not), the cursor in field `focus`.
pub fn form(values: &[(&str, bool)], focus: usize) -> Form {
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

/// Renders each `(name, setup)` screen at both sizes in both languages and compares it
/// with its snapshot `NAME_LANG_WxH`. A macro, so that the snapshots keep the calling
/// test file's name.
#[allow(unused_macros)]
macro_rules! snapshot_every_screen {
    ($screens:expr) => {
        for (name, setup) in $screens {
            for (lang, code) in $crate::common::tui::LANGS {
                for (width, height) in $crate::common::tui::SIZES {
                    let mut app = $crate::common::tui::app(lang, false);
                    setup(&mut app);
                    let shown = $crate::common::tui::render(&mut app, width, height);
                    insta::assert_snapshot!(format!("{name}_{code}_{width}x{height}"), shown);
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use snapshot_every_screen;
