//! Alerts for the people who act on them: oversight (admin, auditor) sees every alert,
//! the care team the clinical ones; each is acknowledged once, with a note saying what
//! was done. The note is sealed (it may name a patient); the audit record carries the
//! alert's id, never the note.

use crate::i18n::Text;
use crate::text;
use serde::{Deserialize, Serialize};

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::store::alerts::{Acknowledgement, Alert, AlertKind};

/// Longest acknowledgement note, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

/// An alert with its acknowledgement, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: u64,
    pub time_unix: i64,
    pub kind: AlertKind,
    pub subjects: Vec<String>,
    pub detail: Text,
    pub acknowledged: Option<Acknowledgement>,
}

fn view(ctx: &Ctx<'_>, alert: Alert) -> Result<AlertView, ServiceError> {
    let acknowledged = ctx.vault.acknowledgement(&alert)?;
    Ok(AlertView {
        id: alert.id,
        time_unix: alert.time_unix,
        kind: alert.kind,
        subjects: alert.subjects,
        detail: Text::from_stored(&crate::audit::detail::TextOpener::open_text(
            ctx.vault,
            &alert.detail,
        )),
        acknowledged,
    })
}

/// Every alert (oversight) or the clinical ones only (the care team), newest first.
pub(crate) fn list(ctx: &Ctx<'_>, limit: u32, clinical_only: bool) -> Result<Reply, ServiceError> {
    let limit = limit.clamp(1, 10_000) as usize;
    let alerts = ctx
        .vault
        .store()
        .alerts_where(limit, |a| !clinical_only || a.kind.is_clinical())?;
    let views = alerts
        .into_iter()
        .map(|a| view(ctx, a))
        .collect::<Result<Vec<_>, _>>()?;
    let open = views.iter().filter(|v| v.acknowledged.is_none()).count();
    let detail = format!("count={} open={open}", views.len());
    Ok(Reply::new(Response::Alerts(views)).detail(detail))
}

/// Whether the signed-in user may see and acknowledge `alert`.
fn may_act_on(ctx: &Ctx<'_>, alert: &Alert) -> bool {
    ctx.sees_alert(alert.kind.is_clinical())
}

pub(crate) fn acknowledge(ctx: &Ctx<'_>, id: u64, note: &str) -> Result<Reply, ServiceError> {
    let store = ctx.vault.store();
    // An alert the user may not see does not exist for them.
    let alert = store
        .alert(id)?
        .filter(|a| may_act_on(ctx, a))
        .ok_or_else(|| ServiceError::NotFound(format!("alert {id}")))?;
    let note = note.trim();
    if note.is_empty() {
        return Err(ServiceError::Field {
            field: "note".into(),
            message: text!("msg.alerts.note_missing"),
        });
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(ServiceError::Field {
            field: "note".into(),
            message: text!("msg.common.too_long", max = NOTE_MAX_CHARS),
        });
    }
    if let Some(done) = ctx.vault.acknowledgement(&alert)? {
        return Err(ServiceError::Conflict(text!(
            "msg.alerts.already_acknowledged",
            id = id,
            user = done.by,
            time = crate::domain::time::format_time(done.time_unix)
        )));
    }
    let ack = Acknowledgement {
        by: ctx.session.user.clone(),
        time_unix: ctx.now,
        note: note.to_string(),
    };
    let mut writes = crate::store::writes::WriteSet::new();
    ctx.vault.stage_acknowledgement(&mut writes, &alert, &ack)?;
    let mut reply = Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("alert:{id}"))
        .detail(format!("kind={}", alert.kind.as_str()));
    if let Some(patient) = alert.patient() {
        reply = reply.subject(patient.to_string());
    }
    Ok(reply)
}
