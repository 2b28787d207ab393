//! Consent requests, and the check other parts of the service call before contacting
//! a patient (follow-up calls, reminders, education, marketing).

use super::api::{Response, ServiceError};
use super::service::{Ctx, Reply};
use crate::domain::consent::{
    Channel, ConsentEntry, ConsentRecord, ContactAnswer, Decision, Method, Purpose,
};
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;
use crate::store::{Scope, StoreError, Vault};

/// The patient's consent history (empty when nothing was ever recorded).
pub fn record(vault: &Vault, id: &PatientId) -> Result<ConsentRecord, StoreError> {
    vault.patient(id)?;
    Ok(vault.get(Scope::Patient(*id), &id.0)?.unwrap_or_default())
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
    let mut closed = Vec::new();
    if channel == Channel::Phone && purpose == Purpose::Care && decision == Decision::Refused {
        for plan in ctx.vault.followup_plans(id)? {
            if plan.status == crate::domain::followup::PlanStatus::Active {
                closed.extend(super::followups::stage_close(
                    ctx.vault,
                    &mut writes,
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
    }
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
        .effect(super::service::Effect::FollowUps(closed)))
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
