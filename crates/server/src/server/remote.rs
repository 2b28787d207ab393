//! The client side of the daemon's socket: one connection per terminal or command,
//! one request at a time. When the daemon goes away the call says so, and the next
//! call connects again (the user signs in again: sessions live in the daemon).

use crate::text;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::frame::{
    ClientFrame, FrameError, Greeting, TerminalSettings, read_frame, version_mismatch, write_frame,
};
use crate::clinic::api::Request;
use crate::clinic::client::Client;
use crate::clinic::{Response, ServiceError, SessionToken};

pub struct Remote {
    path: PathBuf,
    stream: Mutex<Option<UnixStream>>,
    /// The clinic's settings for terminals, as the daemon sent them when connected.
    terminal: TerminalSettings,
}

/// Connects and greets: refused (`ErrorKind::Unsupported`, with what to do) when the
/// server speaks another protocol, so no request of ours is ever misread. Returns the
/// connection and the clinic's settings for terminals.
fn open(path: &Path) -> std::io::Result<(UnixStream, TerminalSettings)> {
    let mut stream = UnixStream::connect(path)?;
    let ours = Greeting::this_build();
    let greet = ClientFrame::Greet {
        protocol: ours.protocol,
        version: ours.version.clone(),
        ssh_client: crate::audit::context::process_actor().ssh_client,
    };
    write_frame(&mut stream, &greet).map_err(std::io::Error::other)?;
    match read_frame::<Greeting>(&mut stream) {
        Ok(theirs) if theirs.protocol == ours.protocol => {
            // What this process checks of the server's (the audit chain) is checked
            // under the server's suite.
            crate::crypto::Suite::parse(&theirs.suite)
                .and_then(crate::crypto::suite::adopt)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::Unsupported, e.to_string()))?;
            let terminal =
                read_frame::<TerminalSettings>(&mut stream).map_err(std::io::Error::other)?;
            Ok((stream, terminal))
        }
        Ok(theirs) => Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            version_mismatch(&ours, &theirs),
        )),
        // A server from before the greeting cannot read ours and closes the connection.
        Err(FrameError::Closed | FrameError::Malformed(_)) => Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!(
                "the clinic server did not answer this terminal's greeting (caredesk {}, \
                 protocol {}): it is probably an older caredesk; update it and restart it",
                ours.version, ours.protocol
            ),
        )),
        Err(e) => Err(std::io::Error::other(e)),
    }
}

impl Remote {
    /// Connects to the daemon listening at `path`.
    pub fn connect(path: &Path) -> std::io::Result<Remote> {
        let (stream, terminal) = open(path)?;
        Ok(Remote {
            path: path.to_path_buf(),
            stream: Mutex::new(Some(stream)),
            terminal,
        })
    }

    /// The clinic's settings for terminals, from the daemon.
    pub fn terminal_settings(&self) -> &TerminalSettings {
        &self.terminal
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn gone(why: impl std::fmt::Display) -> Response {
    Response::Error(ServiceError::Unavailable(text!(
        "msg.server.gone",
        detail = why
    )))
}

impl Client for Remote {
    fn call(&self, session: Option<&SessionToken>, request: Request) -> Response {
        let mut guard = self.stream.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            match open(&self.path) {
                Ok((mut stream, _)) => {
                    // A new connection reads small frames until it shows a live session
                    // (`SIGN_IN_FRAME`): show it first, so a large request (an import
                    // batch) is not refused as a stranger's.
                    if let Some(session) = session {
                        let hello = ClientFrame::Call {
                            session: Some(session.clone()),
                            request: Box::new(Request::WhoAmI),
                        };
                        let shown = write_frame(&mut stream, &hello)
                            .and_then(|()| read_frame::<Response>(&mut stream));
                        if let Err(e) = shown {
                            return gone(e);
                        }
                    }
                    *guard = Some(stream);
                }
                // Another version: say so plainly; waiting will not help.
                Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
                    return Response::Error(ServiceError::Unavailable(text!(
                        "msg.server.other_version",
                        detail = e
                    )));
                }
                Err(e) => return gone(e),
            }
        }
        let stream = guard.as_mut().expect("connected above");
        let frame = ClientFrame::Call {
            session: session.cloned(),
            request: Box::new(request),
        };
        let answer = write_frame(stream, &frame).and_then(|()| read_frame::<Response>(stream));
        match answer {
            Ok(response) => response,
            Err(e) => {
                // The next call connects afresh.
                *guard = None;
                gone(e)
            }
        }
    }
}
