//! The log of patients' requests over their information (PIPL 第50条), kept by the
//! 个人信息保护负责人: each request with its kind, the day it came in, the day its
//! answer is due (`[privacy] answer_working_days` working days later) and the answer.
//! Sealed under the patient's own key, so an erasure takes the request's text with
//! the rest; the audit log keeps that it was made and answered.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clinic::api::{PatientRef, Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::rights_request::{
    RightAnswer, RightKind, RightOutcome, RightsRequest, due_date,
};
use crate::store::Scope;
use crate::store::rights::{RIGHTS_TREE, rights_key as key};
use crate::store::writes::WriteSet;
use crate::text;

/// Longest text taken down for a request or an answer.
const MAX_NOTE_CHARS: usize = 500;

/// A request as the log lists it: with the patient's name and whether it is late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRequestRow {
    pub request: RightsRequest,
    pub patient_name: String,
    pub overdue: bool,
}

fn checked_note(field: &str, note: &str) -> Result<String, ServiceError> {
    let note = note.trim();
    if note.is_empty()
        || note.chars().count() > MAX_NOTE_CHARS
        || !crate::domain::text::is_printable(note)
    {
        return Err(ServiceError::Field {
            field: field.into(),
            message: text!("msg.rights.note", max = MAX_NOTE_CHARS),
        });
    }
    Ok(note.to_string())
}

fn all(ctx: &Ctx<'_>) -> Result<Vec<RightsRequest>, ServiceError> {
    let tree = ctx.vault.store().tree(RIGHTS_TREE)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (key, sealed) =
            item.map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
        let Some(id) = key.get(..16).and_then(|b| b.try_into().ok()).map(PatientId) else {
            continue;
        };
        // An erased patient's requests no longer open: the audit log keeps their trace.
        if let Ok(request) =
            ctx.vault
                .open_sealed::<RightsRequest>(Scope::Patient(id), &key, &sealed)
        {
            out.push(request);
        }
    }
    out.sort_by_key(|r| (r.due_on, r.id));
    Ok(out)
}

/// Days before its due date an open request is counted as due soon on the home screen.
const DUE_SOON_DAYS: u64 = 3;

/// The open requests past their due date, and those due within `DUE_SOON_DAYS`.
pub(crate) fn open_counts(ctx: &Ctx<'_>) -> Result<(u64, u64), ServiceError> {
    let today = crate::clinic::desk::cards::today(ctx);
    let soon = today
        .checked_add_days(chrono::Days::new(DUE_SOON_DAYS))
        .unwrap_or(today);
    let open: Vec<RightsRequest> = all(ctx)?
        .into_iter()
        .filter(|r| r.answer.is_none())
        .collect();
    let late = open.iter().filter(|r| r.overdue(today)).count() as u64;
    let due_soon = open
        .iter()
        .filter(|r| !r.overdue(today) && r.due_on <= soon)
        .count() as u64;
    Ok((late, due_soon))
}

/// The log's next request number (1, 2, 3 …), kept in the store's meta tree so a
/// number is never given twice, an erased patient's included.
const NEXT_NUMBER_KEY: &[u8] = b"rights_request_next_number";

/// The number the next request gets: the kept counter, or (a log begun before the
/// counter) one past the highest number in the log. Requests are logged one at a time
/// (the operation is serial), so two cannot take the same number.
fn next_number(ctx: &Ctx<'_>) -> Result<u64, ServiceError> {
    let failed = |e: &dyn std::fmt::Display| {
        ServiceError::Unavailable(text!("msg.store.failed", detail = e))
    };
    let meta = ctx.vault.store().tree(crate::store::meta::META_TREE)?;
    if let Some(kept) = meta.get(NEXT_NUMBER_KEY).map_err(|e| failed(&e))?
        && let Ok(bytes) = <[u8; 8]>::try_from(kept.as_ref())
    {
        return Ok(u64::from_be_bytes(bytes));
    }
    let tree = ctx.vault.store().tree(RIGHTS_TREE)?;
    let mut highest = 0;
    for item in tree.iter() {
        let (key, _) = item.map_err(|e| failed(&e))?;
        if let Some(bytes) = key.get(16..24).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            highest = highest.max(u64::from_be_bytes(bytes));
        }
    }
    Ok(highest + 1)
}

pub(crate) fn add(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    kind: RightKind,
    received_on: Option<NaiveDate>,
    asked: &str,
) -> Result<Reply, ServiceError> {
    let id = match patient {
        PatientRef::Id(id) => *id,
        PatientRef::Key(key) => crate::clinic::export::access::resolve(ctx, key.trim())?,
    };
    ctx.vault.patient(&id)?;
    let asked = checked_note("asked", asked)?;
    let today = crate::clinic::desk::cards::today(ctx);
    let received_on = received_on.unwrap_or(today);
    if received_on > today {
        return Err(ServiceError::Field {
            field: "received_on".into(),
            message: text!("msg.rights.received_future"),
        });
    }
    let days = ctx.clinic.settings().privacy.answer_working_days;
    let number = next_number(ctx)?;
    let request = RightsRequest {
        id: number,
        patient: id,
        kind,
        received_on,
        due_on: due_date(received_on, days),
        asked,
        recorded_by: ctx.session.user.clone(),
        answer: None,
    };
    let mut writes = WriteSet::new();
    let meta = ctx.vault.store().tree(crate::store::meta::META_TREE)?;
    writes.put(&meta, NEXT_NUMBER_KEY, (number + 1).to_be_bytes().to_vec());
    ctx.vault
        .stage_put(&mut writes, Scope::Patient(id), &key(&id, number), &request)?;
    let detail = format!("right={} due={}", kind.name(), request.due_on);
    Ok(
        Reply::new(Response::RightsRequests(vec![row(ctx, request, today)?]))
            .writes(writes)
            .subject(id.to_string())
            .subject(format!("rights:{number}"))
            .detail(detail),
    )
}

fn row(
    ctx: &Ctx<'_>,
    request: RightsRequest,
    today: NaiveDate,
) -> Result<RightsRequestRow, ServiceError> {
    Ok(RightsRequestRow {
        patient_name: ctx.vault.patient(&request.patient)?.name,
        overdue: request.overdue(today),
        request,
    })
}

pub(crate) fn answer(
    ctx: &Ctx<'_>,
    number: u64,
    outcome: RightOutcome,
    note: &str,
) -> Result<Reply, ServiceError> {
    let mut request = all(ctx)?
        .into_iter()
        .find(|r| r.id == number)
        .ok_or_else(|| ServiceError::NotFound(format!("rights request {number}")))?;
    if request.answer.is_some() {
        return Err(ServiceError::Conflict(text!(
            "msg.rights.answered",
            id = number
        )));
    }
    let note = checked_note("note", note)?;
    let today = crate::clinic::desk::cards::today(ctx);
    request.answer = Some(RightAnswer {
        on: today,
        outcome,
        note,
        by: ctx.session.user.clone(),
    });
    let mut writes = WriteSet::new();
    let patient = request.patient;
    ctx.vault.stage_put(
        &mut writes,
        Scope::Patient(patient),
        &key(&patient, number),
        &request,
    )?;
    let late = if today > request.due_on { " late" } else { "" };
    let detail = format!(
        "right={} outcome={}{late}",
        request.kind.name(),
        outcome.name()
    );
    Ok(
        Reply::new(Response::RightsRequests(vec![row(ctx, request, today)?]))
            .writes(writes)
            .subject(patient.to_string())
            .subject(format!("rights:{number}"))
            .detail(detail),
    )
}

pub(crate) fn list(ctx: &Ctx<'_>, open_only: bool) -> Result<Reply, ServiceError> {
    let today = crate::clinic::desk::cards::today(ctx);
    let mut rows = Vec::new();
    for request in all(ctx)? {
        if open_only && request.answer.is_some() {
            continue;
        }
        rows.push(row(ctx, request, today)?);
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let count = rows.len();
    Ok(Reply::new(Response::RightsRequests(rows))
        .detail(format!("count={count} overdue={overdue}")))
}
