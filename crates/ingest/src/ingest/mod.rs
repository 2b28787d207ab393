//! Importers: HL7 v2 ORU^R01, FHIR R4 JSON and CSV files become `Incoming` result sets
//! (who the sender says the patient is, and their results). Parsing happens here, in
//! the importing process; matching results to patients and storing them is the
//! service's (`clinic::results::import`). A message that cannot be read at all is reported
//! with where and why; within a readable HL7 message each bad result is reported on
//! its own (`Incoming::unread`, for the review list) and the good ones are kept.

pub mod csv_file;
pub mod fhir;
pub mod files;
pub mod hl7;
pub mod pieces;
pub mod stored;

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::domain::health::{Allergy, Condition, FamilyCondition, Medication, Race};
use crate::domain::observation::Observation;
use crate::domain::patient::{Patient, PatientId};

/// One message's results for one patient.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// Where it came from: file name and message number (and control id).
    pub origin: String,
    /// The identifiers the sender uses for the patient (each PID-3 repetition's first
    /// component; each FHIR `identifier.value`).
    pub patient_ids: Vec<String>,
    /// The patient as the message describes them, to create them from the review list.
    pub patient: Option<Patient>,
    pub observations: Vec<Observation>,
    /// Diagnoses the sender reports (FHIR Condition), for the record's past illnesses.
    pub conditions: Vec<Condition>,
    /// Medicines the sender reports (FHIR MedicationStatement / MedicationRequest).
    pub medications: Vec<Medication>,
    /// Results of this message that could not be read (segment, field and reason):
    /// the message's other results are kept; these go to the review list.
    pub unread: Vec<Rejected>,
    /// Indexes into `observations` of results whose time carried no UTC offset: the
    /// sender's wall-clock time, read as if it were UTC. The service moves them into
    /// the clinic's time zone (`settle_local_times`) before anything is stored.
    pub local_times: Vec<u32>,
    /// On the review list only: the patient this message's readable results were
    /// already filed under, when what is left to review is its unread results.
    pub filed_under: Option<PatientId>,
    /// The rest of what a FHIR sender reports for the record, and what its patient
    /// identifiers are.
    pub reported: Reported,
}

impl Incoming {
    /// Moves the results whose time had no offset from "wall clock read as UTC" to
    /// the instant it was in the clinic's zone; `offset_at` gives the clinic's offset
    /// from UTC, in seconds, at a wall-clock time (as unix seconds read as UTC).
    pub fn settle_local_times(&mut self, offset_at: impl Fn(i64) -> i64) {
        for index in std::mem::take(&mut self.local_times) {
            if let Some(o) = self.observations.get_mut(index as usize) {
                o.taken_at -= offset_at(o.taken_at);
            }
        }
    }
}

/// What a FHIR message reports besides results, diagnoses and medicines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    /// AllergyIntolerance (refuted and entered-in-error ones left out).
    pub allergies: Vec<Allergy>,
    /// FamilyMemberHistory, one entry per relative's condition.
    pub family_history: Vec<FamilyCondition>,
    /// The US Core race extension's OMB categories (empty: not sent).
    pub race: Vec<Race>,
    /// The patient identifiers whose system says what they are (the values are also
    /// in `patient_ids`); a value not listed here is a number of the sender's own.
    pub identifiers: Vec<SenderId>,
    /// Observations a caredesk export made from the record (smoking status, height,
    /// weight, waist; tagged `urn:caredesk:fhir:source|record`): read back into the
    /// record's lifestyle and measurements, not kept as results.
    pub record: Vec<Observation>,
    /// Questionnaires of caredesk's own, filled (the service scores them again by its
    /// definitions).
    pub questionnaires: Vec<crate::domain::questionnaire::Response>,
    /// Consent decisions as they were recorded (who, when, how).
    pub consent: Vec<crate::domain::consent::ConsentEntry>,
    /// The intervention plan of a caredesk export, as the version exported.
    pub plan: Option<crate::domain::plan::PlanVersion>,
    /// Surgeries of a caredesk export's record.
    pub surgeries: Vec<crate::domain::health::Surgery>,
    /// The separate PIPL consents of a caredesk export (format 5 of a review item on).
    pub processing: Vec<crate::domain::consent::ProcessingEntry>,
    /// The 个人基本信息表 of a caredesk export (format 6 on).
    pub basic_info: Option<crate::domain::basic_info::BasicInfo>,
}

/// A patient identifier whose kind the sender's system (or its check digit) tells.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderId {
    pub kind: IdKind,
    pub value: String,
}

// An identifier is PHI: Debug names only its kind.
impl std::fmt::Debug for SenderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SenderId({:?}, <redacted>)", self.kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdKind {
    /// A mainland resident ID (GB 11643): by the system `urn:oid:2.16.156.10011.1.3`,
    /// or by its valid check character when no other system claims it.
    ResidentId,
    /// A caredesk member card number (`urn:caredesk:card`, as caredesk exports it).
    Card,
    /// caredesk's own patient id (`urn:caredesk:patient`): matches in the store that
    /// exported it; elsewhere it is kept as another system's number.
    CaredeskPatient,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Incoming({}, {} results, <redacted>)",
            self.origin,
            self.observations.len()
        )
    }
}

/// A message or resource that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// File and message number (or resource index).
    pub origin: String,
    /// Segment and field (e.g. "OBX 3, OBX-5"), or the JSON path.
    pub place: String,
    /// Why, in the reader's language.
    pub reason: crate::i18n::Text,
}

impl Rejected {
    /// Where and why, in the reader's language.
    pub fn text(&self) -> crate::i18n::Text {
        let text = if self.place.is_empty() {
            crate::text!("msg.ingest.rejected", origin = &self.origin)
        } else {
            crate::text!(
                "msg.ingest.rejected_at",
                origin = &self.origin,
                place = &self.place
            )
        };
        text.arg_text("reason", self.reason.clone())
    }

    /// Where in the message and why, without the file (the review list names it).
    pub fn place_text(&self) -> crate::i18n::Text {
        if self.place.is_empty() {
            self.reason.clone()
        } else {
            crate::text!("msg.ingest.about", what = &self.place)
                .arg_text("reason", self.reason.clone())
        }
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().english())
    }
}

/// What reading one file produced.
#[derive(Debug, Default)]
pub struct Parsed {
    pub incoming: Vec<Incoming>,
    pub rejected: Vec<Rejected>,
    /// Results of kinds not kept (encapsulated documents, reference pointers, empty
    /// values of pending results), counted so the summary adds up.
    pub skipped: u64,
    /// Whole FHIR resources caredesk does not keep, counted by kind (resource type, or
    /// a type and why: see `fhir::not_kept_reason`), so none is dropped silently.
    pub not_kept: BTreeMap<String, u64>,
}

impl Parsed {
    /// Adds another reading's counts of resources not kept.
    pub fn add_not_kept(&mut self, other: &BTreeMap<String, u64>) {
        for (kind, count) in other {
            *self.not_kept.entry(kind.clone()).or_default() += count;
        }
    }
}

/// LOINC codes end in a mod-10 (Luhn) check digit: 8480-6.
pub fn loinc_valid(code: &str) -> bool {
    let Some((number, check)) = code.split_once('-') else {
        return false;
    };
    !number.is_empty()
        && number.len() <= 7
        && number.chars().all(|c| c.is_ascii_digit())
        && check.len() == 1
        && crate::domain::card::luhn_check_digit(number).is_some_and(|d| check == d.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loinc_check_digits() {
        for good in ["8480-6", "2093-3", "718-7", "1554-5", "4548-4", "29463-7"] {
            assert!(super::loinc_valid(good), "{good}");
        }
        for bad in ["xx625-4", "8480-5", "8480", "-6", "12345678-9"] {
            assert!(!super::loinc_valid(bad), "{bad}");
        }
    }
}
