//! One ORU message: MSH, the patient (PID), order groups (OBR) and their results
//! (OBX). Each OBX is accepted or refused on its own: a refused one is reported with
//! its segment, field and reason (`Incoming::unread`) and the rest of the message is
//! kept. Only a message that cannot be read at all is refused whole: no MSH, not a
//! result message, no PID, no OBX.

use crate::i18n::Text;
use crate::text;
use chrono::NaiveDate;

use super::segments::{Delimiters, Segment, segments};
use super::time::{Stamp, read};
use super::values::{test, value};
use crate::domain::observation::{Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{IdType, Patient, Sex};
use crate::ingest::{Incoming, Rejected};

/// A whole message refused: where, and why.
pub(super) type Failure = (String, Text);

fn sex(code: &str) -> Sex {
    match code {
        "F" => Sex::Female,
        "M" => Sex::Male,
        "O" | "A" => Sex::Other,
        _ => Sex::Unknown,
    }
}

/// The patient as PID describes them (to create them from the review list).
fn patient(pid: &Segment<'_>, d: &Delimiters) -> Patient {
    let name = pid.field(5);
    let family = d.unescape(d.component(name, 0));
    let given = d.unescape(d.component(name, 1));
    let full = match (family.is_empty(), given.is_empty()) {
        (false, false) if family.is_ascii() => format!("{given} {family}"),
        _ => format!("{family}{given}"),
    };
    let birth = pid.field(7);
    let phone = d.component(d.repetitions(pid.field(13)).next().unwrap_or(""), 0);
    let address: Vec<String> = d
        .components(d.repetitions(pid.field(11)).next().unwrap_or(""))
        .iter()
        .take(5)
        .filter(|p| !p.is_empty())
        .map(|p| d.unescape(p))
        .collect();
    Patient {
        name: full.trim().to_string(),
        sex: sex(pid.field(8)),
        birth_date: birth
            .get(0..8)
            .and_then(|b| NaiveDate::parse_from_str(b, "%Y%m%d").ok()),
        phone: (!phone.is_empty()).then(|| phone.to_string()),
        id_type: IdType::Other,
        id_number: None,
        address: (!address.is_empty()).then(|| address.join(", ")),
        ..Patient::default()
    }
}

/// The sender's identifiers for the patient: PID-3 (the patient identifier list);
/// when PID-3 is empty, the other identifier fields: PID-2 (external ID), PID-4
/// (alternate ID), PID-19 (national number), PID-20 (driver's licence). Never the
/// name: a message without any of these goes to the review list.
fn patient_ids(pid: &Segment<'_>, d: &Delimiters) -> Vec<String> {
    let from = |field: usize| -> Vec<String> {
        d.repetitions(pid.field(field))
            .map(|r| d.text(r, 0))
            .filter(|id| !id.is_empty())
            .collect()
    };
    let listed = from(3);
    if !listed.is_empty() {
        return listed;
    }
    let mut ids = Vec::new();
    for field in [2, 4, 19, 20] {
        for id in from(field) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

struct Context<'a> {
    origin: &'a str,
    d: Delimiters,
    /// OBR-7 of the current order group, for OBX without their own time.
    order_time: Option<Stamp>,
    /// MSH-7, the last resort.
    message_time: Option<Stamp>,
}

/// One OBX's results (a repeated value gives one each), each with whether its time
/// had an offset; or why the OBX cannot be read: (field, reason).
fn observations(
    obx: &Segment<'_>,
    cx: &Context<'_>,
    skipped: &mut u64,
) -> Result<Vec<(Observation, bool)>, (usize, Text)> {
    let d = &cx.d;
    let value_type = obx.field(2).trim();
    if matches!(value_type, "ED" | "RP") {
        // An attached document or a pointer to one: not a result caredesk keeps.
        *skipped += 1;
        return Ok(Vec::new());
    }
    let test = test(d, obx.field(3)).map_err(|e| (3, e))?;
    let raw_values: Vec<&str> = d.repetitions(obx.field(5)).collect();
    if raw_values.is_empty() {
        // A pending result without a value yet, or one that could not be obtained
        // (status X): nothing to keep.
        *skipped += 1;
        return Ok(Vec::new());
    }
    let time_field = obx.field(14);
    let taken = if time_field.trim().is_empty() {
        cx.order_time.or(cx.message_time)
    } else {
        Some(read(time_field).ok_or_else(|| (14, text!("msg.ingest.hl7_time")))?)
    }
    .ok_or_else(|| (14, text!("msg.ingest.hl7_no_time")))?;
    let unit = Some(d.text(obx.field(6), 0)).filter(|u| !u.is_empty());
    let range = RefRange::parse(&d.unescape(obx.field(7)));
    let flags: Vec<String> = d
        .repetitions(obx.field(8))
        .map(|f| d.component(f, 0).trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    // As the lab sent it (F, C, P, R, X, D, I, S, W …): what a status means for
    // trends and exports is decided where they are made, not here.
    let status = Some(obx.field(11).trim().to_string()).filter(|s| !s.is_empty());
    let mut out = Vec::new();
    for raw in raw_values {
        let Some(value) = value(d, value_type, raw).map_err(|e| (5, e))? else {
            // An attached document or a pointer to one: not a result caredesk keeps.
            *skipped += 1;
            return Ok(Vec::new());
        };
        out.push((
            Observation {
                system: test.system.clone(),
                code: test.code.clone(),
                display: test.display.clone(),
                value,
                unit: unit.clone(),
                range: range.clone(),
                flags: flags.clone(),
                taken_at: taken.unix,
                status: status.clone(),
                source: Source {
                    kind: SourceKind::Hl7,
                    reference: cx.origin.to_string(),
                },
            },
            taken.offset,
        ));
    }
    Ok(out)
}

/// The name of the test an OBX names, for a refusal a clerk can act on.
fn what(obx: &Segment<'_>, d: &Delimiters) -> Option<String> {
    let field = obx.field(3);
    if test(d, field).is_err() {
        // The reason names the code itself.
        return None;
    }
    let (code, text) = match d.text(field, 0) {
        c if c.is_empty() => (d.text(field, 3), d.text(field, 4)),
        c => (c, d.text(field, 1)),
    };
    match (code.is_empty(), text.is_empty()) {
        (true, true) => None,
        (false, true) => Some(code.to_string()),
        (true, false) => Some(text.to_string()),
        (false, false) => Some(format!("{code} {text}")),
    }
}

/// One message (its segment lines) as an `Incoming`, or why it cannot be read at all.
pub(super) fn message(
    lines: &[&str],
    origin: &str,
    skipped: &mut u64,
) -> Result<Incoming, Failure> {
    let first = lines.first().copied().unwrap_or("");
    if !first.starts_with("MSH") || first.len() < 8 {
        return Err(("MSH 1".into(), text!("msg.ingest.hl7_no_msh")));
    }
    let d = Delimiters::of_msh(first);
    let segments = segments(lines, &d);
    let msh = &segments[0];
    let kind = msh.field(9);
    if d.component(kind, 0) != "ORU" {
        return Err((
            msh.place(9),
            text!(
                "msg.ingest.hl7_not_result",
                kind = kind.replace(d.component, "^")
            ),
        ));
    }
    let control = msh.field(10);
    let origin = if control.is_empty() {
        origin.to_string()
    } else {
        format!("{origin} ({control})")
    };
    let mut cx = Context {
        origin: &origin,
        d,
        order_time: None,
        message_time: read(msh.field(7)),
    };
    let Some(pid) = segments.iter().find(|s| s.name == "PID") else {
        return Err(("PID".into(), text!("msg.ingest.hl7_no_pid")));
    };
    if !segments.iter().any(|s| s.name == "OBX") {
        return Err(("OBX".into(), text!("msg.ingest.hl7_no_obx")));
    }
    let mut incoming = Incoming {
        origin: origin.clone(),
        patient_ids: patient_ids(pid, &d),
        patient: Some(patient(pid, &d)),
        ..Incoming::default()
    };
    // OBR-7 of the current group when it cannot be read: (place, reason).
    let mut order_problem: Option<(String, Text)> = None;
    for segment in &segments {
        match segment.name {
            "OBR" => {
                let time = segment.field(7);
                order_problem = None;
                cx.order_time = if time.trim().is_empty() {
                    None
                } else {
                    let stamp = read(time);
                    if stamp.is_none() {
                        // Its results may still carry their own times.
                        order_problem = Some((segment.place(7), text!("msg.ingest.hl7_time")));
                    }
                    stamp
                };
            }
            "OBX" => {
                let own_time = !segment.field(14).trim().is_empty();
                let found = match &order_problem {
                    // Without a time of its own, in a group whose time is unreadable:
                    // MSH-7 would date it wrongly, so the group's time is the reason.
                    Some(problem) if !own_time => Err(problem.clone()),
                    _ => observations(segment, &cx, skipped)
                        .map_err(|(field, reason)| (segment.place(field), reason)),
                };
                match found {
                    Ok(found) => {
                        for (observation, offset) in found {
                            if !offset {
                                incoming
                                    .local_times
                                    .push(incoming.observations.len() as u32);
                            }
                            incoming.observations.push(observation);
                        }
                    }
                    Err((place, reason)) => incoming.unread.push(Rejected {
                        origin: origin.clone(),
                        place,
                        reason: match what(segment, &d) {
                            Some(what) => {
                                text!("msg.ingest.about", what = what).arg_text("reason", reason)
                            }
                            None => reason,
                        },
                    }),
                }
            }
            _ => {}
        }
    }
    Ok(incoming)
}
