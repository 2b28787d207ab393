//! Screens as components: a screen that implements `Component` owns its keymap
//! context, its text field and list cursor, what its actions do, what the replies to
//! its calls do, and how it is drawn, all in its own file (`components/`). The app
//! keeps a stack of them (`Mounted`); the last is the one shown.
//!
//! A component talks to the rest of the terminal through the `Desk`: who is signed in,
//! the locale, the settings, the clock, and the service. `Desk::ask::<_, T>` takes the
//! request and a continuation typed on the component that asked (as helix's jobs carry
//! a callback back to the compositor) and on the reply's type `T`; the reply runs that
//! continuation on that component, wherever it is in the stack, read as `T` or as the
//! `ServiceError` (a reply of another kind is the one "update caredesk" error, never
//! silently nothing). A reply whose screen has gone (Home, a sign-out) is dropped
//! unread.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::app::{App, Effect, RecordingJob, SignedInUser};
use super::field::Field;
use super::keymap::Context;
use super::screens::Cursor;
use super::theme::Theme;
use crate::auth::Permission;
use crate::clinic::reply::{self, Reply};
use crate::clinic::{Request, Response, ServiceError};
use crate::i18n::Locale;
use crate::report::output::Sent;
use crate::report::print::Printer;

mod stack;
#[cfg(test)]
mod tests;

/// Which mounted screen a call belongs to; never reused while the app runs.
pub type ScreenId = u64;

/// Whether a component used an action; an ignored one gets the app's default (Back
/// leaves the screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Consumed,
    Ignored,
}

/// One screen: its state and everything it does. Only `context`, `on_action` and
/// `render` are required; a screen without a text field or list keeps the defaults.
pub trait Component: Any + fmt::Debug {
    /// The keymap context its keys are looked up in (`[<name>]` in keymaps/*.toml).
    fn context(&self) -> Context;

    /// The actions the status bar names first, or the context's usual ones.
    fn hints(&self) -> Option<&'static [Action]> {
        None
    }

    /// The text field that takes typed characters, if any.
    fn text_field(&mut self) -> Option<&mut Field> {
        None
    }

    /// The catalog key of the focused field's one-line help, for the help window.
    fn help(&self) -> Option<String> {
        None
    }

    /// The selection the movement keys move, and the list's length.
    fn list_cursor(&mut self) -> Option<(&mut Cursor, usize)> {
        None
    }

    /// Runs once when the screen is shown: the first calls go out here.
    fn start(&mut self, desk: &mut Desk<'_>) {
        let _ = desk;
    }

    /// Shown again after the screen over it left with `desk.back()`: a list the
    /// screen above changed reads itself again here.
    fn on_return(&mut self, desk: &mut Desk<'_>) {
        let _ = desk;
    }

    /// A printable key the screen takes before the keymap (an option's number, say);
    /// true if it took it.
    fn on_char(&mut self, desk: &mut Desk<'_>, c: char) -> bool {
        let _ = (desk, c);
        false
    }

    /// The text field was edited (a character typed or removed, Ctrl-U): a screen that
    /// answers as you type (search) asks here.
    fn on_edit(&mut self, desk: &mut Desk<'_>) {
        let _ = desk;
    }

    /// A movement (Up, Down, PageUp, PageDown, Home, End) before the app moves
    /// `list_cursor`: a screen that scrolls takes it here (`Consumed`); an ignored one
    /// moves the list cursor as usual. `desk.page` is how many rows a page holds.
    fn on_movement(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        let _ = (desk, action);
        Handled::Ignored
    }

    /// What an action (not a movement: see `on_movement`) does here.
    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled;

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App);
}

/// A shown component and the id its calls are filed under.
#[derive(Debug)]
pub struct Mounted {
    pub id: ScreenId,
    pub component: Box<dyn Component>,
}

type Run<T> = Box<dyn for<'d> FnOnce(&mut dyn Component, &mut Desk<'d>, T)>;

/// What a reply does, kept with the id of the screen that asked. `T` is what comes
/// back: a service reply, or what a job off the loop found.
pub(crate) struct Continuation<T = Response> {
    screen: ScreenId,
    run: Run<T>,
}

impl<T> fmt::Debug for Continuation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Continuation(screen {})", self.screen)
    }
}

/// What CUPS said when asked for its printers (`Msg::Printers`).
pub type Printers = Result<Vec<Printer>, String>;

/// What became of a document printed or written off the loop (`Msg::Paper`).
pub type PaperOutcome = Result<Sent, crate::i18n::Text>;

/// What a recording job off the loop found (`Msg::Recording`): done, or why not.
pub type RecordingOutcome = Result<(), ServiceError>;

/// What a request waits for: the continuation of the component that asked.
#[derive(Debug)]
pub(crate) enum Waiting {
    Screen(Continuation),
    /// A paper job (`Effect::Paper`), answered by `Msg::Paper` under the same tag.
    Paper(Continuation<PaperOutcome>),
    /// A recording job (`Effect::Recording`), answered by `Msg::Recording`.
    Recording(Continuation<RecordingOutcome>),
}

/// A call refused before it was sent (its reply type cannot hold what the request
/// answers): the continuation and the error it gets as soon as the component returns.
pub(crate) struct Refused {
    pub(crate) continuation: Continuation<ServiceError>,
    pub(crate) error: ServiceError,
}

impl fmt::Debug for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Refused({:?})", self.continuation)
    }
}

type Then = Box<dyn for<'d> FnOnce(&mut dyn Component, &mut Desk<'d>)>;

/// A move between screens a component asks for; done once it returns.
pub(crate) enum Nav {
    Back,
    /// Back, then this runs on the screen underneath (if it is of the type it wants).
    BackThen(Then),
    Push(Box<dyn Component>),
    /// This screen gives way to another (the sign-in steps, a registration's patient).
    Replace(Box<dyn Component>),
    /// Every screen closed; the home screen.
    Home,
    /// Signed in: the home screen, and the recovery codes over it when there are some.
    SignedIn {
        user: SignedInUser,
        codes: Option<Vec<String>>,
    },
    /// The session ends (a first sign-in given up).
    SignOut,
}

impl fmt::Debug for Nav {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Nav::Back => "Back",
            Nav::BackThen(_) => "BackThen",
            Nav::Push(_) => "Push",
            Nav::Replace(_) => "Replace",
            Nav::Home => "Home",
            Nav::SignedIn { .. } => "SignedIn",
            Nav::SignOut => "SignOut",
        };
        f.write_str(name)
    }
}

/// What a component may read and do beyond itself: the signed-in desk.
pub struct Desk<'a> {
    pub locale: &'a Locale,
    pub theme: &'a Theme,
    pub settings: &'a super::app::Settings,
    pub now: DateTime<Utc>,
    pub user: Option<&'a SignedInUser>,
    /// The rows a page holds, as the last drawing left them (PageUp/PageDown).
    pub page: usize,
    /// The component being served: its calls' replies come back to it.
    screen: ScreenId,
    next_tag: &'a mut u64,
    pending: &'a mut HashMap<u64, Waiting>,
    /// Who asked CUPS for its printers, oldest first (`Msg::Printers` has no tag:
    /// each answer goes to the oldest asker).
    printers: &'a mut VecDeque<Continuation<Printers>>,
    effects: &'a mut Vec<Effect>,
    /// Calls refused before sending, answered once the component returns.
    refused: &'a mut Vec<Refused>,
    /// A layer over the screen the component asks for (a confirmation).
    overlay: &'a mut Option<super::screens::Overlay>,
    nav: Option<Nav>,
}

impl Desk<'_> {
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    pub fn error_text(&self, error: &ServiceError) -> String {
        super::signin::error_text(self.locale, error)
    }

    /// A message from the service or the domain, in the desk's language.
    pub fn text(&self, text: &crate::i18n::Text) -> String {
        self.locale.text(text)
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.user
            .is_some_and(|u| u.permissions.contains(&permission))
    }

    /// Sends `request`; its reply, read as `T` (or the `ServiceError`), runs `reply` on
    /// this component if it is still shown (anywhere in the stack). A reply of another
    /// kind comes as the one "unexpected reply, update caredesk" error.
    ///
    /// A `T` that cannot hold every reply the request's row declares is a mistake in
    /// caredesk: a debug build stops here; otherwise nothing is sent and `reply` gets
    /// the error as soon as this component returns.
    pub fn ask<C: Component, T: Reply + 'static>(
        &mut self,
        request: Request,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, Result<T, ServiceError>) + 'static,
    ) {
        if let Some(error) = reply::mismatch::<T>(&request) {
            debug_assert!(false, "{error}");
            self.refuse(error, move |this: &mut C, desk, error| {
                reply(this, desk, Err(error))
            });
            return;
        }
        let tag = self.expect(Waiting::Screen, move |this: &mut C, desk, response| {
            reply(this, desk, reply::read::<T>(response))
        });
        self.effects.push(Effect::Call {
            tag,
            request: Box::new(request),
        });
    }

    /// Files `reply` to be run with `error` once the component returns (nothing sent).
    fn refuse<C: Component>(
        &mut self,
        error: ServiceError,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, ServiceError) + 'static,
    ) {
        let continuation = self.continuation(reply);
        self.refused.push(Refused {
            continuation,
            error,
        });
    }

    /// Runs a recording job off the loop (play, export, attach); what became of it
    /// comes back to `reply` as `ask::<_, ()>`'s reply does (why not, as an error).
    pub fn recording<C: Component>(
        &mut self,
        job: RecordingJob,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, Result<(), ServiceError>) + 'static,
    ) {
        let tag = self.expect(
            Waiting::Recording,
            move |this: &mut C, desk, outcome: RecordingOutcome| reply(this, desk, outcome),
        );
        self.effects.push(Effect::Recording { tag, job });
    }

    /// Asks CUPS for its printers off the loop; what it says comes back to `reply`.
    pub fn printers<C: Component>(
        &mut self,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, Printers) + 'static,
    ) {
        let continuation = self.continuation(reply);
        self.printers.push_back(continuation);
        self.effects.push(Effect::Printers);
    }

    /// Asks the service for a document (`request`: a report or a card), makes the PDF
    /// in this language and sends it to `output`, off the loop; what became of it
    /// comes back to `reply`.
    pub fn paper<C: Component>(
        &mut self,
        request: Request,
        output: crate::clinic::api::ReportOutput,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, PaperOutcome) + 'static,
    ) {
        // Only a report or a card makes paper: anything else is refused unsent, as `ask`.
        if let Some(error) = reply::mismatch::<crate::report::output::Paper>(&request) {
            debug_assert!(false, "{error}");
            self.refuse(error, move |this: &mut C, desk, error: ServiceError| {
                reply(this, desk, Err(error.text()))
            });
            return;
        }
        let lang = self.locale.lang;
        let tag = self.expect(Waiting::Paper, reply);
        self.effects.push(Effect::Paper {
            tag,
            request: Box::new(request),
            lang,
            output,
        });
    }

    /// Files `reply` under a new tag, with this component's id.
    fn expect<C: Component, T: 'static>(
        &mut self,
        waiting: fn(Continuation<T>) -> Waiting,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, T) + 'static,
    ) -> u64 {
        let continuation = self.continuation(reply);
        let tag = *self.next_tag;
        *self.next_tag += 1;
        self.pending.insert(tag, waiting(continuation));
        tag
    }

    /// `reply`, run on this component when what it waits for comes.
    fn continuation<C: Component, T: 'static>(
        &self,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, T) + 'static,
    ) -> Continuation<T> {
        let run: Run<T> = Box::new(move |component, desk, outcome| {
            let any: &mut dyn Any = component;
            if let Some(this) = any.downcast_mut::<C>() {
                reply(this, desk, outcome);
            }
        });
        Continuation {
            screen: self.screen,
            run,
        }
    }

    /// Leave this screen for the one under it.
    pub fn back(&mut self) {
        self.nav = Some(Nav::Back);
    }

    /// Leave this screen; then `then` runs on the screen under it if that is a `C`
    /// (the patient screen fetching what the screen over it changed).
    pub fn back_then<C: Component>(
        &mut self,
        then: impl for<'d> FnOnce(&mut C, &mut Desk<'d>) + 'static,
    ) {
        let then: Then = Box::new(move |component, desk| {
            let any: &mut dyn Any = component;
            if let Some(this) = any.downcast_mut::<C>() {
                then(this, desk);
            }
        });
        self.nav = Some(Nav::BackThen(then));
    }

    /// Shows a layer over the screen (a confirmation the app answers).
    pub fn overlay(&mut self, overlay: super::screens::Overlay) {
        *self.overlay = Some(overlay);
    }

    /// Show `component` over this screen.
    pub fn push(&mut self, component: impl Component) {
        self.nav = Some(Nav::Push(Box::new(component)));
    }

    /// Show `component` instead of this screen.
    pub fn replace(&mut self, component: impl Component) {
        self.nav = Some(Nav::Replace(Box::new(component)));
    }

    /// Close every screen for the home screen.
    pub fn home(&mut self) {
        self.nav = Some(Nav::Home);
    }

    /// The sign-in succeeded: the desk is this user's; `codes` are shown first.
    pub fn signed_in(&mut self, user: SignedInUser, codes: Option<Vec<String>>) {
        self.nav = Some(Nav::SignedIn { user, codes });
    }

    /// End the session (and any sign-in under way).
    pub fn sign_out(&mut self) {
        self.nav = Some(Nav::SignOut);
    }
}
