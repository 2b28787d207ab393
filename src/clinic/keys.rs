//! Key administration through the service: key-file slots for unattended jobs.

use super::api::{Response, Secret, ServiceError};
use super::service::{Ctx, Reply};
use crate::crypto::keyslot::RecoveryKey;
use crate::crypto::{KdfParams, SlotKind};
use crate::store::writes::WriteSet;

pub(crate) fn add_file(ctx: &Ctx<'_>, label: &str) -> Result<Reply, ServiceError> {
    let valid = !label.is_empty()
        && label.len() <= 32
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(ServiceError::Invalid(
            "a key-file label is 1 to 32 letters, digits, '-', '_' or '.'".into(),
        ));
    }
    let store = ctx.vault.store();
    let taken = store
        .key_slots()?
        .iter()
        .any(|s| matches!(&s.kind, SlotKind::KeyFile { label: l } if l == label));
    if taken {
        return Err(ServiceError::Conflict(format!(
            "a key file labelled {label} already exists"
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
        KdfParams::HkdfSha256,
        key.bytes(),
    )?;
    Ok(Reply::new(Response::KeyFileCreated {
        label: label.to_string(),
        key: Secret(key.display().to_string()),
    })
    .writes(writes)
    .subject(format!("key-slot:{slot}")))
}
