//! Enrolling an authenticator: scan the QR code, type the first code. After an
//! activation the code confirms the enrolment through a normal sign-in; after a TOTP
//! reset, through the `pending` token. Then the recovery codes (`recovery_codes.rs`)
//! over the home screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::login::{move_focus, user_of};
use crate::clinic::api::TotpEnrolment;
use crate::clinic::{Request, Secret, ServiceError, SessionToken, SignOn};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;
use crate::tui::view;

#[derive(Debug)]
pub struct Enrol {
    pub user: String,
    pub password: Field,
    pub uri: String,
    pub recovery_codes: Vec<String>,
    pub pending: Option<SessionToken>,
    pub form: Form,
}

impl Enrol {
    fn submit(&mut self, desk: &mut Desk<'_>) {
        self.form.busy = true;
        let code = Secret::new(self.form.value(0));
        let request = match &self.pending {
            Some(pending) => Request::ConfirmTotp {
                pending: pending.clone(),
                code,
            },
            None => Request::Login {
                user: self.user.clone(),
                password: Secret::new(self.password.value.clone()),
                code,
            },
        };
        desk.ask::<_, SignOn>(request, |this: &mut Self, desk, reply| {
            this.on_reply(desk, reply)
        });
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<SignOn, ServiceError>) {
        match reply {
            Ok(SignOn::SignedIn(signed)) => {
                let mut codes = std::mem::take(&mut self.recovery_codes);
                if let Some(new) = &signed.new_recovery_codes {
                    codes = new.iter().map(|c| c.expose().to_string()).collect();
                }
                desk.signed_in(user_of(&signed), Some(codes));
            }
            // The authenticator was reset meanwhile: a new secret to scan, confirmed by
            // its code, as after the password on the sign-in screen.
            Ok(SignOn::Enrol(TotpEnrolment {
                pending,
                otpauth_uri,
            })) => desk.replace(Enrol {
                user: self.user.clone(),
                password: Field::masked(),
                uri: otpauth_uri.expose().to_string(),
                recovery_codes: std::mem::take(&mut self.recovery_codes),
                pending: Some(pending),
                form: Form::new(vec![Field::default()]),
            }),
            Err(error) => {
                self.form.busy = false;
                self.form.error = Some(desk.error_text(&error));
                self.form.fields[0].clear();
            }
        }
    }
}

impl Component for Enrol {
    fn context(&self) -> Context {
        Context::Form
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        Some(self.form.focused())
    }

    fn help(&self) -> Option<String> {
        Some("help.enrol.0".to_string())
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
        let (uri, form) = (&self.uri, &self.form);
        let qr = crate::tui::qr::render_lines(uri, 2).unwrap_or_default();
        let qr_width = qr.first().map(|l| l.chars().count()).unwrap_or(0) as u16;
        let qr_height = qr.len() as u16;
        let fits = area.width >= qr_width + 30 && area.height >= qr_height;
        let [left, right] = if fits {
            Layout::horizontal([Constraint::Length(qr_width + 1), Constraint::Min(20)]).areas(area)
        } else {
            [Rect::default(), area]
        };
        if fits {
            let lines: Vec<Line> = qr.into_iter().map(Line::from).collect();
            frame.render_widget(Paragraph::new(lines), left);
        }
        let mut text = vec![
            Line::styled(app.t("enrol.title"), app.theme.title()),
            Line::from(""),
            Line::from(app.t(if fits {
                "enrol.scan"
            } else {
                "enrol.too_small"
            })),
            Line::from(""),
            Line::styled(uri.to_string(), app.theme.label()),
            Line::from(""),
        ];
        text.extend(view::form_messages(form, app));
        let [info, code] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(2)]).areas(right);
        frame.render_widget(crate::tui::view::wrapped(text, info.width), info);
        view::form_fields(frame, code, app, form, &[app.t("enrol.code")]);
    }
}
