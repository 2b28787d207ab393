//! The terminal app: ratatui + crossterm on tokio. Keys, service replies and a
//! one-second tick feed `App::update`; service calls run on blocking tasks, so input
//! never waits for Argon2id or the disk; the screen is redrawn only after a change.

pub mod action;
pub mod app;
pub mod component;
pub mod components;
pub mod discard;
pub mod field;
pub mod keymap;
pub mod line_editor;
pub mod overlay_keys;
pub mod palette;
pub mod qr;
pub mod screens;
pub mod signin;
pub mod theme;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

use self::app::{App, Effect, Msg, RecordingJob, Settings};
use self::keymap::Keymap;
use self::theme::Theme;
use crate::clinic::followup::recording_client;
use crate::clinic::{Request, Signed};
use crate::i18n::Lang;

pub struct TuiOptions {
    /// The store; absent for a terminal of a clinic server reached by its socket.
    pub dir: Option<PathBuf>,
    pub keymap: Option<String>,
    pub lang: Option<Lang>,
    pub idle_logout: Option<Duration>,
    /// Lists a demo clinic's accounts on its sign-in screen (only when the clinic's
    /// settings say it is the demo).
    pub demo_accounts: Option<fn(i64) -> Vec<app::DemoAccount>>,
    /// How to reach the service (`--connect`, `--local`, or whichever answers).
    pub mode: crate::server::connection::Mode,
}

/// `30s`, `5m`, `1h` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write e.g. 30s, 5m or 1h"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: write e.g. 30s, 5m or 1h"
            ));
        }
    };
    if seconds == 0 {
        return Err("the idle logout must be at least 1 second".into());
    }
    Ok(Duration::from_secs(seconds))
}

/// Restores the terminal however the app ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

pub fn run(options: TuiOptions) -> anyhow::Result<()> {
    let connection = crate::server::connection::connect(options.dir.as_deref(), &options.mode)?;
    // The clinic's settings file; a terminal of a server that cannot read the store's
    // directory (staff over SSH) takes them from the daemon; else the defaults.
    let stored = options
        .dir
        .as_deref()
        .and_then(|dir| crate::clinic::admin::settings::Settings::load(dir).ok())
        .or_else(|| connection.terminal_settings().map(|t| t.as_settings()))
        .unwrap_or_default();
    let keymap_name = options.keymap.unwrap_or_else(|| stored.tui.keymap.clone());
    let keymap = Keymap::load(&keymap_name, Keymap::user_file().as_deref())?;
    // The flag; else the session's own locale (LC_ALL, LC_MESSAGES, LANG, as an SSH
    // session passes them); else the clinic's.
    let session = Lang::from_environment(|name| std::env::var(name).ok());
    let lang = match options.lang.or(session) {
        Some(lang) => lang,
        None => Lang::parse(&stored.tui.lang).ok_or_else(|| {
            anyhow::anyhow!(
                "settings.toml: [tui] lang {:?} is not en or zh-CN",
                stored.tui.lang
            )
        })?,
    };
    let idle_logout = match options.idle_logout {
        Some(idle) => idle,
        None => parse_duration(&stored.tui.idle_logout)
            .map_err(|e| anyhow::anyhow!("settings.toml: [tui] idle_logout: {e}"))?,
    };
    let settings = Settings {
        clinic_name: stored.clinic.name.clone(),
        demo_accounts: options.demo_accounts.filter(|_| stored.clinic.demo),
        idle_logout,
        connection: connection.describe().unwrap_or_default(),
        units: stored.clinic.units,
        player: stored.followup.player.clone(),
        printer: stored.report.printer.clone(),
    };
    let client = Arc::new(Signed::new(connection));
    let mut app = App::new(lang, keymap, Theme::from_env(), settings, Utc::now());
    if options.lang.is_some() {
        app.fix_language();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let terminal = ratatui::init();
    let _guard = TerminalGuard;
    runtime.block_on(event_loop(terminal, app, client))
}

async fn event_loop(
    mut terminal: ratatui::DefaultTerminal,
    mut app: App,
    client: Arc<Signed<crate::server::connection::Connection>>,
) -> anyhow::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| view::render(frame, &mut app))?;
            dirty = false;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => {
                    app.update(Msg::Tick(Utc::now()));
                    app.update(Msg::Key(key));
                    dirty = true;
                }
                Some(Ok(Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                app.update(msg);
                dirty = true;
            }
            _ = tick.tick() => {
                app.update(Msg::Tick(Utc::now()));
                dirty = true;
            }
        }
        for effect in app.take_effects() {
            match effect {
                Effect::Call { tag, request } => {
                    let client = client.clone();
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let response = client.call(*request);
                        let _ = tx.send(Msg::Reply {
                            tag,
                            response: Box::new(response),
                        });
                    });
                }
                Effect::Recording { tag, job } => {
                    let client = client.clone();
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let done = match job {
                            RecordingJob::Attach { key, path } => {
                                recording_client::attach(&client, key, &path).map(|_| ())
                            }
                            RecordingJob::Play {
                                patient,
                                meta,
                                player,
                            } => recording_client::play(&client, patient, &meta, &player),
                            RecordingJob::Export {
                                patient,
                                meta,
                                path,
                            } => recording_client::export(&client, patient, &meta, &path),
                        };
                        let _ = tx.send(Msg::Recording { tag, outcome: done });
                    });
                }
                Effect::Printers => {
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let found = crate::report::print::printers().map_err(|e| e.to_string());
                        let _ = tx.send(Msg::Printers(found));
                    });
                }
                Effect::Paper {
                    tag,
                    request,
                    lang,
                    output,
                } => {
                    let client = client.clone();
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let what = match *request {
                            Request::CardPrint { .. } => "member card",
                            _ => "health report",
                        };
                        let outcome =
                            crate::report::output::deliver(&*client, *request, lang, &output, what);
                        let _ = tx.send(Msg::Paper { tag, outcome });
                    });
                }
                Effect::ClearTerminal => {
                    // `resize` clears the whole screen and forces a full repaint without
                    // asking the terminal for its cursor (the event stream owns stdin).
                    let size = terminal.size()?;
                    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
                    dirty = true;
                }
                Effect::Quit => return Ok(()),
            }
        }
    }
}
