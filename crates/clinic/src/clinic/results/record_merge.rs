//! What an imported message reports for the health record merged into it: diagnoses,
//! medicines, allergies, family history, race and smoking (each entry made to pass the
//! record's own checks, an entry already there not added twice), staged as amendments;
//! and what a caredesk FHIR export made from the record (smoking status, height,
//! weight, waist: `Reported::record`) read back into lifestyle and measurements, with
//! the day they were measured: they are not results.

use std::collections::HashMap;

use crate::clinic::api::ServiceError;
use crate::clinic::service::Ctx;
use crate::domain::amendment::{Amendment, SectionValue};
use crate::domain::health::{HealthRecord, Measurements, Smoking, Tenths};
use crate::domain::observation::{ObsValue, Observation};
use crate::domain::patient::PatientId;
use crate::domain::record_form;
use crate::ingest::Incoming;
use crate::store::writes::WriteSet;

const HEIGHT: &str = "8302-2";
const WEIGHT: &str = "29463-7";
const WAIST: &str = "8280-0";

/// The latest smoking status among `observations` (results or the record's), with
/// its time.
pub(crate) fn latest_smoking<'a>(
    observations: impl IntoIterator<Item = &'a Observation>,
) -> Option<(i64, Smoking)> {
    observations
        .into_iter()
        .filter_map(|o| crate::ingest::fhir::smoking(o).map(|s| (o.taken_at, s)))
        .max_by_key(|(at, _)| *at)
}

/// A quantity in the unit the record keeps (cm or kg), to a tenth.
fn tenths(o: &Observation, unit: &str) -> Option<Tenths> {
    let ObsValue::Quantity {
        value,
        comparator: None,
    } = &o.value
    else {
        return None;
    };
    if o.unit.as_deref().map(str::trim) != Some(unit) {
        return None;
    }
    Tenths::parse(&value.to_string())
}

/// `current` with the height, weight and waist the record's observations give (each
/// the latest), and the day the latest was measured; unchanged when they are older
/// than what the record holds.
pub(crate) fn measurements(current: &Measurements, record: &[Observation]) -> Measurements {
    let mut out = current.clone();
    let mut latest: Option<i64> = None;
    for (code, unit) in [(HEIGHT, "cm"), (WEIGHT, "kg"), (WAIST, "cm")] {
        let Some((at, value)) = record
            .iter()
            .filter(|o| o.code == code)
            .filter_map(|o| tenths(o, unit).map(|v| (o.taken_at, v)))
            .max_by_key(|(at, _)| *at)
        else {
            continue;
        };
        let day = chrono::DateTime::from_timestamp(at, 0).map(|t| t.date_naive());
        if current.measured_on.is_some() && day < current.measured_on {
            continue;
        }
        match code {
            HEIGHT => out.height_cm = Some(value),
            WEIGHT => out.weight_kg = Some(value),
            _ => out.waist_cm = Some(value),
        }
        latest = latest.max(Some(at));
    }
    if let Some(at) = latest {
        out.measured_on = chrono::DateTime::from_timestamp(at, 0).map(|t| t.date_naive());
    }
    out
}

/// The record as this batch is changing it, with the amendments that change it.
pub(crate) type WorkingRecords = HashMap<PatientId, (HealthRecord, Vec<Amendment>)>;

/// Adds each incoming entry not already in `current` (by `same`); one that is there
/// takes what `update` copies from the incoming one. Entries are first made to pass the
/// record's own checks (`fit`), or left out.
fn merged<T: Clone>(
    current: &[T],
    incoming: &[T],
    fit: impl Fn(T) -> Option<T>,
    same: impl Fn(&T, &T) -> bool,
    update: impl Fn(&mut T, &T),
) -> Vec<T> {
    let mut out = current.to_vec();
    for entry in incoming.iter().cloned().filter_map(&fit) {
        match out.iter_mut().find(|known| same(known, &entry)) {
            Some(known) => update(known, &entry),
            None => out.push(entry),
        }
    }
    out
}

/// Sets `slot` to `value` when the sender states one and it differs.
fn take<T: Clone + PartialEq>(slot: &mut Option<T>, value: &Option<T>) {
    if value.is_some() && slot != value {
        slot.clone_from(value);
    }
}

/// The same coded thing: same code and system when both are coded, else same words.
fn same_thing(
    (code, system, words): (&Option<String>, &Option<String>, &str),
    (other_code, other_system, other_words): (&Option<String>, &Option<String>, &str),
) -> bool {
    match (code, other_code) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) && system == other_system,
        _ => words.trim().eq_ignore_ascii_case(other_words.trim()),
    }
}

/// A value the record editor accepts, trying it whole, then without the parts listed
/// in `loosen` one after another (a date in the future, a malformed code …).
fn fitted<T: Clone>(entry: T, ok: impl Fn(&T) -> bool, loosen: &[fn(&mut T)]) -> Option<T> {
    let mut entry = entry;
    if ok(&entry) {
        return Some(entry);
    }
    for step in loosen {
        step(&mut entry);
        if ok(&entry) {
            return Some(entry);
        }
    }
    None
}

/// What a message reports for the record (diagnoses, medicines, allergies, family
/// history, smoking status, race) is added to it as amendments by the importing user,
/// the message named as the reason. An entry already there (same code, or same name
/// when uncoded, and the same onset or start) is not added twice; its statuses are
/// updated from the message.
pub(crate) fn merge_into_record(
    ctx: &Ctx<'_>,
    working: &mut WorkingRecords,
    id: &PatientId,
    message: &Incoming,
) -> Result<(), ServiceError> {
    let reported = &message.reported;
    let smoking = super::record_merge::latest_smoking(
        message
            .observations
            .iter()
            .chain(&reported.record)
            .filter(|o| o.counts()),
    )
    .map(|(_, s)| s);
    if message.conditions.is_empty()
        && message.medications.is_empty()
        && reported.allergies.is_empty()
        && reported.family_history.is_empty()
        && reported.race.is_empty()
        && reported.record.is_empty()
        && reported.surgeries.is_empty()
        && reported.basic_info.is_none()
        && smoking.is_none()
    {
        return Ok(());
    }
    if !working.contains_key(id) {
        working.insert(*id, (ctx.vault.health(id)?, Vec::new()));
    }
    let Some((record, amendments)) = working.get_mut(id) else {
        return Ok(());
    };
    let today = crate::clinic::desk::cards::today(ctx);
    let mut change = |before: SectionValue, after: SectionValue, record: &mut HealthRecord| {
        // Each entry was fitted to the record's checks; a section that still fails
        // (an old value that no longer would) is left as it is.
        let Ok(after) = record_form::check(&after, today) else {
            return;
        };
        if before != after {
            amendments.push(Amendment {
                at: ctx.now,
                by: ctx.session.user.clone(),
                role: ctx.session.role,
                reason: format!("imported from {}", message.origin),
                before,
                after: after.clone(),
            });
            after.apply_to(record);
        }
    };
    let passes = |value: SectionValue| record_form::check(&value, today).is_ok();
    let illnesses = merged(
        &record.past_illnesses,
        &message.conditions,
        |c| {
            fitted(
                c,
                |c| passes(SectionValue::PastIllnesses(vec![c.clone()])),
                &[|c| c.since = None, |c| (c.code, c.system) = (None, None)],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.name),
                (&new.code, &new.system, &new.name),
            ) && (known.since == new.since || known.since.is_none())
        },
        |known, new| {
            take(&mut known.since, &new.since);
            take(&mut known.clinical_status, &new.clinical_status);
            take(&mut known.verification, &new.verification);
        },
    );
    change(
        SectionValue::PastIllnesses(record.past_illnesses.clone()),
        SectionValue::PastIllnesses(illnesses),
        record,
    );
    let medicines = merged(
        &record.medications,
        &message.medications,
        |m| {
            fitted(
                m,
                |m| passes(SectionValue::Medications(vec![m.clone()])),
                &[
                    |m| (m.started, m.ended) = (None, None),
                    |m| (m.code, m.system) = (None, None),
                    |m| (m.dose, m.frequency) = (None, None),
                ],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.name),
                (&new.code, &new.system, &new.name),
            ) && (known.started == new.started || known.started.is_none())
        },
        |known, new| {
            take(&mut known.started, &new.started);
            take(&mut known.status, &new.status);
            take(&mut known.ended, &new.ended);
            if known.dose.is_none() {
                known.dose.clone_from(&new.dose);
            }
        },
    );
    change(
        SectionValue::Medications(record.medications.clone()),
        SectionValue::Medications(medicines),
        record,
    );
    let allergies = merged(
        &record.allergies,
        &reported.allergies,
        |a| {
            fitted(
                a,
                |a| passes(SectionValue::Allergies(vec![a.clone()])),
                &[|a| (a.code, a.system) = (None, None), |a| a.reaction = None],
            )
        },
        |known, new| {
            same_thing(
                (&known.code, &known.system, &known.substance),
                (&new.code, &new.system, &new.substance),
            )
        },
        |known, new| {
            if known.reaction.is_none() {
                known.reaction.clone_from(&new.reaction);
            }
            take(&mut known.severity, &new.severity);
        },
    );
    change(
        SectionValue::Allergies(record.allergies.clone()),
        SectionValue::Allergies(allergies),
        record,
    );
    let surgeries = merged(
        &record.surgeries,
        &reported.surgeries,
        |s| {
            fitted(
                s,
                |s| passes(SectionValue::Surgeries(vec![s.clone()])),
                &[|s| s.year = None],
            )
        },
        |known, new| {
            known.name.trim().eq_ignore_ascii_case(new.name.trim())
                && (known.year == new.year || known.year.is_none())
        },
        |known, new| {
            take(&mut known.year, &new.year);
            if known.note.is_none() {
                known.note.clone_from(&new.note);
            }
        },
    );
    change(
        SectionValue::Surgeries(record.surgeries.clone()),
        SectionValue::Surgeries(surgeries),
        record,
    );
    let family = merged(
        &record.family_history,
        &reported.family_history,
        |f| {
            fitted(
                f,
                |f| passes(SectionValue::FamilyHistory(vec![f.clone()])),
                &[|f| (f.code, f.system) = (None, None)],
            )
        },
        |known, new| {
            known
                .relative
                .trim()
                .eq_ignore_ascii_case(new.relative.trim())
                && same_thing(
                    (&known.code, &known.system, &known.condition),
                    (&new.code, &new.system, &new.condition),
                )
        },
        |_, _| {},
    );
    change(
        SectionValue::FamilyHistory(record.family_history.clone()),
        SectionValue::FamilyHistory(family),
        record,
    );
    if let Some(smoking) = smoking {
        let mut lifestyle = record.lifestyle.clone();
        lifestyle.smoking = Some(smoking);
        change(
            SectionValue::Lifestyle(record.lifestyle.clone()),
            SectionValue::Lifestyle(lifestyle),
            record,
        );
    }
    if !reported.race.is_empty() || !reported.record.is_empty() {
        let mut measurements =
            super::record_merge::measurements(&record.measurements, &reported.record);
        if !reported.race.is_empty() {
            measurements.race.clone_from(&reported.race);
        }
        change(
            SectionValue::Measurements(record.measurements.clone()),
            SectionValue::Measurements(measurements),
            record,
        );
    }
    if let Some(basic) = &reported.basic_info {
        change(
            SectionValue::BasicInfo(record.basic.clone()),
            SectionValue::BasicInfo(record.basic.filled_from(basic)),
            record,
        );
    }
    Ok(())
}

/// Stages the changed records and their amendments; returns how many amendments.
pub(crate) fn stage_record_changes(
    ctx: &Ctx<'_>,
    writes: &mut WriteSet,
    working: &WorkingRecords,
) -> Result<u64, ServiceError> {
    let mut count = 0;
    for (id, (record, amendments)) in working {
        if !amendments.is_empty() {
            ctx.vault.stage_health(writes, id, record)?;
            for amendment in amendments {
                ctx.vault.stage_amendment(writes, id, amendment)?;
            }
            count += amendments.len() as u64;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal::Decimal;

    fn at(day: &str) -> i64 {
        crate::ingest::fhir::parse_time(day).unwrap()
    }

    #[test]
    fn the_latest_of_each_with_its_day() {
        let reading = |code: &str, value: &str, unit: &str, day: &str| {
            Observation::typed_in(code, Decimal::parse(value).unwrap(), unit, at(day))
        };
        let record = [
            reading(HEIGHT, "172.5", "cm", "2030-01-05"),
            reading(WEIGHT, "70", "kg", "2029-01-05"),
            reading(WEIGHT, "68.4", "kg", "2030-01-05"),
            reading(WAIST, "80", "[in_i]", "2030-01-05"),
        ];
        let m = measurements(&Measurements::default(), &record);
        assert_eq!(m.height_cm, Some(Tenths(1725)));
        assert_eq!(m.weight_kg, Some(Tenths(684)));
        assert_eq!(m.waist_cm, None, "not in the record's unit");
        assert_eq!(
            m.measured_on.map(|d| d.to_string()).as_deref(),
            Some("2030-01-05")
        );
        // Older than what the record holds: left as it is.
        let newer = Measurements {
            weight_kg: Some(Tenths(600)),
            measured_on: chrono::NaiveDate::from_ymd_opt(2031, 1, 1),
            ..Measurements::default()
        };
        assert_eq!(measurements(&newer, &record), newer);
    }
}
