//! Results: importing parsed messages (matching each to a patient by card number, ID
//! number or a recorded external number; the rest to the review list), manual entry,
//! reading (the review list is `results_review`). Before anything is
//! matched, times the sender gave without an offset are placed in the clinic's time
//! zone and local lab codes are mapped to LOINC (`DIR/lab_codes.toml`); results a
//! message held but the importer could not read go to the review list with it.

use std::collections::{HashMap, HashSet};

use super::api::{Response, ResultsSummary, ServiceError};
use super::patients::readable;
use super::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::health::HealthRecord;
use crate::domain::observation::{LOINC, Observation, Source, SourceKind};
use crate::domain::patient::{Patient, PatientId};
use crate::domain::record_form;
use crate::ingest::{IdKind, Incoming, loinc_valid};
use crate::store::writes::WriteSet;

/// The patients the sender's identifiers name: one is a match; none may be created;
/// several are for staff to sort out on the review list. A number whose system says
/// what it is (a card, caredesk's own patient id) is looked up as that; any other as a
/// card number (when it looks like one), an ID number or a recorded external number.
fn match_patient(ctx: &Ctx<'_>, message: &Incoming) -> Result<Vec<PatientId>, ServiceError> {
    let mut found: Vec<PatientId> = Vec::new();
    for value in &message.patient_ids {
        let kind = message
            .reported
            .identifiers
            .iter()
            .find(|i| i.value == *value)
            .map(|i| i.kind);
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
        for id in candidates {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    Ok(found)
}

/// Stages a message's results for a patient; returns (stored, duplicates).
pub(super) fn stage_results(
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

pub(super) fn create_from_message(
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

/// The record as this batch is changing it, with the amendments that change it.
pub(super) type WorkingRecords = HashMap<PatientId, (HealthRecord, Vec<Amendment>)>;

/// Whether a result was withdrawn by its sender (kept and shown, never read into the
/// record).
fn withdrawn(observation: &Observation) -> bool {
    observation.status.as_deref().is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "entered-in-error" | "cancelled" | "w" | "x" | "d"
        )
    })
}

/// Adds each incoming entry not already in `current` (by `same`); one that is there
/// takes what `update` copies from the incoming one. Entries are first made to pass the
/// record's own checks (`fit`), or left out.
fn merged<T: Clone>(
    current: &[T],
    incoming: &[T],
    fit: impl Fn(T) -> Option<T>,
    same: impl Fn(&T, &T) -> bool,
    update: impl Fn(&mut T, &T),
) -> Vec<T> {
    let mut out = current.to_vec();
    for entry in incoming.iter().cloned().filter_map(&fit) {
        match out.iter_mut().find(|known| same(known, &entry)) {
            Some(known) => update(known, &entry),
            None => out.push(entry),
        }
    }
    out
}

/// Sets `slot` to `value` when the sender states one and it differs.
fn take<T: Clone + PartialEq>(slot: &mut Option<T>, value: &Option<T>) {
    if value.is_some() && slot != value {
        slot.clone_from(value);
    }
}

/// The same coded thing: same code and system when both are coded, else same words.
fn same_thing(
    (code, system, words): (&Option<String>, &Option<String>, &str),
    (other_code, other_system, other_words): (&Option<String>, &Option<String>, &str),
) -> bool {
    match (code, other_code) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) && system == other_system,
        _ => words.trim().eq_ignore_ascii_case(other_words.trim()),
    }
}

/// A value the record editor accepts, trying it whole, then without the parts listed
/// in `loosen` one after another (a date in the future, a malformed code …).
fn fitted<T: Clone>(entry: T, ok: impl Fn(&T) -> bool, loosen: &[fn(&mut T)]) -> Option<T> {
    let mut entry = entry;
    if ok(&entry) {
        return Some(entry);
    }
    for step in loosen {
        step(&mut entry);
        if ok(&entry) {
            return Some(entry);
        }
    }
    None
}

/// What a message reports for the record (diagnoses, medicines, allergies, family
/// history, smoking status, race) is added to it as amendments by the importing user,
/// the message named as the reason. An entry already there (same code, or same name
/// when uncoded, and the same onset or start) is not added twice; its statuses are
/// updated from the message.
pub(super) fn merge_into_record(
    ctx: &Ctx<'_>,
    working: &mut WorkingRecords,
    id: &PatientId,
    message: &Incoming,
) -> Result<(), ServiceError> {
    let reported = &message.reported;
    let smoking = super::results_record::latest_smoking(
        message
            .observations
            .iter()
            .chain(&reported.record)
            .filter(|o| !withdrawn(o)),
    )
    .map(|(_, s)| s);
    if message.conditions.is_empty()
        && message.medications.is_empty()
        && reported.allergies.is_empty()
        && reported.family_history.is_empty()
        && reported.race.is_empty()
        && reported.record.is_empty()
        && reported.surgeries.is_empty()
        && smoking.is_none()
    {
        return Ok(());
    }
    if !working.contains_key(id) {
        working.insert(*id, (ctx.vault.health(id)?, Vec::new()));
    }
    let Some((record, amendments)) = working.get_mut(id) else {
        return Ok(());
    };
    let today = super::cards::today(ctx);
    let mut change = |before: SectionValue, after: SectionValue, record: &mut HealthRecord| {
        // Each entry was fitted to the record's checks; a section that still fails
        // (an old value that no longer would) is left as it is.
        let Ok(after) = record_form::check(&after, today) else {
            return;
        };
        if before != after {
            amendments.push(Amendment {
                at: ctx.now,
                by: ctx.session.user.clone(),
                role: ctx.session.role,
                reason: format!("imported from {}", message.origin),
                before,
                after: after.clone(),
            });
            after.apply_to(record);
        }
    };
    let passes = |value: SectionValue| record_form::check(&value, today).is_ok();
    let illnesses = merged(
        &record.past_illnesses,
        &message.conditions,
        |c| {
            fitted(
                c,
                |c| passes(SectionValue::PastIllnesses(vec![c.clone()])),
                &[|c| c.since = None, |c| (c.code, c.system) = (None, None)],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.name),
                (&new.code, &new.system, &new.name),
            ) && (known.since == new.since || known.since.is_none())
        },
        |known, new| {
            take(&mut known.since, &new.since);
            take(&mut known.clinical_status, &new.clinical_status);
            take(&mut known.verification, &new.verification);
        },
    );
    change(
        SectionValue::PastIllnesses(record.past_illnesses.clone()),
        SectionValue::PastIllnesses(illnesses),
        record,
    );
    let medicines = merged(
        &record.medications,
        &message.medications,
        |m| {
            fitted(
                m,
                |m| passes(SectionValue::Medications(vec![m.clone()])),
                &[
                    |m| (m.started, m.ended) = (None, None),
                    |m| (m.code, m.system) = (None, None),
                    |m| (m.dose, m.frequency) = (None, None),
                ],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.name),
                (&new.code, &new.system, &new.name),
            ) && (known.started == new.started || known.started.is_none())
        },
        |known, new| {
            take(&mut known.started, &new.started);
            take(&mut known.status, &new.status);
            take(&mut known.ended, &new.ended);
            if known.dose.is_none() {
                known.dose.clone_from(&new.dose);
            }
        },
    );
    change(
        SectionValue::Medications(record.medications.clone()),
        SectionValue::Medications(medicines),
        record,
    );
    let allergies = merged(
        &record.allergies,
        &reported.allergies,
        |a| {
            fitted(
                a,
                |a| passes(SectionValue::Allergies(vec![a.clone()])),
                &[|a| (a.code, a.system) = (None, None), |a| a.reaction = None],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.substance),
                (&new.code, &new.system, &new.substance),
            )
        },
        |known, new| {
            if known.reaction.is_none() {
                known.reaction.clone_from(&new.reaction);
            }
            take(&mut known.severity, &new.severity);
        },
    );
    change(
        SectionValue::Allergies(record.allergies.clone()),
        SectionValue::Allergies(allergies),
        record,
    );
    let surgeries = merged(
        &record.surgeries,
        &reported.surgeries,
        |s| {
            fitted(
                s,
                |s| passes(SectionValue::Surgeries(vec![s.clone()])),
                &[|s| s.year = None],
            )
        },
        |known, new| {
            known.name.trim().eq_ignore_ascii_case(new.name.trim())
                && (known.year == new.year || known.year.is_none())
        },
        |known, new| {
            take(&mut known.year, &new.year);
            if known.note.is_none() {
                known.note.clone_from(&new.note);
            }
        },
    );
    change(
        SectionValue::Surgeries(record.surgeries.clone()),
        SectionValue::Surgeries(surgeries),
        record,
    );
    let family = merged(
        &record.family_history,
        &reported.family_history,
        |f| {
            fitted(
                f,
                |f| passes(SectionValue::FamilyHistory(vec![f.clone()])),
                &[|f| (f.code, f.system) = (None, None)],
            )
        },
        |known, new| {
            known
                .relative
                .trim()
                .eq_ignore_ascii_case(new.relative.trim())
                && same_thing(
                    (&known.code, &known.system, &known.condition),
                    (&new.code, &new.system, &new.condition),
                )
        },
        |_, _| {},
    );
    change(
        SectionValue::FamilyHistory(record.family_history.clone()),
        SectionValue::FamilyHistory(family),
        record,
    );
    if let Some(smoking) = smoking {
        let mut lifestyle = record.lifestyle.clone();
        lifestyle.smoking = Some(smoking);
        change(
            SectionValue::Lifestyle(record.lifestyle.clone()),
            SectionValue::Lifestyle(lifestyle),
            record,
        );
    }
    if !reported.race.is_empty() || !reported.record.is_empty() {
        let mut measurements =
            super::results_record::measurements(&record.measurements, &reported.record);
        if !reported.race.is_empty() {
            measurements.race.clone_from(&reported.race);
        }
        change(
            SectionValue::Measurements(record.measurements.clone()),
            SectionValue::Measurements(measurements),
            record,
        );
    }
    Ok(())
}

/// Stages the changed records and their amendments; returns how many amendments.
pub(super) fn stage_record_changes(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    working: &WorkingRecords,
) -> Result<u64, ServiceError> {
    let mut count = 0;
    for (id, (record, amendments)) in working {
        if !amendments.is_empty() {
            ctx.vault.stage_health(writes, id, record)?;
            for amendment in amendments {
                ctx.vault.stage_amendment(writes, id, amendment)?;
            }
            count += amendments.len() as u64;
        }
    }
    Ok(count)
}

/// Messages as the clinic keeps them: times without an offset placed in the clinic's
/// time zone (`[alerts] utc_offset`, else the server's), local codes the clinic has
/// mapped filed under LOINC, and no claim to be filed already (only the service sets
/// that, on the review list).
fn settle(ctx: &Ctx<'_>, incoming: &[Incoming]) -> Result<Vec<Incoming>, ServiceError> {
    let settings = ctx.clinic.settings();
    let lab_codes =
        super::lab_codes::LabCodes::load(ctx.clinic.dir()).map_err(ServiceError::Invalid)?;
    Ok(incoming
        .iter()
        .cloned()
        .map(|mut message| {
            message.settle_local_times(|wall| settings.alerts.clinic_offset_at(wall));
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
    incoming: &[Incoming],
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
    let mut filed = super::results_care::Filed::default();
    let matches: Vec<Vec<PatientId>> = incoming
        .iter()
        .map(|m| match_patient(ctx, m))
        .collect::<Result<_, _>>()?;
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
