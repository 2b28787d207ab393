//! Reading result files from disk, for the command line and the terminal app alike:
//! the text (UTF-8 with or without BOM, or GB18030), then the format's parser. HL7
//! files are handed over as bytes: each message names its own character set (MSH-18,
//! see `hl7::parse_bytes`).

use std::path::PathBuf;

use super::Parsed;

/// The file as text: BOM dropped; GB18030 when it is not UTF-8.
pub fn decode(bytes: &[u8]) -> anyhow::Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| t.into_owned())
            .ok_or_else(|| {
                anyhow::anyhow!("the file is neither UTF-8 nor GB18030: save it as UTF-8")
            }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Hl7,
    Fhir,
}

/// Reads every file with `parse` (its bytes, its name, its path); a file that cannot
/// be read at all is an error naming it.
fn read_all(
    files: &[PathBuf],
    mut parse: impl FnMut(&[u8], &str, &std::path::Path) -> anyhow::Result<Parsed>,
) -> anyhow::Result<Parsed> {
    let mut all = Parsed::default();
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| unreadable(path, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = parse(&bytes, &name, path)?;
        all.incoming.extend(parsed.incoming);
        all.rejected.extend(parsed.rejected);
        all.skipped += parsed.skipped;
        all.add_not_kept(&parsed.not_kept);
    }
    Ok(all)
}

/// Reads HL7 or FHIR files.
pub fn parse_files(format: Format, files: &[PathBuf]) -> anyhow::Result<Parsed> {
    read_all(files, |bytes, name, _| {
        Ok(match format {
            Format::Hl7 => super::hl7::parse_bytes(bytes, name, 1).0,
            Format::Fhir => super::fhir::parse(&decode(bytes)?, name),
        })
    })
}

/// Reads CSV results files through a mapping (a built-in name or a TOML file).
pub fn parse_csv_files(mapping: &str, files: &[PathBuf]) -> anyhow::Result<Parsed> {
    let mapping = super::csv_file::load_mapping(mapping)?;
    read_all(files, |bytes, name, path| {
        Ok(super::csv_file::parse(
            &decode(bytes)?,
            name,
            path,
            &mapping,
        ))
    })
}

impl Format {
    /// The format a file name suggests: .json is FHIR, .csv is CSV, anything else HL7.
    pub fn of(path: &std::path::Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("json") => Format::Fhir,
            _ => Format::Hl7,
        }
    }
}

/// A file that cannot be read, said as a message the desk shows in its language (the
/// terminal finds it with `downcast_ref::<Text>`; a command prints it in English).
pub(crate) fn unreadable(path: &std::path::Path, e: std::io::Error) -> anyhow::Error {
    anyhow::Error::msg(crate::text!(
        "msg.file.unreadable",
        path = path.display(),
        detail = e
    ))
}
