//! How a terminal or command reaches the service: the daemon's socket when one is
//! running (or asked for), else the store opened in this process (one seat).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::remote::Remote;
use crate::clinic::api::Request;
use crate::clinic::client::Client;
use crate::clinic::{Clinic, InProcess, Origin, Response, SessionToken};
use crate::store::StoreOptions;

/// Where to connect, from the command line: `--connect PATH`, `--local`, or neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Mode {
    /// The daemon's socket if one answers (`CAREDESK_SOCKET`, else beside the store),
    /// otherwise the store itself.
    #[default]
    Auto,
    /// This daemon, or an error.
    Connect(PathBuf),
    /// The store itself, never a daemon.
    Local,
}

pub enum Connection {
    Local(InProcess),
    Remote(Remote),
}

impl Client for Connection {
    fn call(&self, session: Option<&SessionToken>, request: Request) -> Response {
        match self {
            Connection::Local(c) => c.call(session, request),
            Connection::Remote(c) => c.call(session, request),
        }
    }
}

impl Connection {
    /// The daemon's settings for terminals; `None` in process (the store's own file
    /// is read then).
    pub fn terminal_settings(&self) -> Option<&super::frame::TerminalSettings> {
        match self {
            Connection::Local(_) => None,
            Connection::Remote(r) => Some(r.terminal_settings()),
        }
    }

    /// For the status bar: "local" or the socket.
    pub fn describe(&self) -> Option<String> {
        match self {
            Connection::Local(_) => None,
            Connection::Remote(r) => Some(r.path().display().to_string()),
        }
    }
}

/// The socket a client looks for without being told: `CAREDESK_SOCKET`, else the one
/// beside the store.
pub fn socket_for(dir: Option<&Path>) -> Option<PathBuf> {
    std::env::var_os("CAREDESK_SOCKET")
        .map(PathBuf::from)
        .or_else(|| dir.map(super::daemon::default_socket))
}

/// The daemon whose socket a client finds without being told, if it answers. One that
/// answers in another protocol is an error that says so (never "the store is in use").
fn answering(dir: Option<&Path>) -> anyhow::Result<Option<Connection>> {
    let Some(path) = socket_for(dir).filter(|p| p.exists()) else {
        return Ok(None);
    };
    match Remote::connect(&path) {
        Ok(remote) => Ok(Some(Connection::Remote(remote))),
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => Err(anyhow::anyhow!("{e}")),
        Err(_) => Ok(None),
    }
}

/// Connects as `mode` says; `dir` is the store (needed unless connecting to a daemon).
pub fn connect(dir: Option<&Path>, mode: &Mode) -> anyhow::Result<Connection> {
    // Times are read and shown on the clinic's clock, wherever the store is served; a
    // terminal that cannot read the store's settings (staff over SSH) keeps it by the
    // daemon's.
    let readable = dir.is_some_and(crate::clinic::admin::settings::Settings::use_clinic_clock);
    let adopt_clock = |connection: Connection| {
        if !readable && let Some(terminal) = connection.terminal_settings() {
            crate::domain::time::set_clinic_zone(terminal.as_settings().clinic_zone());
        }
        connection
    };
    let remote =
        |path: &Path| {
            Remote::connect(path).map(Connection::Remote).map(adopt_clock).map_err(|e| {
            anyhow::anyhow!(
                "cannot reach the caredesk server at {}: {e} (is `caredesk serve` running?)",
                path.display()
            )
        })
        };
    match mode {
        Mode::Connect(path) => return remote(path),
        Mode::Auto => {
            if let Some(server) = answering(dir)? {
                return Ok(adopt_clock(server));
            }
        }
        Mode::Local => {}
    }
    let Some(dir) = dir else {
        anyhow::bail!(
            "no store given and no caredesk server found: use --data DIR, or --connect SOCKET"
        );
    };
    let clinic = Arc::new(Clinic::open(dir, StoreOptions::default())?);
    Ok(Connection::Local(InProcess::new(
        clinic,
        Origin::this_process(),
    )))
}

/// The clinic server for the store at `dir`, if commands should use one: `--connect`
/// insists, `--local` refuses, otherwise one that answers is used. `None`: work on the
/// store here (without having opened it).
pub fn server_only(dir: &Path, mode: &Mode) -> anyhow::Result<Option<Connection>> {
    match mode {
        Mode::Local => Ok(None),
        Mode::Connect(_) => connect(Some(dir), mode).map(Some),
        Mode::Auto => answering(Some(dir)),
    }
}
