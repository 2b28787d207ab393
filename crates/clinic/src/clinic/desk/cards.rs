//! Registration and member cards: validation by field, duplicate detection, card
//! numbers that are never reused, lost-card reissue.

use crate::clinic::api::Registered;
use crate::i18n::Text;
use crate::text;
use chrono::NaiveDate;

use super::name_index::PatientRow;
use crate::clinic::admin::settings::CardSettings;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::card::{Card, CardStatus, card_number};
use crate::domain::demographics_form;
use crate::domain::patient::{Patient, PatientId};
use crate::domain::record_number;
use crate::store::writes::WriteSet;

fn field(field: &str, message: Text) -> ServiceError {
    ServiceError::Field {
        field: field.into(),
        message,
    }
}

/// Checks a registration as the form does (`domain::demographics_form`, the one
/// check both use), returning the patient in canonical form (ID number upper-cased,
/// phone as 11 digits). A refusal names the first wrong field, in English.
pub(crate) fn validate(patient: &Patient, today: NaiveDate) -> Result<Patient, ServiceError> {
    match demographics_form::check(&patient.demographics(), today) {
        Ok(clean) => Ok(patient.with_demographics(clean)),
        Err(problems) => {
            let first = &problems[0];
            Err(field(first.field.name(), first.message()))
        }
    }
}

/// Registered patients with the same ID number, or the same phone and birth date.
pub(crate) fn duplicates(
    ctx: &Ctx<'_>,
    patient: &Patient,
) -> Result<Vec<PatientRow>, ServiceError> {
    let mut found: Vec<PatientId> = Vec::new();
    if let Some(number) = &patient.id_number {
        found.extend(ctx.vault.find(IndexKind::IdNumber, number)?);
    }
    if let Some(phone) = &patient.phone {
        for id in ctx.vault.find(IndexKind::Phone, phone)? {
            let other = ctx.vault.patient(&id)?;
            if other.birth_date == patient.birth_date && !found.contains(&id) {
                found.push(id);
            }
        }
    }
    found
        .into_iter()
        .map(|id| Ok(PatientRow::of(id, &ctx.vault.patient(&id)?)))
        .collect()
}

pub(crate) fn new_card(
    ctx: &Ctx<'_>,
    settings: &CardSettings,
    card_type: &str,
) -> Result<Card, ServiceError> {
    let kind = settings.card_type(card_type).ok_or_else(|| {
        let known: Vec<&str> = settings.types.iter().map(|t| t.name.as_str()).collect();
        field(
            "card_type",
            text!(
                "msg.cards.no_type",
                card_type = card_type,
                known = known.join(", ")
            ),
        )
    })?;
    let serial = ctx.vault.next_card_serial()?;
    let number = card_number(
        &settings.prefix,
        serial,
        usize::from(settings.serial_digits),
    )
    .ok_or_else(|| ServiceError::Invalid(text!("msg.cards.bad_prefix")))?;
    Ok(Card::new(
        number,
        &kind.name,
        kind.validity_months,
        today(ctx),
    ))
}

/// The clinic's date now (`[clinic] time_zone`): a card issued at 07:30 in Beijing
/// is issued on that day, not on the UTC day before.
pub(crate) fn today(ctx: &Ctx<'_>) -> NaiveDate {
    let now = chrono::DateTime::from_timestamp(ctx.now, 0).unwrap_or_default();
    ctx.clinic.settings().clinic_zone().today(now)
}

pub(crate) fn register(
    ctx: &Ctx<'_>,
    patient: Patient,
    card_type: &str,
) -> Result<Reply, ServiceError> {
    let patient = validate(&patient, today(ctx))?;
    let existing = duplicates(ctx, &patient)?;
    if !existing.is_empty() {
        let count = existing.len();
        let mut reply = Reply::new(Response::Duplicates(existing.clone()))
            .detail(format!("duplicates={count}"));
        for row in existing {
            reply = reply.subject(row.id.to_string());
        }
        return Ok(reply);
    }
    let settings = ctx.clinic.settings().cards.clone();
    let card = new_card(ctx, &settings, card_type)?;
    let mut patient = patient;
    let mut writes = WriteSet::new();
    give_record_number(ctx, &mut writes, &mut patient, false)?;
    let id = ctx.vault.stage_create_patient(&mut writes, &patient)?;
    ctx.vault.stage_card(&mut writes, &id, &card, true)?;
    Ok(Reply::new(Response::Registered(Registered {
        id,
        card: card.clone(),
    }))
    .writes(writes)
    .subject(id.to_string())
    .detail(format!("card type {}", card.card_type))
    .effect(Effect::Reindex(id, Box::new(patient))))
}

/// Gives a new patient their 健康档案编号. A number a message carries (`keep_given`,
/// the regional platform's) is kept when it is well formed and no one else has it;
/// otherwise the next of the clinic's area, or none while `[clinic] area_code` is
/// unset. What a desk or a script sends is never used: the number is the service's.
pub(crate) fn give_record_number(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    patient: &mut Patient,
    keep_given: bool,
) -> Result<(), ServiceError> {
    let given = patient
        .record_number
        .take()
        .filter(|_| keep_given)
        .and_then(|n| record_number::normalise(&n));
    if let Some(number) = given
        && ctx.vault.find(IndexKind::RecordNumber, &number)?.is_empty()
    {
        patient.record_number = Some(number);
        return Ok(());
    }
    patient.record_number = new_record_number(ctx)?;
    if patient.record_number.is_none() {
        // Filed without a number: the numbering pass has work once the area is set.
        ctx.vault.stage_records_numbered(writes, false)?;
    }
    Ok(())
}

/// Most patients one numbering pass gives a number to, so one transaction stays
/// small; the scheduler's next run goes on.
const NUMBERING_BATCH: usize = 2000;

/// Gives a 健康档案编号 to patients filed before `[clinic] area_code` was set (each
/// scheduler run, until none is left; then a flag spares the reading). Returns how
/// many were numbered.
pub(crate) fn number_unnumbered(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
) -> Result<usize, ServiceError> {
    if ctx.clinic.settings().clinic.area_code.trim().is_empty()
        || ctx.vault.all_records_numbered()?
    {
        return Ok(0);
    }
    let mut numbered = 0;
    for id in ctx.vault.patient_ids()? {
        let mut patient = ctx.vault.patient(&id)?;
        if patient.record_number.is_some() {
            continue;
        }
        if numbered == NUMBERING_BATCH {
            return Ok(numbered);
        }
        patient.record_number = new_record_number(ctx)?;
        ctx.vault.stage_update_patient(writes, &id, &patient)?;
        numbered += 1;
    }
    ctx.vault.stage_records_numbered(writes, true)?;
    Ok(numbered)
}

/// The next 健康档案编号 of the clinic's area, or none while `[clinic] area_code` is
/// unset.
fn new_record_number(ctx: &Ctx<'_>) -> Result<Option<String>, ServiceError> {
    let area = ctx.clinic.settings().clinic.area_code.trim().to_string();
    if area.is_empty() {
        return Ok(None);
    }
    let serial = ctx.vault.next_record_serial(&area)?;
    record_number::compose(&area, serial)
        .map(Some)
        .ok_or_else(|| {
            ServiceError::Unavailable(text!("msg.card.record_numbers_used", area = area))
        })
}

pub(crate) fn issue(ctx: &Ctx<'_>, id: &PatientId, card_type: &str) -> Result<Reply, ServiceError> {
    ctx.vault.patient(id)?;
    let today = today(ctx);
    if ctx
        .vault
        .cards(id)?
        .iter()
        .any(|c| c.status_on(today) == CardStatus::Active)
    {
        return Err(ServiceError::Conflict(text!("msg.cards.already_active")));
    }
    let card = new_card(ctx, &ctx.clinic.settings().cards, card_type)?;
    let mut writes = WriteSet::new();
    ctx.vault.stage_card(&mut writes, id, &card, true)?;
    Ok(Reply::new(Response::CardIssued(card))
        .writes(writes)
        .subject(id.to_string()))
}

/// The active card with `number`, and its holder.
fn usable(ctx: &Ctx<'_>, number: &str) -> Result<(PatientId, Card), ServiceError> {
    let (id, card) = ctx
        .vault
        .card_by_number(number)?
        .ok_or_else(|| ServiceError::NotFound("card".into()))?;
    let status = card.status_on(today(ctx));
    if status != CardStatus::Active {
        return Err(ServiceError::CardNotUsable {
            number: card.number,
            status,
            replaced_by: card.replaced_by,
        });
    }
    Ok((id, card))
}

pub(crate) fn report_lost(ctx: &Ctx<'_>, number: &str) -> Result<Reply, ServiceError> {
    let (id, mut lost) = usable(ctx, number)?;
    let settings = ctx.clinic.settings().cards.clone();
    let mut replacement = new_card(ctx, &settings, &lost.card_type)?;
    // The replacement keeps the lost card's validity: a lost card is not a renewal.
    replacement.valid_until = lost.valid_until;
    replacement.replaces = Some(lost.number.clone());
    lost.status = CardStatus::Lost;
    lost.replaced_by = Some(replacement.number.clone());
    let mut writes = WriteSet::new();
    ctx.vault.stage_card(&mut writes, &id, &lost, false)?;
    ctx.vault.stage_card(&mut writes, &id, &replacement, true)?;
    Ok(Reply::new(Response::CardIssued(replacement))
        .writes(writes)
        .subject(id.to_string())
        .detail("lost card replaced"))
}

pub(crate) fn cancel(ctx: &Ctx<'_>, number: &str) -> Result<Reply, ServiceError> {
    let (id, mut card) = usable(ctx, number)?;
    card.status = CardStatus::Cancelled;
    let mut writes = WriteSet::new();
    ctx.vault.stage_card(&mut writes, &id, &card, false)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string()))
}

pub(crate) fn list(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    ctx.vault.patient(id)?;
    let today = today(ctx);
    let cards = ctx
        .vault
        .cards(id)?
        .into_iter()
        .map(|mut c| {
            c.status = c.status_on(today);
            c
        })
        .collect();
    Ok(Reply::new(Response::Cards(cards)).subject(id.to_string()))
}

/// For the search: a query that is a card number finds its holder, or says why not.
pub(crate) fn holder_of(ctx: &Ctx<'_>, query: &str) -> Result<Option<PatientId>, ServiceError> {
    match usable(ctx, query) {
        Ok((id, _)) => Ok(Some(id)),
        Err(ServiceError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}
