//! One request of every kind that needs a session, for the access matrix: a new
//! request gets its sample here (ARCHITECTURE.md, "Adding a request").

use crate::common;
use crate::common::patient;
use caredesk::auth::{Role, RoleTable};
use caredesk::clinic::{LookupKind, Request, Secret};
use caredesk::domain::amendment::{Section, SectionValue};
use caredesk::domain::patient::PatientId;

/// One request of every kind that needs a session, with harmless arguments.
pub(super) fn sample_requests(id: PatientId) -> Vec<Request> {
    let followup = caredesk::clinic::followup::api::FollowUpKey {
        patient: id,
        plan: 1,
        seq: 1,
    };
    vec![
        Request::WhoAmI,
        Request::ChangePassword {
            old: Secret::new("not the password"),
            new: Secret::new("whatever phrase here"),
        },
        Request::SetLanguage {
            language: Some(caredesk::i18n::Lang::ZhCn),
        },
        Request::UserAdd {
            name: "matrix.probe".into(),
            role: Role::FrontDesk,
        },
        Request::UserList,
        Request::UserDisable {
            name: "nobody.here".into(),
        },
        Request::UserEnable {
            name: "nobody.here".into(),
        },
        Request::UserSetRole {
            name: "nobody.here".into(),
            role: Role::Nurse,
        },
        Request::UserResetPassword {
            name: "nobody.here".into(),
        },
        Request::UserResetTotp {
            name: "nobody.here".into(),
        },
        Request::RolesGet,
        Request::RolesSet {
            role: Role::Auditor,
            permissions: RoleTable::defaults().permissions(Role::Auditor),
        },
        Request::KeyFileAdd {
            label: "matrix-probe".into(),
        },
        Request::KeyTokenAdd {
            label: "matrix-token".into(),
            token: "none".into(),
            key: "none".into(),
            pin: caredesk::clinic::api::Secret::new("0000"),
        },
        Request::PatientCreate {
            patient: patient("Matrix Probe", "13700000001", "M1"),
        },
        Request::PatientGet { id },
        Request::PatientFind {
            kind: LookupKind::Phone,
            value: "13700000009".into(),
        },
        Request::PatientSetRestricted {
            id,
            restricted: false,
        },
        Request::HealthGet { id },
        Request::HealthAmend {
            id,
            before: SectionValue::Allergies(vec![]),
            after: common::entries(Section::Allergies, &["matrix probe"]),
            reason: "matrix probe of the access table".into(),
        },
        Request::PatientAmend {
            id,
            before: Default::default(),
            after: Default::default(),
            reason: "matrix probe of the access table".into(),
        },
        Request::RecordHistory { id, section: None },
        Request::ResultsImport {
            incoming: vec![],
            rejected: 0,
            create_patients: false,
        },
        Request::Observations { id, code: None },
        Request::ObservationAdd {
            id,
            observation: caredesk::domain::observation::Observation {
                system: caredesk::domain::observation::LOINC.into(),
                code: "8480-6".into(),
                display: None,
                value: caredesk::domain::observation::ObsValue::Quantity {
                    value: caredesk::domain::decimal::Decimal::parse("128").unwrap(),
                    comparator: None,
                },
                unit: Some("mm[Hg]".into()),
                range: Default::default(),
                flags: vec![],
                taken_at: 1_900_000_000,
                status: None,
                source: caredesk::domain::observation::Source {
                    kind: caredesk::domain::observation::SourceKind::Manual,
                    reference: String::new(),
                },
            },
        },
        Request::ReviewList,
        Request::QuestionnaireList,
        Request::UrgentAlerts { limit: 5 },
        Request::IntakeGet,
        Request::RiskAssess { id },
        Request::RiskList { id },
        Request::TagsEvaluate { id },
        Request::TagsGet { id },
        Request::AdviceDraft {
            id,
            lang: caredesk::i18n::Lang::En,
        },
        Request::AdviceApprove {
            id,
            items: vec![caredesk::domain::advice::Item {
                template: "salt".into(),
                topic: caredesk::domain::advice::Topic::Diet,
                text: "less salt".into(),
            }],
        },
        Request::AdviceList { id },
        Request::PlanSet {
            id,
            plan: caredesk::domain::plan::Plan {
                title: "matrix probe".into(),
                goals: vec![],
                actions: vec![],
                active: true,
            },
            base: 0,
        },
        Request::PlanGet { id },
        Request::PlanTemplates {
            id,
            lang: caredesk::i18n::Lang::En,
        },
        Request::SummaryDraft {
            id,
            period: caredesk::domain::summary::Period {
                from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                to: chrono::NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
            },
            lang: caredesk::i18n::Lang::En,
        },
        Request::SummarySave {
            id,
            number: None,
            base: 0,
            period: caredesk::domain::summary::Period {
                from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                to: chrono::NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
            },
            text: "matrix probe".into(),
        },
        Request::SummarySign {
            id,
            number: 1,
            base: 1,
        },
        Request::SummaryList { id },
        Request::FollowUpChart { id },
        Request::FollowUpPlanAdd {
            id,
            kind: caredesk::domain::followup::Kind::Hypertension,
            interval_days: 30,
            first_due: chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap(),
            assigned: "nurses".into(),
        },
        Request::FollowUpPlanClose {
            id,
            plan: 1,
            reason: caredesk::domain::followup::CloseReason::GoalMet,
        },
        Request::FollowUpSchedule,
        Request::FollowUpQueue {
            filter: Default::default(),
            offset: 0,
            limit: 10,
        },
        Request::CallDraftTake,
        Request::FollowUpClaim { key: followup },
        Request::FollowUpRelease { key: followup },
        Request::FollowUpCallView { key: followup },
        Request::FollowUpCallPreview {
            key: followup,
            input: caredesk::domain::followup::CallInput {
                outcome: caredesk::domain::followup::Outcome::NoAnswer,
                visit: Default::default(),
                readings: vec![],
                adherence: None,
                ticked: vec![],
                symptoms: String::new(),
                side_effects: String::new(),
                notes: String::new(),
                form: Default::default(),
            },
        },
        Request::FollowUpCallSave {
            key: followup,
            input: caredesk::domain::followup::CallInput {
                outcome: caredesk::domain::followup::Outcome::NoAnswer,
                visit: Default::default(),
                readings: vec![],
                adherence: None,
                ticked: vec![],
                symptoms: String::new(),
                side_effects: String::new(),
                notes: String::new(),
                form: Default::default(),
            },
        },
        Request::FollowUpFormPrint {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            plan: None,
            year: None,
            output: caredesk::clinic::api::ReportOutput::Preview,
        },
        Request::ExamDraft {
            id,
            date: chrono::NaiveDate::from_ymd_opt(2020, 3, 2).unwrap(),
        },
        Request::ExamSave {
            id,
            number: None,
            base: 0,
            form: caredesk::domain::exam_form::ExamForm::new(
                chrono::NaiveDate::from_ymd_opt(2020, 3, 2).unwrap(),
            ),
        },
        Request::ExamList { id },
        Request::ExamFormPrint {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            number: None,
            output: caredesk::clinic::api::ReportOutput::Preview,
        },
        Request::RecordingBegin {
            key: followup,
            extension: "wav".into(),
            size: 10,
            sha256: [0; 32],
        },
        Request::RecordingChunk {
            patient: id,
            recording: [0; 16],
            index: 0,
            bytes: vec![0; 10],
        },
        Request::RecordingFinish {
            patient: id,
            recording: [0; 16],
        },
        Request::RecordingRead {
            patient: id,
            recording: [0; 16],
            index: 0,
            export: false,
        },
        Request::PlanDraft {
            id,
            template: "hypertension".into(),
            lang: caredesk::i18n::Lang::En,
        },
        Request::IntakeSubmit {
            id,
            answers: vec![],
        },
        Request::QuestionnaireSubmit {
            id,
            key: "gad7".into(),
            answers: vec![0; 7],
        },
        Request::ReviewMatch { number: 1, id },
        Request::ReviewCreate { number: 1 },
        Request::ReviewReject {
            number: 1,
            reason: "matrix probe".into(),
        },
        Request::BreakGlass {
            id,
            reason: "matrix probe of the access table".into(),
        },
        Request::AlertsList { limit: 5 },
        Request::AlertAcknowledge {
            id: 999_999,
            note: "checked".into(),
        },
        Request::KeySlots,
        Request::ErasureList,
        Request::ErasureApprove { id: 999_999 },
        Request::ErasureRequest {
            patient: caredesk::clinic::api::PatientRef::Key("no-such-card".into()),
            reason: "a reason long enough".into(),
        },
        Request::KeySlotRemove { id: 999_999 },
        Request::RecoveryKeyAdd,
        Request::KeyRotate { batch: 50 },
        Request::AuditSealNow {
            reason: "checking who may close an epoch".into(),
        },
        Request::BackupCreate,
        Request::BackupRead {
            name: "caredesk-none.backup".into(),
            offset: 0,
            len: 16,
        },
        Request::BackupList,
        Request::RetentionReview { limit: 1 },
        Request::RetentionRestrict {
            patient: caredesk::clinic::api::PatientRef::Id(id),
        },
        Request::BackupOffsite {
            name: "caredesk-none.backup".into(),
            target: String::new(),
            size: 0,
            sha256: String::new(),
            failure: Some("unreachable".into()),
        },
        Request::PatientAccessLog {
            patient: caredesk::clinic::api::PatientRef::Key("no-such-card".into()),
            from: None,
        },
        Request::Disclosures {
            patient: caredesk::clinic::api::PatientRef::Key("no-such-card".into()),
        },
        Request::AuditChain {
            from_seq: 0,
            through: None,
            limit: 5,
        },
        Request::AuditEvents {
            from: None,
            to: None,
            limit: 5,
            after: None,
        },
        Request::ReportCompose {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            from: None,
            to: None,
            unmask: false,
            output: caredesk::clinic::api::ReportOutput::Preview,
        },
        Request::ReportCompose {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            from: None,
            to: None,
            unmask: false,
            output: caredesk::clinic::api::ReportOutput::File("report.pdf".into()),
        },
        Request::SchedulerRun { retag: false },
        Request::CardPrint {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            output: caredesk::clinic::api::ReportOutput::Preview,
        },
        Request::HomeSummary,
        Request::PatientRegister {
            patient: patient("Matrix Register", "13700000011", "M11"),
            card_type: "basic".into(),
        },
        Request::CardIssue {
            id,
            card_type: "basic".into(),
        },
        Request::CardReportLost {
            number: "88600000000000".into(),
        },
        Request::CardCancel {
            number: "88600000000000".into(),
        },
        Request::PatientCards { id },
        Request::PatientImport { rows: Vec::new() },
        Request::ConsentSet {
            id,
            channel: caredesk::domain::consent::Channel::Sms,
            purpose: caredesk::domain::consent::Purpose::Education,
            decision: caredesk::domain::consent::Decision::Granted,
            method: caredesk::domain::consent::Method::Verbal,
        },
        Request::ConsentGet { id },
        Request::ConsentProcessingSet {
            id,
            scope: caredesk::domain::consent::Processing::HealthData,
            decision: caredesk::domain::consent::Decision::Granted,
            method: caredesk::domain::consent::Method::SignedForm,
            guardian: None,
        },
        Request::NoticeGet,
        Request::RightsRequestAdd {
            patient: caredesk::clinic::api::PatientRef::Id(id),
            kind: caredesk::domain::rights_request::RightKind::Access,
            received_on: None,
            asked: "a copy of my record".into(),
        },
        Request::RightsRequestAnswer {
            id: 1,
            outcome: caredesk::domain::rights_request::RightOutcome::Granted,
            note: "given at the desk".into(),
        },
        Request::RightsRequestList { open_only: true },
        Request::ExamBook {
            id,
            package: "basic".into(),
            date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        },
        Request::ExamReschedule {
            booking: caredesk::clinic::api::BookingKey {
                date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                id: 1,
            },
            date: chrono::NaiveDate::from_ymd_opt(2030, 1, 2).unwrap(),
        },
        Request::ExamCheckIn {
            booking: caredesk::clinic::api::BookingKey {
                date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                id: 1,
            },
        },
        Request::ExamNoShow {
            booking: caredesk::clinic::api::BookingKey {
                date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                id: 1,
            },
        },
        Request::ExamDay {
            date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        },
        Request::ExamCancel {
            booking: caredesk::clinic::api::BookingKey {
                date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                id: 1,
            },
        },
        Request::PatientSetTags {
            id,
            tags: vec!["VIP".into()],
        },
        Request::PatientExport {
            key: "13700000002".into(),
        },
        Request::PatientProvide {
            key: "13700000002".into(),
            recipient: "Hospital".into(),
            purpose: "referral".into(),
        },
        Request::MayContact {
            id,
            channel: caredesk::domain::consent::Channel::Sms,
            purpose: caredesk::domain::consent::Purpose::Care,
        },
        Request::PatientSearch {
            query: "wang".into(),
            limit: 10,
        },
        Request::Logout,
    ]
}
