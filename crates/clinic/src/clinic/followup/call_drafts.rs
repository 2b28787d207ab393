//! A call being typed when the terminal signed itself out for being idle: kept with the
//! sign-out (one request, so it cannot race it), sealed with the patient's key for
//! the nurse alone, and handed back once at her next sign-in within 12 hours. Both
//! are audited with the patient as subject; nobody else ever reads it.

use super::api::FollowUpKey;
use super::queue::open_item;
use crate::auth::Permission;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::draft::CallDraft;
use crate::store::writes::WriteSet;

/// Keeps the nurse's call and ends the session. A role without follow-up work, or a
/// follow-up that is not there, keeps nothing: the sign-out happens all the same.
pub(crate) fn keep(ctx: &Ctx<'_>, draft: CallDraft) -> Result<Reply, ServiceError> {
    let key = FollowUpKey {
        patient: draft.patient,
        plan: draft.plan,
        seq: draft.seq,
    };
    let signed_out = Reply::new(Response::Done).effect(Effect::EndSession);
    if !ctx.allows(Permission::FollowUpWork) || open_item(ctx, key).is_err() {
        return Ok(signed_out.detail("idle; no call kept"));
    }
    let kept = CallDraft {
        saved_unix: ctx.now,
        ..draft
    };
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_call_draft(&mut writes, &ctx.session.user, &kept)?;
    Ok(signed_out
        .writes(writes)
        .subject(key.patient.to_string())
        .detail("idle; the call being typed kept for 12 hours"))
}

/// The nurse's kept call, if still fresh; every draft of hers is dropped either way.
pub(crate) fn take(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let drafts = ctx.vault.call_drafts(&ctx.session.user)?;
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_drop_call_drafts(&mut writes, &ctx.session.user)?;
    let fresh = drafts
        .into_iter()
        .filter(|d| d.fresh(ctx.now))
        .max_by_key(|d| d.saved_unix);
    let mut reply = Reply::new(Response::KeptCall(fresh.clone())).writes(writes);
    reply = match &fresh {
        Some(draft) => reply
            .subject(draft.patient.to_string())
            .detail("a kept call handed back"),
        None => reply.detail("no kept call"),
    };
    Ok(reply)
}
