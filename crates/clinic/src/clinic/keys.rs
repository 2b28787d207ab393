//! Key administration through the service: key-file slots for unattended jobs, the
//! list of slots, removing one, a new recovery key. None re-encrypts data: a slot only
//! wraps the data key.

use super::api::{Response, Secret, ServiceError};
use super::service::{Ctx, Reply};
use crate::clinic::api::{KeyFileCreated, RecoveryKeyCreated};
use crate::crypto::keyslot::RecoveryKey;
use crate::crypto::{KdfParams, SlotKind};
use crate::store::writes::WriteSet;
use crate::text;

pub(crate) fn add_file(ctx: &Ctx<'_>, label: &str) -> Result<Reply, ServiceError> {
    let valid = !label.is_empty()
        && label.len() <= 32
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(ServiceError::Invalid(text!("msg.keys.bad_label")));
    }
    let store = ctx.vault.store();
    let taken = store
        .key_slots()?
        .iter()
        .any(|s| matches!(&s.kind, SlotKind::KeyFile { label: l } if l == label));
    if taken {
        return Err(ServiceError::Conflict(text!(
            "msg.keys.label_taken",
            label = label
        )));
    }
    let key = RecoveryKey::generate();
    let mut writes = WriteSet::new();
    let slot = store.stage_slot(
        &mut writes,
        ctx.vault.keys(),
        SlotKind::KeyFile {
            label: label.to_string(),
        },
        KdfParams::Hkdf,
        key.bytes(),
    )?;
    Ok(Reply::new(Response::KeyFileCreated(KeyFileCreated {
        label: label.to_string(),
        key: Secret(key.display().to_string()),
    }))
    .writes(writes)
    .subject(format!("key-slot:{slot}")))
}

/// A key slot as the admin sees it: which secret opens it, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlotSummary {
    pub id: u64,
    /// "password", "recovery" or "key-file".
    pub kind: String,
    /// The user of a password slot, the label of a key file.
    pub name: String,
    pub created_unix: i64,
    /// The data-key generation the slot wraps.
    pub generation: u32,
    /// A rotation's grant waits for the slot's next use.
    pub grant_waiting: bool,
}

pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let grants = ctx.vault.store().key_grants()?;
    let slots: Vec<SlotSummary> = ctx
        .vault
        .store()
        .key_slots()?
        .into_iter()
        .map(|s| {
            let generation = crate::crypto::envelope::key_id(&s.wrapped_dek).unwrap_or(0);
            let grant_waiting = grants.contains_key(&s.id);
            let (kind, name) = match s.kind {
                SlotKind::Password { user } => ("password", user),
                SlotKind::Recovery => ("recovery", String::new()),
                SlotKind::KeyFile { label } => ("key-file", label),
            };
            SlotSummary {
                id: s.id,
                kind: kind.into(),
                name,
                created_unix: s.created_unix,
                generation,
                grant_waiting,
            }
        })
        .collect();
    let count = slots.len();
    Ok(Reply::new(Response::KeySlots(slots)).detail(format!("count={count}")))
}

/// Removes a key-file or recovery slot; the data is not re-encrypted (the slot only
/// wrapped the data key). The last recovery slot stays: it opens the store when every
/// other slot is lost. Password slots go with their user (`user disable`).
pub(crate) fn remove(ctx: &Ctx<'_>, id: u64) -> Result<Reply, ServiceError> {
    let store = ctx.vault.store();
    let slots = store.key_slots()?;
    let slot = slots
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ServiceError::NotFound(format!("key slot {id}")))?;
    match &slot.kind {
        SlotKind::Password { user } => {
            return Err(ServiceError::Invalid(text!(
                "msg.keys.password_slot",
                id = id,
                user = user
            )));
        }
        SlotKind::Recovery => {
            let recovery = slots
                .iter()
                .filter(|s| s.kind == SlotKind::Recovery)
                .count();
            if recovery <= 1 {
                return Err(ServiceError::Invalid(text!("msg.keys.last_recovery")));
            }
        }
        SlotKind::KeyFile { .. } => {}
    }
    let mut writes = WriteSet::new();
    store.stage_slot_removal(&mut writes, id)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("key-slot:{id}")))
}

/// A new recovery key (shown once); the old ones keep working until removed.
pub(crate) fn add_recovery(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let key = RecoveryKey::generate();
    let mut writes = WriteSet::new();
    let slot = ctx.vault.store().stage_slot(
        &mut writes,
        ctx.vault.keys(),
        SlotKind::Recovery,
        KdfParams::Hkdf,
        key.bytes(),
    )?;
    Ok(Reply::new(Response::RecoveryKeyCreated(RecoveryKeyCreated {
        slot,
        key: Secret(key.display().to_string()),
    }))
    .writes(writes)
    .subject(format!("key-slot:{slot}")))
}
