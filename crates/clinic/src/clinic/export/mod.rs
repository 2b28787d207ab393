//! A patient's record out: caredesk's own JSON and a FHIR R4 Bundle for the right of access, and the 个人基本信息表 export.

pub mod access;
pub mod basic_info;
pub(crate) mod bundle;
pub(crate) mod fhir;
pub(crate) mod fhir_calls;
pub(crate) mod fhir_care;
pub(crate) mod fhir_patient;
