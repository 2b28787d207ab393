//! Patients' keys held in memory once unwrapped, bounded.
//!
//! A key a request has just made for a new patient lives only here until its write
//! set is committed, so the cache never forgets everything at once: it keeps two
//! generations, and when the newer is full it becomes the older and the older is
//! dropped (its keys zeroised). A key is forgotten only after a whole generation of
//! other keys came in after it.

use std::collections::HashMap;

use crate::crypto::SecretKey;
use crate::domain::patient::PatientId;

/// Keys per generation: two generations hold at most twice this many.
const GENERATION: usize = 65_536;

#[derive(Default)]
pub(crate) struct KeyCache {
    newer: HashMap<PatientId, SecretKey>,
    older: HashMap<PatientId, SecretKey>,
}

impl KeyCache {
    /// The patient's key, moved to the newer generation when found in the older.
    pub(crate) fn get(&mut self, id: &PatientId) -> Option<SecretKey> {
        if let Some(key) = self.newer.get(id) {
            return Some(key.clone());
        }
        let key = self.older.remove(id)?;
        self.insert(*id, key.clone());
        Some(key)
    }

    pub(crate) fn insert(&mut self, id: PatientId, key: SecretKey) {
        if self.newer.len() >= GENERATION && !self.newer.contains_key(&id) {
            self.older = std::mem::take(&mut self.newer);
        }
        self.older.remove(&id);
        self.newer.insert(id, key);
    }

    /// Forgets the patient's key in both generations (erasure, a failed commit).
    pub(crate) fn remove(&mut self, id: &PatientId) {
        self.newer.remove(id);
        self.older.remove(id);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.newer.len() + self.older.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_outlives_a_full_generation_after_it_and_erasure_forgets_it_everywhere() {
        let mut cache = KeyCache::default();
        let first = PatientId::random();
        cache.insert(first, SecretKey::random());
        for _ in 0..GENERATION {
            cache.insert(PatientId::random(), SecretKey::random());
        }
        // The generation filled up after `first`: it moved to the older one.
        assert!(cache.older.contains_key(&first));
        assert!(cache.get(&first).is_some());
        assert!(cache.newer.contains_key(&first) && !cache.older.contains_key(&first));
        assert!(cache.len() <= 2 * GENERATION);

        let erased = PatientId::random();
        cache.insert(erased, SecretKey::random());
        cache.older.insert(erased, SecretKey::random());
        cache.remove(&erased);
        assert!(cache.get(&erased).is_none());
    }
}
