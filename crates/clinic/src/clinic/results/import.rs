//! Results: importing parsed messages (matching each to a patient by card number, ID
//! number or a recorded external number; the rest to the review list), manual entry,
//! reading (the review list is `results_review`). Before anything is
//! matched, times the sender gave without an offset are placed in the clinic's time
//! zone and local lab codes are mapped to LOINC (`DIR/lab_codes.toml`); results a
//! message held but the importer could not read go to the review list with it.

use crate::i18n::Text;
use crate::text;
use std::collections::{HashMap, HashSet};

use super::record_merge::{WorkingRecords, merge_into_record, stage_record_changes};
use crate::clinic::api::{Response, ResultsSummary, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::observation::{LOINC, Observation, Source, SourceKind};
use crate::domain::patient::{Patient, PatientId};
use crate::ingest::{IdKind, Incoming, loinc_valid};
use crate::store::results::PreparedResult;
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Vault};

/// The patients the sender's identifiers name: one is a match; none may be created;
/// several are for staff to sort out on the review list. A number whose system says
/// what it is (a card, caredesk's own patient id) is looked up as that; any other as a
/// card number (when it looks like one), an ID number or a recorded external number.
fn match_patient(
    ctx: &Ctx<'_>,
    identifiers: &[(&str, Option<IdKind>)],
) -> Result<Vec<PatientId>, ServiceError> {
    let mut found: Vec<PatientId> = Vec::new();
    for &(value, kind) in identifiers {
        let mut candidates = Vec::new();
        if (kind == Some(IdKind::Card)
            || (kind.is_none() && value.chars().filter(char::is_ascii_digit).count() >= 8))
            && let Some((id, _)) = ctx.vault.card_by_number(value)?
        {
            candidates.push(id);
        }
        if kind == Some(IdKind::CaredeskPatient)
            && let Some(id) = PatientId::parse(value)
            && ctx.vault.patient(&id).is_ok()
        {
            candidates.push(id);
        }
        candidates.extend(ctx.vault.find(IndexKind::IdNumber, value)?);
        candidates.extend(ctx.vault.find(IndexKind::ExternalId, value)?);
        if crate::domain::record_number::normalise(value).is_some() {
            candidates.extend(ctx.vault.find(IndexKind::RecordNumber, value)?);
        }
        for id in candidates {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    Ok(found)
}

/// A message's patient numbers, each with the kind its sender gave (what
/// `match_patient` looks up).
fn identifiers_of(message: &Incoming) -> Vec<(&str, Option<IdKind>)> {
    message
        .patient_ids
        .iter()
        .map(|value| {
            let kind = message
                .reported
                .identifiers
                .iter()
                .find(|i| i.value == *value)
                .map(|i| i.kind);
            (value.as_str(), kind)
        })
        .collect()
}

/// Stages a message's results for a patient; returns (stored, duplicates).
pub(crate) fn stage_results(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    id: &PatientId,
    observations: &[Observation],
    seen: &mut HashSet<Vec<u8>>,
) -> Result<(u64, u64), ServiceError> {
    let prepared = observations
        .iter()
        .map(|o| ctx.vault.prepare_observation(id, o))
        .collect::<Result<_, _>>()?;
    stage_prepared(ctx, writes, prepared, seen)
}

/// Stages prepared results in order, each result once; returns (stored, duplicates).
fn stage_prepared(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    prepared: Vec<PreparedResult>,
    seen: &mut HashSet<Vec<u8>>,
) -> Result<(u64, u64), ServiceError> {
    let (mut stored, mut duplicates) = (0, 0);
    for PreparedResult { key, sealed } in prepared {
        let Some(sealed) = sealed.filter(|_| !seen.contains(&key)) else {
            duplicates += 1;
            continue;
        };
        seen.insert(key.clone());
        ctx.vault.stage_prepared(writes, key, sealed)?;
        stored += 1;
    }
    Ok((stored, duplicates))
}

/// Below this many results an import prepares them in the request's thread.
const PREPARE_IN_PARALLEL_FROM: usize = 256;

/// Every matched message's results keyed, looked up and sealed (indexed like
/// `patients`; empty for a message without a patient). A large import spreads the
/// messages over the machine's cores: sealing and the lookups are most of an
/// import's work outside the transaction, and each result's is independent.
fn prepare_all(
    vault: &Vault,
    incoming: &[Incoming],
    patients: &[Option<PatientId>],
) -> Result<Vec<Vec<PreparedResult>>, StoreError> {
    let prepare = |(message, patient): (&Incoming, &Option<PatientId>)| match patient {
        Some(id) => message
            .observations
            .iter()
            .map(|o| vault.prepare_observation(id, o))
            .collect(),
        None => Ok(Vec::new()),
    };
    let results: usize = incoming.iter().map(|m| m.observations.len()).sum();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || results < PREPARE_IN_PARALLEL_FROM {
        return incoming.iter().zip(patients).map(prepare).collect();
    }
    let per_thread = incoming.len().div_ceil(threads);
    let prepare_part = |(messages, patients): (&[Incoming], &[Option<PatientId>])| {
        messages
            .iter()
            .zip(patients)
            .map(prepare)
            .collect::<Result<Vec<_>, _>>()
    };
    std::thread::scope(|scope| {
        // A part whose thread cannot be started (a process limit) is prepared here.
        let parts: Vec<_> = incoming
            .chunks(per_thread)
            .zip(patients.chunks(per_thread))
            .map(|part| {
                std::thread::Builder::new()
                    .name("caredesk-import".into())
                    .spawn_scoped(scope, move || prepare_part(part))
                    .map_err(|_| part)
            })
            .collect();
        let mut all = Vec::with_capacity(incoming.len());
        for part in parts {
            let prepared = match part {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(part) => prepare_part(part),
            };
            all.extend(prepared?);
        }
        Ok(all)
    })
}

pub(crate) fn create_from_message(
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
    let mut patient = patient.clone();
    crate::clinic::desk::cards::give_record_number(ctx, writes, &mut patient, true)?;
    let patient = &patient;
    let id = ctx.vault.stage_create_patient(writes, patient)?;
    // The ID number is indexed as such; the sender's other numbers as external ones.
    let numbers: Vec<String> = incoming
        .patient_ids
        .iter()
        .filter(|n| patient.id_number.as_ref() != Some(*n))
        .cloned()
        .collect();
    ctx.vault.stage_external_ids(writes, &id, &numbers)?;
    Ok(Some((id, patient.clone())))
}

/// Messages as the clinic keeps them: times without an offset placed in the clinic's
/// time zone (`[clinic] time_zone`, else `[alerts] utc_offset`, else the server's), local codes the clinic has
/// mapped filed under LOINC, and no claim to be filed already (only the service sets
/// that, on the review list).
fn settle(ctx: &Ctx<'_>, incoming: Vec<Incoming>) -> Result<Vec<Incoming>, ServiceError> {
    let settings = ctx.clinic.settings();
    let lab_codes = super::lab_codes::LabCodes::load(ctx.clinic.dir())
        .map_err(|e| ServiceError::Invalid(Text::verbatim(e)))?;
    Ok(incoming
        .into_iter()
        .map(|mut message| {
            let zone = settings.clinic_zone();
            // The offset at that wall-clock time (daylight saving included).
            message.settle_local_times(|wall| {
                let naive = chrono::DateTime::from_timestamp(wall, 0)
                    .unwrap_or_default()
                    .naive_utc();
                zone.from_local(naive).map(|at| wall - at).unwrap_or(0)
            });
            message.filed_under = None;
            for observation in &mut message.observations {
                lab_codes.apply(observation);
            }
            message
        })
        .collect())
}

/// Puts a message's unread results on the review list under the patient its readable
/// results were filed under (what the clerk asks the lab about); false when the same
/// were listed before.
fn review_unread(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    seen: &mut HashSet<Vec<u8>>,
    message: &Incoming,
    id: PatientId,
) -> Result<bool, ServiceError> {
    let item = Incoming {
        origin: message.origin.clone(),
        patient_ids: message.patient_ids.clone(),
        patient: message.patient.clone(),
        unread: message.unread.clone(),
        filed_under: Some(id),
        ..Incoming::default()
    };
    let token = ctx.vault.review_token(&item);
    if seen.contains(&token) || ctx.vault.has_review(&token)? {
        return Ok(false);
    }
    seen.insert(token.clone());
    ctx.vault.stage_review(writes, token, &item)?;
    Ok(true)
}

pub(crate) fn import(
    ctx: &Ctx<'_>,
    incoming: Vec<Incoming>,
    rejected: u64,
    create_patients: bool,
) -> Result<Reply, ServiceError> {
    let incoming = &settle(ctx, incoming)?[..];
    let mut writes = WriteSet::new();
    let mut summary = ResultsSummary {
        messages: incoming.len() as u64,
        rejected,
        unread: incoming.iter().map(|m| m.unread.len() as u64).sum(),
        ..ResultsSummary::default()
    };
    let mut seen = HashSet::new();
    let mut subjects: Vec<PatientId> = Vec::new();
    // Patients created in this batch, by the identifiers their messages carried.
    let mut created: HashMap<String, PatientId> = HashMap::new();
    let mut reindex = Vec::new();
    let mut working = WorkingRecords::new();
    let mut filed = super::fhir_care::Filed::default();
    // A lab's file names the same patients again and again: each set of numbers is
    // looked up once (nothing is created before every message is matched).
    let mut matched: HashMap<Vec<(&str, Option<IdKind>)>, Vec<PatientId>> = HashMap::new();
    let mut matches: Vec<Vec<PatientId>> = Vec::with_capacity(incoming.len());
    for message in incoming {
        let numbers = identifiers_of(message);
        let found = match matched.get(&numbers) {
            Some(found) => found.clone(),
            None => {
                let found = match_patient(ctx, &numbers)?;
                matched.insert(numbers, found.clone());
                found
            }
        };
        matches.push(found);
    }
    // First the new patients (so a message naming one matches whatever its place in
    // the file), then every message's results.
    if create_patients {
        for (message, found) in incoming.iter().zip(&matches) {
            let known = message.patient_ids.iter().any(|i| created.contains_key(i));
            // A message naming nobody by number is for staff: a name alone never
            // makes or matches a patient.
            if found.is_empty()
                && !message.patient_ids.is_empty()
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
    let patients: Vec<Option<PatientId>> = incoming
        .iter()
        .zip(&matches)
        .map(|(message, found)| match found.len() {
            1 => Some(found[0]),
            0 => message
                .patient_ids
                .iter()
                .find_map(|i| created.get(i).copied()),
            // Identifiers naming two patients are for staff to sort out.
            _ => None,
        })
        .collect();
    let prepared = prepare_all(ctx.vault, incoming, &patients)?;
    for ((message, patient), prepared) in incoming.iter().zip(patients).zip(prepared) {
        match patient {
            Some(id) => {
                let (stored, duplicates) = stage_prepared(ctx, &mut writes, prepared, &mut seen)?;
                merge_into_record(ctx, &mut working, &id, message)?;
                filed.take(ctx, &id, message)?;
                if !message.unread.is_empty() {
                    review_unread(ctx, &mut writes, &mut seen, message, id)?;
                }
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
    summary.record_changes = stage_record_changes(ctx, &mut writes, &working)?;
    filed.stage(ctx, &mut writes)?;
    summary.record_changes += filed.added;
    let detail = format!(
        "messages={} imported={} duplicates={} unmatched={} rejected={} unread={} created={} record_changes={}",
        summary.messages,
        summary.imported,
        summary.duplicates,
        summary.unmatched,
        summary.rejected,
        summary.unread,
        summary.created,
        summary.record_changes
    );
    // What an export brought that this clinic did not file, when there is any.
    let detail = match (filed.not_scored, filed.plans_not_kept) {
        (0, 0) => detail,
        (q, p) => format!("{detail} questionnaires_not_scored={q} plans_not_kept={p}"),
    };
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
    crate::clinic::desk::consent::require_health_processing(ctx, id)?;
    let field = |field: &str, message: Text| ServiceError::Field {
        field: field.into(),
        message,
    };
    if observation.code.trim().is_empty() {
        return Err(field("code", text!("msg.results.code_missing")));
    }
    if observation.system == LOINC && !loinc_valid(&observation.code) {
        return Err(field(
            "code",
            text!("msg.results.bad_loinc", code = &observation.code),
        ));
    }
    if observation.taken_at > ctx.now + 3600 {
        return Err(field("taken_at", text!("msg.results.future")));
    }
    let mut observation = observation.clone();
    observation.source = Source {
        kind: SourceKind::Manual,
        reference: ctx.session.user.clone(),
    };
    let mut writes = WriteSet::new();
    let (stored, _) = stage_results(ctx, &mut writes, id, &[observation], &mut HashSet::new())?;
    if stored == 0 {
        return Err(ServiceError::Conflict(text!("msg.results.duplicate")));
    }
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail("manual"))
}
