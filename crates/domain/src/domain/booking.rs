//! Exam bookings (体检预约): a patient, a package, a day, and what happened to it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::patient::PatientId;
use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    CheckedIn,
    NoShow,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::CheckedIn => "checked_in",
            BookingStatus::NoShow => "no_show",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the booking holds a place on its day.
    pub fn takes_a_place(self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::CheckedIn)
    }
}

/// One change in a booking's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingEvent {
    pub at: i64,
    pub by: String,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: u64,
    pub patient: PatientId,
    pub package: String,
    pub date: NaiveDate,
    pub status: BookingStatus,
    pub history: Vec<BookingEvent>,
}

impl Versioned for Booking {
    const VERSION: u16 = 1;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("this booking is {}: it can no longer be {action}", .status.as_str().replace('_', " "))]
    Closed {
        status: BookingStatus,
        action: &'static str,
    },
    #[error("the exam day {0} has passed: choose today or a later day")]
    Past(NaiveDate),
}

impl BookingStatus {
    /// "This booking is checked in: it can no longer be changed", in any language.
    pub fn closed_text(self) -> crate::i18n::Text {
        crate::i18n::Text::new("msg.booking.closed").arg_text(
            "status",
            crate::i18n::Text::new(format!("exam.{}", self.as_str())),
        )
    }
}

impl BookingError {
    /// The refusal in the reader's language.
    pub fn text(&self) -> crate::i18n::Text {
        match self {
            BookingError::Closed { status, .. } => status.closed_text(),
            BookingError::Past(date) => crate::text!("msg.booking.past", date = date),
        }
    }
}

impl Booking {
    /// Moves the booking to `to`, if its current state allows it.
    pub fn transition(
        &mut self,
        to: BookingStatus,
        action: &'static str,
        at: i64,
        by: &str,
    ) -> Result<(), BookingError> {
        if self.status != BookingStatus::Booked {
            return Err(BookingError::Closed {
                status: self.status,
                action,
            });
        }
        self.status = to;
        self.history.push(BookingEvent {
            at,
            by: by.to_string(),
            what: to.as_str().to_string(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_booked_exam_can_change() {
        let mut b = Booking {
            id: 1,
            patient: PatientId([1; 16]),
            package: "basic".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            status: BookingStatus::Booked,
            history: Vec::new(),
        };
        b.transition(BookingStatus::CheckedIn, "checked in", 1, "wang.li")
            .unwrap();
        let err = b
            .transition(BookingStatus::Cancelled, "cancelled", 2, "wang.li")
            .unwrap_err();
        assert!(err.to_string().contains("checked in"), "{err}");
        assert_eq!(b.history.len(), 1);
        assert!(
            !BookingStatus::Cancelled.takes_a_place() && BookingStatus::CheckedIn.takes_a_place()
        );
    }
}
