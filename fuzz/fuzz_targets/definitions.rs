//! The clinic's own definition files: questionnaires, tag rules, follow-up protocols,
//! the intake interview, advice and keymaps. A bad file is an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 6 {
        0 => drop(caredesk::domain::questionnaire::Definition::parse(&text)),
        1 => drop(caredesk::domain::tag_rules::Rules::parse(&text)),
        2 => drop(caredesk::domain::followup_protocol::Protocols::parse(&text)),
        3 => drop(caredesk::domain::intake::Intake::parse(&text)),
        4 => drop(caredesk::domain::advice::Library::parse(&text)),
        _ => drop(caredesk::tui::keymap::Keymap::parse("fuzz.toml", &text)),
    }
});
