//! The one table: every request, the access it needs and the audit action it writes.

use super::api::Request;
use crate::auth::Permission;

/// Who may make a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Sign-on requests: no session yet; they audit their own outcome.
    Public,
    /// Any signed-in user.
    SignedIn,
    Needs(Permission),
    /// No one: what a request without a row in the table gets.
    Nobody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    pub access: Access,
    /// The audit action written for every outcome of the request.
    pub action: &'static str,
}

impl Operation {
    /// Reads, checks and rewrites shared state (a day's capacity, a whole patient
    /// record): runs one at a time, from the read to the commit.
    pub fn serialised(&self) -> bool {
        self.name.starts_with("exam_")
            || self.name.ends_with("_amend")
            || self.name.starts_with("review_")
            || matches!(
                self.name,
                "results_import"
                    | "observation_add"
                    | "intake_submit"
                    | "plan_set"
                    | "followup_plan_add"
                    | "followup_plan_close"
                    | "followup_schedule"
                    | "scheduler_run"
                    | "followup_claim"
                    | "followup_release"
                    | "followup_call_save"
                    | "recording_begin"
                    | "recording_finish"
                    | "summary_save"
                    | "summary_sign"
                    | "alert_acknowledge"
                    | "erasure_request"
                    | "erasure_approve"
            )
            || matches!(
                self.name,
                "patient_set_tags" | "patient_set_restricted" | "card_report_lost"
            )
    }
}

impl Operation {
    /// Computes and keeps a patient's risks or tags: runs one at a time with the
    /// re-evaluation of changed data (never with the import that changed it).
    pub fn derives(&self) -> bool {
        matches!(self.name, "tags_evaluate" | "risk_assess")
    }

    /// Changes what risks and automatic tags are computed from (results, the record,
    /// questionnaires, age or sex, the plan): once committed, the service recomputes them for
    /// the request's subjects.
    pub fn changes_health_data(&self) -> bool {
        matches!(
            self.name,
            "results_import"
                | "observation_add"
                | "review_match"
                | "review_create"
                | "questionnaire_submit"
                | "intake_submit"
                | "health_amend"
                | "patient_amend"
                | "plan_set"
                | "followup_call_save"
        )
    }
}

const fn op(name: &'static str, access: Access, action: &'static str) -> Operation {
    Operation {
        name,
        access,
        action,
    }
}

const UNLISTED: Operation = op("unlisted", Access::Nobody, "request.unlisted");

use Access::{Needs, Public, SignedIn};
use Permission as P;

/// Every request, in one place. A test checks each role against each row.
#[rustfmt::skip]
pub const OPERATIONS: &[Operation] = &[
    op("login",                  Public,                        "login"),
    op("confirm_totp",           Public,                        "login.totp_enrol"),
    op("activate",               Public,                        "user.activate"),
    op("login_key_file",         Public,                        "login.key_file"),
    op("logout",                 SignedIn,                      "logout"),
    op("logout_idle",            SignedIn,                      "logout.idle"),
    op("home_summary",           SignedIn,                      "home.read"),
    op("who_am_i",               SignedIn,                      "session.who_am_i"),
    op("change_password",        SignedIn,                      "user.change_password"),
    op("user_add",               Needs(P::UserAdmin),           "user.add"),
    op("user_list",              Needs(P::UserAdmin),           "user.list"),
    op("user_disable",           Needs(P::UserAdmin),           "user.disable"),
    op("user_enable",            Needs(P::UserAdmin),           "user.enable"),
    op("user_set_role",          Needs(P::UserAdmin),           "user.set_role"),
    op("user_reset_password",    Needs(P::UserAdmin),           "user.reset_password"),
    op("user_reset_totp",        Needs(P::UserAdmin),           "user.reset_totp"),
    op("roles_get",              Needs(P::SettingsAdmin),       "settings.roles_read"),
    op("roles_set",              Needs(P::SettingsAdmin),       "settings.roles_change"),
    op("key_file_add",           Needs(P::KeyAdmin),            "key.add_file"),
    op("key_slots",              Needs(P::KeyAdmin),            "key.list"),
    op("erasure_request",        Needs(P::PatientErase),        "patient.erase_request"),
    op("erasure_list",           Needs(P::PatientErase),        "patient.erase_list"),
    op("erasure_approve",        Needs(P::PatientErase),        "patient.erase"),
    op("key_slot_remove",        Needs(P::KeyAdmin),            "key.remove"),
    op("recovery_key_add",       Needs(P::KeyAdmin),            "key.add_recovery"),
    op("key_rotate",             Needs(P::KeyAdmin),            "key.rotate"),
    op("audit_seal_now",         Needs(P::KeyAdmin),            "audit.seal_now"),
    op("patient_register",       Needs(P::CardManage),          "patient.register"),
    op("card_issue",             Needs(P::CardManage),          "card.issue"),
    op("card_report_lost",       Needs(P::CardManage),          "card.report_lost"),
    op("card_cancel",            Needs(P::CardManage),          "card.cancel"),
    op("exam_book",              Needs(P::AppointmentManage),   "exam.book"),
    op("exam_reschedule",        Needs(P::AppointmentManage),   "exam.reschedule"),
    op("exam_cancel",            Needs(P::AppointmentManage),   "exam.cancel"),
    op("exam_check_in",          Needs(P::AppointmentManage),   "exam.check_in"),
    op("exam_no_show",           Needs(P::AppointmentManage),   "exam.no_show"),
    op("exam_day",               Needs(P::AppointmentManage),   "exam.day"),
    op("patient_set_tags",       Needs(P::TagManage),           "patient.tags"),
    op("patient_export",         Needs(P::PatientExport),       "patient.export"),
    op("consent_set",            Needs(P::ConsentManage),       "consent.record"),
    op("consent_get",            Needs(P::DemographicsRead),    "consent.read"),
    op("may_contact",            Needs(P::DemographicsRead),    "consent.check"),
    op("patient_import",         Needs(P::PatientImport),       "patient.import"),
    op("patient_cards",          Needs(P::DemographicsRead),    "card.list"),
    op("patient_create",         Needs(P::DemographicsWrite),   "patient.create"),
    op("patient_get",            Needs(P::DemographicsRead),    "patient.read"),
    op("patient_find",           Needs(P::PatientSearch),       "patient.search"),
    op("patient_search",         Needs(P::PatientSearch),       "patient.search"),
    op("patient_set_restricted", Needs(P::RestrictedManage),    "patient.set_restricted"),
    op("health_get",             Needs(P::ClinicalRead),        "health.read"),
    op("health_amend",           Needs(P::ClinicalWrite),       "health.amend"),
    op("patient_amend",          Needs(P::DemographicsWrite),   "patient.amend"),
    op("record_history",         Needs(P::DemographicsRead),    "record.history"),
    op("break_glass",            Needs(P::BreakGlass),          "patient.break_glass"),
    op("results_import",         Needs(P::ResultsImport),       "results.import"),
    op("observations",           Needs(P::ClinicalRead),        "results.read"),
    op("observation_add",        Needs(P::ClinicalWrite),       "results.add"),
    op("review_list",            Needs(P::ResultsImport),       "results.review_list"),
    op("review_match",           Needs(P::ResultsImport),       "results.review_match"),
    op("review_create",          Needs(P::ResultsImport),       "results.review_create"),
    op("review_reject",          Needs(P::ResultsImport),       "results.review_reject"),
    op("questionnaire_list",     Needs(P::ClinicalRead),        "questionnaire.list"),
    op("questionnaire_submit",   Needs(P::ClinicalWrite),       "questionnaire.submit"),
    op("risk_assess",            Needs(P::ClinicalWrite),       "risk.assess"),
    op("risk_list",              Needs(P::ClinicalRead),        "risk.read"),
    op("tags_evaluate",          Needs(P::ClinicalRead),        "tags.evaluate"),
    op("tags_get",               Needs(P::ClinicalRead),        "tags.read"),
    op("advice_draft",           Needs(P::ClinicalRead),        "advice.draft"),
    op("advice_approve",         Needs(P::ClinicalWrite),       "advice.approve"),
    op("advice_list",            Needs(P::ClinicalRead),        "advice.read"),
    op("plan_set",               Needs(P::ClinicalWrite),       "plan.save"),
    op("plan_templates",         Needs(P::ClinicalRead),        "plan.templates"),
    op("plan_draft",             Needs(P::ClinicalRead),        "plan.draft"),
    op("followup_chart",         Needs(P::ClinicalRead),        "followup.read"),
    op("followup_plan_add",      Needs(P::FollowUpWork),        "followup.plan_add"),
    op("followup_plan_close",    Needs(P::FollowUpWork),        "followup.plan_close"),
    op("followup_schedule",      Needs(P::FollowUpWork),        "followup.schedule"),
    op("scheduler_run",          Needs(P::SchedulerRun),        "scheduler.run"),
    op("followup_queue",         Needs(P::FollowUpWork),        "followup.queue"),
    op("followup_claim",         Needs(P::FollowUpWork),        "followup.claim"),
    op("followup_release",       Needs(P::FollowUpWork),        "followup.release"),
    op("followup_call_view",     Needs(P::FollowUpWork),        "followup.call_open"),
    op("followup_call_save",     Needs(P::FollowUpWork),        "followup.call"),
    op("recording_begin",        Needs(P::FollowUpWork),        "recording.attach_begin"),
    op("recording_chunk",        Needs(P::FollowUpWork),        "recording.attach_chunk"),
    op("recording_finish",       Needs(P::FollowUpWork),        "recording.attach"),
    op("recording_read",         Needs(P::FollowUpWork),        "recording.read"),
    op("summary_draft",          Needs(P::ClinicalRead),        "summary.draft"),
    op("summary_save",           Needs(P::ClinicalWrite),       "summary.save"),
    op("summary_sign",           Needs(P::ClinicalWrite),       "summary.sign"),
    op("summary_list",           Needs(P::ClinicalRead),        "summary.read"),
    op("plan_get",               Needs(P::ClinicalRead),        "plan.read"),
    op("intake_get",             Needs(P::ClinicalRead),        "intake.read"),
    op("intake_submit",          Needs(P::ClinicalWrite),       "intake.submit"),
    op("urgent_alerts",          Needs(P::ClinicalRead),        "alerts.urgent"),
    op("alerts_list",            Needs(P::AlertsRead),          "alerts.read"),
    op("alert_acknowledge",      SignedIn,                      "alert.acknowledge"),
    op("audit_events",           Needs(P::AuditRead),           "audit.read"),
    op("audit_chain",            Needs(P::AuditRead),           "audit.verify"),
    op("backup_create",          Needs(P::BackupRun),           "backup.create"),
    op("patient_access_log",     Needs(P::AuditRead),           "audit.patient"),
    op("disclosures",            Needs(P::AuditRead),           "disclosures.read"),
    op("backup_read",            Needs(P::BackupRun),           "backup.copy"),
    op("report_preview",         Needs(P::ReportPrint),         "report.preview"),
    op("report_disclose",        Needs(P::ReportPrint),         "report.print"),
    op("card_print",             Needs(P::CardManage),          "card.print"),
];

impl Request {
    /// The patient whose risks or tags this request reads (so they are brought up to
    /// date first if a bulk change left them waiting).
    pub fn reads_derived(&self) -> Option<crate::domain::patient::PatientId> {
        match self {
            Request::RiskAssess { id }
            | Request::RiskList { id }
            | Request::TagsEvaluate { id }
            | Request::TagsGet { id }
            | Request::AdviceDraft { id, .. }
            | Request::PlanTemplates { id, .. }
            | Request::SummaryDraft { id, .. }
            | Request::SummarySave { id, .. }
            | Request::ReportCompose {
                patient: super::api::PatientRef::Id(id),
                ..
            } => Some(*id),
            _ => None,
        }
    }

    /// The patient a request is about, when it names one by id: a refusal of it is
    /// audited with that patient as subject, so "who looked at this patient" shows
    /// refused attempts too.
    pub fn patient_subject(&self) -> Option<crate::domain::patient::PatientId> {
        match self {
            Request::CardIssue { id, .. }
            | Request::PatientCards { id, .. }
            | Request::ExamBook { id, .. }
            | Request::PatientSetTags { id, .. }
            | Request::ConsentSet { id, .. }
            | Request::ConsentGet { id, .. }
            | Request::MayContact { id, .. }
            | Request::PatientGet { id, .. }
            | Request::PatientSetRestricted { id, .. }
            | Request::HealthGet { id, .. }
            | Request::HealthAmend { id, .. }
            | Request::PatientAmend { id, .. }
            | Request::RecordHistory { id, .. }
            | Request::BreakGlass { id, .. }
            | Request::Observations { id, .. }
            | Request::ObservationAdd { id, .. }
            | Request::ReviewMatch { id, .. }
            | Request::QuestionnaireSubmit { id, .. }
            | Request::RiskAssess { id, .. }
            | Request::RiskList { id, .. }
            | Request::TagsEvaluate { id, .. }
            | Request::TagsGet { id, .. }
            | Request::AdviceDraft { id, .. }
            | Request::AdviceApprove { id, .. }
            | Request::AdviceList { id, .. }
            | Request::PlanSet { id, .. }
            | Request::PlanTemplates { id, .. }
            | Request::PlanDraft { id, .. }
            | Request::PlanGet { id, .. }
            | Request::SummaryDraft { id, .. }
            | Request::SummarySave { id, .. }
            | Request::SummarySign { id, .. }
            | Request::SummaryList { id, .. }
            | Request::FollowUpChart { id, .. }
            | Request::FollowUpPlanAdd { id, .. }
            | Request::FollowUpPlanClose { id, .. }
            | Request::IntakeSubmit { id, .. } => Some(*id),
            Request::RecordingChunk { patient, .. }
            | Request::RecordingFinish { patient, .. }
            | Request::RecordingRead { patient, .. } => Some(*patient),
            Request::FollowUpClaim { key, .. }
            | Request::FollowUpRelease { key, .. }
            | Request::FollowUpCallView { key, .. }
            | Request::FollowUpCallSave { key, .. }
            | Request::RecordingBegin { key, .. } => Some(key.patient),
            Request::ErasureRequest {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::PatientAccessLog {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::Disclosures {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::ReportCompose {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::CardPrint {
                patient: super::api::PatientRef::Id(id),
                ..
            } => Some(*id),
            _ => None,
        }
    }

    /// The card number, phone or ID number a request finds its patient by, if any.
    pub fn patient_lookup_key(&self) -> Option<&str> {
        match self {
            Request::PatientExport { key } => Some(key),
            Request::ErasureRequest {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::PatientAccessLog {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::Disclosures {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::ReportCompose {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::CardPrint {
                patient: super::api::PatientRef::Key(key),
                ..
            } => Some(key),
            _ => None,
        }
    }

    /// The table row for this request.
    pub fn operation(&self) -> &'static Operation {
        let name = match self {
            Request::Login { .. } => "login",
            Request::ConfirmTotp { .. } => "confirm_totp",
            Request::Activate { .. } => "activate",
            Request::LoginKeyFile { .. } => "login_key_file",
            Request::Logout => "logout",
            Request::LogoutIdle => "logout_idle",
            Request::HomeSummary => "home_summary",
            Request::WhoAmI => "who_am_i",
            Request::ChangePassword { .. } => "change_password",
            Request::UserAdd { .. } => "user_add",
            Request::UserList => "user_list",
            Request::UserDisable { .. } => "user_disable",
            Request::UserEnable { .. } => "user_enable",
            Request::UserSetRole { .. } => "user_set_role",
            Request::UserResetPassword { .. } => "user_reset_password",
            Request::UserResetTotp { .. } => "user_reset_totp",
            Request::RolesGet => "roles_get",
            Request::RolesSet { .. } => "roles_set",
            Request::KeyFileAdd { .. } => "key_file_add",
            Request::KeySlots => "key_slots",
            Request::ErasureRequest { .. } => "erasure_request",
            Request::ErasureList => "erasure_list",
            Request::ErasureApprove { .. } => "erasure_approve",
            Request::KeySlotRemove { .. } => "key_slot_remove",
            Request::RecoveryKeyAdd => "recovery_key_add",
            Request::KeyRotate { .. } => "key_rotate",
            Request::AuditSealNow { .. } => "audit_seal_now",
            Request::PatientRegister { .. } => "patient_register",
            Request::CardIssue { .. } => "card_issue",
            Request::CardReportLost { .. } => "card_report_lost",
            Request::CardCancel { .. } => "card_cancel",
            Request::PatientCards { .. } => "patient_cards",
            Request::PatientImport { .. } => "patient_import",
            Request::ConsentSet { .. } => "consent_set",
            Request::PatientExport { .. } => "patient_export",
            Request::PatientSetTags { .. } => "patient_set_tags",
            Request::ExamBook { .. } => "exam_book",
            Request::ExamReschedule { .. } => "exam_reschedule",
            Request::ExamCancel { .. } => "exam_cancel",
            Request::ExamCheckIn { .. } => "exam_check_in",
            Request::ExamNoShow { .. } => "exam_no_show",
            Request::ExamDay { .. } => "exam_day",
            Request::ConsentGet { .. } => "consent_get",
            Request::MayContact { .. } => "may_contact",
            Request::PatientCreate { .. } => "patient_create",
            Request::PatientGet { .. } => "patient_get",
            Request::PatientFind { .. } => "patient_find",
            Request::PatientSearch { .. } => "patient_search",
            Request::PatientSetRestricted { .. } => "patient_set_restricted",
            Request::HealthGet { .. } => "health_get",
            Request::HealthAmend { .. } => "health_amend",
            Request::PatientAmend { .. } => "patient_amend",
            Request::RecordHistory { .. } => "record_history",
            Request::BreakGlass { .. } => "break_glass",
            Request::ResultsImport { .. } => "results_import",
            Request::Observations { .. } => "observations",
            Request::ObservationAdd { .. } => "observation_add",
            Request::ReviewList => "review_list",
            Request::ReviewMatch { .. } => "review_match",
            Request::ReviewCreate { .. } => "review_create",
            Request::ReviewReject { .. } => "review_reject",
            Request::QuestionnaireList => "questionnaire_list",
            Request::QuestionnaireSubmit { .. } => "questionnaire_submit",
            Request::RiskAssess { .. } => "risk_assess",
            Request::RiskList { .. } => "risk_list",
            Request::TagsEvaluate { .. } => "tags_evaluate",
            Request::TagsGet { .. } => "tags_get",
            Request::AdviceDraft { .. } => "advice_draft",
            Request::AdviceApprove { .. } => "advice_approve",
            Request::AdviceList { .. } => "advice_list",
            Request::PlanSet { .. } => "plan_set",
            Request::PlanGet { .. } => "plan_get",
            Request::PlanTemplates { .. } => "plan_templates",
            Request::PlanDraft { .. } => "plan_draft",
            Request::FollowUpChart { .. } => "followup_chart",
            Request::FollowUpPlanAdd { .. } => "followup_plan_add",
            Request::FollowUpPlanClose { .. } => "followup_plan_close",
            Request::FollowUpSchedule => "followup_schedule",
            Request::SchedulerRun { .. } => "scheduler_run",
            Request::FollowUpQueue { .. } => "followup_queue",
            Request::FollowUpClaim { .. } => "followup_claim",
            Request::FollowUpRelease { .. } => "followup_release",
            Request::FollowUpCallView { .. } => "followup_call_view",
            Request::FollowUpCallSave { .. } => "followup_call_save",
            Request::RecordingBegin { .. } => "recording_begin",
            Request::RecordingChunk { .. } => "recording_chunk",
            Request::RecordingFinish { .. } => "recording_finish",
            Request::RecordingRead { .. } => "recording_read",
            Request::SummaryDraft { .. } => "summary_draft",
            Request::SummarySave { .. } => "summary_save",
            Request::SummarySign { .. } => "summary_sign",
            Request::SummaryList { .. } => "summary_list",
            Request::IntakeGet => "intake_get",
            Request::IntakeSubmit { .. } => "intake_submit",
            Request::UrgentAlerts { .. } => "urgent_alerts",
            Request::AlertsList { .. } => "alerts_list",
            Request::AlertAcknowledge { .. } => "alert_acknowledge",
            Request::AuditEvents { .. } => "audit_events",
            Request::AuditChain { .. } => "audit_chain",
            Request::BackupCreate => "backup_create",
            Request::PatientAccessLog { .. } => "patient_access_log",
            Request::Disclosures { .. } => "disclosures",
            Request::BackupRead { .. } => "backup_read",
            Request::ReportCompose {
                output: super::api::ReportOutput::Preview,
                ..
            } => "report_preview",
            Request::ReportCompose { .. } => "report_disclose",
            Request::CardPrint { .. } => "card_print",
        };
        // A request missing from the table is refused to everyone, never let through.
        OPERATIONS
            .iter()
            .find(|o| o.name == name)
            .unwrap_or(&UNLISTED)
    }
}
