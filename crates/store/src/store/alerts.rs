//! Security and clinical alerts, and their acknowledgements.
//!
//! An alert may be raised before any key is unlocked (an account lockout), so its kind,
//! time and subjects (staff names, opaque ids) are kept in the clear; its detail, which
//! can carry text staff typed (a break-glass reason), is sealed to the clinic's
//! free-text public key (`audit::detail`), and scrubbed when the patient it names is
//! erased. The acknowledgement carries a free-text note that may name a patient, so it
//! is sealed: with the patient's key when the alert is about one patient (erasing the
//! patient shreds it too), else with the clinic's data key.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::{self, Versioned};
use super::db::Store;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::audit::detail::SealedText;
use crate::domain::patient::PatientId;

pub const ALERTS_TREE: &str = "alerts";
pub const ALERT_ACKS_TREE: &str = "alert_acks";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Repeated failed sign-ins locked an account.
    AccountLocked,
    /// Someone opened a restricted patient with break-glass.
    BreakGlass,
    /// A questionnaire answer that needs the care team today (PHQ-9 item 9).
    UrgentAnswer,
    /// One user opened more distinct patients within an hour than the clinic allows.
    ManyPatients,
    /// Patient data was opened outside the clinic's working hours.
    OutsideHours,
    /// One user exported or printed more patients' data within an hour than allowed.
    BulkExport,
    /// A clinic's rule file (tag rules, value sets) did not read: the previous rules
    /// stay in force until it is fixed.
    RuleFileRefused,
}

impl AlertKind {
    pub const ALL: [AlertKind; 7] = [
        AlertKind::AccountLocked,
        AlertKind::BreakGlass,
        AlertKind::UrgentAnswer,
        AlertKind::ManyPatients,
        AlertKind::OutsideHours,
        AlertKind::BulkExport,
        AlertKind::RuleFileRefused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::AccountLocked => "account_locked",
            AlertKind::BreakGlass => "break_glass",
            AlertKind::UrgentAnswer => "urgent_answer",
            AlertKind::ManyPatients => "many_patients",
            AlertKind::OutsideHours => "outside_hours",
            AlertKind::BulkExport => "bulk_export",
            AlertKind::RuleFileRefused => "rule_file_refused",
        }
    }

    /// A clinical alert is for the care team as well as for oversight.
    pub fn is_clinical(self) -> bool {
        self == AlertKind::UrgentAnswer
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub time_unix: i64,
    pub kind: AlertKind,
    /// Staff user names (`user:NAME`) and opaque ids.
    pub subjects: Vec<String>,
    /// Sealed; open with the vault (`TextOpener`).
    pub detail: SealedText,
}

impl Versioned for Alert {
    /// 2: the detail sealed.
    const VERSION: u16 = 2;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, codec::CodecError> {
        /// An alert as version 1 stored it: its detail in the clear (sealed by the
        /// store's keyed upgrade, `store::upgrade`).
        #[derive(Deserialize)]
        struct AlertV1 {
            id: u64,
            time_unix: i64,
            kind: AlertKind,
            subjects: Vec<String>,
            detail: String,
        }
        match version {
            1 => {
                let old: AlertV1 = codec::decode_payload(payload)?;
                Ok(Alert {
                    id: old.id,
                    time_unix: old.time_unix,
                    kind: old.kind,
                    subjects: old.subjects,
                    detail: SealedText::Clear(old.detail),
                })
            }
            other => Err(codec::CodecError::NoMigration(other)),
        }
    }
}

impl Alert {
    /// The patient the alert is about, if it names one.
    pub fn patient(&self) -> Option<PatientId> {
        self.subjects.iter().find_map(|s| PatientId::parse(s))
    }

    /// The scope whose key seals the alert's acknowledgement.
    pub fn note_scope(&self) -> Scope {
        self.patient().map(Scope::Patient).unwrap_or(Scope::Clinic)
    }
}

/// Who acknowledged an alert, when, and what they did about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: String,
    pub time_unix: i64,
    pub note: String,
}

impl Versioned for Acknowledgement {
    const VERSION: u16 = 1;
}

impl Record for Acknowledgement {
    const TREE: &'static str = ALERT_ACKS_TREE;
}

impl Store {
    pub fn stage_alert(
        &self,
        writes: &mut WriteSet,
        kind: AlertKind,
        subjects: Vec<String>,
        detail: Text,
    ) -> Result<u64, StoreError> {
        let now = (self.options.clock)().timestamp();
        Ok(self.stage_alert_at(writes, now, kind, subjects, detail)?.id)
    }

    /// An alert raised at `time_unix` (the demo clinic's history).
    pub fn stage_alert_at(
        &self,
        writes: &mut WriteSet,
        time_unix: i64,
        kind: AlertKind,
        subjects: Vec<String>,
        detail: Text,
    ) -> Result<Alert, StoreError> {
        let id = self
            .db
            .generate_id()
            .map_err(|e| StoreError::from_sled(&self.dir, e))?;
        let alert = Alert {
            id,
            time_unix,
            kind,
            subjects,
            detail: SealedText::boxed(self.audit.text_public().as_ref(), &detail.to_stored()),
        };
        writes.put(
            &self.tree(ALERTS_TREE)?,
            id.to_be_bytes(),
            codec::encode(&alert).to_vec(),
        );
        Ok(alert)
    }

    /// Alerts, newest first, at most `limit`.
    pub fn alerts(&self, limit: usize) -> Result<Vec<Alert>, StoreError> {
        self.alerts_where(limit, |_| true)
    }

    /// Alerts that pass `keep`, newest first, at most `limit`.
    pub fn alerts_where(
        &self,
        limit: usize,
        keep: impl Fn(&Alert) -> bool,
    ) -> Result<Vec<Alert>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(ALERTS_TREE)?.iter().rev() {
            let (_, bytes) = item.map_err(|e| StoreError::from_sled(&self.dir, e))?;
            let alert: Alert =
                codec::decode(&bytes).map_err(|e| StoreError::from_codec(&self.dir, e))?;
            if keep(&alert) {
                out.push(alert);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Whether `id` has been acknowledged (without opening the note).
    pub fn alert_acknowledged(&self, id: u64) -> Result<bool, StoreError> {
        self.tree(ALERT_ACKS_TREE)?
            .contains_key(id.to_be_bytes())
            .map_err(|e| StoreError::from_sled(&self.dir, e))
    }

    pub fn alert(&self, id: u64) -> Result<Option<Alert>, StoreError> {
        match self
            .tree(ALERTS_TREE)?
            .get(id.to_be_bytes())
            .map_err(|e| StoreError::from_sled(&self.dir, e))?
        {
            Some(bytes) => Ok(Some(
                codec::decode(&bytes).map_err(|e| StoreError::from_codec(&self.dir, e))?,
            )),
            None => Ok(None),
        }
    }
}

impl Vault {
    /// Stages the scrubbing of the details of every alert that names `patient` (at
    /// their erasure): sealed to the clinic's key, they would outlive the patient's.
    pub fn stage_alert_scrub(
        &self,
        writes: &mut WriteSet,
        patient: &PatientId,
    ) -> Result<(), StoreError> {
        let tree = self.tree(ALERTS_TREE)?;
        for mut alert in self
            .store()
            .alerts_where(usize::MAX, |a| a.patient() == Some(*patient))?
        {
            alert.detail = SealedText::Erased;
            writes.put(
                &tree,
                alert.id.to_be_bytes(),
                codec::encode(&alert).to_vec(),
            );
        }
        Ok(())
    }

    /// The acknowledgement of `alert`, if it has one.
    pub fn acknowledgement(&self, alert: &Alert) -> Result<Option<Acknowledgement>, StoreError> {
        self.get(alert.note_scope(), &alert.id.to_be_bytes())
    }

    pub fn stage_acknowledgement(
        &self,
        writes: &mut WriteSet,
        alert: &Alert,
        ack: &Acknowledgement,
    ) -> Result<(), StoreError> {
        self.stage_put(writes, alert.note_scope(), &alert.id.to_be_bytes(), ack)
    }
}

/// What each kind of alert says, as messages in the reader's language: one place for
/// the service and the demo clinic.
pub mod details {
    use crate::i18n::Text;
    use crate::text;

    pub fn many_patients(count: usize, limit: usize) -> Text {
        text!("msg.alerts.many_patients", count = count, limit = limit)
    }

    pub fn bulk_export(count: usize, limit: usize) -> Text {
        text!("msg.alerts.bulk_export", count = count, limit = limit)
    }

    /// `weekday` as chrono's `%a` writes it (Mon … Sun), `time` as HH:MM.
    pub fn outside_hours(weekday: &str, time: &str, hours: &str) -> Text {
        text!("msg.alerts.outside_hours", time = time, hours = hours)
            .arg_text("weekday", Text::new(format!("weekday.{weekday}")))
    }

    pub fn account_locked(failures: u32, minutes: i64) -> Text {
        text!(
            "msg.alerts.account_locked",
            failures = failures,
            minutes = minutes
        )
    }

    /// The break-glass reason, as the user typed it.
    pub fn break_glass(reason: &str) -> Text {
        text!("msg.alerts.break_glass", reason = reason)
    }

    pub fn urgent_answer(questionnaire: &str, items: &[String]) -> Text {
        text!(
            "msg.alerts.urgent_answer",
            questionnaire = questionnaire,
            items = items.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::AlertKind;
    use crate::i18n::{Lang, Locale};

    /// The alerts list names each kind from the catalogs (`alert.<kind>`): a kind
    /// added without its label would show its key.
    #[test]
    fn every_kind_has_a_label_in_both_languages() {
        for lang in [Lang::En, Lang::ZhCn] {
            let locale = Locale::new(lang);
            for kind in AlertKind::ALL {
                let key = format!("alert.{}", kind.as_str());
                assert_ne!(locale.t(&key), key, "{lang:?} has no {key}");
            }
        }
    }
}
