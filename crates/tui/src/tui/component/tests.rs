//! `Desk::ask` on its own: a wrong pairing of request and reply type is refused before
//! anything is sent, and a reply of another kind reaches the screen as the one
//! "update caredesk" error, never as nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Component, Desk, Handled};
use crate::clinic::api::SearchResults;
use crate::clinic::{PatientView, Request, Response};
use crate::i18n::Lang;
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Msg, Settings};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;

fn app() -> App {
    let settings = Settings {
        clinic_name: "Test clinic".into(),
        demo_accounts: None,
        idle_logout: Duration::from_secs(300),
        connection: String::new(),
        units: Default::default(),
        player: "aplay {file}".into(),
        printer: String::new(),
    };
    let keymap = Keymap::builtin("default").expect("the built-in keymap loads");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 30, 5)
        .single()
        .expect("a valid time");
    App::new(Lang::En, keymap, Theme { color: false }, settings, now)
}

fn search() -> Request {
    Request::PatientSearch {
        query: "wang".into(),
        limit: 5,
    }
}

/// What the probe's call came back with: the reply's kind, or the error's text.
type Got = Option<Result<&'static str, String>>;

/// A screen that asks for a patient search's reply as `T` when it is shown.
#[derive(Debug, Default)]
struct Probe<const RIGHT: bool> {
    got: Got,
}

impl<const RIGHT: bool> Component for Probe<RIGHT> {
    fn context(&self) -> Context {
        Context::View
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        if RIGHT {
            desk.ask::<_, SearchResults>(search(), |this: &mut Self, _, reply| {
                this.got = Some(reply.map(|_| "SearchResults").map_err(|e| e.to_string()))
            });
        } else {
            // A patient search never answers with a patient.
            desk.ask::<_, PatientView>(search(), |this: &mut Self, _, reply| {
                this.got = Some(reply.map(|_| "Patient").map_err(|e| e.to_string()))
            });
        }
    }

    fn on_action(&mut self, _: &mut Desk<'_>, _: Action) -> Handled {
        Handled::Ignored
    }

    fn render(&self, _: &mut Frame<'_>, _: Rect, _: &App) {}
}

fn sent(app: &mut App) -> usize {
    app.take_effects()
        .iter()
        .filter(|e| matches!(e, Effect::Call { .. }))
        .count()
}

#[test]
fn a_request_asked_for_the_wrong_type_is_never_sent() {
    let mut app = app();
    let stopped = catch_unwind(AssertUnwindSafe(|| app.open(Probe::<false>::default()))).is_err();
    // A debug build stops at the mistake; a release build goes on without sending.
    assert_eq!(stopped, cfg!(debug_assertions));
    assert_eq!(sent(&mut app), 0, "nothing may be sent");
    if !stopped {
        // The screen got the refusal at once, naming the request and the type.
        let got = app.shown::<Probe<false>>().and_then(|p| p.got.clone());
        let Some(Err(text)) = got else {
            panic!("the refusal did not reach the screen: {got:?}");
        };
        assert!(
            text.contains("patient_search") && text.contains("PatientView"),
            "{text}"
        );
    }
}

#[test]
fn a_reply_of_another_kind_reaches_the_screen_as_update_caredesk() {
    let mut app = app();
    app.open(Probe::<true>::default());
    let tags: Vec<u64> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Call { tag, request } => {
                assert!(matches!(*request, Request::PatientSearch { .. }));
                Some(tag)
            }
            _ => None,
        })
        .collect();
    assert_eq!(tags.len(), 1, "the right pairing is sent");
    app.update(Msg::Reply {
        tag: tags[0],
        response: Box::new(Response::Done),
    });
    let got = app.shown::<Probe<true>>().and_then(|p| p.got.clone());
    let Some(Err(text)) = got else {
        panic!("the wrong kind did not reach the screen as an error: {got:?}");
    };
    assert!(
        text.contains("update caredesk so the terminal and the server are the same version"),
        "{text}"
    );
}
