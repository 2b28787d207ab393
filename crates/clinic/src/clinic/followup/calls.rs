//! The call screen's data and a call's record: what a nurse needs for one call, and
//! what a call does to its follow-up by the protocol (done, tried again, missed, the
//! plan's next date, the visit's class, a referral with its reasons). Reported
//! readings become results.

use super::api::{CallSaved, CallView, CheckItem, FollowUpKey, ReadingTrend};
use super::plans::{next_item, protocols, within_horizon};
use super::queue::open_item;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::decimal::Decimal;
use crate::domain::followup::{
    Call, CallInput, FollowUp, History, ItemStatus, Outcome, PlanStatus, decide,
};
use crate::domain::followup_form::StandardForm;
use crate::domain::indicators;
use crate::domain::observation::Observation;
use crate::i18n::Text;
use crate::store::writes::WriteSet;
use crate::text;
use chrono::NaiveDate;

const MAX_TEXT: usize = 2000;
/// How many of each reading's latest values the call screen shows.
const TREND: usize = 3;

/// The follow-up, open and claimed by the caller.
fn claimed(ctx: &Ctx<'_>, key: FollowUpKey) -> Result<FollowUp, ServiceError> {
    let item = open_item(ctx, key)?;
    match &item.claim {
        Some((by, until)) if *by == ctx.session.user && *until > ctx.now => Ok(item),
        Some((by, until)) if *until > ctx.now => Err(ServiceError::Conflict(text!(
            "msg.calls.claimed_by",
            user = by
        ))),
        _ => Err(ServiceError::Invalid(text!("msg.calls.claim_first"))),
    }
}

/// The latest value of each indicator on record, in its SI unit.
fn latest(observations: &[Observation], keys: &[String]) -> Vec<(String, f64)> {
    keys.iter()
        .filter_map(|key| {
            let indicator = indicators::by_key(key)?;
            let values = indicator.values_si(observations, |_| true);
            values.last().map(|(_, v)| (key.clone(), *v))
        })
        .collect()
}

pub(crate) fn view(ctx: &Ctx<'_>, key: FollowUpKey) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, &key.patient)?;
    let item = claimed(ctx, key)?;
    let protocols = protocols(ctx.clinic)?;
    let protocol = protocols
        .get(item.kind)
        .ok_or_else(|| ServiceError::Unavailable(text!("msg.calls.no_protocol")))?;
    let observations = ctx.vault.observations(&key.patient)?;
    let readings = protocol
        .readings
        .iter()
        .filter_map(|k| {
            let indicator = indicators::by_key(k)?;
            let mut values = indicator.values_si(&observations, |_| true);
            values.reverse();
            values.truncate(TREND);
            Some(ReadingTrend {
                indicator: k.clone(),
                unit: indicator.unit.to_string(),
                values,
            })
        })
        .collect();
    // The latest visit of this follow-up's plan (the patient may be followed for two
    // conditions); the latest of any plan when this one has none yet.
    let calls = ctx.vault.calls(&key.patient)?;
    let last_call = calls
        .iter()
        .filter(|c| c.plan == key.plan)
        .max_by_key(|c| c.at)
        .or_else(|| calls.iter().max_by_key(|c| c.at))
        .cloned();
    let goals = ctx
        .vault
        .plans(&key.patient)?
        .pop()
        .filter(|v| v.plan.active)
        .map(|v| v.plan.goals.clone())
        .unwrap_or_default();
    let view = CallView {
        key,
        claimed_until: item.claim.as_ref().map(|c| c.1).unwrap_or(0),
        item,
        name: patient.name.clone(),
        age: patient.birth_date.and_then(|b| today(ctx).years_since(b)),
        phone: patient.phone.clone(),
        readings,
        last_call,
        goals,
        script_en: protocol.script_en.clone(),
        script_zh: protocol.script_zh.clone(),
        face_to_face: crate::domain::followup_form::face_to_face_in_year(
            &calls,
            key.plan,
            chrono::Datelike::year(&today(ctx)),
        ),
        visits_per_year: protocol.visits_per_year,
        asks: protocol.readings.clone(),
        checklist: protocol
            .symptoms
            .iter()
            .map(|s| CheckItem {
                key: s.key.clone(),
                en: s.en.clone(),
                zh: s.zh.clone(),
                effect: s.effect,
            })
            .collect(),
    };
    Ok(Reply::new(Response::FollowUpCall(Box::new(view)))
        .subject(key.patient.to_string())
        .detail(format!("plan={} seq={}", key.plan, key.seq)))
}

fn check(
    input: &CallInput,
    checklist: &[crate::domain::followup::Symptom],
    now: i64,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    if let Some(key) = input
        .ticked
        .iter()
        .find(|k| !checklist.iter().any(|s| s.key == **k))
    {
        return Err(ServiceError::Invalid(text!(
            "msg.calls.not_on_checklist",
            key = key
        )));
    }
    for (key, value) in &input.readings {
        let Some(indicator) = indicators::by_key(key) else {
            return Err(ServiceError::Invalid(text!(
                "msg.calls.no_indicator",
                key = key
            )));
        };
        if !value.is_finite() || *value <= 0.0 || *value > 10_000.0 {
            return Err(ServiceError::Invalid(
                text!("msg.calls.not_a_reading", value = value)
                    .arg_text("indicator", Text::names(indicator.en, indicator.zh)),
            ));
        }
        // 400 mmHg is a slip of the finger, not a reading to refer a patient on.
        if let Some((low, high)) = indicators::plausible(key)
            && !(low..=high).contains(value)
        {
            let unit = Text::names(
                &crate::domain::ucum::human(indicator.unit),
                &crate::domain::ucum::human_in(indicator.unit, crate::i18n::Lang::ZhCn),
            );
            return Err(ServiceError::Invalid(
                text!(
                    "msg.calls.implausible",
                    value = value,
                    low = low,
                    high = high
                )
                .arg_text("indicator", Text::names(indicator.en, indicator.zh))
                .arg_text("unit", unit),
            ));
        }
    }
    // Each number may be possible alone and the pair not: the diastolic pressure is
    // always below the systolic (150 over 90 typed the wrong way round).
    let reading = |key: &str| {
        input
            .readings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    };
    if let (Some(systolic), Some(diastolic)) = (reading("systolic_bp"), reading("diastolic_bp"))
        && diastolic >= systolic
    {
        return Err(ServiceError::Invalid(text!(
            "msg.calls.bp_pair",
            systolic = systolic,
            diastolic = diastolic
        )));
    }
    for (what, text) in [
        ("msg.calls.what_symptoms", &input.symptoms),
        ("msg.calls.what_side_effects", &input.side_effects),
        ("msg.calls.what_note", &input.notes),
    ] {
        if text.chars().count() > MAX_TEXT {
            return Err(ServiceError::Invalid(
                text!("msg.calls.text_too_long", max = MAX_TEXT).arg_text("what", Text::new(what)),
            ));
        }
    }
    if let Outcome::Callback(at) = input.outcome
        && (at <= now || at > now + 60 * 86_400)
    {
        return Err(ServiceError::Invalid(text!("msg.calls.callback_window")));
    }
    check_form(&input.form, today)
}

/// The record form's values, each in its range; a referral names its reason.
fn check_form(form: &StandardForm, today: NaiveDate) -> Result<(), ServiceError> {
    match form.problem(today) {
        None => Ok(()),
        Some(("call.form.referral_reason", _)) => Err(ServiceError::Invalid(text!(
            "msg.calls.referral_reason_needed"
        ))),
        Some((field, allowed)) if allowed == "text" => Err(ServiceError::Invalid(
            text!("msg.calls.form_text").arg_text("field", Text::new(field)),
        )),
        Some((field, allowed)) => Err(ServiceError::Invalid(
            text!("msg.calls.form_value", allowed = allowed).arg_text("field", Text::new(field)),
        )),
    }
}

/// What the nurse is told: the follow-up's status and the decision's outcome.
fn where_it_went(
    status: crate::domain::followup::ItemStatus,
    decision: crate::domain::followup::Decision,
) -> CallSaved {
    CallSaved {
        status,
        retry: decision.retry.map(|r| r.0),
        next_due: decision.next_due,
        referral: decision.referral,
        flag: decision.flag,
        class: decision.class,
        reasons: decision.reasons,
        suggested: decision.suggested,
    }
}

/// Where a call would take its follow-up, nothing written: the record form offers the
/// protocol's class as the default before the clinician chooses.
pub(crate) fn preview(
    ctx: &Ctx<'_>,
    key: FollowUpKey,
    input: CallInput,
) -> Result<Reply, ServiceError> {
    save_or_preview(ctx, key, input, true)
}

pub(crate) fn save(
    ctx: &Ctx<'_>,
    key: FollowUpKey,
    input: CallInput,
) -> Result<Reply, ServiceError> {
    save_or_preview(ctx, key, input, false)
}

fn save_or_preview(
    ctx: &Ctx<'_>,
    key: FollowUpKey,
    mut input: CallInput,
    preview: bool,
) -> Result<Reply, ServiceError> {
    let patient = readable(ctx, &key.patient)?;
    crate::clinic::oversight::retention::require_not_restricted(ctx, &key.patient)?;
    let mut item = claimed(ctx, key)?;
    let protocols = protocols(ctx.clinic)?;
    let protocol = protocols
        .get(item.kind)
        .ok_or_else(|| ServiceError::Unavailable(text!("msg.calls.no_protocol")))?;
    let today = today(ctx);
    check(&input, &protocol.symptoms, ctx.now, today)?;
    // The weight on the form is a reading like the others (kept once).
    if let Some(weight) = input.form.weight.now
        && !input.readings.iter().any(|(k, _)| k == "weight")
    {
        input.readings.push(("weight".into(), weight));
    }
    let mut plans = ctx.vault.followup_plans(&key.patient)?;
    let plan = plans
        .iter_mut()
        .find(|p| p.number == key.plan)
        .ok_or_else(|| ServiceError::NotFound("follow-up plan".into()))?;
    let observations = ctx.vault.observations(&key.patient)?;
    let asked: Vec<String> = protocol
        .controlled
        .iter()
        .chain(&protocol.refer)
        .map(|t| t.indicator.clone())
        .collect();
    // The plan's earlier visits that reached the patient, newest first: two in a row
    // not controlled refer.
    let calls = ctx.vault.calls(&key.patient)?;
    let earlier: Vec<&Call> = calls
        .iter()
        .rev()
        .filter(|c| c.plan == key.plan && c.input.outcome == Outcome::Reached)
        .collect();
    let latest = latest(&observations, &asked);
    let history = History {
        latest: &latest,
        age: patient.birth_date.and_then(|b| today.years_since(b)),
        earlier: &earlier,
    };
    let decision = decide(protocol, &item, &input, &history, plan.interval_days, today);
    if preview {
        let saved = where_it_went(decision.status, decision);
        return Ok(Reply::new(Response::FollowUpCallSaved(Box::new(saved)))
            .subject(key.patient.to_string())
            .detail(format!("plan={} seq={} preview", key.plan, key.seq)));
    }
    let mut writes = WriteSet::new();
    // The patient's own readings join the results.
    for (indicator_key, value) in &input.readings {
        if let Some(indicator) = indicators::by_key(indicator_key)
            && let Some(decimal) =
                Decimal::parse(&format!("{value:.*}", usize::from(indicator.decimals)))
        {
            let mut o = Observation::typed_in(indicator.codes[0], decimal, indicator.unit, ctx.now);
            o.source.reference = format!("follow-up call by {}", ctx.session.user);
            let result_key = ctx.vault.result_key(&key.patient, &o);
            ctx.vault
                .stage_observation(&mut writes, &key.patient, result_key, &o)?;
        }
    }
    // HbA1c on the form is a result of the day it was measured.
    if let Some((value, day)) = input.form.hba1c
        && let Some(indicator) = indicators::by_key("hba1c")
        && let Some(decimal) = Decimal::parse(&format!("{value:.1}"))
        && let Some(at) = day
            .and_hms_opt(12, 0, 0)
            .and_then(|noon| crate::domain::time::clinic_zone().from_local(noon))
    {
        let mut o = Observation::typed_in(indicator.codes[0], decimal, indicator.unit, at);
        o.source.reference = format!("follow-up record by {}", ctx.session.user);
        let result_key = ctx.vault.result_key(&key.patient, &o);
        ctx.vault
            .stage_observation(&mut writes, &key.patient, result_key, &o)?;
    }
    let not_reached = matches!(input.outcome, Outcome::NoAnswer | Outcome::Busy);
    ctx.vault.stage_call(
        &mut writes,
        &key.patient,
        &Call {
            plan: key.plan,
            seq: key.seq,
            kind: item.kind,
            input: input.clone(),
            by: ctx.session.user.clone(),
            at: ctx.now,
            controlled: decision.controlled,
            referral: decision.referral,
            next_due: decision.next_due,
            class: decision.class,
            reasons: decision.reasons.clone(),
            suggested: decision.suggested,
        },
    )?;
    let items = ctx.vault.followups_of(&key.patient)?;
    item.claim = None;
    item.flag = decision.flag.clone();
    if not_reached {
        item.tries += 1;
    }
    item.status = decision.status;
    if let Some((day, time)) = decision.retry {
        item.due = day;
        item.at_time = time;
    }
    if decision.referral {
        item.priority = 1;
    }
    // Three missed in a row: lost to follow-up, for the team to find.
    let earlier_missed = items
        .iter()
        .filter(|i| i.plan == key.plan && i.seq < key.seq)
        .rev()
        .take(2)
        .filter(|i| i.status == ItemStatus::Missed)
        .count();
    if item.status == ItemStatus::Missed && earlier_missed == 2 {
        item.status = ItemStatus::LostToFollowUp;
        item.flag =
            Some(crate::domain::followup_flag::Flag::LostToFollowUp.text(crate::i18n::Lang::En));
    }
    ctx.vault.stage_followup(&mut writes, &item)?;
    let mut changed = vec![item.clone()];
    if let Some(next) = decision.next_due
        && plan.status == PlanStatus::Active
    {
        plan.next_due = next;
        ctx.vault
            .stage_followup_plan(&mut writes, &key.patient, plan)?;
        // Soon enough for the queue now; later ones the scheduler makes in time.
        if within_horizon(next, today) {
            let mut upcoming = next_item(plan, &key.patient, &items, &protocols);
            if decision.referral {
                upcoming.priority = 1;
            }
            ctx.vault.stage_followup(&mut writes, &upcoming)?;
            changed.push(upcoming);
        }
    }
    let saved = where_it_went(item.status, decision);
    // Codes only: no reading, sign or name goes into the audit log.
    let detail = format!(
        "plan={} seq={} outcome={} visit={} status={:?} referral={}",
        key.plan,
        key.seq,
        input.outcome.key(),
        input.visit.key(),
        saved.status,
        saved.referral
    );
    Ok(Reply::new(Response::FollowUpCallSaved(Box::new(saved)))
        .writes(writes)
        .subject(key.patient.to_string())
        .detail(detail)
        .effect(Effect::FollowUps(changed)))
}
