//! The tamper-evident audit log: a hash chain sealed with a forward-secure MAC.
//!
//! See `log` for appending, `verify` for checking, `export` and `checkpoint` for what
//! an auditor takes away. No function here edits or deletes a record.

pub mod archive;
pub mod checkpoint;
pub mod context;
pub mod detail;
pub mod export;
mod group_commit;
pub mod head_file;
pub mod log;
pub mod record;
pub mod seal;
pub mod verify;

pub use checkpoint::Checkpoint;
pub use log::{AuditError, AuditLog, Clock, DEFAULT_EPOCH_SECONDS, Head, system_clock};
pub use record::{Actor, AuditEvent, AuditRecord, Outcome, RecordBody};
pub use seal::Seed;
pub use verify::{Break, Report, VerifyOptions, verify};
