//! The one table: every request's policy, declared once in `operations.rs` and read
//! from here by the service (`service.rs`), the access test and, later, the palette
//! and per-role help.
//!
//! Each row says who may make the request, the audit action it writes, the lock it
//! runs under, what it does to derived data (risks and automatic tags), which replies
//! it may give, and what it does in both languages. Nothing about a request's policy
//! is decided anywhere else, and never by matching its name.

use super::api::Request;
use super::response::Response;
use crate::auth::{Permission, Role, RoleTable};

/// Who may make a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Sign-on requests: no session yet; they audit their own outcome.
    Public,
    /// Any signed-in user.
    SignedIn,
    Needs(Permission),
    /// Any one of these permissions (the handler may narrow it further by the record:
    /// an alert the care team may act on must be a clinical one).
    AnyOf(&'static [Permission]),
    /// No one: what a request without a row in the table would get.
    Nobody,
}

impl Access {
    /// Whether a signed-in user of `role` passes this gate.
    pub fn admits(&self, roles: &RoleTable, role: Role) -> bool {
        match self {
            Access::SignedIn => true,
            Access::Needs(permission) => roles.allows(role, *permission),
            Access::AnyOf(permissions) => permissions.iter().any(|p| roles.allows(role, *p)),
            Access::Public | Access::Nobody => false,
        }
    }

    /// The permission named in a refusal ("needs X").
    pub fn needed(&self) -> String {
        match self {
            Access::Needs(permission) => permission.name(),
            Access::AnyOf(permissions) => permissions
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(" or "),
            Access::Public | Access::SignedIn => "a session".into(),
            Access::Nobody => "nobody".into(),
        }
    }
}

/// What a request must hold while it runs, from its first read to its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Reads, or writes that cannot race (appends keyed by a fresh id).
    None,
    /// Reads, checks and rewrites shared state (a day's capacity, a whole record, the
    /// duplicate check before a registration): one at a time across the clinic.
    Serial,
    /// Computes and keeps a patient's risks or tags: one at a time with the
    /// re-evaluation of changed data (never with the import that changed it).
    Derived,
}

/// What a request does besides its own reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Changes what risks and tags are computed from (results, the record,
    /// questionnaires, the plan): once committed, they are recomputed for its subjects.
    Reevaluates,
    /// Reads the patient's risks or tags: brought up to date first if a bulk change
    /// left them waiting.
    ReadsDerived,
    /// Hands over everything: every patient's waiting risks and tags settled first.
    SettlesAll,
    /// Needs the store to itself (key rotation, an early audit seal): its dispatch
    /// arm runs it with `run.exclusive`, before any other lock is taken (a debug
    /// build checks that the row and the arm agree).
    Exclusive,
}

#[derive(Clone, Copy)]
pub struct Operation {
    /// The request's name in scripts, the palette and the access test.
    pub name: &'static str,
    pub access: Access,
    /// The audit action written for every outcome of the request.
    pub action: &'static str,
    pub lock: Lock,
    pub flags: &'static [Flag],
    /// Whether a reply is one this request may give (an error always may).
    pub gives: fn(&Response) -> bool,
    /// The replies it may give, by name (for the access test and the docs).
    pub replies: &'static [&'static str],
    /// What it does, in one line: English, then Chinese.
    pub describe: (&'static str, &'static str),
}

impl Operation {
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("action", &self.action)
            .field("lock", &self.lock)
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}

pub use super::operations::OPERATIONS;

impl Request {
    /// The account or role an administrative request names: a refusal is audited with
    /// it, so the audit administrator sees whose account or which role was tried.
    /// A name that is not a valid user name is left out: it is free text someone typed,
    /// and the audit log holds none in the clear.
    pub fn admin_subject(&self) -> Option<String> {
        let valid = |name: &str| crate::auth::user::check_user_name(name).is_ok();
        match self {
            Request::UserAdd { name, role } | Request::UserSetRole { name, role } => {
                Some(if valid(name) {
                    format!("user:{name} role:{role}")
                } else {
                    format!("role:{role}")
                })
            }
            Request::UserDisable { name }
            | Request::UserEnable { name }
            | Request::UserResetPassword { name }
            | Request::UserResetTotp { name } => valid(name).then(|| format!("user:{name}")),
            Request::RolesSet { role, .. } => Some(format!("role:{role}")),
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
            | Request::ConsentProcessingSet { id, .. }
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
            | Request::ExamDraft { id, .. }
            | Request::ExamSave { id, .. }
            | Request::ExamList { id, .. }
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
            | Request::FollowUpCallPreview { key, .. }
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
            }
            | Request::FollowUpFormPrint {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::ExamFormPrint {
                patient: super::api::PatientRef::Id(id),
                ..
            }
            | Request::RetentionRestrict {
                patient: super::api::PatientRef::Id(id),
            } => Some(*id),
            _ => None,
        }
    }

    /// The card number, phone or ID number a request finds its patient by, if any.
    pub fn patient_lookup_key(&self) -> Option<&str> {
        match self {
            Request::PatientExport { key } | Request::PatientProvide { key, .. } => Some(key),
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
            }
            | Request::FollowUpFormPrint {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::ExamFormPrint {
                patient: super::api::PatientRef::Key(key),
                ..
            }
            | Request::RetentionRestrict {
                patient: super::api::PatientRef::Key(key),
            } => Some(key),
            _ => None,
        }
    }
}
