//! The reply types for what the store and the audit log report (a key rotation's
//! progress, audit events, a page of the raw chain): plain structs of the service's
//! own, converted by the handler, so a terminal or command reads a reply without
//! naming a store or audit type, and a change inside those layers does not change the
//! wire by accident. A command that hands a page to the audit verifier converts it
//! back (`From` both ways).

use serde::{Deserialize, Serialize};

use crate::audit::export::AuditRow;
use crate::audit::log::{ChainPage, Head};
use crate::audit::verify::SealView;
use crate::store::rotation::RotationProgress;

/// Where a data-key rotation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotation {
    pub from: u32,
    pub to: u32,
    /// Values looked at so far, of about `total`.
    pub scanned: u64,
    pub total: u64,
    /// Values re-sealed under the new key so far.
    pub resealed: u64,
    pub finished: bool,
    /// Key slots that hold a grant for the new key (taken up at their next use).
    pub granted: u32,
    /// Owners of key slots too old to take a grant: they must be reset.
    pub left_out: Vec<String>,
}

impl From<RotationProgress> for KeyRotation {
    fn from(p: RotationProgress) -> Self {
        Self {
            from: p.from,
            to: p.to,
            scanned: p.scanned,
            total: p.total,
            resealed: p.resealed,
            finished: p.finished,
            granted: p.granted,
            left_out: p.left_out,
        }
    }
}

/// One audit event as auditors' scripts read it (the field names are that contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub time: String,
    pub user: String,
    pub role: String,
    pub os_user: String,
    pub ssh_client: String,
    pub session: String,
    pub action: String,
    pub subjects: Vec<String>,
    pub outcome: String,
    pub detail: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            seq: r.seq,
            time: r.time,
            user: r.user,
            role: r.role,
            os_user: r.os_user,
            ssh_client: r.ssh_client,
            session: r.session,
            action: r.action,
            subjects: r.subjects,
            outcome: r.outcome,
            detail: r.detail,
            hash: r.hash,
        }
    }
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            time: e.time,
            user: e.user,
            role: e.role,
            os_user: e.os_user,
            ssh_client: e.ssh_client,
            session: e.session,
            action: e.action,
            subjects: e.subjects,
            outcome: e.outcome,
            detail: e.detail,
            hash: e.hash,
        }
    }
}

/// A page of the raw audit chain, for a verifier talking to the clinic server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChainPage {
    /// The log's last record and open epoch when the page was read.
    pub head_seq: u64,
    pub head_hash: [u8; 32],
    pub head_epoch: u64,
    /// The sealing key's epoch and digest, for the verifier's checkpoint check.
    pub seal_epoch: u64,
    pub seal_key_digest: [u8; 32],
    /// (stored key, stored value) of each record, in order.
    pub records: Vec<(Vec<u8>, Vec<u8>)>,
}

impl From<ChainPage> for AuditChainPage {
    fn from(page: ChainPage) -> Self {
        Self {
            head_seq: page.head.seq,
            head_hash: page.head.hash,
            head_epoch: page.head.epoch,
            seal_epoch: page.seal.epoch,
            seal_key_digest: page.seal.key_digest,
            records: page.records,
        }
    }
}

impl From<AuditChainPage> for ChainPage {
    fn from(page: AuditChainPage) -> Self {
        Self {
            head: Head {
                seq: page.head_seq,
                hash: page.head_hash,
                epoch: page.head_epoch,
            },
            seal: SealView {
                epoch: page.seal_epoch,
                key_digest: page.seal_key_digest,
            },
            records: page.records,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_page_survives_the_wire_type_both_ways() {
        let page = ChainPage {
            head: Head {
                seq: 41,
                hash: [3; 32],
                epoch: 7,
            },
            seal: SealView {
                epoch: 6,
                key_digest: [9; 32],
            },
            records: vec![(b"r1".to_vec(), b"v1".to_vec())],
        };
        let wire = AuditChainPage::from(page.clone());
        assert_eq!(wire.head_seq, 41);
        assert_eq!(wire.seal_epoch, 6);
        assert_eq!(ChainPage::from(wire), page);
    }

    #[test]
    fn an_audit_row_survives_the_wire_type_both_ways() {
        let row = AuditRow {
            seq: 5,
            time: "2024-01-02T03:04:05Z".into(),
            user: "li".into(),
            role: "nurse".into(),
            os_user: "li".into(),
            ssh_client: String::new(),
            session: "s".into(),
            action: "patient.read".into(),
            subjects: vec!["p1".into()],
            outcome: "ok".into(),
            detail: String::new(),
            hash: "ab".into(),
        };
        assert_eq!(AuditRow::from(AuditEntry::from(row.clone())), row);
    }
}
