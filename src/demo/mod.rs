//! The demo clinic: known staff (one per role, with known passwords and TOTP secrets)
//! and synthetic patients, so a newcomer sees every screen with content at once.
//!
//! Nothing here is for a real clinic: the TOTP secrets are derived from public names.

mod exams;
mod followups;
mod health;
mod management;
mod oversight;
mod people;
mod results;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::audit::{Actor, AuditEvent, Outcome};
use crate::auth::user::TotpSecret;
use crate::auth::{Role, User, UserId, totp};
use crate::clinic::admin::settings::Settings;
use crate::domain::card::{Card, card_number};
use crate::domain::consent::{
    Channel, ConsentEntry, ConsentRecord, Decision, Method, Processing, ProcessingEntry, Purpose,
};
use crate::store::writes::WriteSet;
use crate::store::{self, StoreError, StoreOptions, Vault};

pub use people::Generator;

/// One demo user per role: (user name, role, password).
pub const USERS: [(&str, Role, &str); 8] = [
    ("admin", Role::Admin, "demo chief harbour lantern"),
    ("wang.li", Role::FrontDesk, "demo desk harbour lantern"),
    ("chen.jing", Role::Nurse, "demo nurse harbour lantern"),
    ("dr.zhou", Role::Doctor, "demo doctor harbour lantern"),
    (
        "sun.hm",
        Role::HealthManager,
        "demo manager harbour lantern",
    ),
    ("he.audit", Role::Auditor, "demo auditor harbour lantern"),
    (
        "li.min",
        Role::PrivacyOfficer,
        "demo privacy harbour lantern",
    ),
    (
        "zhao.an",
        Role::SecurityAdmin,
        "demo security harbour lantern",
    ),
];

pub const CLINIC_NAME: &str = "Demo Health Clinic 演示健康管理中心";
pub const CLINIC_ADDRESS: &str =
    "88 Jianguo Road, Chaoyang District, Beijing 北京市朝阳区建国路88号";
pub const CLINIC_PHONE: &str = "010-6588 0000";

/// The demo user's TOTP secret: public, derived from the name.
pub fn totp_secret(user: &str) -> Vec<u8> {
    Sha256::digest(format!("caredesk demo totp secret: {user}").as_bytes())[..20].to_vec()
}

/// A demo user's code at `now`, and the seconds it stays valid.
pub fn current_code(user: &str, now_unix: i64) -> (String, u64) {
    let secret = totp_secret(user);
    let code = totp::totp(&secret, user)
        .map(|t| t.generate(now_unix as u64).to_string())
        .unwrap_or_default();
    let left = totp::STEP_SECONDS - (now_unix as u64 % totp::STEP_SECONDS);
    (code, left)
}

/// The demo users with their passwords and their codes at `now_unix`, as the demo
/// clinic's sign-in screen lists them.
pub fn accounts_at(now_unix: i64) -> Vec<crate::tui::app::DemoAccount> {
    USERS
        .iter()
        .map(|&(user, role, password)| {
            let (code, seconds_left) = current_code(user, now_unix);
            crate::tui::app::DemoAccount {
                user,
                role,
                password,
                code,
                seconds_left,
            }
        })
        .collect()
}

/// Creates the demo store in `dir` with `patients` synthetic patients. Returns how many
/// were created; `progress` hears the count after each batch.
/// The demo clinic's clock: a clinic in China.
pub const TIME_ZONE: &str = "Asia/Shanghai";

/// The demo clinic's date now, on its own clock (Beijing): the day its desk calls
/// today, so "tomorrow's" bookings are tomorrow there whatever the UTC date.
fn clinic_today(vault: &Vault) -> chrono::NaiveDate {
    let now = (vault.store().options().clock)();
    crate::domain::time::ClinicZone::parse(TIME_ZONE)
        .map(|zone| zone.today(now))
        .unwrap_or_else(|_| now.date_naive())
}

pub fn create(
    dir: &Path,
    patients: usize,
    options: StoreOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, StoreError> {
    let actor = crate::audit::context::process_actor();
    let (admin_name, _, admin_password) = USERS[0];
    let (vault, _) = store::init(dir, admin_name, admin_password, options, actor.clone())?;
    add_staff(&vault, &actor)?;
    let settings = Settings {
        clinic: crate::clinic::admin::settings::ClinicSettings {
            name: CLINIC_NAME.into(),
            address: CLINIC_ADDRESS.into(),
            phone: CLINIC_PHONE.into(),
            demo: true,
            units: Default::default(),
            // A clinic in China: the desk's "today" and every time on its clock.
            time_zone: TIME_ZONE.into(),
            area_code: demo_area(0),
        },
        privacy: crate::clinic::admin::settings::PrivacySettings {
            officer: "李敏 Li Min, 010-6588 0001, privacy@demo-clinic.example".into(),
            ..Default::default()
        },
        ..Settings::default()
    };
    settings.save(dir).map_err(StoreError::Invalid)?;
    crate::clinic::desk::notice::write_template(dir)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let created = add_patients(&vault, &actor, patients, progress)?;
    add_review_items(&vault, &actor)?;
    let today = clinic_today(&vault);
    add_rights_requests(&vault, &actor, today)?;
    oversight::add_alerts(&vault, &actor)?;
    oversight::add_erasure_request(&vault, &actor)?;
    oversight::add_access_trail(&vault, &actor)?;
    // The first backup, as the daemon's scheduler would have made it last night.
    let now = (vault.store().options().clock)();
    let (_, manifest, _) =
        crate::store::backup::write_into(vault.store(), vault.keys(), &dir.join("backups"), 7, now)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
    vault.store().audit().append(
        AuditEvent::new(actor.clone(), "demo.backup", Outcome::Ok)
            .detail(format!("backup={}", manifest.backup_id)),
    )?;
    Ok(created)
}

fn add_staff(vault: &Vault, actor: &Actor) -> Result<(), StoreError> {
    let mut writes = WriteSet::new();
    let now = (vault.store().options().clock)().timestamp();
    for (name, role, password) in USERS {
        let existing = vault.user_by_name(name)?;
        let user = User {
            id: existing
                .as_ref()
                .map(|u| u.id)
                .unwrap_or_else(UserId::random),
            name: name.into(),
            role,
            disabled: false,
            totp_secret: Some(TotpSecret(totp_secret(name))),
            totp_confirmed: true,
            totp_last_step: None,
            recovery_codes: Vec::new(),
            must_change_password: false,
            created_unix: now,
            last_sign_on_unix: None,
            language: None,
        };
        if existing.is_some() {
            vault.stage_user_update(&mut writes, &user)?;
        } else {
            vault.stage_user(&mut writes, &user, password.as_bytes())?;
        }
    }
    let event = AuditEvent::new(actor.clone(), "demo.staff", Outcome::Ok)
        .detail("demo users with known passwords and TOTP secrets");
    vault.commit(event, writes)?;
    Ok(())
}

/// Results from a lab for people the clinic does not know: the review list's content.
/// Three patients' requests over their information in the privacy officer's log: one
/// just received, one answered, one past its due date.
fn add_rights_requests(
    vault: &Vault,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    use crate::domain::rights_request::{
        RightAnswer, RightKind, RightOutcome, RightsRequest, due_date,
    };
    let requests = [
        (
            3,
            RightKind::Copy,
            3,
            "A copy of the last three years' results 近三年检验结果复印件",
            None,
        ),
        (
            4,
            RightKind::Explanation,
            20,
            "Why the diabetes risk is high 糖尿病风险为何为高",
            Some((
                RightOutcome::Granted,
                12,
                "Explained the FINDRISC score and its evidence at the desk 已当面解释评分依据",
            )),
        ),
        (
            5,
            RightKind::Correction,
            30,
            "Allergy to latex is wrong 乳胶过敏记录有误",
            None,
        ),
    ];
    let mut writes = WriteSet::new();
    let mut subjects = Vec::new();
    for (serial, kind, days_ago, asked, answer) in requests {
        let number =
            crate::domain::record_number::compose(&demo_area(0), serial).unwrap_or_default();
        let Some(patient) = vault
            .find(crate::crypto::IndexKind::RecordNumber, &number)?
            .first()
            .copied()
        else {
            continue;
        };
        let received_on = today - chrono::Days::new(days_ago);
        let id = vault.store().generate_id()?;
        let request = RightsRequest {
            id,
            patient,
            kind,
            received_on,
            due_on: due_date(received_on, 15),
            asked: asked.to_string(),
            recorded_by: USERS[6].0.to_string(),
            answer: answer.map(|(outcome, after, note)| RightAnswer {
                on: received_on + chrono::Days::new(after),
                outcome,
                note: note.to_string(),
                by: USERS[6].0.to_string(),
            }),
        };
        let key = crate::store::rights::rights_key(&patient, id);
        vault.stage_put(
            &mut writes,
            crate::store::Scope::Patient(patient),
            &key,
            &request,
        )?;
        subjects.push(patient.to_string());
    }
    let mut event = AuditEvent::new(actor.clone(), "demo.rights", Outcome::Ok)
        .detail(format!("count={}", subjects.len()));
    event.subjects = subjects;
    vault.commit(event, writes)?;
    Ok(())
}

fn add_review_items(vault: &Vault, actor: &Actor) -> Result<(), StoreError> {
    let parsed = crate::ingest::hl7::parse(results::UNMATCHED_LAB, "city-lab-2026-11.hl7");
    let mut writes = WriteSet::new();
    for incoming in &parsed.incoming {
        let token = vault.review_token(incoming);
        vault.stage_review(&mut writes, token, incoming)?;
    }
    let event = AuditEvent::new(actor.clone(), "demo.review", Outcome::Ok)
        .detail(format!("count={}", parsed.incoming.len()));
    vault.commit(event, writes)?;
    Ok(())
}

/// How many demo patients get ten years of results (the rest have none, as new
/// members do).
const RESULTS_PATIENTS: usize = 300;

/// The demo clinic's area: Beijing, 朝阳区 (110105), 建外街道 (001), the `n`-th 村居
/// after the first.
fn demo_area(n: usize) -> String {
    format!("110105001{:03}", 1 + n % 999)
}

fn add_patients(
    vault: &Vault,
    actor: &Actor,
    count: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, StoreError> {
    const BATCH: usize = 1000;
    let mut generator = Generator::new(2026);
    let cards = crate::clinic::admin::settings::CardSettings::default();
    let today = clinic_today(vault);
    let mut created = 0;
    while created < count {
        let n = BATCH.min(count - created);
        let mut writes = WriteSet::new();
        for i in 0..n {
            let mut patient = generator.patient();
            // One in 500 is a member of staff: restricted, opened only by break-glass.
            patient.restricted = (created + i) % 500 == 7;
            // A third have a health record; one in ten of those a history of amendments.
            let mut record = None;
            let mut history = Vec::new();
            if (created + i) % 3 == 0 {
                let health = generator.health(&patient, today);
                // Registered a month before the demo's today, the record written then.
                let now = (vault.store().options().clock)().timestamp();
                history = health::at_registration(&health, now - 86_400 * 30);
                if (created + i) % 30 == 0 {
                    let (amendments, amended, after) = health::amendments(&patient, &health, now);
                    history.extend(amendments);
                    patient = amended;
                    record = Some(after);
                } else {
                    record = Some(health);
                }
            }
            // 99999 records fill a 村居's numbers; a large demo goes on to the next.
            let area = demo_area((created + i) / crate::domain::record_number::MAX_SERIAL as usize);
            let serial = vault.next_record_serial(&area)?;
            patient.record_number = crate::domain::record_number::compose(&area, serial);
            let id = vault.stage_create_patient(&mut writes, &patient)?;
            if let Some(record) = &record {
                vault.stage_health(&mut writes, &id, record)?;
            }
            for amendment in &history {
                vault.stage_amendment(&mut writes, &id, amendment)?;
            }
            // The first patients have ten years of yearly checks to follow as trends.
            if created + i < RESULTS_PATIENTS {
                let mut observations = generator.results(&patient, today);
                let mut responses = Vec::new();
                // And, for some, the screening questionnaires of their last check.
                if (created + i) % 4 == 1 {
                    let at = (vault.store().options().clock)().timestamp() - 86_400 * 30;
                    for key in ["phq9", "gad7", "findrisc"] {
                        if let Some((response, scores)) =
                            results::questionnaire(&mut generator, key, at)
                        {
                            responses.push(response);
                            observations.extend(scores);
                        }
                    }
                }
                for observation in &observations {
                    let key = vault.result_key(&id, observation);
                    vault.stage_observation(&mut writes, &id, key, observation)?;
                }
                for response in &responses {
                    vault.stage_questionnaire_response(&mut writes, &id, response)?;
                }
                let record = record.clone().unwrap_or_default();
                let now = (vault.store().options().clock)().timestamp();
                let chart = management::Chart {
                    id: &id,
                    patient: &patient,
                    record: &record,
                    observations: &observations,
                    questionnaires: &responses,
                };
                let care = management::Care {
                    advised: (created + i) % 10 == 1,
                    // One in three has a plan: every screen has content at once.
                    planned: (created + i) % 3 == 0,
                    signed: (created + i) % 6 == 0,
                    index: created + i,
                };
                management::stage(vault, &mut writes, &chart, care, (today, now))?;
                exams::stage(
                    vault,
                    &mut writes,
                    (
                        &id,
                        patient.sex,
                        patient.birth_date.and_then(|b| today.years_since(b)),
                    ),
                    &observations,
                    (today, now),
                    created + i,
                )?;
            }
            if created + i < 30 {
                stage_demo_booking(vault, &mut writes, id, created + i, today)?;
            }
            let (card_type, months) =
                [("basic", 12), ("silver", 24), ("gold", 36)][(created + i) % 3];
            let number = card_number(
                &cards.prefix,
                vault.next_card_serial()?,
                usize::from(cards.serial_digits),
            )
            .ok_or_else(|| StoreError::Invalid("the card prefix must be digits".into()))?;
            let issued = today - chrono::Days::new(((created + i) % 300) as u64);
            vault.stage_card(
                &mut writes,
                &id,
                &Card::new(number, card_type, months, issued),
                true,
            )?;
            if (created + i) % 3 != 2 {
                let now = (vault.store().options().clock)().timestamp();
                let consent = demo_consent((created + i) as i64, issued, now);
                vault.stage_put(
                    &mut writes,
                    crate::store::Scope::Patient(id),
                    &id.0,
                    &consent,
                )?;
            }
        }
        let event = AuditEvent::new(actor.clone(), "demo.patients", Outcome::Ok)
            .detail(format!("count={n}"));
        vault.commit(event, writes)?;
        created += n;
        progress(created);
    }
    Ok(created)
}

/// Today's and tomorrow's exam bookings for the first patients, in every state.
fn stage_demo_booking(
    vault: &Vault,
    writes: &mut WriteSet,
    patient: crate::domain::patient::PatientId,
    n: usize,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    use crate::domain::booking::{Booking, BookingEvent, BookingStatus};
    let (date, status) = match n % 5 {
        0 => (today, BookingStatus::CheckedIn),
        1 => (today, BookingStatus::Booked),
        2 => (today, BookingStatus::NoShow),
        _ => (today + chrono::Days::new(1), BookingStatus::Booked),
    };
    let booking = Booking {
        id: vault.next_id()?,
        patient,
        package: ["basic", "cardio", "senior"][n % 3].into(),
        date,
        status,
        history: vec![BookingEvent {
            at: 0,
            by: USERS[1].0.into(),
            what: status.as_str().into(),
        }],
    };
    vault.stage_booking(writes, &booking, None)
}

/// Consent as a front desk records it at registration: phone and SMS for care, and
/// for some patients health education; marketing refused by a few.
fn demo_consent(n: i64, day: chrono::NaiveDate, now: i64) -> ConsentRecord {
    // At the desk at 9:30 on the day the card was issued, by the clinic's clock; a card
    // issued today before 9:30 had its consent taken just now.
    let at = day
        .and_hms_opt(9, 30, 0)
        .and_then(|t| {
            crate::domain::time::ClinicZone::parse(TIME_ZONE)
                .ok()?
                .from_local(t)
        })
        .unwrap_or(0)
        .min(now);
    let entry = |channel, purpose, decision, method| ConsentEntry {
        channel,
        purpose,
        decision,
        method,
        at,
        recorded_by: USERS[1].0.to_string(),
    };
    let mut entries = vec![
        entry(
            Channel::Phone,
            Purpose::Care,
            Decision::Granted,
            Method::SignedForm,
        ),
        entry(
            Channel::Sms,
            Purpose::Care,
            Decision::Granted,
            Method::SignedForm,
        ),
    ];
    if n % 2 == 0 {
        entries.push(entry(
            Channel::Email,
            Purpose::Education,
            Decision::Granted,
            Method::Verbal,
        ));
    }
    if n % 4 == 1 {
        entries.push(entry(
            Channel::WeChat,
            Purpose::Education,
            Decision::Granted,
            Method::Verbal,
        ));
    }
    if n % 5 == 0 {
        entries.push(entry(
            Channel::Phone,
            Purpose::Marketing,
            Decision::Refused,
            Method::Verbal,
        ));
    }
    // The separate PIPL consents, signed with the notice at registration: to process
    // health information by all but one in ten (whose consent the desk must still
    // ask), to provide it to others (a referral hospital) by every third.
    let separate = |scope, decision| ProcessingEntry {
        scope,
        decision,
        method: Method::SignedForm,
        notice_version: crate::clinic::desk::notice::BUILT_IN_VERSION.into(),
        at,
        recorded_by: USERS[1].0.to_string(),
        guardian: None,
    };
    let mut processing = Vec::new();
    if n % 10 != 9 {
        processing.push(separate(Processing::HealthData, Decision::Granted));
    }
    if n % 3 == 0 {
        processing.push(separate(Processing::ProvideToOthers, Decision::Granted));
    }
    ConsentRecord {
        entries,
        processing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_pass_the_password_rules() {
        for (name, _, password) in USERS {
            crate::auth::password::check_new_password(password, name).unwrap();
        }
    }

    #[test]
    fn codes_are_six_digits() {
        let (code, left) = current_code("admin", 1_900_000_000);
        assert_eq!(code.len(), 6);
        assert!((1..=30).contains(&left));
    }
}
