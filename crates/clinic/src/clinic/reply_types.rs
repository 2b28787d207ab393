//! The values of replies that have more than one field: each reply kind carries exactly
//! one type, so a caller asks for a type (`Client::ask::<Registered>`) and the kind
//! follows from it. Their `Debug` names the type and nothing it carries (secrets,
//! patients' names and tags), like `Response`'s.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::api::{Secret, SessionToken};
use super::desk::name_index::PatientRow;
use crate::auth::{Permission, Role};
use crate::domain::card::Card;
use crate::domain::patient::PatientId;

/// `Debug` that prints only the type's name: these travel to callers that may log.
macro_rules! redacted_debug {
    ($($name:ident),+ $(,)?) => {$(
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    )+};
}

redacted_debug!(
    TotpEnrolment,
    Activated,
    Me,
    UserCreated,
    PasswordReset,
    KeyFileCreated,
    ErasureRequested,
    RecoveryKeyCreated,
    AuditSealed,
    PatientCreated,
    Questionnaires,
    FollowUpPlanAdded,
    FollowUpScheduled,
    FollowUpClaimed,
    RecordingStarted,
    SummarySaved,
    AutoTagsView,
    Registered,
    SearchResults,
    BackupPiece,
);

/// Password was right; the user must enrol TOTP: scan, then `ConfirmTotp`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub pending: SessionToken,
    pub otpauth_uri: Secret,
}

/// A first sign-in finished: the authenticator to enrol and the recovery codes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activated {
    pub otpauth_uri: Secret,
    pub recovery_codes: Vec<Secret>,
}

/// Who is signed in, and what they may do.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: String,
    pub role: Role,
    pub permissions: BTreeSet<Permission>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    pub name: String,
    pub role: Role,
    pub initial_password: Secret,
}

/// A one-time password to hand to the user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub name: String,
    pub one_time_password: Secret,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFileCreated {
    pub label: String,
    pub key: Secret,
}

/// The number of the erasure request, for the second person to approve.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRequested {
    pub id: u64,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryKeyCreated {
    pub slot: u64,
    pub key: Secret,
}

/// The epoch now open after an early seal, and the record that sealed the last.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSealed {
    pub epoch: u64,
    pub seq: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientCreated {
    pub id: PatientId,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaires {
    pub definitions: Vec<crate::domain::questionnaire::Definition>,
    /// (file, what is wrong) for each definition left out.
    pub problems: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpPlanAdded {
    pub plan: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpScheduled {
    pub created: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpClaimed {
    pub until: i64,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingStarted {
    pub recording: [u8; 16],
    pub chunk_size: u32,
}

/// A summary version was kept: the summary's number.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummarySaved {
    pub number: u32,
}

/// A patient's automatic tags.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoTagsView {
    pub tags: Vec<crate::domain::tag_rules::AutoTag>,
    /// What is wrong with the clinic's rule file, when something is.
    pub problem: Option<String>,
}

/// A patient registered and their first card.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub id: PatientId,
    pub card: Card,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub rows: Vec<PatientRow>,
    pub total: u64,
    /// While the name index is still being built after the daemon started: (patients
    /// indexed, patients in all). The rows are then those indexed so far.
    pub indexing: Option<(u64, u64)>,
}

/// Bytes of a (sealed) backup file; a type of its own so that it is not read as a
/// recording's bytes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupPiece(pub Vec<u8>);
