//! Building the name index in the background, so that the daemon's first search after
//! it starts does not wait for every patient to be opened.
//!
//! The daemon starts the build as soon as its store is unlocked. The builder reads the
//! patients a thousand at a time without the index's lock, then puts them in under it;
//! requests meanwhile update the index as usual, and the builder leaves alone a patient
//! a request put in or erased (`NameIndex::insert_built`). A search during the build
//! waits up to a second for it, then answers from what is built and says how far it
//! is (`SearchResults::indexing`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::name_index::NameIndex;
use crate::clinic::{Clinic, ServiceError};
use crate::domain::patient::PatientId;
use crate::store::{StoreError, Vault};

/// Patients read per step, between which requests may take the index's lock.
const STEP: usize = 1000;

/// How long a search waits for a running build before answering from what is built:
/// a clinic of up to about a hundred thousand patients never sees a partial answer.
pub(crate) const SEARCH_WAITS_FOR_BUILD: std::time::Duration = std::time::Duration::from_secs(1);

impl Clinic {
    /// Starts building the name index in the background if the store is unlocked and
    /// no index exists or is being built; otherwise does nothing.
    pub fn start_name_index(self: &Arc<Self>) {
        if self.index_started.swap(true, Ordering::AcqRel) {
            return;
        }
        if self.backend().vault().is_none() {
            // Locked: the sign-in that unlocks it starts the build.
            self.index_started.store(false, Ordering::Release);
            return;
        }
        {
            let mut guard = self.name_index.lock().unwrap_or_else(|p| p.into_inner());
            if guard.is_some() {
                return;
            }
            *guard = Some(NameIndex::building());
        }
        let clinic = self.clone();
        let spawned = std::thread::Builder::new()
            .name("caredesk-name-index".into())
            .spawn(move || {
                if let Err(e) = clinic.build_name_index() {
                    // The kind of failure, never data; the next search builds it.
                    eprintln!("caredesk: the name index was not built: {e}");
                    *clinic.name_index.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    clinic.index_started.store(false, Ordering::Release);
                    clinic.index_built.notify_all();
                }
            });
        if spawned.is_err() {
            *self.name_index.lock().unwrap_or_else(|p| p.into_inner()) = None;
            self.index_started.store(false, Ordering::Release);
        }
    }

    fn build_name_index(&self) -> Result<(), ServiceError> {
        let ids = match self.backend().vault() {
            Some(vault) => vault.patient_ids()?,
            None => return Err(ServiceError::Unavailable(crate::text!("msg.store.locked"))),
        };
        if let Some(index) = self
            .name_index
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            index.set_build_total(ids.len() as u64);
        }
        for step in ids.chunks(STEP) {
            let read = {
                let backend = self.backend();
                let Some(vault) = backend.vault() else {
                    return Err(ServiceError::Unavailable(crate::text!("msg.store.locked")));
                };
                read_step(vault, step)?
            };
            let mut guard = self.name_index.lock().unwrap_or_else(|p| p.into_inner());
            let Some(index) = guard.as_mut() else {
                return Ok(());
            };
            for (id, patient, auto_tags) in read {
                match patient {
                    Some(patient) => index.insert_built(id, &patient, auto_tags),
                    None => index.count_built(),
                }
            }
        }
        if let Some(index) = self
            .name_index
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            index.finish_build();
        }
        self.index_built.notify_all();
        Ok(())
    }
}

type Read = (
    PatientId,
    Option<crate::domain::patient::Patient>,
    Vec<String>,
);

/// One step's patients (None for one erased) and their automatic tags.
fn read_step(vault: &Vault, ids: &[PatientId]) -> Result<Vec<Read>, StoreError> {
    let mut read = Vec::with_capacity(ids.len());
    for id in ids {
        match vault.patient(id) {
            Ok(patient) => {
                let tags = vault.auto_tags(id)?.0.into_iter().map(|t| t.tag).collect();
                read.push((*id, Some(patient), tags));
            }
            Err(StoreError::Erased) => read.push((*id, None, Vec::new())),
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

/// Builds the whole index at once, in the caller's thread (a search that found none:
/// the in-process desk, which has no daemon to start it).
pub(crate) fn build_now(vault: &Vault) -> Result<NameIndex, ServiceError> {
    let mut index = NameIndex::default();
    for step in vault.patient_ids()?.chunks(STEP) {
        for (id, patient, auto_tags) in read_step(vault, step)? {
            if let Some(patient) = patient {
                index.insert_built(id, &patient, auto_tags);
            }
        }
    }
    Ok(index)
}
