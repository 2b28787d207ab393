//! Audit append (each flushed to disk) and verify throughput.
//!
//! Run: `cargo bench --bench audit`

use caredesk::audit::log::AUDIT_TREE;
use caredesk::audit::seal::SealState;
use caredesk::audit::verify::SealView;
use caredesk::audit::{Actor, AuditEvent, Outcome, Seed, VerifyOptions, verify};
use caredesk::store::{RawStore, StoreOptions};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const LOG_SIZE: usize = 1_000_000;

fn event(i: usize) -> AuditEvent {
    AuditEvent::new(
        Actor {
            user: Some("nurse.li".into()),
            role: Some("nurse".into()),
            os_user: "clinic".into(),
            ssh_client: Some("192.0.2.10:50122".into()),
            session: Some("a1b2c3d4".into()),
        },
        "patient.read",
        Outcome::Ok,
    )
    .subject(format!("{i:032x}"))
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (vault, _) = caredesk::store::init(
        &dir,
        "admin",
        "correct horse battery",
        StoreOptions::default(),
        Actor::default(),
    )
    .unwrap();
    let audit = vault.store().audit();

    let mut group = c.benchmark_group("audit append");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("one event, flushed", |b| {
        b.iter(|| {
            i += 1;
            audit.append(event(i)).unwrap()
        })
    });
    group.throughput(Throughput::Elements(1000));
    group.sample_size(20);
    group.bench_function("1000 events in one commit", |b| {
        b.iter(|| {
            i += 1000;
            audit
                .commit_many((i..i + 1000).map(event).collect(), Default::default())
                .unwrap()
        })
    });
    group.finish();
    drop(vault);

    // Verification runs on a log of its own, of exactly LOG_SIZE entries.
    let dir = tmp.path().join("verify");
    let (vault, secrets) = caredesk::store::init(
        &dir,
        "admin",
        "correct horse battery",
        StoreOptions::default(),
        Actor::default(),
    )
    .unwrap();
    let audit = vault.store().audit();
    while (audit.head().seq as usize) + 1 < LOG_SIZE {
        let start = audit.head().seq as usize;
        let n = 5000.min(LOG_SIZE - 1 - start);
        audit
            .commit_many((start..start + n).map(event).collect(), Default::default())
            .unwrap();
    }
    let entries = audit.head().seq + 1;
    drop(vault);

    let raw = RawStore::open_for_scan(&dir).unwrap();
    let tree = raw.tree(AUDIT_TREE).unwrap();
    let seal = SealState::open(&dir).unwrap();
    let seed = Seed::parse(&secrets.audit_seed).unwrap();
    let mut group = c.benchmark_group("audit verify");
    group.throughput(Throughput::Elements(entries));
    group.sample_size(10);
    // The floor: sled's own iteration over the same records, doing nothing with them.
    group.bench_function(format!("{entries} entries, sled iteration alone"), |b| {
        b.iter(|| {
            tree.range(&b"r"[..]..&b"s"[..])
                .map(|item| item.unwrap().1.len())
                .sum::<usize>()
        })
    });
    group.bench_function(format!("{entries} entries, chain only"), |b| {
        b.iter(|| {
            verify(
                &tree,
                &VerifyOptions {
                    seal: Some(SealView::of(seal.epoch, &seal.key)),
                    ..Default::default()
                },
            )
            .unwrap()
        })
    });
    group.bench_function(format!("{entries} entries, chain + seals (seed)"), |b| {
        b.iter(|| {
            verify(
                &tree,
                &VerifyOptions {
                    seed: Some(&seed),
                    seal: Some(SealView::of(seal.epoch, &seal.key)),
                    checkpoint: None,
                },
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
