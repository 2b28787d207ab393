//! Audit events as rows: written as JSON lines or CSV for an inclusive UTC date range,
//! and served to the auditor's screens through the service.

use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat};
use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};

use super::detail::TextOpener;
use super::record::AuditRecord;

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

/// One audit event; the field names are a contract for auditors' scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: u64,
    pub time: String,
    pub user: String,
    pub role: String,
    pub os_user: String,
    pub ssh_client: String,
    pub session: String,
    pub action: String,
    pub subjects: Vec<String>,
    pub outcome: String,
    pub detail: String,
    pub hash: String,
}

const CSV_HEADER: [&str; 12] = [
    "seq",
    "time",
    "user",
    "role",
    "os_user",
    "ssh_client",
    "session",
    "action",
    "subjects",
    "outcome",
    "detail",
    "hash",
];

/// Visits the events dated from `from` to `to` (both inclusive, UTC), oldest first,
/// until `visit` returns false.
/// Sealed details are opened by `opener` (`audit::detail`).
pub fn for_each_row(
    tree: &sled::Tree,
    opener: &dyn TextOpener,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    visit: impl FnMut(AuditRow) -> Result<bool, ExportError>,
) -> Result<(), ExportError> {
    for_each_row_after(tree, opener, None, from, to, visit)
}

/// The same, starting after record `after` (a page of a long log reads only its own
/// records).
pub fn for_each_row_after(
    tree: &sled::Tree,
    opener: &dyn TextOpener,
    after: Option<u64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    mut visit: impl FnMut(AuditRow) -> Result<bool, ExportError>,
) -> Result<(), ExportError> {
    let start = match after {
        Some(seq) if seq < u64::MAX => crate::audit::log::record_key(seq + 1).to_vec(),
        Some(_) => return Ok(()),
        None => b"r".to_vec(),
    };
    for item in tree.range(start..b"s".to_vec()) {
        let (_, value) = item.map_err(|e| ExportError::Read(e.to_string()))?;
        let record = AuditRecord::decode(&value).map_err(|e| ExportError::Read(e.to_string()))?;
        let Some(time) = DateTime::from_timestamp_millis(record.time_ms) else {
            continue;
        };
        let day = time.date_naive();
        if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
            continue;
        }
        let Some(event) = record.body.event(opener) else {
            continue;
        };
        let actor = event.actor;
        let row = AuditRow {
            seq: record.seq,
            time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
            user: actor.user.unwrap_or_default(),
            role: actor.role.unwrap_or_default(),
            os_user: actor.os_user,
            ssh_client: actor.ssh_client.unwrap_or_default(),
            session: actor.session.unwrap_or_default(),
            action: event.action,
            subjects: event.subjects,
            outcome: event.outcome.as_str().to_string(),
            detail: event.detail.unwrap_or_default(),
            hash: HEXLOWER.encode(&record.hash),
        };
        if !visit(row)? {
            break;
        }
    }
    Ok(())
}

/// Writes the events in `format`; returns how many. CSV puts the subjects in one
/// column, separated by spaces; JSON lines give them as an array.
pub fn export(
    tree: &sled::Tree,
    opener: &dyn TextOpener,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut writer = RowWriter::new(format, out)?;
    for_each_row(tree, opener, from, to, |row| {
        writer.write(&row)?;
        Ok(true)
    })?;
    writer.finish()
}

/// A CSV cell a spreadsheet takes as text, never as a formula (OWASP's CSV injection
/// guidance): a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
/// leading single quote. Control characters (ESC and the rest of C0, DEL, C1) become
/// U+FFFD, so nothing in the log can drive the terminal that shows the file.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !formula && !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 1);
    if formula {
        out.push('\'');
    }
    out.extend(
        text.chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c }),
    );
    std::borrow::Cow::Owned(out)
}

/// serde_json escapes C0 control characters (ESC as `\u001b`) but passes DEL and C1
/// through raw; those are escaped here too. They can only occur inside strings.
fn escape_json_controls(line: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&line) else {
        return line;
    };
    if !text.chars().any(char::is_control) {
        return line;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into_bytes()
}

fn write_error(e: &dyn std::fmt::Display) -> ExportError {
    ExportError::Write(e.to_string())
}

/// Writes rows one by one as JSON lines or CSV (with its header first): the export
/// of the store here, or of pages read through the clinic server.
pub struct RowWriter<'a> {
    jsonl: Option<&'a mut dyn Write>,
    csv: Option<csv::Writer<&'a mut dyn Write>>,
    count: u64,
}

impl<'a> RowWriter<'a> {
    pub fn new(format: Format, out: &'a mut dyn Write) -> Result<RowWriter<'a>, ExportError> {
        Ok(match format {
            Format::Jsonl => RowWriter {
                jsonl: Some(out),
                csv: None,
                count: 0,
            },
            Format::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(CSV_HEADER).map_err(|e| write_error(&e))?;
                RowWriter {
                    jsonl: None,
                    csv: Some(csv),
                    count: 0,
                }
            }
        })
    }

    pub fn write(&mut self, row: &AuditRow) -> Result<(), ExportError> {
        if let Some(out) = self.jsonl.as_mut() {
            let mut line =
                escape_json_controls(serde_json::to_vec(row).map_err(|e| write_error(&e))?);
            line.push(b'\n');
            out.write_all(&line).map_err(|e| write_error(&e))?;
        }
        if let Some(csv) = self.csv.as_mut() {
            let seq = row.seq.to_string();
            let subjects = row.subjects.join(" ");
            let cells = [
                seq.as_str(),
                &row.time,
                &row.user,
                &row.role,
                &row.os_user,
                &row.ssh_client,
                &row.session,
                &row.action,
                &subjects,
                &row.outcome,
                &row.detail,
                &row.hash,
            ];
            csv.write_record(cells.map(csv_cell).iter().map(|c| c.as_ref()))
                .map_err(|e| write_error(&e))?;
        }
        self.count += 1;
        Ok(())
    }

    /// Flushes; returns how many rows were written.
    pub fn finish(mut self) -> Result<u64, ExportError> {
        if let Some(out) = self.jsonl.as_mut() {
            out.flush().map_err(|e| write_error(&e))?;
        }
        if let Some(csv) = self.csv.as_mut() {
            csv.flush().map_err(|e| write_error(&e))?;
        }
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_controls_replaced() {
        assert_eq!(csv_cell("nurse1"), "nurse1");
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(
            csv_cell("a\u{1b}[2Jb\u{9b}c\u{7f}"),
            "a\u{fffd}[2Jb\u{fffd}c\u{fffd}"
        );
        let line = escape_json_controls(serde_json::to_vec("x\u{9b}\u{1b}y").unwrap());
        assert_eq!(String::from_utf8(line).unwrap(), "\"x\\u009b\\u001by\"");
    }
}
