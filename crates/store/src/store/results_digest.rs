//! A patient's results kept in one sealed value for re-evaluation, so that the daily
//! pass over every patient opens one envelope a patient instead of one a result. It
//! holds every result as the rules and models read it: all but the name as sent and
//! the file and message it came from, which stay with the result itself.
//!
//! The digest names what it was made from: a fingerprint of the patient's stored
//! results (each one's key and the head of its sealed value, whose nonce changes
//! whenever it is sealed again). Results are only ever added (a re-import stores
//! nothing, a correction is a result of its own), so a digest whose fingerprint matches
//! the store holds exactly the results the store holds; any other digest is rebuilt
//! from the results and staged with the re-evaluation that read it. It is sealed with
//! the patient's key, so erasing the patient shreds it with the results.

use sha2::{Digest, Sha256};

use super::StoreError;
use super::results::OBSERVATIONS_TREE;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::codec::Versioned;
use crate::domain::observation::Observation;
use crate::domain::patient::PatientId;

pub const RESULTS_DIGEST_TREE: &str = "results_digest";

/// Bytes of each sealed value the fingerprint takes: the envelope's header and nonce.
const SEALED_HEAD: usize = 64;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResultsDigest {
    pub fingerprint: [u8; 32],
    pub observations: Vec<Observation>,
}

impl Versioned for ResultsDigest {
    const VERSION: u16 = 1;
}

impl Record for ResultsDigest {
    const TREE: &'static str = RESULTS_DIGEST_TREE;
}

impl Vault {
    /// What the patient's stored results are now, without opening them.
    fn results_fingerprint(&self, id: &PatientId) -> Result<[u8; 32], StoreError> {
        let mut hash = Sha256::new();
        for item in self.tree(OBSERVATIONS_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            hash.update((key.len() as u32).to_be_bytes());
            hash.update(&key);
            hash.update(&sealed[..sealed.len().min(SEALED_HEAD)]);
        }
        Ok(hash.finalize().into())
    }

    /// The patient's results, oldest first (without their names as sent and their
    /// sources' references), from the digest when it matches the store; otherwise read
    /// one by one, with a fresh digest staged in `writes`. Returns whether a digest
    /// was staged.
    pub fn observations_digested(
        &self,
        id: &PatientId,
        writes: &mut WriteSet,
    ) -> Result<(Vec<Observation>, bool), StoreError> {
        let fingerprint = self.results_fingerprint(id)?;
        if let Some(digest) = self.get::<ResultsDigest>(Scope::Patient(*id), &id.0)?
            && digest.fingerprint == fingerprint
        {
            return Ok((digest.observations, false));
        }
        // Read after the fingerprint: a result added meanwhile makes this digest
        // richer than its fingerprint says, so the next pass rebuilds it (never the
        // other way round).
        let observations = self
            .observations(id)?
            .into_iter()
            .map(|mut o| {
                // Not read by the rules or models: kept only with the result itself.
                o.display = None;
                o.source.reference = String::new();
                o
            })
            .collect();
        let digest = ResultsDigest {
            fingerprint,
            observations,
        };
        self.stage_put(writes, Scope::Patient(*id), &id.0, &digest)?;
        Ok((digest.observations, true))
    }
}
