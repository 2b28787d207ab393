//! Risks and automatic tags follow the data. Once a request that changes a patient's
//! results, record or questionnaires is committed, the service recomputes that
//! patient's risk assessments and automatic tags and commits what changed as the
//! `system` principal, in its own audit record (`health.reevaluate`), so the chart
//! never shows a tag or a risk computed from data that has since changed.

use super::auto_tags::Refreshed;
use super::service::{Clinic, Origin};
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::auth::Role;
use crate::domain::patient::PatientId;
use crate::store::Vault;
use crate::store::writes::WriteSet;

/// Patients per audit record when an import touched many.
const BATCH: usize = 200;

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

impl Clinic {
    /// Recomputes risks and tags for `patients` after `trigger` (an audit action) was
    /// committed. A failure is audited and does not undo the request that caused it.
    pub(crate) fn reevaluate(
        &self,
        vault: &Vault,
        patients: &[PatientId],
        trigger: &str,
        origin: &Origin,
    ) {
        for batch in patients.chunks(BATCH) {
            let mut writes = WriteSet::new();
            let mut subjects = Vec::new();
            let (mut risks, mut tags) = (0usize, 0usize);
            let mut failed = false;
            let mut retagged = Vec::new();
            for id in batch {
                match self.refresh_one(vault, id, &mut writes) {
                    Ok((r, t)) => {
                        risks += r;
                        if r > 0 || t.changed {
                            subjects.push(id.to_string());
                        }
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
                let _ = self.audit_alone(event);
            }
            if subjects.is_empty() {
                continue;
            }
            let mut event = AuditEvent::new(actor, "health.reevaluate", Outcome::Ok).detail(
                format!("trigger={trigger} risks_changed={risks} tags_changed={tags}"),
            );
            event.subjects = subjects;
            if vault.commit(event, writes).is_err() {
                // Nothing was written; the next change or opening the chart recomputes.
                continue;
            }
            self.set_auto_tags_in_index(retagged);
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
        writes: &mut WriteSet,
    ) -> Result<(usize, Refreshed), super::api::ServiceError> {
        let patient = vault.patient(id)?;
        let now = self.now();
        let (fresh, risks) = super::risk::refresh(vault, &patient, id, now, writes)?;
        let mut assessments = vault.assessments(id)?;
        assessments.extend(fresh);
        let tags = super::auto_tags::refresh(self, vault, &patient, id, &assessments, now, writes)?;
        Ok((risks, tags))
    }
}
