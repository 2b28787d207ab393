//! Sign-in cost, and that failures cost the same as success: a wrong password, an
//! unknown user and a wrong code all pay one Argon2id derivation, so their timing does
//! not tell an attacker which part was wrong.
//!
//! Run: `cargo bench --bench signon`

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use caredesk::audit::Actor;
use caredesk::clinic::{Clinic, Origin, Request, Response, Secret};
use caredesk::store::StoreOptions;
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &str = "correct horse battery staple";

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (vault, _) = caredesk::store::init(
        &dir,
        "admin",
        PASSWORD,
        StoreOptions::default(),
        Actor::default(),
    )
    .unwrap();
    drop(vault);
    // A clock that jumps an hour per sign-in attempt, so lockout windows never fill.
    let now = Arc::new(AtomicI64::new(Utc::now().timestamp_millis()));
    let ticking = now.clone();
    let options = StoreOptions {
        clock: Arc::new(move || {
            DateTime::from_timestamp_millis(ticking.fetch_add(3_600_000, Ordering::SeqCst)).unwrap()
        }),
        ..StoreOptions::default()
    };
    let clinic = Clinic::open(&dir, options).unwrap();
    let origin = Origin::default();
    let attempt = |user: &str, password: &str, code: &str| {
        let reply = clinic.handle(
            None,
            Request::Login {
                user: user.into(),
                password: Secret::new(password),
                code: Secret::new(code),
            },
            &origin,
        );
        assert!(matches!(reply, Response::Error(_)));
    };
    let mut group = c.benchmark_group("failed sign-in");
    group.sample_size(20);
    group.bench_function("wrong password", |b| {
        b.iter(|| attempt("admin", "not the password at all", "123456"))
    });
    group.bench_function("unknown user", |b| {
        b.iter(|| attempt("nobody", PASSWORD, "123456"))
    });
    group.bench_function("wrong code", |b| {
        b.iter(|| attempt("admin", PASSWORD, "123456"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
