//! Erasing a patient, where the law and the clinic's policy allow it: one person asks
//! with a reason, a second person approves. Approval shreds the patient's key, so every
//! record, card and recording of theirs becomes unreadable ciphertext, and removes
//! their blind-index entries; the audit log keeps its entries (ids only).

use crate::clinic::api::ErasureRequested;
use crate::text;
use serde::{Deserialize, Serialize};

use crate::clinic::api::{PatientRef, Response, ServiceError};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::codec::Versioned;
use crate::domain::patient::PatientId;
use crate::store::Scope;
use crate::store::vault::Record;
use crate::store::writes::WriteSet;

pub const ERASURES_TREE: &str = "erasures";
const MIN_REASON_CHARS: usize = 10;

/// An erasure waiting for its second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRequest {
    pub id: u64,
    pub patient: PatientId,
    pub requested_by: String,
    pub requested_unix: i64,
    pub reason: String,
}

impl Versioned for ErasureRequest {
    const VERSION: u16 = 1;
}

impl Record for ErasureRequest {
    const TREE: &'static str = ERASURES_TREE;
}

fn pending(ctx: &Ctx<'_>) -> Result<Vec<ErasureRequest>, ServiceError> {
    let tree = ctx.vault.store().tree(ERASURES_TREE)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (key, sealed) =
            item.map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
        out.push(ctx.vault.open_sealed(Scope::Clinic, &key, &sealed)?);
    }
    Ok(out)
}

pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let requests = pending(ctx)?;
    let count = requests.len();
    Ok(Reply::new(Response::Erasures(requests)).detail(format!("count={count}")))
}

pub(crate) fn request(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    reason: &str,
) -> Result<Reply, ServiceError> {
    let id = match patient {
        PatientRef::Id(id) => *id,
        PatientRef::Key(key) => crate::clinic::export::access::resolve(ctx, key.trim())?,
    };
    ctx.vault.patient(&id)?;
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(ServiceError::Field {
            field: "reason".into(),
            message: text!("msg.erasure.reason_short", min = MIN_REASON_CHARS),
        });
    }
    if pending(ctx)?.iter().any(|r| r.patient == id) {
        return Err(ServiceError::Conflict(text!("msg.erasure.already_waiting")));
    }
    let number = ctx
        .vault
        .store()
        .generate_id()
        .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
    let request = ErasureRequest {
        id: number,
        patient: id,
        requested_by: ctx.session.user.clone(),
        requested_unix: ctx.now,
        reason: reason.to_string(),
    };
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_put(&mut writes, Scope::Clinic, &number.to_be_bytes(), &request)?;
    Ok(
        Reply::new(Response::ErasureRequested(ErasureRequested { id: number }))
            .writes(writes)
            .subject(id.to_string())
            .subject(format!("erasure:{number}"))
            .detail(format!("reason: {reason}")),
    )
}

pub(crate) fn approve(ctx: &Ctx<'_>, number: u64) -> Result<Reply, ServiceError> {
    let request = pending(ctx)?
        .into_iter()
        .find(|r| r.id == number)
        .ok_or_else(|| ServiceError::NotFound(format!("erasure request {number}")))?;
    if request.requested_by == ctx.session.user {
        return Err(ServiceError::Invalid(text!("msg.erasure.second_person")));
    }
    let id = request.patient;
    let mut writes = WriteSet::new();
    // The cards and their index entries go too, so nothing links a card number to the
    // erased id; alert details naming the patient are scrubbed.
    ctx.vault.stage_cards_removal(&mut writes, &id)?;
    ctx.vault.stage_alert_scrub(&mut writes, &id)?;
    ctx.vault.stage_erase_patient(&mut writes, &id)?;
    writes.delete(
        &ctx.vault.store().tree(ERASURES_TREE)?,
        number.to_be_bytes().to_vec(),
    );
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .subject(format!("erasure:{number}"))
        .detail(format!(
            "asked by {} (reason: {}), approved by {}",
            request.requested_by, request.reason, ctx.session.user
        ))
        .effect(Effect::Erased(id)))
}
