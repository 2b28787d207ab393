//! Consent requests, and the check other parts of the service call before contacting
//! a patient (follow-up calls, reminders, education, marketing).

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::domain::consent::{
    Channel, ConsentEntry, ConsentRecord, ContactAnswer, Decision, GUARDIAN_UNDER_YEARS, Guardian,
    Method, Processing, ProcessingEntry, Purpose,
};
use crate::domain::patient::PatientId;
use crate::i18n::Text;
use crate::store::writes::WriteSet;
use crate::store::{Scope, StoreError, Vault};
use crate::text;

/// The patient's consent history (empty when nothing was ever recorded).
pub fn record(vault: &Vault, id: &PatientId) -> Result<ConsentRecord, StoreError> {
    // Reading under the patient's key already refuses an unknown or erased patient;
    // with no consent stored, the patient record says which.
    match vault.get(Scope::Patient(*id), &id.0)? {
        Some(record) => Ok(record),
        None => {
            vault.patient(id)?;
            Ok(ConsentRecord::default())
        }
    }
}

/// "May we contact this patient by this channel for this purpose now?"
pub fn may_contact(
    vault: &Vault,
    id: &PatientId,
    channel: Channel,
    purpose: Purpose,
    now: i64,
) -> Result<ContactAnswer, StoreError> {
    Ok(record(vault, id)?.may_contact(channel, purpose, now))
}

pub(crate) fn set(
    ctx: &Ctx<'_>,
    id: &PatientId,
    channel: Channel,
    purpose: Purpose,
    decision: Decision,
    method: Method,
) -> Result<Reply, ServiceError> {
    let mut consent = record(ctx.vault, id)?;
    consent.entries.push(ConsentEntry {
        channel,
        purpose,
        decision,
        method,
        at: ctx.now,
        recorded_by: ctx.session.user.clone(),
    });
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_put(&mut writes, Scope::Patient(*id), &id.0, &consent)?;
    // "Never call again": no phone contact for care ends every follow-up plan, so the
    // patient leaves every call list at once.
    let closed =
        if channel == Channel::Phone && purpose == Purpose::Care && decision == Decision::Refused {
            close_plans(ctx, &mut writes, id)?
        } else {
            Vec::new()
        };
    let detail = format!(
        "{} {} {}",
        channel.name(),
        purpose.name(),
        if decision == Decision::Granted {
            "granted"
        } else {
            "refused"
        }
    );
    Ok(Reply::new(Response::Consent(consent))
        .writes(writes)
        .subject(id.to_string())
        .detail(detail)
        .effect(crate::clinic::service::Effect::FollowUps(closed)))
}

pub(crate) fn get(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    Ok(Reply::new(Response::Consent(record(ctx.vault, id)?)).subject(id.to_string()))
}

pub(crate) fn check(
    ctx: &Ctx<'_>,
    id: &PatientId,
    channel: Channel,
    purpose: Purpose,
) -> Result<Reply, ServiceError> {
    let answer = may_contact(ctx.vault, id, channel, purpose, ctx.now)?;
    let detail = format!(
        "{} {} {}",
        channel.name(),
        purpose.name(),
        if answer.allowed {
            "allowed"
        } else {
            "not allowed"
        }
    );
    Ok(Reply::new(Response::ContactAnswer(answer))
        .subject(id.to_string())
        .detail(detail))
}

/// The guardian as given: a name (60 characters at most) and a relationship (20),
/// neither empty nor holding control characters.
fn checked_guardian(guardian: Guardian) -> Result<Guardian, ServiceError> {
    let name = guardian.name.trim().to_string();
    let relationship = guardian.relationship.trim().to_string();
    for (field, value, max) in [
        ("guardian_name", &name, 60),
        ("guardian_relationship", &relationship, 20),
    ] {
        if value.is_empty()
            || value.chars().count() > max
            || !crate::domain::text::is_plain_line(value)
        {
            return Err(ServiceError::Field {
                field: field.into(),
                message: text!("msg.consent.guardian_field", max = max),
            });
        }
    }
    Ok(Guardian { name, relationship })
}

/// Records a separate PIPL consent (or its refusal or withdrawal) under the notice in
/// force. A child under 14 consents through a parent or guardian, who is named.
pub(crate) fn set_processing(
    ctx: &Ctx<'_>,
    id: &PatientId,
    (scope, decision, method): (Processing, Decision, Method),
    guardian: Option<Guardian>,
) -> Result<Reply, ServiceError> {
    let patient = ctx.vault.patient(id)?;
    let notice = super::notice::load(ctx.clinic.dir(), &ctx.clinic.settings())
        .map_err(|e| ServiceError::Unavailable(Text::verbatim(e)))?;
    let guardian = guardian.map(checked_guardian).transpose()?;
    let today = super::cards::today(ctx);
    let child = patient
        .birth_date
        .and_then(|born| today.years_since(born))
        .is_some_and(|age| age < GUARDIAN_UNDER_YEARS);
    if child && decision == Decision::Granted && guardian.is_none() {
        return Err(ServiceError::Field {
            field: "guardian_name".into(),
            message: text!("msg.consent.guardian_needed", years = GUARDIAN_UNDER_YEARS),
        });
    }
    let mut consent = record(ctx.vault, id)?;
    let by_guardian = guardian.is_some();
    consent.processing.push(ProcessingEntry {
        scope,
        decision,
        method,
        notice_version: notice.version.clone(),
        at: ctx.now,
        recorded_by: ctx.session.user.clone(),
        guardian,
    });
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_put(&mut writes, Scope::Patient(*id), &id.0, &consent)?;
    // Withdrawn: the record is only stored from now on, so nobody calls about it.
    let closed = if scope == Processing::HealthData && decision == Decision::Refused {
        close_plans(ctx, &mut writes, id)?
    } else {
        Vec::new()
    };
    let detail = format!(
        "{} {} notice={}{}",
        scope.name(),
        if decision == Decision::Granted {
            "granted"
        } else {
            "refused"
        },
        notice.version,
        if by_guardian { " by guardian" } else { "" }
    );
    Ok(Reply::new(Response::Consent(consent))
        .writes(writes)
        .subject(id.to_string())
        .detail(detail)
        .effect(crate::clinic::service::Effect::FollowUps(closed)))
}

/// Stages the closing of the patient's active follow-up plans (the patient refused to
/// be contacted, or to have their health information processed).
pub(crate) fn close_plans(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    id: &PatientId,
) -> Result<Vec<crate::domain::followup::FollowUp>, ServiceError> {
    let mut closed = Vec::new();
    for plan in ctx.vault.followup_plans(id)? {
        if plan.status == crate::domain::followup::PlanStatus::Active {
            closed.extend(crate::clinic::followup::plans::stage_close(
                ctx.vault,
                writes,
                id,
                &plan,
                (
                    crate::domain::followup::CloseReason::RefusedContact,
                    &ctx.session.user,
                    ctx.now,
                ),
            )?);
        }
    }
    Ok(closed)
}

/// Refuses a provision to another processor unless the patient's separate consent to
/// it is in force (PIPL 第23条).
pub(crate) fn require_provision(ctx: &Ctx<'_>, id: &PatientId) -> Result<(), ServiceError> {
    crate::clinic::oversight::retention::require_not_restricted(ctx, id)?;
    let consent = record(ctx.vault, id)?;
    // A patient who withdrew consent to any processing has the record stored only.
    if consent.storage_only(ctx.now) {
        return Err(ServiceError::Conflict(text!("msg.consent.storage_only")));
    }
    if consent.may_process(Processing::ProvideToOthers, ctx.now) {
        Ok(())
    } else {
        Err(ServiceError::Conflict(text!("msg.consent.no_provision")))
    }
}

/// Refuses to record health information (a record amendment, a result, an intake or
/// a questionnaire) for a patient who refused or withdrew the consent to its
/// processing: their record is kept, only stored (PIPL 第47条). With `[privacy]
/// require_health_consent`, also for one who was never asked (第29条).
pub(crate) fn require_health_processing(ctx: &Ctx<'_>, id: &PatientId) -> Result<(), ServiceError> {
    crate::clinic::oversight::retention::require_not_restricted(ctx, id)?;
    let consent = record(ctx.vault, id)?;
    if consent.storage_only(ctx.now) {
        return Err(ServiceError::Conflict(text!("msg.consent.storage_only")));
    }
    if !ctx.clinic.settings().privacy.require_health_consent
        || consent.may_process(Processing::HealthData, ctx.now)
    {
        return Ok(());
    }
    Err(ServiceError::Conflict(text!(
        "msg.consent.no_health_consent"
    )))
}

/// The notice in both languages, for the desk to print.
pub(crate) fn notice(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let notice = super::notice::load(ctx.clinic.dir(), &ctx.clinic.settings())
        .map_err(|e| ServiceError::Unavailable(Text::verbatim(e)))?;
    let version = notice.version.clone();
    let settings = ctx.clinic.settings();
    let document = super::notice::NoticeDocument {
        notice,
        clinic: settings.clinic.name.clone(),
        layout: settings.report.clone(),
        printed_on: super::cards::today(ctx).to_string(),
    };
    Ok(Reply::new(Response::Notice(Box::new(document))).detail(format!("version={version}")))
}
