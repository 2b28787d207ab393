//! Importing results from the terminal sends a large file in pieces, as `caredesk
//! import` does: a request is one frame of at most 8 MiB through the daemon, so each
//! batch goes on its own once the one before is answered, and the screen adds up the
//! counts. The file is made from a real lab message (`tests/fixtures/shared/hl7/
//! msfhirconv__LAB-ORU-1.hl7`, from microsoft/FHIR-Converter, MIT; see SOURCES.md there).

use crate::common;

use crate::common::tui::{app, calls, form, press, render, reply, sign_in};
use caredesk::auth::Role;
use caredesk::clinic::api::ResultsSummary;
use caredesk::clinic::{Request, Response};
use caredesk::i18n::Lang;
use caredesk::server::frame::MAX_FRAME;
use caredesk::tui::app::App;
use caredesk::tui::components::results::import::ImportScreen;
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
    app.show(ImportScreen {
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
        not_kept: Default::default(),
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
    let screen = shown(&app);
    assert!(!screen.form.busy);
    assert_eq!(screen.summary.as_ref().unwrap().messages, copies);
    assert_eq!(screen.summary.as_ref().unwrap().unmatched, copies);
}

/// A FHIR bundle's resources that caredesk does not keep are counted on the screen, in
/// English and Chinese (tests/fixtures/fhir/synthea, from Synthea: see SOURCES.md).
#[test]
fn resources_not_kept_are_shown_by_kind() {
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fhir/synthea/Carroll471_OHara248.json");
    for (lang, words) in [
        (Lang::En, "Not kept by caredesk"),
        (Lang::ZhCn, "caredesk 不保存"),
    ] {
        let mut app = app(lang, false);
        sign_in(&mut app, Role::Nurse);
        app.show(ImportScreen {
            form: form(
                &[(file.to_str().unwrap(), false), ("", false), ("n", false)],
                2,
            ),
            summary: None,
            rejected: Vec::new(),
            skipped: 0,
            not_kept: Default::default(),
            queued: Default::default(),
            create_patients: false,
        });
        press(&mut app, KeyCode::Enter);
        for (tag, _) in calls(&mut app) {
            reply(
                &mut app,
                tag,
                Response::ResultsImported(ResultsSummary {
                    messages: 1,
                    ..Default::default()
                }),
            );
        }
        let screen = shown(&app);
        assert_eq!(screen.not_kept.get("Procedure"), Some(&7));
        assert_eq!(screen.not_kept.get("Immunization"), Some(&11));
        let shown = render(&mut app, 160, 40);
        assert!(shown.contains(words), "{shown}");
        assert!(shown.contains("11 Immunization"), "{shown}");
        assert!(shown.contains("7 Procedure"), "{shown}");
    }
}

#[test]
fn a_file_that_cannot_be_read_is_said_in_the_desk_s_language() {
    let missing = std::env::temp_dir().join("caredesk-no-such-lab-file.hl7");
    for (lang, words) in [(Lang::En, "cannot read"), (Lang::ZhCn, "无法读取")] {
        let mut app = app(lang, false);
        sign_in(&mut app, Role::Nurse);
        app.show(ImportScreen {
            form: form(
                &[
                    (missing.to_str().unwrap(), false),
                    ("", false),
                    ("n", false),
                ],
                2,
            ),
            summary: None,
            rejected: Vec::new(),
            skipped: 0,
            not_kept: Default::default(),
            queued: Default::default(),
            create_patients: false,
        });
        press(&mut app, KeyCode::Enter);
        let error = shown(&app).form.error.clone().expect("the reason");
        assert!(
            error.contains(words) && error.contains("caredesk-no-such-lab-file"),
            "{error}"
        );
    }
}

/// The shown screen as the import screen.
fn shown(app: &App) -> &ImportScreen {
    app.shown().expect("the import screen")
}
