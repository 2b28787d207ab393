//! What a key can ask for. The names are the keymap files' vocabulary; each action's
//! help text lives in the locale catalogs under `action.<name>`.

use serde::Deserialize;

use crate::auth::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Help,
    Palette,
    Home,
    Search,
    Logout,
    Quit,
    Back,
    NextField,
    PrevField,
    Submit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    /// Open the patient's consent.
    Consent,
    /// Consent: granted, on a signed form.
    Grant,
    /// Consent: granted verbally.
    GrantVerbal,
    /// Consent: refused or withdrawn.
    Refuse,
    /// Report the patient's active card lost and issue a replacement.
    ReportLost,
    /// Edit the patient's manual tags.
    EditTags,
    /// Book an exam for the patient.
    BookExam,
    /// Exam day: the selected patient has arrived.
    CheckIn,
    /// Exam day: the selected patient did not come.
    NoShow,
    /// Exam day: cancel the selected booking.
    CancelBooking,
    /// Exam day: move the selected booking to another day.
    Reschedule,
    /// Exam day: the day before / after the one shown.
    PrevDay,
    NextDay,
    /// Open the patient's health record and its amendments.
    Record,
    /// Record: amend the selected section.
    Edit,
    /// Record: the selected section's amendments.
    History,
    /// Open the patient's results and trends.
    Results,
    /// Results: the result before / after the selected one in time.
    Earlier,
    Later,
    /// Results: show the selected indicator beside the others marked.
    Compare,
    /// Results: type in a result.
    AddResult,
    /// Review list: file the selected results under a patient.
    MatchPatient,
    /// Review list: create the patient the message describes.
    CreatePatient,
    /// Review list: reject the selected results, with a reason.
    RejectResults,
    /// Alerts list: acknowledge the selected alert, with a note.
    AcknowledgeAlert,
    /// Fill a questionnaire with the patient.
    Questionnaire,
    /// Take the intake interview with the patient.
    Intake,
    /// Tick or untick the selected option of a checklist.
    Toggle,
    /// The patient's risk assessments.
    Risks,
    /// Advice for the patient.
    Advice,
    /// The patient's intervention plan.
    Plan,
    /// The patient's stage summaries.
    Summaries,
    /// The patient's 健康体检表 (annual examination forms).
    Exams,
    /// Start a new one (a plan from a template, a summary for a period).
    New,
    /// Close the plan, or reopen a closed one.
    ClosePlan,
    /// Sign the selected summary's latest version.
    Sign,
    /// The patient's follow-up history.
    FollowUps,
    /// The queue: the next group, kind or team filter.
    FilterGroup,
    FilterKind,
    FilterTeam,
    /// The queue: show only patients with a tag.
    FilterTag,
    /// Read the list again.
    Refresh,
    /// Attach a recording to the call just saved.
    AttachRecording,
    /// Play the selected call's recording.
    Listen,
    /// Export the selected call's recording to a file.
    Export,
    /// The patient's health report, previewed before printing.
    Report,
    /// Print the patient's member card.
    PrintCard,
    /// Report preview: choose a printer or a file.
    Print,
    /// Report preview: the period the report covers.
    Period,
    /// Report preview: print ID and phone numbers in full (audited), or masked again.
    Unmask,
    /// A form: save now, from whichever field has the cursor.
    Save,
    /// The screen's language: English or Chinese, for this session.
    Language,
}

impl Action {
    pub const ALL: [Action; 69] = [
        Action::Help,
        Action::Palette,
        Action::Home,
        Action::Search,
        Action::Logout,
        Action::Quit,
        Action::Back,
        Action::NextField,
        Action::PrevField,
        Action::Submit,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Consent,
        Action::Grant,
        Action::GrantVerbal,
        Action::Refuse,
        Action::ReportLost,
        Action::EditTags,
        Action::BookExam,
        Action::CheckIn,
        Action::NoShow,
        Action::CancelBooking,
        Action::Reschedule,
        Action::PrevDay,
        Action::NextDay,
        Action::Record,
        Action::Edit,
        Action::History,
        Action::Results,
        Action::Earlier,
        Action::Later,
        Action::Compare,
        Action::AddResult,
        Action::MatchPatient,
        Action::CreatePatient,
        Action::RejectResults,
        Action::AcknowledgeAlert,
        Action::Questionnaire,
        Action::Intake,
        Action::Toggle,
        Action::Risks,
        Action::Advice,
        Action::Plan,
        Action::Summaries,
        Action::Exams,
        Action::New,
        Action::ClosePlan,
        Action::Sign,
        Action::FollowUps,
        Action::FilterGroup,
        Action::FilterKind,
        Action::FilterTeam,
        Action::FilterTag,
        Action::Refresh,
        Action::AttachRecording,
        Action::Listen,
        Action::Export,
        Action::Report,
        Action::PrintCard,
        Action::Print,
        Action::Period,
        Action::Unmask,
        Action::Save,
        Action::Language,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Home => "home",
            Action::Search => "search",
            Action::Logout => "logout",
            Action::Quit => "quit",
            Action::Back => "back",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Submit => "submit",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Consent => "consent",
            Action::Grant => "grant",
            Action::GrantVerbal => "grant_verbal",
            Action::Refuse => "refuse",
            Action::ReportLost => "report_lost",
            Action::EditTags => "edit_tags",
            Action::BookExam => "book_exam",
            Action::CheckIn => "check_in",
            Action::NoShow => "no_show",
            Action::CancelBooking => "cancel_booking",
            Action::Reschedule => "reschedule",
            Action::PrevDay => "prev_day",
            Action::NextDay => "next_day",
            Action::Record => "record",
            Action::Edit => "edit",
            Action::History => "history",
            Action::Results => "results",
            Action::Earlier => "earlier",
            Action::Later => "later",
            Action::Compare => "compare",
            Action::AddResult => "add_result",
            Action::MatchPatient => "match_patient",
            Action::CreatePatient => "create_patient",
            Action::RejectResults => "reject_results",
            Action::AcknowledgeAlert => "acknowledge_alert",
            Action::Questionnaire => "questionnaire",
            Action::Intake => "intake",
            Action::Toggle => "toggle",
            Action::Risks => "risks",
            Action::Advice => "advice",
            Action::Plan => "plan",
            Action::Summaries => "summaries",
            Action::Exams => "exams",
            Action::New => "new",
            Action::ClosePlan => "close_plan",
            Action::Sign => "sign",
            Action::FollowUps => "followups",
            Action::FilterGroup => "filter_group",
            Action::FilterKind => "filter_kind",
            Action::FilterTeam => "filter_team",
            Action::FilterTag => "filter_tag",
            Action::Refresh => "refresh",
            Action::AttachRecording => "attach_recording",
            Action::Listen => "listen",
            Action::Export => "export",
            Action::Report => "report",
            Action::PrintCard => "print_card",
            Action::Print => "print",
            Action::Period => "period",
            Action::Unmask => "unmask",
            Action::Save => "save",
            Action::Language => "language",
        }
    }

    /// Moves a list selection.
    /// The permissions of which a role needs one for this action to do anything:
    /// a key the role may not use is answered at once with what the role cannot do,
    /// and help and the palette leave it out. Empty: anyone signed in (the screen
    /// itself decides, as for Edit, which amends what the role may amend).
    pub fn needs(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            Action::Results
            | Action::Earlier
            | Action::Later
            | Action::Compare
            | Action::Risks
            | Action::Advice
            | Action::Plan
            | Action::ClosePlan
            | Action::Summaries
            | Action::Exams
            | Action::Questionnaire
            | Action::Intake
            | Action::FollowUps => &[P::ClinicalRead],
            Action::AddResult | Action::Sign => &[P::ClinicalWrite],
            Action::Report | Action::Print | Action::Period | Action::Unmask => &[P::ReportPrint],
            Action::PrintCard | Action::ReportLost => &[P::CardManage],
            Action::EditTags => &[P::TagManage],
            Action::BookExam
            | Action::CheckIn
            | Action::NoShow
            | Action::CancelBooking
            | Action::Reschedule
            | Action::PrevDay
            | Action::NextDay => &[P::AppointmentManage],
            Action::Record | Action::Consent | Action::History => &[P::DemographicsRead],
            Action::Grant | Action::GrantVerbal | Action::Refuse => &[P::ConsentManage],
            Action::MatchPatient | Action::CreatePatient | Action::RejectResults => {
                &[P::ResultsImport]
            }
            Action::AcknowledgeAlert => &[P::AlertsRead, P::ClinicalRead],
            Action::AttachRecording | Action::Listen | Action::FilterGroup | Action::FilterKind => {
                &[P::FollowUpWork]
            }
            Action::Export => &[P::FollowUpWork],
            Action::Search => &[P::PatientSearch],
            _ => &[],
        }
    }

    /// Whether a holder of `permissions` may use this action.
    pub fn allowed(self, permissions: &std::collections::BTreeSet<Permission>) -> bool {
        let needs = self.needs();
        needs.is_empty() || needs.iter().any(|p| permissions.contains(p))
    }

    pub fn is_movement(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
        )
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_described_in_the_catalog() {
        let en = crate::i18n::Locale::new(crate::i18n::Lang::En);
        let keys: std::collections::BTreeSet<_> = en.keys().cloned().collect();
        for action in Action::ALL {
            let key = format!("action.{}", action.name());
            assert!(keys.contains(&key), "{key}");
        }
    }
}
