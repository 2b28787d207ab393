//! HL7 result import: parsing, and the whole import through the service (matching by
//! ID number, deduplication, sealing each result with its patient's key, one audit
//! record, one flushed transaction).
//!
//! Run: `cargo bench --bench results`.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::store::{Store, StoreOptions, Unlock, Vault};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const MESSAGES: usize = 2_000;

/// One ORU^R01 with five results (blood pressure, heart rate, glucose, cholesterol).
fn message(n: usize, id_number: &str, minute: i64) -> String {
    let time = caredesk::ingest::hl7::format_time(1_700_000_000 + minute * 60);
    format!(
        "MSH|^~\\&|LAB|EXAM|CAREDESK|CLINIC|{time}||ORU^R01|MSG{n}|P|2.5.1\r\
PID|||{id_number}^^^CLINIC^NI||PATIENT^TEST||19600101|M\r\
OBR|1|ORD{n}||24331-1^Lipid panel^LN|||{time}\r\
OBX|1|NM|8480-6^Systolic^LN||{}|mm[Hg]|90-139|N|||F\r\
OBX|2|NM|8462-4^Diastolic^LN||{}|mm[Hg]|60-89|N|||F\r\
OBX|3|NM|8867-4^Heart rate^LN||{}|/min|60-100|N|||F\r\
OBX|4|NM|14771-0^Fasting glucose^LN||{}.{}|mmol/L|3.9-6.1|N|||F\r\
OBX|5|NM|14647-2^Cholesterol^LN||4.{}|mmol/L|<5.2|N|||F\r",
        110 + n % 40,
        70 + n % 20,
        60 + n % 30,
        4 + n % 4,
        n % 10,
        n % 10,
    )
}

fn id_numbers(dir: &std::path::Path) -> Vec<String> {
    let store = Store::open(dir, StoreOptions::default()).unwrap();
    let keys = store
        .unlock(Unlock::Password {
            user: "admin",
            password: b"demo chief harbour lantern",
        })
        .unwrap();
    let vault = Vault::new(store, keys);
    vault
        .patient_ids()
        .unwrap()
        .iter()
        .filter_map(|id| vault.patient(id).ok()?.id_number)
        .collect()
}

fn bench_results(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    caredesk::demo::create(&dir, 1000, StoreOptions::default(), &mut |_| {}).unwrap();
    let ids = id_numbers(&dir);
    let clinic = Arc::new(Clinic::open(&dir, StoreOptions::default()).unwrap());
    let client = Signed::new(InProcess::new(Arc::clone(&clinic), Origin::default()));
    let (code, _) = caredesk::demo::current_code("chen.jing", chrono::Utc::now().timestamp());
    let reply = client.call(Request::Login {
        user: "chen.jing".into(),
        password: Secret::new("demo nurse harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");

    let round = Cell::new(0i64);
    let file = |round: i64| -> String {
        (0..MESSAGES)
            .map(|n| message(n, &ids[n % ids.len()], round * MESSAGES as i64 + n as i64))
            .collect()
    };
    let mut group = c.benchmark_group("results");
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.measurement_time(Duration::from_secs(20));
    group.sample_size(10);
    let sample = file(0);
    group.bench_function("parse 2000 HL7 messages (5 results each)", |b| {
        b.iter(|| {
            caredesk::ingest::hl7::parse(&sample, "bench.hl7")
                .incoming
                .len()
        })
    });
    group.bench_function(
        "import 2000 HL7 messages through the service, audited",
        |b| {
            b.iter_batched(
                || {
                    round.set(round.get() + 1);
                    caredesk::ingest::hl7::parse(&file(round.get()), "bench.hl7").incoming
                },
                |incoming| {
                    let Response::ResultsImported(summary) = client.call(Request::ResultsImport {
                        incoming,
                        rejected: 0,
                        create_patients: false,
                    }) else {
                        panic!()
                    };
                    assert_eq!(summary.imported, 5 * MESSAGES as u64);
                },
                BatchSize::PerIteration,
            )
        },
    );
    // The same, then every patient touched has their risks and tags recomputed (the
    // background work the import queues, finished before the clock stops).
    group.bench_function(
        "import 2000 HL7 messages and re-evaluate the 1000 patients touched",
        |b| {
            b.iter_batched(
                || {
                    clinic.settle();
                    round.set(round.get() + 1);
                    caredesk::ingest::hl7::parse(&file(round.get()), "bench.hl7").incoming
                },
                |incoming| {
                    let reply = client.call(Request::ResultsImport {
                        incoming,
                        rejected: 0,
                        create_patients: false,
                    });
                    assert!(matches!(reply, Response::ResultsImported(_)));
                    clinic.settle();
                },
                BatchSize::PerIteration,
            )
        },
    );
    // The scheduler's daily pass over the same patients when nothing new came: each
    // patient's results come from their results digest (one envelope, not one a
    // result).
    let system = system_client(&clinic);
    group.throughput(Throughput::Elements(ids.len() as u64));
    group.bench_function(
        "re-evaluate the 1000 patients again, nothing new (results digests)",
        |b| {
            b.iter(|| {
                let reply = system.call(Request::SchedulerRun { retag: true });
                assert!(matches!(reply, Response::FollowUpScheduled(_)), "{reply:?}");
                clinic.settle();
            })
        },
    );
    group.finish();
}

/// The scheduler's principal: a key-file slot added by the security administrator.
fn system_client(clinic: &Arc<Clinic>) -> Signed<InProcess> {
    let security = Signed::new(InProcess::new(Arc::clone(clinic), Origin::default()));
    let (code, _) = caredesk::demo::current_code("zhao.an", chrono::Utc::now().timestamp());
    let reply = security.call(Request::Login {
        user: "zhao.an".into(),
        password: Secret::new("demo security harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    let Response::KeyFileCreated(created) = security.call(Request::KeyFileAdd {
        label: "scheduler".into(),
    }) else {
        panic!("key file")
    };
    let system = Signed::new(InProcess::new(Arc::clone(clinic), Origin::default()));
    let reply = system.call(Request::LoginKeyFile {
        label: "scheduler".into(),
        key: created.key,
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    system
}

criterion_group!(benches, bench_results);
criterion_main!(benches);
