//! The stack of shown components as the app runs it: the desk lent to the shown
//! screen, its moves made once it returns, replies run on the screen that asked
//! (wherever it is in the stack), and calls refused before sending answered.

use std::any::Any;

use super::{
    Component, Continuation, Desk, Handled, Mounted, Nav, PaperOutcome, Printers, RecordingOutcome,
    Refused, ScreenId, Waiting,
};
use crate::tui::action::Action;
use crate::tui::app::{App, move_cursor};

/// Splits the app into the desk and the screens, so a component and the desk can be
/// borrowed at once.
fn split(app: &mut App, screen: ScreenId) -> (Desk<'_>, &mut Vec<Mounted>) {
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
        refused,
        stack,
        list_height,
        overlay,
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
        refused,
        overlay,
        nav: None,
    };
    (desk, stack)
}

impl App {
    /// The screen shown.
    pub fn top(&self) -> &Mounted {
        // The stack is never empty: the sign-in screen is at the bottom when no one is
        // signed in, the home screen when someone is.
        &self.stack[self.stack.len() - 1]
    }

    /// The screen shown, if it is a `C`.
    pub fn shown<C: Component>(&self) -> Option<&C> {
        let any: &dyn Any = self.top().component.as_ref();
        any.downcast_ref::<C>()
    }

    /// The screen shown, if it is a `C`, to change.
    pub fn shown_mut<C: Component>(&mut self) -> Option<&mut C> {
        let top = self.stack.last_mut()?;
        let any: &mut dyn Any = top.component.as_mut();
        any.downcast_mut::<C>()
    }

    /// Shows `component` instead of the screen shown, as it is (nothing is asked for):
    /// a screen set up in a given state.
    pub fn show(&mut self, component: impl Component) {
        self.stack.pop();
        self.mount(Box::new(component));
    }

    /// Shows `component` over the current screen and starts it.
    pub fn open(&mut self, component: impl Component) {
        self.open_boxed(Box::new(component));
    }

    fn mount(&mut self, component: Box<dyn Component>) {
        let id = self.next_screen;
        self.next_screen += 1;
        self.stack.push(Mounted { id, component });
    }

    fn open_boxed(&mut self, component: Box<dyn Component>) {
        self.mount(component);
        self.on_component(|component, desk| component.start(desk));
    }

    /// Leaves the screen shown for the one under it (the bottom one stays).
    pub(crate) fn back(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// Every screen closed; `component` alone, started.
    pub(crate) fn reset(&mut self, component: Box<dyn Component>) {
        self.stack.clear();
        self.open_boxed(component);
    }

    /// Runs `f` on the shown component with the desk, then makes the move it asked.
    fn on_component(&mut self, f: impl FnOnce(&mut dyn Component, &mut Desk<'_>)) {
        let Some(id) = self.stack.last().map(|m| m.id) else {
            return;
        };
        let (mut desk, stack) = split(self, id);
        let Some(mounted) = stack.last_mut() else {
            return;
        };
        f(mounted.component.as_mut(), &mut desk);
        let nav = desk.nav.take();
        self.navigate(nav);
        self.answer_refused();
    }

    /// Runs the continuations of calls refused before sending, each with its error.
    /// Refusals made meanwhile are answered by the same loop, not by recursion.
    fn answer_refused(&mut self) {
        if self.answering_refused {
            return;
        }
        self.answering_refused = true;
        while !self.refused.is_empty() {
            let Refused {
                continuation,
                error,
            } = self.refused.remove(0);
            self.on_component_reply(continuation, error);
        }
        self.answering_refused = false;
    }

    /// Runs `f` on the shown screen if it is a `C` (the overlay's confirmation acting
    /// for the screen under it).
    pub(crate) fn on_shown<C: Component>(&mut self, f: impl for<'d> FnOnce(&mut C, &mut Desk<'d>)) {
        self.on_component(|component, desk| {
            let any: &mut dyn Any = component;
            if let Some(this) = any.downcast_mut::<C>() {
                f(this, desk);
            }
        });
    }

    /// An action on the shown screen: a movement goes to the component first and then
    /// moves its list cursor; anything else to `on_action` (Back, ignored, leaves).
    pub(crate) fn on_screen_action(&mut self, action: Action) {
        if action.is_movement() {
            let mut handled = Handled::Ignored;
            self.on_component(|component, desk| handled = component.on_movement(desk, action));
            if handled == Handled::Ignored {
                let height = self.list_height;
                if let Some(top) = self.stack.last_mut()
                    && let Some((cursor, len)) = top.component.list_cursor()
                {
                    move_cursor(cursor, action, len, height);
                }
            }
            return;
        }
        let mut handled = Handled::Consumed;
        self.on_component(|component, desk| handled = component.on_action(desk, action));
        if handled == Handled::Ignored && action == Action::Back {
            self.back();
        }
    }

    /// The shown component's text field changed.
    pub(crate) fn on_component_edit(&mut self) {
        self.on_component(|component, desk| component.on_edit(desk));
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
        let (mut desk, stack) = split(self, screen);
        let on_top = stack.last().is_some_and(|m| m.id == screen);
        let Some(mounted) = stack.iter_mut().find(|m| m.id == screen) else {
            return;
        };
        run(mounted.component.as_mut(), &mut desk, response);
        // A screen under another one may not move the screens.
        let nav = desk.nav.take().filter(|_| on_top);
        self.navigate(nav);
        self.answer_refused();
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

    /// A recording job's outcome, for the screen that started it.
    pub(crate) fn on_recording(&mut self, tag: u64, outcome: RecordingOutcome) {
        if let Some(Waiting::Recording(continuation)) = self.pending.remove(&tag) {
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
            Some(Nav::BackThen(then)) => {
                self.back();
                self.on_component(then);
            }
            Some(Nav::Push(component)) => self.open_boxed(component),
            Some(Nav::Replace(component)) => {
                self.stack.pop();
                self.open_boxed(component);
            }
            Some(Nav::Home) => self.go_home(),
            Some(Nav::SignedIn { user, codes }) => {
                self.use_language(self.language_for(user.language));
                let notice =
                    crate::tui::components::account::login::notice_text(&self.locale, &user.notice);
                let follow_up = user
                    .permissions
                    .contains(&crate::auth::Permission::FollowUpWork);
                self.user = Some(user);
                self.notice = Some(notice);
                self.go_home();
                if follow_up {
                    self.on_shown(
                        |home: &mut crate::tui::components::account::home::Home, desk| {
                            home.ask_kept_call(desk)
                        },
                    );
                }
                if let Some(codes) = codes {
                    self.open(
                        crate::tui::components::account::recovery_codes::RecoveryCodes(codes),
                    );
                }
            }
            Some(Nav::SignOut) => self.sign_out(false),
        }
    }
}
