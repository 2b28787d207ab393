//! Retention (PIPL 第19、47条): records past `[retention] record_years` since the
//! patient's last activity are listed for the 个人信息保护负责人, who puts each in the
//! stored-only state (kept and secured, never added to or worked on; their follow-ups
//! closed) or has it erased (two people, as any erasure); call recordings past
//! `[retention] recording_years` are deleted by the daemon's scheduler, a day at a time.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::clinic::api::{PatientRef, Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::patient::PatientId;
use crate::domain::retention::{Restriction, RestrictionBasis, expires_on};
use crate::store::meta::META_TREE;
use crate::store::writes::WriteSet;
use crate::text;

/// How long each kind of record is kept, in years; 0 keeps it (the 规范 keeps a
/// resident's health record for good).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// A patient's whole record, after their last activity (a result, a call, a change
    /// to the record, a consent): 15 for 门诊病历 (医疗机构病历管理规定 第29条).
    pub record_years: u32,
    /// A follow-up call's recording, after the call.
    pub recording_years: u32,
}

/// A record past its retention, as the privacy officer's review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRow {
    pub patient: PatientId,
    pub name: String,
    pub record_number: Option<String>,
    pub last_activity: NaiveDate,
    pub expired_on: NaiveDate,
    /// Already in the stored-only state.
    pub stored_only: bool,
}

/// The day of the patient's last activity: their latest result, call, change to the
/// record or consent decision; `None` for a record with none of them.
fn last_activity(ctx: &Ctx<'_>, id: &PatientId) -> Result<Option<NaiveDate>, ServiceError> {
    let mut latest: Option<i64> = None;
    let mut seen = |at: i64| latest = Some(latest.map_or(at, |l| l.max(at)));
    ctx.vault
        .observations(id)?
        .iter()
        .for_each(|o| seen(o.taken_at));
    ctx.vault.calls(id)?.iter().for_each(|c| seen(c.at));
    ctx.vault.amendments(id)?.iter().for_each(|a| seen(a.at));
    let consent = crate::clinic::desk::consent::record(ctx.vault, id)?;
    consent.entries.iter().for_each(|e| seen(e.at));
    consent.processing.iter().for_each(|e| seen(e.at));
    let zone = crate::domain::time::clinic_zone();
    Ok(latest.map(|at| zone.local(at).date()))
}

/// The records past `[retention] record_years`, oldest activity first, at most
/// `limit`. Reads every record: the privacy officer's review, not a screen's list.
pub(crate) fn review(ctx: &Ctx<'_>, limit: u32) -> Result<Reply, ServiceError> {
    let years = ctx.clinic.settings().retention.record_years;
    if years == 0 {
        return Err(ServiceError::Invalid(text!("msg.retention.kept")));
    }
    let today = today(ctx);
    let mut rows = Vec::new();
    for id in ctx.vault.patient_ids()? {
        let Some(last) = last_activity(ctx, &id)? else {
            continue;
        };
        let expired_on = expires_on(last, years);
        if expired_on > today {
            continue;
        }
        let patient = ctx.vault.patient(&id)?;
        rows.push(RetentionRow {
            patient: id,
            name: patient.name,
            record_number: patient.record_number,
            last_activity: last,
            expired_on,
            stored_only: ctx.vault.restriction(&id)?.is_some(),
        });
    }
    rows.sort_by_key(|r| (r.last_activity, r.patient.0));
    let total = rows.len();
    rows.truncate(limit as usize);
    Ok(Reply::new(Response::RetentionDue(rows)).detail(format!("past_retention={total}")))
}

/// Puts a record past its retention in the stored-only state and closes its
/// follow-ups. Refused for a record still within its time.
pub(crate) fn restrict(ctx: &Ctx<'_>, patient: &PatientRef) -> Result<Reply, ServiceError> {
    let id = match patient {
        PatientRef::Id(id) => *id,
        PatientRef::Key(key) => crate::clinic::export::access::resolve(ctx, key.trim())?,
    };
    ctx.vault.patient(&id)?;
    let years = ctx.clinic.settings().retention.record_years;
    if years == 0 {
        return Err(ServiceError::Invalid(text!("msg.retention.kept")));
    }
    if ctx.vault.restriction(&id)?.is_some() {
        return Err(ServiceError::Conflict(text!("msg.retention.already")));
    }
    let today = today(ctx);
    let last = last_activity(ctx, &id)?.unwrap_or(today);
    let expired_on = expires_on(last, years);
    if expired_on > today {
        return Err(ServiceError::Conflict(text!(
            "msg.retention.not_yet",
            last = last,
            until = expired_on
        )));
    }
    let mut writes = WriteSet::new();
    ctx.vault.stage_restriction(
        &mut writes,
        &id,
        &Restriction {
            since: ctx.now,
            by: ctx.session.user.clone(),
            basis: RestrictionBasis::RetentionExpired,
            last_activity: last,
        },
    )?;
    let closed = crate::clinic::desk::consent::close_plans(ctx, &mut writes, &id)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!(
            "stored only: last activity {last}, retention {years} years ended {expired_on}; follow-ups closed={}",
            closed.len()
        ))
        .effect(Effect::FollowUps(closed)))
}

/// Refuses to add to or work on a record in the stored-only state.
pub(crate) fn require_not_restricted(ctx: &Ctx<'_>, id: &PatientId) -> Result<(), ServiceError> {
    match ctx.vault.restriction(id)? {
        Some(r) => Err(ServiceError::Conflict(text!(
            "msg.retention.stored_only",
            since = crate::domain::time::clinic_zone().local(r.since).date()
        ))),
        None => Ok(()),
    }
}

/// The meta key of the day recordings were last checked against their retention.
const RECORDINGS_CHECKED_KEY: &[u8] = b"retention_recordings_checked";

/// The scheduler's part: once a day, deletes the recordings older than `[retention]
/// recording_years`. Returns how many went.
pub(crate) fn delete_old_recordings(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
) -> Result<usize, ServiceError> {
    let years = ctx.clinic.settings().retention.recording_years;
    if years == 0 {
        return Ok(0);
    }
    let today = today(ctx);
    let stamp = today.num_days_from_ce().to_be_bytes().to_vec();
    let meta = ctx.vault.store().tree(META_TREE)?;
    let checked = meta
        .get(RECORDINGS_CHECKED_KEY)
        .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
    if checked.as_deref() == Some(&stamp[..]) {
        return Ok(0);
    }
    let zone = crate::domain::time::clinic_zone();
    let mut deleted = 0;
    for id in ctx.vault.patient_ids()? {
        for recording in ctx.vault.recordings_of(&id)? {
            if expires_on(zone.local(recording.call_at).date(), years) <= today {
                ctx.vault.stage_recording_delete(writes, &id, &recording)?;
                deleted += 1;
            }
        }
    }
    writes.put(&meta, RECORDINGS_CHECKED_KEY, stamp);
    Ok(deleted)
}
