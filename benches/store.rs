//! Envelope throughput, and the encrypted store against raw sled on the same 512-byte
//! records: durable batched inserts and random reads. docs/performance.md reports the ratios.
//!
//! Run: `cargo bench --bench store`

use std::hint::black_box;

use caredesk::audit::{Actor, AuditEvent, Outcome};
use caredesk::crypto::{Aad, SecretKey, envelope};
use caredesk::store::codec::Versioned;
use caredesk::store::vault::Record;
use caredesk::store::{Scope, StoreOptions};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

const RECORD: usize = 512;
const BATCH: usize = 1000;
const READ_SET: usize = 20_000;

#[derive(Serialize, Deserialize)]
struct Blob(#[serde(with = "serde_bytes_compat")] Vec<u8>);

/// Encodes the payload as one byte string, as a record's fields would be.
mod serde_bytes_compat {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

impl Versioned for Blob {
    const VERSION: u16 = 1;
}

impl Record for Blob {
    const TREE: &'static str = "bench";
}

fn payload(i: usize) -> Vec<u8> {
    (0..RECORD).map(|j| (i * 31 + j) as u8).collect()
}

fn key(i: usize) -> [u8; 8] {
    (i as u64).to_be_bytes()
}

fn envelope_bench(c: &mut Criterion) {
    let key = SecretKey::random();
    let data = payload(1);
    let sealed = envelope::seal(&key, 1, Aad::new("t", b"k"), &data);
    let mut group = c.benchmark_group("envelope");
    group.throughput(Throughput::Bytes(RECORD as u64));
    group.bench_function("seal 512 B", |b| {
        b.iter(|| envelope::seal(&key, 1, Aad::new("t", b"k"), black_box(&data)))
    });
    group.bench_function("open 512 B", |b| {
        b.iter(|| envelope::open(&key, Aad::new("t", b"k"), black_box(&sealed)).unwrap())
    });
    let large = vec![7u8; 64 * 1024];
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("seal 64 KiB", |b| {
        b.iter(|| envelope::seal(&key, 1, Aad::new("t", b"k"), black_box(&large)))
    });
    // The 国密 suite's envelope (SM4-GCM), side by side.
    let sm = caredesk::crypto::Suite::Sm;
    let sealed_sm = envelope::seal_as(sm, &key, 1, Aad::new("t", b"k"), &data);
    group.throughput(Throughput::Bytes(RECORD as u64));
    group.bench_function("seal 512 B (SM4-GCM)", |b| {
        b.iter(|| envelope::seal_as(sm, &key, 1, Aad::new("t", b"k"), black_box(&data)))
    });
    group.bench_function("open 512 B (SM4-GCM)", |b| {
        b.iter(|| envelope::open_as(sm, &key, Aad::new("t", b"k"), black_box(&sealed_sm)).unwrap())
    });
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("seal 64 KiB (SM4-GCM)", |b| {
        b.iter(|| envelope::seal_as(sm, &key, 1, Aad::new("t", b"k"), black_box(&large)))
    });
    group.finish();
}

/// The cost of a password key slot: what each login and unlock pays, and each guess.
fn key_slot_bench(c: &mut Criterion) {
    use caredesk::crypto::{KdfParams, KeySlot, SlotKind};
    let slot = KeySlot::create(
        1,
        SlotKind::Password {
            user: "admin".into(),
        },
        KdfParams::PASSWORD_DEFAULT,
        b"correct horse battery",
        &SecretKey::random(),
        1,
        0,
    )
    .unwrap();
    let mut group = c.benchmark_group("key slot");
    group.sample_size(10);
    group.bench_function("open password slot (Argon2id 64 MiB, t=2, p=1)", |b| {
        b.iter(|| slot.open(black_box(b"correct horse battery")).unwrap())
    });
    group.finish();
}

fn raw_sled(dir: &std::path::Path) -> sled::Db {
    sled::Config::new()
        .path(dir)
        .cache_capacity(128 * 1024 * 1024)
        .mode(sled::Mode::HighThroughput)
        .open()
        .unwrap()
}

/// A new encrypted store under `dir/enc`, unlocked.
fn new_vault(dir: &std::path::Path) -> caredesk::store::Vault {
    let (vault, _) = caredesk::store::init(
        &dir.join("enc"),
        "admin",
        "correct horse battery",
        StoreOptions::default(),
        Actor::default(),
    )
    .unwrap();
    vault
}

fn event() -> AuditEvent {
    AuditEvent::new(Actor::default(), "bench.write", Outcome::Ok)
}

fn store_bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let vault = new_vault(tmp.path());
    let raw = raw_sled(&tmp.path().join("raw"));
    let raw_tree = raw.open_tree("bench").unwrap();

    let mut group = c.benchmark_group("durable batched insert, 1000 x 512 B");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    let mut next = 0usize;
    group.bench_function("raw sled", |b| {
        b.iter_batched(
            || {
                next += BATCH;
                (next..next + BATCH)
                    .map(|i| (key(i), payload(i)))
                    .collect::<Vec<_>>()
            },
            |rows| {
                let mut batch = sled::Batch::default();
                for (k, v) in &rows {
                    batch.insert(&k[..], v.as_slice());
                }
                raw_tree.apply_batch(batch).unwrap();
                raw.flush().unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    let mut next = 0usize;
    group.bench_function("caredesk (sealed + audited)", |b| {
        b.iter_batched(
            || {
                next += BATCH;
                (next..next + BATCH)
                    .map(|i| (key(i), Blob(payload(i))))
                    .collect::<Vec<_>>()
            },
            |rows| {
                vault
                    .put_many(
                        Scope::Clinic,
                        rows.iter().map(|(k, v)| (&k[..], v)),
                        event(),
                    )
                    .unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // A fixed read set in both stores.
    let rows: Vec<_> = (0..READ_SET).map(|i| (key(i), Blob(payload(i)))).collect();
    for chunk in rows.chunks(BATCH) {
        vault
            .put_many(
                Scope::Clinic,
                chunk.iter().map(|(k, v)| (&k[..], v)),
                event(),
            )
            .unwrap();
        let mut batch = sled::Batch::default();
        for (k, v) in chunk {
            batch.insert(&k[..], v.0.as_slice());
        }
        raw_tree.apply_batch(batch).unwrap();
    }
    raw.flush().unwrap();

    let mut group = c.benchmark_group("random read, 512 B");
    group.throughput(Throughput::Elements(1));
    let mut state = 0x9e3779b97f4a7c15u64;
    let mut pick = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % READ_SET as u64) as usize
    };
    group.bench_function("raw sled", |b| {
        b.iter(|| raw_tree.get(key(pick())).unwrap().unwrap())
    });
    group.bench_function("caredesk (opened + decoded)", |b| {
        b.iter(|| {
            vault
                .get::<Blob>(Scope::Clinic, &key(pick()))
                .unwrap()
                .unwrap()
        })
    });
    group.finish();
}

/// A whole data-key rotation over `READ_SET` clinic records (begin, then batches of
/// 2000 each committed with its audit record), as `caredesk key rotate` runs it.
fn rotation_bench(c: &mut Criterion) {
    use caredesk::crypto::DataKeys;
    use caredesk::store::{Vault, rotation};
    let tmp = tempfile::tempdir().unwrap();
    let vault = new_vault(tmp.path());
    let rows: Vec<_> = (0..READ_SET).map(|i| (key(i), Blob(payload(i)))).collect();
    for chunk in rows.chunks(BATCH) {
        vault
            .put_many(
                Scope::Clinic,
                chunk.iter().map(|(k, v)| (&k[..], v)),
                event(),
            )
            .unwrap();
    }
    let mut group = c.benchmark_group("data-key rotation, 20000 x 512 B");
    group.throughput(Throughput::Elements(READ_SET as u64));
    group.sample_size(10);
    let mut current = Some(vault);
    group.bench_function("begin + re-seal in batches of 2000", |b| {
        b.iter(|| {
            let vault = current.take().unwrap();
            let (keys, _) = rotation::begin(&vault, event(), 0).unwrap();
            let vault = Vault::new(vault.into_store(), keys);
            while !rotation::step(&vault, 2000, event()).unwrap().finished {}
            let keys = vault.keys();
            let keys = DataKeys::from_dek(keys.dek().clone(), keys.generation)
                .with_blind(keys.blind.clone());
            current = Some(Vault::new(vault.into_store(), keys));
        })
    });
    group.finish();
}

/// Records in the disk comparison: 100 000 × 512 B in durable batches of 1000.
const DISK_RECORDS: usize = 100_000;

/// Incompressible payloads (as sealed or encrypted pages are), so no engine gains
/// from a pattern in the bench's own bytes.
fn noise(i: usize) -> Vec<u8> {
    let mut state = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..RECORD)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn dir_bytes(path: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// The same records in SQLCipher through Debian's `sqlcipher` shell, configured as
/// SQLCipher 4 lays out a database (4096-byte pages, 256 000 KDF iterations), in WAL
/// mode with synchronous FULL; `None` when the shell is not installed.
fn sqlcipher(dir: &std::path::Path) -> Option<(std::time::Duration, u64)> {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let db = dir.join("sqlcipher.db");
    let mut script = String::from(
        "PRAGMA key = 'bench passphrase';\nPRAGMA cipher_page_size = 4096;\n\
         PRAGMA kdf_iter = 256000;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n\
         CREATE TABLE records (k INTEGER PRIMARY KEY, v BLOB NOT NULL);\n",
    );
    for chunk in (0..DISK_RECORDS).collect::<Vec<_>>().chunks(BATCH) {
        script.push_str("BEGIN;\n");
        for &i in chunk {
            let _ = write!(script, "INSERT INTO records VALUES ({i}, X'");
            for byte in noise(i) {
                let _ = write!(script, "{byte:02x}");
            }
            script.push_str("');\n");
        }
        script.push_str("COMMIT;\n");
    }
    let started = std::time::Instant::now();
    let mut shell = std::process::Command::new("sqlcipher")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    shell.stdin.take()?.write_all(script.as_bytes()).ok()?;
    if !shell.wait().ok()?.success() {
        return None;
    }
    let took = started.elapsed();
    // The WAL file is checkpointed into the database when the shell closes it.
    let bytes = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| dir_bytes(&dir.join(format!("sqlcipher.db{suffix}"))))
        .sum();
    Some((took, bytes))
}

/// Disk space for the same records in three engines, printed side by side (criterion
/// measures time, not space, so this runs once and prints its table).
fn disk_bench(_c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let rows: Vec<_> = (0..DISK_RECORDS).map(|i| (key(i), noise(i))).collect();

    let started = std::time::Instant::now();
    {
        let raw = raw_sled(&tmp.path().join("raw"));
        let tree = raw.open_tree("bench").unwrap();
        for chunk in rows.chunks(BATCH) {
            let mut batch = sled::Batch::default();
            for (k, v) in chunk {
                batch.insert(&k[..], v.as_slice());
            }
            tree.apply_batch(batch).unwrap();
            raw.flush().unwrap();
        }
    }
    let raw = (started.elapsed(), dir_bytes(&tmp.path().join("raw")));

    let started = std::time::Instant::now();
    {
        let vault = new_vault(tmp.path());
        for chunk in rows.chunks(BATCH) {
            let blobs: Vec<_> = chunk.iter().map(|(k, v)| (k, Blob(v.clone()))).collect();
            vault
                .put_many(
                    Scope::Clinic,
                    blobs.iter().map(|(k, v)| (&k[..], v)),
                    event(),
                )
                .unwrap();
        }
    }
    let caredesk = (started.elapsed(), dir_bytes(&tmp.path().join("enc")));
    let sqlcipher = sqlcipher(tmp.path());

    let line = |engine: &str, (took, bytes): (std::time::Duration, u64)| {
        let rate = DISK_RECORDS as f64 / took.as_secs_f64();
        let ratio = sqlcipher.map_or(String::from("-"), |(_, base)| {
            format!("{:.2}x", bytes as f64 / base as f64)
        });
        println!(
            "  {engine:<28} {:>6.1} MB  {ratio:>6}  {:>6.1} k inserts/s",
            bytes as f64 / 1e6,
            rate / 1e3
        );
    };
    println!("disk, {DISK_RECORDS} x {RECORD} B in durable batches of {BATCH}:");
    match sqlcipher {
        Some(measured) => line("SQLCipher (sqlcipher shell)", measured),
        None => println!("  SQLCipher: `sqlcipher` not installed (apt-get install sqlcipher)"),
    }
    line("raw sled 0.34", raw);
    line("caredesk (sealed + audited)", caredesk);
}

criterion_group!(
    benches,
    envelope_bench,
    key_slot_bench,
    store_bench,
    disk_bench,
    rotation_bench
);
criterion_main!(benches);
