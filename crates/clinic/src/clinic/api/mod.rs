//! The service API: one `Request` in, one `Response` out (`response.rs`). Plain serde
//! types, so the same values travel in process or over the daemon's socket.
//!
//! `Request` stays one enum here, its variants grouped by capability (the section
//! comments); `server::frame`'s wire fingerprint reads it from this file. The argument
//! types it names are in `arguments`, the secrets in transit in `secrets`.

use crate::i18n::Lang;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::auth::{Permission, Role};
use crate::domain::amendment::{Demographics, Section, SectionValue};
use crate::domain::consent::{Channel, Decision, Guardian, Method, Processing, Purpose};
use crate::domain::patient::{Patient, PatientId};

mod arguments;
mod secrets;

pub use arguments::{LookupKind, PatientRef, ReportOutput};
pub use secrets::{Secret, SessionToken};

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
    /// The terminal ended the session after the idle time, keeping the call that was
    /// being typed (sealed for this user alone, 12 hours).
    LogoutIdle {
        draft: Option<crate::domain::draft::CallDraft>,
    },
    /// Today's counts for the home screen, as far as the role may see them.
    HomeSummary,
    WhoAmI,
    ChangePassword {
        old: Secret,
        new: Secret,
    },
    /// The signed-in user's own language for their desk (none: their session's).
    SetLanguage {
        language: Option<crate::i18n::Lang>,
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
    /// A key slot opened like a key file whose key only a PKCS#11 token can decrypt
    /// (`[pkcs11] module`): the token's AES key `key` is made there if missing.
    KeyTokenAdd {
        label: String,
        token: String,
        key: String,
        pin: Secret,
    },
    /// Asks for a patient's erasure, with the reason the law or policy allows it; a
    /// second person approves.
    ErasureRequest {
        patient: PatientRef,
        reason: String,
    },
    /// Erasure requests waiting for approval.
    ErasureList,
    /// Approves an erasure (not by whoever asked): the patient's key is shredded.
    ErasureApprove {
        id: u64,
    },
    /// The store's key slots (which secret opens each; never the secret).
    KeySlots,
    /// Removes a key-file or recovery slot (never the last recovery slot; password
    /// slots go with their user). The data is not re-encrypted.
    KeySlotRemove {
        id: u64,
    },
    /// A new recovery key, shown once; the old ones work until removed.
    RecoveryKeyAdd,
    /// Rotates the data key: the first call begins a rotation (a new data key, granted
    /// to every key slot), each call re-seals up to `batch` stored values, and the
    /// answer says how far it has got; call again until it says finished. A rotation
    /// that was interrupted is taken up where it stopped.
    KeyRotate {
        batch: u32,
    },
    /// Closes the audit log's sealing epoch now and erases its key, so nothing logged
    /// so far can be forged even by someone who takes the machine. The reason is
    /// logged (it must name no patient).
    AuditSealNow {
        reason: String,
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
    /// The same copy, provided to another processor (a referral hospital …), named
    /// with why: refused unless the patient gave the separate consent to provision
    /// (PIPL 第23条); the disclosure names the recipient and the purpose.
    PatientProvide {
        key: String,
        recipient: String,
        purpose: String,
    },

    // Consent.
    /// Records a separate PIPL consent (to process health information, or to provide
    /// it to others) under the notice in force; a child's is given by a guardian.
    ConsentProcessingSet {
        id: PatientId,
        scope: Processing,
        decision: Decision,
        method: Method,
        guardian: Option<Guardian>,
    },
    /// The notice (告知书) in both languages, filled with the clinic's details.
    NoticeGet,
    /// Logs a patient's request over their information (PIPL 第50条); its answer is due
    /// `[privacy] answer_working_days` working days after `received_on` (default today).
    RightsRequestAdd {
        patient: PatientRef,
        kind: crate::domain::rights_request::RightKind,
        received_on: Option<chrono::NaiveDate>,
        asked: String,
    },
    /// Records the answer to a logged request.
    RightsRequestAnswer {
        id: u64,
        outcome: crate::domain::rights_request::RightOutcome,
        note: String,
    },
    /// The log, soonest due first; `open_only`: those not yet answered.
    RightsRequestList {
        open_only: bool,
    },
    /// The records past `[retention] record_years` since their last activity, oldest
    /// first, at most `limit`.
    RetentionReview {
        limit: u32,
    },
    /// Puts a record past its retention in the stored-only state (PIPL 第47条).
    RetentionRestrict {
        patient: PatientRef,
    },
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
        lang: Lang,
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
        lang: Lang,
    },
    /// A plan made from a template, starting today (not kept until saved).
    PlanDraft {
        id: PatientId,
        template: String,
        lang: Lang,
    },
    /// The plan's latest version and each goal's progress.
    PlanGet {
        id: PatientId,
    },
    /// The system's draft of a stage summary for the period (not kept).
    SummaryDraft {
        id: PatientId,
        period: crate::domain::summary::Period,
        lang: Lang,
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
    /// A new 健康体检表 for `date`, filled from the patient's results (not kept).
    ExamDraft {
        id: PatientId,
        date: chrono::NaiveDate,
    },
    /// Saves an examination form (a new version; `number` is `None` for a new form,
    /// `base` how many versions of it the author saw). Values the results lack join them.
    ExamSave {
        id: PatientId,
        number: Option<u32>,
        base: usize,
        form: crate::domain::exam_form::ExamForm,
    },
    /// Every version of every examination form of the patient.
    ExamList {
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
    /// The daemon's scheduler (the `system` principal): the follow-ups now due, and
    /// with `retag` every patient's risks and automatic tags recomputed in the
    /// background (what time alone changes: an overdue follow-up, an age band).
    SchedulerRun {
        retag: bool,
    },
    /// A page of the call queue and the counts per group.
    FollowUpQueue {
        filter: super::followup::api::QueueFilter,
        offset: u32,
        limit: u32,
    },
    /// Claims a follow-up before calling: refused while another nurse holds it.
    /// The call kept for this user at their last idle sign-out, if it is under 12
    /// hours old; it is dropped as it is handed over.
    CallDraftTake,
    FollowUpClaim {
        key: super::followup::api::FollowUpKey,
    },
    FollowUpRelease {
        key: super::followup::api::FollowUpKey,
    },
    /// What the call screen shows (the follow-up must be claimed by the caller).
    FollowUpCallView {
        key: super::followup::api::FollowUpKey,
    },
    /// Where a call would take its claimed follow-up (class, referral, next date),
    /// nothing written: the record form's default class.
    FollowUpCallPreview {
        key: super::followup::api::FollowUpKey,
        input: crate::domain::followup::CallInput,
    },
    /// Records a call on a claimed follow-up; the protocol decides what comes next.
    FollowUpCallSave {
        key: super::followup::api::FollowUpKey,
        input: crate::domain::followup::CallInput,
    },
    /// Starts attaching a recording to the follow-up's latest call.
    RecordingBegin {
        key: super::followup::api::FollowUpKey,
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
    /// Acknowledges an alert once, with a note of what was done (sealed; the audit
    /// record names the alert only). Oversight acknowledges any alert, the care team
    /// the clinical ones.
    AlertAcknowledge {
        id: u64,
        note: String,
    },
    /// Audit events of a date range (UTC, inclusive), oldest first, at most `limit`,
    /// after record `after` when given (to page through a long log).
    AuditEvents {
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        limit: u32,
        #[serde(default)]
        after: Option<u64>,
    },
    /// The raw audit log for an auditor's own verification (`caredesk audit verify`
    /// and `checkpoint` while the clinic server owns the store): the head and sealing
    /// state now, and records from `from_seq` up to `through` (or the head), at most
    /// `limit`.
    AuditChain {
        from_seq: u64,
        through: Option<u64>,
        limit: u32,
    },
    /// A backup of the whole store, written by the service into its backup directory
    /// (the oldest beyond `[backup] keep` removed); the reply names it.
    BackupCreate,
    /// Every audited access to one patient's record (who, when, what, why), from
    /// `from` on: "who looked at this patient", for the privacy officer.
    PatientAccessLog {
        patient: PatientRef,
        from: Option<chrono::NaiveDate>,
    },
    /// The accounting of disclosures of one patient's information over the last six
    /// years (45 CFR 164.528), to hand to the patient.
    Disclosures {
        patient: PatientRef,
    },
    /// A piece of a backup in the backup directory, to copy it out.
    BackupRead {
        name: String,
        offset: u64,
        len: u32,
    },
    /// The backups in the backup directory, oldest first (to copy them off the
    /// machine).
    BackupList,
    /// What `caredesk backup push` did with one backup: copied to the off-site target
    /// with this checksum, or why not. Recorded in the audit log.
    BackupOffsite {
        name: String,
        target: String,
        size: u64,
        sha256: String,
        failure: Option<String>,
    },

    // Paper.
    /// What the health report of one patient and period holds, as the caller's role may
    /// see it. Shown on screen (`Preview`), or a disclosure: printed or written to a
    /// file, audited with the printer or file. Without dates: the year to today.
    /// ID and phone numbers come masked unless `unmask` (an audited choice).
    ReportCompose {
        patient: PatientRef,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        unmask: bool,
        output: ReportOutput,
    },
    /// What the patient's member card (their active one) prints; audited with the
    /// printer or file.
    CardPrint {
        patient: PatientRef,
        output: ReportOutput,
    },
    /// The 随访服务记录表 of a patient's hypertension or diabetes plan (the only one
    /// when `plan` is not given) for a year (this one by default); audited with the
    /// printer or file.
    FollowUpFormPrint {
        patient: PatientRef,
        plan: Option<u32>,
        year: Option<i32>,
        output: ReportOutput,
    },
    /// The 健康体检表 of examination `number` (the latest when not given), laid out by
    /// the client; audited with the printer or file.
    ExamFormPrint {
        patient: PatientRef,
        number: Option<u32>,
        output: ReportOutput,
    },
}

pub use super::response::*;
