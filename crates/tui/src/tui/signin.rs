//! Signing out (by hand, idle, or a session the service ended), and the words for
//! service errors. The sign-in screens themselves are components
//! (`components/login.rs`, `set_password.rs`, `enrol.rs`, `recovery_codes.rs`).

use super::app::{App, Effect};
use super::components::account::login::Login;
use crate::clinic::{Request, ServiceError};

impl App {
    /// Ends the session and leaves nothing of it on screen or in memory.
    pub fn sign_out(&mut self, idle: bool) {
        // Nothing asked before the sign-out gets its reply.
        self.pending.clear();
        if self.user.take().is_some() {
            let request = if idle {
                // A call being typed is kept with the sign-out, for this user alone.
                let draft = self.stack.iter().rev().find_map(|mounted| {
                    let any: &dyn std::any::Any = mounted.component.as_ref();
                    any.downcast_ref::<super::components::followup::call::CallScreen>()
                        .and_then(|call| call.draft())
                });
                Request::LogoutIdle { draft }
            } else {
                Request::Logout
            };
            self.send(request);
        }
        self.overlay = None;
        self.notice = None;
        self.session_language();
        let mut login = Login::default();
        if idle {
            let secs = self.settings.idle_logout.as_secs();
            let time = if secs.is_multiple_of(60) {
                self.locale
                    .tf("common.minutes", &[("n", &(secs / 60).to_string())])
            } else {
                self.locale
                    .tf("common.seconds", &[("n", &secs.to_string())])
            };
            login.form.info = Some(self.locale.tf("login.idle_signed_out", &[("time", &time)]));
        }
        self.reset(Box::new(login));
        self.effects.push(Effect::ClearTerminal);
    }

    pub fn error_text(&self, error: &ServiceError) -> String {
        error_text(&self.locale, error)
    }
}
/// What a service error means to staff, in the desk's language.
pub fn error_text(locale: &crate::i18n::Locale, error: &ServiceError) -> String {
    locale.text(&error.text())
}
