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

#[test]
fn a_doctor_fills_in_and_prints_the_health_examination_form_in_chinese_at_80x24() {
    if !tmux::available() {
        return;
    }
    let (tmp, dir) = demo_store();
    let card = planned_patient(&dir);
    let command = format!(
        "{} --data {} --lang zh-CN",
        env!("CARGO_BIN_EXE_caredesk"),
        dir.display()
    );
    let pane = tmux::Pane::start("tui-exam", 80, 24, &command);
    sign_in(&pane, "演示库", "dr.zhou", "demo doctor harbour lantern");
    pane.wait_for("您要做什么");
    pane.key("F3");
    pane.wait_for("查找：");
    pane.type_text(&card);
    pane.wait_for("找到 1");
    pane.key("Enter");
    pane.wait_for("身份信息");

    // e: the patient's forms; the demo's from two weeks ago is listed with its answers.
    pane.type_text("e");
    let list = pane.wait_for("第1号");
    assert!(
        list.contains("责任医生 周医生") && list.contains("一般状况"),
        "{list}"
    );
    // n: a new form for today, filled from the results of the year before.
    pane.type_text("n");
    let draft = pane.wait_for("已从检验结果填入");
    assert!(
        draft.contains("— 症状 —") && draft.contains("体检日期"),
        "{draft}"
    );
    // The symptoms, by name; the temperature mistyped in Fahrenheit, refused where it is.
    pane.key("Tab");
    pane.key("Tab");
    // The form's list above the rows (code and name joined by a no-break space).
    let symptoms = pane.wait_for("无症状 · 2");
    assert!(symptoms.contains("头痛 · 3"), "{symptoms}");
    pane.type_text("头晕");
    pane.key("Tab");
    pane.key("Tab");
    pane.type_text("98.6");
    pane.key("C-s");
    let refused = pane.wait_for("30–45 ℃");
    assert!(refused.contains("不是此项可填的数值"), "{refused}");
    for _ in 0..4 {
        pane.key("BSpace");
    }
    pane.type_text("36.7");
    pane.key("C-s");
    let saved = pane.wait_for("已保存为第2号健康体检表");
    assert!(saved.contains("项数值已加入检验结果"), "{saved}");

    // p: printed as the form to a new PDF file, read back with poppler.
    pane.type_text("p");
    pane.wait_for("存为PDF文件");
    pane.key("End");
    pane.key("Enter");
    let file = tmp.path().join("exam.pdf");
    pane.type_text(&file.display().to_string());
    pane.key("Enter");
    pane.wait_for("已写入");
    let text = crate::common::pdf_text(&std::fs::read(&file).unwrap());
    for expected in [
        "健康体检表",
        "症状",
        "头晕",
        "体温（℃）",
        "36.7",
        "健康指导",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn a_nurse_records_the_standard_follow_up_form_in_chinese_at_80x24() {
    if !tmux::available() {
        return;
    }
    let (_tmp, dir) = demo_store();
    let command = format!(
        "{} --data {} --lang zh-CN",
        env!("CARGO_BIN_EXE_caredesk"),
        dir.display()
    );
    let pane = tmux::Pane::start("tui-ffr", 80, 24, &command);
    sign_in(&pane, "演示库", "chen.jing", "demo nurse harbour lantern");
    pane.wait_for("您要做什么");
    // Home: patient search, then the follow-up queue.
    pane.key("Down");
    pane.key("Enter");
    let queue = pane.wait_for("今日到期");
    // The first hypertension follow-up a nurse may call (✗: no phone consent).
    let rows: Vec<&str> = queue
        .lines()
        .skip_while(|l| !l.contains("优先级"))
        .skip(1)
        .take_while(|l| l.contains("P1") || l.contains("P2") || l.contains("P3"))
        .collect();
    let first = rows
        .iter()
        .position(|l| l.contains("高血压") && !l.contains('✗'))
        .expect("a callable hypertension follow-up in the demo queue");
    for _ in 0..first {
        pane.key("Down");
    }
    pane.key("Enter");
    let call = pane.wait_for("结果：r 接通");
    assert!(call.contains("本年面对面随访"), "{call}");
    // Reached at the clinic; the readings; adherence 1; 0: no symptoms; a note; then the
    // 规范's form: weight now/target, cigarettes a day now/target.
    for value in [
        "r",
        "2",
        "128",
        "82",
        "70",
        "1",
        "0",
        "",
        "",
        "情况良好",
        "",
        "72/70",
        "",
        "10/5",
    ] {
        if !value.is_empty() {
            pane.type_text(value);
        }
        pane.key("Enter");
    }
    let form = pane.screen();
    assert!(form.contains("体重 kg") && form.contains("72/70"), "{form}");
    pane.key("C-s");
    let saved = pane.wait_for("随访已保存");
    assert!(saved.contains("此次随访分类：控制满意"), "{saved}");
    assert!(saved.contains("下次随访日期"), "{saved}");
}
