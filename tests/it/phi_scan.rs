//! A patient with a distinctive name, phone and ID number is stored, read, changed and
//! looked up; then every byte of every file under the data directory is searched for
//! those values in every common encoding. None may be found.

use crate::common;
use caredesk::clinic::api::{ErasureRequested, Registered};

use std::path::Path;

use crate::common::clinic::{TestClinic, audit_rows};
use crate::common::*;
use caredesk::crypto::IndexKind;
use caredesk::domain::patient::{Patient, Sex};
use caredesk::store::StoreOptions;
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

/// A distinctive word per free-text path: found anywhere on disk, it was stored in the
/// clear.
fn typed(path: &str) -> String {
    format!("Qzx{path}Vurbl")
}

/// The free-text paths of the service: every request that carries a String, typed by
/// staff, and an identifier (card number). Returns what was typed.
fn type_everywhere(t: &mut TestClinic) -> (Vec<String>, String) {
    use caredesk::auth::Role;
    use caredesk::clinic::api::{PatientRef, ReportOutput};
    use caredesk::clinic::{Request, Response};
    use caredesk::domain::amendment::{Section, SectionValue};
    let mut words = Vec::new();
    let mut word = |path: &str| {
        let w = typed(path);
        words.push(w.clone());
        w
    };
    let admin = t.sign_in(Role::Admin);
    for role in [
        Role::FrontDesk,
        Role::Nurse,
        Role::Doctor,
        Role::HealthManager,
        Role::Auditor,
        Role::SecurityAdmin,
    ] {
        t.add_user(&admin, &common::clinic::role_user(role), role);
    }
    let security = t.sign_in(Role::SecurityAdmin);
    let desk = t.sign_in(Role::FrontDesk);
    let nurse = t.sign_in(Role::Nurse);
    let doctor = t.sign_in(Role::Doctor);
    let manager = t.sign_in(Role::HealthManager);
    let auditor = t.sign_in(Role::Auditor);
    let mut p = common::patient("Ophira Tessaly", "13611112222", "PS-77");
    p.id_type = caredesk::domain::patient::IdType::Other;
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: p,
        card_type: "basic".into(),
    }) else {
        panic!("register")
    };
    let card_number = card.number.clone();
    // Lookups typed at the desk (audited with counts, never the text).
    let _ = desk.call(Request::PatientSearch {
        query: word("Search"),
        limit: 5,
    });
    let _ = desk.call(Request::PatientFind {
        kind: caredesk::clinic::api::LookupKind::Phone,
        value: word("Find"),
    });
    let _ = desk.call(Request::PatientExport {
        key: word("ExportKey"),
    });
    let _ = desk.call(Request::CardIssue {
        id,
        card_type: word("CardType"),
    });
    let _ = desk.call(Request::CardCancel {
        number: word("CardCancel"),
    });
    let _ = desk.call(Request::CardReportLost {
        number: word("CardLost"),
    });
    let _ = desk.call(Request::ExamBook {
        id,
        package: word("Package"),
        date: t.today() + chrono::Days::new(3),
    });
    let _ = desk.call(Request::PatientSetTags {
        id,
        tags: vec![word("Tag")],
    });
    let _ = nurse.call(Request::Observations {
        id,
        code: Some(word("Code")),
    });
    let _ = nurse.call(Request::QuestionnaireSubmit {
        id,
        key: word("Questionnaire"),
        answers: vec![],
    });
    let _ = nurse.call(Request::PlanDraft {
        id,
        template: word("Template"),
        lang: caredesk::i18n::Lang::En,
    });
    let _ = nurse.call(Request::FollowUpPlanAdd {
        id,
        kind: caredesk::domain::followup::Kind::Hypertension,
        interval_days: 30,
        first_due: t.today(),
        assigned: word("Assigned"),
    });
    let _ = admin.call(Request::UserAdd {
        name: word("UserName"),
        role: Role::Nurse,
    });
    // A key-file slot's label, like a staff user name, names the slot that opens before
    // any key is known, so it stays in the clear (it is not scanned for).
    let _ = security.call(Request::KeyFileAdd {
        label: typed("KeyLabel"),
    });
    let _ = admin.call(Request::BackupRead {
        name: word("BackupName"),
        offset: 0,
        len: 1,
    });
    let _ = security.call(Request::AuditSealNow {
        reason: word("SealReason"),
    });
    // The record: an amendment with its reason; demographics amended with a reason.
    let amend = doctor.call(Request::HealthAmend {
        id,
        before: SectionValue::Allergies(vec![]),
        after: common::entries(Section::Allergies, &[&word("Allergy")]),
        reason: word("AmendReason"),
    });
    assert!(
        matches!(amend, Response::Health(_) | Response::Done),
        "{amend:?}"
    );
    // Demographics amended with a reason, and the address and emergency contact typed.
    if let Response::Patient(view) = desk.call(Request::PatientGet { id }) {
        let before = view.patient.demographics();
        let mut after = before.clone();
        after.address = Some(word("Address"));
        after.emergency_contact = Some(word("EmergencyContact"));
        let amended = desk.call(Request::PatientAmend {
            id,
            before,
            after,
            reason: word("PatientAmendReason"),
        });
        assert!(!matches!(amended, Response::Error(_)), "{amended:?}");
    }
    // A result typed by hand, with text in every field that takes it.
    let observation = caredesk::domain::observation::Observation {
        system: "http://loinc.org".into(),
        code: "8867-4".into(),
        display: Some(word("ObsDisplay")),
        value: caredesk::domain::observation::ObsValue::Text(word("ObsText")),
        unit: Some(word("ObsUnit")),
        range: caredesk::domain::observation::RefRange {
            low: None,
            high: None,
            text: Some(word("ObsRange")),
        },
        flags: vec![word("ObsFlag")],
        taken_at: t.now() - 60,
        status: Some("F".into()),
        source: caredesk::domain::observation::Source {
            kind: caredesk::domain::observation::SourceKind::Manual,
            reference: word("ObsReference"),
        },
    };
    let _ = nurse.call(Request::ObservationAdd { id, observation });
    // Advice written by staff, and an intake answer typed as text.
    let _ = doctor.call(Request::AdviceApprove {
        id,
        items: vec![caredesk::domain::advice::Item {
            template: String::new(),
            topic: caredesk::domain::advice::Topic::Diet,
            text: word("AdviceText"),
        }],
    });
    let _ = nurse.call(Request::IntakeSubmit {
        id,
        answers: vec![caredesk::domain::intake::Answer::Text(word("IntakeAnswer"))],
    });
    // A result rejected from the review list (refused or not, what was typed goes
    // nowhere in the clear).
    let _ = nurse.call(Request::ReviewReject {
        number: 1,
        reason: word("ReviewRejectReason"),
    });
    let _ = desk.call(Request::SummarySave {
        id,
        number: None,
        base: 0,
        period: caredesk::domain::summary::Period {
            from: t.today(),
            to: t.today(),
        },
        text: word("Summary"),
    });
    // Reports to a file and a printer: their names are in the audit detail.
    for output in [
        ReportOutput::File(word("ReportFile")),
        ReportOutput::Printer(word("Printer")),
    ] {
        let report = doctor.call(Request::ReportCompose {
            patient: PatientRef::Id(id),
            from: None,
            to: None,
            unmask: false,
            output,
        });
        assert!(!matches!(report, Response::Error(_)), "{report:?}");
    }
    // A call with notes.
    use caredesk::domain::consent::{Channel, Decision, Method, Purpose};
    let consent = desk.call(Request::ConsentSet {
        id,
        channel: Channel::Phone,
        purpose: Purpose::Care,
        decision: Decision::Granted,
        method: Method::Verbal,
    });
    assert!(matches!(consent, Response::Consent(_)), "{consent:?}");
    let _ = nurse.call(Request::FollowUpSchedule);
    let queue = nurse.call(Request::FollowUpQueue {
        filter: Default::default(),
        offset: 0,
        limit: 10,
    });
    if let Response::FollowUpQueue(view) = queue
        && let Some(row) = view.rows.first()
    {
        let key = caredesk::clinic::followup::api::FollowUpKey::of(&row.item);
        let claimed = nurse.call(Request::FollowUpClaim { key });
        assert!(!matches!(claimed, Response::Error(_)), "{claimed:?}");
        let saved = nurse.call(Request::FollowUpCallSave {
            key,
            input: caredesk::domain::followup::CallInput {
                outcome: caredesk::domain::followup::Outcome::NoAnswer,
                visit: Default::default(),
                readings: Default::default(),
                adherence: None,
                ticked: vec![],
                symptoms: word("Symptoms"),
                side_effects: word("SideEffects"),
                notes: word("CallNotes"),
                form: caredesk::domain::followup_form::StandardForm {
                    other_signs: word("OtherSigns"),
                    medicines: vec![caredesk::domain::followup_form::Medicine {
                        name: word("MedicineName"),
                        usage: word("MedicineUsage"),
                    }],
                    insulin: word("Insulin"),
                    referral_reason: word("ReferralReason"),
                    referral_to: word("ReferralTo"),
                    other_tests: word("OtherTests"),
                    ..Default::default()
                },
            },
        });
        assert!(!matches!(saved, Response::Error(_)), "{saved:?}");
    }
    // Break-glass on a restricted patient: the reason goes to the audit and an alert.
    assert_eq!(
        manager.call(Request::PatientSetRestricted {
            id,
            restricted: true
        }),
        Response::Done
    );
    let glass = nurse.call(Request::BreakGlass {
        id,
        reason: word("BreakGlassReason"),
    });
    assert_eq!(glass, Response::Done);
    // The alert the break-glass raised, acknowledged with a note.
    let Response::Alerts(alerts) = auditor.call(Request::AlertsList { limit: 10 }) else {
        panic!("alerts")
    };
    let alert = alerts
        .iter()
        .find(|a| a.detail.to_string().contains("BreakGlassReason"))
        .expect("the auditor reads the break-glass alert's reason");
    assert_eq!(
        auditor.call(Request::AlertAcknowledge {
            id: alert.id,
            note: word("AckNote")
        }),
        Response::Done
    );
    // The auditor opens the sealed details.
    let rows = audit_rows(&auditor);
    for needle in ["BreakGlassReason", "ReportFile", "Printer"] {
        assert!(
            rows.iter().any(|r| r.detail.contains(&typed(needle))),
            "{needle} not readable by the auditor"
        );
    }
    (words, card_number)
}

#[test]
fn nothing_staff_type_and_no_card_number_is_stored_in_the_clear() {
    let mut t = TestClinic::new();
    let (words, card_number) = type_everywhere(&mut t);
    // Reopened, so that the keyed upgrade and recovery paths have run too; scanned while
    // open (every commit is flushed), since the files go with the clinic's temp dir.
    let t = t.reopen();
    let dir = t.dir().to_path_buf();
    let mut all = Vec::new();
    for value in words
        .iter()
        .map(String::as_str)
        .chain([card_number.as_str()])
    {
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
fn an_erasure_reason_is_shredded_with_the_patient() {
    use caredesk::auth::Role;
    use caredesk::clinic::api::PatientRef;
    use caredesk::clinic::{Request, Response};
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let mut p = common::patient("Ophira Tessaly", "13611113333", "PS-78");
    p.id_type = caredesk::domain::patient::IdType::Other;
    let Response::Registered(Registered { id, card }) = desk.call(Request::PatientRegister {
        patient: p,
        card_type: "basic".into(),
    }) else {
        panic!("register")
    };
    let manager = t.sign_in(Role::HealthManager);
    let reason = typed("ErasureReason");
    let Response::ErasureRequested(ErasureRequested { id: request }) =
        manager.call(Request::ErasureRequest {
            patient: PatientRef::Id(id),
            reason: format!("consent withdrawn, {reason}"),
        })
    else {
        panic!("erasure request")
    };
    let auditor = t.sign_in(Role::Auditor);
    let readable = |rows: &[caredesk::clinic::wire::AuditEntry]| {
        rows.iter().filter(|r| r.detail.contains(&reason)).count()
    };
    assert_eq!(
        readable(&audit_rows(&auditor)),
        1,
        "readable before approval"
    );
    let admin = t.sign_in(Role::Admin);
    assert_eq!(
        admin.call(Request::ErasureApprove { id: request }),
        Response::Done
    );
    let rows = audit_rows(&auditor);
    assert_eq!(readable(&rows), 0, "the reason outlived the patient's key");
    let erased: Vec<_> = rows
        .iter()
        .filter(|r| r.subjects.contains(&id.to_string()) && r.action.starts_with("patient.erase"))
        .collect();
    assert!(erased.len() >= 2, "{erased:?}");
    assert!(erased.iter().all(|r| r.detail == "[erased]"), "{erased:?}");
    // The card number no longer leads to the erased id.
    assert!(matches!(
        desk.call(Request::PatientFind {
            kind: caredesk::clinic::api::LookupKind::Phone,
            value: "13611113333".into()
        }),
        Response::Patients(ids) if ids.is_empty()
    ));
    let dir = t.dir().to_path_buf();
    let mut all = Vec::new();
    for value in [reason.as_str(), card.number.as_str()] {
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
