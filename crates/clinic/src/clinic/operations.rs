//! Every request the service answers, declared once: its name, who may make it, the
//! audit action it writes, the lock it runs under, what it does to derived data, the
//! replies it may give and what it does in both languages (`table.rs` says what each
//! column means). `Request::operation` and `OPERATIONS` both come from this list, so a
//! request cannot have a policy in one place and another somewhere else.
//!
//! Adding a request: a variant in `api/mod.rs`, a row here, an arm in `handlers.rs`
//! (the compiler asks for each), and a row in the access test's role matrix.

use super::api::{ReportOutput, Request, Response};
use super::table::Access::{AnyOf, Needs, Public, SignedIn};
use super::table::Flag::{Exclusive, ReadsDerived, Reevaluates, SettlesAll};
use super::table::{Lock, Operation};
use crate::auth::Permission as P;

/// Declares the table. Each row:
/// `Variant { pattern } => name: access, "audit.action", lock [flags] -> [Replies] "English" "中文";`
/// Rows are matched in order, so a narrower pattern of a variant comes before the rest.
macro_rules! operations {
    ($(
        $variant:ident $({ $($pattern:tt)* })? => $name:ident : $access:expr, $action:literal,
        $lock:ident [$($flag:ident),*] -> [$($reply:ident),+] $en:literal $zh:literal;
    )+) => {
        /// The rows, one per request (`report_preview` and `report_disclose` are the
        /// two outcomes of one request kind).
        #[allow(non_upper_case_globals)]
        mod row {
            use super::*;
            $(
                pub const $name: Operation = Operation {
                    name: stringify!($name),
                    access: $access,
                    action: $action,
                    lock: Lock::$lock,
                    flags: &[$($flag),*],
                    gives: |reply| matches!(reply, $(Response::$reply { .. })|+ | Response::Error(_)),
                    replies: &[$(stringify!($reply)),+],
                    describe: ($en, $zh),
                };
            )+
        }

        /// Every request, in one place. A test checks each role against each row.
        pub const OPERATIONS: &[Operation] = &[$(row::$name),+];

        impl Request {
            /// The table row for this request.
            pub fn operation(&self) -> &'static Operation {
                #[allow(unreachable_patterns)]
                match self {
                    $(Request::$variant { $($($pattern)*)? .. } => &row::$name,)+
                }
            }
        }
    };
}

#[rustfmt::skip]
operations! {
    // Sign-on: no session yet; each audits its own outcome.
    Login => login: Public, "login", None [] -> [SignedIn, TotpEnrolment]
        "Sign in with a password and a code" "用密码和验证码登录";
    ConfirmTotp => confirm_totp: Public, "login.totp_enrol", None [] -> [SignedIn]
        "Finish enrolling an authenticator app" "完成验证器绑定";
    Activate => activate: Public, "user.activate", None [] -> [Activated]
        "First sign-in of a new account" "新账号首次登录";
    LoginKeyFile => login_key_file: Public, "login.key_file", None [] -> [SignedIn]
        "Sign in an unattended job with a key file" "无人值守任务用密钥文件登录";

    // Any signed-in user.
    Logout => logout: SignedIn, "logout", None [] -> [Done]
        "Sign out" "退出登录";
    LogoutIdle => logout_idle: SignedIn, "logout.idle", Serial [] -> [Done]
        "Sign out an idle terminal" "空闲终端自动退出";
    HomeSummary => home_summary: SignedIn, "home.read", None [] -> [Home]
        "Today's counts for the home screen" "首页今日概况";
    WhoAmI => who_am_i: SignedIn, "session.who_am_i", None [] -> [Me]
        "Who is signed in, and what they may do" "当前用户及其权限";
    ChangePassword => change_password: SignedIn, "user.change_password", Serial [] -> [Done]
        "Change one's own password" "修改本人密码";
    SetLanguage => set_language: SignedIn, "user.set_language", Serial [] -> [Done]
        "Choose one's own language for the desk" "设置本人界面语言";

    // Users and roles.
    UserAdd => user_add: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.add", Serial [] -> [UserCreated]
        "Add a user with a one-time password" "新增用户（一次性密码）";
    UserList => user_list: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.list", None [] -> [Users]
        "List the users" "用户列表";
    UserDisable => user_disable: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.disable", Serial [] -> [Done]
        "Disable a user and end their sessions" "停用用户并结束其会话";
    UserEnable => user_enable: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.enable", Serial [] -> [Done, PasswordReset]
        "Enable a disabled user" "启用已停用的用户";
    UserSetRole => user_set_role: Needs(P::RoleAdmin), "user.set_role", Serial [] -> [Done]
        "Change a user's role" "修改用户角色";
    UserResetPassword => user_reset_password: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.reset_password", Serial [] -> [PasswordReset]
        "Reset a user's password to a one-time one" "重置用户密码为一次性密码";
    UserResetTotp => user_reset_totp: AnyOf(&[P::UserAdmin, P::RoleAdmin]), "user.reset_totp", Serial [] -> [Done]
        "Make a user enrol a new authenticator" "要求用户重新绑定验证器";
    RolesGet => roles_get: AnyOf(&[P::SettingsAdmin, P::RoleAdmin]), "settings.roles_read", None [] -> [Roles]
        "Read each role's permissions" "查看各角色权限";
    RolesSet => roles_set: Needs(P::RoleAdmin), "settings.roles_change", Serial [] -> [Done]
        "Change a role's permissions" "修改角色权限";

    // Keys and erasure.
    KeyFileAdd => key_file_add: Needs(P::KeyAdmin), "key.add_file", Serial [] -> [KeyFileCreated]
        "Add a key file for the server or a job" "为服务或任务添加密钥文件";
    KeyTokenAdd => key_token_add: Needs(P::KeyAdmin), "key.add_token", Serial [] -> [Done]
        "Add a key held by a hardware token" "添加由密码设备保管的密钥";
    KeySlots => key_slots: Needs(P::KeyAdmin), "key.list", None [] -> [KeySlots]
        "List what opens the store" "查看可打开数据库的密钥";
    ErasureRequest => erasure_request: Needs(P::PatientErase), "patient.erase_request", Serial [] -> [ErasureRequested]
        "Ask for a patient's erasure, with the reason" "申请删除患者信息（注明理由）";
    ErasureList => erasure_list: Needs(P::PatientErase), "patient.erase_list", None [] -> [Erasures]
        "Erasure requests waiting for approval" "待批准的删除申请";
    ErasureApprove => erasure_approve: Needs(P::PatientErase), "patient.erase", Serial [] -> [Done]
        "Approve an erasure (a second person)" "批准删除（须另一人）";
    KeySlotRemove => key_slot_remove: Needs(P::KeyAdmin), "key.remove", Serial [] -> [Done]
        "Remove a key file or recovery key" "移除密钥文件或恢复密钥";
    RecoveryKeyAdd => recovery_key_add: Needs(P::KeyAdmin), "key.add_recovery", Serial [] -> [RecoveryKeyCreated]
        "Make a new recovery key" "生成新的恢复密钥";
    KeyRotate => key_rotate: Needs(P::KeyAdmin), "key.rotate", None [Exclusive] -> [KeyRotation]
        "Rotate the data key, a batch at a time" "分批轮换数据密钥";
    AuditSealNow => audit_seal_now: Needs(P::KeyAdmin), "audit.seal_now", None [Exclusive] -> [AuditSealed]
        "Seal the audit log now" "立即封存审计日志";

    // Cards (开卡): each checks what exists, then writes, so one at a time.
    PatientRegister => patient_register: Needs(P::CardManage), "patient.register", Serial [] -> [Registered, Duplicates]
        "Register a patient and issue a card" "登记患者并开卡";
    CardIssue => card_issue: Needs(P::CardManage), "card.issue", Serial [] -> [CardIssued]
        "Issue a card to a patient without one" "为无有效卡的患者开卡";
    CardReportLost => card_report_lost: Needs(P::CardManage), "card.report_lost", Serial [] -> [CardIssued]
        "Report a card lost and replace it" "挂失并补卡";
    CardCancel => card_cancel: Needs(P::CardManage), "card.cancel", Serial [] -> [Done]
        "Cancel a card" "注销会员卡";
    PatientCards => patient_cards: Needs(P::DemographicsRead), "card.list", None [] -> [Cards]
        "A patient's cards" "患者的会员卡";
    PatientImport => patient_import: Needs(P::PatientImport), "patient.import", Serial [] -> [ImportSummary]
        "Register patients from a spreadsheet" "从表格批量登记患者";

    // Exam booking (体检预约).
    ExamBook => exam_book: Needs(P::AppointmentManage), "exam.book", Serial [] -> [ExamBooked]
        "Book an exam" "预约体检";
    ExamReschedule => exam_reschedule: Needs(P::AppointmentManage), "exam.reschedule", Serial [] -> [ExamBooked]
        "Move a booking to another day" "改约体检日期";
    ExamCancel => exam_cancel: Needs(P::AppointmentManage), "exam.cancel", Serial [] -> [ExamBooked]
        "Cancel a booking" "取消预约";
    ExamCheckIn => exam_check_in: Needs(P::AppointmentManage), "exam.check_in", Serial [] -> [ExamBooked]
        "Check a patient in for their exam" "体检签到";
    ExamNoShow => exam_no_show: Needs(P::AppointmentManage), "exam.no_show", Serial [] -> [ExamBooked]
        "Mark a booking no-show" "标记爽约";
    ExamDay => exam_day: Needs(P::AppointmentManage), "exam.day", None [] -> [ExamDay]
        "A day's bookings and places left" "当日预约与余量";
    PatientSetTags => patient_set_tags: Needs(P::TagManage), "patient.tags", Serial [] -> [Done]
        "Set a patient's manual tags" "设置患者手动标签";
    PatientExport => patient_export: Needs(P::PatientExport), "patient.export", None [SettlesAll] -> [PatientExport]
        "Export everything held on a patient" "导出患者全部信息";
    PatientProvide => patient_provide: Needs(P::PatientExport), "patient.provide", None [SettlesAll] -> [PatientExport]
        "Provide a patient's record to another processor, with consent" "经同意向其他处理者提供患者信息";

    // Consent.
    ConsentProcessingSet => consent_processing_set: Needs(P::ConsentManage), "consent.processing", Serial [] -> [Consent]
        "Record a separate consent to process or provide health information" "记录处理或对外提供健康信息的单独同意";
    RetentionReview => retention_review: Needs(P::RightsManage), "retention.review", None [] -> [RetentionDue]
        "Records past their retention" "超过保存期限的档案";
    RetentionRestrict => retention_restrict: Needs(P::RightsManage), "retention.store_only", Serial [] -> [Done]
        "Keep a record past its retention stored only" "超期档案转为仅存储";
    RightsRequestAdd => rights_request_add: Needs(P::RightsManage), "rights.request", Serial [] -> [RightsRequests]
        "Log a patient's request over their information" "登记个人信息权利请求";
    RightsRequestAnswer => rights_request_answer: Needs(P::RightsManage), "rights.answer", Serial [] -> [RightsRequests]
        "Record the answer to a patient's request" "记录权利请求的答复";
    RightsRequestList => rights_request_list: Needs(P::RightsManage), "rights.list", None [] -> [RightsRequests]
        "Patients' requests over their information" "个人信息权利请求记录";
    NoticeGet => notice_get: SignedIn, "notice.read", None [] -> [Notice]
        "The notice given before consent" "个人信息处理告知书";
    ConsentSet => consent_set: Needs(P::ConsentManage), "consent.record", Serial [] -> [Consent]
        "Record a consent decision" "记录同意决定";
    ConsentGet => consent_get: Needs(P::DemographicsRead), "consent.read", None [] -> [Consent]
        "A patient's consent decisions" "患者的同意记录";
    MayContact => may_contact: Needs(P::DemographicsRead), "consent.check", None [] -> [ContactAnswer]
        "May we contact this patient this way now?" "现在能否以此方式联系患者";

    // Patients.
    PatientCreate => patient_create: Needs(P::DemographicsWrite), "patient.create", None [] -> [PatientCreated]
        "Create a patient without a card" "新建患者（不开卡）";
    PatientGet => patient_get: Needs(P::DemographicsRead), "patient.read", None [] -> [Patient]
        "Open a patient" "打开患者";
    PatientFind => patient_find: Needs(P::PatientSearch), "patient.search", None [] -> [Patients]
        "Find a patient by phone or ID number" "按电话或证件号查找";
    PatientSearch => patient_search: Needs(P::PatientSearch), "patient.search", None [] -> [SearchResults]
        "Search by card, phone, ID, name or pinyin" "按卡号、电话、证件、姓名或拼音搜索";
    PatientSetRestricted => patient_set_restricted: Needs(P::RestrictedManage), "patient.set_restricted", Serial [] -> [Done]
        "Restrict a patient's record, or lift it" "限制或解除限制患者档案";
    HealthGet => health_get: Needs(P::ClinicalRead), "health.read", None [] -> [Health]
        "Read a patient's health record" "查看健康档案";
    HealthAmend => health_amend: Needs(P::ClinicalWrite), "health.amend", Serial [Reevaluates] -> [Health]
        "Change a section of the health record" "修改健康档案的一部分";
    PatientAmend => patient_amend: Needs(P::DemographicsWrite), "patient.amend", Serial [Reevaluates] -> [Done]
        "Change a patient's personal details" "修改患者基本信息";
    RecordHistory => record_history: Needs(P::DemographicsRead), "record.history", None [] -> [History]
        "Every change to the record" "档案修改历史";
    BreakGlass => break_glass: Needs(P::BreakGlass), "patient.break_glass", None [] -> [Done]
        "Open a restricted record in an emergency" "紧急打开受限档案";

    // Results (检验结果).
    ResultsImport => results_import: Needs(P::ResultsImport), "results.import", Serial [Reevaluates] -> [ResultsImported]
        "Import lab results" "导入检验结果";
    Observations => observations: Needs(P::ClinicalRead), "results.read", None [] -> [Observations]
        "A patient's results" "患者的检验结果";
    ObservationAdd => observation_add: Needs(P::ClinicalWrite), "results.add", Serial [Reevaluates] -> [Done]
        "Type in a result" "手工录入结果";
    ReviewList => review_list: Needs(P::ResultsImport), "results.review_list", None [] -> [Review]
        "Results that matched no patient" "未匹配患者的结果";
    ReviewMatch => review_match: Needs(P::ResultsImport), "results.review_match", Serial [Reevaluates] -> [Done]
        "File unmatched results under a patient" "将未匹配结果归入患者";
    ReviewCreate => review_create: Needs(P::ResultsImport), "results.review_create", Serial [Reevaluates] -> [PatientCreated]
        "Create the patient a result names" "按结果信息新建患者";
    ReviewReject => review_reject: Needs(P::ResultsImport), "results.review_reject", Serial [] -> [Done]
        "Reject an unmatched result" "拒收未匹配结果";

    // Questionnaires, risks, tags, advice and plans.
    QuestionnaireList => questionnaire_list: Needs(P::ClinicalRead), "questionnaire.list", None [] -> [Questionnaires]
        "The questionnaires in use" "在用问卷";
    QuestionnaireSubmit => questionnaire_submit: Needs(P::ClinicalWrite), "questionnaire.submit", None [Reevaluates] -> [QuestionnaireScored]
        "Submit a filled questionnaire" "提交问卷";
    RiskAssess => risk_assess: Needs(P::ClinicalWrite), "risk.assess", Derived [ReadsDerived] -> [Risks]
        "Assess disease risks now" "立即评估疾病风险";
    RiskList => risk_list: Needs(P::ClinicalRead), "risk.read", None [ReadsDerived] -> [Risks]
        "A patient's risk assessments" "患者的风险评估";
    TagsEvaluate => tags_evaluate: Needs(P::ClinicalRead), "tags.evaluate", Derived [ReadsDerived] -> [AutoTags]
        "Evaluate the automatic tags now" "立即计算自动标签";
    TagsGet => tags_get: Needs(P::ClinicalRead), "tags.read", None [ReadsDerived] -> [AutoTags]
        "A patient's automatic tags" "患者的自动标签";
    AdviceDraft => advice_draft: Needs(P::ClinicalRead), "advice.draft", None [ReadsDerived] -> [AdviceDraft]
        "Draft advice from the library" "从建议库生成建议草稿";
    AdviceApprove => advice_approve: Needs(P::ClinicalWrite), "advice.approve", None [] -> [Done]
        "Approve and give advice" "审核并给出建议";
    AdviceList => advice_list: Needs(P::ClinicalRead), "advice.read", None [] -> [Advice]
        "Advice given to a patient" "已给出的建议";
    PlanSet => plan_set: Needs(P::ClinicalWrite), "plan.save", Serial [Reevaluates] -> [Done]
        "Save the intervention plan" "保存干预方案";
    PlanTemplates => plan_templates: Needs(P::ClinicalRead), "plan.templates", None [ReadsDerived] -> [PlanTemplates]
        "Plan templates, suggested first" "方案模板（推荐在前）";
    PlanDraft => plan_draft: Needs(P::ClinicalRead), "plan.draft", None [] -> [PlanDraft]
        "Draft a plan from a template" "按模板生成方案草稿";

    // Follow-up (随访).
    FollowUpChart => followup_chart: Needs(P::ClinicalRead), "followup.read", None [] -> [FollowUpChart]
        "A patient's follow-up plans and calls" "患者的随访计划与记录";
    FollowUpPlanAdd => followup_plan_add: Needs(P::FollowUpWork), "followup.plan_add", Serial [] -> [FollowUpPlanAdded]
        "Start a follow-up plan" "新建随访计划";
    FollowUpPlanClose => followup_plan_close: Needs(P::FollowUpWork), "followup.plan_close", Serial [] -> [Done]
        "Close a follow-up plan" "结束随访计划";
    FollowUpSchedule => followup_schedule: Needs(P::FollowUpWork), "followup.schedule", Serial [] -> [FollowUpScheduled]
        "Make the follow-ups now due" "生成到期随访";
    SchedulerRun => scheduler_run: Needs(P::SchedulerRun), "scheduler.run", Serial [] -> [FollowUpScheduled]
        "The server's scheduled pass" "服务端定时任务";
    FollowUpQueue => followup_queue: Needs(P::FollowUpWork), "followup.queue", None [] -> [FollowUpQueue]
        "The follow-up call queue" "随访电话队列";
    CallDraftTake => call_draft_take: Needs(P::FollowUpWork), "followup.draft_take", Serial [] -> [KeptCall]
        "Take back a call kept at an idle sign-out" "取回空闲退出时保留的随访记录";
    FollowUpClaim => followup_claim: Needs(P::FollowUpWork), "followup.claim", Serial [] -> [FollowUpClaimed]
        "Claim a follow-up before calling" "领取随访任务";
    FollowUpRelease => followup_release: Needs(P::FollowUpWork), "followup.release", Serial [] -> [Done]
        "Release a claimed follow-up" "释放随访任务";
    FollowUpCallView => followup_call_view: Needs(P::FollowUpWork), "followup.call_open", None [] -> [FollowUpCall]
        "Open the call screen" "打开随访记录页";
    FollowUpCallPreview => followup_call_preview: Needs(P::FollowUpWork), "followup.call_preview", None [] -> [FollowUpCallSaved]
        "Where a call would take its follow-up, nothing saved" "预览随访分类与下次随访（不保存）";
    FollowUpCallSave => followup_call_save: Needs(P::FollowUpWork), "followup.call", Serial [Reevaluates] -> [FollowUpCallSaved]
        "Record a follow-up call or visit" "记录随访";
    RecordingBegin => recording_begin: Needs(P::FollowUpWork), "recording.attach_begin", Serial [] -> [RecordingStarted]
        "Start attaching a call recording" "开始上传通话录音";
    RecordingChunk => recording_chunk: Needs(P::FollowUpWork), "recording.attach_chunk", None [] -> [Done]
        "One piece of a call recording" "通话录音分片";
    RecordingFinish => recording_finish: Needs(P::FollowUpWork), "recording.attach", Serial [] -> [Done]
        "Finish attaching a call recording" "完成通话录音上传";
    RecordingRead => recording_read: Needs(P::FollowUpWork), "recording.read", None [] -> [RecordingBytes]
        "Listen to or hand out a call recording" "收听或导出通话录音";

    // Stage summaries and intake.
    SummaryDraft => summary_draft: Needs(P::ClinicalRead), "summary.draft", None [ReadsDerived] -> [SummaryDraft]
        "Draft a stage summary" "生成阶段小结草稿";
    SummarySave => summary_save: Needs(P::ClinicalWrite), "summary.save", Serial [ReadsDerived] -> [SummarySaved]
        "Save a stage summary" "保存阶段小结";
    SummarySign => summary_sign: Needs(P::ClinicalWrite), "summary.sign", Serial [] -> [SummarySaved]
        "Sign a stage summary" "签署阶段小结";
    SummaryList => summary_list: Needs(P::ClinicalRead), "summary.read", None [] -> [Summaries]
        "A patient's stage summaries" "患者的阶段小结";
    ExamDraft => exam_draft: Needs(P::ClinicalRead), "exam.draft", None [] -> [ExamDraft]
        "Draft a health examination form from the results" "根据检验结果生成健康体检表";
    ExamSave => exam_save: Needs(P::ClinicalWrite), "exam.save", Serial [Reevaluates] -> [ExamSaved]
        "Save a health examination form" "保存健康体检表";
    ExamList => exam_list: Needs(P::ClinicalRead), "exam.read", None [] -> [Exams]
        "A patient's health examination forms" "患者的健康体检表";
    PlanGet => plan_get: Needs(P::ClinicalRead), "plan.read", None [] -> [Plan]
        "A patient's intervention plan" "患者的干预方案";
    IntakeGet => intake_get: Needs(P::ClinicalRead), "intake.read", None [] -> [Intake]
        "The intake interview's questions" "初诊问询问题";
    IntakeSubmit => intake_submit: Needs(P::ClinicalWrite), "intake.submit", Serial [Reevaluates] -> [Health]
        "File an intake interview" "提交初诊问询";

    // Oversight.
    UrgentAlerts => urgent_alerts: Needs(P::ClinicalRead), "alerts.urgent", None [] -> [Alerts]
        "Urgent clinical alerts" "紧急临床警报";
    AlertsList => alerts_list: Needs(P::AlertsRead), "alerts.read", None [] -> [Alerts]
        "Every alert" "全部警报";
    AlertAcknowledge => alert_acknowledge: AnyOf(&[P::AlertsRead, P::ClinicalRead]), "alert.acknowledge", Serial [] -> [Done]
        "Acknowledge an alert with what was done" "确认警报并记录处理";
    AuditEvents => audit_events: Needs(P::AuditRead), "audit.read", None [] -> [AuditEvents]
        "Read the audit log" "查看审计日志";
    AuditChain => audit_chain: Needs(P::AuditRead), "audit.verify", None [] -> [AuditChain]
        "The raw audit chain, to verify" "审计链原始记录（供校验）";
    BackupCreate => backup_create: Needs(P::BackupRun), "backup.create", None [] -> [BackupCreated]
        "Make a backup" "创建备份";
    PatientAccessLog => patient_access_log: Needs(P::AuditRead), "audit.patient", None [] -> [AccessLog]
        "Who looked at this patient" "谁查看过该患者";
    Disclosures => disclosures: Needs(P::AuditRead), "disclosures.read", None [] -> [Disclosures]
        "A patient's accounting of disclosures" "个人信息对外提供记录";
    BackupRead => backup_read: Needs(P::BackupRun), "backup.copy", None [] -> [BackupPiece]
        "Copy a backup out" "复制备份";
    BackupList => backup_list: Needs(P::BackupRun), "backup.list", None [] -> [Backups]
        "The backups in the backup directory" "备份目录中的备份";
    BackupOffsite => backup_offsite: Needs(P::BackupRun), "backup.offsite", None [] -> [Done]
        "Record a backup copied off the machine" "记录异地备份";

    // Paper.
    ReportCompose { output: ReportOutput::Preview, } => report_preview: Needs(P::ReportPrint), "report.preview", None [ReadsDerived] -> [Report]
        "Preview a health report" "预览健康报告";
    ReportCompose => report_disclose: Needs(P::ReportPrint), "report.print", None [ReadsDerived] -> [Report]
        "Print or save a health report" "打印或保存健康报告";
    FollowUpFormPrint => followup_form_print: AnyOf(&[P::FollowUpWork, P::ReportPrint]), "followup.form_print", None [] -> [FollowUpForm]
        "Print a patient's follow-up record form" "打印随访服务记录表";
    ExamFormPrint => exam_form_print: Needs(P::ReportPrint), "exam.form_print", None [] -> [ExamForm]
        "Print a patient's health examination form" "打印健康体检表";
    CardPrint => card_print: Needs(P::CardManage), "card.print", None [] -> [CardDocument]
        "Print a member card" "打印会员卡";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_and_audit_actions_are_unique_where_they_must_be() {
        let names: BTreeSet<_> = OPERATIONS.iter().map(|o| o.name).collect();
        assert_eq!(names.len(), OPERATIONS.len(), "two rows share a name");
        for op in OPERATIONS {
            assert!(
                !op.describe.0.is_empty() && !op.describe.1.is_empty(),
                "{}",
                op.name
            );
            assert!(
                op.action
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || "._".contains(c))
            );
        }
    }

    #[test]
    fn check_then_write_requests_run_one_at_a_time() {
        // Found by review: two desks could register one person twice, or issue two
        // active cards, when these ran side by side.
        for name in [
            "patient_register",
            "card_issue",
            "patient_import",
            "user_add",
        ] {
            let op = OPERATIONS.iter().find(|o| o.name == name).unwrap();
            assert_eq!(op.lock, Lock::Serial, "{name}");
        }
        // Reads do not wait behind writes.
        for name in ["exam_day", "review_list", "patient_search", "health_get"] {
            let op = OPERATIONS.iter().find(|o| o.name == name).unwrap();
            assert_eq!(op.lock, Lock::None, "{name}");
        }
    }

    #[test]
    fn a_report_request_is_a_preview_or_a_disclosure_by_its_output() {
        let preview = Request::ReportCompose {
            patient: super::super::api::PatientRef::Key("8860000000017".into()),
            from: None,
            to: None,
            unmask: false,
            output: ReportOutput::Preview,
        };
        assert_eq!(preview.operation().name, "report_preview");
        let Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            ..
        } = preview
        else {
            unreachable!()
        };
        let printed = Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            output: ReportOutput::File("r.pdf".into()),
        };
        assert_eq!(printed.operation().name, "report_disclose");
    }
}
