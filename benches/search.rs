//! Patient search and the search screen on a large clinic.
//!
//! Run: `cargo bench --bench search` (creates a 100 000-patient demo store first).

use caredesk::clinic::api::{KeyFileCreated, SearchResults};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use caredesk::clinic::desk::name_index::PatientRow;
use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::i18n::Lang;
use caredesk::store::StoreOptions;
use caredesk::tui::app::{App, Settings};
use caredesk::tui::components::desk::search::Search;
use caredesk::tui::field::Field;
use caredesk::tui::keymap::Keymap;
use caredesk::tui::screens::Cursor;
use caredesk::tui::theme::Theme;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PATIENTS: usize = 100_000;

fn client(dir: &std::path::Path) -> Signed<InProcess> {
    let clinic = Arc::new(Clinic::open(dir, StoreOptions::default()).unwrap());
    Signed::new(InProcess::new(clinic, Origin::default()))
}

/// A key-file principal allowed to search, so every iteration can sign in afresh
/// without waiting for a new TOTP step (set up once through the admin).
fn key_file(dir: &std::path::Path) -> Secret {
    let admin = client(dir);
    let (code, _) = caredesk::demo::current_code("admin", chrono::Utc::now().timestamp());
    let reply = admin.call(Request::Login {
        user: "admin".into(),
        password: Secret::new("demo chief harbour lantern"),
        code: Secret::new(code),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    let Response::KeyFileCreated(KeyFileCreated { key, .. }) = admin.call(Request::KeyFileAdd {
        label: "bench".into(),
    }) else {
        panic!()
    };
    drop(admin);
    let mut settings = caredesk::clinic::admin::settings::Settings::load(dir).unwrap();
    settings.roles.insert(
        caredesk::auth::Role::System,
        [
            caredesk::auth::Permission::PatientSearch,
            caredesk::auth::Permission::DemographicsRead,
        ]
        .into(),
    );
    settings.save(dir).unwrap();
    key
}

fn signed_in(dir: &std::path::Path, key: &Secret) -> Signed<InProcess> {
    let client = client(dir);
    let reply = client.call(Request::LoginKeyFile {
        label: "bench".into(),
        key: key.clone(),
    });
    assert!(matches!(reply, Response::SignedIn(_)), "{reply:?}");
    client
}

fn search(client: &Signed<InProcess>, query: &str) -> u64 {
    match client.call(Request::PatientSearch {
        query: query.into(),
        limit: 100_000,
    }) {
        Response::SearchResults(SearchResults { total, .. }) => total,
        other => panic!("{other:?}"),
    }
}

fn bench_search(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let started = std::time::Instant::now();
    caredesk::demo::create(&dir, PATIENTS, StoreOptions::default(), &mut |_| {}).unwrap();
    eprintln!(
        "demo store with {PATIENTS} patients created in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let key = key_file(&dir);
    let mut group = c.benchmark_group("patient search, 100 000 patients");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(
        "first name search after unlock (builds the name index)",
        |b| {
            b.iter_batched(
                || signed_in(&dir, &key),
                |client| black_box(search(&client, "zw")),
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();

    let client = signed_in(&dir, &key);
    search(&client, "zw");
    let mut group = c.benchmark_group("patient search, 100 000 patients, index warm");
    group.bench_function("pinyin initials zw", |b| {
        b.iter(|| black_box(search(&client, "zw")))
    });
    group.bench_function("name prefix 张", |b| {
        b.iter(|| black_box(search(&client, "张")))
    });
    group.bench_function("exact phone via blind index", |b| {
        b.iter(|| black_box(search(&client, "13800000000")))
    });
    group.finish();
}

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("search screen frame, 120x40");
    for count in [10usize, 100_000] {
        let rows: Vec<PatientRow> = (0..count)
            .map(|i| PatientRow {
                id: PatientId([0; 16]),
                name: format!("张伟 {i}"),
                sex: Sex::Male,
                birth_date: None,
                phone: Some("13900000000".into()),
                card: None,
                restricted: false,
                tags: Vec::new(),
                auto_tags: vec!["hypertension".into()],
            })
            .collect();
        let settings = Settings {
            clinic_name: "bench".into(),
            demo_accounts: None,
            idle_logout: Duration::from_secs(300),
            connection: "local".into(),
            units: Default::default(),
            player: "aplay {file}".into(),
            printer: String::new(),
        };
        let mut app = App::new(
            Lang::En,
            Keymap::builtin("default").unwrap(),
            Theme { color: true },
            settings,
            chrono::Utc::now(),
        );
        app.show(Search {
            query: Field::with("zw"),
            rows,
            total: count as u64,
            answered: Some("zw".into()),
            cursor: Cursor {
                selected: count / 2,
                offset: count / 2,
            },
            ..Search::default()
        });
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        group.bench_function(format!("{count} results"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| caredesk::tui::view::render(frame, &mut app))
                    .unwrap()
                    .area
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render, bench_search);
criterion_main!(benches);
