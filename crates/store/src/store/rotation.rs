//! Data-key rotation. `begin` makes the next generation's data key, seals it to every
//! key slot as a grant (taken up at the slot's next use) and records the rotation in
//! the keyring; `step` re-seals a batch of the values still under the old key. The
//! clinic keeps working between batches (each envelope names its generation, so reads
//! find the right key), and a crash resumes after the last batch committed. The old
//! data key is gone from the store when the last batch is done.

use std::ops::Bound;

use super::StoreError;
use super::db::{KEYSLOT_TREE, Store};
use super::keyring::{self, GRANTS_TREE, KeyringEntry, Rotation};
use super::meta::META_TREE;
use super::vault::{PATIENT_KEYS_TREE, Vault};
use super::writes::WriteSet;
use crate::audit::AuditEvent;
use crate::audit::log::AUDIT_TREE;
use crate::crypto::envelope::{self, Aad};
use crate::crypto::{DataKeys, SecretKey, SlotKind, grant};

/// Trees that hold nothing sealed under the data key (or, for the keyring and slots,
/// are handled by `begin` itself).
const NOT_RESEALED: &[&str] = &[META_TREE, KEYSLOT_TREE, GRANTS_TREE, AUDIT_TREE];

/// Where a rotation stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RotationProgress {
    pub from: u32,
    pub to: u32,
    /// Values looked at so far, of about `total`.
    pub scanned: u64,
    pub total: u64,
    /// Values re-sealed under the new key so far.
    pub resealed: u64,
    pub finished: bool,
    /// Key slots that hold a grant for the new key (taken up at their next use).
    pub granted: u32,
    /// Owners of key slots too old to take a grant: they must be reset.
    pub left_out: Vec<String>,
}

impl Store {
    /// The trees a rotation walks, in name order.
    fn resealed_trees(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .db
            .tree_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .filter(|n| !n.starts_with("__sled") && !NOT_RESEALED.contains(&n.as_str()))
            .collect();
        names.sort();
        names
    }

    /// Progress of the rotation to generation `to`: `rotation` is where it stands
    /// (`None` when there is none); `finished` when its last step is done.
    fn progress(
        &self,
        to: u32,
        rotation: Option<&Rotation>,
        finished: bool,
    ) -> Result<RotationProgress, StoreError> {
        let slots = self.key_slots()?;
        let grants = self.key_grants()?;
        let left_out = slots
            .iter()
            .filter(|s| s.grant_public.is_none())
            .map(|s| keyring::slot_owner(&s.kind))
            .collect();
        let (from, scanned, total, resealed) = match rotation {
            // Values written meanwhile make the count pass the estimate.
            Some(r) if finished => (r.from, r.scanned.max(r.total), r.total, r.resealed),
            Some(r) => (r.from, r.scanned, r.total, r.resealed),
            None => (to.saturating_sub(1), 0, 0, 0),
        };
        Ok(RotationProgress {
            from,
            to,
            scanned,
            total,
            resealed,
            finished,
            granted: grants.len() as u32,
            left_out,
        })
    }
}

/// The rotation under way, if any.
pub fn status(store: &Store) -> Result<Option<RotationProgress>, StoreError> {
    let keyring = store.keyring()?;
    match keyring.rotation {
        Some(r) => Ok(Some(store.progress(keyring.generation, Some(&r), false)?)),
        None => Ok(None),
    }
}

/// Starts a rotation on the unlocked store: returns the new working keys (which carry
/// the old ones as `previous` until the last batch). Refused while one is under way,
/// and when no recovery key could open the store afterwards.
pub fn begin(
    vault: &Vault,
    event: AuditEvent,
    now: i64,
) -> Result<(DataKeys, RotationProgress), StoreError> {
    let store = vault.store();
    let old = vault.keys();
    let mut keyring = store.keyring()?;
    if keyring.rotation.is_some() {
        return Err(StoreError::Invalid(
            "a data-key rotation is already under way: run `caredesk key rotate` again to finish it".into(),
        ));
    }
    let slots = store.key_slots()?;
    if !slots
        .iter()
        .any(|s| s.kind == SlotKind::Recovery && s.grant_public.is_some())
    {
        return Err(StoreError::Invalid(
            "no recovery key could open the store after the rotation (its slot predates key rotation): make a new recovery key with `caredesk key add-recovery` first, then rotate".into(),
        ));
    }
    let generation = keyring.generation + 1;
    let mut new = DataKeys::from_dek(SecretKey::random(), generation).with_blind(old.blind.clone());
    let trees = store.resealed_trees();
    let total = trees
        .iter()
        .map(|name| store.tree(name).map(|t| t.len() as u64))
        .sum::<Result<u64, _>>()?;
    keyring.generation = generation;
    keyring.blind_sealed = Some(keyring::seal_key(
        &new,
        KeyringEntry::Blind,
        old.blind.key(),
    ));
    keyring.rotation = Some(Rotation {
        from: old.generation,
        previous_sealed: keyring::seal_key(&new, KeyringEntry::Previous, old.dek()),
        started_unix: now,
        started_by: event.actor.user.clone().unwrap_or_default(),
        cursor_tree: trees.first().cloned().unwrap_or_default(),
        cursor_key: None,
        scanned: 0,
        resealed: 0,
        total,
    });
    let mut writes = WriteSet::new();
    store.stage_keyring(&mut writes, &keyring)?;
    let grants_tree = store.tree(GRANTS_TREE)?;
    // Grants for an older generation open nothing now; each slot gets one for this.
    for item in grants_tree.iter() {
        let (key, _) = item.map_err(|e| StoreError::from_sled(store.dir(), e))?;
        writes.delete(&grants_tree, key.to_vec());
    }
    let mut granted = 0;
    for slot in &slots {
        // A public key that is no key (a damaged or altered slot) gets no grant: the
        // slot is left out like one made before grants, and counted so.
        if let Some(Ok(sealed)) = slot
            .grant_public
            .as_ref()
            .map(|public| grant::seal(public, new.dek(), generation))
        {
            writes.put(&grants_tree, slot.id.to_be_bytes(), sealed);
            granted += 1;
        }
    }
    let event = event.detail(format!(
        "began: generation {} to {generation}; {granted} key slots granted, {} left out",
        old.generation,
        slots.len() - granted
    ));
    store.audit().commit(event, writes)?;
    new.previous = Some(Box::new(
        DataKeys::from_dek(old.dek().clone(), old.generation).with_blind(old.blind.clone()),
    ));
    let progress = store.progress(generation, keyring.rotation.as_ref(), false)?;
    Ok((new, progress))
}

/// Re-seals up to `limit` values still under the previous key, from where the last
/// batch stopped, and commits them with the keyring's new position and `event`. The
/// batch that reaches the end drops the previous key from the keyring.
pub fn step(
    vault: &Vault,
    limit: usize,
    event: AuditEvent,
) -> Result<RotationProgress, StoreError> {
    let store = vault.store();
    let keys = vault.keys();
    let mut keyring = store.keyring()?;
    let Some(mut rotation) = keyring.rotation.clone() else {
        return store.progress(keyring.generation, None, true);
    };
    let previous = keys
        .for_generation(rotation.from)
        .filter(|_| rotation.from != keys.generation)
        .ok_or_else(|| {
            StoreError::Invalid(
                "the rotation's previous data key is not open: sign in again".into(),
            )
        })?;
    let trees = store.resealed_trees();
    let mut writes = WriteSet::new();
    let mut budget = limit.max(1);
    let mut batch_resealed = 0u64;
    let mut finished = false;
    loop {
        let name = rotation.cursor_tree.clone();
        // A tree made after the rotation began has nothing under the old key.
        if !trees.contains(&name) {
            match trees.iter().find(|t| **t > name) {
                Some(next) => {
                    rotation.cursor_tree = next.clone();
                    rotation.cursor_key = None;
                    continue;
                }
                None => {
                    finished = true;
                    break;
                }
            }
        }
        let tree = store.tree(&name)?;
        let range = match &rotation.cursor_key {
            Some(after) => {
                tree.range::<&[u8], _>((Bound::Excluded(after.as_slice()), Bound::Unbounded))
            }
            None => tree.range::<&[u8], _>(..),
        };
        let mut exhausted = true;
        for item in range {
            if budget == 0 {
                exhausted = false;
                break;
            }
            let (key, value) = item.map_err(|e| StoreError::from_sled(store.dir(), e))?;
            budget -= 1;
            rotation.scanned += 1;
            if let Some(resealed) = reseal(&name, &key, &value, previous, keys) {
                writes.put(&tree, key.to_vec(), resealed);
                batch_resealed += 1;
            }
            rotation.cursor_key = Some(key.to_vec());
        }
        if !exhausted {
            break;
        }
        match trees.iter().find(|t| **t > name) {
            Some(next) => {
                rotation.cursor_tree = next.clone();
                rotation.cursor_key = None;
            }
            None => {
                finished = true;
                break;
            }
        }
    }
    rotation.resealed += batch_resealed;
    let detail = if finished {
        format!(
            "finished: generation {} to {}; {} values re-sealed; the old data key is gone",
            rotation.from, keyring.generation, rotation.resealed
        )
    } else {
        format!(
            "re-sealed {batch_resealed} values ({} of about {} looked at)",
            rotation.scanned, rotation.total
        )
    };
    keyring.rotation = (!finished).then(|| rotation.clone());
    store.stage_keyring(&mut writes, &keyring)?;
    store.audit().commit(event.detail(detail), writes)?;
    store.progress(keyring.generation, Some(&rotation), finished)
}

/// The value re-sealed under `new`, when it is sealed under `previous`; `None` for
/// everything else (a patient's records stay under that patient's own key, which is
/// re-wrapped instead).
fn reseal(
    tree: &str,
    key: &[u8],
    value: &[u8],
    previous: &DataKeys,
    new: &DataKeys,
) -> Option<Vec<u8>> {
    if envelope::key_id(value).ok()? != previous.generation {
        return None;
    }
    let (old_key, new_key) = if tree == PATIENT_KEYS_TREE {
        (&previous.patient_wrap, &new.patient_wrap)
    } else {
        (&previous.data, &new.data)
    };
    let aad = Aad::new(tree, key);
    let plain = envelope::open(old_key, aad, value).ok()?;
    Some(envelope::seal(new_key, new.generation, aad, &plain))
}
