//! The demo clinic's alerts: what the rules raised over the last days, some already
//! acknowledged by the auditor with a note, so the alerts screen has content at once.

use chrono::{Duration, NaiveTime};

use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clinic::admin::settings::Settings;
use crate::store::alerts::{Acknowledgement, AlertKind, details};
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

pub(super) fn add_alerts(vault: &Vault, actor: &Actor) -> Result<(), StoreError> {
    let store = vault.store();
    let now = (store.options().clock)().timestamp();
    let hour = 3600;
    let mut writes = WriteSet::new();
    let first_patient = vault.patient_ids()?.into_iter().next();
    let alerts_rules = Settings::default()
        .alerts
        .rules()
        .map_err(StoreError::Invalid)?;

    let many = store.stage_alert_at(
        &mut writes,
        now - 50 * hour,
        AlertKind::ManyPatients,
        vec!["user:chen.jing".into()],
        details::many_patients(58, 50),
    )?;
    let bulk = store.stage_alert_at(
        &mut writes,
        now - 30 * hour,
        AlertKind::BulkExport,
        vec!["user:admin".into()],
        details::bulk_export(12, 10),
    )?;
    // Last night at 22:41 clinic time: outside the default working hours.
    if let Some(working) = &alerts_rules.working {
        let local = working.local(now);
        let at = (local.date_naive() - Duration::days(1))
            .and_time(NaiveTime::from_hms_opt(22, 41, 0).unwrap_or_default())
            .and_local_timezone(*local.offset())
            .single()
            .map(|t| t.timestamp())
            .unwrap_or(now - 12 * hour);
        let mut subjects = vec!["user:dr.zhou".to_string()];
        subjects.extend(first_patient.map(|p| p.to_string()));
        store.stage_alert_at(
            &mut writes,
            at,
            AlertKind::OutsideHours,
            subjects,
            details::outside_hours(
                &working.local(at).format("%a").to_string(),
                &working.local(at).format("%H:%M").to_string(),
                &working.label,
            ),
        )?;
    }
    store.stage_alert_at(
        &mut writes,
        now - 2 * hour,
        AlertKind::AccountLocked,
        vec!["user:wang.li".into()],
        details::account_locked(5, 15),
    )?;
    for (id, at, note) in [
        (
            many,
            now - 48 * hour,
            "Flu vaccination morning: the list was checked with the head nurse.",
        ),
        (
            bulk,
            now - 29 * hour,
            "Records sent to the district hospital for the transfer programme; approved by the director.",
        ),
    ] {
        let ack = Acknowledgement {
            by: "he.audit".into(),
            time_unix: at,
            note: note.into(),
        };
        vault.stage_acknowledgement(&mut writes, &id, &ack)?;
    }
    let event = AuditEvent::new(actor.clone(), "demo.alerts", Outcome::Ok)
        .detail("alerts raised over the last days, two acknowledged");
    vault.commit(event, writes)?;
    Ok(())
}

/// An erasure request waiting for its second person: a member who left the programme
/// and asked for their data to be erased. Never the first member (card serial 1), whose
/// record the demo's access trail and a newcomer's first steps use.
pub(super) fn add_erasure_request(vault: &Vault, actor: &Actor) -> Result<(), StoreError> {
    use crate::clinic::oversight::erasure::ErasureRequest;
    use crate::store::Scope;
    let first = match crate::domain::card::card_number("8860", 1, 8) {
        Some(number) => vault.card_by_number(&number)?.map(|(id, _)| id),
        None => None,
    };
    let Some(patient) = vault
        .patient_ids()?
        .into_iter()
        .rev()
        .find(|id| Some(*id) != first)
    else {
        return Ok(());
    };
    let id = vault.store().generate_id()?;
    let request = ErasureRequest {
        id,
        patient,
        requested_by: "sun.hm".into(),
        requested_unix: (vault.store().options().clock)().timestamp() - 3 * 3600,
        reason: "member left the programme and withdrew consent (PIPL art. 47); no retention duty applies"
            .into(),
    };
    let mut writes = WriteSet::new();
    vault.stage_put(&mut writes, Scope::Clinic, &id.to_be_bytes(), &request)?;
    let event = AuditEvent::new(actor.clone(), "demo.erasure_request", Outcome::Ok)
        .subject(patient.to_string())
        .subject(format!("erasure:{id}"));
    vault.commit(event, writes)?;
    Ok(())
}

/// The first member's trail in the audit log, so "who looked at a patient" and the
/// accounting of disclosures have content: the desk registered and read them, the
/// doctor read the record and printed a report for them, the admin exported their
/// record at their request.
pub(super) fn add_access_trail(vault: &Vault, actor: &Actor) -> Result<(), StoreError> {
    let Some(number) = crate::domain::card::card_number("8860", 1, 8) else {
        return Ok(());
    };
    let Some((patient, _)) = vault.card_by_number(&number)? else {
        return Ok(());
    };
    let staff = |user: &str, role: &str| Actor {
        user: Some(user.into()),
        role: Some(role.into()),
        session: Some("demo".into()),
        ..actor.clone()
    };
    let trail = [
        (staff("wang.li", "front_desk"), "patient.read", None),
        (staff("dr.zhou", "doctor"), "health.read", None),
        (staff("dr.zhou", "doctor"), "results.read", None),
        (
            staff("dr.zhou", "doctor"),
            "report.print",
            Some("disclosure: health report to printer=front-desk"),
        ),
        (
            staff("admin", "admin"),
            "patient.export",
            Some("disclosure: the whole record"),
        ),
    ];
    let events = trail
        .into_iter()
        .map(|(who, action, detail)| {
            let event = AuditEvent::new(who, action, Outcome::Ok).subject(patient.to_string());
            match detail {
                Some(d) => event.detail(d),
                None => event,
            }
        })
        .collect();
    vault.commit_all(events, WriteSet::new())?;
    Ok(())
}
