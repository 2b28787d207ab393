//! Call recordings: attached in chunks through the service and read back identical;
//! nothing of them in the clear on disk; played from a private file that is gone
//! afterwards; a chunk moved or swapped in the store no longer opens.

use crate::common;
use caredesk::clinic::api::PatientCreated;

use crate::common::clinic::TestClinic;
use crate::common::clinic::quick_options;
use crate::common::{ManualClock, event, new_store, unlock};
use caredesk::auth::Role;
use caredesk::clinic::followup::api::{FollowUpKey, QueueFilter};
use caredesk::clinic::followup::recording_client;
use caredesk::clinic::{Request, Response};
use caredesk::domain::consent::{Channel, Decision, Method, Purpose};
use caredesk::domain::followup::{CallInput, Kind, Outcome};
use caredesk::domain::patient::{IdType, PatientId};
use caredesk::store::RawStore;
use caredesk::store::writes::WriteSet;

const MARKER: &[u8] = b"PLAINTEXT-AUDIO-MARKER-7f3a";

/// 2.5 MiB: three chunks, the last one short; the marker all through it.
pub(crate) fn audio() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut n = 0u32;
    while bytes.len() < (5 << 19) {
        bytes.extend_from_slice(MARKER);
        bytes.extend_from_slice(&n.to_le_bytes());
        n += 1;
    }
    bytes.truncate(5 << 19);
    bytes
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A patient who agreed to follow-up calls, with a plan due today.
pub(crate) fn followed_patient(t: &TestClinic, name: &str, number: &str, kind: Kind) -> PatientId {
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient(name, &format!("1370000{number}"), &format!("REC-{number}"));
    p.id_type = IdType::Other;
    let Response::PatientCreated(PatientCreated { id }) =
        desk.call(Request::PatientCreate { patient: p })
    else {
        panic!()
    };
    desk.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision: Decision::Granted,
        method: Method::Verbal,
    });
    t.sign_in(Role::Nurse).call(Request::FollowUpPlanAdd {
        id,
        kind,
        interval_days: 30,
        first_due: t.today(),
        assigned: "nurses".into(),
    });
    id
}

#[test]
fn a_recording_round_trips_encrypted_and_plays_from_a_private_file() {
    let t = TestClinic::with_all_roles();
    let id = followed_patient(&t, "Recorded Patient", "0099", Kind::Hypertension);
    let nurse = t.sign_in(Role::Nurse);
    let Response::FollowUpQueue(view) = nurse.call(Request::FollowUpQueue {
        filter: QueueFilter::default(),
        offset: 0,
        limit: 10,
    }) else {
        panic!()
    };
    let key = FollowUpKey::of(&view.rows[0].item);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("call.wav");
    std::fs::write(&file, audio()).unwrap();
    // A recording belongs to a call: none saved yet.
    let err = recording_client::attach(&nurse, key, &file).unwrap_err();
    assert!(err.to_string().contains("save the call first"), "{err}");
    nurse.call(Request::FollowUpClaim { key });
    let saved = nurse.call(Request::FollowUpCallSave {
        key,
        input: CallInput {
            outcome: Outcome::Reached,
            visit: Default::default(),
            readings: vec![],
            adherence: None,
            ticked: vec![],
            symptoms: String::new(),
            side_effects: String::new(),
            notes: "recorded with consent".into(),
            form: Default::default(),
        },
    });
    assert!(matches!(saved, Response::FollowUpCallSaved(_)), "{saved:?}");
    recording_client::attach(&nurse, key, &file).unwrap();
    // A file that is not audio is refused by name.
    let text = work.path().join("notes.txt");
    std::fs::write(&text, b"hello").unwrap();
    assert!(
        recording_client::attach(&nurse, key, &text)
            .unwrap_err()
            .to_string()
            .contains("wav")
    );

    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    let meta = chart
        .recordings
        .iter()
        .find(|m| m.complete)
        .unwrap()
        .clone();
    assert_eq!((meta.size, meta.chunks), (5 << 19, 3));
    assert_eq!(meta.call_at, chart.calls[0].at);
    let mut back = Vec::new();
    recording_client::fetch(&nurse, id, &meta, false, &mut back).unwrap();
    assert!(back == audio(), "the bytes come back identical");
    // Nothing of it in the clear anywhere in the store.
    for path in files_under(t.dir()) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(MARKER.len()).any(|w| w == MARKER),
            "{} holds the recording in the clear",
            path.display()
        );
    }
    // Listening: the player gets a private file (0600), gone once it has played.
    let copy = work.path().join("played.wav");
    let player = format!("cp {{file}} {}", copy.display());
    recording_client::play(&nurse, id, &meta, &player).unwrap();
    assert!(std::fs::read(&copy).unwrap() == audio());
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("caredesk-listen-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Export is audited as a disclosure.
    let mut out = Vec::new();
    recording_client::fetch(&nurse, id, &meta, true, &mut out).unwrap();
    let auditor = t.sign_in(Role::Auditor);
    let rows = common::clinic::audit_rows(&auditor);
    assert!(
        rows.iter()
            .any(|r| r.action == "recording.read" && r.detail.contains("disclosure"))
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "recording.attach" && r.detail.contains("chunks=3"))
    );
}

#[test]
fn a_chunk_moved_or_swapped_no_longer_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(common::clinic::START);
    let (dir, vault) = new_store(tmp.path(), quick_options(&clock));
    let mut writes = WriteSet::new();
    let id = vault
        .stage_create_patient(
            &mut writes,
            &common::patient("Chunk Patient", "13700000098", "C-1"),
        )
        .unwrap();
    let (a, b) = ([1u8; 16], [2u8; 16]);
    for (recording, fill) in [(a, 0xAA), (b, 0xBB)] {
        for index in 0..2 {
            vault
                .stage_recording_chunk(
                    &mut writes,
                    &id,
                    &recording,
                    index,
                    vec![fill + index as u8; 64],
                )
                .unwrap();
        }
    }
    vault.commit(event("test.chunks"), writes).unwrap();
    assert_eq!(
        vault.recording_chunk(&id, &a, 1).unwrap().unwrap(),
        vec![0xAB; 64]
    );
    drop(vault);
    {
        let raw = RawStore::open(&dir).unwrap();
        let tree = raw.tree("recordings").unwrap();
        let key = |recording: &[u8; 16], index: u32| {
            let mut k = id.0.to_vec();
            k.extend_from_slice(recording);
            k.extend_from_slice(&index.to_be_bytes());
            k
        };
        let a0 = tree.get(key(&a, 0)).unwrap().unwrap();
        let a1 = tree.get(key(&a, 1)).unwrap().unwrap();
        let b0 = tree.get(key(&b, 0)).unwrap().unwrap();
        // Swap a's two chunks; put a's first chunk in b's place.
        tree.insert(key(&a, 0), a1).unwrap();
        tree.insert(key(&a, 1), a0.clone()).unwrap();
        tree.insert(key(&b, 0), a0).unwrap();
        drop(b0);
        raw.db.flush().unwrap();
    }
    let vault = unlock(&dir, quick_options(&clock));
    assert!(
        vault.recording_chunk(&id, &a, 0).is_err(),
        "swapped within a recording"
    );
    assert!(vault.recording_chunk(&id, &a, 1).is_err());
    assert!(
        vault.recording_chunk(&id, &b, 0).is_err(),
        "moved to another recording"
    );
    assert_eq!(
        vault.recording_chunk(&id, &b, 1).unwrap().unwrap(),
        vec![0xBC; 64]
    );
}

#[test]
fn a_hundred_megabyte_recording_streams_through_in_chunks() {
    use sha2::{Digest, Sha256};
    use std::io::Write;
    let t = TestClinic::with_all_roles();
    let id = followed_patient(&t, "Long Call", "0097", Kind::Diabetes);
    let nurse = t.sign_in(Role::Nurse);
    let key = FollowUpKey {
        patient: id,
        plan: 1,
        seq: 1,
    };
    nurse.call(Request::FollowUpClaim { key });
    nurse.call(Request::FollowUpCallSave {
        key,
        input: CallInput {
            outcome: Outcome::Reached,
            visit: Default::default(),
            readings: vec![],
            adherence: None,
            ticked: vec![],
            symptoms: String::new(),
            side_effects: String::new(),
            notes: String::new(),
            form: Default::default(),
        },
    });
    // 100 MiB written a block at a time: never whole in this test's memory either.
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("long.m4a");
    let mut out = std::fs::File::create(&file).unwrap();
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    for n in 0u32..1600 {
        for (i, b) in block.iter_mut().enumerate() {
            *b = (n as usize * 31 + i * 7) as u8;
        }
        hasher.update(&block);
        out.write_all(&block).unwrap();
    }
    drop(out);
    let expected = hasher.finalize();
    recording_client::attach(&nurse, key, &file).unwrap();
    let Response::FollowUpChart(chart) = nurse.call(Request::FollowUpChart { id }) else {
        panic!()
    };
    let meta = &chart.recordings[0];
    assert_eq!((meta.size, meta.chunks), (100 << 20, 100));
    struct Hashing(Sha256, u64);
    impl Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            self.1 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut back = Hashing(Sha256::new(), 0);
    recording_client::fetch(&nurse, id, meta, false, &mut back).unwrap();
    assert_eq!(back.1, 100 << 20);
    assert_eq!(back.0.finalize(), expected);
}
