//! The desk all day, driven by keys without a terminal: search as it is typed (one
//! question out at a time, older answers dropped, Enter opens on arrival, Esc and
//! Ctrl-U empty the box), registration from an 18-digit ID number (sex and birth date
//! filled and checked, select-on-focus, Ctrl-S saves from any field), keys a role may
//! not use answered at once, help and the palette by role.

use caredesk::auth::Role;
use caredesk::clinic::api::SearchResults;
use caredesk::clinic::desk::name_index::PatientRow;
use caredesk::clinic::{Request, Response};
use caredesk::domain::patient::{PatientId, Sex};
use caredesk::tui::app::{App, Msg};
use caredesk::tui::components::account::home::MenuItem;
use caredesk::tui::components::desk::patient::PatientScreen;
use caredesk::tui::components::desk::register::Register;
use caredesk::tui::components::desk::search::Search;
use caredesk::tui::palette::Command;
use caredesk::tui::screens::Overlay;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::common::update::*;

fn signed_in(role: Role) -> App {
    let mut app = app();
    sign_in_as(&mut app, role);
    app.take_effects();
    app
}

fn ctrl(app: &mut App, c: char) {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

fn row(id: u8, name: &str) -> PatientRow {
    PatientRow {
        id: PatientId([id; 16]),
        name: name.into(),
        sex: Sex::Male,
        birth_date: None,
        phone: None,
        card: Some(format!("886000000{id:03}1")),
        restricted: false,
        tags: Vec::new(),
        auto_tags: Vec::new(),
    }
}

fn found(rows: Vec<PatientRow>) -> Response {
    let total = rows.len() as u64;
    Response::SearchResults(SearchResults {
        rows,
        total,
        indexing: None,
    })
}

fn query_of(request: &Request) -> String {
    match request {
        Request::PatientSearch { query, .. } => query.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn search_asks_as_it_is_typed_drops_older_answers_and_opens_on_enter() {
    let mut app = signed_in(Role::FrontDesk);
    key(&mut app, KeyCode::F(3));
    keys(&mut app, "z");
    let (first, request) = call(&mut app);
    assert_eq!(query_of(&request), "z");
    // Typed on while "z" is out: nothing more goes until its answer.
    keys(&mut app, "hang");
    assert!(app.take_effects().is_empty());
    // The answer to "z" is older than the box: dropped, and "zhang" asked.
    app.update(reply(first, found(vec![row(1, "赵一"), row(2, "张三")])));
    assert!(
        app.shown::<Search>().unwrap().rows.is_empty(),
        "older answer shown"
    );
    let (second, request) = call(&mut app);
    assert_eq!(query_of(&request), "zhang");
    // Enter before the answer: the patient opens as soon as it comes.
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    app.update(reply(second, found(vec![row(2, "张三")])));
    assert!(app.shown::<PatientScreen>().is_some(), "opened on arrival");
    app.take_effects();
    // Back on the search: Esc empties the box, a second Esc leaves.
    key(&mut app, KeyCode::Esc);
    let search = app.shown::<Search>().expect("the search again");
    assert_eq!(search.query.value, "zhang");
    key(&mut app, KeyCode::Esc);
    let search = app.shown::<Search>().expect("still the search");
    assert!(search.query.value.is_empty() && search.rows.is_empty());
    // Ctrl-U empties it too, and F3 on the search starts a new one.
    keys(&mut app, "138");
    app.take_effects();
    ctrl(&mut app, 'u');
    assert!(app.shown::<Search>().unwrap().query.value.is_empty());
    keys(&mut app, "5");
    app.take_effects();
    key(&mut app, KeyCode::F(3));
    assert!(app.shown::<Search>().unwrap().query.value.is_empty());
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<Search>().is_none(), "an empty box leaves");
}

#[test]
fn a_resident_id_fills_sex_and_birth_date_and_a_typed_sex_is_checked() {
    let mut app = signed_in(Role::FrontDesk);
    app.show(Register::new());
    keys(&mut app, "王芳");
    // The ID number comes straight after the name; the type's default R is selected.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "110105196804120025");
    let form = &app.shown::<Register>().unwrap().form;
    assert_eq!(form.value(1), "F", "sex from the 17th digit (2, even)");
    assert_eq!(
        form.value(2),
        "1968-04-12",
        "birth date from digits 7 to 14"
    );
    // A typed sex that disagrees is said at once under the sex field.
    let mut app = signed_in(Role::FrontDesk);
    app.show(Register::new());
    keys(&mut app, "王芳");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "M");
    key(&mut app, KeyCode::Up);
    keys(&mut app, "110105196804120025");
    let register = app.shown::<Register>().unwrap();
    assert!(
        register.field_errors[1]
            .as_deref()
            .is_some_and(|e| e.contains("woman")),
        "{:?}",
        register.field_errors
    );
}

#[test]
fn the_form_keeps_sex_and_birth_date_in_step_with_the_id_number() {
    let mut app = signed_in(Role::FrontDesk);
    app.show(Register::new());
    keys(&mut app, "曾小红");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "110105199007011241");
    // A sex typed over the filled one is checked as it is typed, and cleared when put right.
    key(&mut app, KeyCode::Down);
    keys(&mut app, "M");
    let flagged = app.shown::<Register>().unwrap().field_errors[1].clone();
    assert!(flagged.is_some_and(|e| e.contains("woman")));
    ctrl(&mut app, 'u');
    keys(&mut app, "F");
    assert_eq!(app.shown::<Register>().unwrap().field_errors[1], None);
    // Another number fills again what the first one filled (the sex was typed: kept,
    // and flagged against the new man's number).
    key(&mut app, KeyCode::Up);
    ctrl(&mut app, 'u');
    keys(&mut app, "110105198503121234");
    let register = app.shown::<Register>().unwrap();
    assert_eq!(register.form.value(2), "1985-03-12");
    assert_eq!(
        register.field_errors[5], None,
        "{:?}",
        register.field_errors
    );
    assert!(
        register.field_errors[1]
            .as_deref()
            .is_some_and(|e| e.contains("man's")),
        "{:?} {:?}",
        register.field_errors,
        register.form.value(1)
    );
    // A birth date in the future is said at once.
    ctrl(&mut app, 'u');
    keys(&mut app, "110105203001010028");
    let register = app.shown::<Register>().unwrap();
    assert!(
        register.field_errors[5]
            .as_deref()
            .is_some_and(|e| e.contains("future")),
        "{:?}",
        register.field_errors
    );
}

#[test]
fn a_field_reached_with_a_value_is_replaced_by_typing_and_ctrl_s_saves_from_any_field() {
    let mut app = signed_in(Role::FrontDesk);
    app.show(Register::new());
    keys(&mut app, "Lin Hua");
    // Tab to the ID type (R by default, selected): typing P replaces it.
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "P");
    assert_eq!(app.shown::<Register>().unwrap().form.value(4), "P");
    // Back to the name: selected, Ctrl-U empties it, typing starts afresh.
    key(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    keys(&mut app, "林华");
    assert_eq!(app.shown::<Register>().unwrap().form.value(0), "林华");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "E1234567");
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "F");
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "1990-05-06");
    app.take_effects();
    // Saved from the birth date field, four fields before the last.
    ctrl(&mut app, 's');
    let (_, request) = call(&mut app);
    let Request::PatientRegister { patient, card_type } = request else {
        panic!("{request:?}")
    };
    assert_eq!(patient.name, "林华");
    assert_eq!(patient.id_number.as_deref(), Some("E1234567"));
    assert_eq!(card_type, "basic");
}

#[test]
fn a_key_the_role_may_not_use_says_so_at_once_and_help_lists_only_what_it_may() {
    let mut app = on_patient_as(Role::FrontDesk, PatientId([7; 16]));
    for k in ['r', 'P', 'k'] {
        keys(&mut app, &k.to_string());
        assert!(app.take_effects().is_empty(), "{k}: nothing asked");
        assert!(
            app.shown::<PatientScreen>().is_some(),
            "{k}: no screen opened"
        );
        let said = app.flash.clone().unwrap_or_default();
        assert!(
            said.starts_with("Your role (Front desk) cannot use"),
            "{k}: {said}"
        );
    }
    // The next key takes the message away.
    key(&mut app, KeyCode::F(1));
    assert!(app.flash.is_none());
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(screen.contains("Print the member card"), "{screen}");
    for clinical in ["Results and trends", "Risk assessments", "Health report"] {
        assert!(!screen.contains(clinical), "{clinical} listed:\n{screen}");
    }
}

#[test]
fn the_palette_finds_the_roles_screens_and_actions_in_both_languages() {
    let mut app = signed_in(Role::FrontDesk);
    let find = |app: &mut App, query: &str| -> Vec<Command> {
        ctrl(app, 'p');
        keys(app, query);
        let found = app
            .palette_entries()
            .into_iter()
            .map(|e| e.command)
            .collect();
        key(app, KeyCode::Esc);
        found
    };
    assert_eq!(
        find(&mut app, "reg").first(),
        Some(&Command::Menu(MenuItem::Register))
    );
    assert_eq!(
        find(&mut app, "登记").first(),
        Some(&Command::Menu(MenuItem::Register))
    );
    // The front desk has no follow-up queue.
    assert!(!find(&mut app, "follow").contains(&Command::Menu(MenuItem::FollowUps)));
    let mut nurse = signed_in(Role::Nurse);
    assert_eq!(
        find(&mut nurse, "follow").first(),
        Some(&Command::Menu(MenuItem::FollowUps))
    );
    assert_eq!(
        find(&mut nurse, "随访").first(),
        Some(&Command::Menu(MenuItem::FollowUps))
    );
    // Chosen, it opens the screen from home.
    ctrl(&mut app, 'p');
    keys(&mut app, "reg");
    key(&mut app, KeyCode::Enter);
    assert!(app.shown::<Register>().is_some());
}

#[test]
fn the_palette_switches_the_session_to_the_other_language() {
    use caredesk::i18n::Lang;
    let mut app = signed_in(Role::Nurse);
    assert_eq!(app.locale.lang, Lang::En);
    ctrl(&mut app, 'p');
    keys(&mut app, "中文");
    assert_eq!(
        app.palette_entries().first().map(|e| e.command),
        Some(Command::Action(caredesk::tui::action::Action::Language))
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.locale.lang, Lang::ZhCn);
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(screen.contains("已为您保存语言"), "{screen}");
    // After the next key, the status bar too: its "this computer" follows the
    // switch, and so does the home screen's sign-on line.
    key(&mut app, KeyCode::Down);
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(
        screen.contains("护士") && screen.contains("本机") && screen.contains("上次登录"),
        "{screen}"
    );
}

#[test]
fn after_a_lost_card_the_print_screen_names_the_replacement() {
    use caredesk::domain::card::{Card, CardStatus};
    use caredesk::tui::components::desk::print::PrintScreen;
    let card = |number: &str, status| Card {
        number: number.into(),
        card_type: "basic".into(),
        status,
        issued: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        valid_until: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        replaces: None,
        replaced_by: None,
    };
    let mut app = on_patient_as(Role::FrontDesk, PatientId([7; 16]));
    if let Some(patient) = app.shown_mut::<PatientScreen>() {
        patient.cards = Some(vec![card("8860000000017", CardStatus::Active)]);
    }
    key(&mut app, KeyCode::F(6));
    key(&mut app, KeyCode::Enter);
    let (tag, request) = call(&mut app);
    assert!(
        matches!(request, Request::CardReportLost { .. }),
        "{request:?}"
    );
    let replacement = Card {
        replaces: Some("8860000000017".into()),
        ..card("8860000000025", CardStatus::Active)
    };
    app.update(reply(tag, Response::CardIssued(replacement)));
    let print = app.shown::<PrintScreen>().expect("the print screen");
    assert_eq!(print.card_number.as_deref(), Some("8860000000025"));
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(screen.contains("Card 8860000000025"), "{screen}");
    // It says what happened: the old card is blocked, this is its replacement.
    assert!(
        screen.contains("8860000000017 is reported lost") && screen.contains("replacement"),
        "{screen}"
    );
}

#[test]
fn in_the_vim_keymap_tab_leaves_the_box_and_j_and_k_move_in_the_answers() {
    let mut app = signed_in(Role::FrontDesk);
    app.keymap = caredesk::tui::keymap::Keymap::builtin("vim").unwrap();
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/");
    assert!(app.shown::<Search>().is_some(), "/ opens the search");
    keys(&mut app, "zw");
    // "z" went out first; its answer is dropped and "zw" asked.
    let (tag, _) = call(&mut app);
    app.update(reply(tag, found(vec![])));
    let (tag, _) = call(&mut app);
    app.update(reply(
        tag,
        found(vec![row(1, "张伟"), row(2, "周文"), row(3, "赵伟")]),
    ));
    // Tab: from the box to the answers.
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "jj");
    keys(&mut app, "k");
    let search = app.shown::<Search>().unwrap();
    assert_eq!(search.query.value, "zw", "j and k moved, they did not type");
    assert_eq!(search.cursor.selected, 1);
    // / goes back to the box as it was; typing goes on there.
    keys(&mut app, "/");
    keys(&mut app, "j");
    assert_eq!(app.shown::<Search>().unwrap().query.value, "zwj");
}

#[test]
fn the_desk_opens_in_the_user_s_own_language_keeps_a_switch_and_signs_out_to_the_session_s() {
    use caredesk::clinic::SignedIn;
    use caredesk::i18n::Lang;
    let sign_in_with = |app: &mut App, language: Option<Lang>| {
        let Response::SignedIn(signed) = crate::common::update::signed_in(Role::Nurse) else {
            panic!()
        };
        sign_in_answered(app, Response::SignedIn(SignedIn { language, ..signed }));
        app.take_effects();
    };
    // The session is English; the nurse chose Chinese: her desk and its notice are.
    let mut app = app();
    sign_in_with(&mut app, Some(Lang::ZhCn));
    assert_eq!(app.locale.lang, Lang::ZhCn);
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(
        screen.contains("护士") && screen.contains("上次登录"),
        "{screen}"
    );
    // Signed out, the sign-in screen is the session's again.
    app.sign_out(false);
    app.take_effects();
    assert_eq!(app.locale.lang, Lang::En);
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(!screen.contains("护士"), "{screen}");
    // Switching from the palette is kept for the user.
    sign_in_with(&mut app, None);
    assert_eq!(app.locale.lang, Lang::En);
    ctrl(&mut app, 'p');
    keys(&mut app, "中文");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.locale.lang, Lang::ZhCn);
    assert!(crate::common::tui::calls(&mut app).iter().any(|(_, r)| {
        *r == Request::SetLanguage {
            language: Some(Lang::ZhCn),
        }
    }));
    // Started with --lang: the flag wins over the user's choice.
    let mut fixed = self::app();
    fixed.fix_language();
    sign_in_with(&mut fixed, Some(Lang::ZhCn));
    assert_eq!(fixed.locale.lang, Lang::En);
}

#[test]
fn esc_on_a_form_with_something_typed_asks_before_throwing_it_away() {
    // Nothing typed: Esc leaves at once.
    let mut app = signed_in(Role::FrontDesk);
    let open_register = |app: &mut App| {
        ctrl(app, 'p');
        keys(app, "reg");
        key(app, KeyCode::Enter);
        assert!(app.shown::<Register>().is_some());
    };
    open_register(&mut app);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<Register>().is_none());
    // Typed: the first Esc says what it would lose, the second leaves.
    open_register(&mut app);
    keys(&mut app, "王芳");
    key(&mut app, KeyCode::Esc);
    let register = app.shown::<Register>().expect("still registering");
    assert_eq!(register.form.value(0), "王芳");
    let screen = crate::common::tui::render(&mut app, 80, 24);
    assert!(screen.contains("Esc again leaves"), "{screen}");
    // Another key in between: the next Esc asks again.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<Register>().is_some());
    key(&mut app, KeyCode::Esc);
    assert!(app.shown::<Register>().is_none());
}
