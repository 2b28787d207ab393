//! The app's state and `update`: a key, a service reply or a clock tick comes in, the
//! state changes, and effects (service calls, a cleared terminal, quitting) go out.
//! Rendering is a pure function of this state (`view/`).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::component::Mounted;
use super::components::{account::home::Home, account::login::Login, desk::search::Search};
use super::field::Field;
use super::keymap::{Context, Key, Keymap};
use super::screens::{Cursor, Overlay};
use super::theme::Theme;
use crate::auth::signon::SignOnNotice;
use crate::auth::{Permission, Role};
use crate::clinic::{Request, Response, ServiceError};
use crate::domain::patient::PatientId;
use crate::i18n::{Lang, Locale};

/// Seconds before an idle sign-out when the status bar starts counting down.
pub const COUNTDOWN_SECONDS: i64 = 30;
/// Most search results fetched at once; the table draws only the visible ones.
pub const SEARCH_LIMIT: u32 = 100_000;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Reply {
        tag: u64,
        response: Box<Response>,
    },
    Tick(DateTime<Utc>),
    /// The printers CUPS reports (or why it could not be asked).
    Printers(Result<Vec<crate::report::print::Printer>, String>),
    /// A document printed or written (what happened), or why not.
    Paper {
        tag: u64,
        outcome: Result<crate::report::output::Sent, crate::i18n::Text>,
    },
    /// A recording attached, played or exported, or why not.
    Recording {
        tag: u64,
        outcome: Result<(), crate::clinic::ServiceError>,
    },
}

#[derive(Debug)]
pub enum Effect {
    Call {
        tag: u64,
        /// Boxed: requests carrying a record (an amendment's before and after) are large.
        request: Box<Request>,
    },
    /// Attach or play a call recording: several service calls (and, to play, the
    /// player program), off the event loop; answered by `Msg::Recording`.
    Recording {
        tag: u64,
        job: RecordingJob,
    },
    /// Ask CUPS for its printers, off the event loop; answered by `Msg::Printers`.
    Printers,
    /// Ask the service for a report or card, make the PDF and print or write it, off
    /// the event loop; answered by `Msg::Paper`.
    Paper {
        tag: u64,
        request: Box<Request>,
        lang: crate::i18n::Lang,
        output: crate::clinic::api::ReportOutput,
    },
    /// Repaint everything from scratch: nothing of the last screen may remain.
    ClearTerminal,
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecordingJob {
    Attach {
        key: crate::clinic::followup::api::FollowUpKey,
        path: std::path::PathBuf,
    },
    Play {
        patient: PatientId,
        meta: Box<crate::domain::followup::RecordingMeta>,
        player: String,
    },
    /// Hand the recording out: written to a new file (0600); audited as a disclosure.
    Export {
        patient: PatientId,
        meta: Box<crate::domain::followup::RecordingMeta>,
        path: std::path::PathBuf,
    },
}

#[derive(Debug, Clone)]
pub struct SignedInUser {
    pub user: String,
    pub role: Role,
    pub permissions: BTreeSet<Permission>,
    pub notice: SignOnNotice,
    /// The language the user chose for their desk, if any.
    pub language: Option<Lang>,
}

/// A demo clinic's account as its sign-in screen lists it (the demo supplies them:
/// the terminal knows nothing of the demo's users).
pub struct DemoAccount {
    pub user: &'static str,
    pub role: Role,
    pub password: &'static str,
    pub code: String,
    pub seconds_left: u64,
}

pub struct Settings {
    pub clinic_name: String,
    /// A demo clinic: its accounts and their codes at a time, for the sign-in screen.
    pub demo_accounts: Option<fn(i64) -> Vec<DemoAccount>>,
    pub idle_logout: Duration,
    /// The daemon's socket; empty when the store is opened in this process. The status
    /// bar names it in the desk's language of the moment.
    pub connection: String,
    /// The units results are shown in.
    pub units: crate::domain::indicators::UnitSystem,
    /// The command that plays a call recording (`{file}` for its path).
    pub player: String,
    /// The CUPS printer offered first (`[report] printer`).
    pub printer: String,
}

pub struct App {
    pub locale: Locale,
    /// The other language, so the palette finds commands typed in either.
    pub other_locale: Locale,
    pub keymap: Keymap,
    pub theme: Theme,
    pub settings: Settings,
    pub now: DateTime<Utc>,
    last_input: DateTime<Utc>,
    /// The screens, the one shown last; never empty.
    pub(crate) stack: Vec<Mounted>,
    pub overlay: Option<Overlay>,
    pub user: Option<SignedInUser>,
    /// A one-line message for the home screen (the sign-on notice).
    pub notice: Option<String>,
    /// A message in the status bar until the next key: what a key the role may not
    /// use would have done.
    pub flash: Option<String>,
    /// What each request sent waits to do with its reply.
    pub(crate) pending: HashMap<u64, super::component::Waiting>,
    /// The screens waiting for CUPS's printers, oldest first.
    pub(crate) printers:
        std::collections::VecDeque<super::component::Continuation<super::component::Printers>>,
    pub(crate) next_tag: u64,
    /// The id the next shown component gets.
    pub(crate) next_screen: super::component::ScreenId,
    pub(crate) effects: Vec<Effect>,
    /// Calls refused before sending (a reply type that cannot hold what the request
    /// answers), answered as soon as the component that asked returns.
    pub(crate) refused: Vec<super::component::Refused>,
    /// Set while those are answered, so one refused meanwhile joins the same loop.
    pub(crate) answering_refused: bool,
    /// Rows the last frame showed for the current list (set by the view).
    pub list_height: usize,
    /// The language of this terminal's session (the flag, else its locale, else the
    /// clinic's): the sign-in screen's, and the desk's for a user who chose none.
    session_lang: Lang,
    /// `--lang` was given: the desk stays in it whatever the user chose.
    lang_fixed: bool,
}

impl App {
    pub fn new(
        lang: Lang,
        keymap: Keymap,
        theme: Theme,
        settings: Settings,
        now: DateTime<Utc>,
    ) -> Self {
        let other = if lang == Lang::En {
            Lang::ZhCn
        } else {
            Lang::En
        };
        let mut app = Self {
            locale: Locale::new(lang),
            other_locale: Locale::new(other),
            keymap,
            theme,
            settings,
            now,
            last_input: now,
            stack: Vec::new(),
            overlay: None,
            user: None,
            notice: None,
            flash: None,
            pending: HashMap::new(),
            printers: Default::default(),
            next_tag: 1,
            next_screen: 1,
            effects: Vec::new(),
            refused: Vec::new(),
            answering_refused: false,
            list_height: 10,
            session_lang: lang,
            lang_fixed: false,
        };
        app.show(Login::default());
        app
    }

    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn context(&self) -> Context {
        if self.overlay.is_some() {
            Context::Overlay
        } else {
            self.top().component.context()
        }
    }

    /// `--lang` was given: every user's desk stays in it.
    pub fn fix_language(&mut self) {
        self.lang_fixed = true;
    }

    /// Shows the desk in `lang` (the other language stays at hand for the palette).
    pub fn use_language(&mut self, lang: Lang) {
        if self.locale.lang != lang {
            std::mem::swap(&mut self.locale, &mut self.other_locale);
        }
    }

    /// The desk's language for a user who signed in: their own choice, unless the
    /// terminal was started with `--lang`.
    pub(crate) fn language_for(&self, chosen: Option<Lang>) -> Lang {
        match chosen {
            Some(lang) if !self.lang_fixed => lang,
            _ => self.session_lang,
        }
    }

    /// Back to the terminal session's language (after a sign-out).
    pub(crate) fn session_language(&mut self) {
        self.use_language(self.session_lang);
    }

    /// Sends `request` with no one waiting for its reply (a sign-out).
    pub(crate) fn send(&mut self, request: Request) {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.effects.push(Effect::Call {
            tag,
            request: Box::new(request),
        });
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.permissions.contains(&permission))
    }

    /// Seconds until the idle sign-out, while signed in.
    pub fn idle_left(&self) -> Option<i64> {
        self.user.as_ref()?;
        let idle = self.settings.idle_logout.as_secs() as i64;
        Some(idle - (self.now - self.last_input).num_seconds())
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Tick(now) => {
                self.now = now;
                if self.idle_left().is_some_and(|left| left <= 0) {
                    self.sign_out(true);
                }
            }
            Msg::Key(event) => {
                self.last_input = self.now;
                self.on_key(event);
            }
            Msg::Reply { tag, response } => {
                // A reply for a request made before a sign-out is dropped unread.
                if let Some(waiting) = self.pending.remove(&tag) {
                    self.on_reply(waiting, *response);
                }
            }
            Msg::Printers(found) => self.on_printers(found),
            Msg::Paper { tag, outcome } => self.on_paper(tag, outcome),
            Msg::Recording { tag, outcome } => self.on_recording(tag, outcome),
        }
    }

    /// A key, and then select-on-focus: a field of a form that Tab, Enter or an arrow
    /// moved to is selected when it holds a value, so typing replaces it. A text opened
    /// to be amended (an edit key) is not: typing there adds to it.
    fn on_key(&mut self, event: KeyEvent) {
        self.flash = None;
        let moves = matches!(
            self.keymap
                .lookup(self.top().component.context(), Key::from_event(&event)),
            Some(Action::NextField | Action::PrevField | Action::Submit)
        );
        let before = self.focused_field();
        self.on_key_unselected(event);
        let after = self.focused_field();
        if moves
            && after != before
            && let Some(field) = self
                .stack
                .last_mut()
                .and_then(|top| top.component.text_field())
        {
            field.select_all();
        }
    }

    /// Which field has the cursor (its address: only compared, never followed).
    fn focused_field(&mut self) -> Option<*const Field> {
        let overlay = self.overlay.is_some();
        self.stack
            .last_mut()
            .and_then(|top| top.component.text_field())
            .filter(|_| !overlay)
            .map(|field| field as *const Field)
    }

    fn on_key_unselected(&mut self, event: KeyEvent) {
        let key = Key::from_event(&event);
        if self.overlay.is_some() {
            self.on_overlay_key(event, key);
            return;
        }
        let context = self.top().component.context();
        let plain = !event
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if let Some(field) = self
            .stack
            .last_mut()
            .and_then(|top| top.component.text_field())
        {
            let control = event.modifiers.contains(KeyModifiers::CONTROL);
            let edited = match event.code {
                // As in a shell: Ctrl-U empties the line.
                KeyCode::Char('u') if control => {
                    field.clear();
                    true
                }
                KeyCode::Char(c) if plain => {
                    field.insert(c);
                    true
                }
                KeyCode::Backspace => {
                    field.backspace();
                    true
                }
                KeyCode::Delete => {
                    field.delete();
                    true
                }
                KeyCode::Left => {
                    field.left();
                    true
                }
                KeyCode::Right => {
                    field.right();
                    true
                }
                KeyCode::Home if context != Context::List => {
                    field.home();
                    true
                }
                KeyCode::End if context != Context::List => {
                    field.end();
                    true
                }
                _ => false,
            };
            if edited {
                // A change of the text, not a cursor movement (the screen compares).
                if matches!(
                    event.code,
                    KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete
                ) {
                    self.on_component_edit();
                }
                return;
            }
        }
        if let (KeyCode::Char(c), true) = (event.code, plain)
            && self.on_component_char(c)
        {
            return;
        }
        let action = self
            .keymap
            .lookup(context, key)
            .or_else(|| self.keymap.lookup(Context::Global, key));
        if let Some(action) = action {
            self.on_action(action);
        }
    }

    pub(crate) fn on_action(&mut self, action: Action) {
        if let Some(user) = &self.user
            && !action.allowed(&user.permissions)
        {
            // Said at once, never a screen that waits for a refusal or looks empty.
            let role = self.t(&format!("role.{}", user.role.as_str()));
            let label = self.t(&format!("action.{}", action.name()));
            self.flash = Some(
                self.locale
                    .tf("status.role_cannot", &[("role", &role), ("action", &label)]),
            );
            return;
        }
        match action {
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            // English and Chinese change places, and the choice is kept for the user.
            Action::Language => {
                std::mem::swap(&mut self.locale, &mut self.other_locale);
                if let Some(user) = &self.user {
                    // The home screen's sign-on line, said again in the new language.
                    self.notice = Some(super::components::account::login::notice_text(
                        &self.locale,
                        &user.notice,
                    ));
                    let language = Some(self.locale.lang);
                    self.send(Request::SetLanguage { language });
                    self.flash = Some(self.t("status.language_kept"));
                }
            }
            Action::Palette => {
                self.overlay = Some(Overlay::Palette {
                    query: Field::default(),
                    cursor: Cursor::default(),
                })
            }
            Action::Quit => {
                if self.user.is_some() {
                    self.sign_out(false);
                }
                self.effects.push(Effect::Quit);
            }
            Action::Logout if self.user.is_some() => self.sign_out(false),
            Action::Home if self.user.is_some() => self.go_home(),
            Action::Search if self.allows(Permission::PatientSearch) => self.open_search(),
            _ => self.on_screen_action(action),
        }
    }

    /// Every screen closed; the home screen, its menu by what this user may do.
    pub(crate) fn go_home(&mut self) {
        let allowed = |permission| self.allows(permission);
        let home = Home::for_user(allowed, self.allows(Permission::ClinicalRead));
        self.reset(Box::new(home));
    }

    /// F3: the search screen, or on it, a new search (the box emptied).
    fn open_search(&mut self) {
        if self.shown::<Search>().is_some() {
            self.on_screen_action(Action::Search);
        } else {
            self.open(Search::default());
        }
    }

    fn on_reply(&mut self, waiting: super::component::Waiting, response: Response) {
        if matches!(
            response.error(),
            Some(ServiceError::SessionExpired | ServiceError::NotSignedIn)
        ) && self.user.is_some()
        {
            self.sign_out(false);
            let text = self.t("error.session_expired");
            if let Some(login) = self.shown_mut::<Login>() {
                login.form.info = Some(text);
            }
            return;
        }
        match waiting {
            super::component::Waiting::Screen(continuation) => {
                self.on_component_reply(continuation, response)
            }
            // A paper or recording job is answered by its own message, never by a reply.
            super::component::Waiting::Paper(_) | super::component::Waiting::Recording(_) => {}
        }
    }
}

pub(crate) fn move_cursor(cursor: &mut Cursor, action: Action, len: usize, height: usize) {
    let page = height.max(1) as isize;
    match action {
        Action::Up => cursor.move_by(-1, len),
        Action::Down => cursor.move_by(1, len),
        Action::PageUp => cursor.move_by(-page, len),
        Action::PageDown => cursor.move_by(page, len),
        Action::Top => cursor.move_by(isize::MIN / 2, len),
        Action::Bottom => cursor.move_by(isize::MAX / 2, len),
        _ => {}
    }
    cursor.scroll_into_view(height);
}
