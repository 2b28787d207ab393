//! Exam booking: book, reschedule, cancel, check in, no-show, and the day view.
//! A day's places per package are never oversold: the service holds a lock from the
//! count to the commit (one process owns the store).

use crate::i18n::Text;
use crate::text;
use chrono::NaiveDate;

use super::cards::today;
use crate::clinic::api::{BookingKey, ExamDay, Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::domain::booking::{Booking, BookingEvent, BookingStatus};
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;

/// Refuses a day with no place left for `package` (not counting `except`).
fn check_place(
    ctx: &Ctx<'_>,
    package: &str,
    date: NaiveDate,
    except: Option<u64>,
) -> Result<(), ServiceError> {
    let exams = ctx.clinic.settings().exams.clone();
    let capacity = exams
        .package(package)
        .ok_or_else(|| {
            let known: Vec<&str> = exams.packages.iter().map(|p| p.name.as_str()).collect();
            ServiceError::Field {
                field: "package".into(),
                message: text!(
                    "msg.booking.no_package",
                    package = package,
                    known = known.join(", ")
                ),
            }
        })?
        .daily_capacity;
    if date < today(ctx) {
        return Err(ServiceError::Field {
            field: "date".into(),
            message: text!("msg.booking.past", date = date),
        });
    }
    // The clinic's exam days ([exams] open_days, closed): never a booking on a day
    // nobody is there to do it.
    use chrono::Datelike;
    let open =
        crate::clinic::oversight::alert_settings::parse_days(&exams.open_days).unwrap_or([true; 7]);
    if !open[date.weekday().num_days_from_monday() as usize] || exams.closed.contains(&date) {
        return Err(ServiceError::Field {
            field: "date".into(),
            message: text!("msg.booking.closed_day", date = date).arg_text(
                "weekday",
                Text::new(format!("weekday.{}", date.format("%a"))),
            ),
        });
    }
    let taken = ctx
        .vault
        .bookings_on(date)?
        .iter()
        .filter(|b| b.package == package && b.status.takes_a_place() && Some(b.id) != except)
        .count() as u32;
    if taken >= capacity {
        return Err(ServiceError::Conflict(text!(
            "msg.booking.full",
            package = package,
            date = date,
            taken = taken,
            capacity = capacity
        )));
    }
    Ok(())
}

fn event(ctx: &Ctx<'_>, what: &str) -> BookingEvent {
    BookingEvent {
        at: ctx.now,
        by: ctx.session.user.clone(),
        what: what.to_string(),
    }
}

pub(crate) fn book(
    ctx: &Ctx<'_>,
    id: &PatientId,
    package: &str,
    date: NaiveDate,
) -> Result<Reply, ServiceError> {
    ctx.vault.patient(id)?;
    check_place(ctx, package, date, None)?;
    let already = ctx
        .vault
        .bookings_on(date)?
        .into_iter()
        .any(|b| b.patient == *id && b.package == package && b.status.takes_a_place());
    if already {
        return Err(ServiceError::Conflict(text!(
            "msg.booking.already",
            package = package,
            date = date
        )));
    }
    let booking = Booking {
        id: ctx.vault.next_id()?,
        patient: *id,
        package: package.to_string(),
        date,
        status: BookingStatus::Booked,
        history: vec![event(ctx, "booked")],
    };
    let mut writes = WriteSet::new();
    ctx.vault.stage_booking(&mut writes, &booking, None)?;
    Ok(Reply::new(Response::ExamBooked(booking.clone()))
        .writes(writes)
        .subject(id.to_string())
        .detail(format!("{package} on {date}")))
}

fn find(ctx: &Ctx<'_>, key: BookingKey) -> Result<Booking, ServiceError> {
    ctx.vault
        .booking(key.date, key.id)?
        .ok_or_else(|| ServiceError::NotFound("booking".into()))
}

pub(crate) fn reschedule(
    ctx: &Ctx<'_>,
    key: BookingKey,
    date: NaiveDate,
) -> Result<Reply, ServiceError> {
    let mut booking = find(ctx, key)?;
    if booking.status != BookingStatus::Booked {
        return Err(ServiceError::Conflict(booking.status.closed_text()));
    }
    check_place(ctx, &booking.package, date, Some(booking.id))?;
    let from = booking.date;
    booking.date = date;
    booking
        .history
        .push(event(ctx, &format!("moved from {from}")));
    let mut writes = WriteSet::new();
    ctx.vault.stage_booking(&mut writes, &booking, Some(from))?;
    Ok(Reply::new(Response::ExamBooked(booking.clone()))
        .writes(writes)
        .subject(booking.patient.to_string())
        .detail(format!("{from} -> {date}")))
}

pub(crate) fn change(
    ctx: &Ctx<'_>,
    key: BookingKey,
    to: BookingStatus,
    action: &'static str,
) -> Result<Reply, ServiceError> {
    let mut booking = find(ctx, key)?;
    booking
        .transition(to, action, ctx.now, &ctx.session.user)
        .map_err(|e| ServiceError::Conflict(e.text()))?;
    let mut writes = WriteSet::new();
    ctx.vault.stage_booking(&mut writes, &booking, None)?;
    Ok(Reply::new(Response::ExamBooked(booking.clone()))
        .writes(writes)
        .subject(booking.patient.to_string())
        .detail(to.as_str()))
}

pub(crate) fn day(ctx: &Ctx<'_>, date: NaiveDate) -> Result<Reply, ServiceError> {
    let bookings = ctx.vault.bookings_on(date)?;
    let places = ctx
        .clinic
        .settings()
        .exams
        .packages
        .iter()
        .map(|p| {
            let taken = bookings
                .iter()
                .filter(|b| b.package == p.name && b.status.takes_a_place())
                .count() as u32;
            (p.name.clone(), taken, p.daily_capacity)
        })
        .collect();
    let mut rows = Vec::new();
    for booking in bookings {
        // A restricted patient's name shows only to those who may open the record.
        let name = match ctx.vault.patient(&booking.patient) {
            Ok(p) if !ctx.sees_who(&booking.patient, &p) => "—".to_string(),
            Ok(p) => p.name,
            Err(_) => String::new(),
        };
        rows.push((booking, name));
    }
    let count = rows.len();
    Ok(Reply::new(Response::ExamDay(ExamDay {
        date,
        bookings: rows,
        places,
    }))
    .detail(format!("count={count}")))
}
