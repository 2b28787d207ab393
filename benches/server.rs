//! The clinic server under 50 concurrent clients (each its own socket connection): a
//! front-desk, nurse and doctor mix of searches, patient and record reads, result
//! lists, risk lists and queue pages, every request authorised and audited (flushed,
//! many requests per flush: group commit) by the daemon. Reports requests per second;
//! the p50/p99 latency of single requests is printed after the run.
//!
//! Then an open-loop run, as a busy chain's desks would load it: 200 simulated staff,
//! each on its own connection, sending the same mix at random moments so that requests
//! arrive at 500 per second in all, for `OPEN_LOOP_SECONDS`. Latency counts from the
//! moment a request was due, so a slow reply delays the next one's clock too (no
//! coordinated omission).
//!
//! Run: `cargo bench --bench server`.

use caredesk::clinic::api::SearchResults;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use caredesk::clinic::client::Client;
use caredesk::clinic::followup::api::QueueFilter;
use caredesk::clinic::{Request, Response, Secret, SessionToken};
use caredesk::domain::patient::PatientId;
use caredesk::server::remote::Remote;
use caredesk::store::StoreOptions;
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

const CLIENTS: usize = 50;
const REQUESTS_EACH: usize = 20;
const OPEN_LOOP_STAFF: usize = 200;
const OPEN_LOOP_RATE: f64 = 500.0;
const OPEN_LOOP_SECONDS: u64 = 10;

fn totp(user: &str) -> String {
    let secret = Sha256::digest(format!("caredesk demo totp secret: {user}").as_bytes());
    let step = (chrono::Utc::now().timestamp() / 30) as u64;
    let mut mac = <hmac::Hmac<sha1::Sha1> as hmac::Mac>::new_from_slice(&secret[..20]).unwrap();
    hmac::Mac::update(&mut mac, &step.to_be_bytes());
    let digest = hmac::Mac::finalize(mac).into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let code = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", code % 1_000_000)
}

fn sign_in(remote: &Remote, user: &str, password: &str) -> SessionToken {
    match remote.call(
        None,
        Request::Login {
            user: user.into(),
            password: Secret::new(password),
            code: Secret::new(totp(user)),
        },
    ) {
        Response::SignedIn(s) => s.token.clone(),
        other => panic!("{other:?}"),
    }
}

fn start(dir: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_caredesk"))
        .args(["serve", "--data", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = dir.join("caredesk.sock");
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One client's request number `n`, by its role.
fn request(role: usize, n: usize, ids: &[PatientId]) -> Request {
    let id = ids[n % ids.len()];
    match (role, n % 3) {
        (0, 0) => Request::PatientSearch {
            query: ["z", "w", "l", "c"][n % 4].into(),
            limit: 20,
        },
        (0, _) => Request::PatientGet { id },
        (1, 0) => Request::FollowUpQueue {
            filter: QueueFilter::default(),
            offset: 0,
            limit: 50,
        },
        (1, _) => Request::Observations { id, code: None },
        (_, 0) => Request::HealthGet { id },
        (_, 1) => Request::RiskList { id },
        _ => Request::PlanGet { id },
    }
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    caredesk::demo::create(&dir, 1000, StoreOptions::default(), &mut |_| {}).unwrap();
    let mut daemon = start(&dir);
    let socket = dir.join("caredesk.sock");
    let first = Remote::connect(&socket).unwrap();
    let tokens = [
        sign_in(&first, "wang.li", "demo desk harbour lantern"),
        sign_in(&first, "chen.jing", "demo nurse harbour lantern"),
        sign_in(&first, "dr.zhou", "demo doctor harbour lantern"),
    ];
    let Response::SearchResults(SearchResults { rows, .. }) = first.call(
        Some(&tokens[0]),
        Request::PatientSearch {
            query: "z".into(),
            limit: 200,
        },
    ) else {
        panic!("search")
    };
    let ids: Arc<Vec<PatientId>> = Arc::new(rows.iter().map(|r| r.id).collect());
    let clients: Vec<Arc<Remote>> = (0..CLIENTS)
        .map(|_| Arc::new(Remote::connect(&socket).unwrap()))
        .collect();
    let tokens = Arc::new(tokens);
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));

    let mut group = c.benchmark_group("server");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(
        (CLIENTS * REQUESTS_EACH) as u64,
    ));
    group.bench_function("50_clients_mixed_requests", |b| {
        b.iter_custom(|rounds| {
            let started = Instant::now();
            for round in 0..rounds as usize {
                let threads: Vec<_> = clients
                    .iter()
                    .enumerate()
                    .map(|(k, client)| {
                        let (client, tokens, ids, latencies) = (
                            client.clone(),
                            tokens.clone(),
                            ids.clone(),
                            latencies.clone(),
                        );
                        std::thread::spawn(move || {
                            // 20 desks, 20 nurses, 10 doctors.
                            let role = [0, 1, 0, 1, 2][k % 5];
                            let mut mine = Vec::with_capacity(REQUESTS_EACH);
                            for n in 0..REQUESTS_EACH {
                                let request = request(role, k * 7 + n + round, &ids);
                                let t = Instant::now();
                                let response = client.call(Some(&tokens[role]), request);
                                mine.push(t.elapsed());
                                assert!(!matches!(response, Response::Error(_)), "{response:?}");
                            }
                            latencies.lock().unwrap().extend(mine);
                        })
                    })
                    .collect();
                threads.into_iter().for_each(|t| t.join().unwrap());
            }
            started.elapsed()
        })
    });
    group.finish();
    let mut all = latencies.lock().unwrap().clone();
    all.sort();
    eprintln!("server: 50 saturating clients: {}", percentiles(&mut all));
    let mut open = open_loop(&socket, &tokens, &ids);
    eprintln!(
        "server: open loop, {OPEN_LOOP_STAFF} staff at {OPEN_LOOP_RATE}/s: {}",
        percentiles(&mut open)
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
}

fn percentiles(all: &mut [Duration]) -> String {
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    format!(
        "{} requests; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        all[all.len() - 1].as_secs_f64() * 1000.0
    )
}

/// 200 staff at 500 requests/s in all; each request's latency from when it was due.
fn open_loop(
    socket: &Path,
    tokens: &Arc<[SessionToken; 3]>,
    ids: &Arc<Vec<PatientId>>,
) -> Vec<Duration> {
    let per_staff = OPEN_LOOP_RATE / OPEN_LOOP_STAFF as f64;
    let started = Instant::now() + Duration::from_millis(500);
    let until = started + Duration::from_secs(OPEN_LOOP_SECONDS);
    let threads: Vec<_> = (0..OPEN_LOOP_STAFF)
        .map(|k| {
            let (socket, tokens, ids) = (socket.to_path_buf(), tokens.clone(), ids.clone());
            std::thread::spawn(move || {
                let client = Remote::connect(&socket).unwrap();
                let role = [0, 1, 0, 1, 2][k % 5];
                // Exponential gaps (a Poisson arrival per staff member), from a small
                // deterministic generator seeded by the staff number.
                let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (k as u64).wrapping_mul(0x2545_f491);
                let mut due = started;
                let mut mine = Vec::new();
                let mut n = 0;
                loop {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let uniform = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                    due += Duration::from_secs_f64(-uniform.ln() / per_staff);
                    if due >= until {
                        return mine;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let response = client.call(Some(&tokens[role]), request(role, k * 7 + n, &ids));
                    mine.push(due.elapsed());
                    assert!(!matches!(response, Response::Error(_)), "{response:?}");
                    n += 1;
                }
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect()
}

criterion_group!(benches, bench);
criterion_main!(benches);
