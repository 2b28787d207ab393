//! Key rotation through the service. For the data key, each call holds the store to
//! itself for one batch (other requests wait a few milliseconds, then go on under
//! whichever key each value carries), so a rotation can run while the clinic works.
//! For the audit log, the sealing epoch is closed early and its key erased.

use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clinic::api::AuditSealed;
use crate::clinic::api::{Response, ServiceError};
use crate::clinic::service::{Backend, Clinic};
use crate::clinic::table::Operation;
use crate::crypto::DataKeys;
use crate::store::rotation::{self, RotationProgress};
use crate::store::{StoreError, Vault};
use crate::text;

/// The most values one call re-seals: a batch takes tens of milliseconds.
pub const MAX_BATCH: u32 = 20_000;

impl Clinic {
    pub(crate) fn rotate_key(
        &self,
        actor: Actor,
        op: &Operation,
        batch: u32,
        now: i64,
    ) -> Response {
        let outcome = {
            let mut backend = self.backend.write().unwrap_or_else(|p| p.into_inner());
            match &*backend {
                Backend::Unlocked(vault) => {
                    let event = AuditEvent::new(actor.clone(), op.action, Outcome::Ok);
                    let batch = batch.clamp(1, MAX_BATCH) as usize;
                    advance(vault, event, batch, now).map(|(progress, keys)| {
                        if let Some(keys) = keys
                            && let Backend::Unlocked(vault) =
                                std::mem::replace(&mut *backend, Backend::Switching)
                        {
                            *backend = Backend::Unlocked(Vault::new(vault.into_store(), keys));
                        }
                        progress
                    })
                }
                _ => Err(StoreError::Invalid(text!("msg.store.locked").english())),
            }
        };
        // The write lock is released before a refusal is audited (which reads the store).
        match outcome {
            Ok(progress) => Response::KeyRotation(progress.into()),
            Err(StoreError::Invalid(why)) => self.refuse(
                actor,
                op,
                ServiceError::Invalid(text!("msg.store.refused", detail = why)),
            ),
            Err(other) => self.refuse(
                actor,
                op,
                ServiceError::Unavailable(text!("msg.store.failed", detail = other)),
            ),
        }
    }
}

impl Clinic {
    pub(crate) fn seal_audit_now(&self, actor: Actor, op: &Operation, reason: &str) -> Response {
        let reason = reason.trim();
        if reason.chars().count() < 5 || reason.chars().count() > 200 {
            let why = text!("msg.audit.seal_reason");
            return self.refuse(actor, op, ServiceError::Invalid(why));
        }
        let event = AuditEvent::new(actor.clone(), op.action, Outcome::Ok)
            .detail(format!("reason: {reason}"));
        let sealed = {
            let backend = self.backend();
            match backend.store() {
                Some(store) => store.audit().seal_now(event).map_err(|e| e.to_string()),
                None => Err("the store is busy; try again".into()),
            }
        };
        match sealed {
            Ok(head) => Response::AuditSealed(AuditSealed {
                epoch: head.epoch,
                seq: head.seq,
            }),
            Err(why) => self.refuse(
                actor,
                op,
                ServiceError::Unavailable(text!("msg.store.failed", detail = why)),
            ),
        }
    }
}

/// Begins a rotation or re-seals one batch. Returns the progress and, when the working
/// keys change (at the beginning and at the end), the keys to swap in.
fn advance(
    vault: &Vault,
    event: AuditEvent,
    batch: usize,
    now: i64,
) -> Result<(RotationProgress, Option<DataKeys>), StoreError> {
    if rotation::status(vault.store())?.is_none() {
        let (keys, progress) = rotation::begin(vault, event, now)?;
        return Ok((progress, Some(keys)));
    }
    let progress = rotation::step(vault, batch, event)?;
    if progress.finished {
        // The previous generation's keys are dropped (and zeroised) with the old vault.
        let keys = vault.keys();
        let current =
            DataKeys::from_dek(keys.dek().clone(), keys.generation).with_blind(keys.blind.clone());
        return Ok((progress, Some(current)));
    }
    Ok((progress, None))
}
