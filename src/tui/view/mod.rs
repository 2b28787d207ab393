//! Rendering: a pure function of the app's state. Every screen fits 80x24; lists draw
//! only their visible rows.

mod consent;
mod forms;
mod lists;
mod overlay;
mod patient;
mod register;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::app::App;
use super::screens::Screen;

pub fn render(frame: &mut Frame<'_>, app: &mut App) {
    let [body, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    app.list_height = body.height.saturating_sub(5) as usize;
    match &app.screen {
        Screen::Login(form) => forms::login(frame, body, app, form),
        Screen::SetPassword { user, form, .. } => forms::set_password(frame, body, app, user, form),
        Screen::Enrol { uri, form, .. } => forms::enrol(frame, body, app, uri, form),
        Screen::RecoveryCodes(codes) => forms::recovery_codes(frame, body, app, codes),
        Screen::Home(home) => lists::home(frame, body, app, home),
        Screen::Search(search) => lists::search(frame, body, app, search),
        Screen::Patient(screen) => patient::patient(frame, body, app, screen),
        Screen::List(list) => lists::list(frame, body, app, list),
        Screen::Register(form) => register::register(frame, body, app, form),
        Screen::Consent(screen) => consent::consent(frame, body, app, screen),
    }
    status::status_bar(frame, status, app);
    overlay::render(frame, body, app);
}

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// `text` padded with spaces to `columns` display columns (CJK characters count two).
pub fn pad(text: &str, columns: usize) -> String {
    let width = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}
