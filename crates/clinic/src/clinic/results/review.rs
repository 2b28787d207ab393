//! The review list of results that matched no patient (or held results that could
//! not be read): listing it, and filing an item under a patient, creating the patient
//! it names, or closing it with a reason.

use crate::clinic::api::PatientCreated;
use crate::text;
use std::collections::HashSet;

use super::import::{create_from_message, stage_results};
use super::record_merge::{WorkingRecords, merge_into_record, stage_record_changes};
use crate::clinic::api::{Response, ReviewItem, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::patient::PatientId;
use crate::ingest::Incoming;
use crate::store::writes::WriteSet;

pub(crate) fn review_list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let items: Vec<ReviewItem> = ctx
        .vault
        .review_items()?
        .into_iter()
        .map(|(number, incoming)| ReviewItem {
            number,
            origin: incoming.origin.clone(),
            patient_ids: incoming.patient_ids.clone(),
            patient: incoming.patient.clone(),
            results: incoming.observations.len() as u64,
            unread: incoming.unread.iter().map(unread_line).collect(),
            filed_under: incoming.filed_under,
        })
        .collect();
    let detail = format!("count={}", items.len());
    Ok(Reply::new(Response::Review(items)).detail(detail))
}

/// One unread result as the review list shows it: where in the message, and why.
fn unread_line(r: &crate::ingest::Rejected) -> crate::i18n::Text {
    r.place_text()
}

fn review_item(ctx: &Ctx<'_>, number: u64) -> Result<Incoming, ServiceError> {
    ctx.vault
        .review_item(number)?
        .ok_or_else(|| ServiceError::NotFound("review item (someone may have handled it)".into()))
}

/// A review item whose readable results are filed already has only its unread ones
/// left: they are closed (d, with a note), not filed again.
fn refuse_filed(incoming: &Incoming) -> Result<(), ServiceError> {
    if incoming.filed_under.is_some() {
        return Err(ServiceError::Invalid(text!("msg.review.already_filed")));
    }
    Ok(())
}

/// After a review item's results were filed under `id`: done, or, when some of its
/// results could not be read, kept with those alone for the clerk to close.
fn finish_review(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    number: u64,
    incoming: &Incoming,
    id: PatientId,
) -> Result<(), ServiceError> {
    if incoming.unread.is_empty() {
        ctx.vault.stage_review_done(writes, number)?;
    } else {
        let left = Incoming {
            origin: incoming.origin.clone(),
            patient_ids: incoming.patient_ids.clone(),
            patient: incoming.patient.clone(),
            unread: incoming.unread.clone(),
            filed_under: Some(id),
            ..Incoming::default()
        };
        ctx.vault.stage_review_update(writes, number, &left)?;
    }
    Ok(())
}

/// Files an unmatched message under a patient (staff know who it is); the sender's
/// numbers are remembered so their next messages match by themselves.
pub(crate) fn review_match(
    ctx: &Ctx<'_>,
    number: u64,
    id: &PatientId,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let incoming = review_item(ctx, number)?;
    refuse_filed(&incoming)?;
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_external_ids(&mut writes, id, &incoming.patient_ids)?;
    let (stored, duplicates) = stage_results(
        ctx,
        &mut writes,
        id,
        &incoming.observations,
        &mut HashSet::new(),
    )?;
    let mut working = WorkingRecords::new();
    merge_into_record(ctx, &mut working, id, &incoming)?;
    stage_record_changes(ctx, &mut writes, &working)?;
    let mut filed = super::fhir_care::Filed::default();
    filed.take(ctx, id, &incoming)?;
    filed.stage(ctx, &mut writes)?;
    finish_review(ctx, &mut writes, number, &incoming, *id)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("matched imported={stored} duplicates={duplicates}")))
}

pub(crate) fn review_create(ctx: &Ctx<'_>, number: u64) -> Result<Reply, ServiceError> {
    let incoming = review_item(ctx, number)?;
    refuse_filed(&incoming)?;
    let mut writes = WriteSet::new();
    let Some((id, patient)) = create_from_message(ctx, &mut writes, &incoming)? else {
        return Err(ServiceError::Invalid(text!("msg.review.no_patient")));
    };
    let (stored, _) = stage_results(
        ctx,
        &mut writes,
        &id,
        &incoming.observations,
        &mut HashSet::new(),
    )?;
    let mut working = WorkingRecords::new();
    working.insert(id, (Default::default(), Vec::new()));
    merge_into_record(ctx, &mut working, &id, &incoming)?;
    stage_record_changes(ctx, &mut writes, &working)?;
    let mut filed = super::fhir_care::Filed::default();
    filed.take(ctx, &id, &incoming)?;
    filed.stage(ctx, &mut writes)?;
    finish_review(ctx, &mut writes, number, &incoming, id)?;
    Ok(Reply::new(Response::PatientCreated(PatientCreated { id }))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("created imported={stored}"))
        .effect(Effect::Reindex(id, Box::new(patient))))
}

pub(crate) fn review_reject(
    ctx: &Ctx<'_>,
    number: u64,
    reason: &str,
) -> Result<Reply, ServiceError> {
    if reason.trim().chars().count() < 4 {
        return Err(ServiceError::Field {
            field: "reason".into(),
            message: text!("msg.review.reject_reason"),
        });
    }
    let incoming = review_item(ctx, number)?;
    let mut writes = WriteSet::new();
    ctx.vault.stage_review_done(&mut writes, number)?;
    ctx.vault.stage_rejected_review(
        &mut writes,
        &crate::store::results::RejectedReview {
            incoming,
            reason: reason.trim().to_string(),
            by: ctx.session.user.clone(),
            at: ctx.now,
        },
    )?;
    Ok(Reply::new(Response::Done).writes(writes).detail("rejected"))
}
