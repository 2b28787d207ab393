//! The follow-up queue with 100 000 due follow-ups: the first request (building the
//! in-memory index from the store), a page of 50 rows with the counts (filtered and
//! sorted in memory, only the page's patients read), and a claim.
//!
//! Run: `cargo bench --bench queue`.

use std::sync::Arc;
use std::time::Duration;

use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter};
use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::domain::followup::{FollowUp, ItemStatus, Kind};
use caredesk::store::writes::WriteSet;
use caredesk::store::{Store, StoreOptions, Unlock, Vault};
use criterion::{Criterion, criterion_group, criterion_main};

const ITEMS: u32 = 100_000;

/// 100 000 due follow-ups over the demo's 1000 patients, in one transaction.
fn fill(dir: &std::path::Path) {
    let store = Store::open(dir, StoreOptions::default()).unwrap();
    let keys = store
        .unlock(Unlock::Password {
            user: "admin",
            password: b"demo chief harbour lantern",
        })
        .unwrap();
    let vault = Vault::new(store, keys);
    let ids = vault.patient_ids().unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut writes = WriteSet::new();
    for n in 0..ITEMS {
        let item = FollowUp {
            patient: ids[n as usize % ids.len()],
            plan: 1000 + n / ids.len() as u32,
            seq: 1,
            kind: [Kind::Hypertension, Kind::Diabetes, Kind::PostExam][n as usize % 3],
            due: today + chrono::Days::new(u64::from(n % 14)) - chrono::Days::new(7),
            at_time: None,
            priority: 1 + (n % 3) as u8,
            assigned: ["nurses", "team-b", "chen.jing"][n as usize % 3].into(),
            status: ItemStatus::Due,
            tries: 0,
            claim: None,
            flag: None,
        };
        vault.stage_followup(&mut writes, &item).unwrap();
    }
    let event = caredesk::audit::AuditEvent::new(
        caredesk::audit::context::process_actor(),
        "bench.fill",
        caredesk::audit::Outcome::Ok,
    );
    vault.commit(event, writes).unwrap();
}

fn bench_queue(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    caredesk::demo::create(&dir, 1000, StoreOptions::default(), &mut |_| {}).unwrap();
    fill(&dir);
    let clinic = Arc::new(Clinic::open(&dir, StoreOptions::default()).unwrap());
    let client = Signed::new(InProcess::new(Arc::clone(&clinic), Origin::default()));
    let (code, _) = caredesk::demo::current_code("chen.jing", chrono::Utc::now().timestamp());
    let reply = client.call(Request::Login {
        user: "chen.jing".into(),
        password: Secret::new("demo nurse harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    let page = |filter: QueueFilter, offset: u32| {
        let Response::FollowUpQueue(view) = client.call(Request::FollowUpQueue {
            filter,
            offset,
            limit: 50,
        }) else {
            panic!()
        };
        view
    };
    let started = std::time::Instant::now();
    let first = page(QueueFilter::default(), 0);
    println!(
        "first queue request (builds the index of {} follow-ups): {:?}",
        first.total,
        started.elapsed()
    );
    assert!(first.total >= u64::from(ITEMS));
    let mut group = c.benchmark_group("queue, 100 000 due");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("a page of 50 rows with the counts", |b| {
        b.iter(|| page(QueueFilter::default(), 0))
    });
    group.bench_function("a page deep in the list, filtered by kind", |b| {
        b.iter(|| {
            page(
                QueueFilter {
                    kind: Some(Kind::Diabetes),
                    ..Default::default()
                },
                20_000,
            )
        })
    });
    let keys: Vec<FollowUpKey> = first
        .rows
        .iter()
        .filter(|r| r.not_callable.is_none())
        .map(|r| FollowUpKey::of(&r.item))
        .collect();
    let mut n = 0usize;
    group.bench_function("claim and release a follow-up", |b| {
        b.iter(|| {
            let key = keys[n % keys.len()];
            n += 1;
            let claimed = client.call(Request::FollowUpClaim { key });
            assert!(
                matches!(claimed, Response::FollowUpClaimed { .. }),
                "{claimed:?}"
            );
            client.call(Request::FollowUpRelease { key });
        })
    });
    group.finish();
}

criterion_group!(benches, bench_queue);
criterion_main!(benches);
