//! Follow-up plans (patient key), the due items the queue lists (data key: the queue
//! crosses patients; keyed by patient, plan and sequence), calls (patient key, in time
//! order) and call recordings: each recording is stored in chunks, each chunk sealed
//! with the patient's key under a store key made of the patient, the recording and the
//! chunk's position, so a chunk moved or swapped no longer opens.

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::codec::Versioned;
use crate::domain::followup::{Call, FollowUp, FollowUpPlan};
use crate::domain::patient::PatientId;

pub const FOLLOWUP_PLANS_TREE: &str = "followup_plans";
pub const FOLLOWUPS_TREE: &str = "followups";
pub const CALLS_TREE: &str = "calls";
pub const RECORDINGS_TREE: &str = "recordings";
pub const RECORDING_META_TREE: &str = "recording_meta";
/// Calls kept at an idle sign-out: `user || 0 || patient id`, sealed with the
/// patient's key.
pub const DRAFTS_TREE: &str = "call_drafts";

impl Record for crate::domain::draft::CallDraft {
    const TREE: &'static str = DRAFTS_TREE;
}

fn draft_key(user: &str, patient: &PatientId) -> Vec<u8> {
    let mut key = user.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&patient.0);
    key
}

impl Record for FollowUpPlan {
    const TREE: &'static str = FOLLOWUP_PLANS_TREE;
}

impl Record for FollowUp {
    const TREE: &'static str = FOLLOWUPS_TREE;
}

impl Record for Call {
    const TREE: &'static str = CALLS_TREE;
}

/// One chunk of a recording's bytes, encoded as one byte string (not a sequence of
/// numbers), so a megabyte is copied rather than walked byte by byte.
#[derive(Clone, PartialEq, Eq)]
pub struct Chunk(pub Vec<u8>);

impl serde::Serialize for Chunk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Chunk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Chunk;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a recording chunk's bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Chunk, E> {
                Ok(Chunk(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Chunk, E> {
                Ok(Chunk(v))
            }
            fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Chunk, E> {
                Ok(Chunk(v.to_vec()))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

impl Versioned for Chunk {
    const VERSION: u16 = 1;
}

impl Record for Chunk {
    const TREE: &'static str = RECORDINGS_TREE;
}

pub use crate::domain::followup::RecordingMeta;

impl Record for RecordingMeta {
    const TREE: &'static str = RECORDING_META_TREE;
}

/// The store key of a follow-up item.
pub fn item_key(item: &FollowUp) -> Vec<u8> {
    let mut key = item.patient.0.to_vec();
    key.extend_from_slice(&item.plan.to_be_bytes());
    key.extend_from_slice(&item.seq.to_be_bytes());
    key
}

fn plan_key(id: &PatientId, number: u32) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(&number.to_be_bytes());
    key
}

fn recording_key(id: &PatientId, recording: &[u8; 16]) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(recording);
    key
}

fn chunk_key(id: &PatientId, recording: &[u8; 16], index: u32) -> Vec<u8> {
    let mut key = recording_key(id, recording);
    key.extend_from_slice(&index.to_be_bytes());
    key
}

impl Vault {
    pub fn stage_followup_plan(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        plan: &FollowUpPlan,
    ) -> Result<(), StoreError> {
        self.stage_put(
            writes,
            Scope::Patient(*id),
            &plan_key(id, plan.number),
            plan,
        )
    }

    /// The patient's follow-up plans, by number.
    pub fn followup_plans(&self, id: &PatientId) -> Result<Vec<FollowUpPlan>, StoreError> {
        self.history(id)
    }

    /// The patients who have any follow-up plan (read from the plans' keys alone).
    pub fn patients_with_followup_plans(&self) -> Result<Vec<PatientId>, StoreError> {
        let mut out: Vec<PatientId> = Vec::new();
        for key in self.tree(FOLLOWUP_PLANS_TREE)?.iter().keys() {
            let key = key.map_err(|e| self.sled_err(e))?;
            let Some(id) = key.get(..16).and_then(|b| <[u8; 16]>::try_from(b).ok()) else {
                continue;
            };
            if out.last().is_none_or(|last| last.0 != id) {
                out.push(PatientId(id));
            }
        }
        Ok(out)
    }

    /// Keeps `draft` for `user`, in place of any draft of theirs before.
    pub fn stage_call_draft(
        &self,
        writes: &mut WriteSet,
        user: &str,
        draft: &crate::domain::draft::CallDraft,
    ) -> Result<(), StoreError> {
        self.stage_drop_call_drafts(writes, user)?;
        self.stage_put(
            writes,
            Scope::Patient(draft.patient),
            &draft_key(user, &draft.patient),
            draft,
        )
    }

    /// The drafts kept for `user` (one, usually); a draft whose patient was erased
    /// opens for nobody and is left out.
    pub fn call_drafts(
        &self,
        user: &str,
    ) -> Result<Vec<crate::domain::draft::CallDraft>, StoreError> {
        let mut prefix = user.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.tree(DRAFTS_TREE)?.scan_prefix(&prefix) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            let Some(id) = key
                .get(prefix.len()..)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .map(PatientId)
            else {
                continue;
            };
            if let Ok(draft) = self.open_sealed(Scope::Patient(id), &key, &sealed) {
                out.push(draft);
            }
        }
        Ok(out)
    }

    /// Drops every draft kept for `user`.
    pub fn stage_drop_call_drafts(
        &self,
        writes: &mut WriteSet,
        user: &str,
    ) -> Result<(), StoreError> {
        let mut prefix = user.as_bytes().to_vec();
        prefix.push(0);
        let tree = self.tree(DRAFTS_TREE)?;
        for key in tree.scan_prefix(&prefix).keys() {
            writes.delete(&tree, key.map_err(|e| self.sled_err(e))?.to_vec());
        }
        Ok(())
    }

    pub fn stage_followup(&self, writes: &mut WriteSet, item: &FollowUp) -> Result<(), StoreError> {
        self.stage_put(writes, Scope::Clinic, &item_key(item), item)
    }

    pub fn followup(&self, key: &[u8]) -> Result<Option<FollowUp>, StoreError> {
        self.get(Scope::Clinic, key)
    }

    /// The patient's follow-up items, by plan then sequence.
    pub fn followups_of(&self, id: &PatientId) -> Result<Vec<FollowUp>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(FOLLOWUPS_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Clinic, &key, &sealed)?);
        }
        Ok(out)
    }

    /// Every follow-up item in the store (to build the queue's index once).
    pub fn all_followups(&self) -> Result<Vec<FollowUp>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(FOLLOWUPS_TREE)?.iter() {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed(Scope::Clinic, &key, &sealed)?);
        }
        Ok(out)
    }

    pub fn stage_call(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        call: &Call,
    ) -> Result<(), StoreError> {
        self.stage_in_history(writes, id, &[], call)
    }

    /// The patient's calls, oldest first.
    pub fn calls(&self, id: &PatientId) -> Result<Vec<Call>, StoreError> {
        self.history(id)
    }

    pub fn stage_recording_meta(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        meta: &RecordingMeta,
    ) -> Result<(), StoreError> {
        self.stage_put(
            writes,
            Scope::Patient(*id),
            &recording_key(id, &meta.id),
            meta,
        )
    }

    pub fn recording_meta(
        &self,
        id: &PatientId,
        recording: &[u8; 16],
    ) -> Result<Option<RecordingMeta>, StoreError> {
        self.get(Scope::Patient(*id), &recording_key(id, recording))
    }

    /// The patient's recordings (their descriptions), by id.
    pub fn recordings_of(&self, id: &PatientId) -> Result<Vec<RecordingMeta>, StoreError> {
        self.history(id)
    }

    /// Removes a recording: its description and every chunk (retention has run out).
    pub fn stage_recording_delete(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        meta: &RecordingMeta,
    ) -> Result<(), StoreError> {
        let chunks = self.tree(RECORDINGS_TREE)?;
        for index in 0..meta.chunks {
            writes.delete(&chunks, chunk_key(id, &meta.id, index));
        }
        writes.delete(
            &self.tree(RECORDING_META_TREE)?,
            recording_key(id, &meta.id),
        );
        Ok(())
    }

    pub fn stage_recording_chunk(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        recording: &[u8; 16],
        index: u32,
        bytes: Vec<u8>,
    ) -> Result<(), StoreError> {
        let chunk = Chunk(bytes);
        self.stage_put(
            writes,
            Scope::Patient(*id),
            &chunk_key(id, recording, index),
            &chunk,
        )
    }

    pub fn recording_chunk(
        &self,
        id: &PatientId,
        recording: &[u8; 16],
        index: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .get::<Chunk>(Scope::Patient(*id), &chunk_key(id, recording, index))?
            .map(|c| c.0))
    }
}
