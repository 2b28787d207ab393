//! Writes audit events as JSON lines or CSV for an inclusive UTC date range.

use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat};
use data_encoding::HEXLOWER;
use serde::Serialize;

use super::record::{AuditRecord, RecordBody};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the audit log cannot be read: {0}")]
    Read(String),
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// One exported row; the keys are a contract for auditors' scripts.
#[derive(Serialize)]
struct Row<'a, S: Serialize> {
    seq: u64,
    time: String,
    user: &'a str,
    role: &'a str,
    os_user: &'a str,
    ssh_client: &'a str,
    session: &'a str,
    action: &'a str,
    subjects: S,
    outcome: &'a str,
    detail: &'a str,
    hash: String,
}

/// Exports the events dated from `from` to `to` (both inclusive, UTC); returns the count.
pub fn export(
    tree: &sled::Tree,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut sink = match format {
        Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
        Format::Jsonl => Sink::Json(out, Vec::new()),
    };
    let mut count = 0;
    for item in tree.range(&b"r"[..]..&b"s"[..]) {
        let (_, value) = item.map_err(|e| ExportError::Read(e.to_string()))?;
        let record = AuditRecord::decode(&value).map_err(|e| ExportError::Read(e.to_string()))?;
        let RecordBody::Event(event) = &record.body else {
            continue;
        };
        let Some(time) = DateTime::from_timestamp_millis(record.time_ms) else {
            continue;
        };
        let day = time.date_naive();
        if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
            continue;
        }
        let row = Row {
            seq: record.seq,
            time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
            user: event.actor.user.as_deref().unwrap_or(""),
            role: event.actor.role.as_deref().unwrap_or(""),
            os_user: &event.actor.os_user,
            ssh_client: event.actor.ssh_client.as_deref().unwrap_or(""),
            session: event.actor.session.as_deref().unwrap_or(""),
            action: &event.action,
            subjects: (),
            outcome: event.outcome.as_str(),
            detail: event.detail.as_deref().unwrap_or(""),
            hash: HEXLOWER.encode(&record.hash),
        };
        sink.write(row, &event.subjects)
            .map_err(|e| ExportError::Write(e.to_string()))?;
        count += 1;
    }
    sink.flush()
        .map_err(|e| ExportError::Write(e.to_string()))?;
    Ok(count)
}

impl<'a> Row<'a, ()> {
    fn with_subjects<S: Serialize>(self, subjects: S) -> Row<'a, S> {
        Row {
            seq: self.seq,
            time: self.time,
            user: self.user,
            role: self.role,
            os_user: self.os_user,
            ssh_client: self.ssh_client,
            session: self.session,
            action: self.action,
            subjects,
            outcome: self.outcome,
            detail: self.detail,
            hash: self.hash,
        }
    }
}

enum Sink<'w> {
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Json(&'w mut dyn Write, Vec<u8>),
}

impl Sink<'_> {
    /// CSV gets the subjects space-separated in one column, JSON an array.
    fn write(
        &mut self,
        row: Row<'_, ()>,
        subjects: &[String],
    ) -> Result<(), Box<dyn std::error::Error>> {
        match self {
            Sink::Csv(w) => w.serialize(row.with_subjects(subjects.join(" ")))?,
            Sink::Json(out, line) => {
                line.clear();
                serde_json::to_writer(&mut *line, &row.with_subjects(subjects))?;
                line.push(b'\n');
                out.write_all(line)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => w.flush(),
            Sink::Json(out, _) => out.flush(),
        }
    }
}
