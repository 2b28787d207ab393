//! The terminal app driven in tmux as a person would: sign in with a TOTP code, find a
//! patient by pinyin initials, open them, wait past the idle time, and find the sign-in
//! screen and nothing of the patient on the screen or in the scrollback.

use crate::common;

use crate::common::tmux::{self, demo_pane, sign_in};

#[test]
fn sign_in_find_by_pinyin_open_and_be_signed_out_when_idle() {
    if !tmux::available() {
        return;
    }
    let (_tmp, pane) = demo_pane("tui", "--idle-logout 4s");
    let screen = pane.wait_for("DEMO STORE");
    assert!(
        screen.contains("User name") && screen.contains("chen.jing"),
        "{screen}"
    );

    // Wrong code first: one message, and the form stays.
    pane.type_text("chen.jing");
    pane.key("Enter");
    pane.type_text("demo nurse harbour lantern");
    pane.key("Enter");
    pane.type_text("000000");
    pane.key("Enter");
    pane.wait_for("Sign-in failed");

    pane.type_text("demo nurse harbour lantern");
    pane.key("Enter");
    pane.type_text(&crate::common::daemon::unused_code("chen.jing"));
    pane.key("Enter");
    let home = pane.wait_for("What would you like to do?");
    assert!(
        home.contains("Last sign-on") && home.contains("Failed attempts since: 1"),
        "{home}"
    );

    // Enter opens the menu's first entry, patient search.
    pane.key("Enter");
    pane.wait_for("Find:");
    pane.type_text("zw");
    let results = pane.wait_for("found · ↑↓");
    let first = results
        .lines()
        .find(|l| l.contains("****"))
        .expect("a result row")
        .trim_start_matches('│')
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    pane.key("Enter");
    let chart = pane.wait_for("Identity");
    assert!(
        chart.contains(&first) && chart.contains("ID number") && chart.contains("Phone"),
        "{chart}"
    );
    let phone = chart
        .lines()
        .find(|l| l.contains("Phone") && l.contains("****"))
        .and_then(|l| l.split_whitespace().find(|w| w.contains("****")))
        .unwrap()
        .trim_end_matches('│')
        .to_string();

    // Hands off the keyboard: the countdown shows, then the sign-in screen returns.
    pane.wait_for("sign-out in");
    let after = pane.wait_for("Signed out after 4 s");
    assert!(after.contains("User name"), "{after}");
    let everything = pane.screen();
    assert!(
        !everything.contains(&first),
        "the patient's name is still readable:\n{everything}"
    );
    assert!(
        !everything.contains(&phone),
        "the patient's phone is still readable:\n{everything}"
    );
    assert!(!everything.contains("Identity"));
}

#[test]
fn chinese_screens_and_pinyin_initials() {
    if !tmux::available() {
        return;
    }
    let (_tmp, pane) = demo_pane("tui-zh", "--lang zh-CN --keymap vim");
    sign_in(&pane, "演示库", "wang.li", "demo desk harbour lantern");
    pane.wait_for("您要做什么");
    // vim keymap: / opens the search.
    pane.type_text("/");
    pane.wait_for("查找：");
    // zw: pinyin initials, e.g. 张伟, 周文, 赵伟.
    pane.type_text("zw");
    let results = pane.wait_for("↑↓ 选择");
    let row = results
        .lines()
        .find(|l| l.contains("****"))
        .expect("a result");
    let name: String = row
        .trim_start_matches('│')
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let initials: String = name.chars().map(pinyin_initial).collect();
    assert!(
        initials.starts_with("zw"),
        "{name} ({initials}) does not start with zw"
    );
    // F1 shows the help of this context, generated from the vim keymap.
    pane.key("F1");
    let help = pane.wait_for("帮助");
    assert!(help.contains("返回"), "{help}");
}

fn pinyin_initial(c: char) -> char {
    use pinyin::ToPinyin;
    c.to_pinyin()
        .map(|p| p.plain().chars().next().unwrap())
        .unwrap_or(c)
}

#[test]
fn the_front_desk_registers_a_patient_issues_a_card_and_finds_them() {
    if !tmux::available() {
        return;
    }
    let (_tmp, pane) = demo_pane("tui-register", "");
    sign_in(&pane, "DEMO STORE", "wang.li", "demo desk harbour lantern");
    let home = pane.wait_for("What would you like to do?");
    assert!(home.contains("Register & issue card"), "{home}");
    pane.key("Enter");
    pane.wait_for("Register a patient and issue a card");

    // The 17th digit is even: a woman's number.
    let first17 = "11010519800506002";
    let id_number = format!(
        "{first17}{}",
        caredesk::domain::identity::id_check_char(first17).unwrap()
    );
    // The name, then Enter keeps the default ID type (R): the ID number is next.
    pane.type_text("邱兰");
    pane.key("Enter");
    pane.key("Enter");
    // A mistyped ID number is caught next to the field as its 18th character is typed.
    pane.type_text("110105198005060031");
    pane.wait_for("✗");
    // Ctrl-U empties the field; the right number fills in sex and date of birth.
    pane.key("C-u");
    pane.type_text(&id_number);
    let filled = pane.wait_for("filled in from the ID number");
    assert!(filled.contains("1980-05-06"), "{filled}");
    let filled = pane.screen();
    assert!(filled.contains("Sex           F"), "{filled}");
    // Enter skips the sex and birth date just filled: the mobile, the address, the
    // emergency contact; Ctrl-S saves from there with the default card type (basic).
    for value in ["", "136 8888 9999", ""] {
        pane.type_text(value);
        pane.key("Enter");
    }
    pane.type_text("Tan Wei 13900001111");
    pane.key("C-s");
    // The new card goes to paper at once: here, a PDF file (the last row).
    let print = pane.wait_for("Enter print here");
    assert!(print.contains("Print · member card · 邱兰"), "{print}");
    pane.key("End");
    pane.key("Enter");
    pane.wait_for("The new PDF file to write");
    let card_pdf = tempfile::tempdir().unwrap();
    let card_path = card_pdf.path().join("card.pdf");
    pane.type_text(card_path.to_str().unwrap());
    pane.key("Enter");
    pane.wait_for("Written to");
    assert!(std::fs::metadata(&card_path).unwrap().len() > 1000);
    pane.key("Escape");
    let issued = pane.wait_for("Registered.");
    let number = issued
        .lines()
        .find(|l| l.contains("Card number"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("8860")))
        .expect("the card number")
        .to_string();
    assert!(caredesk::domain::card::luhn_valid(&number), "{number}");
    pane.key("Enter");
    let chart = pane.wait_for("valid until");
    assert!(chart.contains(&number) && chart.contains("邱兰"), "{chart}");

    // F5: consent; g records "granted (signed form)" for the selected phone / care row.
    pane.key("F5");
    pane.wait_for("not asked");
    pane.type_text("g");
    let consent = pane.wait_for("granted");
    assert!(
        consent.contains("wang.li") && consent.contains("signed"),
        "{consent}"
    );

    // F6: the card is lost; Enter confirms; a replacement with a new number is issued.
    pane.key("Escape");
    pane.wait_for("Identity");
    pane.key("F6");
    pane.wait_for("Report card");
    pane.key("Enter");
    // The replacement is offered to the printer; Esc leaves it for later.
    pane.wait_for("Print · member card");
    pane.key("Escape");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let replacement = loop {
        let screen = pane.screen();
        let shown = screen
            .lines()
            .find(|l| l.contains("Member card"))
            .and_then(|l| l.split_whitespace().find(|w| w.starts_with("8860")))
            .map(str::to_string);
        if let Some(shown) = shown.filter(|n| *n != number) {
            break shown;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no replacement card shown:\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(caredesk::domain::card::luhn_valid(&replacement));

    // F8: book an exam; Enter keeps the package (basic) and the day (tomorrow), then books.
    pane.key("F8");
    pane.wait_for("Book an exam");
    pane.key("Enter");
    pane.key("Enter");
    pane.wait_for("Booked: basic on");

    // Found afterwards by pinyin initials and by the new card number; the lost one is
    // refused with its replacement named.
    pane.key("F3");
    pane.wait_for("Find:");
    pane.type_text("ql");
    let found = pane.wait_for("found · ↑↓");
    assert!(found.contains("邱兰"), "{found}");
    for _ in 0..2 {
        pane.key("BSpace");
    }
    pane.type_text(&number);
    pane.key("Enter");
    let refused = pane.wait_for("reported lost");
    assert!(refused.contains(&replacement), "{refused}");
    for _ in 0..number.len() {
        pane.key("BSpace");
    }
    pane.type_text(&replacement);
    let by_card = pane.wait_for("1 found");
    assert!(by_card.contains("邱兰"), "{by_card}");
}

#[test]
fn a_nurse_amends_the_record_and_the_desk_checks_in_and_reschedules_by_keyboard() {
    if !tmux::available() {
        return;
    }
    let (_tmp, pane) = demo_pane("tui-record", "");
    sign_in(
        &pane,
        "DEMO STORE",
        "chen.jing",
        "demo nurse harbour lantern",
    );
    pane.wait_for("What would you like to do?");
    pane.key("F3");
    pane.wait_for("Find:");
    pane.type_text("wang");
    pane.wait_for("found · ↑↓");
    pane.key("Enter");
    pane.wait_for("Identity");

    // F4: the record; the fifth section is allergies; Enter amends it.
    tmux::amend_allergies(&pane);
    pane.type_text("Iodine contrast; hives; moderate");
    pane.key("Tab");
    pane.key("Tab");
    // Too short a reason is refused next to the field; then a real one saves.
    pane.type_text("ok");
    pane.key("Enter");
    pane.wait_for("Say why the record changes");
    pane.type_text(" - patient reported a reaction at the CT");
    pane.key("Enter");
    pane.wait_for("Saved.");
    pane.type_text("h");
    let history = pane.wait_for("History: Allergies");
    assert!(
        history.contains("chen.jing") && history.contains("reported a reaction"),
        "{history}"
    );
    assert!(
        history.contains("Iodine contrast (hives, moderate)"),
        "{history}"
    );
    pane.key("Escape");
    pane.key("Escape");
    // Back on the patient, the summary reloads with the new allergy.
    let chart = pane.wait_for("Iodine contrast");
    assert!(chart.contains("Identity"), "{chart}");

    // The front desk: tomorrow's exams, the last booking moved to the day after.
    pane.key("F9");
    sign_in(&pane, "DEMO STORE", "wang.li", "demo desk harbour lantern");
    let home = pane.wait_for("What would you like to do?");
    let down = home
        .lines()
        .filter(|l| l.contains("Register & issue card") || l.contains("Patient search"))
        .count();
    for _ in 0..down {
        pane.key("Down");
    }
    pane.key("Enter");
    // Today: after the three package rows, the second booking is still "booked"; c
    // checks that patient in.
    let today = pane.wait_for("places");
    let checked_in = today.matches("checked in").count();
    // The rows start under the header: the packages, then the bookings. Go to the
    // first booking still "booked" (the demo's order of patients is its own).
    let rows: Vec<&str> = today
        .lines()
        .skip_while(|l| !l.contains("Patient"))
        .skip(1)
        .collect();
    let booked = rows
        .iter()
        .position(|l| l.contains(" booked"))
        .expect("a booking still booked today");
    let patient = rows[booked]
        .trim_start_matches('│')
        .split("  ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let checked_in_row = |screen: &str| {
        screen
            .lines()
            .any(|l| l.contains(patient.as_str()) && l.contains("checked in"))
    };
    // That booking is checked in. (Moving there is tried again if the keys landed
    // while the day was being read again: they moved a list that was then replaced.)
    let mut attempts = 0;
    'check_in: loop {
        attempts += 1;
        pane.key("Home");
        for _ in 0..booked {
            pane.key("Down");
        }
        pane.type_text("c");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if checked_in_row(&pane.screen()) {
                break 'check_in;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(
            attempts < 3,
            "{patient} was not checked in:\n{}",
            pane.screen()
        );
    }
    let after = pane.screen();
    assert!(
        after.matches("checked in").count() > checked_in,
        "{checked_in} checked in before:\n{after}"
    );
    pane.type_text("]");
    // Wait for tomorrow's bookings themselves (today's has check-ins and no-shows).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let tomorrow = loop {
        let screen = pane.screen();
        if screen.contains("booked")
            && !screen.contains("no-show")
            && !screen.contains("checked in")
        {
            break screen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "tomorrow never showed:\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let booked_before = tomorrow.matches("booked").count();
    pane.key("End");
    pane.type_text("r");
    pane.wait_for("Move to");
    pane.key("Enter");
    pane.wait_for("Moved to");
    // The day reloads: the last booking (a senior package) has left it.
    let moved = pane.wait_for("3 of 8 places");
    assert_eq!(
        moved.matches("booked").count(),
        booked_before - 1,
        "{moved}"
    );
    pane.type_text("]");
    let day_after = pane.wait_for("booked");
    assert!(day_after.contains("booked"), "{day_after}");
}

#[test]
fn a_nurse_imports_a_lab_file_follows_trends_and_fills_phq9_by_keyboard() {
    if !tmux::available() {
        return;
    }
    let (_tmp, pane) = demo_pane("tui-results", "");
    sign_in(
        &pane,
        "DEMO STORE",
        "chen.jing",
        "demo nurse harbour lantern",
    );
    pane.wait_for("What would you like to do?");
    // The menu may be drawn a moment after the greeting.
    pane.wait_for("Import results");

    // Home: patient search, follow-up queue, results to review, import results.
    pane.key("Down");
    pane.key("Down");
    pane.key("Down");
    pane.key("Enter");
    pane.wait_for("Import results from a lab file");
    let sample = common::sample_data().join("hl7/msfhirconv__LRI_2.0-NG_CBC_Typ_Message.hl7");
    pane.type_text(&sample.to_string_lossy());
    pane.key("Enter");
    pane.key("Enter");
    pane.key("BSpace");
    pane.type_text("y");
    pane.key("Enter");
    let done = pane.wait_for("imported 28 results");
    let flat = done
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("│ │", "");
    assert!(
        flat.contains("new patients") && flat.contains("unmatched 0"),
        "{done}"
    );

    // A demo patient's ten years: the trend screen.
    pane.key("F3");
    pane.wait_for("Find:");
    pane.type_text("wang");
    pane.wait_for("found · ↑↓");
    pane.key("Enter");
    pane.wait_for("Identity");
    pane.type_text("r");
    let trends = pane.wait_for("since previous");
    assert!(
        trends.contains("Systolic blood") && trends.contains("Fasting glucos"),
        "{trends}"
    );
    // Glucose: the older mg/dL results are shown converted, in mmol/L.
    for _ in 0..6 {
        pane.key("Down");
    }
    let glucose = pane.wait_for("Fasting glucose (mmol/L)");
    assert!(!glucose.contains("mg/dL"), "{glucose}");
    pane.key("Left");
    pane.key("Escape");
    pane.wait_for("Identity");

    // k: the risk assessments from those results, and the automatic tags.
    pane.type_text("k");
    let risks = pane.wait_for("Automatic tags");
    assert!(
        risks.contains("10-year risk") && risks.contains("Goff"),
        "{risks}"
    );
    pane.key("Escape");
    pane.wait_for("Identity");

    // PHQ-9 with the patient: item 9 answered above zero is urgent.
    pane.type_text("q");
    pane.wait_for("PHQ-9 depression screening");
    pane.key("Enter");
    pane.wait_for("Question 1 of 9");
    // Option numbers start at 1 ("Not at all"): scores 2,2,1,2,1,1,2,1,1.
    pane.type_text("332322322");
    let summary = pane.wait_for("Total 13");
    assert!(
        summary.contains("moderate") && summary.contains("URGENT"),
        "{summary}"
    );
    pane.key("Enter");
    pane.wait_for("Saved: the total and band");
}
