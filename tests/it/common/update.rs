//! The app's update loop without a terminal, for the tests that drive it by keys:
//! an app at a fixed time, keys, the one call a step queues, and replies.

use std::time::Duration;

use caredesk::auth::Role;
use caredesk::auth::signon::SignOnNotice;
use caredesk::clinic::{Request, Response, SessionToken, SignedIn};
use caredesk::i18n::Lang;
use caredesk::tui::app::{App, Msg, Settings};
use caredesk::tui::keymap::Keymap;
use caredesk::tui::theme::Theme;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn app() -> App {
    let settings = Settings {
        clinic_name: "c".into(),
        demo_accounts: None,
        idle_logout: Duration::from_secs(60),
        connection: String::new(),
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

pub fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

pub fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The one service call the last step queued.
pub fn call(app: &mut App) -> (u64, Request) {
    let calls = super::tui::calls(app);
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls.into_iter().next().unwrap()
}

/// Types a user name, password and code, and answers the sign-in with `role`.
pub fn sign_in_as(app: &mut App, role: Role) {
    sign_in_answered(app, signed_in(role));
}

/// Types a user name, password and code, and answers the sign-in with `answer`.
pub fn sign_in_answered(app: &mut App, answer: Response) {
    keys(app, "li.na");
    key(app, KeyCode::Enter);
    keys(app, "pw");
    key(app, KeyCode::Enter);
    keys(app, "1");
    key(app, KeyCode::Enter);
    let (tag, _) = call(app);
    app.update(reply(tag, answer));
}

pub fn reply(tag: u64, response: Response) -> Msg {
    Msg::Reply {
        tag,
        response: Box::new(response),
    }
}

pub fn signed_in(role: Role) -> Response {
    Response::SignedIn(SignedIn {
        token: SessionToken("t".into()),
        user: "li.na".into(),
        role,
        permissions: caredesk::auth::RoleTable::defaults().permissions(role),
        notice: SignOnNotice::default(),
        recovery_codes_left: None,
        new_recovery_codes: None,
        language: None,
    })
}

/// Someone of `role` on patient `id`'s screen (an empty record), nothing waiting.
pub fn on_patient_as(role: Role, id: caredesk::domain::patient::PatientId) -> App {
    use caredesk::clinic::PatientView;
    use caredesk::tui::components::desk::patient::PatientScreen;
    let mut app = app();
    sign_in_as(&mut app, role);
    app.show(PatientScreen {
        id,
        view: Some(PatientView {
            id,
            patient: caredesk::domain::patient::Patient::default(),
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
    app.take_effects();
    app
}
