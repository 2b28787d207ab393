//! Follow-up: the plans and their scheduler, the call queue, a call's record and drafts, recordings, and the 随访服务记录表 on paper.

pub mod api;
pub(crate) mod call_drafts;
pub(crate) mod calls;
pub mod forms;
pub(crate) mod plans;
pub(crate) mod queue;
pub mod recording_client;
pub(crate) mod recordings;
