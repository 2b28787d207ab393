//! Backups: made by an admin (locally and through the clinic server while desks keep
//! writing), checked without a key and with one, damaged copies named, restored into a
//! new directory where the same people sign in and find the same records, and the
//! scheduler's backups kept to their count.

use crate::common;
use caredesk::clinic::api::SearchResults;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::common::daemon::{Daemon, credentials, export_json, sign_in};
use crate::common::tmux::demo_store;
use crate::common::{run_caredesk, text};
use caredesk::clinic::{Request, Response};
use caredesk::server::remote::Remote;

const ADMIN: (&str, &str) = ("admin", "demo chief harbour lantern");
const DOCTOR: (&str, &str) = ("dr.zhou", "demo doctor harbour lantern");
const DESK: (&str, &str) = ("wang.li", "demo desk harbour lantern");

fn backup(dir: &Path, out: &Path) -> std::process::Output {
    run_caredesk(
        None,
        &[
            "backup",
            "--data",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &credentials(ADMIN),
    )
}

/// `caredesk restore FILE --data TARGET`, opened with the admin's password.
fn restore(file: &Path, target: &Path) -> std::process::Output {
    run_caredesk(
        None,
        &[
            "restore",
            file.to_str().unwrap(),
            "--data",
            target.to_str().unwrap(),
            "--user",
            "admin",
        ],
        "demo chief harbour lantern\n",
    )
}

fn verify(file: &Path, key: &[&str], stdin: &str) -> std::process::Output {
    let mut args = vec!["backup", "verify", file.to_str().unwrap()];
    args.extend(key);
    run_caredesk(None, &args, stdin)
}

#[test]
fn a_backup_restores_to_an_identical_verified_store_the_same_people_open() {
    let (tmp, dir) = demo_store();
    let file = tmp.path().join("clinic.backup");
    let made = backup(&dir, &file);
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(
        text(&made.stdout).contains("entries"),
        "{}",
        text(&made.stdout)
    );
    // A second backup never replaces the first.
    let again = backup(&dir, &file);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("give a new file"));
    let before = export_json(&dir);
    // Checked without a key (checksums), and with the admin's password (authentic).
    let sound = verify(&file, &[], "");
    assert!(sound.status.success(), "{}", text(&sound.stdout));
    assert!(text(&sound.stdout).contains("checksums only"));
    let authentic = verify(&file, &["--user", "admin"], "demo chief harbour lantern\n");
    assert!(authentic.status.success(), "{}", text(&authentic.stdout));
    assert!(text(&authentic.stdout).contains("authentic: every chunk"));
    let wrong = verify(&file, &["--user", "admin"], "not the password at all\n");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong.stderr).contains("does not open this backup"));
    // Restored into a new directory: the audit chain verifies, the doctor signs in
    // with the same password and code, and the patient's whole record is the same.
    let restored = tmp.path().join("restored");
    let out = restore(&file, &restored);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("audit log verified"));
    assert_eq!(export_json(&restored), before);
    // Never over a store.
    let over = restore(&file, &dir);
    assert_eq!(over.status.code(), Some(1));
    assert!(text(&over.stderr).contains("never replaces a store"));
    // Both ends are in the audit logs: the backup in the original, the restore in the
    // copy (which holds the original's log up to the backup).
    let audit = |d: &Path| {
        let log = run_caredesk(
            None,
            &[
                "audit",
                "export",
                "--data",
                d.to_str().unwrap(),
                "--format",
                "jsonl",
            ],
            "",
        );
        text(&log.stdout)
    };
    assert!(audit(&dir).contains("\"action\":\"backup.create\""));
    let copy = audit(&restored);
    assert!(copy.contains("\"action\":\"backup.restore\""));
    // The snapshot was taken before its own backup.create was written.
    assert!(!copy.contains("\"action\":\"backup.create\""));
}

/// Flips one byte of `file` at `at`.
fn flip(file: &Path, at: u64) {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)
        .unwrap();
    let mut b = [0u8];
    f.seek(SeekFrom::Start(at)).unwrap();
    f.read_exact(&mut b).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(&[b[0] ^ 0x20]).unwrap();
}

#[test]
fn damaged_and_forged_backups_are_named_and_restore_nothing() {
    use sha2::{Digest, Sha256};
    let (tmp, dir) = demo_store();
    let file = tmp.path().join("clinic.backup");
    assert!(backup(&dir, &file).status.success());
    let bytes = std::fs::read(&file).unwrap();
    let size = bytes.len() as u64;
    // A flipped bit in the middle: the checksum says so, with or without a key.
    let flipped = tmp.path().join("flipped.backup");
    std::fs::copy(&file, &flipped).unwrap();
    flip(&flipped, size / 2);
    let out = verify(&flipped, &[], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stdout).contains("do not match the checksum"),
        "{}",
        text(&out.stdout)
    );
    // Cut short: said so.
    let cut = tmp.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let out = verify(&cut, &[], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stdout).contains("cut off"),
        "{}",
        text(&out.stdout)
    );
    // Forged: a manifest field changed and the trailer's checksum recomputed. The
    // checksums agree; only the store's key shows it is not the backup caredesk wrote.
    let forged = tmp.path().join("forged.backup");
    let trailer_at = bytes.len() - 84;
    let manifest_at =
        u64::from_be_bytes(bytes[trailer_at..trailer_at + 8].try_into().unwrap()) as usize;
    let mut copy = bytes.clone();
    let manifest = String::from_utf8(copy[manifest_at..trailer_at].to_vec()).unwrap();
    let changed = manifest.replace("\"audit_head_seq\":", "\"audit_head_seq\":1");
    assert_eq!(changed.len(), manifest.len() + 1);
    let mut body = copy[..manifest_at].to_vec();
    body.extend_from_slice(changed.as_bytes());
    let digest = Sha256::digest(&body);
    let mut trailer = copy.split_off(trailer_at);
    trailer[8..12].copy_from_slice(&(changed.len() as u32).to_be_bytes());
    trailer[12..44].copy_from_slice(&digest);
    body.extend_from_slice(&trailer);
    std::fs::write(&forged, &body).unwrap();
    let unkeyed = verify(&forged, &[], "");
    assert!(unkeyed.status.success(), "{}", text(&unkeyed.stdout));
    let keyed = verify(
        &forged,
        &["--user", "admin"],
        "demo chief harbour lantern\n",
    );
    assert_eq!(keyed.status.code(), Some(3), "{}", text(&keyed.stderr));
    assert!(
        text(&keyed.stdout).contains("not authentic"),
        "{}",
        text(&keyed.stdout)
    );
    // A restore of the damaged copy leaves no directory behind.
    let target = tmp.path().join("from-flipped");
    let out = restore(&flipped, &target);
    assert_eq!(out.status.code(), Some(3));
    assert!(!target.exists());
}

#[test]
fn a_backup_through_the_daemon_while_desks_register_is_one_consistent_moment() {
    let (tmp, dir) = demo_store();
    let daemon = Daemon::start(&dir);
    let token = Arc::new(sign_in(&Remote::connect(&daemon.socket).unwrap(), DESK));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4u32)
        .map(|w| {
            let (socket, token, stop) = (daemon.socket.clone(), token.clone(), stop.clone());
            std::thread::spawn(move || {
                let remote = Remote::connect(&socket).unwrap();
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let reply = common::daemon::register(
                        &remote,
                        &token,
                        format!("备份{w}-{n}"),
                        &format!("135{w:02}{n:06}"),
                        format!("BK-{w}-{n}"),
                    );
                    assert!(matches!(reply, Response::Registered { .. }), "{reply:?}");
                }
                n
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let file = tmp.path().join("busy.backup");
    let made = backup(&dir, &file);
    assert!(made.status.success(), "{}", text(&made.stderr));
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    let registered: u32 = writers.into_iter().map(|t| t.join().unwrap()).sum();
    let (code, said) = daemon.stop();
    assert_eq!(code, Some(0), "{said}");
    // The daemon kept its own copy too, in its backup directory (beside the demo's).
    assert_eq!(
        caredesk::store::backup::list(&dir.join("backups"))
            .unwrap()
            .len(),
        2
    );
    let restored = tmp.path().join("restored");
    let out = restore(&file, &restored);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Every patient the snapshot holds is whole: registered with exactly one card.
    let clinic = caredesk::clinic::Clinic::open(&restored, Default::default()).unwrap();
    let client = caredesk::clinic::Signed::new(caredesk::clinic::InProcess::new(
        Arc::new(clinic),
        caredesk::clinic::Origin::this_process(),
    ));
    let login = client.call(Request::Login {
        user: DOCTOR.0.into(),
        password: caredesk::clinic::Secret::new(DOCTOR.1),
        code: caredesk::clinic::Secret::new(common::daemon::unused_code(DOCTOR.0)),
    });
    assert!(matches!(login, Response::SignedIn(_)), "{login:?}");
    let Response::SearchResults(SearchResults { rows, total, .. }) =
        client.call(Request::PatientSearch {
            query: "备份".into(),
            limit: 10_000,
        })
    else {
        panic!("search")
    };
    assert!(
        total > 0 && (total as u32) < registered + 1,
        "{total} of {registered}"
    );
    for row in rows {
        let Response::Cards(cards) = client.call(Request::PatientCards { id: row.id }) else {
            panic!("cards")
        };
        assert_eq!(cards.len(), 1, "{} is whole", row.name);
    }
}

#[test]
fn the_backup_directory_keeps_the_newest_and_hands_out_only_its_own_files() {
    use caredesk::auth::Role;
    let t = common::clinic::TestClinic::new_with_settings(Some("[backup]\nkeep = 2\n"));
    let admin = t.sign_in(Role::Admin);
    let mut names = Vec::new();
    for _ in 0..3 {
        let Response::BackupCreated(made) = admin.call(Request::BackupCreate) else {
            panic!("backup")
        };
        names.push(made.name);
        t.clock.advance_secs(60);
    }
    let kept = caredesk::store::backup::list(&t.dir.join("backups")).unwrap();
    assert_eq!(kept, names[1..].to_vec(), "the oldest went");
    // A piece of a kept backup, nothing of a removed one or of any other file.
    let Response::BackupPiece(caredesk::clinic::api::BackupPiece(piece)) =
        admin.call(Request::BackupRead {
            name: names[2].clone(),
            offset: 0,
            len: 16,
        })
    else {
        panic!("piece")
    };
    assert_eq!(piece, b"CAREDESK-BACKUP\n");
    for name in [names[0].as_str(), "../settings.toml", "settings.toml"] {
        assert!(matches!(
            admin.call(Request::BackupRead {
                name: name.into(),
                offset: 0,
                len: 16
            }),
            Response::Error(caredesk::clinic::ServiceError::NotFound(_))
        ));
    }
}
