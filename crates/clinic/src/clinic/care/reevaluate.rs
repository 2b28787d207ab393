//! Risks and automatic tags follow the data. Once a request that changes a patient's
//! results, record, questionnaires or plan is committed, the service recomputes that
//! patient's risk assessments and automatic tags and commits what changed as the
//! `system` principal, in its own audit record (`health.reevaluate`, naming the
//! trigger).
//!
//! A change to one patient is re-evaluated at once. A bulk change (an import touching
//! many patients) goes to a backlog that a background thread works through, so the
//! import runs at full speed; a request that reads a patient's risks or tags first
//! settles that patient if they are waiting, an export settles everyone, and dropping
//! the last in-process client settles the whole backlog before the process ends.

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use super::auto_tags::Refreshed;
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::auth::Role;
use crate::clinic::service::{Clinic, Origin};
use crate::domain::followup::FollowUp;
use crate::domain::patient::PatientId;
use crate::store::Vault;
use crate::store::writes::WriteSet;

/// Patients per transaction and audit record.
const BATCH: usize = 200;
/// Patients the background worker takes at a time: small, so a read that must settle
/// one patient never waits long behind it.
const WORKER_BATCH: usize = 25;

/// The actor for work the service does on its own.
pub(crate) fn system_actor(origin: &Origin) -> Actor {
    Actor {
        user: Some("system".into()),
        role: Some(Role::System.as_str().to_string()),
        os_user: origin.os_user.clone(),
        ssh_client: origin.ssh_client.clone(),
        session: None,
    }
}

/// Patients waiting to be re-evaluated after a bulk change.
#[derive(Default)]
pub struct Backlog {
    waiting: Mutex<Waiting>,
    signal: Condvar,
    worker_started: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Waiting {
    ids: BTreeSet<PatientId>,
    /// The audit action of the latest change queued, and where it came from.
    trigger: String,
    origin: Origin,
}

impl Backlog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many patients are waiting.
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes up to `n` waiting patients with their trigger.
    fn take(&self, n: usize) -> (Vec<PatientId>, String, Origin) {
        let mut waiting = self.lock();
        let ids: Vec<PatientId> = waiting.ids.iter().take(n).copied().collect();
        for id in &ids {
            waiting.ids.remove(id);
        }
        (ids, waiting.trigger.clone(), waiting.origin.clone())
    }
}

impl Clinic {
    /// Queues patients after a bulk change; the background worker (or the next read
    /// of one of them, or `settle`) re-evaluates them.
    pub(crate) fn queue_reevaluation(&self, ids: Vec<PatientId>, trigger: &str, origin: &Origin) {
        let mut waiting = self.backlog.lock();
        waiting.ids.extend(ids);
        waiting.trigger = trigger.to_string();
        waiting.origin = origin.clone();
        drop(waiting);
        self.backlog.signal.notify_one();
    }

    /// Starts the background thread that works through the backlog (once). It holds
    /// the clinic only while it works, so dropping the last client still drops it.
    pub fn start_reevaluation_worker(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.backlog.worker_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let clinic: Weak<Clinic> = Arc::downgrade(self);
        let backlog = Arc::clone(&self.backlog);
        let spawned = std::thread::Builder::new()
            .name("caredesk-reevaluate".into())
            .spawn(move || {
                loop {
                    // Wait on the backlog alone: the clinic is held only while working.
                    {
                        let waiting = backlog.lock();
                        if waiting.ids.is_empty() {
                            let _ = backlog
                                .signal
                                .wait_timeout(waiting, Duration::from_millis(250));
                        }
                    }
                    let Some(strong) = clinic.upgrade() else {
                        return;
                    };
                    if !strong.backlog.is_empty() {
                        strong.settle_some(WORKER_BATCH);
                    }
                }
            });
        if spawned.is_err() {
            // No thread: reads and the last client's drop still settle the backlog.
            self.backlog.worker_started.store(false, Ordering::SeqCst);
        }
    }

    /// Re-evaluates up to `n` waiting patients now; false when none was waiting.
    fn settle_some(&self, n: usize) -> bool {
        let backend = self.backend();
        let Some(vault) = backend.vault() else {
            return false;
        };
        // The lock before taking the batch: whoever holds it has no batch half done,
        // so `settle` that takes it sees every waiting patient.
        let _derived = self.derived();
        let (ids, trigger, origin) = self.backlog.take(n);
        if ids.is_empty() {
            return false;
        }
        self.reevaluate(vault, &ids, &trigger, &origin);
        true
    }

    /// Works through the whole backlog in this thread.
    pub fn settle(&self) {
        while self.settle_some(BATCH) {}
    }

    /// Re-evaluates one patient now if they are waiting (before their risks or tags
    /// are read). The caller must not hold the derived lock.
    pub(crate) fn settle_patient(&self, vault: &Vault, id: &PatientId) {
        let _derived = self.derived();
        let (waiting, trigger, origin) = {
            let mut waiting = self.backlog.lock();
            (
                waiting.ids.remove(id),
                waiting.trigger.clone(),
                waiting.origin.clone(),
            )
        };
        if waiting {
            self.reevaluate(vault, &[*id], &trigger, &origin);
        }
    }

    /// Recomputes risks and tags for `patients` after `trigger` (an audit action) was
    /// committed. The caller holds the derived lock. A failure is audited and does not
    /// undo the request that caused it.
    pub(crate) fn reevaluate(
        &self,
        vault: &Vault,
        patients: &[PatientId],
        trigger: &str,
        origin: &Origin,
    ) {
        // The rule file is read once for the whole run, not once a patient.
        let (rules, _) = self.tag_rules.current_alerting(self.dir(), vault);
        let (sets, _) = self.value_sets.current_alerting(self.dir(), vault);
        let context = super::auto_tags::RuleContext {
            sets: &sets,
            utc_offset: self.utc_offset(self.now()),
        };
        for batch in patients.chunks(BATCH) {
            let mut writes = WriteSet::new();
            let mut subjects = Vec::new();
            let (mut risks, mut tags) = (0usize, 0usize);
            let mut failed = false;
            let mut retagged = Vec::new();
            let mut new_items = Vec::new();
            let mut followups = 0usize;
            let mut digests = 0usize;
            for id in batch {
                match self.refresh_one(vault, id, &rules, &context, &mut writes) {
                    Ok((r, t, made, digested)) => {
                        risks += r;
                        digests += usize::from(digested);
                        if r > 0 || t.changed || !made.is_empty() {
                            subjects.push(id.to_string());
                        }
                        followups += made.len();
                        new_items.extend(made);
                        if t.changed {
                            tags += 1;
                            retagged.push((*id, t.tags.into_iter().map(|t| t.tag).collect()));
                        }
                    }
                    Err(_) => failed = true,
                }
            }
            let actor = system_actor(origin);
            if failed {
                let event = AuditEvent::new(actor.clone(), "health.reevaluate", Outcome::Error)
                    .detail(format!("trigger={trigger} some patients could not be read"));
                // Straight to the log: the caller already holds the store.
                let _ = vault.store().audit().append(event);
            }
            if subjects.is_empty() && digests == 0 {
                continue;
            }
            let mut event = AuditEvent::new(actor, "health.reevaluate", Outcome::Ok).detail(
                format!(
                    "trigger={trigger} risks_changed={risks} tags_changed={tags} followups_made={followups} results_digests={digests}"
                ),
            );
            event.subjects = subjects;
            if vault.commit(event, writes).is_err() {
                // Nothing was written; the next change or reading the risks recomputes.
                continue;
            }
            self.set_auto_tags_in_index(retagged);
            self.update_queue(new_items);
        }
    }

    /// Search rows show the automatic tags: keep the name index (if built) in step.
    pub(crate) fn set_auto_tags_in_index(&self, retagged: Vec<(PatientId, Vec<String>)>) {
        if let Some(index) = self
            .name_index
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            for (id, tags) in retagged {
                index.set_auto_tags(&id, tags);
            }
        }
    }

    fn refresh_one(
        &self,
        vault: &Vault,
        id: &PatientId,
        rules: &crate::domain::tag_rules::Rules,
        context: &super::auto_tags::RuleContext<'_>,
        writes: &mut WriteSet,
    ) -> Result<(usize, Refreshed, Vec<FollowUp>, bool), crate::clinic::api::ServiceError> {
        let (mut chart, digested) = Chart::load_digested(vault, id, writes)?;
        let now = self.now();
        let (fresh, risks) = super::risk::refresh(vault, id, &chart, now, context, writes)?;
        chart.assessments.extend(fresh);
        let tags = super::auto_tags::refresh(rules, context, vault, id, &chart, now, writes)?;
        let followups = self.followup_events(vault, id, &chart, &tags, now, writes)?;
        Ok((risks, tags, followups, digested))
    }
}

impl Clinic {
    /// The follow-up plans the patient's data now calls for (a new automatic tag, an
    /// abnormal result, a high risk …), staged with their first follow-up.
    fn followup_events(
        &self,
        vault: &Vault,
        id: &PatientId,
        chart: &Chart,
        tags: &Refreshed,
        now: i64,
        writes: &mut WriteSet,
    ) -> Result<Vec<FollowUp>, crate::clinic::api::ServiceError> {
        let names: Vec<String> = tags.tags.iter().map(|t| t.tag.clone()).collect();
        let plans = vault.followup_plans(id)?;
        let events = crate::clinic::followup::plans::events(chart, &names, &plans, now);
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let protocols = crate::clinic::followup::plans::protocols(self)?;
        let team = self.settings().followup.default_team.clone();
        let today = self
            .settings()
            .clinic_zone()
            .today(chrono::DateTime::from_timestamp(now, 0).unwrap_or_default());
        let mut made = Vec::new();
        let first = crate::clinic::followup::plans::next_plan_number(&plans);
        for (number, (kind, source)) in (first..).zip(events) {
            let (_, item) = crate::clinic::followup::plans::stage_new_plan(
                vault,
                writes,
                (id, number),
                (kind, 30, today, &team),
                (&source, now),
                &protocols,
            )?;
            made.extend(item);
        }
        Ok(made)
    }
}

/// What risks and tags are computed from, read once for both.
pub(crate) struct Chart {
    pub patient: crate::domain::patient::Patient,
    pub record: crate::domain::health::HealthRecord,
    pub observations: Vec<crate::domain::observation::Observation>,
    pub questionnaires: Vec<crate::domain::questionnaire::Response>,
    /// Every kept assessment (and, once refreshed, the fresh ones after them).
    pub assessments: Vec<crate::domain::assessment::Assessment>,
    pub plans: Vec<crate::domain::plan::PlanVersion>,
}

impl Chart {
    pub(crate) fn load(vault: &Vault, id: &PatientId) -> Result<Chart, crate::store::StoreError> {
        Self::with_observations(vault, id, vault.observations(id)?)
    }

    /// The chart with its results from the patient's results digest
    /// (`store::results_digest`), a fresh digest staged in `writes` when the stored
    /// one no longer matches; also says whether it staged one.
    pub(crate) fn load_digested(
        vault: &Vault,
        id: &PatientId,
        writes: &mut WriteSet,
    ) -> Result<(Chart, bool), crate::store::StoreError> {
        let (observations, staged) = vault.observations_digested(id, writes)?;
        Ok((Self::with_observations(vault, id, observations)?, staged))
    }

    fn with_observations(
        vault: &Vault,
        id: &PatientId,
        observations: Vec<crate::domain::observation::Observation>,
    ) -> Result<Chart, crate::store::StoreError> {
        Ok(Chart {
            patient: vault.patient(id)?,
            record: vault.health(id)?,
            observations,
            questionnaires: vault.questionnaire_responses(id)?,
            assessments: vault.assessments(id)?,
            plans: vault.plans(id)?,
        })
    }
}
