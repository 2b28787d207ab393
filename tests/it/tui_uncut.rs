//! Nothing the service says is cut: every message of the catalogs, its placeholders
//! filled with a card number, is shown whole at 80x24 in both languages on the two
//! places staff meet errors most (the sign-in box and the patient search), wrapped
//! within its box. (Issue 21: "messages wrap within their box".)

use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::i18n::{Lang, Locale, Text};
use crossterm::event::KeyCode;

use crate::common::update::*;

/// A number staff need whole: a card number fills every placeholder.
const NUMBER: &str = "8860000005016";

/// Every service message of the catalogs, each placeholder filled with `NUMBER`.
fn messages() -> Vec<Text> {
    let en = Locale::new(Lang::En);
    let mut keys: Vec<&String> = en.keys().filter(|k| k.starts_with("msg.")).collect();
    keys.sort();
    keys.into_iter()
        .map(|key| {
            let template = en.t(key);
            let mut text = Text::new(key.clone());
            for part in template.split('{').skip(1) {
                if let Some(name) = part.split('}').next() {
                    text = text.arg(name, NUMBER);
                }
            }
            text
        })
        .collect()
}

/// The screen's text without borders and spaces, rows joined: a wrapped message
/// reads straight through.
fn flat(screen: &str) -> String {
    screen
        .lines()
        // Each row is printed in quotes, maybe with a note after them.
        .filter_map(|row| {
            let start = row.find('"')?;
            let end = row.find("\" Hidden by").or_else(|| row.rfind('"'))?;
            (end > start).then(|| &row[start + 1..end])
        })
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace() && !"│┌┐└┘─├┤▲▼█║".contains(*c))
        .collect()
}

fn shown_whole(screen: &str, message: &str) -> bool {
    let message: String = message.chars().filter(|c| !c.is_whitespace()).collect();
    flat(screen).contains(&message)
}

#[test]
fn every_service_message_is_shown_whole_at_80x24_in_both_languages() {
    let messages = messages();
    assert!(messages.len() > 150, "{} messages", messages.len());
    for lang in [Lang::En, Lang::ZhCn] {
        let locale = Locale::new(lang);
        for text in &messages {
            let error = ServiceError::Invalid(text.clone());
            let expected = locale.text(text);

            // The sign-in box.
            let mut app = crate::common::update::app();
            app.use_language(lang);
            keys(&mut app, "li.na");
            key(&mut app, KeyCode::Enter);
            keys(&mut app, "pw");
            key(&mut app, KeyCode::Enter);
            keys(&mut app, "1");
            key(&mut app, KeyCode::Enter);
            let (tag, _) = call(&mut app);
            app.update(reply(tag, Response::Error(error.clone())));
            let screen = crate::common::tui::render(&mut app, 80, 24);
            assert!(
                shown_whole(&screen, &expected),
                "sign-in, {}: {expected}\n{}\n{screen}",
                text.key(),
                flat(&screen)
            );

            // The patient search.
            let mut app = crate::common::update::app();
            sign_in_as(&mut app, Role::FrontDesk);
            app.take_effects();
            app.use_language(lang);
            key(&mut app, KeyCode::F(3));
            keys(&mut app, "z");
            let (tag, request) = call(&mut app);
            assert!(
                matches!(request, Request::PatientSearch { .. }),
                "{request:?}"
            );
            app.update(reply(tag, Response::Error(error)));
            let screen = crate::common::tui::render(&mut app, 80, 24);
            assert!(
                shown_whole(&screen, &expected),
                "search, {}: {expected}\n{screen}",
                text.key()
            );
        }
    }
}
