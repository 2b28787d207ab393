//! What one audit record holds, and its canonical bytes and hash.

use serde::{Deserialize, Serialize};

use crate::codec::CodecError;

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
    /// Detail: counts, reasons typed for break-glass, error kinds. Never stored in the
    /// clear: sealed when the record is written (`audit::detail`).
    pub detail: Option<String>,
    /// The detail already sealed (with the patient's key) by the unlocked store; not
    /// part of a legacy record's bytes.
    #[serde(skip)]
    pub sealed: Option<super::detail::SealedText>,
}

impl AuditEvent {
    pub fn new(actor: Actor, action: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            actor,
            action: action.into(),
            subjects: Vec::new(),
            outcome,
            detail: None,
            sealed: None,
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
    /// An event as written before free text was sealed: its detail is in the clear.
    /// Such records stay as they are (the chain covers their bytes).
    Event(AuditEvent),
    /// Closes an epoch: sealed with that epoch's key, after which the key is erased.
    EpochSeal { epoch: u64 },
    /// Closes an epoch before its time, on an administrator's request (after a
    /// suspected compromise, before a machine changes hands): everything logged so far
    /// is beyond forging at once. The next epoch runs to the clock's next boundary.
    EpochSealEarly { epoch: u64 },
    /// An event whose detail is sealed (`audit::detail`); the hash covers the sealed
    /// bytes, so the chain verifies without any key.
    Sealed(super::detail::SealedEvent),
}

impl RecordBody {
    /// The event this record holds (either form), its detail opened by `opener`.
    pub fn event(self, opener: &dyn super::detail::TextOpener) -> Option<AuditEvent> {
        match self {
            RecordBody::Event(event) => Some(event),
            RecordBody::Sealed(event) => Some(event.open(opener)),
            _ => None,
        }
    }

    /// The event's actor, action, subjects and outcome, without its detail.
    pub fn event_head(self) -> Option<AuditEvent> {
        self.event(&super::detail::NoKeys).map(|mut e| {
            e.detail = None;
            e
        })
    }
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

/// Format version of a stored audit record (first two bytes).
pub const RECORD_VERSION: u16 = 1;
/// version, seq, time, prev, hash, mac; the body's canonical bytes follow.
const HEADER_LEN: usize = 2 + 8 + 8 + 32 * 3;

/// The canonical bytes of a body (bincode's standard configuration is deterministic
/// for these types: no maps).
pub fn body_bytes(body: &RecordBody) -> Vec<u8> {
    bincode::serde::encode_to_vec(body, bincode::config::standard()).unwrap_or_default()
}

/// The hash that chains a record to its predecessor.
pub fn chain_hash(prev: &[u8; 32], seq: u64, time_ms: i64, body: &RecordBody) -> [u8; 32] {
    chain_hash_bytes(prev, seq, time_ms, &body_bytes(body))
}

/// The same hash over a body already in canonical bytes (what `verify` reads), with
/// the store suite's hash (SHA-256, or SM3 under 国密).
pub fn chain_hash_bytes(prev: &[u8; 32], seq: u64, time_ms: i64, body: &[u8]) -> [u8; 32] {
    use crate::crypto::suite;
    suite::digest(
        suite::current(),
        &[
            b"caredesk-audit-v1",
            prev,
            &seq.to_be_bytes(),
            &time_ms.to_be_bytes(),
            body,
        ],
    )
}

impl AuditRecord {
    /// Stored form: a fixed header, then the body's canonical bytes, so that `verify`
    /// hashes what is on disk without decoding it.
    pub fn encode(&self) -> Vec<u8> {
        let body = body_bytes(&self.body);
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.extend_from_slice(&RECORD_VERSION.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.prev);
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&self.mac);
        out.extend_from_slice(&body);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let raw = RawRecord::parse(bytes)?;
        Ok(Self {
            seq: raw.seq,
            time_ms: raw.time_ms,
            body: raw.body()?,
            prev: *raw.prev,
            hash: *raw.hash,
            mac: *raw.mac,
        })
    }
}

/// A stored record read in place, without copying or decoding its body.
pub struct RawRecord<'a> {
    pub seq: u64,
    pub time_ms: i64,
    pub prev: &'a [u8; 32],
    pub hash: &'a [u8; 32],
    pub mac: &'a [u8; 32],
    pub body: &'a [u8],
}

/// Which kind of body a record has, read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Genesis,
    Event,
    EpochSeal,
    EpochSealEarly,
    /// An event with its detail sealed.
    Sealed,
}

impl<'a> RawRecord<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, CodecError> {
        if bytes.len() < HEADER_LEN + 1 {
            return Err(CodecError::Truncated);
        }
        let version = u16::from_be_bytes([bytes[0], bytes[1]]);
        if version != RECORD_VERSION {
            return Err(CodecError::Newer {
                found: version,
                known: RECORD_VERSION,
            });
        }
        let array = |at: usize| -> &'a [u8; 32] {
            // In bounds: the length was checked above.
            bytes[at..at + 32].try_into().unwrap_or(&[0; 32])
        };
        let eight = |at: usize| -> [u8; 8] { bytes[at..at + 8].try_into().unwrap_or([0; 8]) };
        Ok(Self {
            seq: u64::from_be_bytes(eight(2)),
            time_ms: i64::from_be_bytes(eight(10)),
            prev: array(18),
            hash: array(50),
            mac: array(82),
            body: &bytes[HEADER_LEN..],
        })
    }

    /// bincode writes the enum variant index first; ours are all below 251, one byte.
    pub fn kind(&self) -> Result<BodyKind, CodecError> {
        match self.body[0] {
            0 => Ok(BodyKind::Genesis),
            1 => Ok(BodyKind::Event),
            2 => Ok(BodyKind::EpochSeal),
            3 => Ok(BodyKind::EpochSealEarly),
            4 => Ok(BodyKind::Sealed),
            other => Err(CodecError::Malformed(format!(
                "unknown record kind {other}"
            ))),
        }
    }

    pub fn body(&self) -> Result<RecordBody, CodecError> {
        let (body, read) =
            bincode::serde::decode_from_slice(self.body, crate::codec::decode_config())
                .map_err(|e| CodecError::Malformed(e.to_string()))?;
        if read != self.body.len() {
            return Err(CodecError::Malformed("trailing bytes".into()));
        }
        Ok(body)
    }
}

/// The hash every chain starts from.
pub const GENESIS_PREV: [u8; 32] = [0; 32];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips_and_kinds_are_read_in_place() {
        let bodies = [
            RecordBody::Genesis {
                store_id: [1; 16],
                epoch_start_unix: 5,
                epoch_seconds: 900,
            },
            RecordBody::Event(AuditEvent::new(Actor::default(), "x", Outcome::Denied).subject("p")),
            RecordBody::EpochSeal { epoch: 7 },
        ];
        let kinds = [BodyKind::Genesis, BodyKind::Event, BodyKind::EpochSeal];
        for (body, kind) in bodies.into_iter().zip(kinds) {
            let record = AuditRecord {
                seq: 3,
                time_ms: -4,
                body,
                prev: [1; 32],
                hash: [2; 32],
                mac: [3; 32],
            };
            let bytes = record.encode();
            assert_eq!(AuditRecord::decode(&bytes).unwrap(), record);
            let raw = RawRecord::parse(&bytes).unwrap();
            assert_eq!(raw.kind().unwrap(), kind);
            assert_eq!(
                chain_hash_bytes(raw.prev, raw.seq, raw.time_ms, raw.body),
                chain_hash(&record.prev, record.seq, record.time_ms, &record.body)
            );
        }
        assert_eq!(AuditRecord::decode(&[0, 1, 2]), Err(CodecError::Truncated));
    }

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
