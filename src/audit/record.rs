//! What one audit record holds, and its canonical bytes and hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Result of the audited operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Error => "error",
        }
    }
}

/// Who did something, from where. Never patient data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// caredesk user name (staff), when one is signed in or named.
    pub user: Option<String>,
    pub role: Option<String>,
    /// The operating-system account the request came from.
    pub os_user: String,
    /// `ip:port` of the SSH client, from `SSH_CONNECTION` or the daemon's peer.
    pub ssh_client: Option<String>,
    /// A short, non-secret session reference (never the session token).
    pub session: Option<String>,
}

/// One audited operation: action and subject ids, never names or values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub actor: Actor,
    /// Dotted action name, e.g. `patient.read`, `login.failed`.
    pub action: String,
    /// Opaque ids of what was touched (patient ids, user names of staff, slot ids).
    pub subjects: Vec<String>,
    pub outcome: Outcome,
    /// Non-identifying detail: counts, reasons typed for break-glass, error kinds.
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(actor: Actor, action: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            actor,
            action: action.into(),
            subjects: Vec::new(),
            outcome,
            detail: None,
        }
    }

    pub fn subject(mut self, id: impl Into<String>) -> Self {
        self.subjects.push(id.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordBody {
    /// First record: fixes the store it belongs to and the epoch clock.
    Genesis {
        store_id: [u8; 16],
        epoch_start_unix: i64,
        epoch_seconds: u64,
    },
    Event(AuditEvent),
    /// Closes an epoch: sealed with that epoch's key, after which the key is erased.
    EpochSeal {
        epoch: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: u64,
    /// UTC, milliseconds since the Unix epoch.
    pub time_ms: i64,
    pub body: RecordBody,
    pub prev: [u8; 32],
    pub hash: [u8; 32],
    /// HMAC-SHA256 of `hash` under the sealing key of the record's epoch.
    pub mac: [u8; 32],
}

/// The hash that chains a record to its predecessor.
pub fn chain_hash(prev: &[u8; 32], seq: u64, time_ms: i64, body: &RecordBody) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"caredesk-audit-v1");
    hasher.update(prev);
    hasher.update(canonical_bytes(seq, time_ms, body));
    hasher.finalize().into()
}

fn canonical_bytes(seq: u64, time_ms: i64, body: &RecordBody) -> Vec<u8> {
    // bincode's standard configuration is deterministic for these types (no maps).
    bincode::serde::encode_to_vec((seq, time_ms, body), bincode::config::standard())
        .unwrap_or_default()
}

/// The hash every chain starts from.
pub const GENESIS_PREV: [u8; 32] = [0; 32];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_every_field() {
        let event = AuditEvent::new(Actor::default(), "x", Outcome::Ok);
        let body = RecordBody::Event(event.clone());
        let base = chain_hash(&GENESIS_PREV, 1, 5, &body);
        assert_ne!(base, chain_hash(&[1; 32], 1, 5, &body));
        assert_ne!(base, chain_hash(&GENESIS_PREV, 2, 5, &body));
        assert_ne!(base, chain_hash(&GENESIS_PREV, 1, 6, &body));
        let other = RecordBody::Event(event.subject("p1"));
        assert_ne!(base, chain_hash(&GENESIS_PREV, 1, 5, &other));
    }
}
