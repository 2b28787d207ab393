//! A patient with a distinctive name, phone and ID number is stored, read, changed and
//! looked up; then every byte of every file under the data directory is searched for
//! those values in every common encoding. None may be found.

mod common;

use std::path::Path;

use caredesk::crypto::IndexKind;
use caredesk::domain::patient::{Patient, Sex};
use caredesk::store::StoreOptions;
use common::*;
use data_encoding::{BASE64, HEXLOWER, HEXUPPER};

const NAME: &str = "Zebulon Quixotefield";
const CHINESE_NAME: &str = "欧阳翠花";
const PHONE: &str = "13987654321";
const ID_NUMBER: &str = "11010519491231002X";
const ALLERGY: &str = "Quagmirolide";
const REASON: &str = "Zanzibarite reaction at intake";

fn needles(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("utf-8".to_string(), text.as_bytes().to_vec()),
        (
            "utf-16le".into(),
            text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ),
        (
            "utf-16be".into(),
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ),
        ("lower-case".into(), text.to_lowercase().into_bytes()),
        (
            "base64".into(),
            BASE64
                .encode(text.as_bytes())
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ),
        ("hex".into(), HEXLOWER.encode(text.as_bytes()).into_bytes()),
        ("HEX".into(), HEXUPPER.encode(text.as_bytes()).into_bytes()),
    ];
    for encoding in [encoding_rs::GB18030, encoding_rs::GBK, encoding_rs::BIG5] {
        let (bytes, _, _) = encoding.encode(text);
        out.push((encoding.name().to_string(), bytes.into_owned()));
    }
    if let Ok(number) = text.parse::<u64>() {
        out.push(("u64 le".into(), number.to_le_bytes().to_vec()));
        out.push(("u64 be".into(), number.to_be_bytes().to_vec()));
    }
    out
}

fn scan(dir: &Path, needles: &[(String, String, Vec<u8>)], found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, needles, found);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for (value, encoding, needle) in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                found.push(format!("{value} as {encoding} in {}", path.display()));
            }
        }
    }
}

#[test]
fn no_seeded_phi_is_found_anywhere_under_the_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, vault) = new_store(tmp.path(), StoreOptions::default());
    let patient = Patient {
        name: format!("{NAME} {CHINESE_NAME}"),
        sex: Sex::Male,
        birth_date: chrono::NaiveDate::from_ymd_opt(1949, 12, 31),
        phone: Some(PHONE.into()),
        id_number: Some(ID_NUMBER.into()),
        address: Some("42 Quixote Lane".into()),
        ..Patient::default()
    };
    // Filler patients so that sled writes several pages and segments.
    for i in 0..200 {
        vault
            .create_patient(
                &common::patient(
                    &format!("Filler {i}"),
                    &format!("1380000{i:04}"),
                    &format!("F{i}"),
                ),
                event("patient.create"),
            )
            .unwrap();
    }
    let id = vault
        .create_patient(&patient, event("patient.create"))
        .unwrap();
    assert_eq!(
        vault.read_patient(&id, event("patient.read")).unwrap(),
        patient
    );
    assert_eq!(vault.find(IndexKind::Phone, PHONE).unwrap(), vec![id]);
    let mut moved = patient.clone();
    moved.phone = Some("13900001111".into());
    vault
        .update_patient(&id, &moved, event("patient.update"))
        .unwrap();
    vault
        .update_patient(&id, &patient, event("patient.update"))
        .unwrap();
    // An amendment of the health record: values, and the reason staff typed.
    let mut record = caredesk::domain::health::HealthRecord::default();
    record.allergies.push(caredesk::domain::health::Allergy {
        substance: ALLERGY.into(),
        ..Default::default()
    });
    let amendment = caredesk::domain::amendment::Amendment {
        at: 1,
        by: "nurse".into(),
        role: caredesk::auth::Role::Nurse,
        reason: REASON.into(),
        before: caredesk::domain::amendment::SectionValue::Allergies(vec![]),
        after: caredesk::domain::amendment::SectionValue::Allergies(record.allergies.clone()),
    };
    let mut writes = caredesk::store::writes::WriteSet::new();
    vault.stage_health(&mut writes, &id, &record).unwrap();
    vault.stage_amendment(&mut writes, &id, &amendment).unwrap();
    vault.commit(event("health.amend"), writes).unwrap();
    assert_eq!(vault.amendments(&id).unwrap(), vec![amendment]);
    drop(vault);
    // Reopen and read again, so that recovery and cache paths have run too.
    let vault = unlock(&dir, StoreOptions::default());
    assert_eq!(vault.patient(&id).unwrap(), patient);
    drop(vault);

    let mut all = Vec::new();
    for value in [
        NAME,
        "Quixotefield",
        CHINESE_NAME,
        PHONE,
        "987654321",
        ID_NUMBER,
        PASSWORD,
        ALLERGY,
        REASON,
    ] {
        for (encoding, bytes) in needles(value) {
            all.push((value.to_string(), encoding, bytes));
        }
    }
    let mut found = Vec::new();
    scan(&dir, &all, &mut found);
    assert!(
        found.is_empty(),
        "found in the clear:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_itself_finds_a_planted_value() {
    // Guards the test above against passing because it cannot see anything.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    std::fs::write(
        tmp.path().join("sub/plain"),
        "x".repeat(10) + &HEXLOWER.encode(CHINESE_NAME.as_bytes()),
    )
    .unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(CHINESE_NAME);
    std::fs::write(tmp.path().join("gb"), gb.as_ref()).unwrap();
    let mut all = Vec::new();
    for (encoding, bytes) in needles(CHINESE_NAME) {
        all.push((CHINESE_NAME.to_string(), encoding, bytes));
    }
    let mut found = Vec::new();
    scan(tmp.path(), &all, &mut found);
    assert!(found.iter().any(|f| f.contains("as hex")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("gb18030")), "{found:?}");
}
