//! Importing results from the terminal sends a large file in pieces, as `caredesk
//! import` does: a request is one frame of at most 8 MiB through the daemon, so each
//! batch goes on its own once the one before is answered, and the screen adds up the
//! counts. The file is made from a real lab message (`../shared/data/hl7/
//! msfhirconv__LAB-ORU-1.hl7`, from microsoft/FHIR-Converter, MIT; see SOURCES.md there).

mod common;

use caredesk::auth::Role;
use caredesk::clinic::api::ResultsSummary;
use caredesk::clinic::{Request, Response};
use caredesk::server::frame::MAX_FRAME;
use caredesk::tui::locale::Lang;
use caredesk::tui::screens::{ImportScreen, Screen};
use common::tui::{app, calls, form, press, reply, sign_in};
use crossterm::event::KeyCode;

#[test]
fn a_file_larger_than_a_batch_goes_in_pieces_and_the_counts_add_up() {
    let sample = std::fs::read_to_string(
        common::sample_data()
            .join("hl7")
            .join("msfhirconv__LAB-ORU-1.hl7"),
    )
    .unwrap();
    let sample = sample.trim_start_matches('\u{feff}').trim_end().to_string();
    let copies = 3000;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("monthly.hl7");
    let mut text = String::new();
    for i in 0..copies {
        // Each copy its own control id, so nothing is a duplicate of another.
        text.push_str(&sample.replace("|ORU^R01|182|", &format!("|ORU^R01|182-{i}|")));
        text.push('\r');
    }
    std::fs::write(&file, text).unwrap();

    let mut app = app(Lang::En, false);
    sign_in(&mut app, Role::Nurse);
    app.screen = Screen::Import(ImportScreen {
        form: form(
            &[
                (file.to_str().unwrap(), false),
                ("synthea", false),
                ("n", false),
            ],
            2,
        ),
        summary: None,
        rejected: Vec::new(),
        skipped: 0,
        queued: Default::default(),
        create_patients: false,
    });
    press(&mut app, KeyCode::Enter);
    let mut batches = 0;
    let mut messages = 0;
    loop {
        let sent = calls(&mut app);
        let Some((tag, request)) = sent.into_iter().next() else {
            break;
        };
        let Request::ResultsImport { incoming, .. } = &request else {
            panic!("{request:?}")
        };
        let size = caredesk::server::frame::encode(&caredesk::server::frame::ClientFrame::Call {
            session: None,
            request: Box::new(request.clone()),
        })
        .unwrap()
        .len();
        assert!(size < MAX_FRAME, "a piece of {size} bytes");
        batches += 1;
        messages += incoming.len() as u64;
        reply(
            &mut app,
            tag,
            Response::ResultsImported(ResultsSummary {
                messages: incoming.len() as u64,
                unmatched: incoming.len() as u64,
                ..Default::default()
            }),
        );
    }
    assert!(batches > 1, "one request for the whole file");
    assert_eq!(messages, copies);
    let Screen::Import(screen) = &app.screen else {
        panic!()
    };
    assert!(!screen.form.busy);
    assert_eq!(screen.summary.as_ref().unwrap().messages, copies);
    assert_eq!(screen.summary.as_ref().unwrap().unmatched, copies);
}
