//! The service API: one `Request` in, one `Response` out. Plain serde types, so the
//! same values travel in process or over the daemon's socket.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::auth::signon::SignOnNotice;
use crate::auth::{Permission, Role, RoleTable};
use crate::domain::amendment::{Amendment, Demographics, Section, SectionValue};
use crate::domain::booking::Booking;
use crate::domain::card::{Card, CardStatus};
use crate::domain::consent::{Channel, ConsentRecord, ContactAnswer, Decision, Method, Purpose};
use crate::domain::health::HealthRecord;
use crate::domain::patient::{Patient, PatientId};
use crate::store::signon::Alert;

/// A password or code in transit: zeroised when dropped, never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct Secret(pub String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A session token: 256 random bits, Base64url. Whoever holds it acts as the user.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SessionToken(pub String);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// Which blind index a lookup uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    Phone,
    IdNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    // Sign-on: no session needed.
    Login {
        user: String,
        password: Secret,
        code: Secret,
    },
    /// Finishes a TOTP (re-)enrolment started by `Login` with a code from the new secret.
    ConfirmTotp {
        pending: SessionToken,
        code: Secret,
    },
    /// A new user's first sign-on: one-time password → own password and a TOTP secret.
    Activate {
        user: String,
        one_time_password: Secret,
        new_password: Secret,
    },
    /// Unattended jobs: the `system` principal opens a key-file slot.
    LoginKeyFile {
        label: String,
        key: Secret,
    },

    // Any signed-in user.
    Logout,
    /// The terminal ended the session after the idle time.
    LogoutIdle,
    /// Today's counts for the home screen, as far as the role may see them.
    HomeSummary,
    WhoAmI,
    ChangePassword {
        old: Secret,
        new: Secret,
    },

    // Users and roles.
    UserAdd {
        name: String,
        role: Role,
    },
    UserList,
    UserDisable {
        name: String,
    },
    UserEnable {
        name: String,
    },
    UserSetRole {
        name: String,
        role: Role,
    },
    UserResetPassword {
        name: String,
    },
    UserResetTotp {
        name: String,
    },
    RolesGet,
    RolesSet {
        role: Role,
        permissions: BTreeSet<Permission>,
    },

    /// A new key-file slot for the daemon or unattended jobs; the key is shown once.
    KeyFileAdd {
        label: String,
    },

    // Cards (开卡).
    /// Registers a new patient and issues their first card, unless the same ID number,
    /// or the same phone and date of birth, is already registered.
    PatientRegister {
        patient: Patient,
        card_type: String,
    },
    /// A new card for a patient without an active one (after expiry or cancellation).
    CardIssue {
        id: PatientId,
        card_type: String,
    },
    /// Marks a card lost and issues a replacement with a new number.
    CardReportLost {
        number: String,
    },
    CardCancel {
        number: String,
    },
    PatientCards {
        id: PatientId,
    },

    // Exam booking (体检预约).
    ExamBook {
        id: PatientId,
        package: String,
        date: chrono::NaiveDate,
    },
    ExamReschedule {
        booking: BookingKey,
        date: chrono::NaiveDate,
    },
    ExamCancel {
        booking: BookingKey,
    },
    ExamCheckIn {
        booking: BookingKey,
    },
    ExamNoShow {
        booking: BookingKey,
    },
    /// The front desk's day view: every booking of the day and places left per package.
    ExamDay {
        date: chrono::NaiveDate,
    },

    /// Replaces the patient's manual tags.
    PatientSetTags {
        id: PatientId,
        tags: Vec<String>,
    },
    /// Everything held on the patient a card, ID or phone number names (their right
    /// of access); a disclosure.
    PatientExport {
        key: String,
    },

    // Consent.
    /// Records a decision (grant, refusal, opt-out) for one channel and purpose.
    ConsentSet {
        id: PatientId,
        channel: Channel,
        purpose: Purpose,
        decision: Decision,
        method: Method,
    },
    ConsentGet {
        id: PatientId,
    },
    /// May we contact this patient by this channel for this purpose now?
    MayContact {
        id: PatientId,
        channel: Channel,
        purpose: Purpose,
    },

    /// Patients from a spreadsheet: each row validated as the registration form does,
    /// duplicates skipped, a card issued to each; audited as one event with counts.
    PatientImport {
        rows: Vec<ImportRow>,
    },

    // Patients.
    PatientCreate {
        patient: Patient,
    },
    PatientGet {
        id: PatientId,
    },
    PatientFind {
        kind: LookupKind,
        value: String,
    },
    /// One search box: exact card, phone or ID number; otherwise name prefix, pinyin
    /// or pinyin initials. Audited with the count, never the text.
    PatientSearch {
        query: String,
        limit: u32,
    },
    PatientSetRestricted {
        id: PatientId,
        restricted: bool,
    },
    HealthGet {
        id: PatientId,
    },
    /// Changes one clinical section. `before` is the value the editor started from:
    /// if the section changed since, the save is refused as a conflict.
    HealthAmend {
        id: PatientId,
        before: SectionValue,
        after: SectionValue,
        reason: String,
    },
    /// Changes the patient's demographics (the front desk's part of the record), checked
    /// as registration is; refused as a conflict when `before` is no longer current.
    PatientAmend {
        id: PatientId,
        before: Demographics,
        after: Demographics,
        reason: String,
    },
    /// The amendments of one section, or of every section the role may read (`None`),
    /// oldest first.
    RecordHistory {
        id: PatientId,
        section: Option<Section>,
    },
    /// Opens a restricted patient outside one's permission, for this session only.
    BreakGlass {
        id: PatientId,
        reason: String,
    },

    // Results (检验结果).
    /// Parsed result messages (`ingest`): each matched to a patient by card number, ID
    /// number or a recorded external number, the rest to the review list; `rejected`
    /// counts what the importer could not read. One audited event with the counts.
    ResultsImport {
        incoming: Vec<crate::ingest::Incoming>,
        rejected: u64,
        /// Create a patient from the message when none matches (else: review list).
        create_patients: bool,
    },
    /// A patient's results, oldest first; only one code's when given.
    Observations {
        id: PatientId,
        code: Option<String>,
    },
    /// A result typed in the chart.
    ObservationAdd {
        id: PatientId,
        observation: crate::domain::observation::Observation,
    },
    /// Results that matched no patient.
    ReviewList,
    ReviewMatch {
        number: u64,
        id: PatientId,
    },
    /// Creates the patient the message describes, and files the results.
    ReviewCreate {
        number: u64,
    },
    ReviewReject {
        number: u64,
        reason: String,
    },

    // Questionnaires (问卷).
    /// The questionnaires in use, and any of the clinic's own that could not be read.
    QuestionnaireList,
    /// A filled questionnaire: the chosen option of each item, in order.
    QuestionnaireSubmit {
        id: PatientId,
        key: String,
        answers: Vec<usize>,
    },

    /// Runs every risk model on the patient's record and latest results, and keeps them.
    RiskAssess {
        id: PatientId,
    },
    /// The patient's risk assessments, newest first.
    RiskList {
        id: PatientId,
    },
    /// Evaluates the automatic tag rules on the patient's data now.
    TagsEvaluate {
        id: PatientId,
    },
    /// The patient's automatic tags as kept (recomputed whenever the data changes).
    TagsGet {
        id: PatientId,
    },
    /// Advice from the library for the patient's tags and data (not kept).
    AdviceDraft {
        id: PatientId,
        /// The texts in Chinese rather than English.
        chinese: bool,
    },
    /// Advice reviewed (and perhaps edited) by staff, given to the patient; kept.
    AdviceApprove {
        id: PatientId,
        items: Vec<crate::domain::advice::Item>,
    },
    /// The advice given to the patient, newest first.
    AdviceList {
        id: PatientId,
    },
    /// Saves the patient's intervention plan (a new version). `base` is the number of
    /// the version it was made from (0 for a first plan); if someone saved a newer one
    /// meanwhile, the save is refused as a conflict.
    PlanSet {
        id: PatientId,
        plan: crate::domain::plan::Plan,
        base: usize,
    },
    /// The plan templates, those the patient's tags suggest first.
    PlanTemplates {
        id: PatientId,
        chinese: bool,
    },
    /// A plan made from a template, starting today (not kept until saved).
    PlanDraft {
        id: PatientId,
        template: String,
        chinese: bool,
    },
    /// The plan's latest version and each goal's progress.
    PlanGet {
        id: PatientId,
    },
    /// The system's draft of a stage summary for the period (not kept).
    SummaryDraft {
        id: PatientId,
        period: crate::domain::summary::Period,
        chinese: bool,
    },
    /// Saves a stage summary's narrative (a new version; the figures are recomputed
    /// from the data). `number` is `None` for a new summary; `base` is how many versions
    /// of it the author saw, and a save from an older one is refused as a conflict.
    SummarySave {
        id: PatientId,
        number: Option<u32>,
        base: usize,
        period: crate::domain::summary::Period,
        text: String,
    },
    /// Signs the summary's latest version (`base` versions seen) as the document of record.
    SummarySign {
        id: PatientId,
        number: u32,
        base: usize,
    },
    /// Every version of every stage summary of the patient.
    SummaryList {
        id: PatientId,
    },
    /// A patient's follow-up plans, items and every call (the chart's history).
    FollowUpChart {
        id: PatientId,
    },
    /// Starts a follow-up plan; its first follow-up falls due on `first_due`.
    FollowUpPlanAdd {
        id: PatientId,
        kind: crate::domain::followup::Kind,
        interval_days: u32,
        first_due: chrono::NaiveDate,
        assigned: String,
    },
    /// Closes a plan with the reason; its open follow-ups close with it.
    FollowUpPlanClose {
        id: PatientId,
        plan: u32,
        reason: crate::domain::followup::CloseReason,
    },
    /// Makes the follow-ups the plans call for that do not exist yet (idempotent).
    FollowUpSchedule,
    /// A page of the call queue and the counts per group.
    FollowUpQueue {
        filter: super::followup_api::QueueFilter,
        offset: u32,
        limit: u32,
    },
    /// Claims a follow-up before calling: refused while another nurse holds it.
    FollowUpClaim {
        key: super::followup_api::FollowUpKey,
    },
    FollowUpRelease {
        key: super::followup_api::FollowUpKey,
    },
    /// What the call screen shows (the follow-up must be claimed by the caller).
    FollowUpCallView {
        key: super::followup_api::FollowUpKey,
    },
    /// Records a call on a claimed follow-up; the protocol decides what comes next.
    FollowUpCallSave {
        key: super::followup_api::FollowUpKey,
        input: crate::domain::followup::CallInput,
    },
    /// Starts attaching a recording to the follow-up's latest call.
    RecordingBegin {
        key: super::followup_api::FollowUpKey,
        extension: String,
        size: u64,
        sha256: [u8; 32],
    },
    /// One chunk of a recording being attached (in order, at most `CHUNK` bytes).
    RecordingChunk {
        patient: PatientId,
        recording: [u8; 16],
        index: u32,
        bytes: Vec<u8>,
    },
    /// Checks the whole recording against its checksum and marks it complete.
    RecordingFinish {
        patient: PatientId,
        recording: [u8; 16],
    },
    /// One chunk of a recording, to listen (or, with `export`, to hand out: a
    /// disclosure).
    RecordingRead {
        patient: PatientId,
        recording: [u8; 16],
        index: u32,
        export: bool,
    },
    /// The intake interview's questions.
    IntakeGet,
    /// A completed intake: one answer per question, in order; filed into the record.
    IntakeSubmit {
        id: PatientId,
        answers: Vec<crate::domain::intake::Answer>,
    },

    // Oversight.
    /// Urgent clinical alerts (e.g. PHQ-9 item 9), for the care team.
    UrgentAlerts {
        limit: u32,
    },
    AlertsList {
        limit: u32,
    },
    /// Audit events of a date range (UTC, inclusive), oldest first, at most `limit`.
    AuditEvents {
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        limit: u32,
    },
}

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
    /// Patients created from messages (`--create-patients`).
    pub created: u64,
    /// Amendments to records from reported diagnoses, medicines and smoking status.
    pub record_changes: u64,
}

/// A message on the review list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub number: u64,
    pub origin: String,
    pub patient_ids: Vec<String>,
    pub patient: Option<Patient>,
    pub results: u64,
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
}

/// A patient as a role may see them: `health` is absent for roles without clinical
/// permission, filtered here in the service, not by the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientView {
    pub id: PatientId,
    pub patient: Patient,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    SignedIn(SignedIn),
    /// Password was right; the user must enrol TOTP: scan, then `ConfirmTotp`.
    TotpEnrolment {
        pending: SessionToken,
        otpauth_uri: Secret,
    },
    Activated {
        otpauth_uri: Secret,
        recovery_codes: Vec<Secret>,
    },
    Me {
        user: String,
        role: Role,
        permissions: BTreeSet<Permission>,
    },
    Done,
    Users(Vec<UserSummary>),
    UserCreated {
        name: String,
        role: Role,
        initial_password: Secret,
    },
    PasswordReset {
        name: String,
        one_time_password: Secret,
    },
    KeyFileCreated {
        label: String,
        key: Secret,
    },
    Roles(RoleTable),
    PatientCreated {
        id: PatientId,
    },
    Patient(PatientView),
    Patients(Vec<PatientId>),
    Health(HealthRecord),
    History(Vec<Amendment>),
    ResultsImported(ResultsSummary),
    Observations(Vec<crate::domain::observation::Observation>),
    Review(Vec<ReviewItem>),
    Questionnaires {
        definitions: Vec<crate::domain::questionnaire::Definition>,
        /// (file, what is wrong) for each definition left out.
        problems: Vec<(String, String)>,
    },
    QuestionnaireScored(crate::domain::questionnaire::Scored),
    Intake(Box<crate::domain::intake::Intake>),
    Risks(Vec<crate::domain::assessment::Assessment>),
    AdviceDraft(Vec<crate::domain::advice::Item>),
    Advice(Vec<crate::domain::advice::Approved>),
    /// The plan's latest version with each goal's progress, if the patient has a plan.
    Plan(Box<Option<crate::domain::plan::PlanView>>),
    PlanTemplates(Vec<crate::domain::plan_template::Offer>),
    FollowUpChart(Box<super::followup_api::FollowUpChart>),
    FollowUpPlanAdded {
        plan: u32,
    },
    FollowUpScheduled {
        created: u64,
    },
    FollowUpQueue(Box<super::followup_api::QueueView>),
    FollowUpClaimed {
        until: i64,
    },
    FollowUpCall(Box<super::followup_api::CallView>),
    FollowUpCallSaved(Box<super::followup_api::CallSaved>),
    RecordingStarted {
        recording: [u8; 16],
        chunk_size: u32,
    },
    RecordingBytes(Vec<u8>),
    SummaryDraft(Box<crate::domain::summary::StageSummary>),
    /// A summary version was kept: the summary's number.
    SummarySaved {
        number: u32,
    },
    /// By summary number, then oldest first.
    Summaries(Vec<crate::domain::summary::SummaryVersion>),
    PlanDraft(Box<crate::domain::plan::Plan>),
    AutoTags {
        tags: Vec<crate::domain::tag_rules::AutoTag>,
        /// What is wrong with the clinic's rule file, when something is.
        problem: Option<String>,
    },
    Alerts(Vec<Alert>),
    Registered {
        id: PatientId,
        card: Card,
    },
    ImportSummary(ImportSummary),
    ExamBooked(Booking),
    ExamDay(ExamDay),
    Consent(ConsentRecord),
    ContactAnswer(ContactAnswer),
    PatientExport(Box<super::export::PatientExport>),
    /// Registration refused: these patients already match; open one of them instead.
    Duplicates(Vec<super::name_index::PatientRow>),
    CardIssued(Card),
    Cards(Vec<Card>),
    Home(HomeSummary),
    SearchResults {
        rows: Vec<super::name_index::PatientRow>,
        total: u64,
    },
    AuditEvents(Vec<crate::audit::export::AuditRow>),
    Error(ServiceError),
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
    #[error("this account is disabled: ask an administrator")]
    AccountDisabled,
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
    Invalid(String),
    /// A form field is wrong; `message` says what and how to fix it.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    #[error("card {number} is {}: it cannot be used{}", status.as_str(), replaced_by.as_ref().map(|n| format!("; its replacement is {n}")).unwrap_or_default())]
    CardNotUsable {
        number: String,
        status: CardStatus,
        replaced_by: Option<String>,
    },
    #[error("no such {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The store or the audit log failed; nothing was returned or changed.
    #[error("{0}")]
    Unavailable(String),
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
