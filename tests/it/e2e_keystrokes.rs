//! Keystroke budgets for the desk's core jobs, measured in tmux on the real binary:
//! every key sent is counted except the characters of typed data (a name, a number,
//! a card); a one-letter choice (an outcome's letter) counts as a key. docs/front-desk.md lists
//! the budgets and the counts these runs print.

use std::cell::Cell;

use crate::common::daemon::card;
use crate::common::tmux::{self, Pane, app_pane, demo_store, sign_in};
use crate::common::{ci, require, text};

/// A pane whose keys are counted.
struct Counted<'a> {
    pane: &'a Pane,
    keys: Cell<u32>,
}

impl<'a> Counted<'a> {
    fn new(pane: &'a Pane) -> Self {
        Self {
            pane,
            keys: Cell::new(0),
        }
    }

    /// A key (Enter, F3, C-s …) or a one-letter choice: counted.
    fn key(&self, key: &str) {
        self.keys.set(self.keys.get() + 1);
        if key.chars().count() == 1 {
            self.pane.type_text(key);
        } else {
            self.pane.key(key);
        }
    }

    /// Data the clerk types (a name, a number): not counted.
    fn data(&self, text: &str) {
        self.pane.type_text(text);
    }

    /// The keys of one job, and a fresh count for the next.
    fn job(&self, name: &str, budget: u32) {
        let used = self.keys.replace(0);
        eprintln!("keystrokes: {name}: {used} (budget {budget})");
        assert!(
            used <= budget,
            "{name}: {used} keys, over the budget of {budget}"
        );
    }
}

#[test]
fn the_front_desk_s_jobs_stay_within_their_keystroke_budgets() {
    if !tmux::available() {
        return;
    }
    let printing = ["lpstat", "lpadmin", "lpinfo"].iter().all(|p| require(p))
        && text(
            &std::process::Command::new("lpstat")
                .arg("-r")
                .output()
                .unwrap()
                .stdout,
        )
        .contains("is running");
    assert!(printing || !ci(), "CUPS is needed: .ci/run starts cupsd");
    let (_tmp, dir) = demo_store();
    if printing {
        crate::e2e_paper::add_pdf_printer();
        // The clinic's printer is the virtual one: the print screen offers it first.
        crate::common::set_setting(
            &dir,
            "report",
            "printer",
            &format!("\"{}\"", crate::e2e_paper::PRINTER),
        );
    }
    let pane = app_pane("keys-desk", &dir, "");
    sign_in(&pane, "DEMO STORE", "wang.li", "demo desk harbour lantern");
    pane.wait_for("What would you like to do?");
    let desk = Counted::new(&pane);

    // Find and open a patient by card: F3, the card, Enter.
    desk.key("F3");
    pane.wait_for("Find:");
    desk.data(&card());
    let found = pane.wait_for("1 found");
    desk.key("Enter");
    pane.wait_for("Identity");
    desk.job("find and open by card", 3);
    // The phone's last four digits, read off the row (139****1234).
    let tail: String = found
        .lines()
        .find_map(|l| {
            l.split_whitespace()
                .map(|w| w.trim_matches('│'))
                .find(|w| w.contains("****") && w.len() == 11 && !w.starts_with("8860"))
        })
        .map(|masked| masked[7..].to_string())
        .unwrap_or_else(|| panic!("a masked phone on the row: {found}"));

    // By the phone's last four digits.
    desk.key("F3");
    pane.wait_for("Find:");
    desk.data(&tail);
    pane.wait_for("found · ↑↓");
    desk.key("Enter");
    pane.wait_for("Identity");
    desk.job("find and open by a phone's last four digits", 3);

    // By pinyin initials.
    desk.key("F3");
    pane.wait_for("Find:");
    desk.data("zw");
    pane.wait_for("found · ↑↓");
    desk.key("Enter");
    pane.wait_for("Identity");
    desk.job("find and open by pinyin", 3);

    // Book the default exam (basic, tomorrow): F8, Ctrl-S.
    desk.key("F8");
    pane.wait_for("Book an exam");
    desk.key("C-s");
    pane.wait_for("Booked: basic on");
    desk.job("book the default exam", 4);

    // Print the card on the clinic's printer: C, Enter.
    if printing {
        desk.key("C");
        pane.wait_for(crate::e2e_paper::PRINTER);
        desk.key("Enter");
        pane.wait_for("Sent to");
        desk.job("print the card", 3);
        pane.key("Escape");
    }

    // Register from an ID number, from home: the menu's first entry, name, ID, mobile,
    // save.
    pane.key("F2");
    pane.wait_for("What would you like to do?");
    desk.key("Enter");
    pane.wait_for("Register a patient and issue a card");
    desk.data("吕思远");
    desk.key("Enter");
    desk.key("Enter");
    desk.data("110105198805200018");
    pane.wait_for("filled in from the ID number");
    desk.key("Enter");
    desk.data("13688880011");
    desk.key("C-s");
    pane.wait_for("Print · member card · 吕思远");
    desk.job("register from an ID number", 10);
}

#[test]
fn the_nurse_s_calls_stay_within_their_keystroke_budgets() {
    if !tmux::available() {
        return;
    }
    let (_tmp, dir) = demo_store();
    let pane = app_pane("keys-nurse", &dir, "");
    sign_in(
        &pane,
        "DEMO STORE",
        "chen.jing",
        "demo nurse harbour lantern",
    );
    pane.wait_for("What would you like to do?");
    // The follow-up queue (Home: search, then the queue), its first callable row.
    pane.key("Down");
    pane.key("Enter");
    let queue = pane.wait_for("Overdue");
    let rows = tmux::queue_rows(&queue);
    let callable: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.contains('✗'))
        .map(|(i, _)| i)
        .collect();
    assert!(
        callable.len() >= 2,
        "two callable rows in the demo queue: {queue}"
    );
    for _ in 0..callable[0] {
        pane.key("Down");
    }
    let nurse = Counted::new(&pane);

    // Nobody answered: Enter claims it, n, Ctrl-S.
    nurse.key("Enter");
    pane.wait_for("Outcome: r reached");
    nurse.key("n");
    nurse.key("C-s");
    pane.wait_for("Call saved.");
    nurse.job("record a no-answer call from the queue", 3);

    // Reached, one blood pressure reading: Enter, r, Enter, 1 (phone), Enter, the
    // systolic, Enter, the diastolic, Ctrl-S.
    pane.key("Escape");
    let queue = pane.wait_for("Overdue");
    let rows = tmux::queue_rows(&queue);
    let next = rows
        .iter()
        .position(|l| !l.contains('✗') && !l.contains("tried"))
        .or_else(|| rows.iter().position(|l| !l.contains('✗')))
        .expect("a callable row");
    pane.key("Home");
    for _ in 0..next {
        pane.key("Down");
    }
    nurse.key("Enter");
    let form = pane.wait_for("Outcome: r reached");
    nurse.key("r");
    nurse.key("Enter");
    nurse.key("1");
    nurse.key("Enter");
    if form.contains("Systolic") {
        nurse.data("132");
        nurse.key("Enter");
        nurse.data("84");
    }
    nurse.key("C-s");
    pane.wait_for("Call saved.");
    nurse.job("record a reached call with one blood pressure reading", 8);
}
