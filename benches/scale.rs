//! The clinic server on a chain's store: a million patients (`CAREDESK_SCALE_PATIENTS`
//! to change; 0 skips this part). The store is built once under `target/scale/` and reused by later runs
//! (delete it to rebuild). Measures, through the real daemon and its socket:
//!
//! - the first name search after the daemon starts (the name index is then still
//!   being built in the background: the reply says how far it is);
//! - how long the background build takes to index every patient;
//! - warm searches once it is built, p50/p99 per query, one letter included;
//! - the daemon's resident memory when idle and after the searches;
//! - a re-evaluation pass (every patient's risks and automatic tags recomputed, as the
//!   daemon's scheduler does once a day) over a 100 000-patient store
//!   (`CAREDESK_SCALE_REEVALUATE` to change; 0 skips it), in-process.
//!
//! Run: `cargo bench --bench scale`. Figures go to stderr (and README, Performance).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use caredesk::clinic::api::KeyFileCreated;
use caredesk::clinic::api::SearchResults;
use caredesk::clinic::client::Client;
use caredesk::clinic::{
    Clinic, InProcess, Origin, Request, Response, Secret, SessionToken, Signed,
};
use caredesk::server::remote::Remote;
use caredesk::store::StoreOptions;

const QUERIES: [&str; 8] = ["zhang wei", "zhangw", "zw", "张", "李", "w", "l", "王芳"];
const ROUNDS: usize = 200;

fn patients() -> usize {
    std::env::var("CAREDESK_SCALE_PATIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}

/// The store, built on the first run (its marker written last, so a run interrupted
/// mid-build starts over).
fn store(n: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    let dir = root.join(format!("demo-{n}"));
    let marker = root.join(format!("demo-{n}.complete"));
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&root).unwrap();
        eprintln!(
            "scale: building a {n}-patient store in {} (once)",
            dir.display()
        );
        let started = Instant::now();
        caredesk::demo::create(&dir, n, StoreOptions::default(), &mut |_| {}).unwrap();
        std::fs::write(&marker, b"").unwrap();
        eprintln!("scale: built in {:.0} s", started.elapsed().as_secs_f64());
    }
    dir
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn sign_in(remote: &Remote) -> SessionToken {
    let (code, _) = caredesk::demo::current_code("wang.li", chrono::Utc::now().timestamp());
    match remote.call(
        None,
        Request::Login {
            user: "wang.li".into(),
            password: Secret::new("demo desk harbour lantern"),
            code: Secret::new(code),
        },
    ) {
        Response::SignedIn(s) => s.token.clone(),
        other => panic!("{other:?}"),
    }
}

fn search(remote: &Remote, token: &SessionToken, query: &str) -> SearchResults {
    match remote.call(
        Some(token),
        Request::PatientSearch {
            query: query.into(),
            limit: 50,
        },
    ) {
        Response::SearchResults(results) => results,
        other => panic!("{other:?}"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("scale: bench");
        return;
    }
    if patients() > 0 {
        search_at_scale(patients());
    }
    let reevaluate = std::env::var("CAREDESK_SCALE_REEVALUATE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    if reevaluate > 0 {
        reevaluation_pass(reevaluate);
    }
}

/// Every patient's risks and tags recomputed, as the scheduler's daily run queues them,
/// worked through in this thread.
fn reevaluation_pass(n: usize) {
    let dir = store(n);
    let clinic = Arc::new(Clinic::open(&dir, StoreOptions::default()).unwrap());
    let admin = Signed::new(InProcess::new(clinic.clone(), Origin::this_process()));
    // Key files are the security administrator's (三员分立).
    let (code, _) = caredesk::demo::current_code("zhao.an", chrono::Utc::now().timestamp());
    let reply = admin.call(Request::Login {
        user: "zhao.an".into(),
        password: Secret::new("demo security harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    // The scheduler's own principal: a key-file slot (one more each run).
    let label = format!("scale-{}", chrono::Utc::now().timestamp_millis());
    let key = match admin.call(Request::KeyFileAdd {
        label: label.clone(),
    }) {
        Response::KeyFileCreated(KeyFileCreated { key, .. }) => key,
        other => panic!("{other:?}"),
    };
    let system = Signed::new(InProcess::new(clinic.clone(), Origin::this_process()));
    let reply = system.call(Request::LoginKeyFile { label, key });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    let reply = system.call(Request::SchedulerRun { retag: true });
    assert!(matches!(reply, Response::FollowUpScheduled(_)), "{reply:?}");
    let started = Instant::now();
    clinic.settle();
    let took = started.elapsed().as_secs_f64();
    eprintln!(
        "scale: re-evaluation pass over {n} patients: {took:.1} s ({:.0} patients/s; a million would take {:.1} min)",
        n as f64 / took,
        1_000_000.0 / (n as f64 / took) / 60.0
    );
}

fn search_at_scale(n: usize) {
    let dir = store(n);
    let started = Instant::now();
    let mut daemon: Child = Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["serve", "--data", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = dir.join("caredesk.sock");
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let listening = started.elapsed();
    let remote = Remote::connect(&socket).unwrap();
    let token = sign_in(&remote);
    let signed_in = started.elapsed();
    let asked = Instant::now();
    let first = search(&remote, &token, "zhang wei");
    let first_latency = asked.elapsed();
    eprintln!(
        "scale: {n} patients; daemon listening after {:.2} s, signed in (unlocks the store) at {:.2} s",
        listening.as_secs_f64(),
        signed_in.as_secs_f64()
    );
    eprintln!(
        "scale: first search after start: {:.1} ms, {} found, index {}",
        first_latency.as_secs_f64() * 1000.0,
        first.total,
        match first.indexing {
            Some((done, all)) => format!("still building ({done} of {all})"),
            None => "complete".into(),
        }
    );
    // The background build.
    let building = Instant::now();
    while search(&remote, &token, "zw").indexing.is_some() {
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "scale: index complete {:.1} s after sign-in",
        building.elapsed().as_secs_f64() + first_latency.as_secs_f64()
    );
    let pid = daemon.id();
    std::thread::sleep(Duration::from_secs(1));
    let idle = rss_kib(pid, "VmRSS:");
    let mut all = Vec::new();
    for query in QUERIES {
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(search(&remote, &token, query));
                t.elapsed()
            })
            .collect();
        times.sort();
        let total = search(&remote, &token, query).total;
        eprintln!(
            "scale: warm search {query:?}: {total} found; p50 {:.2} ms, p99 {:.2} ms",
            times[ROUNDS / 2].as_secs_f64() * 1000.0,
            times[ROUNDS * 99 / 100].as_secs_f64() * 1000.0
        );
        all.extend(times);
    }
    all.sort();
    eprintln!(
        "scale: warm searches, all queries: p99 {:.2} ms",
        all[all.len() * 99 / 100].as_secs_f64() * 1000.0
    );
    eprintln!(
        "scale: daemon RSS idle after the build {} MB, after searching {} MB (peak {} MB)",
        idle / 1024,
        rss_kib(pid, "VmRSS:") / 1024,
        rss_kib(pid, "VmHWM:") / 1024
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
}
