//! `caredesk import hl7|fhir|csv FILES…`: results from the lab and the exam centre.
//! Files are parsed here and sent in batches (a large file in many requests, each well
//! under the frame limit, each audited); the service matches, deduplicates, stores
//! and audits.

use std::path::PathBuf;

use clap::Args;

use super::DataDir;
use super::signin;
use crate::clinic::response::ResultsSummary;
use crate::clinic::{Request, SignedIn};
use crate::ingest::Parsed;
pub use crate::ingest::files::{Format, parse_csv_files, parse_files};
use crate::ingest::pieces::{Source, read_in_batches};

#[derive(Debug, Args)]
pub struct ResultsArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// The files to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Create a patient from the message when none matches, instead of the review list.
    #[arg(long)]
    pub create_patients: bool,
    /// Sign in with a key file (`caredesk key add-file`) instead of a user: for
    /// unattended runs, as the `system` principal.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print the summary as one JSON object (messages, imported, duplicates, unmatched,
    /// rejected, unread, created, skipped, not_kept by resource type, rejections,
    /// unread_results).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CsvArgs {
    #[command(flatten)]
    pub results: ResultsArgs,
    /// A built-in mapping's name (synthea) or a mapping file (TOML).
    #[arg(long, value_name = "NAME|FILE")]
    pub mapping: String,
}

pub fn run_csv(args: CsvArgs) -> anyhow::Result<()> {
    submit(Source::Csv(&args.mapping), args.results)
}

pub fn run(format: Format, args: ResultsArgs) -> anyhow::Result<()> {
    submit(Source::Files(format), args)
}

/// Signs in, reads the files in batches and sends each as it is read (see
/// `ingest::pieces`), then prints the whole import's summary.
fn submit(source: Source<'_>, args: ResultsArgs) -> anyhow::Result<()> {
    if let Some(missing) = args.files.iter().find(|f| !f.is_file()) {
        anyhow::bail!("cannot read {}: no such file", missing.display());
    }
    let session = signin::connect(&args.data.path)?;
    match &args.key_file {
        Some(path) => {
            let (label, key) = crate::server::key_file::read(path)?;
            let _: SignedIn = session
                .ask(Request::LoginKeyFile { label, key })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        None => {
            signin::sign_in(&session)?;
        }
    }
    let mut summary = ResultsSummary::default();
    let mut parsed = Parsed::default();
    // Results of readable messages that could not be read (each OBX on its own).
    let mut unread = Vec::new();
    let mut batches = 0u64;
    let sent = read_in_batches(source, &args.files, &mut |batch| {
        let batch_unread: Vec<_> = batch
            .incoming
            .iter()
            .flat_map(|m| m.unread.iter().cloned())
            .collect();
        let done: ResultsSummary = session
            .ask(Request::ResultsImport {
                incoming: batch.incoming,
                rejected: batch.rejected.len() as u64,
                create_patients: args.create_patients,
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        batches += 1;
        summary.add(&done);
        parsed.rejected.extend(batch.rejected);
        parsed.skipped += batch.skipped;
        unread.extend(batch_unread);
        parsed.add_not_kept(&batch.not_kept);
        Ok(())
    });
    signin::sign_out(&session);
    if let Err(e) = sent {
        if batches == 0 {
            return Err(e);
        }
        anyhow::bail!(
            "{e}; before that {batches} parts were imported ({} results); importing the same files again stores only what is missing",
            summary.imported
        );
    }
    if args.json {
        let json = |list: &[crate::ingest::Rejected]| -> Vec<serde_json::Value> {
            list.iter()
                .map(|r| serde_json::json!({ "origin": r.origin, "place": r.place, "reason": r.reason }))
                .collect()
        };
        let rejections = json(&parsed.rejected);
        let unread_results = json(&unread);
        say!(
            "{}",
            serde_json::json!({
                "messages": summary.messages + summary.rejected,
                "imported": summary.imported,
                "duplicates": summary.duplicates,
                "unmatched": summary.unmatched,
                "rejected": summary.rejected,
                "unread": summary.unread,
                "created": summary.created,
                "record_changes": summary.record_changes,
                "skipped": parsed.skipped,
                "not_kept": parsed.not_kept,
                "rejections": rejections,
                "unread_results": unread_results,
            })
        );
        return Ok(());
    }
    for rejected in &parsed.rejected {
        say!("rejected: {rejected}");
    }
    for result in &unread {
        say!("not read: {result}");
    }
    say!(
        "messages {}: imported {} results, duplicates {}, unmatched {} (on the review list), rejected {}, results not read {} (on the review list), created {} patients, skipped {} without a value",
        summary.messages + summary.rejected,
        summary.imported,
        summary.duplicates,
        summary.unmatched,
        summary.rejected,
        summary.unread,
        summary.created,
        parsed.skipped
    );
    if let Some(list) = crate::ingest::fhir::not_kept_summary(&parsed.not_kept) {
        say!("not kept by caredesk: {list}");
    }
    Ok(())
}
