//! Consent per channel and purpose, with its full history. Nothing is implied: no
//! record means no consent, and care consent never covers marketing.

use serde::{Deserialize, Serialize};

use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Sms,
    /// E-mail or WeChat.
    Email,
    Mail,
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
    pub const ALL: [Channel; 4] = [Channel::Phone, Channel::Sms, Channel::Email, Channel::Mail];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Mail => "mail",
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

/// A patient's consent history, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub entries: Vec<ConsentEntry>,
}

impl Versioned for ConsentRecord {
    const VERSION: u16 = 1;
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
