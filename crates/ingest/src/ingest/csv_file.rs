//! Results from CSV files, read through a mapping (TOML) that names the columns: the
//! patient key, code, value, unit and time; optionally a patients file (to match by
//! further numbers and to create patients) and conditions and medications files that
//! feed the record. `mappings/synthea.toml` reads the Synthea CSV export.

use crate::i18n::Text;
use crate::text;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Incoming, Parsed, Rejected, loinc_valid};
use crate::domain::decimal::Decimal;
use crate::domain::health::{Condition, Medication};
use crate::domain::observation::{LOINC, ObsValue, Observation, RefRange, Source, SourceKind};
use crate::domain::patient::{IdType, Patient, Sex};

/// The mappings shipped with caredesk, by name.
pub const BUILT_IN: &[(&str, &str)] =
    &[("synthea", include_str!("../../../../mappings/synthea.toml"))];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub results: ResultColumns,
    pub patients: Option<PatientColumns>,
    pub conditions: Option<ConditionColumns>,
    pub medications: Option<MedicationColumns>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultColumns {
    pub patient: String,
    pub code: String,
    pub value: String,
    pub time: String,
    pub unit: Option<String>,
    pub display: Option<String>,
    pub range: Option<String>,
    pub flag: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The coding system of every code (LOINC when not given).
    pub system: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientColumns {
    pub file: String,
    pub id: String,
    pub name: Option<String>,
    pub given: Option<String>,
    pub family: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionColumns {
    pub file: String,
    pub patient: String,
    pub name: String,
    pub icd10: Option<String>,
    pub since: Option<String>,
    pub keep_if_contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicationColumns {
    pub file: String,
    pub patient: String,
    pub name: String,
    pub dose: Option<String>,
    pub stop: Option<String>,
}

/// A mapping by built-in name (`synthea`) or from a TOML file.
pub fn load_mapping(name_or_path: &str) -> anyhow::Result<Mapping> {
    let text = match BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
        Some((_, text)) => text.to_string(),
        None => std::fs::read_to_string(name_or_path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the mapping {name_or_path}: {e} (built-in mappings: {})",
                BUILT_IN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?,
    };
    toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the mapping {name_or_path}: {}", e.message()))
}

/// The line (1-based, as an editor or a spreadsheet numbers it) at which a record
/// starts, from its byte offset: counted here, since the `csv` crate's own count (and
/// its offset, which can stand on the "\n" of a CRLF) falls one short in a file with
/// Windows line ends. Offsets are
/// asked in rising order, so the text is read once.
pub struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut byte = (byte as usize).min(self.text.len());
        // After a CRLF the reader's offset can stand on the "\n" it has yet to eat:
        // the record starts past the line end.
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += newlines(&self.text[self.at..byte]);
        self.at = byte;
        self.line
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// A CSV file's rows as cells by header name, each with its line.
struct Table {
    rows: Vec<(u64, BTreeMap<String, String>)>,
}

impl Table {
    fn read(text: &str, file: &str, needed: &[&str]) -> Result<Table, Text> {
        let text = text.trim_start_matches('\u{feff}');
        let mut lines = LineCounter::new(text);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| text!("msg.ingest.csv_header", file = file, detail = e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if let Some(missing) = needed.iter().find(|n| !headers.iter().any(|h| h == *n)) {
            return Err(text!(
                "msg.ingest.csv_no_column",
                file = file,
                column = missing,
                header = headers.join(",")
            ));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record =
                record.map_err(|e| text!("msg.ingest.csv_unreadable", file = file, detail = e))?;
            let line = record
                .position()
                .map(|p| lines.line_at(p.byte()))
                .unwrap_or(0);
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cells = headers
                .iter()
                .zip(record.iter())
                .map(|(h, c)| (h.clone(), c.trim().to_string()))
                .collect();
            rows.push((line, cells));
        }
        Ok(Table { rows })
    }
}

fn cell<'a>(row: &'a BTreeMap<String, String>, column: &Option<String>) -> Option<&'a str> {
    column
        .as_ref()
        .and_then(|c| row.get(c))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn read_beside(results_file: &Path, name: &str) -> Result<String, Text> {
    let path = results_file.parent().unwrap_or(Path::new(".")).join(name);
    std::fs::read(&path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| {
            text!(
                "msg.ingest.beside_unreadable",
                path = path.display(),
                detail = e
            )
        })
}

/// What the mapping's other files say about each patient key.
#[derive(Default)]
struct Extra {
    patients: BTreeMap<String, (Vec<String>, Patient)>,
    conditions: BTreeMap<String, Vec<Condition>>,
    medications: BTreeMap<String, Vec<Medication>>,
}

fn extra(mapping: &Mapping, results_file: &Path) -> Result<Extra, Text> {
    let mut out = Extra::default();
    if let Some(p) = &mapping.patients {
        let text = read_beside(results_file, &p.file)?;
        let table = Table::read(&text, &p.file, &[p.id.as_str()])?;
        for (_, row) in table.rows {
            let Some(key) = row.get(&p.id).filter(|k| !k.is_empty()).cloned() else {
                continue;
            };
            let name = match cell(&row, &p.name) {
                Some(n) => n.to_string(),
                None => format!(
                    "{} {}",
                    cell(&row, &p.given).unwrap_or(""),
                    cell(&row, &p.family).unwrap_or("")
                )
                .trim()
                .to_string(),
            };
            let mut ids = vec![key.clone()];
            ids.extend(
                p.identifiers
                    .iter()
                    .filter_map(|c| row.get(c))
                    .filter(|v| !v.is_empty())
                    .cloned(),
            );
            let patient = Patient {
                name,
                sex: cell(&row, &p.sex).and_then(Sex::parse).unwrap_or_default(),
                birth_date: cell(&row, &p.birth_date).and_then(|d| {
                    chrono::NaiveDate::parse_from_str(d.get(0..10).unwrap_or(d), "%Y-%m-%d").ok()
                }),
                phone: cell(&row, &p.phone).map(str::to_string),
                id_type: IdType::Other,
                address: cell(&row, &p.address).map(str::to_string),
                ..Patient::default()
            };
            out.patients.insert(key, (ids, patient));
        }
    }
    if let Some(c) = &mapping.conditions {
        let text = read_beside(results_file, &c.file)?;
        let table = Table::read(&text, &c.file, &[c.patient.as_str(), c.name.as_str()])?;
        for (_, row) in table.rows {
            let (Some(key), Some(name)) = (row.get(&c.patient), row.get(&c.name)) else {
                continue;
            };
            if c.keep_if_contains
                .as_ref()
                .is_some_and(|k| !name.contains(k.as_str()))
            {
                continue;
            }
            out.conditions
                .entry(key.clone())
                .or_default()
                .push(Condition {
                    name: name.replace(';', ","),
                    code: cell(&row, &c.icd10).map(str::to_string),
                    since: cell(&row, &c.since)
                        .and_then(|s| s.get(0..4))
                        .map(str::to_string),
                    ..Condition::default()
                });
        }
    }
    if let Some(m) = &mapping.medications {
        let text = read_beside(results_file, &m.file)?;
        let table = Table::read(&text, &m.file, &[m.patient.as_str(), m.name.as_str()])?;
        for (_, row) in table.rows {
            let (Some(key), Some(name)) = (row.get(&m.patient), row.get(&m.name)) else {
                continue;
            };
            if cell(&row, &m.stop).is_some() {
                continue;
            }
            out.medications
                .entry(key.clone())
                .or_default()
                .push(Medication {
                    name: name.replace(';', ","),
                    dose: cell(&row, &m.dose).map(|d| d.replace(';', ",")),
                    ..Medication::default()
                });
        }
    }
    Ok(out)
}

/// Reads a results file through the mapping: one `Incoming` per patient key.
pub fn parse(text: &str, name: &str, path: &Path, mapping: &Mapping) -> Parsed {
    let mut parsed = Parsed::default();
    let fail = |parsed: &mut Parsed, reason: Text| {
        parsed.rejected.push(Rejected {
            origin: name.to_string(),
            place: String::new(),
            reason,
        });
    };
    let r = &mapping.results;
    let needed = [
        r.patient.as_str(),
        r.code.as_str(),
        r.value.as_str(),
        r.time.as_str(),
    ];
    let table = match Table::read(text, name, &needed) {
        Ok(t) => t,
        Err(reason) => {
            fail(&mut parsed, reason);
            return parsed;
        }
    };
    let mut extra = match extra(mapping, path) {
        Ok(e) => e,
        Err(reason) => {
            fail(&mut parsed, reason);
            return parsed;
        }
    };
    let system = r.system.clone().unwrap_or_else(|| LOINC.to_string());
    let mut by_patient: BTreeMap<String, Vec<Observation>> = BTreeMap::new();
    for (line, row) in &table.rows {
        let place = format!("line {line}");
        let reject = |parsed: &mut Parsed, reason: Text| {
            parsed.rejected.push(Rejected {
                origin: name.to_string(),
                place: place.clone(),
                reason,
            })
        };
        let key = row.get(&r.patient).cloned().unwrap_or_default();
        let code = row.get(&r.code).cloned().unwrap_or_default();
        let raw = row.get(&r.value).cloned().unwrap_or_default();
        if key.is_empty() || code.is_empty() {
            reject(&mut parsed, text!("msg.ingest.csv_empty_key"));
            continue;
        }
        // A code shaped like LOINC must be one; a code of another shape (Synthea's QALY,
        // DALY, QOLS) is the sender's own.
        let loinc_shaped = code.rsplit_once('-').is_some_and(|(_, check)| {
            check.len() == 1 && check.chars().all(|c| c.is_ascii_digit())
        });
        let row_system = if system == LOINC && !loinc_shaped {
            "urn:caredesk:local".to_string()
        } else {
            system.clone()
        };
        if row_system == LOINC && !loinc_valid(&code) {
            reject(&mut parsed, text!("msg.ingest.bad_loinc", code = &code));
            continue;
        }
        if raw.is_empty() {
            parsed.skipped += 1;
            continue;
        }
        let Some(taken_at) = row.get(&r.time).and_then(|t| super::fhir::parse_time(t)) else {
            reject(&mut parsed, text!("msg.ingest.csv_bad_time"));
            continue;
        };
        let kind = cell(row, &r.kind).map(str::to_lowercase);
        let value = match (kind.as_deref(), Decimal::parse(&raw)) {
            (Some("numeric"), None) => {
                reject(&mut parsed, text!("msg.ingest.csv_not_number"));
                continue;
            }
            (Some("numeric") | None, Some(number)) => ObsValue::Quantity {
                value: number,
                comparator: None,
            },
            _ => ObsValue::Text(raw.clone()),
        };
        by_patient.entry(key).or_default().push(Observation {
            system: row_system,
            code,
            display: cell(row, &r.display).map(str::to_string),
            value,
            unit: cell(row, &r.unit).map(str::to_string),
            range: cell(row, &r.range).map(RefRange::parse).unwrap_or_default(),
            flags: cell(row, &r.flag)
                .map(|f| vec![f.to_string()])
                .unwrap_or_default(),
            taken_at,
            status: None,
            source: Source {
                kind: SourceKind::Csv,
                reference: format!("{name} {place}"),
            },
        });
    }
    for (key, observations) in by_patient {
        let (ids, patient) = match extra.patients.remove(&key) {
            Some((ids, patient)) => (ids, Some(patient)),
            None => (vec![key.clone()], None),
        };
        parsed.incoming.push(Incoming {
            origin: format!("{name} patient {key}"),
            patient_ids: ids,
            patient,
            observations,
            conditions: extra.conditions.remove(&key).unwrap_or_default(),
            medications: extra.medications.remove(&key).unwrap_or_default(),
            ..Incoming::default()
        });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_mapping_loads_and_a_bad_one_is_explained() {
        assert!(load_mapping("synthea").is_ok());
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let bad = tmp.path().join("bad.toml");
        std::fs::write(&bad, "[results]\npatient = \"P\"\n").unwrap_or_default();
        let err = load_mapping(bad.to_str().unwrap_or_default())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("missing field")),
            "{err:?}"
        );
        let err = load_mapping("/nonexistent.toml")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("built-in mappings: synthea")),
            "{err:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn no_csv_panics_the_parser(text in "[a-z0-9,\"\n .:-]{0,160}") {
            let mapping: Mapping = toml::from_str(
                "[results]\npatient = \"a\"\ncode = \"b\"\nvalue = \"c\"\ntime = \"d\"\n",
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let _ = parse(&format!("a,b,c,d\n{text}"), "fuzz.csv", Path::new("fuzz.csv"), &mapping);
        }
    }

    #[test]
    fn rows_with_problems_are_reported_by_line() {
        let mapping: Mapping = toml::from_str(
            "[results]\npatient = \"who\"\ncode = \"code\"\nvalue = \"value\"\ntime = \"when\"\nunit = \"unit\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let text = "who,code,value,unit,when\n\
                    A1,8480-6,128,mm[Hg],2026-01-02\n\
                    A1,8480-5,128,mm[Hg],2026-01-02\n\
                    A1,8462-4,82,mm[Hg],yesterday\n\
                    A2,8867-4,,/min,2026-01-02\n\
                    A2,8867-4,71,/min,2026-01-02T08:00:00Z\n";
        let parsed = parse(text, "bp.csv", Path::new("bp.csv"), &mapping);
        assert_eq!(parsed.incoming.len(), 2);
        assert_eq!(parsed.skipped, 1);
        let places: Vec<&str> = parsed.rejected.iter().map(|r| r.place.as_str()).collect();
        assert_eq!(places, ["line 3", "line 4"]);
        // The same file with Windows line ends: the same lines.
        let crlf = text.replace('\n', "\r\n");
        let parsed = parse(&crlf, "bp.csv", Path::new("bp.csv"), &mapping);
        let places: Vec<&str> = parsed.rejected.iter().map(|r| r.place.as_str()).collect();
        assert_eq!(places, ["line 3", "line 4"]);
        let missing = parse("a,b\n1,2\n", "x.csv", Path::new("x.csv"), &mapping);
        assert!(
            missing.rejected[0]
                .reason
                .to_string()
                .contains("no column \"who\"")
        );
    }
}
