//! How an `Incoming` message is stored on the review list: its format version and the
//! older shapes it migrates from (the store files it; the shape is the importer's).

use super::Incoming;
use crate::codec::{CodecError, Versioned, decode_payload};
use crate::domain::health_v2;
use crate::domain::observation::Observation;
use crate::domain::patient::{PatientId, PatientV3};

/// An `Incoming` as version 1 stored it (before unread results, local times and the
/// patient a partly filed message went to).
#[derive(serde::Deserialize)]
pub struct IncomingV1 {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<PatientV3>,
    observations: Vec<Observation>,
    conditions: Vec<health_v2::ConditionV2>,
    medications: Vec<health_v2::MedicationV2>,
}

impl From<IncomingV1> for Incoming {
    fn from(old: IncomingV1) -> Incoming {
        Incoming {
            origin: old.origin,
            patient_ids: old.patient_ids,
            patient: old.patient.map(Into::into),
            observations: old.observations,
            conditions: health_v2::conditions(old.conditions),
            medications: health_v2::medications(old.medications),
            ..Incoming::default()
        }
    }
}

/// An `Incoming` as versions 2 and 3 stored it: version 2 with the `Reported` of before
/// the record's own observations, questionnaires and consent decisions (`ReportedV2`),
/// version 3 with format 4's (`ReportedV3`); both before an unread result's reason was
/// a message.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IncomingV2<R = ReportedV2> {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<PatientV3>,
    observations: Vec<Observation>,
    conditions: Vec<crate::domain::health::Condition>,
    medications: Vec<crate::domain::health::Medication>,
    unread: Vec<RejectedV1>,
    local_times: Vec<u32>,
    filed_under: Option<PatientId>,
    reported: R,
}

/// Version 3: version 2's shape with format 4's `Reported`.
pub type IncomingV3 = IncomingV2<ReportedV3>;

/// Version 4: before the patient carried a 健康档案编号 (`PatientV3`) and what was
/// reported held the separate PIPL consents (`ReportedV3`).
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IncomingV4 {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<PatientV3>,
    observations: Vec<Observation>,
    conditions: Vec<crate::domain::health::Condition>,
    medications: Vec<crate::domain::health::Medication>,
    unread: Vec<crate::ingest::Rejected>,
    local_times: Vec<u32>,
    filed_under: Option<PatientId>,
    reported: ReportedV3,
}

impl From<IncomingV4> for Incoming {
    fn from(old: IncomingV4) -> Incoming {
        Incoming {
            origin: old.origin,
            patient_ids: old.patient_ids,
            patient: old.patient.map(Into::into),
            observations: old.observations,
            conditions: old.conditions,
            medications: old.medications,
            unread: old.unread,
            local_times: old.local_times,
            filed_under: old.filed_under,
            reported: old.reported.into(),
        }
    }
}

/// `Reported` of formats 3 and 4: before the separate PIPL consents.
#[derive(Default, serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ReportedV3 {
    allergies: Vec<crate::domain::health::Allergy>,
    family_history: Vec<crate::domain::health::FamilyCondition>,
    race: Vec<crate::domain::health::Race>,
    identifiers: Vec<crate::ingest::SenderId>,
    record: Vec<Observation>,
    questionnaires: Vec<crate::domain::questionnaire::Response>,
    consent: Vec<crate::domain::consent::ConsentEntry>,
    plan: Option<crate::domain::plan::PlanVersion>,
    surgeries: Vec<crate::domain::health::Surgery>,
}

impl From<ReportedV3> for crate::ingest::Reported {
    fn from(old: ReportedV3) -> Self {
        crate::ingest::Reported {
            allergies: old.allergies,
            family_history: old.family_history,
            race: old.race,
            identifiers: old.identifiers,
            record: old.record,
            questionnaires: old.questionnaires,
            consent: old.consent,
            plan: old.plan,
            surgeries: old.surgeries,
            processing: Vec::new(),
            basic_info: None,
        }
    }
}

/// `Reported` of format 5: before the 个人基本信息表.
#[derive(Default, serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ReportedV5 {
    allergies: Vec<crate::domain::health::Allergy>,
    family_history: Vec<crate::domain::health::FamilyCondition>,
    race: Vec<crate::domain::health::Race>,
    identifiers: Vec<crate::ingest::SenderId>,
    record: Vec<Observation>,
    questionnaires: Vec<crate::domain::questionnaire::Response>,
    consent: Vec<crate::domain::consent::ConsentEntry>,
    plan: Option<crate::domain::plan::PlanVersion>,
    surgeries: Vec<crate::domain::health::Surgery>,
    processing: Vec<crate::domain::consent::ProcessingEntry>,
}

impl From<ReportedV5> for crate::ingest::Reported {
    fn from(old: ReportedV5) -> Self {
        crate::ingest::Reported {
            allergies: old.allergies,
            family_history: old.family_history,
            race: old.race,
            identifiers: old.identifiers,
            record: old.record,
            questionnaires: old.questionnaires,
            consent: old.consent,
            plan: old.plan,
            surgeries: old.surgeries,
            processing: old.processing,
            basic_info: None,
        }
    }
}

/// Version 5: before what was reported held the 个人基本信息表 (`ReportedV5`).
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IncomingV5 {
    origin: String,
    patient_ids: Vec<String>,
    patient: Option<crate::domain::patient::Patient>,
    observations: Vec<Observation>,
    conditions: Vec<crate::domain::health::Condition>,
    medications: Vec<crate::domain::health::Medication>,
    unread: Vec<crate::ingest::Rejected>,
    local_times: Vec<u32>,
    filed_under: Option<PatientId>,
    reported: ReportedV5,
}

impl From<IncomingV5> for Incoming {
    fn from(old: IncomingV5) -> Incoming {
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
            reported: old.reported.into(),
        }
    }
}

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
            patient: old.patient.map(Into::into),
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
    /// 4: an unread result's reason is a message (`Text`); 5: the patient's 健康档案编号
    /// and the separate PIPL consents reported; 6: the 个人基本信息表 reported.
    const VERSION: u16 = 6;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => Ok(decode_payload::<IncomingV1>(payload)?.into()),
            2 => Ok(decode_payload::<IncomingV2>(payload)?.into()),
            3 => Ok(decode_payload::<IncomingV3>(payload)?.into()),
            4 => Ok(decode_payload::<IncomingV4>(payload)?.into()),
            5 => Ok(decode_payload::<IncomingV5>(payload)?.into()),
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

    impl Versioned for IncomingV4 {
        const VERSION: u16 = 4;
    }

    impl Versioned for IncomingV5 {
        const VERSION: u16 = 5;
    }

    #[test]
    fn a_review_item_of_format_5_keeps_its_consents_with_no_basic_information() {
        let old = IncomingV5 {
            origin: "export.json patient 1".into(),
            patient_ids: vec!["MRN-5".into()],
            patient: None,
            observations: Vec::new(),
            conditions: Vec::new(),
            medications: Vec::new(),
            unread: Vec::new(),
            local_times: Vec::new(),
            filed_under: None,
            reported: ReportedV5 {
                surgeries: vec![crate::domain::health::Surgery {
                    name: "阑尾切除".into(),
                    year: Some("2009".into()),
                    note: None,
                }],
                ..ReportedV5::default()
            },
        };
        let read: Incoming = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        assert_eq!(read.patient_ids, vec!["MRN-5".to_string()]);
        assert_eq!(read.reported.surgeries.len(), 1);
        assert!(read.reported.basic_info.is_none());
    }

    #[test]
    fn a_review_item_of_format_4_keeps_its_patient_with_no_record_number() {
        let patient = crate::domain::patient::Patient {
            name: "陈美玲".into(),
            phone: Some("13912345678".into()),
            tags: vec!["VIP".into()],
            ..Default::default()
        };
        let old = IncomingV4 {
            origin: "exam.json entry 1".into(),
            patient_ids: vec!["MRN-2".into()],
            patient: Some(patient.clone().into()),
            observations: Vec::new(),
            conditions: Vec::new(),
            medications: Vec::new(),
            unread: Vec::new(),
            local_times: Vec::new(),
            filed_under: None,
            reported: ReportedV3 {
                consent: vec![crate::domain::consent::ConsentEntry {
                    channel: crate::domain::consent::Channel::Sms,
                    purpose: crate::domain::consent::Purpose::Care,
                    decision: crate::domain::consent::Decision::Granted,
                    method: crate::domain::consent::Method::Verbal,
                    at: 10,
                    recorded_by: "wang.li".into(),
                }],
                ..ReportedV3::default()
            },
        };
        let read: Incoming = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        assert_eq!(read.patient, Some(patient));
        assert_eq!(read.reported.consent.len(), 1);
        assert!(read.reported.processing.is_empty());
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
            reported: ReportedV3::default(),
        };
        let read: Incoming = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        assert_eq!(read.patient_ids, ["MRN-1"]);
        assert_eq!(
            read.unread[0].to_string(),
            "lab.hl7 message 7, OBX 1, OBX-5: the value is not a number (type NM)"
        );
    }
}
