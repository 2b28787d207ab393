//! Health management driven in tmux as a doctor would: open a demo patient's plan, tick
//! an action done, sign the quarter's stage summary, write a new one for a period.

use crate::common::tmux::{self, app_pane, demo_store, sign_in};
use caredesk::domain::card::CardStatus;
use caredesk::store::{Store, StoreOptions, Unlock, Vault};

/// The card number of a demo patient with a blood pressure plan and an unsigned
/// summary, read from the store before the app opens it.
fn planned_patient(dir: &std::path::Path) -> String {
    let store = Store::open(dir, StoreOptions::default()).unwrap();
    let (admin, _, password) = caredesk::demo::USERS[0];
    let keys = store
        .unlock(Unlock::Password {
            user: admin,
            password: password.as_bytes(),
        })
        .unwrap();
    let vault = Vault::new(store, keys);
    for id in vault.patient_ids().unwrap() {
        let plans = vault.plans(&id).unwrap();
        let summaries = vault.summaries(&id).unwrap();
        let bp = plans
            .iter()
            .any(|p| p.plan.goals.iter().any(|g| g.indicator == "systolic_bp"));
        if bp && summaries.iter().all(|s| s.signed.is_none()) && !summaries.is_empty() {
            let cards = vault.cards(&id).unwrap();
            if let Some(card) = cards.iter().find(|c| c.status == CardStatus::Active) {
                return card.number.clone();
            }
        }
    }
    panic!("the demo has no patient with a blood pressure plan and an unsigned summary")
}

#[test]
fn a_doctor_ticks_a_plan_action_signs_a_summary_and_writes_a_new_one() {
    if !tmux::available() {
        return;
    }
    let (_tmp, dir) = demo_store();
    let card = planned_patient(&dir);
    let pane = app_pane("tui-care", &dir, "");
    sign_in(
        &pane,
        "DEMO STORE",
        "dr.zhou",
        "demo doctor harbour lantern",
    );
    tmux::open_patient(&pane, &card);

    // p: the plan, its goals with progress; Space ticks the selected action done.
    pane.type_text("p");
    let plan = pane.wait_for("Goals");
    assert!(
        plan.contains("血压控制") && plan.contains("Systolic blood pressure ≤ 130"),
        "{plan}"
    );
    assert!(plan.contains("latest"), "{plan}");
    pane.key("Down");
    pane.key("Space");
    pane.wait_for("Plan saved as a new version.");
    // The plan is read back: the new version, the action ticked.
    let saved = pane.wait_for("Version 2 · saved by dr.zhou");
    assert!(saved.contains("[x] Exercise"), "{saved}");
    pane.key("Escape");
    pane.wait_for("Identity");

    // s: the quarter's summary, a draft; s asks, and s again signs it.
    pane.type_text("s");
    let summaries = pane.wait_for("draft, not signed");
    assert!(summaries.contains("本阶段"), "{summaries}");
    pane.type_text("s");
    pane.wait_for("s again signs it");
    pane.type_text("s");
    pane.wait_for("Signed: this version is the summary of record.");
    pane.wait_for("signed by dr.zhou");

    // n: a new summary for the quarter offered; the doctor adds a line and saves.
    pane.type_text("n");
    pane.wait_for("The period to summarise");
    pane.key("Enter");
    pane.key("Enter");
    pane.wait_for("Enter on the last (empty) line saves");
    pane.key("BTab");
    pane.type_text("Walks every morning now.");
    pane.key("Enter");
    pane.wait_for("Summary saved as a new version.");
    // The list is read back with the new summary selected, a draft.
    let written = pane.wait_for("▸· 2 ");
    assert!(written.contains("Walks every morning now."), "{written}");
    assert!(written.contains("draft, not signed"), "{written}");
}

#[test]
fn a_nurse_claims_the_first_callable_follow_up_records_the_call_and_sees_the_next_date() {
    if !tmux::available() {
        return;
    }
    let (_tmp, dir) = demo_store();
    let pane = app_pane("tui-followup", &dir, "");
    sign_in(
        &pane,
        "DEMO STORE",
        "chen.jing",
        "demo nurse harbour lantern",
    );
    let home = pane.wait_for("What would you like to do?");
    assert!(home.contains("Follow-up queue"), "{home}");
    // Home: patient search, then the follow-up queue.
    pane.key("Down");
    pane.key("Enter");
    let queue = pane.wait_for("Overdue");
    assert!(
        queue.contains("Due today") && queue.contains("Upcoming"),
        "{queue}"
    );
    // The first row a nurse may call (some patients gave no phone consent).
    let rows = tmux::queue_rows(&queue);
    let first = rows
        .iter()
        .position(|l| !l.contains('✗'))
        .expect("a callable follow-up in the demo queue");
    for _ in 0..first {
        pane.key("Down");
    }
    pane.key("Enter");
    pane.wait_for("Outcome: r reached");
    // Reached (its letter); the readings the protocol asks for; notes; save.
    pane.type_text("r");
    pane.key("Enter");
    // How it was made: 2, at the clinic.
    pane.type_text("2");
    pane.key("Enter");
    let form = pane.screen();
    // The form's own rows, by their labels with units: the patient's history on the
    // same screen may name an indicator the form does not ask.
    let asks = [
        "Systolic blood pressure (",
        "Diastolic blood pressure (",
        "Heart rate (",
        "Fasting glucose (",
    ]
    .iter()
    .filter(|a| form.contains(*a))
    .count();
    for value in ["128", "82", "70", "6.2"].iter().take(asks) {
        pane.type_text(value);
        pane.key("Enter");
    }
    // Adherence 1; nothing ticked on the checklist; no other symptoms or side effects.
    pane.type_text("1");
    pane.key("Enter");
    pane.key("Enter");
    pane.key("Enter");
    pane.key("Enter");
    pane.type_text("doing well");
    pane.key("Enter");
    // Past the callback time, the record form (left empty here): Ctrl-S saves.
    pane.key("Enter");
    pane.key("C-s");
    let saved = pane.wait_for("Call saved.");
    assert!(saved.contains("Next follow-up due"), "{saved}");
    // Back in the queue, read again.
    pane.key("Escape");
    pane.wait_for("Overdue");
}
