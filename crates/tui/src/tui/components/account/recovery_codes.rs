//! The recovery codes, shown once after an enrolment, over the home screen; Enter or
//! Esc goes home.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::keymap::Context;
use crate::tui::view::centered;

/// The codes, one a line.
#[derive(Debug)]
pub struct RecoveryCodes(pub Vec<String>);

impl Component for RecoveryCodes {
    fn context(&self) -> Context {
        Context::View
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if matches!(action, Action::Open | Action::Back) {
            desk.home();
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let codes = &self.0;
        let boxed = centered(area, 60, (codes.len() as u16) + 8);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", app.t("codes.title")),
            app.theme.title(),
        ));
        let mut lines = vec![Line::from(app.t("codes.intro")), Line::from("")];
        lines.extend(codes.iter().map(|c| Line::from(format!("    {c}"))));
        lines.push(Line::from(""));
        lines.push(Line::styled(app.t("codes.continue"), app.theme.label()));
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            boxed,
        );
    }
}
