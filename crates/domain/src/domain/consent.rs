//! Consent per channel and purpose, with its full history. Nothing is implied: no
//! record means no consent, and care consent never covers marketing.
//!
//! Apart from permission to contact, PIPL asks two separate consents of its own
//! (`Processing`): to process health information, a sensitive kind (第28–29条), and
//! to provide it to another processor (第23条). Each is recorded with the version of
//! the notice it was given under (第17、30条) and, for a child under 14, the guardian
//! who gave it (第31条).

use serde::{Deserialize, Serialize};

use crate::codec::{CodecError, Versioned, decode_payload};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Sms,
    Email,
    Mail,
    /// WeChat (a service account or a staff member's WeChat Work), its own channel.
    WeChat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Care reminders and follow-up calls.
    Care,
    /// Health education.
    Education,
    Marketing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Granted,
    /// Refused, or withdrawn (opt-out): both end contact from that moment.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    SignedForm,
    Verbal,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Phone,
        Channel::Sms,
        Channel::WeChat,
        Channel::Email,
        Channel::Mail,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Mail => "mail",
            Channel::WeChat => "wechat",
        }
    }
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Care, Purpose::Education, Purpose::Marketing];

    pub fn name(self) -> &'static str {
        match self {
            Purpose::Care => "care",
            Purpose::Education => "education",
            Purpose::Marketing => "marketing",
        }
    }
}

/// One decision, never changed afterwards: a later entry supersedes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEntry {
    pub channel: Channel,
    pub purpose: Purpose,
    pub decision: Decision,
    pub method: Method,
    /// Unix time it was given or refused.
    pub at: i64,
    /// The staff user who recorded it.
    pub recorded_by: String,
}

/// What PIPL asks a separate consent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Processing {
    /// Processing the patient's health information (敏感个人信息, 第28–29条).
    HealthData,
    /// Providing it to another processor: an export to another system, a report for a
    /// third party (第23条).
    ProvideToOthers,
}

impl Processing {
    pub const ALL: [Processing; 2] = [Processing::HealthData, Processing::ProvideToOthers];

    pub fn name(self) -> &'static str {
        match self {
            Processing::HealthData => "health_data",
            Processing::ProvideToOthers => "provide_to_others",
        }
    }
}

/// A child is under this age: a parent or guardian gives the consent (第31条).
pub const GUARDIAN_UNDER_YEARS: u32 = 14;

/// The parent or guardian who consented for a child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    /// 父亲, 母亲, 祖父母, 法定监护人 … as given.
    pub relationship: String,
}

/// One separate consent under PIPL, never changed afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingEntry {
    pub scope: Processing,
    pub decision: Decision,
    pub method: Method,
    /// The version of the notice (`DIR/notice.toml`) the patient was given.
    pub notice_version: String,
    pub at: i64,
    pub recorded_by: String,
    /// Who consented for a child under 14.
    pub guardian: Option<Guardian>,
}

/// A patient's consent history, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub entries: Vec<ConsentEntry>,
    /// The separate PIPL consents (format 2 on).
    pub processing: Vec<ProcessingEntry>,
}

/// Format 1: permission to contact only.
#[derive(Deserialize)]
struct ConsentRecordV1 {
    entries: Vec<ConsentEntry>,
}

impl Versioned for ConsentRecord {
    const VERSION: u16 = 2;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => Ok(ConsentRecord {
                entries: decode_payload::<ConsentRecordV1>(payload)?.entries,
                processing: Vec::new(),
            }),
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

/// The answer to "may we contact this patient by this channel for this purpose now?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactAnswer {
    pub allowed: bool,
    /// The entry that decides, if any.
    pub because: Option<ConsentEntry>,
}

impl ConsentRecord {
    /// The decision in force for a channel and purpose at `now`.
    pub fn current(&self, channel: Channel, purpose: Purpose, now: i64) -> Option<&ConsentEntry> {
        self.entries
            .iter()
            .filter(|e| e.channel == channel && e.purpose == purpose && e.at <= now)
            .max_by_key(|e| e.at)
    }

    /// The separate consent in force for `scope` at `now`.
    pub fn processing_current(&self, scope: Processing, now: i64) -> Option<&ProcessingEntry> {
        self.processing
            .iter()
            .filter(|e| e.scope == scope && e.at <= now)
            .max_by_key(|e| e.at)
    }

    /// Whether the patient refused or withdrew the consent to process their health
    /// information: from then on it is only stored (PIPL 第47条), never added to. A
    /// consent never asked is not a refusal.
    pub fn storage_only(&self, now: i64) -> bool {
        self.processing_current(Processing::HealthData, now)
            .is_some_and(|e| e.decision == Decision::Refused)
    }

    /// Whether the patient (or their guardian) consents to `scope` now.
    pub fn may_process(&self, scope: Processing, now: i64) -> bool {
        self.processing_current(scope, now)
            .is_some_and(|e| e.decision == Decision::Granted)
    }

    pub fn may_contact(&self, channel: Channel, purpose: Purpose, now: i64) -> ContactAnswer {
        let because = self.current(channel, purpose, now).cloned();
        ContactAnswer {
            allowed: because
                .as_ref()
                .is_some_and(|e| e.decision == Decision::Granted),
            because,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(channel: Channel, purpose: Purpose, decision: Decision, at: i64) -> ConsentEntry {
        ConsentEntry {
            channel,
            purpose,
            decision,
            method: Method::SignedForm,
            at,
            recorded_by: "wang.li".into(),
        }
    }

    #[test]
    fn processing_consents_are_separate_and_the_latest_rules() {
        let mut record = ConsentRecord::default();
        let entry = |scope, decision, at| ProcessingEntry {
            scope,
            decision,
            method: Method::SignedForm,
            notice_version: "2026-12".into(),
            at,
            recorded_by: "wang.li".into(),
            guardian: None,
        };
        assert!(!record.may_process(Processing::HealthData, 100));
        record
            .processing
            .push(entry(Processing::HealthData, Decision::Granted, 10));
        assert!(record.may_process(Processing::HealthData, 100));
        assert!(
            !record.may_process(Processing::ProvideToOthers, 100),
            "consent to process is not consent to provide"
        );
        record
            .processing
            .push(entry(Processing::HealthData, Decision::Refused, 50));
        assert!(
            !record.may_process(Processing::HealthData, 100),
            "withdrawn"
        );
        record.entries.push(super::tests::entry(
            Channel::Phone,
            Purpose::Care,
            Decision::Granted,
            10,
        ));
        assert!(!record.may_process(Processing::ProvideToOthers, 100));
    }

    #[test]
    fn format_1_records_read_with_no_processing_consent() {
        let old = ConsentRecordV1Shape {
            entries: vec![entry(Channel::Sms, Purpose::Care, Decision::Granted, 5)],
        };
        let mut bytes = 1u16.to_be_bytes().to_vec();
        bytes.extend(
            bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap_or_default(),
        );
        let record: ConsentRecord = crate::codec::decode(&bytes).unwrap_or_default();
        assert_eq!(record.entries.len(), 1);
        assert!(record.processing.is_empty());
    }

    #[derive(Serialize)]
    struct ConsentRecordV1Shape {
        entries: Vec<ConsentEntry>,
    }

    #[test]
    fn nothing_is_implied_and_the_latest_decision_rules() {
        let mut record = ConsentRecord::default();
        assert!(
            !record
                .may_contact(Channel::Phone, Purpose::Care, 100)
                .allowed,
            "no record, no consent"
        );
        record
            .entries
            .push(entry(Channel::Phone, Purpose::Care, Decision::Granted, 10));
        assert!(
            record
                .may_contact(Channel::Phone, Purpose::Care, 100)
                .allowed
        );
        assert!(
            !record
                .may_contact(Channel::Phone, Purpose::Marketing, 100)
                .allowed,
            "care never implies marketing"
        );
        assert!(
            !record.may_contact(Channel::Sms, Purpose::Care, 100).allowed,
            "per channel"
        );
        record
            .entries
            .push(entry(Channel::Phone, Purpose::Care, Decision::Refused, 50));
        assert!(
            !record
                .may_contact(Channel::Phone, Purpose::Care, 100)
                .allowed,
            "opt-out at any time"
        );
        assert!(
            record
                .may_contact(Channel::Phone, Purpose::Care, 40)
                .allowed,
            "history: it was allowed before"
        );
        assert_eq!(record.entries.len(), 2, "the history keeps both");
    }
}
