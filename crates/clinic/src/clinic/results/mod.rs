//! Results: importing lab and exam messages, the review list of what matched no patient, a lab's own codes, and the 健康体检表.

pub mod exam_form;
pub(crate) mod fhir_care;
pub(crate) mod import;
pub mod lab_codes;
pub(crate) mod record_merge;
pub(crate) mod review;
