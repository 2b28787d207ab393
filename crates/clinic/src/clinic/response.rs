//! The service's replies: `Response`, the values it carries and `ServiceError`.

use std::collections::BTreeSet;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::text;

use super::api::{Secret, SessionToken};
pub use super::reply_types::*;
use crate::auth::signon::SignOnNotice;
use crate::auth::{Permission, Role, RoleTable};
use crate::domain::amendment::Amendment;
use crate::domain::booking::Booking;
use crate::domain::card::{Card, CardStatus};
use crate::domain::consent::{ConsentRecord, ContactAnswer};
use crate::domain::health::HealthRecord;
use crate::domain::patient::{Patient, PatientId};

/// What a successful sign-on returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub token: SessionToken,
    pub user: String,
    pub role: Role,
    pub permissions: BTreeSet<Permission>,
    pub notice: SignOnNotice,
    /// The sign-on used a recovery code; this many remain.
    pub recovery_codes_left: Option<u32>,
    /// Shown once when an enrolment was just confirmed.
    pub new_recovery_codes: Option<Vec<Secret>>,
    /// The user's own language, if they chose one.
    pub language: Option<crate::i18n::Lang>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub totp_enrolled: bool,
    pub must_change_password: bool,
    pub locked: bool,
    pub last_sign_on_unix: Option<i64>,
}

/// One spreadsheet row: its line in the file and its cells by field name (`name`,
/// `sex`, `birth_date`, `phone`, `id_type`, `id_number`, `address`,
/// `emergency_contact`, `card_type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub cells: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub imported: u64,
    pub duplicates: u64,
    /// (line, reason) of each row refused.
    pub rejected: Vec<(u64, String)>,
}

/// What an import did, in counts (never values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsSummary {
    pub messages: u64,
    /// Results stored.
    pub imported: u64,
    /// Results already stored (a re-import).
    pub duplicates: u64,
    /// Messages that matched no patient: on the review list.
    pub unmatched: u64,
    /// Messages or resources the importer could not read.
    pub rejected: u64,
    /// Results within readable messages that could not be read (each HL7 OBX refused
    /// on its own, with segment, field and reason): on the review list.
    pub unread: u64,
    /// Patients created from messages (`--create-patients`).
    pub created: u64,
    /// Amendments to records from reported diagnoses, medicines and smoking status, and
    /// questionnaires and consent decisions filed from a caredesk export.
    pub record_changes: u64,
}

impl ResultsSummary {
    /// Adds the counts of one more batch of the same import.
    pub fn add(&mut self, part: &ResultsSummary) {
        self.messages += part.messages;
        self.imported += part.imported;
        self.duplicates += part.duplicates;
        self.unmatched += part.unmatched;
        self.rejected += part.rejected;
        self.unread += part.unread;
        self.created += part.created;
        self.record_changes += part.record_changes;
    }
}

/// A message on the review list: results waiting for a patient, results the
/// importer could not read, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub number: u64,
    pub origin: String,
    pub patient_ids: Vec<String>,
    pub patient: Option<Patient>,
    /// Readable results waiting for a patient.
    pub results: u64,
    /// Results of the message that could not be read: "OBX 3, OBX-5: 2823-3
    /// Potassium: the value is not a number (type NM)", for the clerk to ask the lab.
    pub unread: Vec<crate::i18n::Text>,
    /// The readable results were filed already (under this patient); what is left is
    /// `unread`, to be closed with a note once the lab has resent or corrected them.
    pub filed_under: Option<crate::domain::patient::PatientId>,
}

/// Which booking: its day and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingKey {
    pub date: chrono::NaiveDate,
    pub id: u64,
}

/// A day at the exam centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamDay {
    pub date: chrono::NaiveDate,
    /// Each booking with the patient's name.
    pub bookings: Vec<(Booking, String)>,
    /// (package, places taken, daily capacity).
    pub places: Vec<(String, u32, u32)>,
}

/// The home screen's counts; `None` where the role may not know it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSummary {
    pub clinic_name: String,
    pub patients: Option<u64>,
    pub registered_today: Option<u64>,
    pub alerts_last_day: Option<u64>,
    /// Alerts this user acts on (all for oversight, clinical ones for the care team)
    /// that nobody has acknowledged yet.
    pub alerts_open: Option<u64>,
    /// For the privacy officer: patients' requests past their due date, and those due
    /// within the next three days, not yet answered.
    pub rights_late: Option<u64>,
    pub rights_due_soon: Option<u64>,
}

/// A patient as a role may see them: `health` is absent for roles without clinical
/// permission, filtered here in the service, not by the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientView {
    pub id: PatientId,
    pub patient: Patient,
    pub health: Option<HealthRecord>,
}

/// Declares `Response` from its list of kinds, and from the same list `Response::kind`,
/// `Response::KINDS` and, for each kind that carries a value, that value's `Reply`
/// impl (so each type reads exactly one kind; `Done` is `()` in `reply.rs`).
macro_rules! responses {
    ($(
        $(#[$meta:meta])*
        $variant:ident $(($payload:ty))?,
    )+) => {
        /// A reply. Its `Debug` names only the kind of reply (and an error in full),
        /// never what it carries: a reply printed by a caller that did not expect it
        /// cannot put a patient's data on a terminal or in a log.
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Response {
            $($(#[$meta])* $variant $(($payload))?,)+
            /// The request was refused or failed.
            Error(ServiceError),
        }

        impl Response {
            /// Every kind of answer (`Error` aside), as `kind` names them.
            pub const KINDS: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The kind of reply, e.g. "Patient" (what `Debug` shows).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Response::$variant { .. } => stringify!($variant),)+
                    Response::Error(_) => "Error",
                }
            }
        }

        $($(
            impl super::reply::Reply for $payload {
                const KINDS: &'static [&'static str] = &[stringify!($variant)];

                fn read(response: Response) -> Result<Self, Response> {
                    match response {
                        Response::$variant(value) => Ok(value),
                        other => Err(other),
                    }
                }
            }
        )?)+
    };
}

#[rustfmt::skip]
responses! {
    SignedIn(SignedIn),
    /// Password was right; the user must enrol TOTP: scan, then `ConfirmTotp`.
    TotpEnrolment(TotpEnrolment),
    Activated(Activated),
    Me(Me),
    Done,
    Users(Vec<UserSummary>),
    UserCreated(UserCreated),
    PasswordReset(PasswordReset),
    KeyFileCreated(KeyFileCreated),
    KeySlots(Vec<super::admin::keys::SlotSummary>),
    ErasureRequested(ErasureRequested),
    Erasures(Vec<super::oversight::erasure::ErasureRequest>),
    RecoveryKeyCreated(RecoveryKeyCreated),
    KeyRotation(super::wire::KeyRotation),
    /// The epoch now open after an early seal, and the record that sealed the last.
    AuditSealed(AuditSealed),
    Roles(RoleTable),
    PatientCreated(PatientCreated),
    Patient(PatientView),
    Patients(Vec<PatientId>),
    Health(HealthRecord),
    History(Vec<Amendment>),
    ResultsImported(ResultsSummary),
    Observations(Vec<crate::domain::observation::Observation>),
    Review(Vec<ReviewItem>),
    Questionnaires(Questionnaires),
    QuestionnaireScored(crate::domain::questionnaire::Scored),
    Intake(Box<crate::domain::intake::Intake>),
    Risks(Vec<crate::domain::assessment::Assessment>),
    AdviceDraft(Vec<crate::domain::advice::Item>),
    Advice(Vec<crate::domain::advice::Approved>),
    /// The plan's latest version with each goal's progress, if the patient has a plan.
    Plan(Box<Option<crate::domain::plan::PlanView>>),
    PlanTemplates(Vec<crate::domain::plan_template::Offer>),
    FollowUpChart(Box<super::followup::api::FollowUpChart>),
    FollowUpPlanAdded(FollowUpPlanAdded),
    FollowUpScheduled(FollowUpScheduled),
    FollowUpQueue(Box<super::followup::api::QueueView>),
    FollowUpClaimed(FollowUpClaimed),
    FollowUpCall(Box<super::followup::api::CallView>),
    FollowUpCallSaved(Box<super::followup::api::CallSaved>),
    RecordingStarted(RecordingStarted),
    /// A piece of a call recording.
    RecordingBytes(Vec<u8>),
    SummaryDraft(Box<crate::domain::summary::StageSummary>),
    /// A summary version was kept: the summary's number.
    SummarySaved(SummarySaved),
    /// By summary number, then oldest first.
    Summaries(Vec<crate::domain::summary::SummaryVersion>),
    ExamDraft(Box<super::results::exam_form::ExamDraft>),
    ExamSaved(super::results::exam_form::ExamSaved),
    /// By exam number, then oldest first.
    Exams(Vec<crate::domain::exam_form::ExamVersion>),
    ExamForm(Box<super::results::exam_form::ExamFormDocument>),
    PlanDraft(Box<crate::domain::plan::Plan>),
    AutoTags(AutoTagsView),
    Alerts(Vec<super::oversight::alerts::AlertView>),
    Registered(Registered),
    ImportSummary(ImportSummary),
    ExamBooked(Booking),
    ExamDay(ExamDay),
    Consent(ConsentRecord),
    ContactAnswer(ContactAnswer),
    Notice(Box<super::desk::notice::NoticeDocument>),
    RightsRequests(Vec<super::oversight::rights_requests::RightsRequestRow>),
    RetentionDue(Vec<super::oversight::retention::RetentionRow>),
    PatientExport(Box<super::export::access::PatientExport>),
    Report(Box<super::care::reports::ReportData>),
    CardDocument(Box<super::care::reports::CardDocument>),
    FollowUpForm(Box<super::followup::forms::FollowUpFormDocument>),
    /// Registration refused: these patients already match; open one of them instead.
    Duplicates(Vec<super::desk::name_index::PatientRow>),
    CardIssued(Card),
    Cards(Vec<Card>),
    Home(HomeSummary),
    SearchResults(SearchResults),
    AuditEvents(Vec<super::wire::AuditEntry>),
    AuditChain(Box<super::wire::AuditChainPage>),
    BackupCreated(super::admin::backups::BackupMade),
    AccessLog(Vec<super::oversight::rights::Access>),
    Disclosures(Box<super::oversight::rights::DisclosureAccount>),
    /// Bytes of a (sealed) backup file.
    BackupPiece(BackupPiece),
    /// The backup directory's backups, oldest first.
    Backups(Vec<super::admin::backups::BackupFile>),
    /// The call kept at an idle sign-out, if any.
    KeptCall(Option<crate::domain::draft::CallDraft>),
}

/// What a caller says when a reply is not the kind it asked for: only possible between a
/// terminal and a server of different versions, which the greeting already refuses.
impl Response {
    /// A reply of the wrong kind, as an error that names its kind and nothing it carries.
    pub fn unexpected(&self) -> ServiceError {
        ServiceError::Unavailable(text!("msg.reply.unexpected", kind = self.kind()))
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Response::Error(error) => f.debug_tuple("Error").field(error).finish(),
            other => write!(f, "{}(..)", other.kind()),
        }
    }
}

/// Every refusal and failure, as a value a screen or script can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ServiceError {
    /// One message for unknown user, wrong password, wrong or replayed code.
    #[error("sign-in failed: check the user name, password and code")]
    SignInFailed,
    #[error(
        "this account is locked for {minutes} more minute(s) after repeated failed sign-ins; an administrator can unlock it"
    )]
    AccountLocked { minutes: i64 },
    #[error(
        "first sign-in: set your own password with `caredesk user activate` or the first sign-in screen"
    )]
    PasswordChangeRequired,
    #[error("your session has expired: sign in again")]
    SessionExpired,
    #[error("not signed in: sign in first")]
    NotSignedIn,
    #[error("your role may not do this (needs {permission})")]
    Denied { permission: String },
    #[error("this patient is restricted: opening the record needs a typed reason (break-glass)")]
    BreakGlassRequired,
    #[error("{0}")]
    Invalid(Text),
    /// A form field is wrong; `message` says what and how to fix it.
    #[error("{field}: {message}")]
    Field { field: String, message: Text },
    #[error("card {number} is {}: it cannot be used{}", status.as_str(), replaced_by.as_ref().map(|n| format!("; its replacement is {n}")).unwrap_or_default())]
    CardNotUsable {
        number: String,
        status: CardStatus,
        replaced_by: Option<String>,
    },
    #[error("no such {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(Text),
    /// The store or the audit log failed; nothing was returned or changed.
    #[error("{0}")]
    Unavailable(Text),
    /// Too many sign-ins at once (or from one account of this machine): nothing was
    /// checked or counted.
    #[error("the server is busy: try again in a moment")]
    Busy,
    /// The right password with a code already used in this 30-second step (two
    /// commands in quick succession): counted as a failed sign-in all the same.
    #[error("that code was just used: wait for the next one (a new code every 30 seconds)")]
    CodeAlreadyUsed,
}

impl ServiceError {
    /// The error as staff read it, in their language.
    pub fn text(&self) -> Text {
        match self {
            ServiceError::SignInFailed => text!("error.sign_in_failed"),
            ServiceError::CodeAlreadyUsed => text!("error.code_already_used"),
            ServiceError::AccountLocked { minutes } => {
                text!("error.account_locked", minutes = minutes)
            }
            ServiceError::Busy => text!("error.server_busy"),
            ServiceError::PasswordChangeRequired => text!("error.password_change_required"),
            ServiceError::SessionExpired => text!("error.session_expired"),
            ServiceError::NotSignedIn => text!("error.not_signed_in"),
            ServiceError::Denied { .. } => text!("error.denied"),
            ServiceError::BreakGlassRequired => text!("error.break_glass_required"),
            ServiceError::NotFound(_) => text!("error.not_found"),
            ServiceError::CardNotUsable {
                number,
                status,
                replaced_by,
            } => {
                let refused = text!("error.card_not_usable", number = number)
                    .arg_text("status", Text::new(format!("card.{}", status.as_str())));
                match replaced_by {
                    Some(new) => {
                        text!("error.card_replaced", number = new).arg_text("refused", refused)
                    }
                    None => refused,
                }
            }
            ServiceError::Field { message, .. } => {
                Text::new("error.detail").arg_text("detail", message.clone())
            }
            ServiceError::Invalid(detail)
            | ServiceError::Conflict(detail)
            | ServiceError::Unavailable(detail) => {
                Text::new("error.detail").arg_text("detail", detail.clone())
            }
        }
    }
}

impl Response {
    /// The error, if this response is one.
    pub fn error(&self) -> Option<&ServiceError> {
        match self {
            Response::Error(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn a_printed_reply_names_its_kind_and_nothing_it_carries() {
        let patient = Patient {
            name: "Zhang Sanfeng".into(),
            phone: Some("13912345678".into()),
            ..Default::default()
        };
        let reply = Response::Patient(PatientView {
            id: PatientId([7; 16]),
            patient,
            health: None,
        });
        let printed = format!("{reply:?} {reply:#?}");
        assert_eq!(format!("{reply:?}"), "Patient(..)");
        assert!(
            !printed.contains("Zhang") && !printed.contains("1391"),
            "{printed}"
        );
        let ids = Response::Patients(vec![PatientId([0xab; 16])]);
        assert_eq!(format!("{ids:#?}"), "Patients(..)");
        let error = Response::Error(ServiceError::NotFound("patient".into()));
        assert!(format!("{error:?}").contains("NotFound"));
    }
}
