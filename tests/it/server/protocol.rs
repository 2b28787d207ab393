//! Frames that break the protocol close only their own connection, and a terminal
//! and a server of different protocols say so instead of misreading each other.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::DESK;
use crate::common::daemon::{Daemon, credentials, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response};
use caredesk::server::remote::Remote;
use proptest::prelude::*;

/// Sends raw bytes on a fresh connection; true when the daemon closed it.
fn closed_after(socket: &Path, bytes: &[u8]) -> bool {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut buf = [0u8; 64];
    matches!(stream.read(&mut buf), Ok(0) | Err(_))
}

#[test]
fn frames_that_break_the_protocol_close_only_their_own_connection() {
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    // A client that stays connected throughout.
    let steady = Remote::connect(&daemon.socket).unwrap();
    let token = sign_in(&steady, DESK);
    // Over the size limit, announced in the header: closed before anything is read.
    assert!(closed_after(&daemon.socket, &u32::MAX.to_be_bytes()));
    // A body that does not decode.
    assert!(closed_after(
        &daemon.socket,
        &[0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]
    ));
    // A call before the hello.
    let call = caredesk::server::frame::encode(&caredesk::server::frame::ClientFrame::Call {
        session: None,
        request: Box::new(Request::HomeSummary),
    })
    .unwrap();
    assert!(closed_after(&daemon.socket, &call));
    // Random garbage, many times (shrinking off: each case is its own connection).
    let socket = daemon.socket.clone();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..256), |bytes| {
            let mut stream = UnixStream::connect(&socket).unwrap();
            let _ = stream.write_all(&bytes);
            drop(stream);
            Ok(())
        })
        .unwrap();
    // The steady client is served as before.
    assert!(matches!(
        steady.call(Some(&token), Request::HomeSummary),
        Response::Home(_)
    ));
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn a_terminal_of_another_protocol_is_told_both_versions_and_never_served() {
    use caredesk::server::frame::{ClientFrame, Greeting, PROTOCOL, encode, read_frame};
    let (_tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    // A newer (or older) terminal greets with its own protocol: the daemon answers
    // with its own, then closes, and the terminal says what to do.
    let mut stream = UnixStream::connect(&daemon.socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let greet = ClientFrame::Greet {
        protocol: PROTOCOL + 1,
        version: "99.0.0".into(),
        ssh_client: None,
    };
    stream.write_all(&encode(&greet).unwrap()).unwrap();
    let answer: Greeting = read_frame(&mut stream).unwrap();
    assert_eq!(answer, Greeting::this_build());
    let call = ClientFrame::Call {
        session: None,
        request: Box::new(Request::HomeSummary),
    };
    let _ = stream.write_all(&encode(&call).unwrap());
    let mut buf = [0u8; 64];
    assert!(matches!(stream.read(&mut buf), Ok(0) | Err(_)), "served");
    // A terminal from before the greeting is turned away too.
    let hello = ClientFrame::Hello { ssh_client: None };
    assert!(closed_after(&daemon.socket, &encode(&hello).unwrap()));
    // This build's terminal is served.
    let remote = Remote::connect(&daemon.socket).unwrap();
    sign_in(&remote, DESK);
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("99.0.0") && said.contains("update caredesk"),
        "{said}"
    );
}

#[test]
fn a_terminal_meeting_a_server_that_does_not_greet_says_to_update_it() {
    // A clinic server from before the greeting reads our greeting as garbage and
    // closes the connection: the command must say so, not "the store is in use".
    let tmp = tempfile::tempdir().unwrap();
    let listener =
        std::os::unix::net::UnixListener::bind(tmp.path().join("caredesk.sock")).unwrap();
    let server = std::thread::spawn(move || {
        for stream in listener.incoming().take(1) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 256];
            let _ = stream.read(&mut buf);
        }
    });
    let out = run_caredesk(
        None,
        &["user", "list", "--data", tmp.path().to_str().unwrap()],
        &credentials(DESK),
    );
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(
        said.contains("did not answer this terminal's greeting") && said.contains("older caredesk"),
        "{said}"
    );
}

/// A terminal reached over SSH cannot read the clinic's settings (they are the
/// daemon's): the daemon sends what a terminal shows and does by them right after its
/// greeting, and a connection made with no store of its own uses them.
#[test]
fn a_terminal_without_the_store_gets_the_clinics_settings_from_the_daemon() {
    let (_tmp, dir) = demo_store();
    crate::common::set_setting(&dir, "tui", "idle_logout", "\"2m\"");
    crate::common::set_setting(&dir, "tui", "lang", "\"zh-CN\"");
    crate::common::set_setting(&dir, "report", "printer", "\"front-desk\"");
    let daemon = Daemon::start(&dir);
    let remote = Remote::connect(&daemon.socket).unwrap();
    let terminal = remote.terminal_settings();
    assert_eq!(terminal.clinic_name, "Demo Health Clinic 演示健康管理中心");
    assert_eq!(terminal.time_zone, "Asia/Shanghai");
    assert_eq!(
        (terminal.lang.as_str(), terminal.idle_logout.as_str()),
        ("zh-CN", "2m")
    );
    assert_eq!(terminal.printer, "front-desk");
    // What the terminal runs by: the same, as settings.
    let settings = terminal.as_settings();
    assert_eq!(settings.tui.idle_logout, "2m");
    assert_eq!(
        settings.clinic_zone(),
        caredesk::domain::time::ClinicZone::parse("Asia/Shanghai").unwrap()
    );
    // The connection still serves requests after the extra frame.
    let token = sign_in(&remote, DESK);
    assert!(matches!(
        remote.call(Some(&token), Request::WhoAmI),
        Response::Me(_)
    ));
}
