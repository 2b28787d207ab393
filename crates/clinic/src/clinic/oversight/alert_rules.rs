//! The rules that watch what staff do, as the service audits it: a user opening more
//! distinct patients within an hour than `[alerts] distinct_patients_per_hour`, or
//! exporting and printing more patients' data than `exports_per_hour`, and patient data
//! opened outside the working hours. An alert is staged in the same transaction as the
//! audit record of the request that tripped it, so neither is ever without the other.
//!
//! The windows live in memory; the first request after the service starts rebuilds
//! them from the last hour of the audit log (and the alerts already raised), so a
//! restart neither forgets recent activity nor raises an alert twice.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::NaiveDate;

use super::alert_settings::AlertRules;
use crate::audit::record::AuditRecord;
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::domain::patient::PatientId;
use crate::i18n::Text;
use crate::store::alerts::{AlertKind, details};
use crate::store::writes::WriteSet;
use crate::store::{Store, StoreError};

const HOUR: i64 = 3600;

#[derive(Default)]
pub(crate) struct AlertWatch {
    state: Mutex<WatchState>,
}

#[derive(Default)]
struct WatchState {
    seeded: bool,
    users: HashMap<String, Activity>,
}

#[derive(Default)]
struct Activity {
    /// Patients whose data the user opened or changed in the last hour.
    touched: Window,
    /// Patients whose data the user exported or printed in the last hour.
    exported: Window,
    /// No second alert of a kind for the user before this time.
    many_patients_quiet_until: i64,
    exports_quiet_until: i64,
    /// The clinic day of the user's last outside-hours alert.
    outside_hours_day: Option<NaiveDate>,
}

/// What the rules see of one successful request.
struct Seen<'a> {
    user: &'a str,
    time: i64,
    patients: Vec<PatientId>,
    export: bool,
}

impl<'a> Seen<'a> {
    fn of(event: &'a AuditEvent, time: i64) -> Option<Seen<'a>> {
        let user = event.actor.user.as_deref()?;
        // The rules' own work and acting on an alert (which may name a patient) are
        // not opening patient data.
        if event.actor.role.as_deref() == Some("system") || event.action.starts_with("alert.") {
            return None;
        }
        let patients: Vec<PatientId> = event
            .subjects
            .iter()
            .filter_map(|s| PatientId::parse(s))
            .collect();
        if patients.is_empty() {
            return None;
        }
        let export = event.action == "patient.export"
            || event
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with("disclosure:"));
        Some(Seen {
            user,
            time,
            patients,
            export,
        })
    }
}

/// The patients one user reached in the last hour, each with how often, so that the
/// number of distinct patients is known without going over the hour's requests again:
/// every request of a busy desk (thousands an hour) passes through here under the
/// watch's lock.
#[derive(Default)]
struct Window {
    seen: VecDeque<(i64, PatientId)>,
    times: HashMap<PatientId, u32>,
}

impl Window {
    fn push(&mut self, time: i64, patient: PatientId) {
        self.seen.push_back((time, patient));
        *self.times.entry(patient).or_default() += 1;
    }

    /// Forgets what is an hour old or older at `now`.
    fn slide(&mut self, now: i64) {
        while let Some(&(time, patient)) = self.seen.front() {
            if time > now - HOUR {
                break;
            }
            self.seen.pop_front();
            if let Some(times) = self.times.get_mut(&patient) {
                *times -= 1;
                if *times == 0 {
                    self.times.remove(&patient);
                }
            }
        }
    }

    fn distinct(&self) -> usize {
        self.times.len()
    }
}

/// An alert the rules want raised.
struct Raise {
    kind: AlertKind,
    subjects: Vec<String>,
    detail: Text,
}

impl Activity {
    /// Adds what was seen; returns the alerts it trips.
    fn see(&mut self, seen: &Seen<'_>, rules: &AlertRules) -> Vec<Raise> {
        let now = seen.time;
        let who = format!("user:{}", seen.user);
        let mut raise = Vec::new();
        for p in &seen.patients {
            self.touched.push(now, *p);
            if seen.export {
                self.exported.push(now, *p);
            }
        }
        self.touched.slide(now);
        self.exported.slide(now);
        let limit = rules.distinct_patients_per_hour as usize;
        let count = self.touched.distinct();
        if limit > 0 && count > limit && now >= self.many_patients_quiet_until {
            self.many_patients_quiet_until = now + HOUR;
            raise.push(Raise {
                kind: AlertKind::ManyPatients,
                subjects: vec![who.clone()],
                detail: details::many_patients(count, limit),
            });
        }
        let limit = rules.exports_per_hour as usize;
        let count = self.exported.distinct();
        if seen.export && limit > 0 && count > limit && now >= self.exports_quiet_until {
            self.exports_quiet_until = now + HOUR;
            raise.push(Raise {
                kind: AlertKind::BulkExport,
                subjects: vec![who.clone()],
                detail: details::bulk_export(count, limit),
            });
        }
        if let Some(working) = &rules.working
            && working.is_outside(now)
        {
            let local = working.local(now);
            if self.outside_hours_day != Some(local.date_naive()) {
                self.outside_hours_day = Some(local.date_naive());
                let mut subjects = vec![who];
                subjects.extend(seen.patients.iter().map(|p| p.to_string()));
                raise.push(Raise {
                    kind: AlertKind::OutsideHours,
                    subjects,
                    detail: details::outside_hours(
                        &local.format("%a").to_string(),
                        &local.format("%H:%M").to_string(),
                        &working.label,
                    ),
                });
            }
        }
        raise
    }
}

impl AlertWatch {
    /// Applies the rules to one successful, audited request; stages the alerts it trips
    /// in `writes` and returns their audit records (`alert.raise`, by the `system`
    /// principal), both committed with the request's own audit record.
    pub(crate) fn observe(
        &self,
        rules: &AlertRules,
        store: &Store,
        writes: &mut WriteSet,
        event: &AuditEvent,
        now: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let Some(seen) = Seen::of(event, now) else {
            return Ok(Vec::new());
        };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state.seeded {
            state.seeded = true;
            // A log that cannot be read back leaves the windows empty: the rules
            // then start counting from now rather than refusing the request.
            let _ = seed(&mut state, store, rules, now);
        }
        let raised = state
            .users
            .entry(seen.user.to_string())
            .or_default()
            .see(&seen, rules);
        let mut audits = Vec::new();
        for r in raised {
            let id = store.stage_alert(writes, r.kind, r.subjects, r.detail)?;
            audits.push(
                AuditEvent::new(rules_actor(&event.actor), "alert.raise", Outcome::Ok)
                    .subject(format!("alert:{id}"))
                    .subject(format!("user:{}", seen.user))
                    .detail(format!("kind={}", r.kind.as_str())),
            );
        }
        Ok(audits)
    }
}

/// The `system` principal in the process that applies the rules.
fn rules_actor(triggered_by: &Actor) -> Actor {
    Actor {
        user: Some("system:alert-rules".into()),
        role: Some("system".into()),
        os_user: triggered_by.os_user.clone(),
        ssh_client: None,
        session: None,
    }
}

/// Rebuilds the windows from the last hour of the audit log, and the quiet periods
/// from the alerts already raised.
fn seed(
    state: &mut WatchState,
    store: &Store,
    rules: &AlertRules,
    now: i64,
) -> Result<(), StoreError> {
    let since_ms = (now - HOUR) * 1000;
    let mut recent = Vec::new();
    for item in store.audit().tree().range(&b"r"[..]..&b"s"[..]).rev() {
        let (_, bytes) = item.map_err(|e| StoreError::Invalid(e.to_string()))?;
        let Ok(record) = AuditRecord::decode(&bytes) else {
            break;
        };
        if record.time_ms < since_ms {
            break;
        }
        // Details are sealed and not needed to fill the windows.
        if let Some(event) = record.body.event_head()
            && event.outcome == Outcome::Ok
        {
            recent.push((record.time_ms / 1000, event));
        }
    }
    for (time, event) in recent.iter().rev() {
        if let Some(seen) = Seen::of(event, *time) {
            let activity = state.users.entry(seen.user.to_string()).or_default();
            // Replayed only to fill the windows: what it would raise was raised then.
            let _ = activity.see(&seen, rules);
        }
    }
    let day_ago = now - 24 * HOUR;
    for alert in store.alerts_where(10_000, |a| a.time_unix >= day_ago)? {
        let Some(user) = alert.subjects.iter().find_map(|s| s.strip_prefix("user:")) else {
            continue;
        };
        let activity = state.users.entry(user.to_string()).or_default();
        match alert.kind {
            AlertKind::ManyPatients => {
                activity.many_patients_quiet_until = activity
                    .many_patients_quiet_until
                    .max(alert.time_unix + HOUR)
            }
            AlertKind::BulkExport => {
                activity.exports_quiet_until =
                    activity.exports_quiet_until.max(alert.time_unix + HOUR)
            }
            AlertKind::OutsideHours => {
                if let Some(w) = &rules.working {
                    let day = w.local(alert.time_unix).date_naive();
                    if activity.outside_hours_day.is_none_or(|d| d < day) {
                        activity.outside_hours_day = Some(day);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_each_patient_once_until_their_last_visit_is_an_hour_old() {
        let (a, b) = (PatientId::random(), PatientId::random());
        let mut window = Window::default();
        window.push(0, a);
        window.push(10, a);
        window.push(1800, b);
        window.push(1800, a);
        assert_eq!(window.distinct(), 2);
        // At one hour the first two visits go; a's third keeps a in.
        window.slide(HOUR + 10);
        assert_eq!(window.distinct(), 2);
        window.slide(1800 + HOUR);
        assert_eq!(window.distinct(), 0);
        assert!(window.seen.is_empty() && window.times.is_empty());
    }
}
