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

/// An `Incoming` as versions 2 and 3 stored it: version 2 with the `Reported` of before
/// the record's own observations, questionnaires and consent decisions (`ReportedV2`),
/// version 3 with today's; both before an unread result's reason was a message.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IncomingV2<R = ReportedV2> {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<crate::domain::patient::Patient>,
    observations: Vec<Observation>,
    conditions: Vec<crate::domain::health::Condition>,
    medications: Vec<crate::domain::health::Medication>,
    unread: Vec<RejectedV1>,
    local_times: Vec<u32>,
    filed_under: Option<PatientId>,
    reported: R,
}

/// Version 3: version 2's shape with today's `Reported`.
pub type IncomingV3 = IncomingV2<crate::ingest::Reported>;

/// A result that could not be read, as formats 2 and 3 kept it: its reason in
/// English words, read back as written.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct RejectedV1 {
    origin: String,
    place: String,
    reason: String,
}

impl<R: Into<crate::ingest::Reported>> From<IncomingV2<R>> for Incoming {
    fn from(old: IncomingV2<R>) -> Incoming {
        Incoming {
            origin: old.origin,
            patient_ids: old.patient_ids,
            patient: old.patient,
            observations: old.observations,
            conditions: old.conditions,
            medications: old.medications,
            unread: old
                .unread
                .into_iter()
                .map(|r| crate::ingest::Rejected {
                    origin: r.origin,
                    place: r.place,
                    reason: crate::i18n::Text::verbatim(r.reason),
                })
                .collect(),
            local_times: old.local_times,
            filed_under: old.filed_under,
            reported: old.reported.into(),
        }
    }
}

#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ReportedV2 {
    allergies: Vec<crate::domain::health::Allergy>,
    family_history: Vec<crate::domain::health::FamilyCondition>,
    race: Vec<crate::domain::health::Race>,
    identifiers: Vec<crate::ingest::SenderId>,
}

impl From<ReportedV2> for crate::ingest::Reported {
    fn from(old: ReportedV2) -> Self {
        crate::ingest::Reported {
            allergies: old.allergies,
            family_history: old.family_history,
            race: old.race,
            identifiers: old.identifiers,
            ..crate::ingest::Reported::default()
        }
    }
}

impl Versioned for Incoming {
    /// 4: an unread result's reason is a message (`Text`).
    const VERSION: u16 = 4;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => Ok(decode_payload::<IncomingV1>(payload)?.into()),
            2 => Ok(decode_payload::<IncomingV2>(payload)?.into()),
            3 => Ok(decode_payload::<IncomingV3>(payload)?.into()),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Versioned for IncomingV3 {
        const VERSION: u16 = 3;
    }

    #[test]
    fn a_review_item_of_format_3_keeps_its_unread_reasons_as_written() {
        let old = IncomingV3 {
            origin: "lab.hl7 message 7".into(),
            patient_ids: vec!["MRN-1".into()],
            patient: None,
            observations: Vec::new(),
            conditions: Vec::new(),
            medications: Vec::new(),
            unread: vec![RejectedV1 {
                origin: "lab.hl7 message 7".into(),
                place: "OBX 1, OBX-5".into(),
                reason: "the value is not a number (type NM)".into(),
            }],
            local_times: Vec::new(),
            filed_under: None,
            reported: crate::ingest::Reported::default(),
        };
        let read: Incoming = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        assert_eq!(read.patient_ids, ["MRN-1"]);
        assert_eq!(
            read.unread[0].to_string(),
            "lab.hl7 message 7, OBX 1, OBX-5: the value is not a number (type NM)"
        );
    }
}
