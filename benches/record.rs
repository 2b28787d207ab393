//! Amending the health record through the service: the whole path a save takes (session,
//! permission, the serial lock, the re-check, the stale-save compare, sealing the record
//! and the amendment, the audit record, one flushed transaction), and reading a long
//! history.
//!
//! Run: `cargo bench --bench record`.

use caredesk::clinic::api::SearchResults;
use std::hint::black_box;
use std::sync::Arc;

use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::domain::amendment::{Section, SectionValue};
use caredesk::domain::health::Allergy;
use caredesk::domain::patient::PatientId;
use caredesk::store::StoreOptions;
use criterion::{Criterion, criterion_group, criterion_main};

fn allergies(names: &[&str]) -> SectionValue {
    SectionValue::Allergies(
        names
            .iter()
            .map(|n| Allergy {
                substance: n.to_string(),
                ..Allergy::default()
            })
            .collect(),
    )
}

fn doctor(dir: &std::path::Path) -> Signed<InProcess> {
    let clinic = Arc::new(Clinic::open(dir, StoreOptions::default()).unwrap());
    let client = Signed::new(InProcess::new(clinic, Origin::default()));
    let (code, _) = caredesk::demo::current_code("dr.zhou", chrono::Utc::now().timestamp());
    let reply = client.call(Request::Login {
        user: "dr.zhou".into(),
        password: Secret::new("demo doctor harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    client
}

fn amend(client: &Signed<InProcess>, id: PatientId, before: &SectionValue, after: &SectionValue) {
    let reply = client.call(Request::HealthAmend {
        id,
        before: before.clone(),
        after: after.clone(),
        reason: "benchmark: reconciled at the visit".into(),
    });
    assert!(matches!(reply, Response::Health(_)), "{reply:?}");
}

fn bench_record(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    caredesk::demo::create(&dir, 500, StoreOptions::default(), &mut |_| {}).unwrap();
    let client = doctor(&dir);
    let Response::SearchResults(SearchResults { rows, .. }) = client.call(Request::PatientSearch {
        query: "wang".into(),
        limit: 10,
    }) else {
        panic!()
    };
    let id = rows[0].id;
    let Response::Health(record) = client.call(Request::HealthGet { id }) else {
        panic!()
    };
    let start = SectionValue::of(&record, Section::Allergies).unwrap();
    let a = allergies(&["penicillin", "latex"]);
    let b = allergies(&["penicillin"]);
    amend(&client, id, &start, &a);

    let mut group = c.benchmark_group("record");
    let mut current_is_a = true;
    group.bench_function(
        "health_amend (one section, flushed with its audit record)",
        |bench| {
            bench.iter(|| {
                let (before, after) = if current_is_a { (&a, &b) } else { (&b, &a) };
                amend(&client, id, before, after);
                current_is_a = !current_is_a;
            })
        },
    );
    // A second patient with exactly 1000 amendments of one section.
    let other = rows[1].id;
    let Response::Health(record) = client.call(Request::HealthGet { id: other }) else {
        panic!()
    };
    let start = SectionValue::of(&record, Section::Allergies).unwrap();
    amend(&client, other, &start, &a);
    for i in 1..1000 {
        let (before, after) = if i % 2 == 1 { (&a, &b) } else { (&b, &a) };
        amend(&client, other, before, after);
    }
    group.bench_function("record_history, 1000 amendments", |bench| {
        bench.iter(|| {
            let Response::History(all) = client.call(Request::RecordHistory {
                id: other,
                section: Some(Section::Allergies),
            }) else {
                panic!()
            };
            assert_eq!(all.len(), 1000);
            black_box(all.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_record);
criterion_main!(benches);
