//! Patient requests. Clinical fields reach only roles with clinical permission, and
//! restricted patients only with `restricted_read` or this session's break-glass.

use super::name_index::PatientRow;
use crate::clinic::api::{HomeSummary, LookupKind, PatientView, Response, ServiceError};
use crate::clinic::api::{PatientCreated, SearchResults};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::patient::{Patient, PatientId};
use crate::store::alerts::AlertKind;
use crate::store::writes::WriteSet;
use crate::text;

/// Shortest break-glass reason: enough words to say why.
pub const MIN_REASON_CHARS: usize = 10;

fn check_patient(patient: &Patient) -> Result<(), ServiceError> {
    if patient.name.trim().is_empty() {
        return Err(ServiceError::Invalid(text!("msg.patients.name_empty")));
    }
    Ok(())
}

/// Reads the patient, refusing a restricted one without permission or break-glass.
pub(crate) fn readable(ctx: &Ctx<'_>, id: &PatientId) -> Result<Patient, ServiceError> {
    let patient = ctx.vault.patient(id)?;
    if !ctx.sees_who(id, &patient) {
        return Err(ServiceError::BreakGlassRequired);
    }
    Ok(patient)
}

pub(crate) fn create(ctx: &Ctx<'_>, patient: &Patient) -> Result<Reply, ServiceError> {
    check_patient(patient)?;
    let mut patient = patient.clone();
    let mut writes = WriteSet::new();
    super::cards::give_record_number(ctx, &mut writes, &mut patient, false)?;
    let patient = &patient;
    let id = ctx.vault.stage_create_patient(&mut writes, patient)?;
    Ok(Reply::new(Response::PatientCreated(PatientCreated { id }))
        .writes(writes)
        .subject(id.to_string())
        .effect(Effect::Reindex(id, Box::new(patient.clone()))))
}

pub(crate) fn get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, id)?;
    // Filtered here: a role without clinical permission never receives the fields.
    let health = if ctx.sees_clinical() {
        Some(ctx.vault.health(id)?)
    } else {
        None
    };
    let view = PatientView {
        id: *id,
        patient,
        health,
    };
    Ok(Reply::new(Response::Patient(view)).subject(id.to_string()))
}

pub(crate) fn find(ctx: &Ctx<'_>, kind: LookupKind, value: &str) -> Result<Reply, ServiceError> {
    let index = match kind {
        LookupKind::Phone => IndexKind::Phone,
        LookupKind::IdNumber => IndexKind::IdNumber,
    };
    let ids = ctx.vault.find(index, value)?;
    // The audit records how many were found, never what was searched for.
    let detail = format!("count={}", ids.len());
    let mut reply = Reply::new(Response::Patients(ids.clone())).detail(detail);
    for id in ids {
        reply = reply.subject(id.to_string());
    }
    Ok(reply)
}

pub(crate) fn set_restricted(
    ctx: &Ctx<'_>,
    id: &PatientId,
    restricted: bool,
) -> Result<Reply, ServiceError> {
    let mut patient = ctx.vault.patient(id)?;
    patient.restricted = restricted;
    let mut writes = WriteSet::new();
    ctx.vault.stage_update_patient(&mut writes, id, &patient)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(if restricted {
            "restricted"
        } else {
            "unrestricted"
        })
        .effect(Effect::Reindex(*id, Box::new(patient))))
}

pub(crate) fn health_get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let health = ctx.vault.health(id)?;
    Ok(Reply::new(Response::Health(health)).subject(id.to_string()))
}

pub(crate) fn break_glass(
    ctx: &Ctx<'_>,
    id: &PatientId,
    reason: &str,
) -> Result<Reply, ServiceError> {
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(ServiceError::Invalid(text!(
            "msg.patients.break_glass_reason",
            min = MIN_REASON_CHARS
        )));
    }
    let patient = ctx.vault.patient(id)?;
    if !patient.restricted {
        return Err(ServiceError::Invalid(text!("msg.patients.not_restricted")));
    }
    let mut writes = WriteSet::new();
    let subjects = vec![format!("user:{}", ctx.session.user), id.to_string()];
    ctx.vault.store().stage_alert(
        &mut writes,
        AlertKind::BreakGlass,
        subjects,
        crate::store::alerts::details::break_glass(reason),
    )?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("reason: {reason}"))
        .effect(Effect::GrantBreakGlass(*id)))
}

/// Digits (and a final X) long enough to be a phone or ID number, or a phone's last
/// four digits: looked up exactly, in their blind indexes.
fn exact_kind(query: &str) -> Option<Vec<IndexKind>> {
    let compact: String = query
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = compact.trim_start_matches('+');
    let body = digits.strip_suffix(['X', 'x']).unwrap_or(digits);
    if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        // A phone's or a card's last four digits, as a caller reads them out.
        Some(vec![IndexKind::PhoneTail, IndexKind::CardTail])
    } else if body.len() >= 7 && body.chars().all(|c| c.is_ascii_digit()) {
        // Card numbers are resolved first by `cards::holder_of`, which refuses a lost,
        // expired or cancelled card with its reason.
        Some(vec![
            IndexKind::Phone,
            IndexKind::IdNumber,
            IndexKind::RecordNumber,
        ])
    } else {
        None
    }
}

/// Hides who a restricted patient is from a role that may not open them.
fn mask(ctx: &Ctx<'_>, mut row: PatientRow) -> PatientRow {
    if row.restricted && !ctx.opens_restricted(&row.id) {
        row.name = "—".into();
        row.birth_date = None;
        row.phone = None;
        row.card = None;
        row.tags.clear();
        row.auto_tags.clear();
    }
    row
}

pub(crate) fn search(ctx: &Ctx<'_>, query: &str, limit: u32) -> Result<Reply, ServiceError> {
    let limit = limit.clamp(1, 1_000_000) as usize;
    let mut indexing = None;
    let (rows, total) = match exact_kind(query) {
        Some(kinds) => {
            let mut ids: Vec<PatientId> =
                super::cards::holder_of(ctx, query)?.into_iter().collect();
            for kind in kinds {
                for id in ctx.vault.find(kind, query)? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            let mut rows = Vec::new();
            for id in &ids {
                match ctx.vault.patient(id) {
                    Ok(patient) => {
                        let mut row = PatientRow::of(*id, &patient);
                        row.auto_tags = auto_tag_names(ctx.vault, id)?;
                        rows.push(row);
                    }
                    Err(crate::store::StoreError::Erased) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let total = rows.len();
            (rows, total)
        }
        None => {
            let guard = ctx
                .clinic
                .name_index
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            // A build in the background: wait for it a moment, then answer from what
            // it has indexed so far (the reply says so).
            let (mut guard, _) = ctx
                .clinic
                .index_built
                .wait_timeout_while(guard, super::index_build::SEARCH_WAITS_FOR_BUILD, |index| {
                    index.as_ref().is_some_and(|i| i.progress().is_some())
                })
                .unwrap_or_else(|p| p.into_inner());
            if guard.is_none() {
                // None started (the in-process desk), or it failed: build here.
                *guard = Some(super::index_build::build_now(ctx.vault)?);
            }
            let index = guard.as_ref().expect("built above");
            indexing = index.progress();
            index.search(query, limit)
        }
    };
    let clinical = ctx.sees_clinical();
    let rows: Vec<PatientRow> = rows
        .into_iter()
        .take(limit)
        .enumerate()
        .map(|(i, mut row)| {
            // Automatic tags are clinical: for the roles that read the chart only.
            if !clinical {
                row.auto_tags.clear();
            }
            if i < CARD_ROWS {
                row.card = active_card(ctx, &row.id)?;
            }
            Ok(mask(ctx, row))
        })
        .collect::<Result<_, ServiceError>>()?;
    Ok(Reply::new(Response::SearchResults(SearchResults {
        rows,
        total: total as u64,
        indexing,
    }))
    .detail(format!("count={total}")))
}

/// How many rows of a search carry their card number: the ones a person scrolls
/// through (a search with more matches is narrowed, not read to the end), so a
/// one-letter search does not open a hundred thousand cards.
const CARD_ROWS: usize = 1000;

/// The patient's card in use, for telling namesakes apart.
fn active_card(ctx: &Ctx<'_>, id: &PatientId) -> Result<Option<String>, ServiceError> {
    Ok(ctx
        .vault
        .cards(id)?
        .into_iter()
        .find(|card| card.status == crate::domain::card::CardStatus::Active)
        .map(|card| card.number))
}

fn auto_tag_names(
    vault: &crate::store::Vault,
    id: &PatientId,
) -> Result<Vec<String>, ServiceError> {
    Ok(vault.auto_tags(id)?.0.into_iter().map(|t| t.tag).collect())
}

/// Builds the name index if no search has yet.
pub(crate) fn ensure_name_index(ctx: &Ctx<'_>) -> Result<(), ServiceError> {
    let mut guard = ctx
        .clinic
        .name_index
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        *guard = Some(super::index_build::build_now(ctx.vault)?);
    }
    Ok(())
}

pub(crate) fn home(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let settings = ctx.clinic.settings();
    let mut summary = HomeSummary {
        clinic_name: settings.clinic.name.clone(),
        ..HomeSummary::default()
    };
    if ctx.sees_patient_count() {
        summary.patients = Some(ctx.vault.patient_count()? as u64);
    }
    let oversight = ctx.oversees_alerts();
    if oversight || ctx.sees_clinical() {
        let store = ctx.vault.store();
        let alerts = store.alerts_where(10_000, |a| oversight || a.kind.is_clinical())?;
        let mut open = 0;
        for alert in &alerts {
            if !store.alert_acknowledged(alert.id)? {
                open += 1;
            }
        }
        summary.alerts_open = Some(open);
        if oversight {
            let day_ago = ctx.now - 24 * 3600;
            summary.alerts_last_day =
                Some(alerts.iter().filter(|a| a.time_unix >= day_ago).count() as u64);
        }
    }
    if ctx.keeps_rights_log() {
        let (late, soon) = crate::clinic::oversight::rights_requests::open_counts(ctx)?;
        summary.rights_late = Some(late);
        summary.rights_due_soon = Some(soon);
    }
    Ok(Reply::new(Response::Home(summary)))
}

/// Most tags a patient carries, and the longest tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 24;

pub(crate) fn set_tags(
    ctx: &Ctx<'_>,
    id: &PatientId,
    tags: &[String],
) -> Result<Reply, ServiceError> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(ServiceError::Field {
                field: "tags".into(),
                message: text!("msg.patients.tag_too_long", tag = tag, max = MAX_TAG_CHARS),
            });
        }
        if !clean.iter().any(|t| t == tag) {
            clean.push(tag.to_string());
        }
    }
    if clean.len() > MAX_TAGS {
        return Err(ServiceError::Field {
            field: "tags".into(),
            message: text!("msg.patients.too_many_tags", max = MAX_TAGS),
        });
    }
    let mut patient = readable(ctx, id)?;
    patient.tags = clean;
    let mut writes = WriteSet::new();
    ctx.vault.stage_update_patient(&mut writes, id, &patient)?;
    let count = patient.tags.len();
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("tags={count}"))
        .effect(Effect::Reindex(*id, Box::new(patient))))
}
