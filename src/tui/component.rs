//! Screens as components: a screen that implements `Component` owns its keymap
//! context, its text field and list cursor, what its actions do, what the replies to
//! its calls do, and how it is drawn, all in its own file. It is shown through
//! `Screen::Component`, beside the screens that still live in the central `Screen`
//! enum, so screens move over one at a time.
//!
//! A component talks to the rest of the terminal through the `Desk`: who is signed in,
//! the locale, the settings, the clock, and the service. `Desk::call` takes the request
//! and a continuation typed on the component that asked (as helix's jobs carry a
//! callback back to the compositor); the reply runs that continuation on that
//! component, wherever it is in the stack. A reply whose screen has gone (Home, a
//! sign-out) is dropped unread.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::app::{App, Effect, Pending, RecordingJob, SignedInUser};
use super::field::Field;
use super::keymap::Context;
use super::screens::{Cursor, Screen};
use super::theme::Theme;
use crate::auth::Permission;
use crate::clinic::{Request, Response, ServiceError};
use crate::i18n::Locale;
use crate::report::output::Sent;
use crate::report::print::Printer;

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
pub type PaperOutcome = Result<Sent, String>;

/// What a request waits for: a component's continuation, or (for screens not yet
/// moved) the central `Pending` purpose that `replies.rs` applies.
#[derive(Debug)]
pub(crate) enum Waiting {
    Screen(Continuation),
    /// A paper job (`Effect::Paper`), answered by `Msg::Paper` under the same tag.
    Paper(Continuation<PaperOutcome>),
    Legacy(Pending),
}

/// A move between screens a component asks for; done once it returns.
#[derive(Debug)]
pub enum Nav {
    Back,
    /// Back, and the patient screen underneath fetches its cards again.
    BackFreshCards,
    Push(Box<dyn Component>),
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
    nav: Option<Nav>,
}

impl Desk<'_> {
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    pub fn error_text(&self, error: &ServiceError) -> String {
        super::signin::error_text(self.locale, error)
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.user
            .is_some_and(|u| u.permissions.contains(&permission))
    }

    /// Sends `request`; its reply runs `reply` on this component if it is still
    /// shown (anywhere in the stack).
    pub fn call<C: Component>(
        &mut self,
        request: Request,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, Response) + 'static,
    ) {
        let tag = self.expect(Waiting::Screen, reply);
        self.effects.push(Effect::Call {
            tag,
            request: Box::new(request),
        });
    }

    /// Runs a recording job off the loop (play, export); its outcome comes back to
    /// `reply` as a call's reply does.
    pub fn recording<C: Component>(
        &mut self,
        job: RecordingJob,
        reply: impl for<'d> FnOnce(&mut C, &mut Desk<'d>, Response) + 'static,
    ) {
        let tag = self.expect(Waiting::Screen, reply);
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

    /// Leave this screen; the patient screen under it, if that is where it goes,
    /// fetches the patient's cards again (one may have been issued meanwhile).
    pub fn back_to_fresh_cards(&mut self) {
        self.nav = Some(Nav::BackFreshCards);
    }

    /// Show `component` over this screen.
    pub fn push(&mut self, component: impl Component) {
        self.nav = Some(Nav::Push(Box::new(component)));
    }
}

/// Splits the app into the desk and the screens, so a component and the desk can be
/// borrowed at once.
fn split(app: &mut App, screen: ScreenId) -> (Desk<'_>, &mut Screen, &mut Vec<Screen>) {
    let App {
        locale,
        theme,
        settings,
        now,
        user,
        next_tag,
        pending,
        printers,
        effects,
        screen: shown,
        stack,
        list_height,
        ..
    } = app;
    let desk = Desk {
        locale,
        theme,
        settings,
        now: *now,
        user: user.as_ref(),
        page: (*list_height).max(1),
        screen,
        next_tag,
        pending,
        printers,
        effects,
        nav: None,
    };
    (desk, shown, stack)
}

impl App {
    /// Shows `component` over the current screen and starts it.
    pub(crate) fn open(&mut self, component: impl Component) {
        self.open_boxed(Box::new(component));
    }

    fn open_boxed(&mut self, component: Box<dyn Component>) {
        let id = self.next_screen;
        self.next_screen += 1;
        self.push(Screen::Component(Mounted { id, component }));
        self.on_component(|component, desk| component.start(desk));
    }

    /// Opens a screen about the patient shown on the patient screen.
    pub(crate) fn open_for_patient<C: Component>(
        &mut self,
        make: impl FnOnce(crate::domain::patient::PatientId, String) -> C,
    ) {
        if let Screen::Patient(patient) = &self.screen
            && let Some(view) = &patient.view
        {
            let component = make(view.id, view.patient.name.clone());
            self.open(component);
        }
    }

    /// Runs `f` on the shown component with the desk, then makes the move it asked.
    fn on_component(&mut self, f: impl FnOnce(&mut dyn Component, &mut Desk<'_>)) {
        let id = match &self.screen {
            Screen::Component(mounted) => mounted.id,
            _ => return,
        };
        let (mut desk, shown, _) = split(self, id);
        let Screen::Component(mounted) = shown else {
            return;
        };
        f(mounted.component.as_mut(), &mut desk);
        let nav = desk.nav.take();
        self.navigate(nav);
    }

    /// An action on the shown component (movement is done by the app).
    pub(crate) fn on_component_action(&mut self, action: Action) {
        let mut handled = Handled::Consumed;
        self.on_component(|component, desk| handled = component.on_action(desk, action));
        if handled == Handled::Ignored && action == Action::Back {
            self.back();
        }
    }

    /// A movement offered to the shown component first; true if it took it (the app
    /// then leaves the list cursor alone).
    pub(crate) fn on_component_movement(&mut self, action: Action) -> bool {
        let mut handled = Handled::Ignored;
        self.on_component(|component, desk| handled = component.on_movement(desk, action));
        handled == Handled::Consumed
    }

    /// A printable key offered to the shown component before the keymap.
    pub(crate) fn on_component_char(&mut self, c: char) -> bool {
        let mut taken = false;
        self.on_component(|component, desk| taken = component.on_char(desk, c));
        taken
    }

    /// A reply to a component's call (or what its job off the loop found): run on
    /// that component if it is still shown.
    pub(crate) fn on_component_reply<T>(&mut self, continuation: Continuation<T>, response: T) {
        let Continuation { screen, run } = continuation;
        let (mut desk, shown, stack) = split(self, screen);
        let on_top = matches!(&*shown, Screen::Component(m) if m.id == screen);
        let target = std::iter::once(shown)
            .chain(stack.iter_mut())
            .find_map(|s| match s {
                Screen::Component(m) if m.id == screen => Some(m),
                _ => None,
            });
        let Some(mounted) = target else {
            return;
        };
        run(mounted.component.as_mut(), &mut desk, response);
        // A screen under another one may not move the screens.
        let nav = desk.nav.take().filter(|_| on_top);
        self.navigate(nav);
    }

    /// CUPS's answer, for the oldest screen that asked.
    pub(crate) fn on_printers(&mut self, found: Printers) {
        if let Some(continuation) = self.printers.pop_front() {
            self.on_component_reply(continuation, found);
        }
    }

    /// A paper job's outcome, for the screen that started it.
    pub(crate) fn on_paper(&mut self, tag: u64, outcome: PaperOutcome) {
        if let Some(Waiting::Paper(continuation)) = self.pending.remove(&tag) {
            self.on_component_reply(continuation, outcome);
        }
    }

    fn navigate(&mut self, nav: Option<Nav>) {
        match nav {
            None => {}
            Some(Nav::Back) => {
                self.back();
                self.on_component(|component, desk| component.on_return(desk));
            }
            Some(Nav::BackFreshCards) => {
                self.back();
                if let Screen::Patient(patient) = &self.screen {
                    let id = patient.id;
                    self.request_cards(id);
                }
            }
            Some(Nav::Push(component)) => self.open_boxed(component),
        }
    }
}
