//! Results: importing parsed messages (matching each to a patient by card number, ID
//! number or a recorded external number; the rest to the review list), manual entry,
//! reading, and the review list's match / create / reject.

use std::collections::{HashMap, HashSet};

use super::api::{Response, ResultsSummary, ReviewItem, ServiceError};
use super::patients::readable;
use super::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::observation::{LOINC, Observation, Source, SourceKind};
use crate::domain::patient::{Patient, PatientId};
use crate::ingest::{Incoming, loinc_valid};
use crate::store::writes::WriteSet;

/// The patients the sender's identifiers name: one is a match; none may be created;
/// several are for staff to sort out on the review list.
fn match_patient(ctx: &Ctx<'_>, ids: &[String]) -> Result<Vec<PatientId>, ServiceError> {
    let mut found: Vec<PatientId> = Vec::new();
    for value in ids {
        let mut candidates = Vec::new();
        if value.chars().filter(char::is_ascii_digit).count() >= 8
            && let Some((id, _)) = ctx.vault.card_by_number(value)?
        {
            candidates.push(id);
        }
        candidates.extend(ctx.vault.find(IndexKind::IdNumber, value)?);
        candidates.extend(ctx.vault.find(IndexKind::ExternalId, value)?);
        for id in candidates {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    Ok(found)
}

/// Stages a message's results for a patient; returns (stored, duplicates).
fn stage_results(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    id: &PatientId,
    observations: &[Observation],
    seen: &mut HashSet<Vec<u8>>,
) -> Result<(u64, u64), ServiceError> {
    let (mut stored, mut duplicates) = (0, 0);
    for observation in observations {
        let token = ctx.vault.result_key(id, observation);
        if seen.contains(&token) || ctx.vault.has_result(&token)? {
            duplicates += 1;
            continue;
        }
        seen.insert(token.clone());
        ctx.vault
            .stage_observation(writes, id, token, observation)?;
        stored += 1;
    }
    Ok((stored, duplicates))
}

fn create_from_message(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    incoming: &Incoming,
) -> Result<Option<(PatientId, Patient)>, ServiceError> {
    let Some(patient) = incoming
        .patient
        .as_ref()
        .filter(|p| !p.name.trim().is_empty())
    else {
        return Ok(None);
    };
    let id = ctx.vault.stage_create_patient(writes, patient)?;
    ctx.vault
        .stage_external_ids(writes, &id, &incoming.patient_ids)?;
    Ok(Some((id, patient.clone())))
}

pub(crate) fn import(
    ctx: &Ctx<'_>,
    incoming: &[Incoming],
    rejected: u64,
    create_patients: bool,
) -> Result<Reply, ServiceError> {
    let mut writes = WriteSet::new();
    let mut summary = ResultsSummary {
        messages: incoming.len() as u64,
        rejected,
        ..ResultsSummary::default()
    };
    let mut seen = HashSet::new();
    let mut subjects: Vec<PatientId> = Vec::new();
    // Patients created in this batch, by the identifiers their messages carried.
    let mut created: HashMap<String, PatientId> = HashMap::new();
    let mut reindex = Vec::new();
    let matches: Vec<Vec<PatientId>> = incoming
        .iter()
        .map(|m| match_patient(ctx, &m.patient_ids))
        .collect::<Result<_, _>>()?;
    // First the new patients (so a message naming one matches whatever its place in
    // the file), then every message's results.
    if create_patients {
        for (message, found) in incoming.iter().zip(&matches) {
            let known = message.patient_ids.iter().any(|i| created.contains_key(i));
            if found.is_empty()
                && !known
                && let Some((id, p)) = create_from_message(ctx, &mut writes, message)?
            {
                for number in &message.patient_ids {
                    created.insert(number.clone(), id);
                }
                reindex.push((id, p));
                summary.created += 1;
            }
        }
    }
    for (message, found) in incoming.iter().zip(&matches) {
        let patient = match found.len() {
            1 => Some(found[0]),
            0 => message
                .patient_ids
                .iter()
                .find_map(|i| created.get(i).copied()),
            // Identifiers naming two patients are for staff to sort out.
            _ => None,
        };
        match patient {
            Some(id) => {
                let (stored, duplicates) =
                    stage_results(ctx, &mut writes, &id, &message.observations, &mut seen)?;
                summary.imported += stored;
                summary.duplicates += duplicates;
                if !subjects.contains(&id) {
                    subjects.push(id);
                }
            }
            None => {
                let token = ctx.vault.review_token(message);
                if seen.contains(&token) || ctx.vault.has_review(&token)? {
                    summary.duplicates += message.observations.len() as u64;
                } else {
                    seen.insert(token.clone());
                    ctx.vault.stage_review(&mut writes, token, message)?;
                    summary.unmatched += 1;
                }
            }
        }
    }
    let detail = format!(
        "messages={} imported={} duplicates={} unmatched={} rejected={} created={}",
        summary.messages,
        summary.imported,
        summary.duplicates,
        summary.unmatched,
        summary.rejected,
        summary.created
    );
    let mut reply = Reply::new(Response::ResultsImported(summary))
        .writes(writes)
        .detail(detail);
    for id in subjects {
        reply = reply.subject(id.to_string());
    }
    if !reindex.is_empty() {
        reply = reply.effect(Effect::ReindexMany(reindex));
    }
    Ok(reply)
}

pub(crate) fn list(
    ctx: &Ctx<'_>,
    id: &PatientId,
    code: Option<&str>,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let observations: Vec<Observation> = ctx
        .vault
        .observations(id)?
        .into_iter()
        .filter(|o| code.is_none_or(|c| o.code == c))
        .collect();
    let detail = format!("count={}", observations.len());
    Ok(Reply::new(Response::Observations(observations))
        .subject(id.to_string())
        .detail(detail))
}

/// A result typed in the chart: checked, attributed to the user, deduplicated.
pub(crate) fn add(
    ctx: &Ctx<'_>,
    id: &PatientId,
    observation: &Observation,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let field = |field: &str, message: String| ServiceError::Field {
        field: field.into(),
        message,
    };
    if observation.code.trim().is_empty() {
        return Err(field(
            "code",
            "choose the indicator or type its LOINC code".into(),
        ));
    }
    if observation.system == LOINC && !loinc_valid(&observation.code) {
        return Err(field(
            "code",
            format!(
                "{} is not a valid LOINC code (check digit)",
                observation.code
            ),
        ));
    }
    if observation.taken_at > ctx.now + 3600 {
        return Err(field(
            "taken_at",
            "the time is in the future: check the date".into(),
        ));
    }
    let mut observation = observation.clone();
    observation.source = Source {
        kind: SourceKind::Manual,
        reference: ctx.session.user.clone(),
    };
    let mut writes = WriteSet::new();
    let (stored, _) = stage_results(ctx, &mut writes, id, &[observation], &mut HashSet::new())?;
    if stored == 0 {
        return Err(ServiceError::Conflict(
            "this result (same indicator, time and value) is already recorded".into(),
        ));
    }
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail("manual"))
}

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
        })
        .collect();
    let detail = format!("count={}", items.len());
    Ok(Reply::new(Response::Review(items)).detail(detail))
}

fn review_item(ctx: &Ctx<'_>, number: u64) -> Result<Incoming, ServiceError> {
    ctx.vault
        .review_item(number)?
        .ok_or_else(|| ServiceError::NotFound("review item (someone may have handled it)".into()))
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
    ctx.vault.stage_review_done(&mut writes, number)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("matched imported={stored} duplicates={duplicates}")))
}

pub(crate) fn review_create(ctx: &Ctx<'_>, number: u64) -> Result<Reply, ServiceError> {
    let incoming = review_item(ctx, number)?;
    let mut writes = WriteSet::new();
    let Some((id, patient)) = create_from_message(ctx, &mut writes, &incoming)? else {
        return Err(ServiceError::Invalid(
            "the message names no patient to create: match it to a patient or reject it".into(),
        ));
    };
    let (stored, _) = stage_results(
        ctx,
        &mut writes,
        &id,
        &incoming.observations,
        &mut HashSet::new(),
    )?;
    ctx.vault.stage_review_done(&mut writes, number)?;
    Ok(Reply::new(Response::PatientCreated { id })
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
            message: "say why these results are rejected (e.g. \"not a patient of this clinic\")"
                .into(),
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
