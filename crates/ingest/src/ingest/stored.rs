//! How an `Incoming` message is stored on the review list: its format version and the
//! older shapes it migrates from (the store files it; the shape is the importer's).

use super::Incoming;
use crate::codec::{CodecError, Versioned, decode_payload};
use crate::domain::health_v2;
use crate::domain::observation::Observation;
use crate::domain::patient::PatientId;

/// An `Incoming` as version 1 stored it (before unread results, local times and the
/// patient a partly filed message went to).
#[derive(serde::Deserialize)]
pub struct IncomingV1 {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<crate::domain::patient::Patient>,
    observations: Vec<Observation>,
    conditions: Vec<health_v2::ConditionV2>,
    medications: Vec<health_v2::MedicationV2>,
}

impl From<IncomingV1> for Incoming {
    fn from(old: IncomingV1) -> Incoming {
        Incoming {
            origin: old.origin,
            patient_ids: old.patient_ids,
            patient: old.patient,
            observations: old.observations,
            conditions: health_v2::conditions(old.conditions),
            medications: health_v2::medications(old.medications),
            ..Incoming::default()
        }
    }
}

/// An `Incoming` as version 2 stored it (before the record's own observations,
/// questionnaires and consent decisions in `Reported`).
#[derive(serde::Deserialize)]
pub struct IncomingV2 {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<crate::domain::patient::Patient>,
    observations: Vec<Observation>,
    conditions: Vec<crate::domain::health::Condition>,
    medications: Vec<crate::domain::health::Medication>,
    unread: Vec<crate::ingest::Rejected>,
    local_times: Vec<u32>,
    filed_under: Option<PatientId>,
    reported: ReportedV2,
}

#[derive(serde::Deserialize)]
pub struct ReportedV2 {
    allergies: Vec<crate::domain::health::Allergy>,
    family_history: Vec<crate::domain::health::FamilyCondition>,
    race: Vec<crate::domain::health::Race>,
    identifiers: Vec<crate::ingest::SenderId>,
}

impl From<IncomingV2> for Incoming {
    fn from(old: IncomingV2) -> Incoming {
        Incoming {
            origin: old.origin,
            patient_ids: old.patient_ids,
            patient: old.patient,
            observations: old.observations,
            conditions: old.conditions,
            medications: old.medications,
            unread: old.unread,
            local_times: old.local_times,
            filed_under: old.filed_under,
            reported: crate::ingest::Reported {
                allergies: old.reported.allergies,
                family_history: old.reported.family_history,
                race: old.reported.race,
                identifiers: old.reported.identifiers,
                ..crate::ingest::Reported::default()
            },
        }
    }
}

impl Versioned for Incoming {
    const VERSION: u16 = 3;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => Ok(decode_payload::<IncomingV1>(payload)?.into()),
            2 => Ok(decode_payload::<IncomingV2>(payload)?.into()),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}
