//! Follow-up plans and the scheduler: plans made by staff or by events (a new
//! automatic tag, an abnormal result, a high risk, a questionnaire band, an
//! intervention plan's call), and the due follow-ups made from plans, idempotently:
//! a plan with an open follow-up gets no second one.

use crate::clinic::api::{FollowUpPlanAdded, FollowUpScheduled};
use crate::text;
use chrono::{Days, NaiveDate};

use super::api::FollowUpChart;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::care::reevaluate::Chart;
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Clinic, Ctx, Effect, Reply};
use crate::domain::followup::{
    CloseReason, FollowUp, FollowUpPlan, ItemStatus, Kind, PlanStatus, Protocols,
};
use crate::domain::patient::PatientId;
use crate::store::Vault;
use crate::store::writes::WriteSet;

const PROTOCOLS_FILE: &str = "followup_protocols.toml";
/// The scheduler makes follow-ups falling due within this many days.
pub const HORIZON_DAYS: u64 = 14;

/// The clinic's protocols (`DIR/followup_protocols.toml`), or the shipped ones.
pub(crate) fn protocols(clinic: &Clinic) -> Result<Protocols, ServiceError> {
    let path = clinic.dir().join(PROTOCOLS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Protocols::parse(&text).map_err(|e| {
            ServiceError::Invalid(text!(
                "msg.file.bad_rules",
                path = path.display(),
                detail = e
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Protocols::built_in()),
        Err(e) => Err(ServiceError::Unavailable(text!(
            "msg.file.unreadable",
            path = path.display(),
            detail = e
        ))),
    }
}

/// The plan's next follow-up item, due on the plan's next date.
pub(crate) fn next_item(
    plan: &FollowUpPlan,
    id: &PatientId,
    items: &[FollowUp],
    protocols: &Protocols,
) -> FollowUp {
    let seq = items
        .iter()
        .filter(|i| i.plan == plan.number)
        .map(|i| i.seq)
        .max()
        .unwrap_or(0)
        + 1;
    FollowUp {
        patient: *id,
        plan: plan.number,
        seq,
        kind: plan.kind,
        due: plan.next_due,
        at_time: None,
        priority: protocols.get(plan.kind).map(|p| p.priority).unwrap_or(2),
        assigned: plan.assigned.clone(),
        status: ItemStatus::Due,
        tries: 0,
        claim: None,
        flag: None,
    }
}

pub(crate) fn chart(ctx: &Ctx<'_>, id: &PatientId) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let mut calls = ctx.vault.calls(id)?;
    calls.reverse();
    let chart = FollowUpChart {
        plans: ctx.vault.followup_plans(id)?,
        items: ctx.vault.followups_of(id)?,
        calls,
        recordings: ctx.vault.recordings_of(id)?,
    };
    let detail = format!("calls={}", chart.calls.len());
    Ok(Reply::new(Response::FollowUpChart(Box::new(chart)))
        .subject(id.to_string())
        .detail(detail))
}

/// The number the patient's next follow-up plan gets.
pub(crate) fn next_plan_number(plans: &[FollowUpPlan]) -> u32 {
    plans.iter().map(|p| p.number).max().unwrap_or(0) + 1
}

/// Whether a follow-up due on `due` belongs in the queue yet (the scheduler makes the
/// later ones when they come within the horizon).
pub(crate) fn within_horizon(due: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_days(Days::new(HORIZON_DAYS))
        .is_some_and(|h| due <= h)
}

/// Stages plan `number` and, when it falls due within the horizon, its first
/// follow-up; returns them.
pub(crate) fn stage_new_plan(
    vault: &Vault,
    writes: &mut WriteSet,
    (id, number): (&PatientId, u32),
    (kind, interval_days, first_due, assigned): (Kind, u32, NaiveDate, &str),
    (source, now): (&str, i64),
    protocols: &Protocols,
) -> Result<(FollowUpPlan, Option<FollowUp>), ServiceError> {
    let plan = FollowUpPlan {
        number,
        kind,
        interval_days,
        next_due: first_due,
        assigned: assigned.to_string(),
        status: PlanStatus::Active,
        source: source.to_string(),
        created: now,
    };
    vault.stage_followup_plan(writes, id, &plan)?;
    let today = chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .date_naive();
    let item = within_horizon(first_due, today).then(|| next_item(&plan, id, &[], protocols));
    if let Some(item) = &item {
        vault.stage_followup(writes, item)?;
    }
    Ok((plan, item))
}

pub(crate) fn add_plan(
    ctx: &Ctx<'_>,
    id: &PatientId,
    kind: Kind,
    interval_days: u32,
    first_due: NaiveDate,
    assigned: &str,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    crate::clinic::oversight::retention::require_not_restricted(ctx, id)?;
    let assigned = assigned.trim();
    if assigned.is_empty() {
        return Err(ServiceError::Invalid(text!(
            "msg.followups.assignee_missing"
        )));
    }
    if !(1..=366).contains(&interval_days) {
        return Err(ServiceError::Invalid(text!("msg.followups.interval_range")));
    }
    if first_due < today(ctx) {
        return Err(ServiceError::Invalid(text!(
            "msg.followups.first_due_past",
            date = first_due
        )));
    }
    let protocols = protocols(ctx.clinic)?;
    let number = next_plan_number(&ctx.vault.followup_plans(id)?);
    let mut writes = WriteSet::new();
    let (plan, item) = stage_new_plan(
        ctx.vault,
        &mut writes,
        (id, number),
        (kind, interval_days, first_due, assigned),
        ("manual", ctx.now),
        &protocols,
    )?;
    Ok(Reply::new(Response::FollowUpPlanAdded(FollowUpPlanAdded {
        plan: plan.number,
    }))
    .writes(writes)
    .subject(id.to_string())
    .detail(format!("kind={} plan={}", kind.key(), plan.number))
    .effect(Effect::FollowUps(item.into_iter().collect())))
}

/// Closes the plan and its open follow-ups (staged); returns the items changed.
pub(crate) fn stage_close(
    vault: &Vault,
    writes: &mut WriteSet,
    id: &PatientId,
    plan: &FollowUpPlan,
    (reason, by, at): (CloseReason, &str, i64),
) -> Result<Vec<FollowUp>, ServiceError> {
    let closed = FollowUpPlan {
        status: PlanStatus::Closed {
            reason,
            by: by.to_string(),
            at,
        },
        ..plan.clone()
    };
    vault.stage_followup_plan(writes, id, &closed)?;
    let mut changed = Vec::new();
    for mut item in vault.followups_of(id)? {
        if item.plan == plan.number && item.status == ItemStatus::Due {
            item.status = ItemStatus::Closed;
            item.claim = None;
            vault.stage_followup(writes, &item)?;
            changed.push(item);
        }
    }
    Ok(changed)
}

pub(crate) fn close_plan(
    ctx: &Ctx<'_>,
    id: &PatientId,
    number: u32,
    reason: CloseReason,
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    let plan = ctx
        .vault
        .followup_plans(id)?
        .into_iter()
        .find(|p| p.number == number)
        .ok_or_else(|| ServiceError::NotFound(format!("follow-up plan {number}")))?;
    if plan.status != PlanStatus::Active {
        return Err(ServiceError::Invalid(text!("msg.followups.plan_closed")));
    }
    let mut writes = WriteSet::new();
    let changed = stage_close(
        ctx.vault,
        &mut writes,
        id,
        &plan,
        (reason, &ctx.session.user, ctx.now),
    )?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("plan={number} reason={}", reason.key()))
        .effect(Effect::FollowUps(changed)))
}

/// Every active plan whose next follow-up falls due within the horizon and has no
/// open follow-up gets one. Running it again makes nothing new.
pub(crate) fn schedule(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let protocols = protocols(ctx.clinic)?;
    let today = today(ctx);
    let mut writes = WriteSet::new();
    let mut made = Vec::new();
    let mut subjects = Vec::new();
    // Only patients with plans: their keys lead with the patient, in order.
    for id in ctx.vault.patients_with_followup_plans()? {
        let plans = match ctx.vault.followup_plans(&id) {
            Ok(plans) => plans,
            // An erased patient's plans can no longer be read: nothing to call.
            Err(crate::store::StoreError::Erased) => continue,
            Err(e) => return Err(e.into()),
        };
        let items = ctx.vault.followups_of(&id)?;
        for plan in plans.iter().filter(|p| p.status == PlanStatus::Active) {
            let open = items
                .iter()
                .any(|i| i.plan == plan.number && i.status == ItemStatus::Due);
            if open || !within_horizon(plan.next_due, today) {
                continue;
            }
            let item = next_item(plan, &id, &items, &protocols);
            ctx.vault.stage_followup(&mut writes, &item)?;
            made.push(item);
            subjects.push(id.to_string());
        }
    }
    let created = made.len() as u64;
    let mut reply = Reply::new(Response::FollowUpScheduled(FollowUpScheduled { created }))
        .writes(writes)
        .detail(format!("created={created}"))
        .effect(Effect::FollowUps(made));
    subjects.dedup();
    for s in subjects {
        reply = reply.subject(s);
    }
    Ok(reply)
}

/// The daemon's periodic run: the follow-ups now due (as `FollowUpSchedule`), and on
/// request every patient queued for the background re-evaluation of risks and tags.
pub(crate) fn scheduler_run(ctx: &Ctx<'_>, retag: bool) -> Result<Reply, ServiceError> {
    let mut reply = schedule(ctx)?;
    let numbered = crate::clinic::desk::cards::number_unnumbered(ctx, &mut reply.writes)?;
    let recordings_deleted =
        crate::clinic::oversight::retention::delete_old_recordings(ctx, &mut reply.writes)?;
    let created = match &reply.response {
        Response::FollowUpScheduled(FollowUpScheduled { created }) => *created,
        _ => 0,
    };
    let mut queued = 0;
    if retag {
        let ids = ctx.vault.patient_ids()?;
        queued = ids.len();
        let origin = crate::clinic::service::Origin {
            os_user: crate::audit::context::process_actor().os_user,
            ssh_client: None,
        };
        ctx.clinic.queue_reevaluation(ids, "scheduler.run", &origin);
    }
    Ok(reply.detail(format!(
        "followups_created={created} retag_queued={queued} records_numbered={numbered} recordings_past_retention_deleted={recordings_deleted}"
    )))
}

/// The follow-up plans a patient's data calls for and does not have: a plan of each
/// kind is made once by an event (staff may add more); an abnormal result makes one
/// when it was taken in the last 30 days and is newer than the last abnormal-result
/// plan.
pub(crate) fn events(
    chart: &Chart,
    tags: &[String],
    plans: &[FollowUpPlan],
    now: i64,
) -> Vec<(Kind, String)> {
    let has = |kind: Kind| plans.iter().any(|p| p.kind == kind);
    let mut out = Vec::new();
    for (tag, kind) in [
        ("hypertension", Kind::Hypertension),
        ("diabetes", Kind::Diabetes),
    ] {
        if tags.iter().any(|t| t == tag) && !has(kind) {
            out.push((kind, format!("tag {tag}")));
        }
    }
    let last_abnormal_plan = plans
        .iter()
        .filter(|p| p.kind == Kind::AbnormalResult)
        .map(|p| p.created)
        .max()
        .unwrap_or(i64::MIN);
    let abnormal = chart
        .observations
        .iter()
        .filter(|o| o.abnormal() && o.taken_at > now - 30 * 86_400)
        .map(|o| o.taken_at)
        .max();
    if abnormal.is_some_and(|at| at > last_abnormal_plan) {
        out.push((Kind::AbnormalResult, "abnormal result".into()));
    }
    let high_risk = chart.assessments.iter().any(|a| {
        matches!(&a.outcome, crate::domain::assessment::Outcome::Risk { band, chinese_band, .. }
            if band == "high" || chinese_band.as_deref() == Some("high"))
    });
    let plan_calls = chart.plans.last().is_some_and(|v| {
        v.plan.active
            && v.plan
                .actions
                .iter()
                .any(|a| a.kind == crate::domain::plan::ActionKind::FollowUpCall && !a.done)
    });
    if (high_risk || plan_calls) && !has(Kind::InterventionPlan) {
        let why = if plan_calls {
            "intervention plan"
        } else {
            "high risk"
        };
        out.push((Kind::InterventionPlan, why.into()));
    }
    let low_mood = chart
        .questionnaires
        .iter()
        .any(|q| matches!(q.key.as_str(), "phq9" | "gad7") && q.scored.total >= 10);
    if low_mood && !has(Kind::QuestionnaireRecheck) {
        out.push((Kind::QuestionnaireRecheck, "questionnaire band".into()));
    }
    out
}
