//! First sign-in: the new password twice (the one-time password is kept for the
//! call); the service answers with the authenticator to enrol (`enrol.rs`). Esc gives
//! up and goes back to the sign-in screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::enrol::Enrol;
use super::login::move_focus;
use crate::clinic::api::Activated;
use crate::clinic::{Request, Secret, ServiceError};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;
use crate::tui::view::{self, centered};

#[derive(Debug)]
pub struct SetPassword {
    pub user: String,
    pub one_time: Field,
    pub form: Form,
}

impl SetPassword {
    fn submit(&mut self, desk: &mut Desk<'_>) {
        let form = &mut self.form;
        if form.focus == 0 {
            form.focus = 1;
            return;
        }
        if form.value(0) != form.value(1) {
            form.error = Some(desk.t("first.mismatch"));
            form.fields[1].clear();
            return;
        }
        form.busy = true;
        let request = Request::Activate {
            user: self.user.clone(),
            one_time_password: Secret::new(self.one_time.value.clone()),
            new_password: Secret::new(form.value(0)),
        };
        desk.ask::<_, Activated>(request, |this: &mut Self, desk, reply| {
            this.on_reply(desk, reply)
        });
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<Activated, ServiceError>) {
        match reply {
            Ok(Activated {
                otpauth_uri,
                recovery_codes,
            }) => {
                let mut password = Field::masked();
                password.value = std::mem::take(&mut self.form.fields[0].value);
                desk.replace(Enrol {
                    user: self.user.clone(),
                    password,
                    uri: otpauth_uri.expose().to_string(),
                    recovery_codes: recovery_codes
                        .iter()
                        .map(|c| c.expose().to_string())
                        .collect(),
                    pending: None,
                    form: Form::new(vec![Field::default()]),
                });
            }
            Err(error) => {
                self.form.busy = false;
                self.form.error = Some(desk.error_text(&error));
            }
        }
    }
}

impl Component for SetPassword {
    fn context(&self) -> Context {
        Context::Form
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        Some(self.form.focused())
    }

    fn help(&self) -> Option<String> {
        Some(format!("help.first.{}", self.form.focus))
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if move_focus(&mut self.form, action) {
            return Handled::Consumed;
        }
        match action {
            Action::Submit => self.submit(desk),
            Action::Back => desk.sign_out(),
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let form = &self.form;
        let boxed = centered(area, 70, 12);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} · {} ", app.t("first.title"), self.user),
            app.theme.title(),
        ));
        let inner = block.inner(boxed);
        frame.render_widget(block, boxed);
        let [field_area, message_area] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(inner);
        let labels = [app.t("first.new_password"), app.t("first.repeat")];
        let mut lines = view::form_messages(form, app);
        lines.push(Line::styled(app.t("first.rules"), app.theme.label()));
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }),
            message_area,
        );
        view::form_fields(frame, field_area, app, form, &labels);
    }
}
