//! Free text outside patient records — audit details (reasons typed for break-glass,
//! erasure or an amendment, file and printer names, notes) and alert details — kept
//! sealed, never in the clear.
//!
//! The text of an event that names one patient is sealed with that patient's key, so
//! erasing the patient (crypto-shredding) shreds it too; other text with the clinic's
//! free-text key (`crypto::detail`), or, by a process that holds no key yet, to that
//! key's public half. An audit record keeps the sealed bytes inside its hash chain:
//! `audit verify` checks the chain without any key; `audit export` and the privacy
//! officer's screens open the text for the auditor.

use serde::{Deserialize, Serialize};

use super::record::{Actor, AuditEvent, Outcome};
use crate::crypto::detail::{DetailKeys, seal_to};
use crate::crypto::envelope::{self, Aad};

/// Associated data of free-text envelopes (tree part), so they open nowhere else.
pub const FREE_TEXT_AAD: &str = "free_text";
/// Associated data (key part) of text under the clinic's key.
pub const CLINIC_AAD: &[u8] = b"clinic";

/// Shown in place of text whose patient was erased.
pub const ERASED: &str = "[erased]";
/// Shown in place of text that cannot be opened here (no key).
pub const SEALED: &str = "[sealed]";
/// Shown in place of text that was dropped because no key was known when it was written.
pub const WITHHELD: &str = "[withheld]";

/// A free text as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SealedText {
    /// Written by a caredesk older than sealing (alerts until the store's upgrade).
    Clear(String),
    /// No key was known where it was written (a store not yet unlocked since its
    /// upgrade): the text was dropped rather than stored in the clear.
    Withheld,
    /// The patient it was about was erased: the text was scrubbed.
    Erased,
    /// An envelope under the clinic's free-text key.
    Clinic(Vec<u8>),
    /// Sealed to the clinic's free-text public key by a process holding no key.
    Boxed(Vec<u8>),
    /// An envelope under the patient's own key: gone when the patient is erased.
    Patient { patient: [u8; 16], sealed: Vec<u8> },
}

impl SealedText {
    /// Seals to the clinic's public key, or withholds the text if there is none.
    pub fn boxed(public: Option<&[u8; 32]>, text: &str) -> Self {
        match public {
            // A public key that is no key of the suite (a damaged store) seals nothing.
            Some(public) => match seal_to(public, text.as_bytes()) {
                Some(sealed) => SealedText::Boxed(sealed),
                None => SealedText::Withheld,
            },
            None => SealedText::Withheld,
        }
    }

    /// Seals under the clinic's free-text key.
    pub fn clinic(keys: &DetailKeys, text: &str) -> Self {
        SealedText::Clinic(envelope::seal(
            &keys.symmetric,
            0,
            Aad::new(FREE_TEXT_AAD, CLINIC_AAD),
            text.as_bytes(),
        ))
    }
}

/// Opens stored text for whoever may read it.
pub trait TextOpener {
    fn open_text(&self, text: &SealedText) -> String;
}

/// The opener of a process that holds no key: only legacy clear text shows.
pub struct NoKeys;

impl TextOpener for NoKeys {
    fn open_text(&self, text: &SealedText) -> String {
        match text {
            SealedText::Clear(text) => text.clone(),
            SealedText::Withheld => WITHHELD.into(),
            SealedText::Erased => ERASED.into(),
            _ => SEALED.into(),
        }
    }
}

/// Opens what the clinic's free-text keys sealed; `patient` opens patient text (it
/// returns `None` when the patient's key is gone: erased).
pub fn open_with(
    keys: &DetailKeys,
    text: &SealedText,
    patient: impl Fn(&[u8; 16]) -> Option<crate::crypto::SecretKey>,
) -> String {
    let bytes = match text {
        SealedText::Clear(text) => return text.clone(),
        SealedText::Withheld => return WITHHELD.into(),
        SealedText::Erased => return ERASED.into(),
        SealedText::Clinic(sealed) => {
            envelope::open(&keys.symmetric, Aad::new(FREE_TEXT_AAD, CLINIC_AAD), sealed).ok()
        }
        SealedText::Boxed(sealed) => keys.open_boxed(sealed),
        SealedText::Patient {
            patient: id,
            sealed,
        } => match patient(id) {
            Some(key) => envelope::open(&key, Aad::new(FREE_TEXT_AAD, id), sealed).ok(),
            None => return ERASED.into(),
        },
    };
    match bytes {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => SEALED.into(),
    }
}

/// An event as an audit record stores it since free text is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedEvent {
    pub actor: Actor,
    pub action: String,
    pub subjects: Vec<String>,
    pub outcome: Outcome,
    pub detail: Option<SealedText>,
}

impl SealedEvent {
    /// The stored form of `event`: its detail as already sealed, or sealed to the
    /// clinic's public key here (or withheld when there is none).
    pub fn of(event: AuditEvent, public: Option<&[u8; 32]>) -> Self {
        let detail = match (event.sealed, event.detail) {
            (Some(sealed), _) => Some(sealed),
            (None, Some(text)) => Some(SealedText::boxed(public, &text)),
            (None, None) => None,
        };
        Self {
            actor: event.actor,
            action: event.action,
            subjects: event.subjects,
            outcome: event.outcome,
            detail,
        }
    }

    /// The event with its detail opened by `opener`.
    pub fn open(self, opener: &dyn TextOpener) -> AuditEvent {
        let detail = self.detail.as_ref().map(|d| opener.open_text(d));
        AuditEvent {
            actor: self.actor,
            action: self.action,
            subjects: self.subjects,
            outcome: self.outcome,
            detail,
            sealed: None,
        }
    }
}
