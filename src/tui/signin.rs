//! Sign-in forms: submitting them, signing out, and the words for service errors.

use super::app::{App, Effect, Pending, login_form};
use super::screens::Screen;
use crate::clinic::{Request, Secret, ServiceError};

impl App {
    pub(crate) fn submit_login(&mut self) {
        let Screen::Login(form) = &mut self.screen else {
            return;
        };
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
        self.call(Pending::Login, request);
    }

    pub(crate) fn submit_new_password(&mut self) {
        let error = {
            let Screen::SetPassword { form, .. } = &mut self.screen else {
                return;
            };
            if form.focus == 0 {
                form.focus = 1;
                return;
            }
            (form.value(0) != form.value(1)).then(|| self.locale.t("first.mismatch"))
        };
        let Screen::SetPassword {
            user,
            one_time,
            form,
        } = &mut self.screen
        else {
            return;
        };
        if let Some(error) = error {
            form.error = Some(error);
            form.fields[1].clear();
            return;
        }
        form.busy = true;
        let request = Request::Activate {
            user: user.clone(),
            one_time_password: Secret::new(one_time.value.clone()),
            new_password: Secret::new(form.value(0)),
        };
        self.call(Pending::Activate, request);
    }

    pub(crate) fn submit_enrol_code(&mut self) {
        let Screen::Enrol {
            user,
            password,
            form,
            pending,
            ..
        } = &mut self.screen
        else {
            return;
        };
        form.busy = true;
        let code = Secret::new(form.value(0));
        let request = match pending {
            Some(pending) => Request::ConfirmTotp {
                pending: pending.clone(),
                code,
            },
            None => Request::Login {
                user: user.clone(),
                password: Secret::new(password.value.clone()),
                code,
            },
        };
        self.call(Pending::Confirm, request);
    }

    /// Ends the session and leaves nothing of it on screen or in memory.
    pub fn sign_out(&mut self, idle: bool) {
        if self.user.take().is_some() {
            let request = if idle {
                Request::LogoutIdle
            } else {
                Request::Logout
            };
            self.pending.clear();
            self.call(Pending::Logout, request);
        }
        self.pending
            .retain(|_, p| matches!(p, super::component::Waiting::Legacy(Pending::Logout)));
        self.stack.clear();
        self.overlay = None;
        self.notice = None;
        let mut form = login_form();
        if idle {
            let secs = self.settings.idle_logout.as_secs();
            let time = if secs.is_multiple_of(60) {
                self.locale
                    .tf("common.minutes", &[("n", &(secs / 60).to_string())])
            } else {
                self.locale
                    .tf("common.seconds", &[("n", &secs.to_string())])
            };
            form.info = Some(self.locale.tf("login.idle_signed_out", &[("time", &time)]));
        }
        self.screen = Screen::Login(form);
        self.effects.push(Effect::ClearTerminal);
    }

    pub fn error_text(&self, error: &ServiceError) -> String {
        error_text(&self.locale, error)
    }
}

/// What a service error means to staff, in the desk's language.
pub fn error_text(locale: &crate::i18n::Locale, error: &ServiceError) -> String {
    match error {
        ServiceError::SignInFailed => locale.t("error.sign_in_failed"),
        ServiceError::AccountLocked { minutes } => {
            locale.tf("error.account_locked", &[("minutes", &minutes.to_string())])
        }
        ServiceError::Busy => locale.t("error.server_busy"),
        ServiceError::PasswordChangeRequired => locale.t("error.password_change_required"),
        ServiceError::SessionExpired => locale.t("error.session_expired"),
        ServiceError::NotSignedIn => locale.t("error.not_signed_in"),
        ServiceError::Denied { .. } => locale.t("error.denied"),
        ServiceError::BreakGlassRequired => locale.t("error.break_glass_required"),
        ServiceError::NotFound(_) => locale.t("error.not_found"),
        ServiceError::Field { message, .. } => locale.tf("error.detail", &[("detail", message)]),
        ServiceError::CardNotUsable {
            number,
            status,
            replaced_by,
        } => {
            let status = locale.t(&format!("card.{}", status.as_str()));
            let text = locale.tf(
                "error.card_not_usable",
                &[("number", number), ("status", &status)],
            );
            match replaced_by {
                Some(new) => format!(
                    "{text} {}",
                    locale.tf("error.card_replaced_by", &[("number", new)])
                ),
                None => text,
            }
        }
        ServiceError::Invalid(detail)
        | ServiceError::Conflict(detail)
        | ServiceError::Unavailable(detail) => locale.tf("error.detail", &[("detail", detail)]),
    }
}
