//! Patients' rights reports from the audit log, for the privacy officer (auditor):
//! who looked at one patient's record (every access, by whom, when, why — break-glass
//! reasons included), and the accounting of disclosures (45 CFR 164.528): each time
//! the patient's information left the clinic in the last six years, with date,
//! recipient, description and purpose, to hand to the patient.

use crate::text;
use serde::{Deserialize, Serialize};

use crate::audit::export::{AuditRow, for_each_row};
use crate::clinic::api::{PatientRef, Response, ServiceError};
use crate::clinic::service::{Ctx, Reply};
use crate::domain::patient::PatientId;

/// One access to the patient's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub time: String,
    pub user: String,
    pub role: String,
    pub action: String,
    pub outcome: String,
    /// Why, where the log says: a break-glass reason, a disclosure, a denial's kind.
    pub detail: String,
    pub ssh_client: String,
}

/// One disclosure of the patient's information. `recipient`, `description` and
/// `purpose` are in English (for scripts); screens and the printed accounting word
/// them in their own language from `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub date: String,
    pub recipient: String,
    pub description: String,
    pub purpose: String,
    pub by: String,
    pub kind: DisclosureKind,
}

/// What kind of disclosure the audit record describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    /// A copy of the whole record (`caredesk export`).
    Export,
    /// A health report printed, to be handed over.
    Printed { printer: String },
    /// A health report written to a file.
    File { path: String },
    /// Anything else the log calls a disclosure: described as recorded.
    Recorded,
    /// The whole record provided to another processor, with the patient's separate
    /// consent (PIPL 第23条): to whom and why, as staff named them.
    Provided { recipient: String, purpose: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureAccount {
    pub patient: PatientId,
    /// For the printed accounting handed to the patient.
    pub patient_name: String,
    pub clinic: String,
    pub from: String,
    pub to: String,
    pub disclosures: Vec<Disclosure>,
    /// Paper and fonts for the printed accounting.
    pub layout: crate::clinic::admin::settings::ReportSettings,
    /// The staff member who prepared it.
    pub prepared_by: String,
}

/// The accounting covers this many years back (45 CFR 164.528(a)).
pub const ACCOUNTING_YEARS: i32 = 6;

fn resolve(ctx: &Ctx<'_>, patient: &PatientRef) -> Result<PatientId, ServiceError> {
    match patient {
        PatientRef::Id(id) => Ok(*id),
        PatientRef::Key(key) => crate::clinic::export::access::resolve(ctx, key.trim()),
    }
}

/// Every audited event naming `id`, oldest first, from `from` on.
fn events_about(
    ctx: &Ctx<'_>,
    id: &PatientId,
    from: Option<chrono::NaiveDate>,
) -> Result<Vec<AuditRow>, ServiceError> {
    let subject = id.to_string();
    let mut rows = Vec::new();
    for_each_row(
        ctx.vault.store().audit().tree(),
        ctx.vault,
        from,
        None,
        |row| {
            if row.subjects.contains(&subject) {
                rows.push(row);
            }
            Ok(true)
        },
    )
    .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
    Ok(rows)
}

pub(crate) fn access_log(
    ctx: &Ctx<'_>,
    patient: &PatientRef,
    from: Option<chrono::NaiveDate>,
) -> Result<Reply, ServiceError> {
    let id = resolve(ctx, patient)?;
    let entries: Vec<Access> = events_about(ctx, &id, from)?
        .into_iter()
        .map(|r| Access {
            time: r.time,
            user: r.user,
            role: r.role,
            action: r.action,
            outcome: r.outcome,
            detail: r.detail,
            ssh_client: r.ssh_client,
        })
        .collect();
    let count = entries.len();
    Ok(Reply::new(Response::AccessLog(entries))
        .subject(id.to_string())
        .detail(format!("count={count}")))
}

/// What a disclosure's audit record says, in the accounting's terms.
fn disclosure_of(row: &AuditRow) -> Option<Disclosure> {
    let detail = row.detail.strip_prefix("disclosure:").map(str::trim);
    let (recipient, description, purpose, kind) = match (row.action.as_str(), detail) {
        ("patient.export", _) => (
            "the patient or their representative (a copy of the record)".to_string(),
            "everything held on the patient, machine-readable".to_string(),
            "the patient's right of access".to_string(),
            DisclosureKind::Export,
        ),
        ("report.print", Some(d)) => {
            let to = d.split(" to ").nth(1).unwrap_or(d);
            let to = to.split(';').next().unwrap_or(to).trim();
            let (recipient, kind) = match to.split_once('=') {
                Some(("printer", p)) => (
                    format!("printed on {p}, handed over"),
                    DisclosureKind::Printed {
                        printer: p.to_string(),
                    },
                ),
                Some(("file", f)) => (
                    format!("written to {f}"),
                    DisclosureKind::File {
                        path: f.to_string(),
                    },
                ),
                _ => (to.to_string(), DisclosureKind::Recorded),
            };
            (
                recipient,
                "health report: identity, results, risks, advice, plan, follow-up".into(),
                "health management report for the patient".into(),
                kind,
            )
        }
        ("patient.provide", Some(d)) => {
            let rest = d.strip_prefix("the whole record to ").unwrap_or(d);
            let (recipient, purpose) = rest.rsplit_once("; purpose=").unwrap_or((rest, ""));
            (
                recipient.to_string(),
                "everything held on the patient, machine-readable".to_string(),
                purpose.to_string(),
                DisclosureKind::Provided {
                    recipient: recipient.to_string(),
                    purpose: purpose.to_string(),
                },
            )
        }
        (_, Some(d)) => (
            "as recorded".into(),
            d.to_string(),
            "as recorded at the time".into(),
            DisclosureKind::Recorded,
        ),
        _ => return None,
    };
    Some(Disclosure {
        date: row.time.get(..10).unwrap_or(&row.time).to_string(),
        recipient,
        description,
        purpose,
        by: row.user.clone(),
        kind,
    })
}

pub(crate) fn disclosures(ctx: &Ctx<'_>, patient: &PatientRef) -> Result<Reply, ServiceError> {
    use chrono::Datelike;
    let id = resolve(ctx, patient)?;
    let today = crate::clinic::desk::cards::today(ctx);
    let from = today
        .with_year(today.year() - ACCOUNTING_YEARS)
        .unwrap_or(today);
    let disclosures: Vec<Disclosure> = events_about(ctx, &id, Some(from))?
        .iter()
        .filter(|r| r.outcome == "ok")
        .filter_map(disclosure_of)
        .collect();
    let patient_name = ctx.vault.patient(&id)?.name;
    let count = disclosures.len();
    let account = DisclosureAccount {
        patient: id,
        patient_name,
        clinic: ctx.clinic.settings().clinic.name.clone(),
        from: from.to_string(),
        to: today.to_string(),
        disclosures,
        layout: ctx.clinic.settings().report.clone(),
        prepared_by: ctx.session.user.clone(),
    };
    Ok(Reply::new(Response::Disclosures(Box::new(account)))
        .subject(id.to_string())
        .detail(format!("count={count}")))
}
