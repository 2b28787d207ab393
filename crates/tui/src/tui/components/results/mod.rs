//! Results: an indicator's trend over the years, importing a results file, and the 健康体检表.

pub mod exam_form;
pub mod import;
pub mod trends;
