//! The clinic server for tests: `caredesk serve` on a store as a child process, and
//! clients signing in to it with the demo's users.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use caredesk::clinic::client::Client;
use caredesk::clinic::{Request, Response, Secret, SessionToken};
use caredesk::server::remote::Remote;

use super::tmux::demo_code_at;

pub struct Daemon {
    child: Child,
    pub socket: PathBuf,
}

impl Daemon {
    pub fn start(dir: &Path) -> Daemon {
        Self::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, extra: &[&str]) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caredesk"))
            .args(["serve", "--data", dir.to_str().unwrap()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let socket = dir.join("caredesk.sock");
        let deadline = Instant::now() + Duration::from_secs(20);
        while UnixStream::connect(&socket).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut said = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut said);
                panic!("the daemon exited ({status}): {said}");
            }
            assert!(
                Instant::now() < deadline,
                "the daemon did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Daemon { child, socket }
    }

    /// The daemon's process id (for /proc).
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: the daemon dies wherever it is, as in a power cut.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM; the exit status and what the daemon printed.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = self.child.wait().unwrap();
        let mut said = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut said)
            .unwrap();
        (status.code(), said)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The three sign-in lines for a demo user, with a code from `unused_code`.
pub fn credentials((user, password): (&str, &str)) -> String {
    format!("{user}\n{password}\n{}\n", unused_code(user))
}

/// (test, user, TOTP step) of every code this test process has signed in with. The
/// server refuses a code used before *in its store*, and each test makes its own store,
/// so a test need only avoid its own steps: all test modules share this process, and
/// one list for all would make every test of a user wait for fresh 30-second steps.
/// The test is known by its thread's name (libtest names each test's thread after the
/// test); a thread the test spawns has no name, so its codes (and the `main` thread's)
/// count against every test, and every test's against them.
static USED: std::sync::Mutex<Vec<(Option<String>, String, i64)>> =
    std::sync::Mutex::new(Vec::new());

fn this_test() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_string)
}

/// Whether a code used by `by` counts against `test`.
fn clashes(by: &Option<String>, test: &Option<String>) -> bool {
    match (by, test) {
        (Some(by), Some(test)) => by == test,
        _ => true,
    }
}

/// A code for `user` that the server will take: the server accepts the step before
/// and after its own, but each user's steps only once and in rising order (a step at
/// or before the last one accepted is a replay). So a test signs in up to three times
/// in a 30-second step without waiting: the step before (while the boundary is over
/// ten seconds away, as a pane's typing takes time), this one, the next.
pub fn unused_code(user: &str) -> String {
    let test = this_test();
    loop {
        let now = chrono::Utc::now().timestamp();
        let step = now / 30;
        let earliest = if now % 30 < 20 { step - 1 } else { step };
        {
            let mut used = USED.lock().unwrap();
            let last = used
                .iter()
                .filter(|(by, u, _)| u == user && clashes(by, &test))
                .map(|(_, _, s)| *s)
                .max();
            let first = last.map_or(earliest, |last| (last + 1).max(earliest));
            if first <= step + 1 {
                used.push((test, user.to_string(), first));
                return demo_code_at(user, first * 30);
            }
        }
        // Not holding the list: other tests' users need not wait for this one.
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub fn sign_in(remote: &Remote, (user, password): (&str, &str)) -> SessionToken {
    match remote.call(
        None,
        Request::Login {
            user: user.into(),
            password: Secret::new(password),
            code: Secret::new(unused_code(user)),
        },
    ) {
        Response::SignedIn(signed) => signed.token.clone(),
        other => panic!("{other:?}"),
    }
}

pub fn card() -> String {
    caredesk::domain::card::card_number("8860", 1, 8).unwrap()
}

/// Registers a patient with a basic card through `remote`.
pub fn register(
    remote: &Remote,
    token: &SessionToken,
    name: String,
    phone: &str,
    id_number: String,
) -> Response {
    use caredesk::domain::patient::{IdType, Patient, Sex};
    let patient = Patient {
        name,
        sex: Sex::Female,
        birth_date: chrono::NaiveDate::from_ymd_opt(1980, 1, 1),
        phone: Some(phone.to_string()),
        id_type: IdType::Other,
        id_number: Some(id_number),
        ..Patient::default()
    };
    remote.call(
        Some(token),
        Request::PatientRegister {
            patient,
            card_type: "basic".into(),
        },
    )
}

/// The demo's first patient exported as JSON by the demo doctor, through whatever
/// owns the store in `dir` (the daemon when one runs).
#[allow(dead_code)]
pub fn export_json(dir: &Path) -> String {
    let out = crate::common::run_caredesk(
        None,
        &[
            "export",
            "patient",
            &card(),
            "--format",
            "json",
            "--data",
            dir.to_str().unwrap(),
        ],
        &credentials(("dr.zhou", "demo doctor harbour lantern")),
    );
    assert!(out.status.success(), "{}", crate::common::text(&out.stderr));
    // The export names its own time: two exports of the same record differ only there.
    let mut export: serde_json::Value =
        serde_json::from_str(&crate::common::text(&out.stdout)).unwrap();
    export.as_object_mut().unwrap().remove("exported_at");
    serde_json::to_string_pretty(&export).unwrap()
}

/// The peak resident memory of a process in KiB (VmHWM in /proc/PID/status).
#[allow(dead_code)]
pub fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

/// Each phone finds exactly one patient through `remote`: the registrations the daemon
/// acknowledged (`said` names how, for the failure message) were all kept.
#[allow(dead_code)]
pub fn assert_each_found_once<'a>(
    remote: &Remote,
    token: &SessionToken,
    phones: impl IntoIterator<Item = &'a String>,
    said: &str,
) {
    for phone in phones {
        let found = remote.call(
            Some(token),
            Request::PatientSearch {
                query: phone.clone(),
                limit: 5,
            },
        );
        assert!(
            matches!(
                found,
                Response::SearchResults(caredesk::clinic::api::SearchResults { total: 1, .. })
            ),
            "{phone} was {said}: {found:?}"
        );
    }
}
