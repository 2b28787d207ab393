//! The audit commands while the clinic server owns the store: the auditor signs in,
//! and the log is read through the server in pages. `verify` checks the raw records
//! here, in this process, so the verdict does not rest on the server's word.

use std::process::ExitCode;

use super::audit_cmd::ExportArgs;
use super::signin::{self, Session};
use crate::audit::Seed;
use crate::audit::checkpoint::Checkpoint;
use crate::audit::export;
use crate::audit::log::ChainPage;
use crate::audit::record::{RawRecord, RecordBody};
use crate::audit::verify::{Break, Report, Verifier, VerifyOptions};
use crate::clinic::wire::{AuditChainPage, AuditEntry};
use crate::clinic::{Reply, Request};

/// Rows (or records) a page asks the server for.
const PAGE: u32 = 10_000;

/// Asks the server; any refusal signs out and becomes the command's error.
fn ask<T: Reply>(session: &Session, request: Request) -> anyhow::Result<T> {
    session.ask(request).map_err(|e| {
        signin::sign_out(session);
        anyhow::anyhow!("{e}")
    })
}

/// A page of the raw chain, as the audit verifier reads it.
fn chain_page(
    session: &Session,
    from_seq: u64,
    through: Option<u64>,
    limit: u32,
) -> anyhow::Result<ChainPage> {
    let page: Box<AuditChainPage> = ask(
        session,
        Request::AuditChain {
            from_seq,
            through,
            limit,
        },
    )?;
    Ok(ChainPage::from(*page))
}

/// `caredesk audit export` through the server.
pub fn export(session: Session, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    signin::sign_in(&session)?;
    let mut out = std::io::stdout().lock();
    let mut writer = export::RowWriter::new(args.format, &mut out)?;
    let mut after = None;
    loop {
        let page: Vec<AuditEntry> = ask(
            &session,
            Request::AuditEvents {
                from: args.from,
                to: args.to,
                limit: PAGE,
                after,
            },
        )?;
        let count = page.len();
        after = page.last().map(|r| r.seq);
        for row in page {
            writer.write(&export::AuditRow::from(row))?;
        }
        if count < PAGE as usize {
            break;
        }
    }
    writer.finish()?;
    signin::sign_out(&session);
    Ok(ExitCode::SUCCESS)
}

/// `caredesk audit verify` through the server: every record up to the head the first
/// page reports, checked here against the seed and checkpoint when given.
pub fn verify(
    session: Session,
    seed: Option<&Seed>,
    checkpoint: Option<&Checkpoint>,
) -> anyhow::Result<Result<Report, Break>> {
    signin::sign_in(&session)?;
    let first = chain_page(&session, 0, None, PAGE)?;
    let through = first.head.seq;
    let options = VerifyOptions {
        seed,
        checkpoint,
        seal: Some(first.seal),
    };
    let mut verifier = Verifier::new(&options);
    let mut page = first.records;
    let outcome = loop {
        let fed = page
            .iter()
            .try_for_each(|(key, value)| verifier.feed(key, value));
        if let Err(broken) = fed {
            break Err(broken);
        }
        let next = verifier.next_seq();
        if page.len() < PAGE as usize || next > through {
            break verifier.finish(Some(first.head));
        }
        page = chain_page(&session, next, Some(through), PAGE)?.records;
    };
    signin::sign_out(&session);
    Ok(outcome)
}

/// `caredesk audit checkpoint` through the server: the head as it is now, with the
/// store's identity from the genesis record.
pub fn checkpoint(session: Session) -> anyhow::Result<Checkpoint> {
    signin::sign_in(&session)?;
    let genesis = chain_page(&session, 0, Some(0), 1)?;
    let head = genesis.head;
    let last = chain_page(&session, head.seq, Some(head.seq), 1)?;
    signin::sign_out(&session);
    let damaged = |what: &str| {
        anyhow::anyhow!("the audit log is damaged: {what}; run `caredesk audit verify`")
    };
    let store_id = match genesis.records.first().map(|(_, v)| RawRecord::parse(v)) {
        Some(Ok(record)) => match record.body() {
            Ok(RecordBody::Genesis { store_id, .. }) => store_id,
            _ => return Err(damaged("the first record is not a genesis record")),
        },
        _ => return Err(damaged("the genesis record is missing")),
    };
    let (_, value) = last
        .records
        .first()
        .ok_or_else(|| damaged("the head record is missing"))?;
    let record = RawRecord::parse(value).map_err(|_| damaged("the head record cannot be read"))?;
    Ok(Checkpoint {
        store_id,
        seq: head.seq,
        hash: *record.hash,
        seal: *record.mac,
        epoch: head.epoch,
        time_ms: record.time_ms,
    })
}
