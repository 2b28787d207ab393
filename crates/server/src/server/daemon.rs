//! `caredesk serve`: the one process that owns the store. Terminals and commands
//! connect to its Unix socket (0660, group from `[server] group`); each connection is
//! served on its own task, each request on a blocking thread (Argon2id and disk never
//! stall the others). The peer's OS user comes from the socket (SO_PEERCRED), never
//! from what the client says. SIGTERM or SIGINT: stop accepting, let the requests in
//! flight finish and answer, settle the background work, flush, exit 0. When the store
//! can no longer write (sled keeps a full disk's error for the life of the process),
//! it exits 1 instead of failing every request: systemd starts it again, and a fresh
//! open works once space is back.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

use super::frame::{
    ClientFrame, FrameError, Greeting, MAX_FRAME, SIGN_IN_FRAME, body_length_within, decode,
    encode, version_mismatch,
};
use crate::clinic::{Clinic, Origin, Request, Response, SignedIn};
use crate::store::StoreOptions;

pub struct ServeOptions {
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub key_file: Option<PathBuf>,
    /// Opens the store at start through its token slot, with this PIN file.
    pub token_pin_file: Option<PathBuf>,
}

/// The socket's default place: beside the store.
pub fn default_socket(dir: &Path) -> PathBuf {
    dir.join("caredesk.sock")
}

/// A group's id from the system's name service (files, LDAP, SSSD: whatever
/// nsswitch.conf says), as `getgrnam` finds it.
fn group_id(name: &str) -> anyhow::Result<u32> {
    match nix::unistd::Group::from_name(name) {
        Ok(Some(group)) => Ok(group.gid.as_raw()),
        Ok(None) => anyhow::bail!(
            "[server] group {name:?} is not a group on this machine: create it (groupadd) or fix settings.toml"
        ),
        Err(e) => anyhow::bail!("cannot look up [server] group {name:?}: {e}"),
    }
}

/// Binds the socket, refusing to take over from a daemon that still answers there and
/// to replace anything that is not a socket (a mistyped `--socket` must not delete a
/// file). On failure after binding, the socket is removed again: no stale socket.
fn bind(path: &Path, group: &str) -> anyhow::Result<UnixListener> {
    let gid = (!group.is_empty()).then(|| group_id(group)).transpose()?;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_socket() => anyhow::bail!(
            "{} exists and is not a socket: caredesk will not replace it; choose another --socket",
            path.display()
        ),
        Ok(_) => {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                anyhow::bail!(
                    "a caredesk server already listens on {}: stop it first",
                    path.display()
                );
            }
            // Left by a daemon that was killed: nobody listens.
            std::fs::remove_file(path)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => anyhow::bail!("cannot check {}: {e}", path.display()),
    }
    let listener = UnixListener::bind(path)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", path.display()))?;
    let shared = || -> anyhow::Result<()> {
        if let Some(gid) = gid {
            rustix::fs::chown(path, None, Some(rustix::fs::Gid::from_raw(gid))).map_err(|e| {
                anyhow::anyhow!(
                    "cannot give the socket to group {group:?} ({e}): the service account must be a member of it"
                )
            })?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        Ok(())
    };
    if let Err(e) = shared() {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(listener)
}

/// Connections served at once; past it a new one is closed at once (each holds a task
/// and, before sign-in, at most `SIGN_IN_FRAME` bytes).
const MAX_CONNECTIONS: usize = 1024;

async fn read_frame(stream: &mut UnixStream, limit: usize) -> Result<ClientFrame, FrameError> {
    let mut header = [0u8; 4];
    match stream.read_exact(&mut header).await {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        other => other?,
    };
    let mut body = vec![0u8; body_length_within(header, limit)?];
    stream.read_exact(&mut body).await?;
    decode(&body)
}

/// Serves one connection until it closes, sends something unreadable, or the daemon
/// stops (a request being handled is finished and answered first).
async fn connection(
    mut stream: UnixStream,
    clinic: Arc<Clinic>,
    mut stopping: watch::Receiver<bool>,
    broken: mpsc::Sender<String>,
) {
    let os_user = match stream.peer_cred() {
        Ok(cred) => crate::audit::context::os_user_name(cred.uid()),
        Err(_) => return,
    };
    let mut origin = Origin {
        os_user,
        ssh_client: None,
    };
    let mut greeted = false;
    // Small frames until the connection has signed in (or shown a live session).
    let mut frame_limit = SIGN_IN_FRAME;
    loop {
        let frame = tokio::select! {
            frame = read_frame(&mut stream, frame_limit) => frame,
            _ = stopping.changed() => return,
        };
        let (session, request) = match frame {
            Ok(ClientFrame::Greet {
                protocol,
                version,
                ssh_client,
            }) if !greeted => {
                // Answered whatever it says, so the terminal can tell staff what to do.
                let ours = Greeting::this_build();
                let Ok(greeting) = encode(&ours) else { return };
                if stream.write_all(&greeting).await.is_err() {
                    return;
                }
                if protocol != ours.protocol {
                    let theirs = Greeting {
                        protocol,
                        version,
                        suite: String::new(),
                    };
                    // Versions only: nothing a user typed.
                    eprintln!(
                        "caredesk serve: turned a terminal away: {}",
                        version_mismatch(&theirs, &ours)
                    );
                    return;
                }
                // The clinic's settings for the terminal, which cannot read them.
                let terminal = super::frame::TerminalSettings::of(&clinic.settings());
                let Ok(terminal) = encode(&terminal) else {
                    return;
                };
                if stream.write_all(&terminal).await.is_err() {
                    return;
                }
                origin.ssh_client = ssh_client.as_deref().map(|claimed| {
                    crate::audit::context::claimed_ssh_client(claimed)
                        .unwrap_or_else(|| "(not an address)".into())
                });
                greeted = true;
                continue;
            }
            Ok(ClientFrame::Hello { .. }) => {
                eprintln!(
                    "caredesk serve: turned away a terminal older than protocol {}: update caredesk there",
                    super::frame::PROTOCOL
                );
                return;
            }
            Ok(ClientFrame::Call { session, request }) if greeted => (session, request),
            Ok(_) => {
                eprintln!("caredesk serve: a client broke the protocol; its connection is closed");
                return;
            }
            Err(FrameError::Closed) => return,
            Err(e) => {
                // The reason names sizes and decoding, never content.
                eprintln!("caredesk serve: closing a connection: {e}");
                return;
            }
        };
        let worker = clinic.clone();
        let from = origin.clone();
        let had_session = session.is_some();
        let response: Response = tokio::task::spawn_blocking(move || {
            let response = worker.handle(session.as_ref(), *request, &from);
            if matches!(response, Response::SignedIn(_)) {
                // The first sign-in may have unlocked the store: index names now.
                worker.start_name_index();
            }
            response
        })
        .await
        .unwrap_or_else(|_| {
            Response::Error(crate::clinic::ServiceError::Unavailable(crate::text!(
                "msg.server.internal"
            )))
        });
        let frame = match encode(&response) {
            Ok(frame) => frame,
            Err(e) => {
                eprintln!("caredesk serve: a reply could not be sent: {e}");
                return;
            }
        };
        let session_refused = matches!(
            response,
            Response::Error(
                crate::clinic::ServiceError::NotSignedIn
                    | crate::clinic::ServiceError::SessionExpired
            )
        );
        if matches!(response, Response::SignedIn(_)) || (had_session && !session_refused) {
            frame_limit = MAX_FRAME;
        }
        let sent = stream.write_all(&frame).await;
        if matches!(
            response,
            Response::Error(crate::clinic::ServiceError::Unavailable(_))
        ) {
            let worker = clinic.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || worker.check_writable()).await {
                let _ = broken.send(e.to_string()).await;
                return;
            }
        }
        if sent.is_err() {
            return;
        }
    }
}

/// Runs the daemon until SIGTERM or SIGINT.
/// Raises this process's open-file limit to what `MAX_CONNECTIONS` needs and more (the
/// store's files, the log), within the hard limit: the usual soft limit of 1024 would
/// run out before the connection limit does, and a clinic's terminals would find no
/// server while strangers' idle connections held it.
fn room_for_connections() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let wanted = (MAX_CONNECTIONS as u64) * 4;
    let limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum;
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        return;
    }
    let raised = hard.map_or(wanted, |h| h.min(wanted));
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(raised),
            maximum: hard,
        },
    );
}

/// The exit status when the token does not open the store (EX_CONFIG): the unit does
/// not restart on it.
pub const EXIT_TOKEN: i32 = 78;

pub fn serve(options: ServeOptions) -> anyhow::Result<()> {
    crate::store::db::restrict_umask();
    room_for_connections();
    let _ = crate::clinic::admin::settings::Settings::use_clinic_clock(&options.dir);
    let clinic = Arc::new(Clinic::open(&options.dir, StoreOptions::default())?);
    clinic.start_reevaluation_worker();
    // What opens the store at start, unattended: a key file, or a token slot.
    let unattended = match (&options.key_file, &options.token_pin_file) {
        (Some(path), _) => Some(super::key_file::read(path)?),
        (None, Some(path)) => match super::key_file::read_pin(path)
            .and_then(|pin| super::key_file::from_token(&clinic, &pin))
        {
            Ok(credentials) => Some(credentials),
            Err(e) => {
                // Not restarted by systemd (RestartPreventExitStatus): a wrong PIN tried
                // again every few seconds would lock the token.
                eprintln!("caredesk serve: the token did not open the store: {e}");
                std::process::exit(EXIT_TOKEN);
            }
        },
        (None, None) => None,
    };
    if let Some((label, key)) = &unattended {
        let origin = Origin::this_process();
        let signed: Result<SignedIn, _> = clinic.ask(
            None,
            Request::LoginKeyFile {
                label: label.clone(),
                key: key.clone(),
            },
            &origin,
        );
        if let Err(e) = signed {
            anyhow::bail!("the key file did not open the store: {e}");
        }
        // Names are indexed in the background while the daemon serves.
        clinic.start_name_index();
    }
    let server_settings = clinic.settings().server.clone();
    let group = server_settings.group.clone();
    let stop_scheduler = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let scheduler = match unattended {
        Some(credentials) => Some(super::scheduler::start(
            clinic.clone(),
            credentials,
            std::time::Duration::from_secs(server_settings.scheduler_seconds.max(1)),
            stop_scheduler.clone(),
        )?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let broken = runtime.block_on(async {
        let listener = bind(&options.socket, &group)?;
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        let (stop, stopping) = watch::channel(false);
        // A connection that finds the store unable to write says so here.
        let (broken_tx, mut broken_rx) = mpsc::channel::<String>(1);
        let mut broken = None;
        let mut connections = tokio::task::JoinSet::new();
        eprintln!(
            "caredesk serve: listening on {} ({})",
            options.socket.display(),
            if options.key_file.is_some() {
                "unlocked by the key file"
            } else if options.token_pin_file.is_some() {
                "unlocked by the token"
            } else {
                "locked until the first sign-in"
            }
        );
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        if connections.len() >= MAX_CONNECTIONS {
                            drop(stream);
                            continue;
                        }
                        connections.spawn(connection(
                            stream,
                            clinic.clone(),
                            stopping.clone(),
                            broken_tx.clone(),
                        ));
                    }
                }
                _ = terminate.recv() => break,
                _ = interrupt.recv() => break,
                Some(reason) = broken_rx.recv() => {
                    broken = Some(reason);
                    break;
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let _ = std::fs::remove_file(&options.socket);
        let _ = stop.send(true);
        if broken.is_none() {
            while connections.join_next().await.is_some() {}
        }
        anyhow::Ok(broken)
    })?;
    if let Some(reason) = broken {
        // Nothing more can be written, so nothing is settled: what was acknowledged
        // is on disk, and the restarted daemon opens the store afresh.
        anyhow::bail!(
            "the store can no longer write ({reason}); stopping so the service manager starts caredesk again once the cause (a full disk) is gone"
        );
    }
    stop_scheduler.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Some(thread) = scheduler {
        let _ = thread.join();
    }
    // Risks and tags a bulk change left waiting are computed before the store closes.
    clinic.settle();
    eprintln!("caredesk serve: stopped");
    Ok(())
}
