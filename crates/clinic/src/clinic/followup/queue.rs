//! The call queue: every open follow-up in memory (built from the store on first use,
//! kept in step by effects), filtered and sorted by priority then due date; only the
//! page asked for is read from the patients' records. Claims: a nurse claims a
//! follow-up before calling, so two nurses never call one patient at once; a claim
//! lapses after `[followup] claim_minutes`.

use crate::clinic::api::FollowUpClaimed;
use crate::text;
use std::collections::HashMap;

use super::api::{
    FollowUpKey, NotCallable, QueueCounts, QueueFilter, QueueGroup, QueueRow, QueueView,
};
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::cards::today;
use crate::clinic::service::{Clinic, Ctx, Effect, Reply};
use crate::domain::consent::{Channel, Purpose};
use crate::domain::followup::{FollowUp, ItemStatus};
use crate::store::Vault;
use crate::store::writes::WriteSet;

/// The open follow-ups by key.
#[derive(Default)]
pub struct QueueIndex {
    items: HashMap<FollowUpKey, FollowUp>,
}

impl QueueIndex {
    fn build(vault: &Vault) -> Result<QueueIndex, ServiceError> {
        let mut index = QueueIndex::default();
        for item in vault.all_followups()? {
            index.upsert(item);
        }
        Ok(index)
    }

    pub fn upsert(&mut self, item: FollowUp) {
        let key = FollowUpKey::of(&item);
        if item.status == ItemStatus::Due {
            self.items.insert(key, item);
        } else {
            self.items.remove(&key);
        }
    }
}

impl Clinic {
    /// Brings the queue's index (if built) up to date with changed follow-ups.
    pub(crate) fn update_queue(&self, changed: Vec<FollowUp>) {
        if let Some(index) = self
            .queue_index
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            for item in changed {
                index.upsert(item);
            }
        }
    }
}

fn group_of(item: &FollowUp, today: chrono::NaiveDate) -> QueueGroup {
    match item.due.cmp(&today) {
        std::cmp::Ordering::Less => QueueGroup::Overdue,
        std::cmp::Ordering::Equal => QueueGroup::Today,
        std::cmp::Ordering::Greater => QueueGroup::Upcoming,
    }
}

/// Why the patient may not be called now, if so.
fn not_callable(
    ctx: &Ctx<'_>,
    item: &FollowUp,
    phone: Option<&str>,
) -> Result<Option<NotCallable>, ServiceError> {
    if let Some((by, until)) = item.claimed_by_other(&ctx.session.user, ctx.now) {
        return Ok(Some(NotCallable::Calling {
            by: by.clone(),
            until: *until,
        }));
    }
    if phone.is_none_or(|p| p.trim().is_empty()) {
        return Ok(Some(NotCallable::NoPhone));
    }
    let answer = crate::clinic::desk::consent::may_contact(
        ctx.vault,
        &item.patient,
        Channel::Phone,
        Purpose::Care,
        ctx.now,
    )?;
    if !answer.allowed {
        return Ok(Some(match answer.because {
            Some(_) => NotCallable::Refused,
            None => NotCallable::NoConsent,
        }));
    }
    Ok(None)
}

pub(crate) fn queue(
    ctx: &Ctx<'_>,
    filter: &QueueFilter,
    offset: u32,
    limit: u32,
) -> Result<Reply, ServiceError> {
    let today = today(ctx);
    let mut guard = ctx
        .clinic
        .queue_index
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        *guard = Some(QueueIndex::build(ctx.vault)?);
    }
    let index = guard.as_ref().map(|i| &i.items);
    let Some(items) = index else {
        return Err(ServiceError::Unavailable(text!("msg.queue.unreadable")));
    };
    // Tags come from the name index (built once, kept in step).
    let tagged = |item: &FollowUp, tag: &str| {
        let names = ctx
            .clinic
            .name_index
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        names
            .as_ref()
            .is_some_and(|n| n.has_tag(&item.patient, tag))
    };
    if filter.tag.is_some() {
        crate::clinic::desk::patients::ensure_name_index(ctx)?;
    }
    let mut counts = QueueCounts::default();
    let mut teams: Vec<String> = Vec::new();
    let mut matching: Vec<&FollowUp> = Vec::new();
    for item in items.values() {
        if !teams.contains(&item.assigned) {
            teams.push(item.assigned.clone());
        }
        if filter.kind.is_some_and(|k| k != item.kind)
            || filter.team.as_ref().is_some_and(|t| *t != item.assigned)
            || filter.tag.as_ref().is_some_and(|t| !tagged(item, t))
        {
            continue;
        }
        let group = group_of(item, today);
        match group {
            QueueGroup::Overdue => counts.overdue += 1,
            QueueGroup::Today => counts.today += 1,
            QueueGroup::Upcoming => counts.upcoming += 1,
        }
        if filter.group.is_none_or(|g| g == group) {
            matching.push(item);
        }
    }
    teams.sort();
    matching.sort_by_key(|i| (i.priority, i.due, i.at_time, FollowUpKey::of(i)));
    let total = matching.len() as u64;
    let page: Vec<FollowUp> = matching
        .into_iter()
        .skip(offset as usize)
        .take(limit.clamp(1, 500) as usize)
        .cloned()
        .collect();
    drop(guard);
    // Only the page's patients are read.
    let mut rows = Vec::with_capacity(page.len());
    for item in page {
        let patient = ctx.vault.patient(&item.patient)?;
        let masked = !ctx.sees_who(&item.patient, &patient);
        let not_callable = not_callable(ctx, &item, patient.phone.as_deref())?;
        rows.push(QueueRow {
            name: if masked {
                "—".into()
            } else {
                patient.name.clone()
            },
            age: patient.birth_date.and_then(|b| today.years_since(b)),
            not_callable,
            item,
        });
    }
    let detail = format!("total={total} page={}", rows.len());
    Ok(Reply::new(Response::FollowUpQueue(Box::new(QueueView {
        counts,
        total,
        offset,
        rows,
        teams,
    })))
    .detail(detail))
}

/// The follow-up as stored, open.
pub(crate) fn open_item(ctx: &Ctx<'_>, key: FollowUpKey) -> Result<FollowUp, ServiceError> {
    let item = ctx
        .vault
        .followup(&key_bytes(key))?
        .ok_or_else(|| ServiceError::NotFound("follow-up".into()))?;
    if item.status != ItemStatus::Due {
        return Err(ServiceError::Invalid(text!("msg.queue.no_longer_open")));
    }
    Ok(item)
}

pub(crate) fn key_bytes(key: FollowUpKey) -> Vec<u8> {
    let mut bytes = key.patient.0.to_vec();
    bytes.extend_from_slice(&key.plan.to_be_bytes());
    bytes.extend_from_slice(&key.seq.to_be_bytes());
    bytes
}

pub(crate) fn claim(ctx: &Ctx<'_>, key: FollowUpKey) -> Result<Reply, ServiceError> {
    crate::clinic::desk::patients::readable(ctx, &key.patient)?;
    let mut item = open_item(ctx, key)?;
    if let Some((by, until)) = item.claimed_by_other(&ctx.session.user, ctx.now) {
        let why = NotCallable::Calling {
            by: by.clone(),
            until: *until,
        };
        return Err(ServiceError::Conflict(
            text!("msg.queue.not_callable").arg_text("why", why.text()),
        ));
    }
    let patient = ctx.vault.patient(&key.patient)?;
    if let Some(why) = not_callable(ctx, &item, patient.phone.as_deref())? {
        return Err(ServiceError::Invalid(
            text!("msg.queue.not_callable").arg_text("why", why.text()),
        ));
    }
    let minutes = i64::from(ctx.clinic.settings().followup.claim_minutes.max(1));
    let until = ctx.now + minutes * 60;
    item.claim = Some((ctx.session.user.clone(), until));
    let mut writes = WriteSet::new();
    ctx.vault.stage_followup(&mut writes, &item)?;
    Ok(
        Reply::new(Response::FollowUpClaimed(FollowUpClaimed { until }))
            .writes(writes)
            .subject(key.patient.to_string())
            .detail(format!("plan={} seq={}", key.plan, key.seq))
            .effect(Effect::FollowUps(vec![item])),
    )
}

pub(crate) fn release(ctx: &Ctx<'_>, key: FollowUpKey) -> Result<Reply, ServiceError> {
    let mut item = open_item(ctx, key)?;
    if item
        .claim
        .as_ref()
        .is_some_and(|(by, _)| *by == ctx.session.user)
    {
        item.claim = None;
    }
    let mut writes = WriteSet::new();
    ctx.vault.stage_followup(&mut writes, &item)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(key.patient.to_string())
        .effect(Effect::FollowUps(vec![item])))
}
