//! `caredesk audit archive` and `audit archive-verify`.

use std::os::unix::fs::OpenOptionsExt;
use std::process::ExitCode;

use super::audit_cmd::{ArchiveArgs, ArchiveVerifyArgs, print_verdict, read_seed};
use super::{EXIT_TAMPERED, signin};
use crate::audit::VerifyOptions;
use crate::audit::archive::{ArchiveError, ArchiveWriter, verify_archive};
use crate::audit::log::AUDIT_TREE;
use crate::audit::record::RawRecord;
use crate::clinic::Request;
use crate::clinic::wire::AuditChainPage;
use crate::store::RawStore;

/// Records per page read through a clinic server.
const PAGE: u32 = 10_000;

pub fn run_archive(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let cutoff_ms = args
        .before
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(i64::MIN);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&args.out)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create {}: {e} (give a new file)",
                args.out.display()
            )
        })?;
    let options = VerifyOptions::default();
    let mut writer = ArchiveWriter::new(std::io::BufWriter::new(file), &options)?;
    let before = |value: &[u8]| {
        RawRecord::parse(value)
            .map(|r| r.time_ms < cutoff_ms)
            .unwrap_or(true)
    };
    let outcome = (|| -> Result<(), ArchiveError> {
        if let Some(connection) =
            crate::server::connection::server_only(&args.data.path, &super::signin::mode())
                .map_err(|e| ArchiveError::Damaged(e.to_string()))?
        {
            // Through the clinic server: the auditor pages the raw records in.
            let session = crate::clinic::Signed::new(connection);
            signin::sign_in(&session).map_err(|e| ArchiveError::Damaged(e.to_string()))?;
            let mut from_seq = 0u64;
            let mut through = None;
            'pages: loop {
                let page: Box<AuditChainPage> = session
                    .ask(Request::AuditChain {
                        from_seq,
                        through,
                        limit: PAGE,
                    })
                    .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
                through = Some(page.head_seq);
                let full = page.records.len() == PAGE as usize;
                for (key, value) in &page.records {
                    if !before(value) {
                        break 'pages;
                    }
                    writer.record(key, value)?;
                    from_seq += 1;
                }
                if !full {
                    break;
                }
            }
            signin::sign_out(&session);
        } else {
            let raw = RawStore::open_for_scan(&args.data.path)
                .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
            let tree = raw
                .tree(AUDIT_TREE)
                .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
            for item in tree.range(&b"r"[..]..&b"s"[..]) {
                let (key, value) = item.map_err(|e| ArchiveError::Damaged(e.to_string()))?;
                if !before(&value) {
                    break;
                }
                writer.record(&key, &value)?;
            }
        }
        Ok(())
    })();
    let report = outcome.and_then(|()| writer.finish());
    match report {
        Ok(report) => {
            say!(
                "archived {} records (to record {}, before {}) into {}; the log itself is kept whole",
                report.entries,
                report.head.seq,
                args.before,
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&args.out);
            match e {
                ArchiveError::Broken(b) => {
                    say!("audit log BROKEN at record {}: {}", b.seq, b.reason);
                    Ok(ExitCode::from(EXIT_TAMPERED))
                }
                other => anyhow::bail!("{other}"),
            }
        }
    }
}

pub fn run_verify(args: ArchiveVerifyArgs) -> anyhow::Result<ExitCode> {
    let seed = read_seed(args.seed.as_deref())?;
    let file = std::fs::File::open(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let options = VerifyOptions {
        seed: seed.as_ref(),
        ..Default::default()
    };
    match verify_archive(file, &options) {
        Ok(report) => Ok(print_verdict(Ok(report))),
        Err(ArchiveError::Broken(b)) => Ok(print_verdict(Err(b))),
        Err(ArchiveError::Io(e)) => anyhow::bail!("cannot read {}: {e}", args.file.display()),
        Err(other) => {
            say!("audit archive BROKEN: {other}");
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
    }
}
