//! The sign-in screen: user name, password, code. A first sign-in goes on to a new
//! password (`set_password.rs`), an account whose authenticator was reset to a new
//! enrolment (`enrol.rs`); a wrong one says why and keeps the user name.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::enrol::Enrol;
use super::set_password::SetPassword;
use crate::clinic::{Request, Secret, ServiceError, SignOn, SignedIn};
use crate::domain::time::format_time;
use crate::tui::action::Action;
use crate::tui::app::{App, DemoAccount, SignedInUser};
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::Form;
use crate::tui::view::{self, centered};

/// User name, password, code.
#[derive(Debug)]
pub struct Login {
    pub form: Form,
}

impl Default for Login {
    fn default() -> Self {
        Self::new(Form::new(vec![
            Field::default(),
            Field::masked(),
            Field::default(),
        ]))
    }
}

impl Login {
    pub fn new(form: Form) -> Self {
        Self { form }
    }

    fn submit(&mut self, desk: &mut Desk<'_>) {
        let form = &mut self.form;
        if form.busy {
            return;
        }
        if form.focus < 2 && form.fields[form.focus + 1].value.is_empty() {
            form.focus += 1;
            return;
        }
        form.busy = true;
        form.error = None;
        let request = Request::Login {
            user: form.value(0).trim().to_string(),
            password: Secret::new(form.value(1)),
            code: Secret::new(form.value(2)),
        };
        desk.ask::<_, SignOn>(request, |this: &mut Self, desk, reply| {
            this.on_reply(desk, reply)
        });
    }

    fn on_reply(&mut self, desk: &mut Desk<'_>, reply: Result<SignOn, ServiceError>) {
        let form = &mut self.form;
        match reply {
            Ok(SignOn::SignedIn(signed)) => {
                desk.signed_in(user_of(&signed), None);
            }
            Err(ServiceError::PasswordChangeRequired) => {
                let user = form.value(0).trim().to_string();
                let mut one_time = Field::masked();
                one_time.value = std::mem::take(&mut form.fields[1].value);
                let mut next = Form::new(vec![Field::masked(), Field::masked()]);
                next.info = Some(desk.t("first.intro"));
                desk.replace(SetPassword {
                    user,
                    one_time,
                    form: next,
                });
            }
            Ok(SignOn::Enrol(crate::clinic::api::TotpEnrolment {
                pending,
                otpauth_uri,
            })) => {
                let user = form.value(0).trim().to_string();
                desk.replace(Enrol {
                    user,
                    password: Field::masked(),
                    uri: otpauth_uri.expose().to_string(),
                    recovery_codes: Vec::new(),
                    pending: Some(pending),
                    form: Form::new(vec![Field::default()]),
                });
            }
            Err(error) => {
                form.busy = false;
                form.error = Some(desk.error_text(&error));
                form.fields[1].clear();
                form.fields[2].clear();
                form.focus = if form.fields[0].value.is_empty() {
                    0
                } else {
                    1
                };
            }
        }
    }
}

/// The signed-in user as the desk keeps it.
pub(crate) fn user_of(signed: &SignedIn) -> SignedInUser {
    SignedInUser {
        user: signed.user.clone(),
        role: signed.role,
        permissions: signed.permissions.clone(),
        notice: signed.notice,
        language: signed.language,
    }
}

/// The home screen's line: the last sign-on and the failed attempts since.
pub(crate) fn notice_text(
    locale: &crate::i18n::Locale,
    notice: &crate::auth::signon::SignOnNotice,
) -> String {
    let last = notice
        .previous_sign_on
        .map(format_time)
        .unwrap_or_else(|| locale.t("home.never"));
    locale.tf(
        "home.notice",
        &[
            ("last", &last),
            ("failed", &notice.failed_attempts_since.to_string()),
        ],
    )
}

/// Tab and Shift-Tab round the fields of a sign-in form.
pub(crate) fn move_focus(form: &mut Form, action: Action) -> bool {
    let count = form.fields.len();
    match action {
        Action::NextField => form.focus = (form.focus + 1) % count,
        Action::PrevField => form.focus = (form.focus + count - 1) % count,
        _ => return false,
    }
    true
}

impl Component for Login {
    fn context(&self) -> Context {
        Context::Form
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        Some(self.form.focused())
    }

    fn help(&self) -> Option<String> {
        Some(format!("help.login.{}", self.form.focus))
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if move_focus(&mut self.form, action) {
            return Handled::Consumed;
        }
        match action {
            Action::Submit => self.submit(desk),
            // Nothing under the sign-in screen.
            Action::Back => {}
            _ => {}
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        let form = &self.form;
        let accounts = app
            .settings
            .demo_accounts
            .map(|accounts| accounts(app.now.timestamp()));
        // The rule, the warning line and one row per demo user.
        let banner_height = accounts.as_ref().map_or(0, |a| a.len() as u16 + 2);
        let [top, banner] =
            Layout::vertical([Constraint::Min(10), Constraint::Length(banner_height)]).areas(area);
        let boxed = centered(top, 64, 12);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(ratatui::text::Span::styled(
                format!(" {} · {} ", app.settings.clinic_name, app.t("login.title")),
                app.theme.title(),
            ));
        let inner = block.inner(boxed);
        frame.render_widget(block, boxed);
        let [field_area, message_area] =
            Layout::vertical([Constraint::Length(6), Constraint::Min(1)]).areas(inner);
        let labels = [
            app.t("login.user"),
            app.t("login.password"),
            app.t("login.code"),
        ];
        let mut lines = view::form_messages(form, app);
        if lines.is_empty() {
            lines.push(Line::styled(app.t("login.hint"), app.theme.label()));
        }
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }),
            message_area,
        );
        view::form_fields(frame, field_area, app, form, &labels);
        if let Some(accounts) = accounts {
            demo_banner(frame, banner, app, &accounts);
        }
    }
}

/// Demo stores only: the demo users, their passwords and their codes right now.
fn demo_banner(frame: &mut Frame<'_>, area: Rect, app: &App, accounts: &[DemoAccount]) {
    let mut lines = vec![Line::styled(app.t("demo.banner"), app.theme.warning())];
    let role = |account: &DemoAccount| app.t(&format!("role.{}", account.role.as_str()));
    // The longest role's name sets the column, so every row's columns line up.
    let role_width = accounts
        .iter()
        .map(|a| unicode_width::UnicodeWidthStr::width(role(a).as_str()))
        .max()
        .unwrap_or(0)
        .max(15);
    for account in accounts {
        lines.push(Line::from(format!(
            "{:<10} {} {:<29} {} ({:>2}s)",
            account.user,
            view::pad(&role(account), role_width),
            account.password,
            account.code,
            account.seconds_left
        )));
    }
    let block = Block::default().borders(Borders::TOP);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
