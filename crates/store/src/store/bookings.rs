//! Exam bookings on the unlocked store, keyed by day then booking id, so a day's
//! bookings are one prefix scan. Sealed with the data key: the day view crosses patients.

use chrono::NaiveDate;

use super::StoreError;
use super::vault::{Record, Scope, Vault};
use super::writes::WriteSet;
use crate::domain::booking::Booking;

pub const BOOKINGS_TREE: &str = "bookings";

impl Record for Booking {
    const TREE: &'static str = BOOKINGS_TREE;
}

fn day_prefix(date: NaiveDate) -> [u8; 4] {
    (date.num_days_from_ce() as u32).to_be_bytes()
}

fn booking_key(date: NaiveDate, id: u64) -> Vec<u8> {
    let mut key = day_prefix(date).to_vec();
    key.extend_from_slice(&id.to_be_bytes());
    key
}

use chrono::Datelike;

impl Vault {
    /// A new id, unique in this store.
    pub fn next_id(&self) -> Result<u64, StoreError> {
        self.store().db.generate_id().map_err(|e| self.sled_err(e))
    }

    pub fn bookings_on(&self, date: NaiveDate) -> Result<Vec<Booking>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(BOOKINGS_TREE)?.scan_prefix(day_prefix(date)) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.open_sealed::<Booking>(Scope::Clinic, &key, &sealed)?);
        }
        Ok(out)
    }

    pub fn booking(&self, date: NaiveDate, id: u64) -> Result<Option<Booking>, StoreError> {
        self.get(Scope::Clinic, &booking_key(date, id))
    }

    /// Stages a booking; `moved_from` removes it from the day it was on.
    pub fn stage_booking(
        &self,
        writes: &mut WriteSet,
        booking: &Booking,
        moved_from: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        if let Some(old) = moved_from.filter(|d| *d != booking.date) {
            writes.delete(&self.tree(BOOKINGS_TREE)?, booking_key(old, booking.id));
        }
        self.stage_put(
            writes,
            Scope::Clinic,
            &booking_key(booking.date, booking.id),
            booking,
        )
    }
}
