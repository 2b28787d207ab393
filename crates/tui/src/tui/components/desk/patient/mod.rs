//! The patient screen: identity, card and contact, the health summary for clinical
//! roles; its keys open the chart's screens (record, results, risks, advice, plan,
//! summaries, follow-ups, intake, questionnaire, consent, report, card printing).
//! Its own small forms (`forms.rs`): the break-glass reason for a restricted patient,
//! the tags, an exam booking; `view.rs` draws it.

mod forms;
mod view;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::clinic::{PatientView, Request, ServiceError};
use crate::domain::card::{Card, CardStatus};
use crate::domain::patient::PatientId;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::component::{Component, Desk, Handled};
use crate::tui::components::care::record::RecordScreen;
use crate::tui::components::desk::print::{PrintScreen, PrintWhat};
use crate::tui::components::{
    care::advice, care::intake, care::plan, care::questionnaire, care::report, care::risks,
    care::summaries, desk::consent, followup::history, results::trends,
};
use crate::tui::field::Field;
use crate::tui::keymap::Context;
use crate::tui::screens::{Form, Overlay};

#[derive(Debug)]
pub struct PatientScreen {
    pub id: PatientId,
    pub view: Option<PatientView>,
    /// The patient's cards, newest last.
    pub cards: Option<Vec<Card>>,
    /// Restricted: the reason form for break-glass.
    pub reason: Option<Form>,
    /// Editing the tags: one field, comma-separated.
    pub tag_form: Option<Form>,
    /// Booking an exam: package, date.
    pub book_form: Option<Form>,
    /// The tags the clinic's rules set (for the roles that read the chart), shown
    /// beside the staff's own as the search rows show them.
    pub auto_tags: Option<Vec<String>>,
    /// What the last action on this patient did (e.g. an exam booked).
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PatientScreen {
    /// The patient `id`, as it opens (asking for the patient and the cards).
    pub fn new(id: PatientId) -> Self {
        Self {
            id,
            view: None,
            cards: None,
            reason: None,
            tag_form: None,
            book_form: None,
            auto_tags: None,
            notice: None,
            error: None,
        }
    }

    /// Asks for the patient again (a screen over this one changed them).
    pub fn request_patient(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, PatientView>(
            Request::PatientGet { id: self.id },
            |this: &mut Self, desk, reply| this.on_patient(desk, reply),
        );
    }

    /// Asks for the patient's cards again (one may have been issued meanwhile).
    pub fn request_cards(&mut self, desk: &mut Desk<'_>) {
        desk.ask::<_, Vec<Card>>(
            Request::PatientCards { id: self.id },
            |this: &mut Self, desk, reply| match reply {
                Ok(cards) => this.cards = Some(cards),
                Err(error) => this.error = Some(desk.error_text(&error)),
            },
        );
    }

    /// The active card is lost (confirmed in the overlay): blocked, a replacement
    /// issued and offered to the printer.
    pub(crate) fn report_lost(&mut self, desk: &mut Desk<'_>, number: String) {
        desk.ask::<_, Card>(
            Request::CardReportLost { number },
            |this: &mut Self, desk, reply| this.on_replaced(desk, reply),
        );
    }

    fn on_patient(&mut self, desk: &mut Desk<'_>, reply: Result<PatientView, ServiceError>) {
        match reply {
            Ok(view) => {
                self.view = Some(view);
                self.reason = None;
            }
            Err(ServiceError::BreakGlassRequired) => {
                self.reason = Some(Form::new(vec![Field::default()]));
            }
            Err(e) => self.error = Some(desk.error_text(&e)),
        }
    }

    fn on_replaced(&mut self, desk: &mut Desk<'_>, reply: Result<Card, ServiceError>) {
        match reply {
            Ok(replacement) => {
                // A replacement was issued: show the patient's cards as they are now,
                // and offer the new card to the printer.
                self.request_cards(desk);
                if let Some(view) = &self.view {
                    let name = view.patient.name.clone();
                    let mut print = PrintScreen::new(PrintWhat::Card { id: self.id }, name)
                        .with_card(&replacement.number);
                    // Said where the clerk looks next: the old card is blocked, this
                    // is its replacement.
                    print.notice = Some(desk.locale.tf(
                        "card.lost_replaced",
                        &[
                            ("old", replacement.replaces.as_deref().unwrap_or("")),
                            ("new", &replacement.number),
                        ],
                    ));
                    desk.push(print);
                }
            }
            Err(error) => self.error = Some(desk.error_text(&error)),
        }
    }

    /// The chart's screens, opened about this patient; true if `action` was one.
    fn open_chart(&self, desk: &mut Desk<'_>, action: Action) -> bool {
        let Some(view) = &self.view else {
            // Nothing to open about a patient not shown (yet, or restricted).
            return matches!(
                action,
                Action::Report
                    | Action::PrintCard
                    | Action::Record
                    | Action::Results
                    | Action::Advice
                    | Action::Risks
                    | Action::Plan
                    | Action::Summaries
                    | Action::Exams
                    | Action::FollowUps
                    | Action::Intake
                    | Action::Questionnaire
            );
        };
        let (id, name) = (view.id, view.patient.name.clone());
        match action {
            Action::Report => desk.push(report::ReportScreen::new(id, name)),
            Action::PrintCard => {
                let print = PrintScreen::new(PrintWhat::Card { id }, name);
                desk.push(match self.active_card() {
                    Some(card) => print.with_card(&card.number),
                    None => print,
                });
            }
            Action::Record => desk.push(RecordScreen::of(view)),
            // The chart reads the reference band by the patient's sex.
            Action::Results => {
                desk.push(trends::ResultsScreen::new(id, name, view.patient.sex));
            }
            Action::Advice => desk.push(advice::AdviceScreen::new(id, name)),
            Action::Risks => desk.push(risks::RiskScreen::new(id, name)),
            Action::Plan => desk.push(plan::PlanScreen::new(id, name)),
            Action::Summaries => desk.push(summaries::SummariesScreen::new(id, name)),
            Action::Exams => {
                desk.push(crate::tui::components::results::exam_form::ExamsScreen::new(id, name))
            }
            Action::FollowUps => {
                desk.push(history::FollowUpHistoryScreen::new(id, name));
            }
            Action::Intake => desk.push(intake::IntakeScreen::new(id, name)),
            Action::Questionnaire => {
                desk.push(questionnaire::QuestionnaireScreen::new(id, name));
            }
            _ => return false,
        }
        true
    }

    /// The active card, newest first.
    fn active_card(&self) -> Option<&Card> {
        self.cards
            .as_ref()?
            .iter()
            .rev()
            .find(|c| c.status == CardStatus::Active)
    }
}

impl Component for PatientScreen {
    fn context(&self) -> Context {
        if self.reason.is_some() || self.tag_form.is_some() || self.book_form.is_some() {
            Context::Form
        } else {
            Context::Patient
        }
    }

    fn text_field(&mut self) -> Option<&mut Field> {
        if let Some(form) = &mut self.reason {
            return Some(form.focused());
        }
        if let Some(form) = &mut self.tag_form {
            return Some(form.focused());
        }
        self.book_form.as_mut().map(|form| form.focused())
    }

    fn help(&self) -> Option<String> {
        if self.reason.is_some() {
            Some("help.reason.0".to_string())
        } else if self.tag_form.is_some() {
            Some("patient.tags_intro".to_string())
        } else {
            None
        }
    }

    fn start(&mut self, desk: &mut Desk<'_>) {
        self.request_patient(desk);
        self.request_cards(desk);
        if desk.allows(crate::auth::Permission::ClinicalRead) {
            desk.ask::<_, crate::clinic::api::AutoTagsView>(
                Request::TagsGet { id: self.id },
                |this: &mut Self, _, reply| {
                    // Without them the row shows the staff's tags alone.
                    this.auto_tags = reply
                        .ok()
                        .map(|view| view.tags.into_iter().map(|t| t.tag).collect());
                },
            );
        }
    }

    fn on_action(&mut self, desk: &mut Desk<'_>, action: Action) -> Handled {
        if self.open_chart(desk, action)
            || self.on_booking_action(desk, action)
            || self.on_tags_action(desk, action)
        {
            return Handled::Consumed;
        }
        match action {
            Action::ReportLost => {
                if let Some(card) = self.active_card() {
                    desk.overlay(Overlay::ConfirmLost {
                        patient: self.id,
                        number: card.number.clone(),
                    });
                }
            }
            Action::Consent => {
                if let Some(view) = &self.view {
                    let name = view.patient.name.clone();
                    desk.push(consent::ConsentScreen::new(
                        view.id,
                        name,
                        view.patient.birth_date,
                    ));
                }
            }
            // Recorded on the consent screen, not here.
            Action::Grant | Action::GrantVerbal | Action::Refuse => {}
            Action::Submit if self.reason.is_some() => self.submit_reason(desk),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, app: &App) {
        view::patient(frame, area, app, self);
    }
}
