//! Patient import: every row checked as the registration form checks it, duplicates
//! (in the store or earlier in the file) skipped, a card issued to each new patient,
//! all in one transaction with one audit record carrying the counts.

use crate::text;
use std::collections::HashSet;

use super::cards::{duplicates, new_card, today, validate};
use crate::clinic::api::{ImportRow, ImportSummary, Response, ServiceError};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::domain::identity::parse_date;
use crate::domain::patient::{IdType, Patient, Sex};
use crate::store::writes::WriteSet;

/// The largest import taken in one request (one transaction).
pub const MAX_ROWS: usize = 50_000;

fn cell<'a>(row: &'a ImportRow, name: &str) -> &'a str {
    row.cells.get(name).map(String::as_str).unwrap_or("").trim()
}

fn optional(row: &ImportRow, name: &str) -> Option<String> {
    Some(cell(row, name).to_string()).filter(|v| !v.is_empty())
}

/// The row as a patient, or why not.
fn read(row: &ImportRow, ctx: &Ctx<'_>) -> Result<(Patient, String), String> {
    let sex = match cell(row, "sex") {
        "" => Sex::Unknown,
        text => {
            Sex::parse(text).ok_or_else(|| format!("sex {text:?}: write F, M or O (or 女, 男)"))?
        }
    };
    let birth = match cell(row, "birth_date") {
        "" => None,
        text => Some(parse_date(text, today(ctx)).map_err(|e| format!("birth_date: {e}"))?),
    };
    let id_type = IdType::parse(cell(row, "id_type")).ok_or_else(|| {
        format!(
            "id_type {:?}: write R, P, O or a document code (02, 04, 05, 06, 07)",
            cell(row, "id_type")
        )
    })?;
    let patient = Patient {
        name: cell(row, "name").to_string(),
        sex,
        birth_date: birth,
        phone: optional(row, "phone"),
        id_type,
        id_number: optional(row, "id_number"),
        address: optional(row, "address"),
        emergency_contact: optional(row, "emergency_contact"),
        restricted: false,
        tags: Vec::new(),
        record_number: None,
    };
    let patient = validate(&patient, today(ctx)).map_err(|e| e.to_string())?;
    let card_type = optional(row, "card_type").unwrap_or_else(|| "basic".into());
    Ok((patient, card_type))
}

pub(crate) fn patients(ctx: &Ctx<'_>, rows: Vec<ImportRow>) -> Result<Reply, ServiceError> {
    if rows.len() > MAX_ROWS {
        return Err(ServiceError::Invalid(text!(
            "msg.import.too_many_rows",
            rows = rows.len(),
            max = MAX_ROWS
        )));
    }
    let settings = ctx.clinic.settings().cards.clone();
    let mut summary = ImportSummary::default();
    let mut writes = WriteSet::new();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_phones: HashSet<(String, chrono::NaiveDate)> = HashSet::new();
    let mut effects = Vec::new();
    for row in &rows {
        let (patient, card_type) = match read(row, ctx) {
            Ok(read) => read,
            Err(reason) => {
                summary.rejected.push((row.line, reason));
                continue;
            }
        };
        let in_file = patient
            .id_number
            .as_ref()
            .is_some_and(|n| seen_ids.contains(n))
            || matches!((&patient.phone, patient.birth_date), (Some(p), Some(b)) if seen_phones.contains(&(p.clone(), b)));
        if in_file || !duplicates(ctx, &patient)?.is_empty() {
            summary.duplicates += 1;
            continue;
        }
        let card = match new_card(ctx, &settings, &card_type) {
            Ok(card) => card,
            Err(e) => {
                summary.rejected.push((row.line, e.to_string()));
                continue;
            }
        };
        if let Some(number) = &patient.id_number {
            seen_ids.insert(number.clone());
        }
        if let (Some(phone), Some(birth)) = (&patient.phone, patient.birth_date) {
            seen_phones.insert((phone.clone(), birth));
        }
        let mut patient = patient;
        super::cards::give_record_number(ctx, &mut writes, &mut patient, false)?;
        let id = ctx.vault.stage_create_patient(&mut writes, &patient)?;
        ctx.vault.stage_card(&mut writes, &id, &card, true)?;
        effects.push((id, patient));
        summary.imported += 1;
    }
    let detail = format!(
        "rows={} imported={} duplicates={} rejected={}",
        rows.len(),
        summary.imported,
        summary.duplicates,
        summary.rejected.len()
    );
    Ok(Reply::new(Response::ImportSummary(summary))
        .writes(writes)
        .detail(detail)
        .effect(Effect::ReindexMany(effects)))
}
