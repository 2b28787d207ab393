//! Exam booking: capacity never oversold by two desks at once, reschedule, cancel,
//! check-in, no-show, the day view.

use caredesk::clinic::api::PatientCreated;
use std::sync::Arc;

use crate::common::clinic::{START, TestClinic};
use crate::common::patient;
use caredesk::auth::Role;
use caredesk::clinic::api::BookingKey;
use caredesk::clinic::{Request, Response, ServiceError};
use caredesk::domain::booking::BookingStatus;
use caredesk::domain::patient::PatientId;
use chrono::{Days, NaiveDate};

fn tomorrow() -> NaiveDate {
    chrono::DateTime::from_timestamp(START, 0)
        .unwrap()
        .date_naive()
        + Days::new(1)
}

fn patients(t: &TestClinic, n: usize) -> Vec<PatientId> {
    let desk = t.sign_in(Role::FrontDesk);
    (0..n)
        .map(|i| {
            match desk.call(Request::PatientCreate {
                patient: patient(
                    &format!("Booker {i}"),
                    &format!("1360000{i:04}"),
                    &format!("B{i}"),
                ),
            }) {
                Response::PatientCreated(PatientCreated { id }) => id,
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

#[test]
fn two_desks_booking_at_once_never_oversell_a_day() {
    let t = TestClinic::with_all_roles();
    let ids = patients(&t, 20);
    let day = tomorrow();
    let desks: Vec<_> = (0..2)
        .map(|_| Arc::new(t.sign_in(Role::FrontDesk)))
        .collect();
    let handles: Vec<_> = desks
        .iter()
        .enumerate()
        .map(|(d, desk)| {
            let desk = desk.clone();
            let mine: Vec<PatientId> = ids.iter().skip(d).step_by(2).copied().collect();
            std::thread::spawn(move || {
                mine.into_iter()
                    .filter(|id| {
                        matches!(
                            desk.call(Request::ExamBook {
                                id: *id,
                                package: "senior".into(),
                                date: day
                            }),
                            Response::ExamBooked(_)
                        )
                    })
                    .count()
            })
        })
        .collect();
    let booked: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(booked, 8, "the senior package has 8 places a day");
    let desk = t.sign_in(Role::FrontDesk);
    let Response::ExamDay(view) = desk.call(Request::ExamDay { date: day }) else {
        panic!()
    };
    assert_eq!(view.bookings.len(), 8);
    assert!(view.places.contains(&("senior".into(), 8, 8)));
    assert!(
        view.bookings
            .iter()
            .all(|(_, name)| name.starts_with("Booker"))
    );
}

#[test]
fn a_booking_moves_through_its_life_and_frees_its_place() {
    let t = TestClinic::with_all_roles();
    let ids = patients(&t, 10);
    let desk = t.sign_in(Role::FrontDesk);
    let day = tomorrow();
    let mut keys = Vec::new();
    for id in &ids[..8] {
        let Response::ExamBooked(b) = desk.call(Request::ExamBook {
            id: *id,
            package: "senior".into(),
            date: day,
        }) else {
            panic!()
        };
        keys.push(BookingKey {
            date: b.date,
            id: b.id,
        });
    }
    let full = desk.call(Request::ExamBook {
        id: ids[8],
        package: "senior".into(),
        date: day,
    });
    assert!(
        matches!(full, Response::Error(ServiceError::Conflict(ref m)) if m.to_string().contains("fully booked")),
        "{full:?}"
    );
    assert!(matches!(
        desk.call(Request::ExamBook {
            id: ids[0],
            package: "cardio".into(),
            date: day
        }),
        Response::ExamBooked(_)
    ));
    assert!(
        matches!(
            desk.call(Request::ExamBook {
                id: ids[0],
                package: "cardio".into(),
                date: day
            }),
            Response::Error(ServiceError::Conflict(_))
        ),
        "booked twice"
    );

    // Cancelling frees a place; the cancelled booking cannot be checked in.
    assert!(
        matches!(desk.call(Request::ExamCancel { booking: keys[0] }), Response::ExamBooked(ref b) if b.status == BookingStatus::Cancelled)
    );
    assert!(matches!(
        desk.call(Request::ExamCheckIn { booking: keys[0] }),
        Response::Error(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        desk.call(Request::ExamBook {
            id: ids[8],
            package: "senior".into(),
            date: day
        }),
        Response::ExamBooked(_)
    ));

    // Rescheduling into the full day is refused; to the next day it moves.
    let later = day + Days::new(1);
    let Response::ExamBooked(b) = desk.call(Request::ExamBook {
        id: ids[9],
        package: "senior".into(),
        date: later,
    }) else {
        panic!()
    };
    let to_full = desk.call(Request::ExamReschedule {
        booking: BookingKey {
            date: later,
            id: b.id,
        },
        date: day,
    });
    assert!(matches!(
        to_full,
        Response::Error(ServiceError::Conflict(_))
    ));
    let Response::ExamBooked(moved) = desk.call(Request::ExamReschedule {
        booking: keys[1],
        date: later,
    }) else {
        panic!()
    };
    assert_eq!(moved.date, later);
    assert!(
        matches!(
            desk.call(Request::ExamCheckIn { booking: keys[1] }),
            Response::Error(ServiceError::NotFound(_))
        ),
        "the old key is gone"
    );

    let Response::ExamBooked(checked) = desk.call(Request::ExamCheckIn { booking: keys[2] }) else {
        panic!()
    };
    assert_eq!(checked.status, BookingStatus::CheckedIn);
    assert_eq!(checked.history.len(), 2);
    let Response::ExamBooked(missed) = desk.call(Request::ExamNoShow { booking: keys[3] }) else {
        panic!()
    };
    assert_eq!(missed.status, BookingStatus::NoShow);

    let past = desk.call(Request::ExamBook {
        id: ids[0],
        package: "basic".into(),
        date: day - Days::new(5),
    });
    assert!(
        matches!(past, Response::Error(ServiceError::Field { ref field, .. }) if field == "date")
    );
    let unknown = desk.call(Request::ExamBook {
        id: ids[0],
        package: "deluxe".into(),
        date: day,
    });
    assert!(
        matches!(unknown, Response::Error(ServiceError::Field { ref field, .. }) if field == "package")
    );
    let nurse = t.sign_in(Role::Nurse);
    assert!(matches!(
        nurse.call(Request::ExamDay { date: day }),
        Response::Error(ServiceError::Denied { .. })
    ));
}

#[test]
fn no_exam_is_booked_on_a_day_the_clinic_does_no_exams() {
    // Monday to Friday, and the Tuesday after the test's start a holiday.
    let t = TestClinic::with_all_roles_and_settings(Some(
        "[exams]\nopen_days = \"mon-fri\"\nclosed = [\"2030-03-19\"]\n",
    ));
    let id = patients(&t, 1)[0];
    let desk = t.sign_in(Role::FrontDesk);
    let book = |date: &str| {
        desk.call(Request::ExamBook {
            id,
            package: "basic".into(),
            date: date.parse().unwrap(),
        })
    };
    for (date, day) in [("2030-03-23", "Sat"), ("2030-03-19", "Tue")] {
        let refused = book(date);
        assert!(
            matches!(&refused, Response::Error(ServiceError::Field { field, message })
                if field == "date" && message.to_string().contains(day) && message.to_string().contains("another day")),
            "{date}: {refused:?}"
        );
    }
    assert!(matches!(book("2030-03-18"), Response::ExamBooked(_)));
    // A day that is not a day is refused when the settings are read.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.toml"),
        "[exams]\nopen_days = \"mon-funday\"\n",
    )
    .unwrap();
    let refused = caredesk::clinic::admin::settings::Settings::load(dir.path()).unwrap_err();
    assert!(refused.contains("[exams] open_days"), "{refused}");
}
