//! Key administration through the service: key-file slots for unattended jobs, the
//! list of slots, removing one, a new recovery key. None re-encrypts data: a slot only
//! wraps the data key.

use crate::clinic::api::{KeyFileCreated, RecoveryKeyCreated};
use crate::clinic::api::{Response, Secret, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::crypto::keyslot::RecoveryKey;
use crate::crypto::{KdfParams, SlotKind};
use crate::store::writes::WriteSet;
use crate::text;

/// A key file's or token slot's label: short, plain and not yet used by either.
fn check_new_label(ctx: &Ctx<'_>, label: &str) -> Result<(), ServiceError> {
    let valid = !label.is_empty()
        && label.len() <= 32
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(ServiceError::Invalid(text!("msg.keys.bad_label")));
    }
    let taken = ctx
        .vault
        .store()
        .key_slots()?
        .iter()
        .any(|s| s.kind.unattended_label() == Some(label));
    if taken {
        return Err(ServiceError::Conflict(text!(
            "msg.keys.label_taken",
            label = label
        )));
    }
    Ok(())
}

pub(crate) fn add_file(ctx: &Ctx<'_>, label: &str) -> Result<Reply, ServiceError> {
    check_new_label(ctx, label)?;
    let store = ctx.vault.store();
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

/// The associated data a token slot's key is encrypted under: its label.
pub fn token_aad(label: &str) -> Vec<u8> {
    format!("caredesk key slot {label}").into_bytes()
}

/// A slot opened like a key file whose key only the PKCS#11 token can decrypt: the
/// token (the library `serve --pkcs11-module` names) makes its AES key if it has none by that
/// label, and encrypts a new random key with it. The daemon opens the slot at start
/// with the token's PIN (`caredesk serve --token-pin-file`).
pub(crate) fn add_token(
    ctx: &Ctx<'_>,
    label: &str,
    token: &str,
    key_label: &str,
    pin: &Secret,
) -> Result<Reply, ServiceError> {
    check_new_label(ctx, label)?;
    let module = crate::crypto::token::module()
        .ok_or_else(|| ServiceError::Invalid(text!("msg.keys.no_module")))?;
    let opened = crate::crypto::token::TokenKey::open(module, token, &pin.0, key_label, true)
        .map_err(|e| ServiceError::Invalid(crate::i18n::Text::verbatim(e.to_string())))?;
    let key = RecoveryKey::generate();
    let token_error = |e: crate::crypto::token::TokenError| {
        ServiceError::Invalid(crate::i18n::Text::verbatim(e.to_string()))
    };
    let wrapped = opened
        .wrap(key.bytes(), &token_aad(label))
        .map_err(token_error)?;
    // Kept only once the token has shown it opens what it made.
    let back = opened
        .unwrap(&wrapped, &token_aad(label))
        .map_err(token_error)?;
    if back.as_slice() != key.bytes() {
        return Err(token_error(crate::crypto::token::TokenError::WrongKey));
    }
    drop(opened);
    let mut writes = WriteSet::new();
    let slot = ctx.vault.store().stage_slot(
        &mut writes,
        ctx.vault.keys(),
        SlotKind::Token {
            label: label.to_string(),
            token: token.to_string(),
            key: key_label.to_string(),
            wrapped,
        },
        KdfParams::Hkdf,
        key.bytes(),
    )?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("key-slot:{slot}"))
        .detail(format!("token slot {label}")))
}

/// A key slot as the admin sees it: which secret opens it, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlotSummary {
    pub id: u64,
    /// "password", "recovery", "key-file" or "token".
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
                SlotKind::Token { label, token, .. } => ("token", format!("{label} ({token})")),
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
        SlotKind::KeyFile { .. } | SlotKind::Token { .. } => {}
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
