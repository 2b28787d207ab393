//! Amending the record: the front desk's demographics and the clinical sections, each
//! change kept as an amendment (who, when, why, before, after). A save names the
//! value it was made from; if someone changed the section meanwhile it is refused
//! rather than silently overwriting their work.

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::{duplicates, today, validate};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::crypto::IndexKind;
use crate::domain::amendment::{Amendment, Demographics, MIN_REASON_CHARS, Section, SectionValue};
use crate::domain::patient::PatientId;
use crate::domain::record_form;
use crate::i18n::Text;
use crate::store::writes::WriteSet;
use crate::text;

/// Someone else saved this section after the editor was opened.
fn changed_meanwhile(section: Section) -> ServiceError {
    ServiceError::Conflict(
        Text::new("msg.record.changed_meanwhile")
            .arg_text("section", Text::new(format!("section.{}", section.name()))),
    )
}

fn check_reason(reason: &str) -> Result<String, ServiceError> {
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(ServiceError::Field {
            field: "reason".into(),
            message: text!("msg.record.reason_short", min = MIN_REASON_CHARS),
        });
    }
    Ok(reason.to_string())
}

fn amendment(
    ctx: &Ctx<'_>,
    reason: String,
    before: SectionValue,
    after: SectionValue,
) -> Amendment {
    Amendment {
        at: ctx.now,
        by: ctx.session.user.clone(),
        role: ctx.session.role,
        reason,
        before,
        after,
    }
}

/// The detail every amendment's audit record carries: the section, never the values.
fn detail(section: Section) -> String {
    format!("section={}", section.name())
}

pub(crate) fn amend_health(
    ctx: &Ctx<'_>,
    id: &PatientId,
    before: &SectionValue,
    after: &SectionValue,
    reason: &str,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    crate::clinic::desk::consent::require_health_processing(ctx, id)?;
    let section = after.section();
    if !section.is_clinical() {
        return Err(ServiceError::Invalid(text!(
            "msg.record.demographics_elsewhere"
        )));
    }
    if before.section() != section {
        return Err(ServiceError::Invalid(text!("msg.record.sections_differ")));
    }
    let reason = check_reason(reason)?;
    let after = record_form::check(after, today(ctx)).map_err(|p| ServiceError::Field {
        field: section.name().into(),
        message: p.message(),
    })?;
    let mut record = ctx.vault.health(id)?;
    let current = SectionValue::of(&record, section).unwrap_or_else(|| before.clone());
    if current != *before {
        return Err(changed_meanwhile(section));
    }
    if current == after {
        return Err(ServiceError::Invalid(text!("msg.record.unchanged_section")));
    }
    let entry = amendment(ctx, reason, current, after.clone());
    after.apply_to(&mut record);
    let mut writes = WriteSet::new();
    ctx.vault.stage_health(&mut writes, id, &record)?;
    ctx.vault.stage_amendment(&mut writes, id, &entry)?;
    Ok(Reply::new(Response::Health(record))
        .writes(writes)
        .subject(id.to_string())
        .detail(detail(section)))
}

pub(crate) fn amend_demographics(
    ctx: &Ctx<'_>,
    id: &PatientId,
    before: &Demographics,
    after: &Demographics,
    reason: &str,
) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, id)?;
    let reason = check_reason(reason)?;
    let current = patient.demographics();
    if current != *before {
        return Err(changed_meanwhile(Section::Demographics));
    }
    // Checked exactly as at registration (ID check character, mobile, birth date).
    let changed = validate(&patient.with_demographics(after.clone()), today(ctx))?;
    if changed.demographics() == current {
        return Err(ServiceError::Invalid(text!("msg.record.unchanged_field")));
    }
    if let Some(number) = &changed.id_number
        && ctx
            .vault
            .find(IndexKind::IdNumber, number)?
            .iter()
            .any(|other| other != id)
    {
        return Err(ServiceError::Field {
            field: "id_number".into(),
            message: text!("msg.record.id_taken"),
        });
    }
    if duplicates(ctx, &changed)?.iter().any(|row| row.id != *id) {
        return Err(ServiceError::Field {
            field: "phone".into(),
            message: text!("msg.record.phone_taken"),
        });
    }
    let entry = amendment(
        ctx,
        reason,
        SectionValue::Demographics(current),
        SectionValue::Demographics(changed.demographics()),
    );
    let mut writes = WriteSet::new();
    ctx.vault.stage_update_patient(&mut writes, id, &changed)?;
    ctx.vault.stage_amendment(&mut writes, id, &entry)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(detail(Section::Demographics))
        .effect(Effect::Reindex(*id, Box::new(changed))))
}

/// The amendments a role may read: demographics for everyone who may read the patient,
/// clinical sections only with clinical permission.
pub(crate) fn history(
    ctx: &Ctx<'_>,
    id: &PatientId,
    section: Option<Section>,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let clinical = ctx.sees_clinical();
    if section.is_some_and(Section::is_clinical) && !clinical {
        return Err(ServiceError::Denied {
            permission: "clinical_read".into(),
        });
    }
    let entries: Vec<Amendment> = ctx
        .vault
        .amendments(id)?
        .into_iter()
        .filter(|a| section.is_none_or(|s| a.section() == s))
        .filter(|a| clinical || !a.section().is_clinical())
        .collect();
    let detail = format!(
        "section={} count={}",
        section.map(Section::name).unwrap_or("all"),
        entries.len()
    );
    Ok(Reply::new(Response::History(entries))
        .subject(id.to_string())
        .detail(detail))
}
