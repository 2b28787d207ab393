//! Results (observations), the external record numbers other systems use for a
//! patient, and the review list of results that matched no patient.
//!
//! Observations are sealed with the patient's key and keyed by patient id, time and an
//! HMAC token of the result's identity (code, time, value, unit): one patient's results
//! come back in time order, and a result already stored is found by its key alone, so
//! importing the same file twice stores nothing the second time.

use super::StoreError;
use super::vault::{INDEX_TREE, Record, Scope, Vault};
use super::writes::WriteSet;
use crate::codec::{CodecError, Versioned, decode_payload};
use crate::crypto::IndexKind;
use crate::domain::observation::Observation;
use crate::domain::patient::PatientId;
use crate::ingest::Incoming;
use crate::ingest::stored::{IncomingV1, IncomingV2, IncomingV4, IncomingV5};

pub const OBSERVATIONS_TREE: &str = "observations";
pub const RESULT_KEYS_TREE: &str = "result_keys";
pub const EXTERNAL_IDS_TREE: &str = "external_ids";
pub const REVIEW_TREE: &str = "results_review";

impl Record for Observation {
    const TREE: &'static str = OBSERVATIONS_TREE;
}

/// The record numbers other systems use for one patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExternalIds(pub Vec<String>);

impl Versioned for ExternalIds {
    const VERSION: u16 = 1;
}

impl Record for ExternalIds {
    const TREE: &'static str = EXTERNAL_IDS_TREE;
}

impl Record for Incoming {
    const TREE: &'static str = REVIEW_TREE;
}

fn observation_key(id: &PatientId, taken_at: i64, token: &[u8; 32]) -> Vec<u8> {
    let mut key = id.0.to_vec();
    // Offset so that times before 1970 still sort first.
    key.extend_from_slice(&((taken_at as u64) ^ (1 << 63)).to_be_bytes());
    key.extend_from_slice(&token[..16]);
    key
}

/// A result ready to stage: its key (equal results, equal keys) and its sealed value,
/// or `None` when the store holds it already.
pub struct PreparedResult {
    pub key: Vec<u8>,
    pub sealed: Option<Vec<u8>>,
}

impl Vault {
    /// The patient's results, oldest first.
    pub fn observations(&self, id: &PatientId) -> Result<Vec<Observation>, StoreError> {
        self.patient_key(id)?;
        self.history(id)
    }

    /// The key one result of one patient is stored under: equal results, equal keys.
    pub fn result_key(&self, id: &PatientId, observation: &Observation) -> Vec<u8> {
        let identity = String::from_utf8_lossy(&observation.identity()).into_owned();
        let token = self.keys().blind.token(IndexKind::Result, &identity);
        observation_key(id, observation.taken_at, &token)
    }

    /// Whether this result is already stored for the patient.
    pub fn has_result(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.tree(OBSERVATIONS_TREE)?
            .contains_key(key)
            .map_err(|e| self.sled_err(e))
    }

    /// A result keyed, looked up and sealed for the patient: the work of staging it
    /// apart from the write itself, so that a large import prepares many at once on
    /// several threads (`stage_prepared` then puts them in the writes, in order).
    pub fn prepare_observation(
        &self,
        id: &PatientId,
        observation: &Observation,
    ) -> Result<PreparedResult, StoreError> {
        let key = self.result_key(id, observation);
        if self.has_result(&key)? {
            return Ok(PreparedResult { key, sealed: None });
        }
        let sealed = self.seal(Scope::Patient(*id), &key, observation)?;
        Ok(PreparedResult {
            key,
            sealed: Some(sealed),
        })
    }

    /// Stages a prepared result that is not stored yet.
    pub fn stage_prepared(
        &self,
        writes: &mut WriteSet,
        key: Vec<u8>,
        sealed: Vec<u8>,
    ) -> Result<(), StoreError> {
        writes.put(&self.tree(OBSERVATIONS_TREE)?, key, sealed);
        Ok(())
    }

    /// Stages a result under its `result_key` (the caller checked `has_result`).
    pub fn stage_observation(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        key: Vec<u8>,
        observation: &Observation,
    ) -> Result<(), StoreError> {
        self.patient_key(id)?;
        self.stage_put(writes, Scope::Patient(*id), &key, observation)
    }

    /// Whether an unmatched message is already on (or was once on) the review list.
    pub fn has_review(&self, token: &[u8]) -> Result<bool, StoreError> {
        self.tree(RESULT_KEYS_TREE)?
            .contains_key(token)
            .map_err(|e| self.sled_err(e))
    }

    pub fn external_ids(&self, id: &PatientId) -> Result<ExternalIds, StoreError> {
        self.patient_key(id)?;
        Ok(self.get(Scope::Patient(*id), &id.0)?.unwrap_or_default())
    }

    /// Records numbers another system uses for the patient, so their next messages match.
    pub fn stage_external_ids(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        numbers: &[String],
    ) -> Result<(), StoreError> {
        let mut known = self.external_ids(id)?;
        let index = self.tree(INDEX_TREE)?;
        for number in numbers {
            if !known.0.contains(number) {
                self.stage_index_entry(writes, &index, IndexKind::ExternalId, number, id, false);
                known.0.push(number.clone());
            }
        }
        self.stage_put(writes, Scope::Patient(*id), &id.0, &known)
    }

    /// Results waiting for staff to match, create or reject, with their numbers.
    pub fn review_items(&self) -> Result<Vec<(u64, Incoming)>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(REVIEW_TREE)?.iter() {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            let number = key
                .as_ref()
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::corrupt(&self.store().dir, "malformed review key"))?;
            out.push((number, self.open_sealed(Scope::Clinic, &key, &sealed)?));
        }
        Ok(out)
    }

    pub fn review_item(&self, number: u64) -> Result<Option<Incoming>, StoreError> {
        self.get(Scope::Clinic, &number.to_be_bytes())
    }

    /// The token of a review item, so importing it again does not list it twice: the
    /// sender's numbers, the results, and where and why any result was unread.
    pub fn review_token(&self, incoming: &Incoming) -> Vec<u8> {
        let mut identity = incoming.patient_ids.join("\u{1e}");
        for observation in &incoming.observations {
            identity.push('\u{1e}');
            identity.push_str(&String::from_utf8_lossy(&observation.identity()));
        }
        for unread in &incoming.unread {
            identity.push_str(&format!(
                "\u{1e}{}\u{1f}{}\u{1f}{}",
                unread.origin, unread.place, unread.reason
            ));
        }
        let mut key = b"review:".to_vec();
        key.extend_from_slice(&self.keys().blind.token(IndexKind::Result, &identity));
        key
    }

    /// Puts a message on the review list (the caller checked `review_token` is new).
    pub fn stage_review(
        &self,
        writes: &mut WriteSet,
        token: Vec<u8>,
        incoming: &Incoming,
    ) -> Result<u64, StoreError> {
        writes.put(&self.tree(RESULT_KEYS_TREE)?, token, Vec::new());
        let number = self.next_id()?;
        self.stage_put(writes, Scope::Clinic, &number.to_be_bytes(), incoming)?;
        Ok(number)
    }

    /// Replaces a review item (its results filed, its unread results still to close).
    pub fn stage_review_update(
        &self,
        writes: &mut WriteSet,
        number: u64,
        incoming: &Incoming,
    ) -> Result<(), StoreError> {
        self.stage_put(writes, Scope::Clinic, &number.to_be_bytes(), incoming)
    }

    pub fn stage_review_done(&self, writes: &mut WriteSet, number: u64) -> Result<(), StoreError> {
        writes.delete(&self.tree(REVIEW_TREE)?, number.to_be_bytes().to_vec());
        Ok(())
    }
}

pub const REJECTED_TREE: &str = "results_rejected";

/// A review item staff rejected: kept, with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectedReview {
    pub incoming: Incoming,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

#[derive(serde::Deserialize)]
struct RejectedReviewV1 {
    incoming: IncomingV1,
    reason: String,
    by: String,
    at: i64,
}

#[derive(serde::Deserialize)]
struct RejectedReviewV2 {
    incoming: IncomingV2,
    reason: String,
    by: String,
    at: i64,
}

/// Format 3: its message as format 4 of a review item kept it.
#[derive(serde::Deserialize)]
struct RejectedReviewV3 {
    incoming: IncomingV4,
    reason: String,
    by: String,
    at: i64,
}

/// Format 4: its message as format 5 of a review item kept it.
#[derive(serde::Deserialize)]
struct RejectedReviewV4 {
    incoming: IncomingV5,
    reason: String,
    by: String,
    at: i64,
}

impl Versioned for RejectedReview {
    const VERSION: u16 = 5;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => {
                let old: RejectedReviewV1 = decode_payload(payload)?;
                Ok(RejectedReview {
                    incoming: old.incoming.into(),
                    reason: old.reason,
                    by: old.by,
                    at: old.at,
                })
            }
            2 => {
                let old: RejectedReviewV2 = decode_payload(payload)?;
                Ok(RejectedReview {
                    incoming: old.incoming.into(),
                    reason: old.reason,
                    by: old.by,
                    at: old.at,
                })
            }
            3 => {
                let old: RejectedReviewV3 = decode_payload(payload)?;
                Ok(RejectedReview {
                    incoming: old.incoming.into(),
                    reason: old.reason,
                    by: old.by,
                    at: old.at,
                })
            }
            4 => {
                let old: RejectedReviewV4 = decode_payload(payload)?;
                Ok(RejectedReview {
                    incoming: old.incoming.into(),
                    reason: old.reason,
                    by: old.by,
                    at: old.at,
                })
            }
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

impl Record for RejectedReview {
    const TREE: &'static str = REJECTED_TREE;
}

impl Vault {
    pub fn stage_rejected_review(
        &self,
        writes: &mut WriteSet,
        rejected: &RejectedReview,
    ) -> Result<(), StoreError> {
        let number = self.next_id()?;
        self.stage_put(writes, Scope::Clinic, &number.to_be_bytes(), rejected)
    }
}

pub const QUESTIONNAIRE_TREE: &str = "questionnaire_responses";

impl Record for crate::domain::questionnaire::Response {
    const TREE: &'static str = QUESTIONNAIRE_TREE;
}

impl Vault {
    /// Keeps a filled questionnaire with the patient's record (patient key).
    pub fn stage_questionnaire_response(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        response: &crate::domain::questionnaire::Response,
    ) -> Result<(), StoreError> {
        self.stage_in_history(writes, id, &[], response)
    }

    /// The patient's filled questionnaires, oldest first.
    pub fn questionnaire_responses(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::questionnaire::Response>, StoreError> {
        self.history(id)
    }
}

pub const INTAKE_TREE: &str = "intake_responses";

impl Record for crate::domain::intake::IntakeResponse {
    const TREE: &'static str = INTAKE_TREE;
}

impl Vault {
    /// Keeps a completed intake interview with the patient's record (patient key).
    pub fn stage_intake(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        response: &crate::domain::intake::IntakeResponse,
    ) -> Result<(), StoreError> {
        self.stage_in_history(writes, id, &[], response)
    }
}

pub const ASSESSMENTS_TREE: &str = "risk_assessments";

impl Record for crate::domain::assessment::Assessment {
    const TREE: &'static str = ASSESSMENTS_TREE;
}

impl Vault {
    /// Keeps a risk assessment with its inputs (patient key), in time order.
    pub fn stage_assessment(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        assessment: &crate::domain::assessment::Assessment,
    ) -> Result<(), StoreError> {
        self.stage_in_history(writes, id, &[], assessment)
    }

    /// The patient's risk assessments, oldest first.
    pub fn assessments(
        &self,
        id: &PatientId,
    ) -> Result<Vec<crate::domain::assessment::Assessment>, StoreError> {
        self.history(id)
    }
}

pub const AUTO_TAGS_TREE: &str = "auto_tags";

impl Record for crate::domain::tag_rules::AutoTags {
    const TREE: &'static str = AUTO_TAGS_TREE;
}

impl Vault {
    /// The patient's automatic tags (none when never evaluated).
    pub fn auto_tags(
        &self,
        id: &PatientId,
    ) -> Result<crate::domain::tag_rules::AutoTags, StoreError> {
        self.patient_key(id)?;
        Ok(self.get(Scope::Patient(*id), &id.0)?.unwrap_or_default())
    }

    pub fn stage_auto_tags(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        tags: &crate::domain::tag_rules::AutoTags,
    ) -> Result<(), StoreError> {
        self.stage_put(writes, Scope::Patient(*id), &id.0, tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    #[derive(serde::Serialize)]
    struct V1 {
        origin: String,
        patient_ids: Vec<String>,
        patient: Option<crate::domain::patient::Patient>,
        observations: Vec<Observation>,
        conditions: Vec<crate::domain::health::Condition>,
        medications: Vec<crate::domain::health::Medication>,
    }

    fn v1() -> V1 {
        V1 {
            origin: "lab.hl7 message 3".into(),
            patient_ids: vec!["P1".into()],
            patient: None,
            observations: vec![Observation::typed_in(
                "2093-3",
                crate::domain::decimal::Decimal::parse("5.2").unwrap(),
                "mmol/L",
                1_700_000_000,
            )],
            conditions: Vec::new(),
            medications: Vec::new(),
        }
    }

    fn encoded<T: serde::Serialize>(value: &T) -> Vec<u8> {
        encoded_as(1, value)
    }

    fn encoded_as<T: serde::Serialize>(version: u16, value: &T) -> Vec<u8> {
        let mut bytes = version.to_be_bytes().to_vec();
        bytes.extend(
            bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap_or_default(),
        );
        bytes
    }

    #[test]
    fn version_1_review_items_and_rejections_still_open() {
        let incoming: Incoming = codec::decode(&encoded(&v1())).unwrap();
        assert_eq!(incoming.origin, "lab.hl7 message 3");
        assert_eq!(incoming.patient_ids, ["P1"]);
        assert_eq!(incoming.observations[0].code, "2093-3");
        assert!(incoming.unread.is_empty() && incoming.local_times.is_empty());
        assert_eq!(incoming.filed_under, None);

        #[derive(serde::Serialize)]
        struct RejectedV1 {
            incoming: V1,
            reason: String,
            by: String,
            at: i64,
        }
        let old = RejectedV1 {
            incoming: v1(),
            reason: "not ours".into(),
            by: "nurse".into(),
            at: 5,
        };
        let rejected: RejectedReview = codec::decode(&encoded(&old)).unwrap();
        assert_eq!(rejected.incoming.observations.len(), 1);
        assert_eq!((rejected.reason.as_str(), rejected.at), ("not ours", 5));
    }

    /// Version 2's shape: `Reported` without the record's observations,
    /// questionnaires and consent.
    #[derive(serde::Serialize)]
    struct V2 {
        origin: String,
        patient_ids: Vec<String>,
        patient: Option<crate::domain::patient::Patient>,
        observations: Vec<Observation>,
        conditions: Vec<crate::domain::health::Condition>,
        medications: Vec<crate::domain::health::Medication>,
        unread: Vec<crate::ingest::Rejected>,
        local_times: Vec<u32>,
        filed_under: Option<PatientId>,
        reported: (
            Vec<crate::domain::health::Allergy>,
            Vec<crate::domain::health::FamilyCondition>,
            Vec<crate::domain::health::Race>,
            Vec<crate::ingest::SenderId>,
        ),
    }

    #[test]
    fn version_2_review_items_and_rejections_still_open() {
        let old = V2 {
            origin: "b.json patient 1".into(),
            patient_ids: vec!["P2".into()],
            patient: None,
            observations: v1().observations,
            conditions: Vec::new(),
            medications: Vec::new(),
            unread: Vec::new(),
            local_times: vec![0],
            filed_under: Some(PatientId([3; 16])),
            reported: (
                vec![crate::domain::health::Allergy {
                    substance: "penicillin".into(),
                    ..Default::default()
                }],
                Vec::new(),
                vec![crate::domain::health::Race::Asian],
                vec![crate::ingest::SenderId {
                    kind: crate::ingest::IdKind::Card,
                    value: "P2".into(),
                }],
            ),
        };
        let incoming: Incoming = codec::decode(&encoded_as(2, &old)).unwrap();
        assert_eq!(incoming.patient_ids, ["P2"]);
        assert_eq!(incoming.local_times, [0]);
        assert_eq!(incoming.filed_under, Some(PatientId([3; 16])));
        assert_eq!(incoming.reported.allergies[0].substance, "penicillin");
        assert_eq!(incoming.reported.race, [crate::domain::health::Race::Asian]);
        assert_eq!(incoming.reported.identifiers[0].value, "P2");
        assert!(incoming.reported.record.is_empty() && incoming.reported.consent.is_empty());

        #[derive(serde::Serialize)]
        struct RejectedV2 {
            incoming: V2,
            reason: String,
            by: String,
            at: i64,
        }
        let rejected: RejectedReview = codec::decode(&encoded_as(
            2,
            &RejectedV2 {
                incoming: old,
                reason: "not ours".into(),
                by: "nurse".into(),
                at: 7,
            },
        ))
        .unwrap();
        assert_eq!(rejected.incoming.reported.race.len(), 1);
        assert_eq!(rejected.at, 7);
    }
}
