//! Registration (开卡): field validation, duplicates, card numbers, lost-card reissue,
//! cancellation and expiry, and numbers that never collide between desks.

use crate::common;
use caredesk::clinic::api::{Registered, SearchResults};

use std::collections::HashSet;
use std::sync::Arc;

use crate::common::clinic::TestClinic;
use caredesk::auth::Role;
use caredesk::clinic::{LookupKind, Request, Response, ServiceError};
use caredesk::domain::card::{Card, CardStatus, luhn_valid};
use caredesk::domain::patient::{IdType, Patient, Sex};
use chrono::NaiveDate;

fn person(name: &str, phone: &str, id: &str, birth: (i32, u32, u32)) -> Patient {
    Patient {
        name: name.into(),
        sex: caredesk::domain::identity::sex_of_id_number(id).unwrap_or(Sex::Female),
        birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
        phone: Some(phone.into()),
        id_type: IdType::ResidentId,
        id_number: Some(id.into()),
        address: Some("上海市徐汇区漕溪北路 1 号".into()),
        ..Patient::default()
    }
}

fn register(
    client: &caredesk::clinic::Signed<caredesk::clinic::InProcess>,
    patient: Patient,
    card_type: &str,
) -> Response {
    client.call(Request::PatientRegister {
        patient,
        card_type: card_type.into(),
    })
}

fn field_of(response: &Response) -> &str {
    match response {
        Response::Error(ServiceError::Field { field, .. }) => field,
        other => panic!("not a field error: {other:?}"),
    }
}

#[test]
fn every_field_is_checked_with_a_message() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let ok = person(
        "王芳",
        "139 1234 5678",
        "11010519491231002x",
        (1949, 12, 31),
    );
    let cases = [
        (
            Patient {
                name: " ".into(),
                ..ok.clone()
            },
            "name",
        ),
        (
            Patient {
                birth_date: None,
                ..ok.clone()
            },
            "birth_date",
        ),
        (
            Patient {
                birth_date: NaiveDate::from_ymd_opt(2099, 1, 1),
                ..ok.clone()
            },
            "birth_date",
        ),
        (
            Patient {
                phone: Some("12345".into()),
                ..ok.clone()
            },
            "phone",
        ),
        (
            Patient {
                id_number: Some("110105194912310021".into()),
                ..ok.clone()
            },
            "id_number",
        ),
        (
            Patient {
                birth_date: NaiveDate::from_ymd_opt(1950, 1, 1),
                ..ok.clone()
            },
            "id_number",
        ),
    ];
    for (patient, expected) in cases {
        assert_eq!(field_of(&register(&desk, patient, "basic")), expected);
    }
    assert_eq!(
        field_of(&register(&desk, ok.clone(), "platinum")),
        "card_type"
    );
    // A passport number is not checked as a resident ID.
    let passport = Patient {
        id_type: IdType::Passport,
        id_number: Some("E12345678".into()),
        ..ok.clone()
    };
    assert!(matches!(
        register(&desk, passport, "gold"),
        Response::Registered { .. }
    ));
}

#[test]
fn registration_issues_a_luhn_card_and_refuses_duplicates() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let wang = person(
        "王芳",
        "139 1234 5678",
        "11010519491231002x",
        (1949, 12, 31),
    );
    let Response::Registered(Registered { id, card }) = register(&desk, wang.clone(), "silver")
    else {
        panic!()
    };
    assert!(
        card.number.starts_with("8860") && luhn_valid(&card.number),
        "{}",
        card.number
    );
    assert_eq!(card.status, CardStatus::Active);
    assert_eq!(
        card.valid_until,
        card.issued
            .checked_add_months(chrono::Months::new(24))
            .unwrap()
            .pred_opt()
            .unwrap()
    );

    // Stored canonically: the phone as 11 digits, the ID upper-cased.
    let Response::Patients(found) = desk.call(Request::PatientFind {
        kind: LookupKind::IdNumber,
        value: "11010519491231002X".into(),
    }) else {
        panic!()
    };
    assert_eq!(found, vec![id]);

    // Same ID number → the existing patient, nothing saved.
    let again = register(
        &desk,
        Patient {
            name: "王芳芳".into(),
            phone: Some("13800000000".into()),
            ..wang.clone()
        },
        "basic",
    );
    let Response::Duplicates(rows) = again else {
        panic!("{again:?}")
    };
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    // Same phone and birth date, another ID number → also a duplicate.
    let twin = person(
        "王芳",
        "+86 139-1234-5678",
        "110105194912310046",
        (1949, 12, 31),
    );
    assert!(matches!(
        register(&desk, twin.clone(), "basic"),
        Response::Duplicates(_)
    ));
    // Same phone, another birth date (a relative sharing the phone) → a new patient.
    let mother = person("李秀英", "13912345678", "110105192501010023", (1925, 1, 1));
    assert!(matches!(
        register(&desk, mother, "basic"),
        Response::Registered { .. }
    ));

    // The card number finds the patient in the one search box.
    let Response::SearchResults(SearchResults { rows, .. }) = desk.call(Request::PatientSearch {
        query: card.number.clone(),
        limit: 10,
    }) else {
        panic!()
    };
    assert_eq!(rows[0].id, id);
}

#[test]
fn a_lost_card_is_replaced_and_refused_at_search_with_its_replacement() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, card }) = register(
        &desk,
        person("赵伟", "13600000001", "440106198001010019", (1980, 1, 1)),
        "gold",
    ) else {
        panic!()
    };
    let Response::CardIssued(new) = desk.call(Request::CardReportLost {
        number: card.number.clone(),
    }) else {
        panic!()
    };
    assert_ne!(new.number, card.number);
    assert_eq!(new.replaces.as_deref(), Some(card.number.as_str()));
    assert_eq!(
        new.valid_until, card.valid_until,
        "a replacement is not a renewal"
    );

    let refused = desk.call(Request::PatientSearch {
        query: card.number.clone(),
        limit: 10,
    });
    let Response::Error(ServiceError::CardNotUsable {
        status: CardStatus::Lost,
        replaced_by,
        ..
    }) = refused
    else {
        panic!("{refused:?}")
    };
    assert_eq!(replaced_by.as_deref(), Some(new.number.as_str()));
    assert!(matches!(
        desk.call(Request::CardReportLost {
            number: card.number.clone()
        }),
        Response::Error(ServiceError::CardNotUsable { .. })
    ));

    let Response::Cards(cards) = desk.call(Request::PatientCards { id }) else {
        panic!()
    };
    let statuses: Vec<CardStatus> = cards.iter().map(|c| c.status).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&CardStatus::Lost) && statuses.contains(&CardStatus::Active));

    // An active card blocks a second one; cancelled, a new one may be issued.
    assert!(matches!(
        desk.call(Request::CardIssue {
            id,
            card_type: "basic".into()
        }),
        Response::Error(ServiceError::Conflict(_))
    ));
    assert_eq!(
        desk.call(Request::CardCancel {
            number: new.number.clone()
        }),
        Response::Done
    );
    assert!(matches!(
        desk.call(Request::CardIssue {
            id,
            card_type: "basic".into()
        }),
        Response::CardIssued(_)
    ));
}

#[test]
fn an_expired_card_is_refused_and_a_new_one_can_be_issued() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, card }) = register(
        &desk,
        person("周文", "13600000002", "510107197505050014", (1975, 5, 5)),
        "basic",
    ) else {
        panic!()
    };
    t.clock.advance_secs(366 * 24 * 3600);
    let desk = t.sign_in(Role::FrontDesk);
    let refused = desk.call(Request::PatientSearch {
        query: card.number.clone(),
        limit: 10,
    });
    assert!(
        matches!(
            refused,
            Response::Error(ServiceError::CardNotUsable {
                status: CardStatus::Expired,
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(matches!(
        desk.call(Request::CardIssue {
            id,
            card_type: "silver".into()
        }),
        Response::CardIssued(Card { .. })
    ));
}

#[test]
fn two_desks_at_once_never_get_the_same_number() {
    let t = TestClinic::with_all_roles();
    let clients: Vec<_> = (0..2)
        .map(|_| Arc::new(t.sign_in(Role::FrontDesk)))
        .collect();
    let handles: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(desk, client)| {
            let client = client.clone();
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let phone = format!("137{desk}{i:07}");
                        let patient = Patient {
                            name: format!("Desk {desk} patient {i}"),
                            sex: Sex::Male,
                            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1),
                            phone: Some(phone),
                            id_type: IdType::Other,
                            ..Patient::default()
                        };
                        match client.call(Request::PatientRegister {
                            patient,
                            card_type: "basic".into(),
                        }) {
                            Response::Registered(Registered { card, .. }) => card.number,
                            other => panic!("{other:?}"),
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let numbers: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let unique: HashSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), 80);
    assert!(numbers.iter().all(|n| luhn_valid(n)));
}

#[test]
fn the_auditor_cannot_register_and_registrations_are_audited() {
    let t = TestClinic::with_all_roles();
    let auditor = t.sign_in(Role::Auditor);
    let patient = person("王芳", "13912345678", "11010519491231002X", (1949, 12, 31));
    assert!(matches!(
        register(&auditor, patient.clone(), "basic"),
        Response::Error(ServiceError::Denied { .. })
    ));
    let desk = t.sign_in(Role::FrontDesk);
    let Response::Registered(Registered { id, .. }) = register(&desk, patient, "basic") else {
        panic!()
    };
    let rows = common::clinic::audit_rows(&auditor);
    let row = rows
        .iter()
        .find(|r| r.action == "patient.register" && r.outcome == "ok")
        .unwrap();
    assert_eq!(row.subjects, vec![id.to_string()]);
    assert!(
        !serde_json::to_string(&rows)
            .unwrap()
            .contains("13912345678")
    );
}

#[test]
fn a_phone_s_last_four_digits_and_any_reading_of_a_name_find_the_patient_with_their_card() {
    let t = TestClinic::with_all_roles();
    let desk = t.sign_in(Role::FrontDesk);
    let search = |query: &str| match desk.call(Request::PatientSearch {
        query: query.into(),
        limit: 10,
    }) {
        Response::SearchResults(SearchResults { rows, .. }) => rows,
        other => panic!("{query}: {other:?}"),
    };
    let Response::Registered(Registered { id, card }) = register(
        &desk,
        person(
            "曾志强",
            "139 0011 5678",
            "110105198001010016",
            (1980, 1, 1),
        ),
        "basic",
    ) else {
        panic!()
    };
    // Four digits: the phone's tail, by its own blind index; the row names the card.
    let rows = search("5678");
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(rows[0].card.as_deref(), Some(card.number.as_str()));
    assert!(search("5679").is_empty());
    // The card's last four digits too, as the rows show them (8860****1585).
    let card_tail = &card.number[card.number.len() - 4..];
    let rows = search(card_tail);
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    if card_tail != "0011" {
        assert!(search("0011").is_empty(), "only the last four");
    }
    // 曾 as a surname is zeng; its other reading, ceng, finds the name too.
    for query in ["zeng", "zengzhiqiang", "zzq", "ceng"] {
        assert_eq!(search(query).len(), 1, "{query}");
    }
    // A changed phone moves the tail.
    let Response::Patient(view) = desk.call(Request::PatientGet { id }) else {
        panic!()
    };
    let before = view.patient.demographics();
    let mut after = before.clone();
    after.phone = Some("13900017777".into());
    let amended = desk.call(Request::PatientAmend {
        id,
        before,
        after,
        reason: "new mobile".into(),
    });
    assert_eq!(amended, Response::Done);
    assert!(search("5678").is_empty());
    assert_eq!(search("7777").len(), 1);
}
