//! A kept copy of the log's head, for the auditor to store off the machine. A log that
//! is later shorter than, or different at, a checkpoint was rolled back or rewritten.

use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};

use super::log::{Head, record_key};
use super::record::AuditRecord;

pub const FORMAT: &str = "caredesk-audit-checkpoint/1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub store_id: [u8; 16],
    pub seq: u64,
    pub hash: [u8; 32],
    pub seal: [u8; 32],
    pub epoch: u64,
    pub time_ms: i64,
}

/// The JSON form printed and read back.
#[derive(Serialize, Deserialize)]
struct CheckpointFile {
    format: String,
    store_id: String,
    seq: u64,
    hash: String,
    seal: String,
    epoch: u64,
    time: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint file is not valid: {0}")]
    Invalid(String),
    #[error("the audit log cannot be read: {0}")]
    Log(String),
}

impl Checkpoint {
    /// The checkpoint of the log as it is now.
    pub fn of_head(
        tree: &sled::Tree,
        store_id: [u8; 16],
        head: Head,
    ) -> Result<Self, CheckpointError> {
        let bytes = tree
            .get(record_key(head.seq))
            .map_err(|e| CheckpointError::Log(e.to_string()))?
            .ok_or_else(|| CheckpointError::Log("the head record is missing".into()))?;
        let record =
            AuditRecord::decode(&bytes).map_err(|e| CheckpointError::Log(e.to_string()))?;
        Ok(Self {
            store_id,
            seq: head.seq,
            hash: record.hash,
            seal: record.mac,
            epoch: head.epoch,
            time_ms: record.time_ms,
        })
    }

    pub fn to_json(&self) -> String {
        let time = chrono::DateTime::from_timestamp_millis(self.time_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        let file = CheckpointFile {
            format: FORMAT.into(),
            store_id: HEXLOWER.encode(&self.store_id),
            seq: self.seq,
            hash: HEXLOWER.encode(&self.hash),
            seal: HEXLOWER.encode(&self.seal),
            epoch: self.epoch,
            time,
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, CheckpointError> {
        let file: CheckpointFile =
            serde_json::from_str(text).map_err(|e| CheckpointError::Invalid(e.to_string()))?;
        if file.format != FORMAT {
            return Err(CheckpointError::Invalid(format!(
                "unknown format {:?}",
                file.format
            )));
        }
        fn hex<const N: usize>(field: &str, text: &str) -> Result<[u8; N], CheckpointError> {
            HEXLOWER
                .decode(text.as_bytes())
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| CheckpointError::Invalid(format!("{field} is not {N} bytes of hex")))
        }
        let time_ms = chrono::DateTime::parse_from_rfc3339(&file.time)
            .map(|t| t.timestamp_millis())
            .unwrap_or(0);
        Ok(Self {
            store_id: hex("store_id", &file.store_id)?,
            seq: file.seq,
            hash: hex("hash", &file.hash)?,
            seal: hex("seal", &file.seal)?,
            epoch: file.epoch,
            time_ms,
        })
    }
}
