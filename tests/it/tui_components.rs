//! Screens as components: the reply to a call comes back to the screen that asked,
//! wherever it is in the stack, and to no other; a reply whose screen has gone is
//! dropped; each component looks its keys up in its own context.

use crate::common;
use caredesk::clinic::api::AutoTagsView;

use caredesk::auth::Role;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::advice::{Item, Topic};
use caredesk::domain::patient::PatientId;
use caredesk::tui::app::App;
use caredesk::tui::components::care::advice::AdviceScreen;
use caredesk::tui::components::care::risks::RiskScreen;
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::keymap::Context;
use crossterm::event::KeyCode;

use crate::common::update::*;
use caredesk::tui::components::account::home::Home;
use caredesk::tui::components::account::login::Login;
use caredesk::tui::components::desk::search::Search;

const ID: PatientId = PatientId([7; 16]);

/// A doctor on a patient's screen, nothing waiting.
fn on_patient() -> App {
    on_patient_as(Role::Doctor, ID)
}

/// The shown screen as component `C`.
fn shown<C: caredesk::tui::component::Component>(app: &App) -> Option<&C> {
    app.shown::<C>()
}

#[test]
fn a_reply_comes_back_to_the_screen_that_asked_and_not_to_a_reopened_one() {
    let mut app = on_patient();
    keys(&mut app, "k");
    let (first, request) = call(&mut app);
    assert_eq!(request, Request::RiskAssess { id: ID });
    assert_eq!(app.context(), Context::Risks);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
    keys(&mut app, "k");
    let (second, _) = call(&mut app);

    // The first screen has gone: its reply is dropped unread.
    app.update(reply(first, Response::Risks(Vec::new())));
    assert!(app.take_effects().is_empty());
    let risks = shown::<RiskScreen>(&app).expect("the risk screen");
    assert!(risks.risks.is_none());

    // The second's reply fills it and asks for the automatic tags, whose reply comes
    // back to it too.
    app.update(reply(second, Response::Risks(Vec::new())));
    let (tags, request) = call(&mut app);
    assert_eq!(request, Request::TagsEvaluate { id: ID });
    app.update(reply(
        tags,
        Response::AutoTags(AutoTagsView {
            tags: Vec::new(),
            problem: Some("rule 3 is wrong".into()),
        }),
    ));
    let risks = shown::<RiskScreen>(&app).expect("the risk screen");
    assert_eq!(risks.risks.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(risks.tag_problem.as_deref(), Some("rule 3 is wrong"));
}

#[test]
fn a_reply_reaches_its_screen_under_another_one() {
    let mut app = on_patient();
    keys(&mut app, "a");
    let calls = common::tui::calls(&mut app);
    assert_eq!(calls.len(), 2, "the draft and the advice given before");
    assert_eq!(app.context(), Context::Advice);
    // The search opens over the advice before the draft comes.
    key(&mut app, KeyCode::F(3));
    assert!(app.shown::<Search>().is_some());
    let item = Item {
        template: "salt".into(),
        topic: Topic::Diet,
        text: "Less salt.".into(),
    };
    app.update(reply(calls[0].0, Response::AdviceDraft(vec![item])));
    assert!(app.shown::<Search>().is_some(), "it stays on top");
    key(&mut app, KeyCode::Esc);
    let advice = shown::<AdviceScreen>(&app).expect("the advice screen");
    assert_eq!(advice.draft.as_ref().map(Vec::len), Some(1));
    // Its own keys: Space ticks out, e edits (a form while typing), Esc leaves.
    keys(&mut app, " e");
    assert_eq!(app.context(), Context::Form);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Advice);
    let advice = shown::<AdviceScreen>(&app).expect("the advice screen");
    assert_eq!(advice.draft.as_ref().map(|d| d[0].1), Some(false));
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
}

#[test]
fn a_reply_after_home_is_dropped_and_an_expired_session_signs_out() {
    let mut app = on_patient();
    keys(&mut app, "k");
    let (tag, _) = call(&mut app);
    key(&mut app, KeyCode::F(2));
    app.take_effects();
    app.update(reply(tag, Response::Risks(Vec::new())));
    assert!(app.shown::<Home>().is_some());
    assert!(app.take_effects().is_empty());

    let mut app = on_patient();
    keys(&mut app, "k");
    let (tag, _) = call(&mut app);
    app.update(reply(tag, Response::Error(ServiceError::SessionExpired)));
    let Some(Login { form }) = app.shown::<Login>() else {
        panic!("{:?}", app.top())
    };
    assert!(form.info.is_some());
    assert!(app.user.is_none());
}

#[test]
fn the_intake_has_its_own_context_and_a_form_while_an_answer_is_typed() {
    use caredesk::domain::intake::{Intake, Kind};
    use caredesk::tui::components::care::intake::IntakeScreen;
    let mut app = on_patient();
    keys(&mut app, "i");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::IntakeGet);
    app.update(reply(tag, Response::Intake(Box::new(Intake::built_in()))));
    // Walk every question: a text one is a form, the others the intake's own keys.
    let count = Intake::built_in().questions.len();
    for at in 0..count {
        let intake = shown::<IntakeScreen>(&app).expect("the intake screen");
        assert_eq!(intake.question, at);
        let kind = intake.current().map(|q| q.kind);
        let expected = if kind == Some(Kind::Text) {
            Context::Form
        } else {
            Context::Intake
        };
        assert_eq!(app.context(), expected, "question {at}");
        key(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.context(), Context::Intake, "the summary");
}

/// A screen whose content scrolls with the movement keys, over a list whose cursor the
/// app would otherwise move: Down and PageDown scroll it, the others move the cursor.
#[derive(Debug, Default)]
struct Scroller {
    scroll: usize,
    cursor: caredesk::tui::screens::Cursor,
}

impl caredesk::tui::component::Component for Scroller {
    fn context(&self) -> Context {
        Context::Summaries
    }

    fn list_cursor(&mut self) -> Option<(&mut caredesk::tui::screens::Cursor, usize)> {
        Some((&mut self.cursor, 10))
    }

    fn on_movement(
        &mut self,
        desk: &mut caredesk::tui::component::Desk<'_>,
        action: caredesk::tui::action::Action,
    ) -> caredesk::tui::component::Handled {
        use caredesk::tui::action::Action;
        use caredesk::tui::component::Handled;
        match action {
            Action::Down => self.scroll += 1,
            Action::PageDown => self.scroll += desk.page,
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    fn on_action(
        &mut self,
        _: &mut caredesk::tui::component::Desk<'_>,
        _: caredesk::tui::action::Action,
    ) -> caredesk::tui::component::Handled {
        caredesk::tui::component::Handled::Ignored
    }

    fn render(&self, _: &mut ratatui::Frame<'_>, _: ratatui::layout::Rect, _: &App) {}
}

#[test]
fn a_screen_that_scrolls_sees_the_movement_keys_before_its_list_cursor_moves() {
    let mut app = on_patient();
    app.list_height = 7;
    app.show(Scroller::default());
    key(&mut app, KeyCode::Down);
    let scroller = shown::<Scroller>(&app).expect("the scroller");
    assert_eq!((scroller.scroll, scroller.cursor.selected), (1, 0));
    key(&mut app, KeyCode::PageDown);
    let scroller = shown::<Scroller>(&app).expect("the scroller");
    assert_eq!(
        (scroller.scroll, scroller.cursor.selected),
        (8, 0),
        "a page"
    );
    // A movement it leaves moves the list cursor as before.
    key(&mut app, KeyCode::End);
    let scroller = shown::<Scroller>(&app).expect("the scroller");
    assert_eq!((scroller.scroll, scroller.cursor.selected), (8, 9));
}

#[test]
fn the_summaries_have_their_own_context_and_a_form_while_writing() {
    use caredesk::tui::components::care::summaries::SummariesScreen;
    let mut app = on_patient();
    keys(&mut app, "s");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::SummaryList { id: ID });
    assert_eq!(app.context(), Context::Summaries);
    app.update(reply(tag, Response::Summaries(Vec::new())));
    let summaries = shown::<SummariesScreen>(&app).expect("the summaries screen");
    assert_eq!(summaries.versions.as_ref().map(Vec::len), Some(0));
    keys(&mut app, "n");
    assert_eq!(app.context(), Context::Form, "choosing the period");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Summaries);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
}

#[test]
fn the_plan_has_its_own_context_a_list_of_templates_and_a_form_while_editing() {
    use caredesk::domain::plan_template::Templates;
    use caredesk::tui::components::care::plan::PlanScreen;
    let mut app = on_patient();
    keys(&mut app, "p");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::PlanGet { id: ID });
    assert_eq!(app.context(), Context::Plan);
    app.update(reply(tag, Response::Plan(Box::new(None))));
    let plan = shown::<PlanScreen>(&app).expect("the plan screen");
    assert!(matches!(plan.view, Some(None)), "no plan yet");
    keys(&mut app, "n");
    let (tag, request) = call(&mut app);
    assert!(matches!(request, Request::PlanTemplates { id: ID, .. }));
    let offers = Templates::built_in().offers(&[], caredesk::i18n::Lang::En);
    app.update(reply(tag, Response::PlanTemplates(offers)));
    assert_eq!(app.context(), Context::List, "choosing a template");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "e");
    assert_eq!(app.context(), Context::Form, "editing");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Plan);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
}

#[test]
fn the_follow_up_history_has_its_own_context_and_a_form_in_its_prompts() {
    use caredesk::clinic::followup::api::FollowUpChart;
    use caredesk::tui::components::followup::history::FollowUpHistoryScreen;
    let mut app = on_patient();
    keys(&mut app, "f");
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::FollowUpChart { id: ID });
    assert_eq!(app.context(), Context::FollowUps);
    app.update(reply(
        tag,
        Response::FollowUpChart(Box::new(FollowUpChart {
            plans: Vec::new(),
            items: Vec::new(),
            calls: Vec::new(),
            recordings: Vec::new(),
        })),
    ));
    let history = shown::<FollowUpHistoryScreen>(&app).expect("the history");
    assert!(history.chart.is_some());
    // l with no call selected plays nothing.
    keys(&mut app, "l");
    assert!(app.take_effects().is_empty());
    keys(&mut app, "n");
    assert_eq!(app.context(), Context::Form, "the new plan's prompt");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::FollowUps);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
}

#[test]
fn the_consent_grid_records_the_selected_row_s_decision_and_shows_the_reply() {
    use caredesk::domain::consent::{
        Channel, ConsentRecord, Decision, Method, Processing, Purpose,
    };
    use caredesk::tui::components::desk::consent::ConsentScreen;
    // The doctor reads consent but may not record it: told at once, nothing sent.
    let mut app = on_patient();
    key(&mut app, KeyCode::F(5));
    let (tag, _) = call(&mut app);
    app.update(reply(tag, Response::Consent(ConsentRecord::default())));
    keys(&mut app, "v");
    assert!(app.take_effects().is_empty());
    let said = app.flash.clone().unwrap_or_default();
    assert!(
        said.contains("cannot use") && said.contains("verbal"),
        "{said}"
    );
    // The front desk records it.
    let mut app = on_patient_as(Role::FrontDesk, ID);
    key(&mut app, KeyCode::F(5));
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::ConsentGet { id: ID });
    assert_eq!(app.context(), Context::Consent);
    app.update(reply(tag, Response::Consent(ConsentRecord::default())));
    // First the two separate PIPL consents: the one to process health data, signed.
    keys(&mut app, "g");
    let (tag, request) = call(&mut app);
    assert_eq!(
        request,
        Request::ConsentProcessingSet {
            id: ID,
            scope: Processing::HealthData,
            decision: Decision::Granted,
            method: Method::SignedForm,
            guardian: None,
        }
    );
    app.update(reply(tag, Response::Consent(ConsentRecord::default())));
    // Then permission to contact: phone for education.
    for _ in 0..3 {
        key(&mut app, KeyCode::Down);
    }
    keys(&mut app, "v");
    let (tag, request) = call(&mut app);
    let caredesk::tui::components::desk::consent::ConsentRow::Contact(channel, purpose) =
        caredesk::tui::components::desk::consent::consent_rows()[3]
    else {
        panic!("the fourth row is permission to contact")
    };
    assert_eq!(
        request,
        Request::ConsentSet {
            id: ID,
            channel,
            purpose,
            decision: Decision::Granted,
            method: Method::Verbal,
        }
    );
    assert_eq!(channel, Channel::ALL[0]);
    assert_eq!(purpose, Purpose::ALL[1]);
    app.update(reply(
        tag,
        Response::Error(ServiceError::Invalid(caredesk::i18n::Text::verbatim("no"))),
    ));
    let consent = shown::<ConsentScreen>(&app).expect("the consent screen");
    assert!(consent.error.is_some(), "a refusal is shown");
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<PatientScreen>().is_some());
}

#[test]
fn a_reply_of_the_wrong_kind_shows_update_caredesk_on_the_screen_instead_of_nothing() {
    use caredesk::tui::components::desk::consent::ConsentScreen;
    let mut app = on_patient();
    key(&mut app, KeyCode::F(5));
    let (tag, request) = call(&mut app);
    assert_eq!(request, Request::ConsentGet { id: ID });
    // A server of another version answers with something else: before typed replies
    // the consent screen showed no error at all (the reply was not an error).
    app.update(reply(tag, Response::Done));
    let consent = shown::<ConsentScreen>(&app).expect("the consent screen");
    let error = consent.error.clone().expect("the wrong kind is said");
    assert!(
        error.contains("update caredesk so the terminal and the server are the same version")
            && error.contains("(got Done)"),
        "{error}"
    );
    let screen = crate::common::tui::render(&mut app, 240, 30);
    assert!(
        screen.contains("update caredesk so the terminal and the server are the same version"),
        "{screen}"
    );
}
