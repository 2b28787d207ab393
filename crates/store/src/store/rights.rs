//! Where patients' requests over their information are kept: sealed under the
//! patient's own key, keyed by patient id and the request's number (no text in a key).

use super::vault::Record;
use crate::domain::patient::PatientId;
use crate::domain::rights_request::RightsRequest;

pub const RIGHTS_TREE: &str = "rights_requests";

impl Record for RightsRequest {
    const TREE: &'static str = RIGHTS_TREE;
}

/// A request's sled key: the patient, then the request's number, so a patient's
/// requests sit together and go with their key.
pub fn rights_key(patient: &PatientId, id: u64) -> Vec<u8> {
    let mut key = patient.0.to_vec();
    key.extend_from_slice(&id.to_be_bytes());
    key
}
